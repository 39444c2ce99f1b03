"""统计分析 on a graph of 3 inspections over 2 rounds, against numbers counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_file

TODAY = "2026-06-01"
R1, R2 = "2025年第二轮", "2026年第一轮"


def _overview(root: Path, rnd: str, unit: str, entry: str = "") -> str:
    name = f"巡察/{rnd}/{unit}"
    write_file(root, f"pages/巡察___{rnd}___{unit}.md",
               f"type:: [[巡察]]\n被巡察单位:: [[{unit}]]\n轮次:: [[{rnd}]]\n进驻日:: {entry}\n\n- 概览\n")
    return name


def _draft(root: Path, insp: str, n: str, cls: str = "", secret: bool = False) -> None:
    leaf = insp.replace("/", "___")
    write_file(root, f"pages/{leaf}___底稿___{n}.md",
               f"type:: [[问题底稿]]\n巡察:: [[{insp}]]\n编号:: {n}\n来源:: 查阅资料\n"
               + (f"问题类别:: {cls}\n" if cls else "") + ("密级:: 内部\n" if secret else "")
               + f"问题概要:: 问题{n}\n证据:: 凭证\n定性:: 违规\n\n- 正文\n")


def _ledger(root: Path, insp: str, leaf: str, items: list[dict[str, str]]) -> None:
    body = "".join(f"- 事项{n}\n" + "".join(f"  {k}:: {v}\n" for k, v in it.items())
                   for n, it in enumerate(items, 1))
    write_file(root, f"pages/{insp.replace('/', '___')}___{leaf}.md", f"巡察:: [[{insp}]]\n\n{body}")


@pytest.fixture
def rounds(tmp_path: Path) -> Path:
    root = tmp_path / "g"
    write_file(root, "logseq/config.edn", "{:meta/version 1 :file/name-format :triple-lowbar}\n")
    a = _overview(root, R1, "甲公司", entry="2025-09-01")  # prep.03 and know.09 overdue
    b = _overview(root, R2, "乙公司")
    c = _overview(root, R2, "丙公司")
    _draft(root, a, "001", "党的领导弱化")
    _draft(root, a, "002", "廉洁纪律")
    _draft(root, b, "001", "党的领导弱化")
    _draft(root, b, "002", "党的建设缺失")
    _draft(root, b, "003")
    _draft(root, c, "001", "廉洁纪律")
    _draft(root, c, "002", "廉洁纪律", secret=True)
    _ledger(root, a, "整改台账", [
        {"整改状态": "已销号", "销号审核人": "张三", "销号日期": "2026-03-01", "佐证材料": "凭证"},
        {"整改状态": "已完成", "佐证材料": "凭证"},
        {"整改状态": "整改中", "整改时限": "2026-01-01"}])  # overdue
    _ledger(root, b, "整改台账", [{"整改状态": "已完成"}, {"整改状态": "未启动", "整改时限": "2026-12-31"}])
    _ledger(root, c, "整改台账", [{"整改状态": "整改中", "整改时限": "2026-05-01"}])  # overdue
    late = {"移交对象": "纪检部", "移交状态": "已移交", "移交日期": "2026-01-10"}  # 办理时限 2026-04-10
    _ledger(root, b, "移交台账", [late])
    _ledger(root, c, "移交台账", [{"移交对象": "有关部门", "移交状态": "已移交", "移交日期": "2026-05-01"}])
    return root


def _report(runner, root: Path, *args: str) -> str:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(root), "--today", TODAY, *args])
    assert r.exit_code == 0, r.output
    return r.output  # type: ignore[no-any-return]


def test_statistics_match_the_hand_count(runner, rounds: Path) -> None:  # type: ignore[no-untyped-def]
    st = json.loads(_report(runner, rounds, "--format", "json"))["statistics"]
    assert st["by_class"] == {"党的领导弱化": 2, "廉洁纪律": 2, "党的建设缺失": 1, "未分类": 1,
                              "涉密（仅计数）": 1}
    rows = {r["key"]: r for r in st["by_round"]}
    want = {  # key: (inspections, problems, rects, done, closed, rate, overdue deadlines, rects, transfers)
        R1: (1, 2, 3, 2, 1, 66, 2, 1, 0),
        R2: (2, 5, 3, 1, 0, 33, 0, 1, 1),
    }
    fields = ("inspections", "problems", "rects", "rects_done", "rects_closed", "rate_percent",
              "overdue_deadlines", "overdue_rects", "overdue_transfers")
    assert {k: tuple(rows[k][f] for f in fields) for k in rows} == want
    units = {r["key"]: (r["problems"], r["rate_percent"], r["overdue"]) for r in st["by_unit"]}
    assert units == {"甲公司": (2, 66, 3), "乙公司": (3, 50, 1), "丙公司": (2, 0, 1)}
    total = st["total"]
    keys = ("inspections", "problems", "rects", "rects_done", "rate_percent", "overdue")
    assert tuple(total[k] for k in keys) == (3, 7, 6, 3, 50, 5)


def test_statistics_in_text_md_and_html(runner, rounds: Path) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("text", "md"):
        out = _report(runner, rounds, "--format", fmt)
        assert "统计分析" in out
        assert (f"{R2}：巡察 2 个，问题 5 个，整改 1/3（整改率 33%，已销号 0），"
                "逾期 2（期限 0、整改 1、移交 1）") in out
        assert "合计：巡察 3 个，问题 7 个，整改 3/6（整改率 50%，已销号 1），逾期 5" in out
    html = _report(runner, rounds, "--format", "html")
    assert html.count('class="stat-chart"') == 7  # class + (problems, rate, overdue) × (round, unit)
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "33%（1/3）" in html


def test_statistics_sheets_read_back(runner, rounds: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    out = tmp_path / "统计.xlsx"
    _report(runner, rounds, "--format", "xlsx", "-o", str(out))
    wb = openpyxl.load_workbook(out)
    assert {"统计-问题类别", "统计-轮次", "统计-被巡察单位"} <= set(wb.sheetnames)
    ws = wb["统计-轮次"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("轮次", "巡察数", "问题数") and rows[0][6] == "整改率"
    by_key = {r[0]: r for r in rows[1:]}
    assert by_key[R1][1:6] == (1, 2, 3, 2, 1) and by_key["合计"][2] == 7
    assert abs(by_key[R2][6] - 1 / 3) < 1e-9 and ws.cell(row=2, column=7).number_format == "0%"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:K{len(rows)}"
    classes = {r[0]: r[1] for r in wb["统计-问题类别"].iter_rows(min_row=2, values_only=True)}
    assert classes["党的领导弱化"] == 2 and classes["涉密（仅计数）"] == 1
    units = {r[0]: r for r in wb["统计-被巡察单位"].iter_rows(min_row=2, values_only=True)}
    assert units["丙公司"][7] == 1 and wb["统计-被巡察单位"].auto_filter.ref
