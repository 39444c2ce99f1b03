"""Progress computed from model graphs: statuses, stages, deadlines, order, artifacts, diagnostics."""

from __future__ import annotations

import datetime as dt

from tests.test_progress_helpers import INSP, INSP2, blk, graph, mini_workflow, overview, page, task
from xuncha_kb.track.deadlines import Thresholds
from xuncha_kb.track.progress import compute_progress
from xuncha_kb.track.progress_model import Progress

TODAY = dt.date(2026, 7, 25)


def run(*pages, today: dt.date = TODAY, **kw) -> Progress:  # type: ignore[no-untyped-def]
    return compute_progress(graph(*pages), mini_workflow(), today, **kw)


def stage_page(*blocks):  # type: ignore[no-untyped-def]
    return page(f"{INSP}/巡察准备", *blocks, props={"type": "[[巡察阶段]]", "巡察": f"[[{INSP}]]"})


def test_finds_inspection_and_reads_facts() -> None:
    p = run(overview())
    [i] = p.inspections
    assert (i.name, i.unit, i.round, i.year) == (INSP, "某某集团有限公司", "2026年第一轮", "2026")
    assert i.leader == ("张三",) and i.members == ("李四", "王五")
    assert [s.id for s in i.stages] == ["prep", "fb"]  # the annual stage is not per inspection
    assert all(s.status == "not_started" for s in i.stages)
    assert i.current_stage is not None and i.current_stage.id == "prep"


def test_markers_give_status_and_stage_rollup() -> None:
    p = run(overview(), stage_page(task("prep.01", "DONE"), task("prep.02", "NOW"),
                                   task("prep.03", "CANCELED")))
    i = p.inspections[0]
    prep = i.stages[0]
    assert [a.status for a in prep.activities] == ["done", "in_progress", "cancelled"]
    assert (prep.done, prep.total, prep.cancelled, prep.percent, prep.status) == (1, 2, 1, 50, "in_progress")
    p = run(overview(), stage_page(task("prep.01", "DONE"), task("prep.02", "DONE"),
                                   task("prep.03", "CANCELED")))
    prep = p.inspections[0].stages[0]
    assert (prep.done, prep.total, prep.percent, prep.status) == (2, 2, 100, "done")
    assert p.inspections[0].current_stage.id == "fb"  # type: ignore[union-attr]
    p = run(overview(), stage_page(task("prep.01", "WAITING"), task("prep.02", "LATER")))
    statuses = [a.status for a in p.inspections[0].stages[0].activities]
    assert statuses == ["waiting", "not_started", "not_started"]
    assert p.inspections[0].stages[0].status == "in_progress"


def test_tasks_found_wherever_moved_with_notes_and_never_in_templates() -> None:
    journal = page("2026_03_05", blk("今天的笔记", task("prep.01", "DONE", "改过标题的方案任务", INSP,
                                                        blk("用户补充的说明"))), kind="journal")
    templates = page("模板", blk("巡察任务模板", task("prep.02", "DONE"), props={"template": "巡察任务"}))
    p = run(overview(), journal, templates)
    acts = {a.id: a for a in p.inspections[0].activities}
    assert acts["prep.01"].status == "done" and acts["prep.01"].found
    assert acts["prep.01"].span is not None and acts["prep.01"].span.file.startswith("journals/")
    assert acts["prep.02"].status == "not_started" and not acts["prep.02"].found


def test_block_without_inspection_property_uses_namespace_or_sole_inspection() -> None:
    p = run(overview(), stage_page(task("prep.01", "DONE", insp=None)))
    assert p.inspections[0].stages[0].done == 1
    # two inspections: a task with no 巡察:: on a neutral page is a diagnostic, not a guess
    p = run(overview(), overview(INSP2), page("杂项", task("prep.01", "DONE", insp=None)))
    assert all(i.stages[0].done == 0 for i in p.inspections)
    assert [x.kind for x in p.issues] == ["no_inspection"]


def test_two_inspections_and_portfolio_rounds() -> None:
    p = run(overview(), overview(INSP2, 轮次="[[2026年第二轮]]"),
            page("杂项", task("prep.01", "DONE", insp=INSP2), task("prep.01", "TODO", insp=INSP)))
    by_name = {i.name: i for i in p.inspections}
    assert by_name[INSP2].stages[0].done == 1
    assert by_name[INSP].stages[0].done == 0
    assert [r for r, _ in p.rounds] == ["2026年第一轮", "2026年第二轮"]
    only = compute_progress(graph(overview(), overview(INSP2)), mini_workflow(), TODAY, only="某某物流公司")
    assert [i.unit for i in only.inspections] == ["某某物流公司"]


