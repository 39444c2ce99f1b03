"""``xuncha-kb doc``: every 公文 kind from the example graph, opened again with python-docx.

The graph gets 移交 and 整改 entries (one of each sensitive, with marker words) and a sensitive
底稿, so the checks can fail: the unit name, headings and tables must be there, the markers
must not — except in the 线索移交函 to 纪检部 with ``--include-sensitive``.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import ROOT
from xuncha_kb.cli import cli
from xuncha_kb.generate.documents import COLUMNS, KINDS

docx = pytest.importorskip("docx")
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402

A = "巡察/2026年第一轮/某某集团有限公司"
F = "巡察___2026年第一轮___某某集团有限公司"
UNIT = "某某集团有限公司"
TODAY = "2026-04-20"
MARKERS = ("CLUEWORD", "HIDDENRECT", "SECRETDRAFT", "线索/甲某")

TRANSFERS = f"""\
- 工程项目招标问题移交被巡察单位整改
  移交对象:: 被巡察单位
  移交状态:: 已移交
  底稿:: [[{A}/底稿/001]]
  巡察:: [[{A}]]
- 某处长违规插手工程 CLUEWORD
  移交对象:: 纪检部
  移交状态:: 待移交
  密级:: 内部
  底稿:: [[{A}/底稿/001]]
  巡察:: [[{A}]]
"""
RECTS = f"""\
- 完善工程招标管理制度
  整改状态:: 整改中
  责任人:: 工程管理部
  整改时限:: 2026-07-30
  巡察:: [[{A}]]
- 涉密整改事项 HIDDENRECT
  整改状态:: 未启动
  sensitive:: true
  巡察:: [[{A}]]
