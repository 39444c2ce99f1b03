"""The pure generator: what pages an inspection gets, and that they read back as intended."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.test_scaffold_support import small_workflow
from xuncha_kb.commands.scaffold import check_generated
from xuncha_kb.errors import InputError
from xuncha_kb.generate.annual import scaffold_annual_plan
from xuncha_kb.generate.facts import check_name, make_facts
from xuncha_kb.generate.inspection import scaffold_inspection
from xuncha_kb.generate.pages import activity_uuid
from xuncha_kb.logseq.page import parse_text
from xuncha_kb.logseq.whiteboard import parse_whiteboard
from xuncha_kb.model import Block, GraphConfig
from xuncha_kb.track import conventions as cv

TRI = GraphConfig(name_format="triple-lowbar", preferred_workflow="todo")
I = "巡察/2026年第一轮/某某集团有限公司"  # noqa: E741


def _facts(**kw: object):
    base = {"leader": "张三", "members": "李四，王五", "entry": "2026-03-02"}
    base.update(kw)
    return make_facts("某某集团有限公司", "2026年第一轮", **base)  # type: ignore[arg-type]


def _blocks(text: str, file: str = "pages/x.md") -> list[Block]:
    parsed = parse_text(text, file)
    assert parsed.diagnostics == ()
    return [b for top in parsed.blocks for b in top.walk() if not b.pre_block]


def _page(sc, title):
    f = sc.file(title)
    assert f is not None, title
    return f, parse_text(f.content, f.path)


def test_files_of_an_inspection() -> None:
    sc = scaffold_inspection(small_workflow(), _facts(), TRI)
    titles = [f.title for f in sc.files]
    assert titles == [I, f"{I}/巡察准备", f"{I}/巡察整改", f"{I}/问题清单", f"{I}/提问清单", f"{I}/谈话提纲",
                      f"{I}/问题底稿台账", f"{I}/移交台账", f"{I}/整改台账", f"{I}/流程总览"]
    assert sc.file(I).path == "pages/巡察___2026年第一轮___某某集团有限公司.md"  # type: ignore[union-attr]
    assert sc.files[-1].path == "whiteboards/巡察___2026年第一轮___某某集团有限公司___流程总览.edn"
    assert sc.activity_count == 6  # annual stage excluded
    assert check_generated(sc, TRI) == []


def test_legacy_name_format_follows_config() -> None:
    sc = scaffold_inspection(small_workflow(), _facts(), GraphConfig())
    assert sc.files[0].path == "pages/巡察%2F2026年第一轮%2F某某集团有限公司.md"


def test_overview_properties_and_queries() -> None:
    _, parsed = _page(scaffold_inspection(small_workflow(), _facts(), TRI), I)
    props = dict(parsed.properties)
    assert props["type"] == "[[巡察]]"
    assert props["被巡察单位"] == "[[某某集团有限公司]]"
    assert props["组员"] == "[[李四]], [[王五]]"
    assert props["进驻日"] == "2026-03-02"
    assert props["反馈意见签收日"] == ""  # unknown at scaffold time, but visible
    assert "年度计划发布日" not in props  # annual milestones live on the plan page
    macros = [b.content for top in parsed.blocks for b in top.walk() if "query" in b.macros]
    assert f"{{{{query (and [[{I}]] (task TODO DOING NOW LATER WAITING))}}}}" in macros
    stage_links = [b for top in parsed.blocks for b in top.walk() if f"{I}/巡察准备" in b.refs]
    assert stage_links


def test_tasks_carry_ids_deps_and_deadlines() -> None:
    sc = scaffold_inspection(small_workflow(), _facts(), TRI)
    f, parsed = _page(sc, f"{I}/巡察准备")
    assert dict(parsed.properties)["阶段"] == "prep"
    tasks = [b for b in _blocks(f.content) if cv.P_ACTIVITY in b.properties]
    assert [(t.marker, t.title, t.properties["活动"]) for t in tasks] == [
        ("TODO", "制定巡察工作方案", "prep.01"),
        ("TODO", "熟悉被巡察单位提交资料并形成三项清单", "prep.02"),
        ("TODO", "巡察进驻", "prep.03"),
    ]
    first, second, third = tasks
    assert first.deadline is not None and first.deadline.date == dt.date(2026, 2, 20)  # 进驻日 - 10 days
    assert first.properties["期限规则"].startswith("进驻日 10天前")
    assert first.properties["责任"] == "[[巡察办]]"
    assert first.properties["产出"] == f"[[{I}/巡察工作方案]]"
    assert first.properties["前置"] == "[[巡察/2026年度计划]]"  # annual dependency → the year's plan
    assert first.uuid == activity_uuid(I, "prep.01")
    assert second.properties["前置"] == f"(({first.uuid}))"
    # 谈话人名单 and 谈话提纲 are one page: linked once
    assert second.properties["产出"].count(f"{I}/谈话提纲") == 1
    assert [c.marker for c in second.children] == ["TODO"] * 3
    assert all("活动" not in c.properties for c in second.children)
    assert "进驻日" in third.properties["里程碑"]


def test_unknown_anchor_gives_note_not_deadline() -> None:
    f, _ = _page(scaffold_inspection(small_workflow(), _facts(), TRI), f"{I}/巡察整改")
    report = next(b for b in _blocks(f.content) if b.properties.get("活动") == "rect.02")
    assert report.deadline is None
    assert "反馈意见签收日 3个月后（硬性期限）" in report.properties["期限规则"]
    assert "尚未填写" in report.properties["期限规则"]
    petitions = next(b for b in _blocks(f.content) if b.properties.get("活动") == "rect.03")
    assert petitions.properties["sensitive"] == "true"


def test_without_entry_date_no_deadline_at_all() -> None:
    sc = scaffold_inspection(small_workflow(), _facts(entry=None), TRI)
    assert "DEADLINE:" not in "".join(f.content for f in sc.files)


def test_templates_have_no_tasks_and_sensitive_page_is_marked() -> None:
    sc = scaffold_inspection(small_workflow(), _facts(), TRI)
    for title in (f"{I}/问题底稿台账", f"{I}/移交台账", f"{I}/整改台账", f"{I}/谈话提纲"):
        f, _ = _page(sc, title)
        tmpl = [b for b in _blocks(f.content) if "template" in b.properties]
        assert len(tmpl) == 1, title
        assert tmpl[0].properties["template-including-parent"] == "false"
        assert all(b.marker is None for b in tmpl[0].walk())
    f, _ = _page(sc, f"{I}/问题底稿台账")
    body = next(b for b in _blocks(f.content) if b.properties.get("type") == "[[问题底稿]]")
    for key in (*cv.DRAFT_REQUIRED, *cv.DRAFT_SIGNOFF):
        assert key in body.properties
    assert body.properties["状态"] == "起草"
    _, interview = _page(sc, f"{I}/谈话提纲")
    assert interview.properties["sensitive"] == "true" and interview.properties["密级"] == "内部"


def test_deterministic_and_distinct_per_unit() -> None:
    a = scaffold_inspection(small_workflow(), _facts(), TRI)
    b = scaffold_inspection(small_workflow(), _facts(), TRI)
    assert a == b
    other = scaffold_inspection(small_workflow(), make_facts("另一家公司", "2026年第一轮"), TRI)
    assert not {f.path for f in a.files} & {f.path for f in other.files}
    ids_a = {k for f in a.files for k in f.blocks if not k.startswith("generated:")}
    ids_b = {k for f in other.files for k in f.blocks if not k.startswith("generated:")}
    assert len(ids_a) == 6 and not ids_a & ids_b


def test_whiteboard_has_a_box_per_stage_and_ordered_arrows() -> None:
    sc = scaffold_inspection(small_workflow(), _facts(), TRI)
    f = sc.files[-1]
    board, diags = parse_whiteboard(f.content, f.path, TRI)
    assert diags == []
    assert board.name == f"{I}/流程总览"
    boxes = [s for s in board.shapes if s.type == "box"]
    assert [s.label.split("\n")[0] for s in boxes if s.label] == ["1. 巡察准备", "2. 巡察整改"]
    assert [(c.from_id, c.to_id) for c in board.connectors] == [(boxes[0].id, boxes[1].id)]


def test_whiteboard_parses_with_edn_format_too() -> None:
    edn_format = pytest.importorskip("edn_format")
    sc = scaffold_inspection(small_workflow(), _facts(), TRI)
    data = edn_format.loads(sc.files[-1].content)
    assert len(data[edn_format.Keyword("pages")]) == 1


def test_annual_plan() -> None:
    sc = scaffold_annual_plan(small_workflow(), 2026, TRI)
    (f,) = sc.files
    assert f.title == "巡察/2026年度计划" and sc.activity_count == 1
    parsed = parse_text(f.content, f.path)
    assert parsed.diagnostics == () and parsed.properties["年度"] == "2026"
    task = next(b for b in _blocks(f.content) if "活动" in b.properties)
    assert task.marker == "TODO" and "巡察" not in task.properties
    assert task.properties["年度计划"] == "[[巡察/2026年度计划]]"
    assert check_generated(sc, TRI) == []


@pytest.mark.parametrize("unit", ["", "   ", "../../etc", "a/b", "a\nb", "名[[称", "{{x}}", "..", "a::b",
                                  "x\\y", "\x00"])
def test_hostile_unit_names_refused(unit: str) -> None:
    with pytest.raises(InputError) as info:
        make_facts(unit, "2026年第一轮")
    assert info.value.exit_code == 2 and "--unit" in (info.value.hint or "")


def test_reserved_file_characters_are_encoded_not_refused() -> None:
    sc = scaffold_inspection(small_workflow(), make_facts("某公司:分公司?", "2026年第一轮"), TRI)
    assert sc.files[0].path == "pages/巡察___2026年第一轮___某公司%3A分公司%3F.md"


def test_overlong_name_refused() -> None:
    with pytest.raises(InputError):
        scaffold_inspection(small_workflow(), make_facts("很长的单位名称" * 12, "2026年第一轮"), TRI)


@pytest.mark.parametrize(("entry", "exit_"), [("2026-13-01", None), ("2026/03/02", None), ("明天", None),
                                              ("2026-03-02", "2026-03-01")])
def test_bad_dates_refused(entry: str, exit_: str | None) -> None:
    with pytest.raises(InputError):
        make_facts("某公司", "2026年第一轮", entry=entry, exit=exit_)


def test_check_name_trims() -> None:
    assert check_name("  某公司 ", "被巡察单位", "--unit") == "某公司"


def test_configured_folders_are_used() -> None:
    cfg = GraphConfig(name_format="triple-lowbar", pages_dir="notes", whiteboards_dir="boards")
    sc = scaffold_inspection(small_workflow(), _facts(), cfg)
    assert sc.files[0].path == "notes/巡察___2026年第一轮___某某集团有限公司.md"
    assert sc.files[-1].path.startswith("boards/")


def test_names_are_nfc_normalised() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Café公司")
    assert decomposed != "Café公司"
    assert make_facts(decomposed, "2026年第一轮").unit == "Café公司"
