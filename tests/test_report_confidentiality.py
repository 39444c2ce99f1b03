"""Sensitive content never leaves the graph in a report: plant markers, run every format, grep.

Markers sit in page titles (→ file names) and bodies under the 信访/谈话/线索 namespaces, in
blocks (and their children) marked ``sensitive:: true``, in a 底稿 with ``密级::``, in a report
problem, a 移交 item, a 整改 item, task titles, a produced-document link and a diagnostic.
The second half reproduces the issue's defects 3 and 4 on a copy of ``examples/graph``: a
sensitive item's 移交对象, links to sensitive pages from ordinary items, and tagged content.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER

A = "巡察/2026年第一轮/某某集团有限公司"
MARK = "ZQXSECRET"


def _page(graph: Path, title: str, text: str) -> None:
    (graph / "pages" / (title.replace("/", "___") + ".md")).write_text(text, encoding="utf-8")


@pytest.fixture
def secret_graph(tmp_path: Path) -> Path:
    g = tmp_path / "graph"
    shutil.copytree(FIXTURES / "progress" / "graph", g)
    _page(g, f"{A}/信访举报/{MARK}01", f"""巡察:: [[{A}]]

- 举报人 {MARK}02 反映的问题
- DONE 受理信访举报 {MARK}03
  活动:: know.04
  巡察:: [[{A}]]
- TODO 未知活动 {MARK}04
  活动:: know.99
  巡察:: [[{A}]]
- 信访反映 {MARK}05
  移交对象:: [[纪检部]]
""")
    _page(g, f"{A}/谈话记录/{MARK}06", f"""- 谈话对象 {MARK}07
  整改状态:: 整改中
  整改时限:: 2026-07-30
""")
    _page(g, f"巡察/线索/{MARK}08", f"""- 问题线索 {MARK}09
  移交对象:: [[纪检部]]
  巡察:: [[{A}]]
""")
    _page(g, f"{A}/底稿/009", f"""type:: [[问题底稿]]
巡察:: [[{A}]]
编号:: {MARK}10
名称:: {MARK}11
问题概要:: {MARK}12
密级:: 秘密

