"""Workflow + inspection facts → the pages of a new inspection (pure: no disk access).

``scaffold_inspection`` returns a ``Scaffold``: every file of one inspection as graph-relative
path + full text + manifest metadata.  ``fs.apply.plan_writes`` turns it into a plan and
``fs.apply.apply`` writes it.  This module builds the overview and the stage pages; the lists
and ledgers come from ``lists``, the parts they share from ``pages``, the validated facts from
``facts``, and the yearly 巡察计划 page from ``annual``.

Generated for inspection ``I = 巡察/<轮次>/<被巡察单位>`` (names in ``conventions``):

* ``I`` — overview: facts and milestone dates as page properties, links to every stage page,
  the deadlines the workflow defines, and simple queries (open / done tasks) so progress is
  visible in Logseq without xuncha-kb;
* ``I/<阶段>`` — one page per per-inspection stage; each activity a ``TODO`` block with
  ``活动::``, ``巡察::``, ``责任::``, ``产出::``, ``前置:: ((uuid))``, ``期限::`` and a
  deterministic ``id::`` (uuid5 of inspection + activity id, so reruns are byte-identical);
  ``DEADLINE:`` only where the rule's anchor milestone date is known;
* ``I/问题清单``, ``I/提问清单``, ``I/谈话提纲`` (with 谈话人名单; sensitive), ``I/问题底稿台账``
  (with a ``template::`` for one 底稿 page), ``I/移交台账``, ``I/整改台账``;
* ``I/流程总览`` — a whiteboard with one box per stage and arrows in workflow order.

Blocks that a later run may regenerate carry ``xuncha-generated:: <key>``; their text hash
(and that of every task block, keyed by its ``id::``) goes into the manifest for sync.
Templates contain no task markers, so progress never counts them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence

from xuncha_kb.errors import InputError
from xuncha_kb.generate.facts import (
    InspectionFacts,
    milestone_dates,
)
from xuncha_kb.generate.lists import list_pages
from xuncha_kb.generate.pages import (
    ARTIFACT_PAGES,
    GeneratedFile,
    InspectionContext,
    Scaffold,
    activity_uuid,
    actor_name,
    due_date,
    heading,
    page_file,
    produced_pages,
    ref,
    rule_text,
    task_marker,
    whiteboard_relpath,
)
from xuncha_kb.logseq.render import BlockSpec, PageSpec
from xuncha_kb.model import QUERY_OPEN_MARKERS, GraphConfig, PageFormat
from xuncha_kb.track import conventions as cv
from xuncha_kb.workflow.model import Activity, Stage, Workflow

_OPEN_TASKS = " ".join(QUERY_OPEN_MARKERS)


# --- the inspection's pages ---------------------------------------------------------------

def _task(ctx: InspectionContext, act: Activity) -> BlockSpec:
    wf = ctx.workflow
    props: list[tuple[str, str]] = [(cv.P_ACTIVITY, act.id), (cv.P_INSPECTION, ref(ctx.name))]
    actor = actor_name(wf, act.actor)
    if actor:
        props.append((cv.P_ACTOR, ref(actor)))
    if act.produces:
        props.append((cv.P_PRODUCES, ", ".join(ref(p) for p in produced_pages(ctx, act))))
    deps = []
    for d in act.depends_on:
        if d in ctx.ids:
            deps.append(f"(({ctx.ids[d]}))")
        else:
            year = ctx.facts.year
            deps.append(ref(cv.annual_plan_page_name(year)) if year else d)
    if deps:
        props.append((cv.P_DEPENDS, ", ".join(dict.fromkeys(deps))))
    rule = rule_text(wf, act)
    due = due_date(act, ctx.dates)
    if rule:
        note = rule if due else f"{rule}；该日期尚未填写，填写后即可确定截止日"
        props.append((cv.P_DEADLINE_RULE, note))
    if act.sets_milestone:
        m = wf.milestone(act.sets_milestone)
        what = m.name if m else act.sets_milestone
        props.append((cv.P_SETS_MILESTONE, f"完成后在 {ref(ctx.name)} 填写 {what}"))
    if act.sensitive:
        props.append((cv.P_SENSITIVE, "true"))
    props.append(("id", ctx.ids[act.id]))
    marker = task_marker(ctx.config)
    children = tuple(BlockSpec(_subitem_text(ctx, item), marker=marker, properties=((cv.P_SUBITEM, "true"),))
                     for item in act.subitems)
    return BlockSpec(act.name, marker=marker, deadline=due, properties=tuple(props), children=children)


def _subitem_text(ctx: InspectionContext, item: str) -> str:
    leaf = ARTIFACT_PAGES.get(item)
    return f"{item}：{ref(ctx.sub(leaf))}" if leaf else item


def _stage_page(ctx: InspectionContext, index: int) -> PageSpec:
    stage = ctx.stages[index]
    nav: list[str] = []
    if index > 0:
        nav.append(f"上一阶段：{ref(ctx.stage_page(ctx.stages[index - 1]))}")
    if index + 1 < len(ctx.stages):
        nav.append(f"下一阶段：{ref(ctx.stage_page(ctx.stages[index + 1]))}")
    marker = task_marker(ctx.config)
    intro = [BlockSpec(f"本阶段共 {len(stage.activities)} 项活动；完成一项就把 {marker} 改为 DONE，"
                       "工作笔记写在任务下面的子块里（xuncha-kb 不会改动）。")]
    if nav:
        intro.append(BlockSpec("；".join(nav) + f"；返回 {ref(ctx.name)}"))
    blocks = [heading(f"{stage.name}（{len(stage.activities)} 项活动）", intro,
                       gen=f"stage-intro:{stage.id}")]
    blocks.extend(_task(ctx, a) for a in stage.activities)
    props = [(cv.P_TYPE, ref(cv.TYPE_STAGE)), (cv.P_INSPECTION, ref(ctx.name)), (cv.P_STAGE, stage.id),
             (cv.P_STAGE_NAME, stage.name), (cv.P_ORDER, str(index + 1))]
    return PageSpec(ctx.stage_page(stage), tuple(props), tuple(blocks))


def _overview(ctx: InspectionContext) -> PageSpec:
    f, wf = ctx.facts, ctx.workflow
    props: list[tuple[str, str]] = [
        (cv.P_TYPE, ref(cv.TYPE_INSPECTION)),
        (cv.P_UNIT, ref(f.unit)),
        (cv.P_ROUND, ref(f.round)),
    ]
    if f.year:
        props.append((cv.P_YEAR, str(f.year)))
    props.append((cv.P_LEADER, ref(f.leader) if f.leader else ""))
    props.append((cv.P_MEMBERS, ", ".join(ref(m) for m in f.members)))
    props.append((cv.P_WORKFLOW, ref(wf.name)))
    for m in wf.milestones:
        if m.set_by and wf.stage_of(m.set_by) and wf.stage_of(m.set_by) not in ctx.stages:
            continue  # annual milestones live on the year's plan page
        d = ctx.dates.get(m.id)
        props.append((m.name, d.isoformat() if d else ""))

    stage_lines = [BlockSpec(f"{i}. {ref(ctx.stage_page(s))}（{len(s.activities)} 项活动）")
                   for i, s in enumerate(ctx.stages, 1)]
    deadline_lines = []
    for s in ctx.stages:
        for a in s.activities:
            rule = rule_text(wf, a)
            if not rule:
                continue
            due = due_date(a, ctx.dates)
            when = f"截止 {due.isoformat()}" if due else "待填写该日期后确定截止日"
            deadline_lines.append(BlockSpec(f"{a.name}（{ref(ctx.stage_page(s))}）：{rule}，{when}"))
    if not deadline_lines:
        deadline_lines.append(BlockSpec("工作流程未规定期限。"))
    open_q = f"{{{{query (and {ref(ctx.name)} (task {_OPEN_TASKS}))}}}}"
    done_q = f"{{{{query (and {ref(ctx.name)} (task DONE))}}}}"
    lists = [
        BlockSpec(" · ".join(ref(ctx.sub(p)) for p in
                             (cv.PAGE_ISSUE_LIST, cv.PAGE_QUESTION_LIST, cv.PAGE_INTERVIEW_OUTLINE))),
        BlockSpec(" · ".join(ref(ctx.sub(p)) for p in
                             (cv.PAGE_DRAFT_LEDGER, cv.PAGE_TRANSFER_LEDGER, cv.PAGE_RECT_LEDGER))),
        BlockSpec(f"流程总览白板：{ref(ctx.sub(cv.PAGE_WHITEBOARD))}"),
    ]
    blocks = [
        heading("工作阶段", stage_lines, gen="stages"),
        heading("关键日期与期限", [
            BlockSpec("日期填在本页顶部的属性里（如 进驻日、撤离日、反馈意见签收日），格式 YYYY-MM-DD。"),
            *deadline_lines], gen="deadlines"),
        heading("未完成任务", [BlockSpec(open_q)], gen="open-tasks"),
        heading("已完成任务", [BlockSpec(done_q)], gen="done-tasks", extra=(("collapsed", "true"),)),
        heading("三项清单与台账", lists, gen="lists"),
        heading("工作笔记", [BlockSpec("在这里记录本次巡察的重要情况。")]),
    ]
    return PageSpec(ctx.name, tuple(props), tuple(blocks))


def _overdue_stages(stages: Sequence[Stage], dates: Mapping[str, _dt.date], today: _dt.date | None
                    ) -> frozenset[str]:
    """Ids of the stages with a deadline before ``today`` (all activities are open when generated)."""
    if today is None:
        return frozenset()
    from xuncha_kb.track.deadlines import add_offset

    out = set()
    for s in stages:
        for a in s.activities:
            anchor = dates.get(a.deadline.anchor) if a.deadline else None
            due = add_offset(anchor, a.deadline.offset) if anchor and a.deadline else None
            if due is not None and due < today:
                out.add(s.id)
    return frozenset(out)


def scaffold_inspection(workflow: Workflow, facts: InspectionFacts,
                        config: GraphConfig | None = None, *,
                        dates: Mapping[str, _dt.date] | None = None,
                        name: str | None = None, uuids: Mapping[str, str] | None = None,
                        today: _dt.date | None = None, fmt: PageFormat = "markdown") -> Scaffold:
    """Every file of a new inspection (pure).

    ``dates`` (milestone id → date) adds milestone dates beyond the facts' 进驻日/撤离日, and
    ``name`` the overview page's name as it stands in the graph; sync regenerates an existing
    inspection with both, and with ``uuids`` (activity id → the block id its task already has,
    e.g. a task scaffolded under an older definition's activity id).  ``today`` marks the
    whiteboard's stages that already have an overdue deadline, as sync would (None: none is marked).
    ``fmt`` is the pages' format (scaffold passes the graph's ``:preferred-format``; sync passes
    the format of the inspection's existing overview page).
    """
    from xuncha_kb.generate.whiteboard import stage_whiteboard

    config = config or GraphConfig(name_format="triple-lowbar")
    stages = workflow.per_inspection_stages()
    if not stages:
        raise InputError(f"工作流程 {workflow.name} 没有“每次巡察”范围的阶段，无法生成巡察页面",
                         file=workflow.source)
    name = name or facts.name
    ids = {a.id: (uuids or {}).get(a.id) or activity_uuid(name, a.id) for s in stages for a in s.activities}
    all_dates = {**milestone_dates(workflow, facts), **(dates or {})}
    ctx = InspectionContext(workflow, facts, config, name, stages, all_dates, ids)
    files = [page_file(_overview(ctx), "overview", config, fmt)]
    files.extend(page_file(_stage_page(ctx, i), "stage", config, fmt) for i in range(len(stages)))
    files.extend(page_file(p, "list" if i < 3 else "ledger", config, fmt)
                 for i, p in enumerate(list_pages(ctx)))
    wb_title = ctx.sub(cv.PAGE_WHITEBOARD)
    files.append(GeneratedFile(wb_title, whiteboard_relpath(wb_title, config), "whiteboard",
                               stage_whiteboard(wb_title, [(ctx.stage_page(s), s) for s in stages],
                                                seed=name, created=facts.entry,
                                                overdue=_overdue_stages(stages, all_dates, today))))
    return Scaffold(name, tuple(files), sum(len(s.activities) for s in stages))

