"""sync's pure parts: page layout, the per-block three-way merge, whiteboard stage boxes."""

from __future__ import annotations

import datetime as dt

from xuncha_kb.commands.sync_whiteboard import StageLook, refresh_whiteboard
from xuncha_kb.generate.merge import P_REMOVED, layout, sync_page, text_hash

TODAY = dt.date(2026, 3, 1)


def task(aid: str, title: str, marker: str = "TODO", extra: str = "", deadline: str = "") -> str:
    dl = f"  DEADLINE: {deadline}\n" if deadline else ""
    return f"- {marker} {title}\n{dl}  活动:: {aid}\n  id:: id-{aid}\n{extra}"


HEAD = "- ## 阶段说明\n  xuncha-generated:: intro\n\t- 共 2 项活动\n"


def base_of(text: str) -> dict[str, str]:
    lay = layout(text, "p.md")
    return {tb.key: text_hash(lay.lines[tb.start:tb.end]) for tb in lay.blocks if tb.key}


def run(theirs: str, ours: str, base: dict[str, str], removed: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    res = sync_page("p.md", theirs, ours, base_blocks=base, ours_blocks=base_of(ours), removed_keys=removed,
                    elsewhere=(), today=TODAY, inspection="I", kind="stage")
    return (res.content if res.content is not None else theirs), [f"{n.action}:{n.key}" for n in res.notes]


def test_layout_finds_top_level_blocks_and_keys() -> None:
    text = "type:: x\n\n" + HEAD + task("a.1", "甲") + "- 用户块\n"
    lay = layout(text, "p.md")
    assert lay.pre == (0, 2)
    assert [tb.key for tb in lay.blocks] == ["generated:intro", "id-a.1", None]
    assert lay.lines[lay.blocks[1].start] == "- TODO 甲"


def test_untouched_task_takes_ours() -> None:
    gen = task("a.1", "甲")
    new, notes = run(gen, task("a.1", "甲（新名）", deadline="<2026-03-05 Thu>"), base_of(gen))
    assert new == task("a.1", "甲（新名）", deadline="<2026-03-05 Thu>")
    assert notes == ["updated:id-a.1"]


def test_user_owned_parts_survive_an_update() -> None:
    gen = task("a.1", "甲")
    user = ("- DOING [#A] 甲\n  SCHEDULED: <2026-02-01 Sun>\n  :LOGBOOK:\n  CLOCK: [2026-02-01 Sun 09:00]\n"
            "  :END:\n  活动:: a.1\n  备注:: 我的\n  id:: id-a.1\n  正文一行\n\t- 笔记\n\t\t- 更深的笔记\n")
    new, notes = run(user, task("a.1", "甲二", deadline="<2026-03-05 Thu>"), base_of(gen))
    assert notes == ["updated:id-a.1"]
    assert new.startswith("- DOING [#A] 甲二\n  SCHEDULED: <2026-02-01 Sun>\n  DEADLINE: <2026-03-05 Thu>\n")
    for line in user.splitlines()[1:]:
        if not line.startswith(("  活动::", "  id::")):
            assert line in new.splitlines(), line


def test_edited_generated_line_is_a_conflict_left_byte_for_byte() -> None:
    gen = task("a.1", "甲")
    user = gen.replace("- TODO 甲", "- TODO 甲（我改的标题）")
    new, notes = run(user, task("a.1", "甲二"), base_of(gen))
    assert new == user and notes == ["conflict:id-a.1"]


def test_heading_replaced_when_untouched_and_keeps_collapsed() -> None:
    ours = HEAD.replace("共 2 项", "共 3 项")
    user = HEAD.replace("xuncha-generated:: intro\n", "xuncha-generated:: intro\n  collapsed:: true\n")
    new, notes = run(user, ours, base_of(HEAD))
    assert new == ours.replace("xuncha-generated:: intro\n", "xuncha-generated:: intro\n  collapsed:: true\n")
    assert notes == ["updated:generated:intro"]


def test_heading_with_a_user_child_is_a_conflict() -> None:
    user = HEAD + "\t- 我加的说明\n"
    new, notes = run(user, HEAD.replace("共 2 项", "共 3 项"), base_of(HEAD))
    assert new == user and notes == ["conflict:generated:intro"]


def test_new_block_goes_after_its_predecessor() -> None:
    gen = task("a.1", "甲") + task("a.3", "丙")
    user = gen + "- 用户块\n"
    ours = task("a.1", "甲") + task("a.2", "乙") + task("a.3", "丙")
    new, notes = run(user, ours, base_of(gen))
    assert notes == ["added:id-a.2"]
    assert new == task("a.1", "甲") + task("a.2", "乙") + task("a.3", "丙") + "- 用户块\n"


def test_removed_activity_deleted_if_untouched_else_marked_once() -> None:
    gen = task("a.1", "甲") + task("a.2", "乙")
    ours = task("a.1", "甲")
    new, notes = run(gen, ours, base_of(gen), removed=("id-a.2",))
    assert new == ours and notes == ["removed:id-a.2"]
    touched = task("a.1", "甲") + task("a.2", "乙", marker="DONE", extra="\t- 笔记\n")
    new, notes = run(touched, ours, base_of(gen), removed=("id-a.2",))
    assert notes == ["marked:id-a.2"]
    assert f"  {P_REMOVED}::" in new and "\t- 笔记\n" in new and "- DONE 乙\n" in new
    again, notes2 = run(new, ours, base_of(gen), removed=("id-a.2",))
    assert again == new and notes2 == []


def test_missing_generated_page_property_is_appended() -> None:
    gen = "type:: x\n进驻日:: 2026-03-02\n\n" + task("a.1", "甲")
    ours = "type:: x\n进驻日:: 2026-03-02\n反馈意见签收日::\n\n" + task("a.1", "甲")
    user = gen.replace("2026-03-02", "2026-03-09")
    new, _ = run(user, ours, base_of(gen))
    assert new.startswith("type:: x\n进驻日:: 2026-03-09\n反馈意见签收日::\n\n")


WB = """{:blocks ({:block/properties {:ls-type :whiteboard-shape
:logseq.tldraw.shape {:id "b1"
:type "box"
:fill ""
:stroke ""
:label "1. 巡察准备\\n13 项活动"
:refs ["I/巡察准备"]}}}
{:block/properties {:ls-type :whiteboard-shape
:logseq.tldraw.shape {:id "b2"
:type "box"
:fill ""
:stroke ""
:label "我的说明"
:refs ["I/巡察了解"]}}})
:pages ({:block/uuid #uuid "6a1f0c2e-0001-4e52-a830-bcae64a66a0d" :block/name "i/流程总览"})}
"""


def test_whiteboard_boxes_get_state_and_user_labels_stay() -> None:
    looks = [StageLook("I/巡察准备", 1, "巡察准备", "1. 巡察准备\n13/13 已完成", "green"),
             StageLook("I/巡察了解", 2, "巡察了解", "2. 巡察了解\n0/10 未开始", "")]
    new, notes = refresh_whiteboard(WB, "whiteboards/x.edn", looks)
    assert ':label "1. 巡察准备\\n13/13 已完成"' in new and new.count(':fill "green"') == 1
    assert ':label "我的说明"' in new
    assert notes and "巡察了解" in notes[0]
    # nothing else moved
    assert new.replace('"1. 巡察准备\\n13/13 已完成"', '"1. 巡察准备\\n13 项活动"').replace(
        ':fill "green"\n:stroke "green"', ':fill ""\n:stroke ""') == WB


def test_labels_on_sensitive_pages_are_never_printed() -> None:
    from xuncha_kb.generate.sync_plan import BlockNote, FileResult, SyncPlan

    path = "pages/巡察___2026年第一轮___某某公司___谈话提纲.md"
    note = BlockNote("conflict", path, "generated:x", "张某反映的问题", "生成的内容被用户修改过")
    plan = SyncPlan((FileResult(path, None, "h", {}, "I", "list", (note,)),))
    assert "张某" not in plan.render()
    assert "张某" not in str(plan.as_dict())


def test_notes_quote_no_sensitive_block_reference_or_page() -> None:
    """A label read from disk is the placeholder when the block or its page is sensitive or when
    it refers to a sensitive page; the path of a sensitive page the user made is not printed."""
    from xuncha_kb.generate.sync_plan import SyncPlan
    from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER

    secret = "  sensitive:: true\n"
    ours = task("a.1", "甲") + task("a.2", "乙") + task("a.3", "丙") + task("a.4", "丁", extra=secret)
    theirs = (task("a.1", "甲 改过 PUBLIC") + task("a.2", "乙 见 [[巡察/某/信访/NAME1]]")
              + task("a.3", "丙 NAME2 #线索") + task("a.4", "丁 NAME3", extra=secret))
    base = base_of(ours)

    def notes(path: str, text: str, kind: str = "stage") -> SyncPlan:
        res = sync_page(path, text, ours, base_blocks=base, ours_blocks=base, removed_keys=(), elsewhere=(),
                        today=TODAY, inspection="I", kind=kind)
        return SyncPlan((res,))

    plan = notes("pages/p.md", theirs)
    shown = plan.render() + str(plan.as_dict())
    assert [n.action for n in plan.conflicts] == ["conflict"] * 4
    assert "PUBLIC" in shown  # an ordinary edited title is still named
    assert not any(m in shown for m in ("NAME1", "NAME2", "NAME3"))
    assert [n.label for n in plan.conflicts][1:] == [SENSITIVE_PLACEHOLDER] * 3
    # a page the user made, sensitive by its page properties: neither its path nor a label
    plan = notes("pages/某人NAME4.md", "密级:: 秘密\n\n" + theirs, kind="page")
    shown = plan.render() + str(plan.as_dict())
    assert "NAME4" not in shown and "PUBLIC" not in shown
