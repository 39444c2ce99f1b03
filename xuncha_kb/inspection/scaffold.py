"""Workflow + inspection facts → the pages of a new inspection (pure: no disk access).

``scaffold_inspection`` returns a ``Scaffold``: every file of one inspection as graph-relative
path + full text + manifest metadata.  ``fs.apply.plan_writes`` turns it into a plan and
``fs.apply.apply`` writes it.  ``scaffold_annual_plan`` does the same for the yearly
巡察计划 page (the workflow's ``annual`` stages).

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
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from xuncha_kb.errors import InputError
from xuncha_kb.fs.apply import FileSpec
from xuncha_kb.fs.atomic import content_hash
from xuncha_kb.inspection import conventions as cv
from xuncha_kb.logseq.render import BlockSpec, PageSpec, block_lines, render_page
from xuncha_kb.model import GraphConfig, Page
from xuncha_kb.workflow.model import Activity, Milestone, Stage, Workflow

GENERATOR_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://xuncha-kb.invalid/scaffold")
OPEN_MARKERS = "TODO DOING NOW LATER WAITING"

# Which milestone a command-line date fills: (ids, names) to look for in the workflow.
ENTRY_MILESTONE = (("entry_date",), (cv.MILESTONE_ENTRY,))
EXIT_MILESTONE = (("exit_date",), (cv.MILESTONE_EXIT,))

# Artifacts that have a generated page of their own (artifact name → page leaf).
ARTIFACT_PAGES = {
    cv.PAGE_ISSUE_LIST: cv.PAGE_ISSUE_LIST,
    cv.PAGE_QUESTION_LIST: cv.PAGE_QUESTION_LIST,
    cv.PAGE_INTERVIEW_OUTLINE: cv.PAGE_INTERVIEW_OUTLINE,
    cv.PAGE_INTERVIEWEE_LIST: cv.PAGE_INTERVIEW_OUTLINE,  # the 名单 lives on the 提纲 page
    cv.PAGE_DRAFT_LEDGER: cv.PAGE_DRAFT_LEDGER,
    cv.PAGE_TRANSFER_LEDGER: cv.PAGE_TRANSFER_LEDGER,
    cv.PAGE_RECT_LEDGER: cv.PAGE_RECT_LEDGER,
}

_FORBIDDEN = {
    "/": "会被 Logseq 当作命名空间分隔符",
    "[": "会破坏页面引用 [[…]]",
    "]": "会破坏页面引用 [[…]]",
    "{": "会被当作宏 {{…}}",
    "}": "会被当作宏 {{…}}",
    "\\": "不能出现在文件名中",
}
_MEMBER_SPLIT = re.compile(r"[,，、;；]")
# Unicode categories never allowed in a name: C1 controls (Cc), format characters such as
# zero-width spaces, BOM and bidi overrides (Cf), line/paragraph separators (Zl, Zp), and
# lone surrogates (Cs: bytes that were not UTF-8 on the command line).
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


# --- facts ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InspectionFacts:
    """What the office knows when it starts an inspection."""

    unit: str  # 被巡察单位
    round: str  # 轮次, e.g. 2026年第一轮
    leader: str | None = None
    members: tuple[str, ...] = ()
    entry: _dt.date | None = None  # 进驻日
    exit: _dt.date | None = None  # 撤离日

    @property
    def name(self) -> str:
        return cv.inspection_page_name(self.round, self.unit)

    @property
    def year(self) -> int | None:
        m = re.search(r"(\d{4})", self.round)
        if m:
            return int(m.group(1))
        return self.entry.year if self.entry else None


def check_name(value: str | None, label: str, option: str) -> str:
    """A name that becomes part of a page title, or InputError (exit 2) saying why not."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if not text:
        raise InputError(f"{label}不能为空", hint=f"请用 {option} 指定{label}。")
    if any(ord(c) < 32 or ord(c) == 0x7F for c in text):
        raise InputError(f"{label}“{text!r}”含有控制字符（如换行），不能作为页面名称",
                         hint=f"请检查 {option} 的值。")
    hidden = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _INVISIBLE})
    if hidden:
        codes = "、".join(hidden)
        raise InputError(f"{label}“{text!r}”含有看不见的字符 {codes}"
                         "（零宽字符、文字方向控制符或无效的编码），会让两个看起来一样的名称成为不同的页面",
                         hint=f"请重新输入 {option} 的值（不要从网页或文档中直接复制）。")
    for ch, why in _FORBIDDEN.items():
        if ch in text:
            raise InputError(f"{label}“{text}”含有字符 “{ch}”，{why}",
                             hint=f"请去掉该字符后重试（{option}）。")
    if text in (".", "..") or text.startswith(".."):
        raise InputError(f"{label}“{text}”会指向图谱目录之外", hint=f"请检查 {option} 的值。")
    if text.startswith("((") or "::" in text:
        raise InputError(f"{label}“{text}”看起来像块引用或属性，不能作为名称", hint=f"请检查 {option} 的值。")
    return _fits_a_page(text, label, option)