- 正文 {MARK}13
""")
    with (g / "pages" / (f"{A}/移交台账".replace("/", "___") + ".md")).open("a", encoding="utf-8") as fh:
        fh.write(f"- 内部事项 {MARK}14\n  sensitive:: true\n  移交对象:: [[有关部门]]\n\t- 子块 {MARK}15\n"
                 f"\t  整改状态:: 整改中\n")
    with (g / "pages" / (f"{A}/巡察情况报告".replace("/", "___") + ".md")).open("a", encoding="utf-8") as fh:
        fh.write(f"\t- 问题4：{MARK}16\n\t  sensitive:: true\n")
    (g / "journals" / "2026_07_02.md").write_text(
        f"- 涉密笔记\n  密级:: 机密\n\t- DONE 个别谈话 {MARK}17\n\t  活动:: know.06\n\t  巡察:: [[{A}]]\n"
        f"\t  产出:: [[{A}/谈话记录/{MARK}18]]\n", encoding="utf-8")
    # the overview registers a person whose name is itself a marker for --redact names
    ov = g / "pages" / "巡察___2026年第一轮___某某集团有限公司.md"
    ov.write_text(ov.read_text(encoding="utf-8").replace("组员:: [[李四]], [[王五]]",
                                                          "组员:: [[李四]], [[王五]]\n副组长:: [[ZQXNAME]]"),
                  encoding="utf-8")
    return g


FORMATS = ["text", "md", "json", "html"]


def _invoke(runner, *args: str):  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", *args, "--today", "2026-07-25"])
    assert r.exit_code == 0, r.output
    return r


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_marker_in_any_text_format(runner, secret_graph: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = _invoke(runner, str(secret_graph), "--format", fmt).output
    assert MARK not in out
    assert "某某集团有限公司" in out  # the report itself is there


def test_sensitive_things_are_counted(runner, secret_graph: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    data = json.loads(_invoke(runner, str(secret_graph), "--format", "json").output)
    i = next(x for x in data["inspections"] if x["name"] == A)
    lg = i["ledgers"]
    assert lg["drafts"]["sensitive_count"] == 1 and lg["drafts"]["count"] == 4
    assert lg["transfers"]["sensitive_count"] == 3  # 信访 page, 线索 page, sensitive:: block
    assert lg["rectifications"]["sensitive_count"] == 2  # 谈话 page, child of a sensitive block
    assert lg["uncited_sensitive"] == 1
    assert i["sensitive"]["pages"] >= 3
    acts = {a["id"]: a for s in i["stages"] for a in s["activities"]}
    assert acts["know.04"]["status"] == "done" and acts["know.04"]["file"] is None
    assert acts["know.06"]["status"] == "done" and acts["know.06"]["file"] is None
    unknown = [x for x in i["issues"] if x["kind"] == "unknown_activity" and "know.99" in x["message"]]
    assert unknown and unknown[0]["line"] == 0  # located only as "sensitive", never by file name


def test_no_marker_in_xlsx(runner, secret_graph: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "台账.xlsx"
    _invoke(runner, str(secret_graph), "--format", "xlsx", "-o", str(out))
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            assert MARK.encode() not in z.read(name), name


def test_no_marker_in_written_report_page(runner, secret_graph: Path) -> None:  # type: ignore[no-untyped-def]
    _invoke(runner, str(secret_graph), "--write")
    page = secret_graph / "pages" / "巡察___进度报告.md"
    assert page.exists()
    assert MARK not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_redact_names_replaces_registered_names(runner, secret_graph: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    rect = secret_graph / "pages" / (f"{A}/整改台账".replace("/", "___") + ".md")
    with rect.open("a", encoding="utf-8") as fh:
        fh.write("- 干部选拔程序不规范\n  整改状态:: 整改中\n  责任人:: [[ZQXNAME]]\n")
    plain = _invoke(runner, str(secret_graph), "--format", fmt).output
    assert "张三" in plain and "李四" in plain
    if fmt == "json":
        assert "ZQXNAME" in plain
    out = _invoke(runner, str(secret_graph), "--format", fmt, "--redact", "names").output
    for name in ("ZQXNAME", "张三", "李四", "王五"):
        assert name not in out, name
    assert "某某A" in out and MARK not in out
    assert "组长：组长" not in out and "组员：组员" not in out  # role-aware: 组长：某某, not 组长：组长


@pytest.mark.parametrize("fmt", FORMATS)
def test_redact_scrubs_phones_and_id_numbers_and_names_after_a_role(runner, secret_graph: Path,  # type: ignore[no-untyped-def]
                                                                    fmt: str) -> None:
    rect = secret_graph / "pages" / (f"{A}/整改台账".replace("/", "___") + ".md")
    with rect.open("a", encoding="utf-8") as fh:
        fh.write("- 组长：张三 13812345678 010-87654321 110101199003071234\n"
                 "  整改状态:: 整改中\n")
    plain = _invoke(runner, str(secret_graph), "--format", fmt).output
    assert "13812345678" in plain and "110101199003071234" in plain
    out = _invoke(runner, str(secret_graph), "--format", fmt, "--redact", "names").output
    for secret in ("13812345678", "010-87654321", "110101199003071234", "张三"):
        assert secret not in out, secret
    if fmt in ("text", "md", "json"):
        assert "组长：某某" in out and "［电话］" in out and "［身份证号］" in out


# --- round two: the issue's defects 3 and 4, on a copy of examples/graph ----------------------

F = A.replace("/", "___")
ISSUE_TODAY = ("--today", "2026-04-01")


def _append(graph: Path, leaf: str, text: str) -> None:
    with (graph / "pages" / f"{F}___{leaf}.md").open("a", encoding="utf-8") as fh:
        fh.write(text)


def _every_output(runner, graph: Path, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every report output, as text: the four text formats, each XML part of the xlsx, the page."""
    from xuncha_kb.cli import cli

    out: dict[str, str] = {}
    for fmt in FORMATS:
        r = runner.invoke(cli, ["report", str(graph), *ISSUE_TODAY, "--format", fmt])
        assert r.exit_code == 0, r.output
        out[fmt] = r.output
    xlsx = tmp_path / "out.xlsx"
    r = runner.invoke(cli, ["report", str(graph), *ISSUE_TODAY, "--format", "xlsx", "-o", str(xlsx)])
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(xlsx) as z:
        out.update({f"xlsx:{n}": z.read(n).decode("utf-8", "replace") for n in z.namelist()})
    r = runner.invoke(cli, ["report", str(graph), *ISSUE_TODAY, "--write"])
    assert r.exit_code == 0, r.output
    out["report --write"] = (graph / "pages" / "巡察___进度报告.md").read_text(encoding="utf-8")
    return out


