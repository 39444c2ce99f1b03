"""Fuzzing the parsers and everything downstream of them: whatever the bytes, they either
return (with Diagnostics) or raise the project's own errors — never anything else.

* EDN: ``edn.loads`` raises only ``EdnError``; ``read_config`` and ``parse_whiteboard`` never
  raise (problems are Diagnostics with a line ≥ 1); ``parse_export`` raises only XunchaError.
* Properties: ``match_property`` / ``value_refs`` never raise.
* Workflow: ``load_definition_text`` raises only ``WorkflowError``; ``extract_file`` only
  XunchaError.
* The whole report pipeline: a fuzzed page inside the example inspection → ``compute_progress``
  → every report format, and the close-out planner — never an exception.
* sync's three-way merge, on generated pages the user edited at random (notes, child notes,
  DONE, retitled tasks, changed generated properties, hand-set dates) while the workflow's
  dates moved: never an exception, and not one user edit is lost.

Example counts are bounded (``max_examples``) so the file runs in seconds.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_GRAPH, ROOT
from xuncha_kb.errors import WorkflowError, XunchaError
from xuncha_kb.model import Diagnostic

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _diags_ok(diags) -> None:
    for d in diags:
        assert isinstance(d, Diagnostic)
        assert d.line >= 1 and d.message


# --- EDN ---------------------------------------------------------------------------------------

EDN_TOKENS = [
    "{", "}", "[", "]", "(", ")", "#{", " ", "\n", ",", ":a", ":block/uuid", ":block/content",
    ":blocks", ":pages", ":hidden", ":file/name-format", ":triple-lowbar", ":block/properties",
    '"x"', '"巡察"', '"', "\\", "\\c", "\\newline", "#uuid", '"6f2a0c1e-5b9e-4c1a-9d3e-0a1b2c3d4e5f"', '"zz"',
    "#inst", '"2026-02-30T00:00:00Z"', '"2026-03-01T00:00:00.000-00:00"', "1", "-1.5e3", "1N", "1M",
    "nil", "true", "false", "sym", "fn", ";; c", "#_", "#foo/bar", "#", "^", "@", "~", "'", "`",
    "#=", "#?", "##Inf", "##NaN", "0x1F", "1/2", "\x00", "\ufeff",
]
edn_text = st.one_of(
    st.lists(st.sampled_from(EDN_TOKENS), max_size=60).map("".join),
    st.text(max_size=200),
)


@FEW
@given(edn_text)
def test_edn_loads_raises_only_edn_error(text: str) -> None:
    from xuncha_kb.logseq import edn

    try:
        edn.loads(text)
    except edn.EdnError as exc:
        assert exc.line >= 1 and exc.message


@FUZZ
@given(edn_text)
def test_read_config_never_raises(text: str) -> None:
    from xuncha_kb.logseq.config import read_config
    from xuncha_kb.model import GraphConfig

    config, diags = read_config(text, "logseq/config.edn")
    assert isinstance(config, GraphConfig)
    assert ".." not in config.pages_dir.split("/")
    _diags_ok(diags)


WB_TOKENS = [
    '{:blocks [', ']', '}', '{', ':block/uuid #uuid "6f2a0c1e-5b9e-4c1a-9d3e-0a1b2c3d4e5f"',
    ':block/uuid #uuid "0b1c2d3e-5b9e-4c1a-9d3e-0a1b2c3d4e5f"', ':block/content "- 巡察准备"',
    ':block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape {:type "box" :id "s1"}}',
    ':logseq.tldraw.shape {:type "line" :handles {:start {:binding "s1"} :end {:binding "s2"}}}',
    ':block/parent [:block/uuid #uuid "6f2a0c1e-5b9e-4c1a-9d3e-0a1b2c3d4e5f"]', ':block/left',
    ':block/page', ':pages [{:block/name "x" :block/properties {:ls-type :whiteboard-page}}]',
    ':point [1 2]', ':size ["a" nil]', ':bindings {', ' ', '\n', '"', 'nil', '{:a 1}',
]
wb_text = st.one_of(st.lists(st.sampled_from(WB_TOKENS), max_size=30).map("".join), edn_text)


@FUZZ
@given(wb_text)
def test_parse_whiteboard_never_raises(text: str) -> None:
    from xuncha_kb.logseq.whiteboard import parse_whiteboard

    board, diags = parse_whiteboard(text, "whiteboards/x.edn")
    assert board.file == "whiteboards/x.edn"
    _diags_ok(diags)
    ids = {s.id for s in board.shapes}
    for c in board.connectors:
        assert c.id in ids


@FEW
@given(st.one_of(wb_text, st.lists(st.sampled_from(['[', ']', '{', '}', '"page"', '"children"', ':', ',',
                                                     '"content"', '"巡察"', '1', 'null', '"properties"']),
                                   max_size=30).map("".join)))
def test_parse_export_raises_only_project_errors(text: str) -> None:
    from xuncha_kb.logseq.export import parse_export

    for name in ("export.edn", "export.json"):
        try:
            parse_export(text, name)
        except XunchaError as exc:
            assert exc.exit_code in (2, 3) and exc.message


# --- properties --------------------------------------------------------------------------------

PROP_TOKENS = ["key", "巡察", "::", ":", " ", "\t", "[[", "]]", "#", "#[[", ",", "，", "\"", "a", "-", "_",
               "((", "))", "{{", "}}", "\x00", "\u3000", "id", "type", "alias", "tags"]
prop_text = st.one_of(st.lists(st.sampled_from(PROP_TOKENS), max_size=20).map("".join), st.text(max_size=80))


@FUZZ
@given(prop_text, prop_text)
def test_property_parsing_never_raises(line: str, value: str) -> None:
    from xuncha_kb.logseq.properties import match_property, normalise_key, value_refs

    m = match_property(line.strip())
    if m is not None:
        key, _raw = m
        assert key and "::" not in key
        assert isinstance(normalise_key(key), str)
    refs = value_refs("tags", value, ["tags"])
    assert all(isinstance(r, str) for r in refs)
    assert all(isinstance(r, str) for r in value_refs("巡察", value))


# --- workflow definitions and extraction --------------------------------------------------------

DEFINITION = (ROOT / "graph_templates" / "workflow" / "巡察工作流程定义.md").read_text(encoding="utf-8")
DEF_LINES = DEFINITION.splitlines()
WF_TOKENS = ["- ", "\t", "## ", "阶段id:: ", "活动id:: ", "前置:: ", "期限:: ", "里程碑id:: ", "设定活动:: ",
             "角色id:: ", "产出id:: ", "责任:: ", "产出:: ", "范围:: ", "prep", ".01", "prep.01", "x",
             "巡察准备", "3个月后", "进驻日", "前 5 个工作日", "硬性", "\n", "  ", "[[", "]]", ", "]


@st.composite
def mutated_definition(draw) -> str:
    lines = list(DEF_LINES)
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "swap", "edit", "indent"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "edit":
            lines[i] = draw(st.lists(st.sampled_from(WF_TOKENS), max_size=6).map("".join))
        else:
            lines[i] = "\t" + lines[i]
    return "\n".join(lines) + "\n"


wf_text = st.one_of(mutated_definition(), st.lists(st.sampled_from(WF_TOKENS), max_size=40).map("".join))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wf_text)
def test_workflow_loader_raises_only_workflow_errors(text: str) -> None:
    from xuncha_kb.workflow.load import load_definition_text

    try:
        wf = load_definition_text(text, "def.md")
    except WorkflowError as exc:
        assert exc.exit_code == 2 and exc.message
        return
    assert wf.stages


@FEW
@given(st.one_of(wf_text, wb_text), st.sampled_from([".md", ".edn", ".json"]))
def test_workflow_extractor_raises_only_project_errors(text: str, suffix: str) -> None:
    from xuncha_kb.workflow.extract import extract_file

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"input{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            ex = extract_file(path)
        except XunchaError as exc:
            assert exc.exit_code in (2, 3) and exc.message
            return
        ex.as_dict()


# --- the whole pipeline on a fuzzed page ---------------------------------------------------------

PAGE_TOKENS = [
    "- ", "\t", "  ", "TODO ", "DONE ", "DOING ", "LATER ", "CANCELED ", "[#A] ", "## ", "\n",
    "巡察:: [[巡察/2026年第一轮/某某集团有限公司]]", "活动:: prep.01", "活动:: know.07", "活动:: nope.9",
    "type:: [[问题底稿]]", "type:: [[巡察]]", "type:: [[巡察情况报告]]", "状态:: 已定稿", "状态::",
    "编号:: 001",
    "问题概要:: 1、甲；2、乙", "sensitive:: true", "密级:: 内部", "移交对象:: 纪检部", "移交状态:: 已移交",
    "整改状态:: 已完成", "整改时限:: 2026-13-01", "整改时限:: 2026-04-01", "底稿:: [[巡察/x/底稿/001]]",
    "DEADLINE: <2026-02-30 Mon>", "SCHEDULED: <2026-03-05 Thu>", "DEADLINE: <2026-03-20 Fri>",
    "进驻日:: 2026-03-02", "反馈意见签收日:: 2026-02-30", "组长:: [[张三]]", "人员:: 张三, 李四",
    "template:: x", "id:: 6f2a0c1e-5b9e-4c1a-9d3e-0a1b2c3d4e5f", "((6f2a0c1e-5b9e-4c1a-9d3e-0a1b2c3d4e5f))",
    "问题一", "#问题", "[[", "]]", "```", "\x00", "\ufffd", "x", "巡察",
]
page_lines = st.lists(st.lists(st.sampled_from(PAGE_TOKENS), max_size=5).map("".join), max_size=30)
page_text = page_lines.map("\n".join)
PAGE_NAMES = [
    "pages/巡察___2026年第一轮___某某集团有限公司___fuzz.md",
    "pages/巡察___2026年第一轮___某某集团有限公司___谈话记录___fuzz.md",
    "pages/巡察___2026年第一轮___某某集团有限公司___底稿___099.md",
    "pages/巡察___2026年第一轮___某某集团有限公司.md",  # the overview itself, replaced
    "journals/2026_03_09.md",
]


@pytest.fixture(scope="module")
def example():
    from xuncha_kb.fs.scan import load_graph

    return load_graph(EXAMPLE_GRAPH)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_text, st.sampled_from(PAGE_NAMES))
def test_report_pipeline_never_raises(example, text: str, rel: str) -> None:
    import dataclasses

    from xuncha_kb.fs.scan import page_from_text
    from xuncha_kb.report import render
    from xuncha_kb.track.progress import compute_progress
    from xuncha_kb.track.redact import redact_names
    from xuncha_kb.workflow.load import default_workflow

    kind = "journal" if rel.startswith("journals/") else "page"
    page, diags = page_from_text(text, rel, kind, example.config)
    _diags_ok(diags)
    graph = dataclasses.replace(example, pages=(*(p for p in example.pages if p.file != rel), page))
    progress = compute_progress(graph, default_workflow(), dt.date(2026, 3, 10))
    for fmt in ("text", "md", "json", "html"):
        assert render(progress, fmt)
    assert render(redact_names(progress), "json")


@FEW
@given(page_text, st.sampled_from(PAGE_NAMES[:4]))
def test_close_out_planner_never_raises(example, text: str, rel: str) -> None:
    import dataclasses

    from xuncha_kb.commands import closeout_archive, closeout_checks, closeout_record
    from xuncha_kb.fs.scan import page_from_text

    page, _ = page_from_text(text, rel, "page", example.config)
    graph = dataclasses.replace(example, pages=(*(p for p in example.pages if p.file != rel), page))
    try:
        ref = closeout_checks.pick_inspection(graph, "某某集团有限公司")
    except XunchaError:
        return  # the fuzzed overview is no longer an inspection: a clean "not found"
    pages = closeout_checks.owned_pages(graph, ref)
    drafts = closeout_checks.check_drafts(pages)
    assert all(d.closed == (d.final and not d.missing) for d in drafts)
    closeout_record.render_record(ref, dt.date(2026, 5, 1), drafts, [], 0, None, 0, False, False)
    data, n = closeout_archive.withhold_sensitive_blocks(text.encode("utf-8", "surrogatepass"), rel)
    assert isinstance(data, bytes) and n >= 0


# --- sync's three-way merge never loses a user edit -------------------------------------------

@pytest.fixture(scope="module")
def scaffold_pair():
    from xuncha_kb.generate.facts import make_facts
    from xuncha_kb.generate.inspection import scaffold_inspection
    from xuncha_kb.workflow.load import default_workflow

    wf = default_workflow()
    before = scaffold_inspection(wf, make_facts("甲公司", "2026年第一轮", entry="2026-05-06"))
    after = scaffold_inspection(wf, make_facts("甲公司", "2026年第一轮", entry="2026-05-13"))
    pairs = []
    for f in before.files:
        g = next(x for x in after.files if x.path == f.path)
        if f.kind in ("stage", "overview", "list", "ledger"):
            pairs.append((f, g))
    return before.inspection, pairs


@st.composite
def user_edits(draw, n_pages: int):
    i = draw(st.integers(0, n_pages - 1))
    kinds = st.sampled_from(["note", "child", "done", "retitle", "prop", "deadline"])
    ops = draw(st.lists(st.tuples(kinds, st.integers(0, 10_000)), max_size=8))
    return i, ops


def _edit(text: str, ops: list[tuple[str, int]]) -> tuple[str, list[str], int]:
    lines = text.rstrip("\n").split("\n")
    notes: list[str] = []
    starts = lambda: [k for k, ln in enumerate(lines) if ln.startswith("- ")]  # noqa: E731
    for n, (op, r) in enumerate(ops):
        s = starts()
        if op == "note":
            at = s[r % len(s)] if s and r % 3 else len(lines)
            lines.insert(at, f"- 用户笔记N{n}X")
            notes.append(f"用户笔记N{n}X")
        elif op == "child" and s:
            at = s[r % len(s)]
            if at > 0:
                lines.insert(at, f"\t- 子笔记N{n}X")
                notes.append(f"子笔记N{n}X")
        elif op == "done":
            todo = [k for k, ln in enumerate(lines) if ln.startswith(("- TODO ", "\t- TODO "))]
            if todo:
                k = todo[r % len(todo)]
                lines[k] = lines[k].replace("TODO ", "DONE ", 1)
        elif op == "retitle":
            tasks = [k for k, ln in enumerate(lines) if ln.startswith(("- TODO ", "- DONE "))]
            if tasks:
                k = tasks[r % len(tasks)]
                lines[k] += f"（用户改N{n}X）"
                notes.append(f"用户改N{n}X")
        elif op == "prop":
            props = [k for k, ln in enumerate(lines) if ln.startswith("  责任:: ")]
            if props:
                k = props[r % len(props)]
                lines[k] += f"、用户加N{n}X"
                notes.append(f"用户加N{n}X")
        elif op == "deadline":  # the user sets a date by hand
            heads = [k for k, ln in enumerate(lines) if ln.startswith("- TODO ")]
            if heads:
                k = heads[r % len(heads)]
                lines.insert(k + 1, "  SCHEDULED: <2026-06-0" + str(1 + r % 9) + ">")
                notes.append("SCHEDULED: <2026-06-0" + str(1 + r % 9) + ">")
    out = "\n".join(lines) + "\n"
    return out, notes, sum(1 for ln in lines if ln.lstrip("\t").startswith("- DONE "))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_sync_merge_never_loses_a_user_edit(scaffold_pair, data) -> None:
    from xuncha_kb.generate.merge import sync_page

    inspection, pairs = scaffold_pair
    i, ops = data.draw(user_edits(len(pairs)))
    base, ours = pairs[i]
    theirs, notes, done = _edit(base.content, ops)
    result = sync_page(base.path, theirs, ours.content, base_blocks=base.blocks, ours_blocks=ours.blocks,
                       removed_keys=(), elsewhere=(), today=dt.date(2026, 5, 1), inspection=inspection,
                       kind=base.kind)
    merged = result.content if result.content is not None else theirs
    for note in notes:
        assert note in merged, f"user text {note} lost in {base.path}"
    assert sum(1 for ln in merged.split("\n") if ln.lstrip("\t").startswith("- DONE ")) >= done