def _fits_a_page(text: str, label: str, option: str) -> str:
    """Every name is also a page (``[[张三]]``, ``[[2026年第一轮]]``) that Logseq stores as a file:
    it must fit a file name (255 bytes once encoded)."""
    from xuncha_kb.logseq.names import safe_title_to_relpath

    try:
        safe_title_to_relpath(text)
    except InputError as exc:
        raise InputError(f"{label}不能作为页面名称：{exc.message}", hint=f"请缩短 {option} 的值。") from None
    return text


def split_members(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    chunks = [raw] if isinstance(raw, str) else list(raw)
    parts = [p for chunk in chunks for p in _MEMBER_SPLIT.split(chunk)]
    names = (check_name(p, "组员姓名", "--members") for p in parts if p.strip())
    return tuple(dict.fromkeys(names))  # a name given twice is one member


def parse_date_option(raw: str | None, option: str) -> _dt.date | None:
    """``YYYY-MM-DD`` from an option (None when blank), by ``deadlines.parse_option_date``."""
    from xuncha_kb.inspection.deadlines import parse_option_date

    if raw is None or not raw.strip():
        return None
    return parse_option_date(raw, option)


def make_facts(unit: str | None, round_name: str | None, *, leader: str | None = None,
               members: str | Iterable[str] | None = None, entry: str | _dt.date | None = None,
               exit: str | _dt.date | None = None) -> InspectionFacts:
    """Validated facts from raw option values (strings from the command line)."""
    e = entry if isinstance(entry, _dt.date) or entry is None else parse_date_option(entry, "--entry")
    x = exit if isinstance(exit, _dt.date) or exit is None else parse_date_option(exit, "--exit")
    if e and x and x < e:
        raise InputError(f"撤离日 {x} 早于进驻日 {e}", hint="请检查 --entry 与 --exit。")
    return InspectionFacts(
        unit=check_name(unit, "被巡察单位", "--unit"),
        round=check_name(round_name, "巡察轮次", "--round"),
        leader=check_name(leader, "组长姓名", "--leader") if leader and leader.strip() else None,
        members=split_members(members),
        entry=e, exit=x,
    )


# --- the facts of an inspection that already exists ------------------------------------------

@dataclass(frozen=True, slots=True)
class FactsInForce:
    """What an existing overview page states: the facts, every milestone date, the raw date text."""

    facts: InspectionFacts
    dates: Mapping[str, _dt.date]  # milestone id → date, for the dates filled in
    date_text: Mapping[str, str]  # milestone id → the property's text, as written


def facts_in_force(workflow: Workflow, page: Page) -> FactsInForce | None:
    """The facts an overview page states now (None if the page is not an inspection's overview).

    The page is where the office keeps these facts once the inspection exists: staff edit
    组长::, 组员::, 进驻日:: … there, and ``sync`` regenerates from them.
    """
    from xuncha_kb.inspection.deadlines import milestone_dates as dates_on_page
    from xuncha_kb.inspection.discover import inspection_from_page, prop_text

    ref = inspection_from_page(page)
    if ref is None:
        return None
    dates = {k: v for k, v in dates_on_page(workflow.milestones, page.properties).items() if v is not None}
    texts = {m.id: prop_text(page.properties, m.name) or "" for m in workflow.milestones}
    entry, exit_ = (_find_milestone(workflow, spec) for spec in (ENTRY_MILESTONE, EXIT_MILESTONE))
    facts = InspectionFacts(unit=ref.unit, round=ref.round, leader=ref.leader[0] if ref.leader else None,
                            members=ref.members, entry=dates.get(entry.id) if entry else None,
                            exit=dates.get(exit_.id) if exit_ else None)
    return FactsInForce(facts, dates, texts)


@dataclass(frozen=True, slots=True)
class FactDifference:
    """One fact asked for on the command line that differs from the one in force."""

    label: str  # the overview page's property, e.g. 组长
    option: str  # e.g. --leader
    in_force: str  # as the page states it ("" = not filled in)
    given: str

    def __str__(self) -> str:
        was = f"“{self.in_force}”" if self.in_force else "未填写"
        return f"{self.label}：概览页上为{was}，本次 {self.option} 为“{self.given}”"


def fact_differences(workflow: Workflow, given: InspectionFacts,
                     current: FactsInForce) -> list[FactDifference]:
    """The facts ``given`` asks for (options left out are not compared) that differ from ``current``."""
    now = current.facts
    out: list[FactDifference] = []
    if given.leader is not None and given.leader != _nfc(now.leader):
        out.append(FactDifference(cv.P_LEADER, "--leader", _nfc(now.leader), given.leader))
    if given.members and set(given.members) != {_nfc(m) for m in now.members}:
        out.append(FactDifference(cv.P_MEMBERS, "--members", "、".join(now.members),
                                  "、".join(given.members)))
    for spec, option, wanted, have in ((ENTRY_MILESTONE, "--entry", given.entry, now.entry),
                                       (EXIT_MILESTONE, "--exit", given.exit, now.exit)):
        m = _find_milestone(workflow, spec)
        if m is not None and wanted is not None and wanted != have:
            out.append(FactDifference(m.name, option, current.date_text.get(m.id, ""), wanted.isoformat()))
    return out


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


# --- result --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GeneratedFile:
    title: str  # page / whiteboard title
    path: str  # graph-relative POSIX path
    kind: str  # overview, stage, list, ledger, whiteboard, annual-plan
    content: str
    blocks: Mapping[str, str] = field(default_factory=dict)  # block key → hash of its generated text


@dataclass(frozen=True, slots=True)
class Scaffold:
    inspection: str  # overview page title (or annual plan page title)
    files: tuple[GeneratedFile, ...]
    activity_count: int  # task blocks carrying 活动:: that were generated

    def file_specs(self) -> list[FileSpec]:
        return [FileSpec(f.path, f.content, inspection=self.inspection, kind=f.kind, blocks=f.blocks)
                for f in self.files]

    def file(self, title: str) -> GeneratedFile | None:
        return next((f for f in self.files if f.title == title), None)


def activity_uuid(inspection: str, activity_id: str) -> str:
    """The ``id::`` of a generated task: stable across runs, distinct across inspections."""
    return str(uuid.uuid5(GENERATOR_NAMESPACE, f"{inspection}\x1f{activity_id}"))


def page_relpath(title: str, config: GraphConfig) -> str:
    from xuncha_kb.logseq.names import safe_title_to_relpath

    return safe_title_to_relpath(title, config, fmt="markdown")


def whiteboard_relpath(title: str, config: GraphConfig) -> str:
    page = page_relpath(title, config)  # same name checks (length, reserved parts)
    body = page.rsplit("/", 1)[-1][: -len(".md")]
    return f"{config.whiteboards_dir.strip('/') or 'whiteboards'}/{body}.edn"


def _block_hashes(blocks: Sequence[BlockSpec]) -> dict[str, str]:
    out: dict[str, str] = {}

    def visit(spec: BlockSpec, level: int) -> None:
        props = dict(spec.properties)
        key = props.get("id") or (f"generated:{props[cv.P_GENERATED]}" if cv.P_GENERATED in props else None)
        if key:
            out[key] = content_hash("\n".join(block_lines(spec, level)) + "\n")
        for c in spec.children:
            visit(c, level + 1)

    for b in blocks:
        visit(b, 1)
    return out


def _page_file(spec: PageSpec, kind: str, config: GraphConfig) -> GeneratedFile:
    return GeneratedFile(spec.name, page_relpath(spec.name, config), kind, render_page(spec),
                         _block_hashes(spec.blocks))


# --- helpers shared by the page builders ----------------------------------------------------

def ref(name: str) -> str:
    return f"[[{name}]]"


def _gen(key: str) -> tuple[str, str]:
    return (cv.P_GENERATED, key)


def _heading(text: str, children: Sequence[BlockSpec] = (), *, gen: str | None = None,
             extra: Sequence[tuple[str, str]] = ()) -> BlockSpec:
    props = [_gen(gen)] if gen else []
    props.extend(extra)
    return BlockSpec(f"## {text}", properties=tuple(props), children=tuple(children))


def _find_milestone(workflow: Workflow, spec: tuple[tuple[str, ...], tuple[str, ...]]) -> Milestone | None:
    ids, names = spec
    return next((m for m in workflow.milestones if m.id in ids or m.name in names), None)


def milestone_dates(workflow: Workflow, facts: InspectionFacts) -> dict[str, _dt.date]:
    """Milestone id → date, for the milestones the facts give."""
    out: dict[str, _dt.date] = {}
    for spec, value in ((ENTRY_MILESTONE, facts.entry), (EXIT_MILESTONE, facts.exit)):
        m = _find_milestone(workflow, spec)
        if m is not None and value is not None:
            out[m.id] = value
    return out


def _rule_text(workflow: Workflow, act: Activity) -> str | None:
    from xuncha_kb.inspection.deadlines import describe_offset

    rule = act.deadline
    if rule is None:
        return None
    m = workflow.milestone(rule.anchor)
    anchor = m.name if m else rule.anchor
    kind = "硬性期限" if rule.kind == "hard" else "提示期限"
    return f"{anchor} {describe_offset(rule.offset)}（{kind}）"


def _due(act: Activity, dates: Mapping[str, _dt.date]) -> _dt.date | None:
    from xuncha_kb.inspection.deadlines import add_offset

    if act.deadline is None or act.deadline.anchor not in dates:
        return None
    return add_offset(dates[act.deadline.anchor], act.deadline.offset)


def _artifact_page(inspection: str, name: str) -> str:
    return cv.sub_page_name(inspection, ARTIFACT_PAGES.get(name, name))


def _actor_name(workflow: Workflow, actor: str | None) -> str | None:
    if not actor:
        return None
    role = workflow.role(actor)
    return role.name if role else actor


# --- the inspection's pages ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Ctx:
    workflow: Workflow
    facts: InspectionFacts
    config: GraphConfig
    name: str
    stages: tuple[Stage, ...]
    dates: Mapping[str, _dt.date]
    ids: Mapping[str, str]  # activity id → uuid (this inspection's activities)

    def stage_page(self, stage: Stage) -> str:
        return cv.sub_page_name(self.name, stage.name)

    def sub(self, leaf: str) -> str:
        return cv.sub_page_name(self.name, leaf)


def _produced_pages(ctx: _Ctx, act: Activity) -> list[str]:
    """Pages an activity's artifacts live on (deduplicated, in the workflow's order)."""
    names = [art.name if (art := ctx.workflow.artifact(p)) else p for p in act.produces]
    return list(dict.fromkeys(_artifact_page(ctx.name, n) for n in names))


def _task(ctx: _Ctx, act: Activity) -> BlockSpec:
    wf = ctx.workflow
    props: list[tuple[str, str]] = [(cv.P_ACTIVITY, act.id), (cv.P_INSPECTION, ref(ctx.name))]
    actor = _actor_name(wf, act.actor)
    if actor:
        props.append((cv.P_ACTOR, ref(actor)))
    if act.produces:
        props.append((cv.P_PRODUCES, ", ".join(ref(p) for p in _produced_pages(ctx, act))))
    deps = []
    for d in act.depends_on:
        if d in ctx.ids:
            deps.append(f"(({ctx.ids[d]}))")
        else:
            year = ctx.facts.year
            deps.append(ref(cv.annual_plan_page_name(year)) if year else d)
    if deps:
        props.append((cv.P_DEPENDS, ", ".join(dict.fromkeys(deps))))
    rule = _rule_text(wf, act)
    due = _due(act, ctx.dates)
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
    children = tuple(BlockSpec(_subitem_text(ctx, item), marker="TODO", properties=((cv.P_SUBITEM, "true"),))
                     for item in act.subitems)
    return BlockSpec(act.name, marker="TODO", deadline=due, properties=tuple(props), children=children)


def _subitem_text(ctx: _Ctx, item: str) -> str:
    leaf = ARTIFACT_PAGES.get(item)
    return f"{item}：{ref(ctx.sub(leaf))}" if leaf else item


def _stage_page(ctx: _Ctx, index: int) -> PageSpec:
    stage = ctx.stages[index]
    nav: list[str] = []
    if index > 0:
        nav.append(f"上一阶段：{ref(ctx.stage_page(ctx.stages[index - 1]))}")
    if index + 1 < len(ctx.stages):
        nav.append(f"下一阶段：{ref(ctx.stage_page(ctx.stages[index + 1]))}")
    intro = [BlockSpec(f"本阶段共 {len(stage.activities)} 项活动；完成一项就把 TODO 改为 DONE，"
                       "工作笔记写在任务下面的子块里（xuncha-kb 不会改动）。")]
    if nav:
        intro.append(BlockSpec("；".join(nav) + f"；返回 {ref(ctx.name)}"))
    blocks = [_heading(f"{stage.name}（{len(stage.activities)} 项活动）", intro,
                       gen=f"stage-intro:{stage.id}")]
    blocks.extend(_task(ctx, a) for a in stage.activities)
    props = [(cv.P_TYPE, ref(cv.TYPE_STAGE)), (cv.P_INSPECTION, ref(ctx.name)), (cv.P_STAGE, stage.id),
             (cv.P_STAGE_NAME, stage.name), (cv.P_ORDER, str(index + 1))]
    return PageSpec(ctx.stage_page(stage), tuple(props), tuple(blocks))


def _overview(ctx: _Ctx) -> PageSpec:
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
            rule = _rule_text(wf, a)
            if not rule:
                continue
            due = _due(a, ctx.dates)
            when = f"截止 {due.isoformat()}" if due else "待填写该日期后确定截止日"
            deadline_lines.append(BlockSpec(f"{a.name}（{ref(ctx.stage_page(s))}）：{rule}，{when}"))
    if not deadline_lines:
        deadline_lines.append(BlockSpec("工作流程未规定期限。"))
    open_q = f"{{{{query (and {ref(ctx.name)} (task {OPEN_MARKERS}))}}}}"
    done_q = f"{{{{query (and {ref(ctx.name)} (task DONE))}}}}"
    lists = [
        BlockSpec(" · ".join(ref(ctx.sub(p)) for p in
                             (cv.PAGE_ISSUE_LIST, cv.PAGE_QUESTION_LIST, cv.PAGE_INTERVIEW_OUTLINE))),
        BlockSpec(" · ".join(ref(ctx.sub(p)) for p in
                             (cv.PAGE_DRAFT_LEDGER, cv.PAGE_TRANSFER_LEDGER, cv.PAGE_RECT_LEDGER))),
        BlockSpec(f"流程总览白板：{ref(ctx.sub(cv.PAGE_WHITEBOARD))}"),
    ]
    blocks = [
        _heading("工作阶段", stage_lines, gen="stages"),
        _heading("关键日期与期限", [
            BlockSpec("日期填在本页顶部的属性里（如 进驻日、撤离日、反馈意见签收日），格式 YYYY-MM-DD。"),
            *deadline_lines], gen="deadlines"),
        _heading("未完成任务", [BlockSpec(open_q)], gen="open-tasks"),
        _heading("已完成任务", [BlockSpec(done_q)], gen="done-tasks", extra=(("collapsed", "true"),)),
        _heading("三项清单与台账", lists, gen="lists"),
        _heading("工作笔记", [BlockSpec("在这里记录本次巡察的重要情况。")]),
    ]
    return PageSpec(ctx.name, tuple(props), tuple(blocks))


def _list_page(ctx: _Ctx, leaf: str, guide: Sequence[str], sections: Sequence[BlockSpec],
               extra_props: Sequence[tuple[str, str]] = ()) -> PageSpec:
    props = [(cv.P_TYPE, ref(cv.TYPE_CHECKLIST)), (cv.P_INSPECTION, ref(ctx.name)), (cv.P_LIST, leaf),
             *extra_props]
    producer = next((a for s in ctx.stages for a in s.activities
                     if ctx.sub(leaf) in _produced_pages(ctx, a)), None)
    if producer is not None:
        props.append((cv.P_FROM_ACTIVITY, f"(({ctx.ids[producer.id]}))"))
    blocks = [_heading("说明", [BlockSpec(g) for g in guide], gen=f"guide:{leaf}"), *sections]
    return PageSpec(ctx.sub(leaf), tuple(props), tuple(blocks))


def _template(name: str, title: str, body: BlockSpec) -> BlockSpec:
    """A Logseq template whose copies are ``body`` (the parent itself is not copied)."""
    return BlockSpec(title, properties=(("template", name), ("template-including-parent", "false")),
                     children=(body,))


def _lists(ctx: _Ctx) -> list[PageSpec]:
    insp = ctx.name
    issue = _list_page(ctx, cv.PAGE_ISSUE_LIST, [
        "熟悉被巡察单位提交的巡前备查资料，对有疑问的问题逐条记录，梳理形成问题清单。",
        "一个问题或疑点一个块；可加属性 来源::（资料名称、页码）和 核实方式::（查阅、谈话、调研）。",
        f"问题清单是提问清单和谈话提纲的基础：{ref(ctx.sub(cv.PAGE_QUESTION_LIST))}、{ref(ctx.sub(cv.PAGE_INTERVIEW_OUTLINE))}。",
    ], [_heading("问题与疑点")])
    question = _list_page(ctx, cv.PAGE_QUESTION_LIST, [
        "研读被巡察单位的汇报材料，结合问题清单，形成准备在进场汇报会上提出的问题。",
        "一个问题一个块；会上得到的回答写在该问题下面的子块里。",
    ], [_heading("进场汇报会提问")])
    person = BlockSpec("谈话对象姓名", properties=(("职务", ""), ("谈话类别", "必谈"), ("谈话时间", ""),
                                             ("谈话人", ""), ("记录人", "")))
    interview = _list_page(ctx, cv.PAGE_INTERVIEW_OUTLINE, [
        "根据问题清单和提问清单，拟定进场会后的谈话人名单，并形成谈话提纲。",
        "本页涉密：xuncha-kb 的报告只统计数量，从不引用本页内容。谈话记录请建在本页之下的子页面。",
        "谈话类别：必谈 / 点谈 / 自愿谈。",
    ], [
        _heading(cv.PAGE_INTERVIEWEE_LIST),
        _heading("谈话提纲", [BlockSpec("共性问题"), BlockSpec("个性问题")]),
        _template(f"谈话对象（{ctx.facts.round}·{ctx.facts.unit}）", "谈话对象模板（用 /Template 插入）",
                  person),
    ], extra_props=((cv.P_SENSITIVE, "true"), (cv.P_SECRET_LEVEL, "内部")))

    draft_props = ((cv.P_TYPE, ref(cv.TYPE_DRAFT)), (cv.P_INSPECTION, ref(insp)),
                   *((k, cv.DRAFT_DEFAULTS.get(k, "")) for k in cv.DRAFT_FIELDS),
                   (cv.DRAFT_STATUS, cv.DRAFT_DEFAULTS.get(cv.DRAFT_STATUS, "")),
                   *((k, "") for k in cv.DRAFT_SIGNOFF))
    draft_body = BlockSpec("", properties=draft_props)
    draft_template = BlockSpec(
        "问题底稿模板（新建底稿页面后，在第一个块输入 /Template 选择本模板）",
        properties=(("template", f"问题底稿（{ctx.facts.round}·{ctx.facts.unit}）"),
                    ("template-including-parent", "false")),
        children=(draft_body, BlockSpec("## 问题事实"), BlockSpec("## 证据材料"), BlockSpec("## 定性依据")))
    draft_query = (f'{{{{query (and (page-property type {cv.TYPE_DRAFT}) '
                   f'(page-property {cv.P_INSPECTION} "{insp}"))}}}}')
    drafts = PageSpec(ctx.sub(cv.PAGE_DRAFT_LEDGER), (
        (cv.P_TYPE, ref(cv.TYPE_DRAFT_LEDGER)), (cv.P_INSPECTION, ref(insp))), (
        _heading("说明", [
            BlockSpec("一事一底稿：每个问题单独一页底稿，成熟一个编制一个，最终形成封闭的问题底稿台账。"),
            BlockSpec(f"新建底稿：新建页面 {ref(ctx.sub(cv.PAGE_DRAFTS_NS + '/001'))}（按编号顺延），"
                      "在第一个块输入 /Template，选择下面的问题底稿模板，然后逐项填写。"),
            BlockSpec("必填：" + "、".join(cv.DRAFT_REQUIRED) + "；三审：" + " → ".join(cv.DRAFT_SIGNOFF)
                      + "，审核人填写姓名和日期。"),
            BlockSpec("状态：" + " / ".join(cv.DRAFT_STATUSES) + "。"),
        ], gen="guide:底稿"),
        _heading("底稿一览", [
            BlockSpec(draft_query, properties=(("query-properties", "[:page :编号 :问题概要 :定性 :状态]"),)),
            BlockSpec(f"全部底稿页面：{{{{namespace {ctx.sub(cv.PAGE_DRAFTS_NS)}}}}}"),
        ], gen="draft-query"),
        draft_template,
    ))

    transfer_item = BlockSpec("移交事项（一句话概括）", properties=(
        (cv.TRANSFER_TO, ""), (cv.TRANSFER_STATUS, "待移交"), (cv.TRANSFER_DATE, ""), (cv.CITES_DRAFT, ""),
        (cv.P_INSPECTION, ref(insp))))
    transfers = PageSpec(ctx.sub(cv.PAGE_TRANSFER_LEDGER), (
        (cv.P_TYPE, ref(cv.TYPE_TRANSFER_LEDGER)), (cv.P_INSPECTION, ref(insp))), (
        _heading("说明", [
            BlockSpec("每项移交一个块，写明 移交对象::（纪检部 / 干部人事部 / 被巡察单位 / 有关部门）、"
                      "移交状态::（待移交 / 已移交 / 已反馈）、移交日期:: 和所依据的 底稿::。"),
            BlockSpec("问题线索移交纪检部的条目请加 密级:: 内部 —— 报告只计数，不引用内容。"),
        ], gen="guide:移交"),
        *(_heading(f"向{who}移交") for who in ("被巡察单位", "纪检部", "干部人事部", "有关部门")),
        _template(f"移交事项（{ctx.facts.round}·{ctx.facts.unit}）", "移交事项模板（用 /Template 插入）",
                  transfer_item),
    ))

    fb = _find_milestone(ctx.workflow, (("feedback_signed",), (cv.MILESTONE_FEEDBACK,)))
    rect_rules = [a for s in ctx.stages for a in s.activities
                  if a.deadline and fb is not None and a.deadline.anchor == fb.id]
    rect_guide = [BlockSpec(f"{a.name}：{_rule_text(ctx.workflow, a)}。截止日在 {ref(insp)} 填写 "
                            f"{fb.name if fb else cv.MILESTONE_FEEDBACK} 后确定。") for a in rect_rules]
    rect_item = BlockSpec("整改问题（一句话概括）", properties=(
        (cv.RECT_STATUS, "未启动"), (cv.RECT_OWNER, ""), (cv.RECT_DUE, ""), (cv.RECT_DRAFT, ""),
        (cv.P_INSPECTION, ref(insp))))
    rects = PageSpec(ctx.sub(cv.PAGE_RECT_LEDGER), (
        (cv.P_TYPE, ref(cv.TYPE_RECT_LEDGER)), (cv.P_INSPECTION, ref(insp))), (
        _heading("说明", [
            *rect_guide,
            BlockSpec("反馈意见中的每个问题一个块：整改状态::（未启动 / 整改中 / 已完成 / 已销号 / "
                      "长期整改）、责任人::、整改时限::（YYYY-MM-DD）、底稿::。"),
        ], gen="guide:整改"),
        _heading("整改事项"),
        _template(f"整改事项（{ctx.facts.round}·{ctx.facts.unit}）", "整改事项模板（用 /Template 插入）",
                  rect_item),
    ))
    return [issue, question, interview, drafts, transfers, rects]


def scaffold_inspection(workflow: Workflow, facts: InspectionFacts,
                        config: GraphConfig | None = None, *,
                        dates: Mapping[str, _dt.date] | None = None,
                        name: str | None = None) -> Scaffold:
    """Every file of a new inspection (pure).

    ``dates`` (milestone id → date) adds milestone dates beyond the facts' 进驻日/撤离日, and
    ``name`` the overview page's name as it stands in the graph; sync regenerates an existing
    inspection with both.
    """
    from xuncha_kb.inspection.whiteboard_gen import stage_whiteboard

    config = config or GraphConfig(name_format="triple-lowbar")
    stages = workflow.per_inspection_stages()
    if not stages:
        raise InputError(f"工作流程 {workflow.name} 没有“每次巡察”范围的阶段，无法生成巡察页面",
                         file=workflow.source)
    name = name or facts.name
    ids = {a.id: activity_uuid(name, a.id) for s in stages for a in s.activities}
    all_dates = {**milestone_dates(workflow, facts), **(dates or {})}
    ctx = _Ctx(workflow, facts, config, name, stages, all_dates, ids)
    files = [_page_file(_overview(ctx), "overview", config)]
    files.extend(_page_file(_stage_page(ctx, i), "stage", config) for i in range(len(stages)))
    files.extend(_page_file(p, "list" if i < 3 else "ledger", config) for i, p in enumerate(_lists(ctx)))
    wb_title = ctx.sub(cv.PAGE_WHITEBOARD)
    files.append(GeneratedFile(wb_title, whiteboard_relpath(wb_title, config), "whiteboard",
                               stage_whiteboard(wb_title, [(ctx.stage_page(s), s) for s in stages],
                                                seed=name, created=facts.entry)))
    return Scaffold(name, tuple(files), sum(len(s.activities) for s in stages))


# --- the yearly plan -----------------------------------------------------------------------

def scaffold_annual_plan(workflow: Workflow, year: int, config: GraphConfig | None = None) -> Scaffold:
    """The year's 巡察计划 page: the workflow's annual stages as tasks, and the year's inspections."""
    config = config or GraphConfig(name_format="triple-lowbar")
    from xuncha_kb.inspection.deadlines import OPTION_YEARS

    if year not in OPTION_YEARS:
        raise InputError(f"年度 {year} 不合理", hint="请用 --year 指定四位年份，例如 2026。")
    annual = tuple(s for s in workflow.stages if s.scope == "annual")
    if not annual:
        raise InputError(f"工作流程 {workflow.name} 没有“年度”范围的阶段", file=workflow.source)
    title = cv.annual_plan_page_name(year)
    ids = {a.id: activity_uuid(title, a.id) for s in annual for a in s.activities}
    blocks: list[BlockSpec] = [
        _heading("说明", [
            BlockSpec(f"{year} 年度巡察计划的制定与发布。完成一项就把 TODO 改为 DONE；"
                      "笔记写在任务下面的子块里。"),
            BlockSpec(f"本年度的每一轮巡察用 xuncha-kb scaffold 生成，概览页带有 年度:: {year}。"),
        ], gen="guide:annual"),
        _heading("本年度巡察", [BlockSpec(
            f"{{{{query (and (page-property type {cv.TYPE_INSPECTION}) "
            f"(page-property {cv.P_YEAR} {year}))}}}}",
            properties=(("query-properties", "[:page :被巡察单位 :轮次 :组长 :进驻日 :撤离日]"),))],
            gen="inspections"),
    ]
    for stage in annual:
        tasks = []
        for a in stage.activities:
            props: list[tuple[str, str]] = [(cv.P_ACTIVITY, a.id), (cv.P_ANNUAL_PLAN, ref(title))]
            actor = _actor_name(workflow, a.actor)
            if actor:
                props.append((cv.P_ACTOR, ref(actor)))
            if a.produces:
                names = [x.name if (x := workflow.artifact(p)) else p for p in a.produces]
                props.append((cv.P_PRODUCES, ", ".join(ref(f"{title}/{n}") for n in names)))
            deps = [f"(({ids[d]}))" for d in a.depends_on if d in ids]
            if deps:
                props.append((cv.P_DEPENDS, ", ".join(deps)))
            props.append(("id", ids[a.id]))
            tasks.append(BlockSpec(a.name, marker="TODO", properties=tuple(props)))
        blocks.append(_heading(f"{stage.name}（{len(stage.activities)} 项活动）",
                               gen=f"stage-intro:{stage.id}"))
        blocks.extend(tasks)
    page_props = ((cv.P_TYPE, ref(cv.TYPE_ANNUAL_PLAN)), (cv.P_YEAR, str(year)),
                  (cv.P_WORKFLOW, ref(workflow.name)))
    spec = PageSpec(title, page_props, tuple(blocks))
    return Scaffold(title, (_page_file(spec, "annual-plan", config),),
                    sum(len(s.activities) for s in annual))