"""
SECRET_DRAFT = f"""\
type:: [[问题底稿]]
巡察:: [[{A}]]
编号:: 003
名称:: SECRETDRAFT 的问题
密级:: 内部
状态:: 起草
"""


def _append(graph: Path, leaf: str, text: str) -> None:
    page = graph / "pages" / f"{F}___{leaf}.md"
    page.write_text(page.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


@pytest.fixture
def graph(example_graph: Path) -> Path:
    _append(example_graph, "移交台账", TRANSFERS)
    _append(example_graph, "整改台账", RECTS)
    (example_graph / "pages" / f"{F}___底稿___003.md").write_text(SECRET_DRAFT, encoding="utf-8")
    return example_graph


def _run(runner, graph: Path, *args: str) -> Result:
    return runner.invoke(cli, ["doc", args[0], str(graph), "--today", TODAY, *args[1:]])


def _texts(document: Any) -> list[str]:
    out = [p.text for p in document.paragraphs]
    out += [c.text for t in document.tables for row in t.rows for c in row.cells]
    out += [p.text for s in document.sections for p in s.footer.paragraphs]
    return out


def _open(path: Path) -> Any:
    return docx.Document(str(path))


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_from_the_example_graph(runner: CliRunner, graph: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.docx"
    result = _run(runner, graph, kind, "-o", str(out))
    assert result.exit_code == 0, result.output
    document = _open(out)
    text = "\n".join(_texts(document))
    assert UNIT in text
    for marker in (*MARKERS, "{{", "{%", "涉密内容，仅计数"):
        assert marker not in text, (kind, marker)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    if kind == "问题底稿审批单":
        assert len(document.tables) == 2  # 001 and 002; the sensitive 003 is not there
        assert [t.cell(1, 1).text for t in document.tables] == ["001", "002"]
        assert document.tables[0].cell(0, 1).text == UNIT
    elif kind == "移交函":
        assert headings == ["移交清单"]
    else:
        assert headings and headings[0].startswith("一、"), headings
    if kind in COLUMNS:
        table = document.tables[-1]
        assert tuple(c.text for c in table.rows[0].cells) == COLUMNS[kind]
        assert len(table.rows) > 1


def test_layout_follows_gb_t_9704(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "通知.docx"
    assert _run(runner, graph, "巡察通知", "-o", str(out)).exit_code == 0
    document = _open(out)
    s = document.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    margins = (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    qn = docx.oxml.ns.qn

    def east_asia(style_name: str) -> str:
        return document.styles[style_name].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asia("Title") == "方正小标宋简体"
    assert east_asia("Normal") == "仿宋_GB2312"
    assert (east_asia("Heading 1"), east_asia("Heading 2")) == ("黑体", "楷体_GB2312")
    assert document.styles["Normal"].font.size.pt == 16 and document.styles["Title"].font.size.pt == 22
    assert document.paragraphs[0].style.name == "Title" and UNIT in document.paragraphs[0].text
    footer = s.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer
    fonts = zipfile.ZipFile(out).read("word/fontTable.xml").decode("utf-8")
    assert 'w:name="仿宋_GB2312"><w:altName w:val="Noto Serif CJK SC"' in fonts


@pytest.mark.parametrize("kind", KINDS)
def test_sender_and_date_stay_on_one_page(runner: CliRunner, graph: Path, tmp_path: Path, kind: str) -> None:
    """LibreOffice put the 巡察通知's date alone on page 2: the blank line and the sender keep
    with the next paragraph, so 署名 and 成文日期 move together."""
    out = tmp_path / "d.docx"
    assert _run(runner, graph, kind, "-o", str(out)).exit_code == 0
    paragraphs = _open(out).paragraphs
    date = max(i for i, p in enumerate(paragraphs) if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", p.text))
    sender, blank = paragraphs[date - 1], paragraphs[date - 2]
    assert sender.text and not blank.text
    assert sender.paragraph_format.keep_with_next and blank.paragraph_format.keep_with_next


def _page_number(footer: Any) -> tuple[Any, Any, str]:
    """(alignment, indent on the aligned side, text with the PAGE field as ``#``) of a footer."""
    [p] = footer.paragraphs
    qn = docx.oxml.ns.qn
    text = "".join("#" if el.tag == qn("w:instrText") else el.text
                   for el in p._p.iter(qn("w:t"), qn("w:instrText")))
    assert [el.text.strip() for el in p._p.iter(qn("w:instrText"))] == ["PAGE"]
    for r in p.runs:
        assert r.font.size.pt == 14 and r._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    pf = p.paragraph_format
    side = pf.right_indent if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT else pf.left_indent
    return p.alignment, side, text


def test_page_numbers_right_on_odd_pages_left_on_even(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    """GB/T 9704 7.5: "— 1 —" in 4号 宋体, 单页码居右空一字, 双页码居左空一字."""
    out = tmp_path / "反馈.docx"
    assert _run(runner, graph, "反馈意见", "-o", str(out)).exit_code == 0
    document = _open(out)
    assert document.settings.odd_and_even_pages_header_footer
    [s] = document.sections
    assert not s.even_page_footer.is_linked_to_previous
    odd, even = _page_number(s.footer), _page_number(s.even_page_footer)
    assert odd[0] == WD_ALIGN_PARAGRAPH.RIGHT and even[0] == WD_ALIGN_PARAGRAPH.LEFT
    assert odd[1].pt == even[1].pt == 14  # one character of 4号
    assert odd[2] == even[2] == "— #1 —"  # em dashes, the PAGE field (showing 1)
    noto = tmp_path / "noto.docx"
    assert _run(runner, graph, "反馈意见", "-o", str(noto), "--fonts", "noto").exit_code == 0
    for footer in ("footer1.xml", "footer2.xml"):
        xml = zipfile.ZipFile(noto).read(f"word/{footer}").decode("utf-8")
        assert "宋体" not in xml and "Noto Serif CJK SC" in xml, footer


@pytest.mark.parametrize("kind", KINDS)
def test_the_end_of_the_body_keeps_with_the_signature(runner: CliRunner, graph: Path, tmp_path: Path,
                                                      kind: str) -> None:
    """LibreOffice put the 反馈意见's 署名 and 成文日期 alone on page 2 (GB/T 9704 7.3.5: they
    share the page where the body ends): the last paragraph, or a table's last row, before
    them keeps with the next paragraph — and only that one, not the whole body."""
    out = tmp_path / "d.docx"
    assert _run(runner, graph, kind, "-o", str(out)).exit_code == 0
    blocks = list(_open(out).iter_inner_content())
    paragraph = docx.text.paragraph.Paragraph
    date = max(i for i, b in enumerate(blocks)
               if isinstance(b, paragraph) and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", b.text))
    last = blocks[date - 3]
    assert not blocks[date - 2].text and blocks[date - 1].text
    if kind in COLUMNS or kind == "问题底稿审批单":
        assert isinstance(last, docx.table.Table), kind  # the example graph fills every table
        rows = last.rows
        assert all(p.paragraph_format.keep_with_next for c in rows[-1].cells for p in c.paragraphs)
        assert not any(p.paragraph_format.keep_with_next for c in rows[-2].cells for p in c.paragraphs)
    else:
        assert isinstance(last, paragraph) and last.text
        assert last.paragraph_format.keep_with_next
    body = [b for b in blocks[:date - 3] if isinstance(b, paragraph) and b.style.name == "正文"]
    assert (kind == "问题底稿审批单" or body) and not any(p.paragraph_format.keep_with_next for p in body)


@pytest.mark.parametrize(("kind", "lines"), [
    ("移交函", ["关于移交某某集团有限公司", "巡察发现问题的函"]),  # not "…问题的" / "函"
    ("整改情况报告", ["某某集团有限公司党委", "关于巡察整改情况的报告"]),
    ("巡察情况报告", ["关于对某某集团有限公司巡察情况的报告"]),  # fits on one line
])
def test_a_long_title_breaks_where_the_meaning_allows(runner: CliRunner, graph: Path, tmp_path: Path,
                                                     kind: str, lines: list[str]) -> None:
    out = tmp_path / "t.docx"
    assert _run(runner, graph, kind, "-o", str(out)).exit_code == 0
    title = _open(out).paragraphs[0]
    assert title.style.name == "Title" and title.text.split("\n") == lines


def test_a_letter_with_nothing_to_transfer_points_at_no_list(runner: CliRunner, graph: Path,
                                                             tmp_path: Path) -> None:
    """Nothing goes to 审计部: no 移交清单 table, so the text must not refer to one."""
    out = tmp_path / "函.docx"
    assert _run(runner, graph, "移交函", "-o", str(out), "--to", "审计部").exit_code == 0
    document = _open(out)
    text = "\n".join(p.text for p in document.paragraphs)
    assert not document.tables and "见移交清单" not in text and "暂无需要移交" in text


def test_noto_fonts_replace_the_official_names(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "通知.docx"
    assert _run(runner, graph, "巡察通知", "-o", str(out), "--fonts", "noto").exit_code == 0
    styles = zipfile.ZipFile(out).read("word/styles.xml").decode("utf-8")
    assert "仿宋_GB2312" not in styles and 'w:eastAsia="Noto Serif CJK SC"' in styles


def test_report_groups_problems_and_counts_ledgers(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    assert _run(runner, graph, "巡察情况报告", "-o", str(out)).exit_code == 0
    document = _open(out)
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert level2 == ["（一）工程管理部方面（1 个问题）", "（二）党委办公室方面（1 个问题）"]
    text = "\n".join(_texts(document))
    assert "共形成问题底稿 3 份" in text  # the sensitive 003 counted …
    assert "另有 1 份底稿按保密规定不在本文列出。" in text  # … not listed
    assert "整改事项 2 项，已销号 0 项" in text
    assert "移交被巡察单位 1 项" in text


def test_clue_letter_only_with_include_sensitive(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.docx"
    assert _run(runner, graph, "移交函", "-o", str(plain), "--to", "纪检部").exit_code == 0
    text = "\n".join(_texts(_open(plain)))
    assert "CLUEWORD" not in text and "另有 1 项按保密规定不在本函列出。" in text
    clue = tmp_path / "clue.docx"
    result = _run(runner, graph, "移交函", "-o", str(clue), "--to", "纪检部",
                  "--include-sensitive")
    assert result.exit_code == 0, result.output
    assert "警告" in result.stderr
    document = _open(clue)
    text = "\n".join(_texts(document))
    assert "CLUEWORD" in text and "内部 ★ 注意保管" in text
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
    assert rows[1][1] == "某处长违规插手工程 CLUEWORD" and rows[1][2] == "纪检部"
    assert "被巡察单位" not in [r[2] for r in rows[1:]]  # --to keeps one recipient


@pytest.mark.parametrize("args", [("巡察情况报告", "--include-sensitive"),
                                  ("移交函", "--include-sensitive"),
                                  ("移交函", "--to", "干部人事部", "--include-sensitive")])
def test_include_sensitive_refused_elsewhere(runner: CliRunner, graph: Path, tmp_path: Path,
                                             args: tuple[str, ...]) -> None:
    out = tmp_path / "x.docx"
    result = _run(runner, graph, *args, "-o", str(out))
    assert result.exit_code == 2 and "--include-sensitive" in result.stderr
    assert not out.exists()


def test_redact_names(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "n.docx"
    assert _run(runner, graph, "巡察通知", "-o", str(out), "--redact", "names").exit_code == 0
    text = "\n".join(_texts(_open(out)))
    assert "张三" not in text and "李四" not in text
    assert "组长：某某；组员：某某A、某某B。" in text


def test_existing_file_is_never_replaced_and_dry_run_writes_nothing(runner: CliRunner, graph: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    result = _run(runner, graph, "反馈意见", "-o", str(out), "--dry-run")
    assert result.exit_code == 0 and "将新建" in result.output and not out.exists()
    out.write_bytes(b"my edited draft")
    result = _run(runner, graph, "反馈意见", "-o", str(out))
    assert result.exit_code == 4 and "不会覆盖" in result.stderr
    assert out.read_bytes() == b"my edited draft"


def test_docx_is_refused_in_the_pages_folder(runner: CliRunner, graph: Path) -> None:
    out = graph / "pages" / "x.docx"
    result = _run(runner, graph, "巡察通知", "-o", str(out))
    assert result.exit_code == 2 and not out.exists()


def test_graph_template_overrides_the_shipped_one(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    own = graph / "assets" / "xuncha-templates" / "docs" / "巡察通知.docx"
    own.parent.mkdir(parents=True)
    template = docx.Document(str(ROOT / "graph_templates" / "docs" / "巡察通知.docx"))
    template.add_paragraph("本办自定义：{{ unit }}联系人王某")
    template.save(str(own))
    out = tmp_path / "o.docx"
    result = _run(runner, graph, "巡察通知", "-o", str(out))
    assert result.exit_code == 0 and "assets/xuncha-templates/docs/巡察通知.docx" in result.output
    assert f"本办自定义：{UNIT}联系人王某" in _texts(_open(out))


def test_broken_template_is_a_user_error(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    own = graph / "assets" / "xuncha-templates" / "docs" / "反馈意见.docx"
    own.parent.mkdir(parents=True)
    template = docx.Document(str(ROOT / "graph_templates" / "docs" / "反馈意见.docx"))
    template.add_paragraph("{{ unit ")
    template.save(str(own))
    out = tmp_path / "o.docx"
    result = _run(runner, graph, "反馈意见", "-o", str(out))
    assert result.exit_code == 2 and "反馈意见.docx" in result.stderr and "Traceback" not in result.output
    assert not out.exists()


def _parts(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist() if n.startswith("word/")}


def test_shipped_templates_are_what_the_generator_builds(tmp_path: Path) -> None:
    script = ROOT / "graph_templates" / "docs" / "make_templates.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    for kind in KINDS:
        shipped = (ROOT / "graph_templates" / "docs" / f"{kind}.docx").read_bytes()
        assert _parts((tmp_path / f"{kind}.docx").read_bytes()) == _parts(shipped), kind


@pytest.mark.slow
def test_libreoffice_renders_the_report(runner: CliRunner, graph: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    pdftotext = shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("LibreOffice (soffice) or poppler (pdftotext) is not installed")
    out = tmp_path / "报告.docx"
    assert _run(runner, graph, "巡察情况报告", "-o", str(out), "--fonts", "noto").exit_code == 0
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    subprocess.run([soffice, "--headless", profile, "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(out)], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "报告.pdf"
    text = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8")
    assert f"关于对{UNIT}巡察情况的报告" in text.replace(" ", "")
    assert "— 1 —" in text or "–1–" in text.replace(" ", "") or "—1—" in text.replace(" ", "")
