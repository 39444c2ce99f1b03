"""Graph + Workflow + today → Progress: where every inspection stands.

Pure: reads the model, never a file.  For each inspection (found by its overview page) the
task blocks carrying ``活动:: <id>`` are matched to the workflow's activities wherever they
are in the graph (moved to a journal, nested under notes, …).  Markers give the status;
stages roll up done/total (cancelled excluded); deadlines come from an explicit ``DEADLINE:``
or from the workflow rule and the overview page's milestone dates.  Order problems, missing
artifacts, unknown and duplicated activity ids are reported; ledgers come from ``ledgers``.

Nothing sensitive is carried into Progress as text: a sensitive task block (on a sensitive page,
marked, tagged, or under such a block) keeps its status but loses its location; sensitive ledger
items are only counted; text quoted from the graph goes through the graph's ``Secrets`` (see
``track/sensitive.py``), computed once per run.

The Progress types live in ``progress_model``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from xuncha_kb.model import Block, Graph, Page, Span
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.deadlines import (
    Thresholds,
    colour_for,
    describe_offset,
    due_from_rule,
    milestone_dates,
    rule_basis,
)
from xuncha_kb.track.discover import InspectionRef, Owner, find_inspections, prop_names, prop_text
from xuncha_kb.track.idmap import map_unknown_ids
from xuncha_kb.track.ledgers import Ledgers, collect_ledgers
from xuncha_kb.track.progress_model import (
    ActivityProgress,
    Deadline,
    HardDeadline,
    InspectionProgress,
    Issue,
    Milestone,
    MissingArtifact,
    OrderProblem,
    Progress,
    StageProgress,
    Status,
    status_of,
)
from xuncha_kb.track.sensitive import (
    KIND_UNITS,
    NO_SECRETS,
    OTHER_KIND,
    SENSITIVE_PLACEHOLDER,
    Secrets,
    sensitive_kind,
    walk_context,
)
from xuncha_kb.workflow.model import Activity, Stage, Workflow

# --- computation ------------------------------------------------------------------------

@dataclass
class _Task:
    page: Page
    block: Block
    sensitive: bool


def _where(t: _Task) -> tuple[str, int]:
    return (SENSITIVE_PLACEHOLDER, 0) if t.sensitive else (t.page.file, t.block.span.line)


_TASK_KEYS = frozenset({cv.P_ACTIVITY, cv.P_SENSITIVE, cv.P_SECRET_LEVEL})


_HEADING = re.compile(r"^#{1,6}\s")


def _is_text_line(line: str) -> bool:
    text = line.strip()
    if text in ("", "-") or _HEADING.match(text):  # a bare heading is the page's outline, not content
        return False
    is_property = "::" in text and text.split("::", 1)[0].strip().replace("-", "").isalnum()
    return not is_property


def page_has_content(page: Page) -> bool:
    """True when a page holds text of the user's beyond page properties, generated blocks
    (the 说明 guide), templates and bare section headings — what scaffold writes on an empty
    三项清单 page is not the list itself."""
    for ctx in walk_context(page, page_sensitive=False):
        b = ctx.block
        if b.pre_block or ctx.in_template or cv.P_GENERATED in b.properties or any(
                cv.P_GENERATED in a.properties for a in ctx.ancestors):
            continue
        if any(_is_text_line(ln) for ln in b.content.splitlines()):
            return True
    return False


def _worth_walking(page: Page, secrets: Secrets) -> bool:
    """Does any block carry a task key, or a mark of its own (counted as a sensitive block)?"""
    return any((b.properties and not _TASK_KEYS.isdisjoint(b.properties)) or secrets.block_is_marked(b)
               for b in page.walk())


SensitiveCounts = tuple[int, int, tuple[tuple[str, int], ...]]
"""(sensitive pages, marked blocks, (kind, count) for 谈话/信访/线索/其他)."""


def _kind_counts(c: Counter[str]) -> tuple[tuple[str, int], ...]:
    """Every main kind (0 included), then 其他 when there is any."""
    out = [(k, c[k]) for k, _ in KIND_UNITS]
    return tuple(out + ([(OTHER_KIND, c[OTHER_KIND])] if c[OTHER_KIND] else []))


def _collect_tasks(graph: Graph, workflow: Workflow, inspections: Sequence[InspectionRef], secrets: Secrets
                   ) -> tuple[dict[str, dict[str, list[_Task]]], list[Issue], dict[str, SensitiveCounts]]:
    owner = Owner(inspections)
    known = {a.id for _, a in workflow.activities()}
    tasks: dict[str, dict[str, list[_Task]]] = {r.key: {} for r in inspections}
    issues: list[Issue] = []
    counts: dict[str, list[int]] = {r.key: [0, 0] for r in inspections}
    kinds: dict[str, Counter[str]] = {r.key: Counter() for r in inspections}
    for page in graph.pages:
        psens = secrets.page_is_sensitive(page)
        page_owner = owner.of_page(page)
        if psens and page_owner is not None:
            counts[page_owner.key][0] += 1
            kinds[page_owner.key][sensitive_kind(page.name, page.properties)] += 1
        if not _worth_walking(page, secrets):
            continue  # no task and nothing marked: nothing to count
        for ctx in walk_context(page, page_sensitive=psens, secrets=secrets):
            b = ctx.block
            if not psens and secrets.block_is_marked(b):
                blk_owner = owner.of_block(page, b, ctx.ancestors, sole_fallback=False)
                if blk_owner is not None:
                    counts[blk_owner.key][1] += 1
                    kinds[blk_owner.key][sensitive_kind("", b.properties)] += 1
            if ctx.in_template or b.pre_block or cv.P_ACTIVITY not in b.properties:
                continue
            act_id = prop_text(b.properties, cv.P_ACTIVITY)
            if not act_id:
                continue
            shown_id = secrets.text(act_id)
            task = _Task(page, b, ctx.sensitive)
            file, line = _where(task)
            ref = owner.of_block(page, b, ctx.ancestors, sole_fallback=not owner.has_explicit_unknown(b))
            if ref is None:
                if owner.has_explicit_unknown(b):
                    issues.append(Issue("unknown_inspection",
                                        f"任务 {shown_id} 的 巡察:: 指向的巡察概览页不存在", file, line))
                elif act_id in known:
                    issues.append(Issue("no_inspection",
                                        f"任务 {shown_id} 无法确定属于哪一个巡察，请添加 巡察:: 属性",
                                        file, line))
                continue
            tasks[ref.key].setdefault(act_id, []).append(task)
    return ({k: _mapped(workflow, v, known) for k, v in tasks.items()}, issues,
            {k: (v[0], v[1], _kind_counts(kinds[k])) for k, v in counts.items()})


def _mapped(workflow: Workflow, found: dict[str, list[_Task]], known: set[str]) -> dict[str, list[_Task]]:
    """Tasks under ids of another definition, read as the activities they are (``idmap``)."""
    titles = {k: v[0].block.title for k, v in found.items() if k not in known}
    if not titles:
        return found
    mapping = map_unknown_ids(workflow, titles, {k for k in found if k in known})
    out: dict[str, list[_Task]] = {}
    for k, v in found.items():
        out.setdefault(mapping.get(k, k), []).extend(v)
    return out


def _deadline(act: Activity, stage: Stage, block: Block | None, status: Status,
              dates: dict[str, dt.date | None], names: dict[str, str], today: dt.date,
              th: Thresholds) -> tuple[Deadline | None, str | None]:
    rule = act.deadline
    rule_due = due_from_rule(rule, dates) if rule is not None else None
    if block is not None and block.deadline is not None and (rule is None or block.deadline.date != rule_due):
        due = block.deadline.date
        left = (due - today).days
        return Deadline(act.id, act.name, stage.id, due, left, colour_for(left, th), "explicit",
                        "DEADLINE", "hard", status, "任务上的 DEADLINE"), None
    # a DEADLINE equal to the rule's date (as scaffold writes it) keeps the rule's wording and kind
    if rule is None:
        return None, None
    anchor_name = names.get(rule.anchor, rule.anchor)
    if rule_due is None:
        return None, f"待填写{anchor_name}"
    left = (rule_due - today).days
    return Deadline(act.id, act.name, stage.id, rule_due, left, colour_for(left, th), "rule",
                    f"{anchor_name}{describe_offset(rule.offset)}", rule.kind, status,
                    rule_basis(rule, anchor_name)), None


def _artifact_pages(ref: InspectionRef, act: Activity, block: Block | None, workflow: Workflow
                    ) -> list[tuple[str, str, bool]]:
    """(artifact label, page name, sensitive) for what the activity should have produced."""
    secret = {a.name for x in act.produces if (a := workflow.artifact(x)) is not None and a.sensitive}
    if block is not None:
        linked = prop_names(block.properties, block.property_refs, cv.P_PRODUCES)
        if linked:
            return [(n.rsplit("/", 1)[-1], n, n.rsplit("/", 1)[-1] in secret) for n in linked]
    out = []
    for art_id in act.produces:
        art = workflow.artifact(art_id)
        if art is not None:
            out.append((art.name, cv.sub_page_name(ref.name, art.name), art.sensitive))
    return out

def _activity_issues(workflow: Workflow, found: dict[str, list[_Task]], known_here: set[str],
                     secrets: Secrets) -> list[Issue]:
    """Task blocks naming an activity the workflow lacks, or one activity more than once."""
    issues: list[Issue] = []
    all_known = {a.id for _, a in workflow.activities()}
    for act_id, tasks in sorted(found.items()):
        if act_id not in all_known:
            for t in tasks:
                f, ln = _where(t)
                shown = secrets.text(act_id)
                issues.append(Issue("unknown_activity",
                                    f"活动编号 {shown} 不在工作流程 {workflow.name} 中", f, ln))
        elif len(tasks) > 1 and act_id in known_here:
            places = ", ".join(f"{a}:{b}" if b else a for a, b in (_where(t) for t in tasks))
            f, ln = _where(tasks[1])
            issues.append(Issue("duplicate_activity",
                                f"活动编号 {act_id} 出现 {len(tasks)} 次（{places}），只统计第一处", f, ln))
    return issues


@dataclass
class _Tally:
    """What walking the activities collects besides their progress, in workflow order."""

    deadlines: list[Deadline] = field(default_factory=list)
    pending: list[tuple[str, str, str]] = field(default_factory=list)
    hard: list[HardDeadline] = field(default_factory=list)
    tasks: dict[str, _Task] = field(default_factory=dict)  # activity id → the task block counted


def _activity_progress(workflow: Workflow, stage: Stage, act: Activity, found: dict[str, list[_Task]],
                       dates: dict[str, dt.date | None], names: dict[str, str], today: dt.date,
                       th: Thresholds, tally: _Tally) -> ActivityProgress:
    candidates = found.get(act.id)
    task = candidates[0] if candidates else None
    block = task.block if task else None
    status = status_of(block.marker) if block else "not_started"
    dl, pend = _deadline(act, stage, block, status, dates, names, today, th)
    if dl:
        tally.deadlines.append(dl)
    if pend and status not in ("done", "cancelled"):
        tally.pending.append((act.id, act.name, pend))
    if act.deadline is not None and act.deadline.kind == "hard":
        basis = rule_basis(act.deadline, names.get(act.deadline.anchor, act.deadline.anchor))
        tally.hard.append(HardDeadline(act.id, act.name, basis, dl, pend))
    role = workflow.role(act.actor)
    span = None
    if task is not None:
        tally.tasks[act.id] = task
        if not task.sensitive:
            span = Span(task.page.file, task.block.span.line)
    return ActivityProgress(
        id=act.id, name=act.name, stage_id=stage.id, status=status,
        marker=block.marker if block else None, actor=role.name if role else act.actor,
        found=task is not None, span=span, sensitive=bool(task and task.sensitive) or act.sensitive,
        deadline=dl, pending_deadline=pend, depends_on=act.depends_on)


def _done_checks(graph: Graph, workflow: Workflow, ref: InspectionRef, stages: Sequence[StageProgress],
                 tasks: Mapping[str, _Task], secrets: Secrets
                 ) -> tuple[list[OrderProblem], list[MissingArtifact]]:
    """For every done activity: prerequisites still open, and artifacts missing or empty."""
    by_id = {a.id: a for s in stages for a in s.activities}
    order: list[OrderProblem] = []
    missing: list[MissingArtifact] = []
    for a in (a for s in stages for a in s.activities):
        if a.status != "done":
            continue
        blocking = tuple((d, by_id[d].name, by_id[d].status) for d in a.depends_on
                         if d in by_id and by_id[d].status not in ("done", "cancelled"))
        if blocking:
            order.append(OrderProblem(a.id, a.name, blocking, a.span))
        wf_act = workflow.activity(a.id)
        if wf_act is None:
            continue
        task = tasks.get(a.id)
        produced = _artifact_pages(ref, wf_act, task.block if task else None, workflow)
        for label, page_name, art_secret in produced:
            page = graph.page(page_name)
            secret = (art_secret or secrets.ref_is_sensitive(page_name)
                      or (page is not None and secrets.page_is_sensitive(page)))
            shown = SENSITIVE_PLACEHOLDER if secret else page_name
            label = "涉密材料" if secret else label
            if page is None:
                missing.append(MissingArtifact(a.id, a.name, label, shown, "missing"))
            elif not page_has_content(page):
                missing.append(MissingArtifact(a.id, a.name, label, shown, "empty"))
    return order, missing


def compute_inspection(graph: Graph, workflow: Workflow, ref: InspectionRef, found: dict[str, list[_Task]],
                       ledgers: Ledgers, sensitive_counts: SensitiveCounts, today: dt.date,
                       th: Thresholds, secrets: Secrets = NO_SECRETS) -> InspectionProgress:
    dates = milestone_dates(workflow.milestones, ref.page.properties)
    names = {m.id: m.name for m in workflow.milestones}
    per_stage = workflow.per_inspection_stages()
    known_here = {a.id for s in per_stage for a in s.activities}
    issues = _activity_issues(workflow, found, known_here, secrets)
    tally = _Tally()
    stages = [StageProgress(stage.id, stage.name, tuple(
                  _activity_progress(workflow, stage, act, found, dates, names, today, th, tally)
                  for act in stage.activities))
              for stage in per_stage]
    order, missing = _done_checks(graph, workflow, ref, stages, tally.tasks, secrets)
    deadlines = sorted(tally.deadlines, key=lambda d: (d.due, d.activity_id))
    return InspectionProgress(
        name=ref.name, unit=ref.unit, round=ref.round, year=ref.year, file=ref.file,
        leader=ref.leader, members=ref.members,
        milestones=tuple(Milestone(m.id, m.name, dates.get(m.id)) for m in workflow.milestones
                         if dates.get(m.id) or m.set_by is None or m.set_by in known_here),
        stages=tuple(stages), deadlines=tuple(deadlines), order_problems=tuple(order),
        missing_artifacts=tuple(missing), ledgers=ledgers, issues=tuple(issues),
        pending_deadlines=tuple(tally.pending), hard_deadlines=tuple(tally.hard),
        sensitive_pages=sensitive_counts[0],
        sensitive_blocks=sensitive_counts[1], sensitive_kinds=sensitive_counts[2], people=ref.people,
        yellow_days=th.yellow_days,
    )



def with_completion_dates(progress: Progress, dates: Mapping[tuple[str, str], str]) -> Progress:
    """Attach when each completed stage was completed.

    ``dates`` maps (inspection name, stage id) to a date, as
    ``inspection.events.stage_completion_dates`` reads it from the event log that
    ``xuncha-kb watch`` keeps; only stages that are complete now get one.
    """
    if not dates:
        return progress
    inspections = tuple(
        replace(i, stages=tuple(
            replace(s, completed_on=dates.get((i.name, s.id))) if s.status == "done" else s
            for s in i.stages))
        for i in progress.inspections)
    return replace(progress, inspections=inspections)


def task_uuids(graph: Graph, workflow: Workflow, inspection: str) -> dict[str, str]:
    """Activity id (in ``workflow``, old ids mapped by ``idmap``) → the ``id::`` of the task
    block that stands for it in ``inspection``: sync keeps those block ids (and with them every
    reference to the task) when a new definition renames activities."""
    refs = find_inspections(graph)
    tasks, _, _ = _collect_tasks(graph, workflow, refs, Secrets.of_graph(graph))
    ref = next((r for r in refs if r.name.lower() == inspection.lower()), None)
    found = tasks.get(ref.key, {}) if ref is not None else {}
    return {aid: uid.strip() for aid, ts in found.items() if (uid := ts[0].block.properties.get("id"))}


def compute_progress(graph: Graph, workflow: Workflow, today: dt.date, *,
                     thresholds: Thresholds | None = None, only: str | None = None) -> Progress:
    """Progress of every inspection in the graph (or those matching ``only``)."""
    th = thresholds or Thresholds()
    all_refs = find_inspections(graph)
    secrets = Secrets.of_graph(graph)
    tasks, issues, counts = _collect_tasks(graph, workflow, all_refs, secrets)
    ledgers = collect_ledgers(graph, all_refs, today, th, secrets)
    refs = find_inspections(graph, only) if only is not None else all_refs
    wanted = {r.key for r in refs}
    inspections = tuple(
        compute_inspection(graph, workflow, r, tasks[r.key], ledgers[r.key], counts[r.key], today, th,
                           secrets)
        for r in all_refs if r.key in wanted
    )
    return Progress(today=today, workflow_id=workflow.id, workflow_name=workflow.name, thresholds=th,
                    inspections=inspections, issues=tuple(issues))