def _leaks(outputs: dict[str, str], marker: str) -> list[str]:
    return sorted(where for where, text in outputs.items() if marker in text)


def _ledgers_json(outputs: dict[str, str]) -> dict:  # type: ignore[type-arg]
    import json

    return next(i for i in json.loads(outputs["json"])["inspections"] if i["name"] == A)["ledgers"]


SENSITIVE_TRANSFERS = {
    "own-sensitive": "- 移交事项\n  移交对象:: SECRET1\n  移交状态:: 待移交\n  sensitive:: true\n"
                     f"  巡察:: [[{A}]]\n",
    "parent-密级": f"- 内部事项\n  密级:: 内部\n\t- 移交事项\n\t  移交对象:: SECRET1\n\t  巡察:: [[{A}]]\n",
}


@pytest.mark.parametrize("rule", sorted(SENSITIVE_TRANSFERS))
def test_sensitive_transfer_never_names_its_recipient(runner, example_graph: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      rule: str) -> None:
    """Defect 3: the 移交对象 of a sensitive 移交 item was listed in 'by recipient'."""
    _append(example_graph, "移交台账", SENSITIVE_TRANSFERS[rule])
    outputs = _every_output(runner, example_graph, tmp_path)
    assert _leaks(outputs, "SECRET1") == []
    transfers = _ledgers_json(outputs)["transfers"]
    assert transfers["sensitive_count"] == 1  # still counted …
    hidden = [r for r in transfers["by_recipient"] if r["recipient"] == SENSITIVE_PLACEHOLDER]
    assert hidden and hidden[0]["count"] == 1  # … under the placeholder


def test_recipient_linking_a_sensitive_page_is_replaced(runner, example_graph: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Defect 4: ``移交对象:: [[I/线索/NAME]]`` on an ordinary item named the 线索 page everywhere."""
    _append(example_graph, "移交台账",
            f"- 移交事项 PUBLIC4\n  移交对象:: [[{A}/线索/NAME4]]\n  巡察:: [[{A}]]\n")
    outputs = _every_output(runner, example_graph, tmp_path)
    assert _leaks(outputs, "NAME4") == []
    items = _ledgers_json(outputs)["transfers"]["items"]
    assert [i["recipient"] for i in items if i["title"] == "移交事项 PUBLIC4"] == [SENSITIVE_PLACEHOLDER]


def test_draft_source_linking_a_sensitive_page_is_replaced(runner, example_graph: Path,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    """Defect 4: a 问题底稿 with ``来源:: [[I/信访/NAME]]`` showed the name in json and xlsx."""
    draft = example_graph / "pages" / f"{F}___底稿___001.md"
    text = draft.read_text(encoding="utf-8")
    draft.write_text("\n".join(f"来源:: [[{A}/信访/NAME4B]]" if ln.startswith("来源::") else ln
                               for ln in text.split("\n")), encoding="utf-8")
    outputs = _every_output(runner, example_graph, tmp_path)
    assert _leaks(outputs, "NAME4B") == []
    sources = [d["source"] for d in _ledgers_json(outputs)["drafts"]["items"]]
    assert SENSITIVE_PLACEHOLDER in sources  # the 底稿 itself is still listed


@pytest.mark.parametrize("tag", ["#信访", "#谈话", "#线索", "#[[信访]]", "#信访举报"])
def test_tagged_ledger_items_are_counted_only(runner, example_graph: Path, tmp_path: Path, tag: str) -> None:  # type: ignore[no-untyped-def]
    """Defect 4: content tagged only #信访/#谈话 was listed in json and xlsx."""
    _append(example_graph, "移交台账", f"- 内部事项 TAG4T {tag}\n  移交对象:: TAG4R\n  巡察:: [[{A}]]\n"
                                       f"- 反映的问题 {tag}\n\t- 整改事项 TAG4C\n\t  整改状态:: 整改中\n"
                                       f"\t  巡察:: [[{A}]]\n")
    outputs = _every_output(runner, example_graph, tmp_path)
    assert _leaks(outputs, "TAG4") == []
    lg = _ledgers_json(outputs)
    assert lg["transfers"]["sensitive_count"] == 1 and lg["rectifications"]["sensitive_count"] == 1