def test_rule_deadline_from_milestone_and_colours() -> None:
    ov = overview(反馈意见签收日="2026-05-10")
    for today, colour, left in [(dt.date(2026, 7, 1), "green", 40), (dt.date(2026, 7, 25), "yellow", 16),
                                (dt.date(2026, 8, 5), "red", 5), (dt.date(2026, 8, 20), "red", -10)]:
        i = run(ov, today=today).inspections[0]
        d = next(d for d in i.deadlines if d.activity_id == "fb.03")
        assert d.due == dt.date(2026, 8, 10)
        assert (d.colour, d.days_left, d.source) == (colour, left, "rule")
        assert d.rule == "反馈意见签收日3个月后"
        assert (d in i.overdue) == (left < 0)
        assert (d in i.due_soon) == (0 <= left < 20)


def test_missing_anchor_is_pending_and_explicit_deadline_wins() -> None:
    i = run(overview()).inspections[0]
    assert ("fb.03", "报送整改情况报告", "待填写反馈意见签收日") in i.pending_deadlines
    assert not any(d.activity_id == "fb.03" for d in i.deadlines)
    ov = overview(反馈意见签收日="2026-05-10")
    explicit = page("x", blk("整改报告", marker="TODO", props={"活动": "fb.03", "巡察": f"[[{INSP}]]"},
                             deadline=dt.date(2026, 7, 30)))
    d = next(d for d in run(ov, explicit).inspections[0].deadlines if d.activity_id == "fb.03")
    assert (d.due, d.source, d.days_left, d.colour) == (dt.date(2026, 7, 30), "explicit", 5, "red")


def test_done_activities_are_never_overdue_and_thresholds_apply() -> None:
    ov = overview(反馈意见签收日="2026-05-10")
    i = run(ov, page("x", task("fb.03", "DONE")), today=dt.date(2026, 9, 1)).inspections[0]
    assert not any(d.activity_id == "fb.03" for d in i.overdue)
    i = run(ov, today=dt.date(2026, 7, 20), thresholds=Thresholds(yellow_days=30, red_days=25)).inspections[0]
    d = next(d for d in i.deadlines if d.activity_id == "fb.03")
    assert (d.days_left, d.colour) == (21, "red")
    assert d in i.due_soon


def test_order_problem_when_done_before_prerequisite() -> None:
    i = run(overview(), stage_page(task("prep.01", "TODO"), task("prep.02", "DONE"))).inspections[0]
    [op] = i.order_problems
    assert op.activity_id == "prep.02"
    assert op.blocking == (("prep.01", "制定巡察工作方案", "not_started"),)
    # dependency on an annual activity (plan.01) is not an order problem; cancelled prerequisites are fine
    i = run(overview(), stage_page(task("prep.01", "CANCELED"), task("prep.02", "DONE"))).inspections[0]
    assert i.order_problems == ()


def test_missing_and_empty_artifacts() -> None:
    done = stage_page(task("prep.01", "DONE"))
    i = run(overview(), done).inspections[0]
    [m] = i.missing_artifacts
    assert (m.activity_id, m.artifact, m.reason) == ("prep.01", "巡察工作方案", "missing")
    assert m.page == f"{INSP}/巡察工作方案"
    empty = page(f"{INSP}/巡察工作方案", blk("", props={"xuncha-generated": "artifact"}),
                 props={"巡察": f"[[{INSP}]]"})
    [m] = run(overview(), done, empty).inspections[0].missing_artifacts
    assert m.reason == "empty"
    full = page(f"{INSP}/巡察工作方案", blk("一、总体要求：……"))
    assert run(overview(), done, full).inspections[0].missing_artifacts == ()
    # 产出:: on the task wins over the workflow's artifact names
    linked = stage_page(task("prep.01", "DONE", None, INSP, 产出="[[另存的方案]]"))
    [m] = run(overview(), linked).inspections[0].missing_artifacts
    assert m.page == "另存的方案"


def test_unknown_and_duplicate_activity_ids() -> None:
    i = run(overview(), stage_page(task("prep.99", "TODO"), task("prep.01", "DONE"), task("prep.01", "TODO"))
            ).inspections[0]
    kinds = sorted(x.kind for x in i.issues)
    assert kinds == ["duplicate_activity", "unknown_activity"]
    assert i.stages[0].activities[0].status == "done"  # the first one counts
    dup = next(x for x in i.issues if x.kind == "duplicate_activity")
    assert "prep.01" in dup.message and "2 次" in dup.message


def test_sensitive_task_counts_but_has_no_location() -> None:
    talk = page(f"{INSP}/谈话记录/张某", task("fb.01", "DONE"))
    flagged = page("笔记", blk("内部", task("prep.01", "DONE"), props={"sensitive": "true"}))
    i = run(overview(), talk, flagged).inspections[0]
    acts = {a.id: a for a in i.activities}
    assert acts["fb.01"].status == "done" and acts["fb.01"].span is None and acts["fb.01"].sensitive
    assert acts["prep.01"].status == "done" and acts["prep.01"].span is None
    assert i.sensitive_pages == 1
    # the 谈话 artifact page is never named
    assert all("谈话" not in m.page for m in i.missing_artifacts)
