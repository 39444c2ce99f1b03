"""HTML (self-contained; screenshotted in headless Chromium), xlsx (read back), --write, colour."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

TODAY = "2026-07-25"
A = "巡察/2026年第一轮/某某集团有限公司"


@pytest.fixture
def g(tmp_path: Path) -> Path:
    dest = tmp_path / "graph"
    shutil.copytree(FIXTURES / "progress" / "graph", dest)
    ov = dest / "pages" / "巡察___2026年第一轮___某某集团有限公司.md"
    ov.write_text(ov.read_text(encoding="utf-8").replace("反馈意见签收日::", "反馈意见签收日:: 2026-05-10"),
                  encoding="utf-8")
    return dest


def _run(runner, *args: str):  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    return runner.invoke(cli, ["report", *args, "--today", TODAY])


def test_html_is_self_contained_with_charts(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    r = _run(runner, str(g), "--format", "html")
    assert r.exit_code == 0, r.output
    html = r.output
    assert html.startswith("<!DOCTYPE html>")
    # no network: no scripts, no external stylesheets/images/fonts
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    # stage chart + timeline for each of the two inspections, then 7 statistics charts
    assert html.count("<svg") == 2 * 2 + 7 and html.count('class="stat-chart"') == 7
    assert 'aria-label="阶段进度"' in html and 'aria-label="期限时间轴"' in html
    assert "@media print" in html
    assert "2026-08-10" in html  # the 整改情况报告 due date is on the timeline


def test_html_escapes_user_text(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    rep = g / "pages" / (f"{A}/巡察情况报告".replace("/", "___") + ".md")
    with rep.open("a", encoding="utf-8") as fh:
        fh.write("\t- 问题9：<script>alert(1)</script>\n")
    html = _run(runner, str(g), "--format", "html").output
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


@pytest.mark.slow
def test_html_renders_in_headless_chromium(runner, g: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    html = tmp_path / "report.html"
    r = _run(runner, str(g), "--format", "html", "-o", str(html))
    assert r.exit_code == 0, r.output
    shot = Path(os.environ.get("XUNCHA_SCREENSHOT", tmp_path / "report.png"))
    pdf = tmp_path / "report.pdf"
    base = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([*base, "--window-size=900,2400", f"--screenshot={shot}", html.as_uri()],
                   capture_output=True, timeout=90, check=False)
    assert shot.exists() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    subprocess.run([*base, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri()],
                   capture_output=True, timeout=90, check=False)
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"  # printable


def test_xlsx_ledgers_read_back(runner, g: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    out = tmp_path / "台账.xlsx"
    r = _run(runner, str(g), "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:3] == ["底稿台账", "移交台账", "整改台账"]
    drafts = [list(row) for row in wb["底稿台账"].iter_rows(values_only=True)]
    assert drafts[0][:4] == ["巡察", "被巡察单位", "编号", "名称"]
    assert [d[2] for d in drafts[1:]] == ["DG-001", "DG-002", "DG-003"]
    dg2 = drafts[2]
    assert dg2[10] == "证据" and dg2[11] == "组长审批"
    transfers = list(wb["移交台账"].iter_rows(values_only=True))
    assert {(t[3], t[4]) for t in transfers[1:]} == {("干部人事部", "已移交"), ("被巡察单位", "待移交"),
                                                    ("有关部门", "已移交"), ("有关部门", "已反馈")}
    rects = list(wb["整改台账"].iter_rows(values_only=True))
    by_title = {x[2]: x for x in rects[1:]}
    assert by_title["财务报销不规范"][8] == "是"  # 销号
    assert by_title["落实主体责任不到位"][7] == "红"  # 整改时限 2026-08-01, 7 days left
    assert by_title["落实主体责任不到位"][6] == 7
    head = list(rects[0])
    row = by_title["财务报销不规范"]
    assert [row[head.index(k)] for k in ("整改措施", "责任单位", "佐证材料", "销号审核人", "闭环缺项")] == [
        "清理 2025 年报销凭证，退回不合规款项", "财务部", "退款凭证", "张三", "已销号但缺少销号日期"]
    assert by_title["会议记录缺失"][head.index("立行立改")] == "是"
    dhead = drafts[0]
    assert all(k in dhead for k in ("问题类别", "证据", "政策依据", "承办人", "副组长审核", "组长审批"))
    dg1 = drafts[1]
    assert [dg1[dhead.index(k)] for k in ("问题类别", "分类组", "承办人", "副组长审核", "组长审批")] == [
        "党的领导弱化", "三大问题", "李四", "王五", "张三"]
    assert drafts[2][dhead.index("政策依据")] == "《中国共产党纪律处分条例》"
    thead = list(transfers[0])
    by_t = {t[2]: t for t in transfers[1:]}
    limit = by_t["资产处置不规范"][thead.index("办理时限")]
    assert limit is not None and limit.date().isoformat() == "2026-07-01"
    assert by_t["资产处置不规范"][thead.index("预警")] == "红"
    assert by_t["培训经费使用问题"][thead.index("办理结果")] == "已责令整改并通报"
    for name in ("底稿台账", "移交台账", "整改台账"):
        ws = wb[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    progress = list(wb["进度"].iter_rows(values_only=True))
    rows = {(p[0], p[4], p[5], p[6]) for p in progress}
    assert ("巡察/2026年第一轮/某某集团有限公司", "巡察准备", 12, 12) in rows


def test_xlsx_refuses_a_terminal_and_dry_run_needs_write(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    r = _run(runner, str(g), "--dry-run")
    assert r.exit_code == 2 and "--write" in r.output


def test_write_creates_then_updates_only_the_report_page(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    before = {p: p.read_bytes() for p in g.rglob("*.md")}
    r = _run(runner, str(g), "--write", "--dry-run")
    assert r.exit_code == 0 and "新建" in r.output
    assert not (g / "pages" / "巡察___进度报告.md").exists()
    r = _run(runner, str(g), "--write")
    assert r.exit_code == 0, r.output
    page = g / "pages" / "巡察___进度报告.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("type:: [[巡察进度报告]]\nxuncha-generated:: report\n")
    assert {p: p.read_bytes() for p in before} == before  # no user page touched
    # a new day regenerates the page in place (it is still ours)
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(g), "--write", "--today", "2026-08-01"])
    assert r.exit_code == 0 and "更新" in r.output
    assert "2026-08-01" in page.read_text(encoding="utf-8")
    # the report page never counts as progress itself
    import json

    data = json.loads(_run(runner, str(g), "--format", "json").output)
    files = [x["file"] for i in data["inspections"] for x in i["issues"]]
    assert not any(f.startswith("pages/巡察___进度报告") for f in files)
    # once the user edits it, it is theirs: conflict, nothing written
    page.write_text(text + "- 我的笔记\n", encoding="utf-8")
    r = runner.invoke(cli, ["report", str(g), "--write", "--today", "2026-08-02"])
    assert r.exit_code == 4
    assert page.read_text(encoding="utf-8").endswith("- 我的笔记\n")


def test_write_single_inspection_page(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    r = _run(runner, str(g), "--write", "--inspection", "某某集团有限公司")
    assert r.exit_code == 0, r.output
    page = g / "pages" / "巡察___2026年第一轮___某某集团有限公司___进度报告.md"
    assert page.exists()
    assert "某某物流公司" not in page.read_text(encoding="utf-8")


def test_colour_only_when_asked_or_on_a_terminal(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    plain = _run(runner, str(g)).output
    assert "\x1b[" not in plain
    coloured = _run(runner, str(g), "--color").output
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured).split() == plain.split()


def test_empty_graph_says_what_to_do(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pages").mkdir()
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text("{}", encoding="utf-8")
    r = _run(runner, str(tmp_path))
    assert r.exit_code == 0
    assert "没有找到巡察概览页" in r.output


def test_xlsx_to_a_pipe_is_the_workbook_bytes(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    r = _run(runner, str(g), "--format", "xlsx")
    assert r.exit_code == 0
    assert r.stdout_bytes[:2] == b"PK"  # a zip container


def test_inspection_option_matches_part_of_a_name(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    out = _run(runner, str(g), "--inspection", "物流").output
    assert "某某物流公司" in out and "某某集团有限公司" not in out
    assert "【总览】" not in out  # a single inspection has no portfolio block


def test_markdown_page_reads_back_as_a_plain_logseq_page(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.logseq.page import parse_text

    rep = g / "pages" / (f"{A}/巡察情况报告".replace("/", "___") + ".md")
    with rep.open("a", encoding="utf-8") as fh:  # user text that looks like syntax
        fh.write("\t- 问题8：TODO 写成了任务 key:: value\n")
    text = _run(runner, str(g), "--format", "md").output
    parsed = parse_text(text, "pages/巡察___进度报告.md")
    assert parsed.properties["type"] == "[[巡察进度报告]]"
    assert parsed.properties["xuncha-generated"] == "report"
    blocks = [b for top in parsed.blocks for b in top.walk() if not b.pre_block]
    assert blocks and all(b.marker is None for b in blocks)
    assert all(not b.properties for b in blocks)  # no 活动::, 移交对象:: … leak into the report page
    assert not [d for d in parsed.diagnostics if d.severity == "error"]
    assert "## 总览" in text and f"[[{A}]]" in text
