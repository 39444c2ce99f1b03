"""Definition blocks → ``Workflow``: the structural reading of a definition page.

Every problem (a missing or bad id, a duplicate, an unknown role, artifact or milestone, a bad
deadline) is collected as a ``Problem`` with its file and line; nothing is raised here.
``load.py`` reads the page and raises; ``dag.py`` checks the graph (cycles, reachability).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from xuncha_kb.model import Block, Span
from xuncha_kb.workflow import syntax as syn
from xuncha_kb.workflow.model import (
    Activity,
    Artifact,
    DeadlineRule,
    Milestone,
    Problem,
    ProblemKind,
    Role,
    RuleKind,
    Stage,
    StageScope,
    Workflow,
)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def err(self, kind: ProblemKind, message: str, block: Block | None) -> None:
        self.problems.append(Problem(kind, message, self.span(block)))

    def span(self, block: Block | None) -> Span | None:
        if block is None:
            return Span(self.file, 1)
        return Span(self.file, block.span.line, block.span.end_line)

    def prop(self, block: Block, key: str) -> str | None:
        v = block.properties.get(key)
        if v is None:
            return None
        v = v.strip()
        return v or None

    def prop_span(self, block: Block | None, key: str) -> Span:
        """Where property ``key`` of ``block`` is written (the block's first line if not found)."""
        if block is None:
            return Span(self.file, 1)
        return Span(self.file, block.span.line + _property_offset(block.content, key))

    def ident(self, block: Block | None, key: str, raw: str, what: str) -> str:
        """``raw`` (a ``[[ref]]`` around it stripped) as an id; one that breaks the id grammar
        (``syntax.ID_GRAMMAR``) is a syntax error at the line of the property."""
        ident = syn.strip_ref(raw)
        why = syn.id_problem(ident)
        if why is not None:
            self.problems.append(Problem("syntax", f"{what} id「{ident}」不合规：{why}",
                                         self.prop_span(block, key)))
        return ident


def _property_offset(content: str, key: str) -> int:
    """0-based line of ``key::`` (Markdown) or ``:key:`` (Org drawer) in a block's content."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}::|:{re.escape(key)}:)", re.IGNORECASE)
    for i, line in enumerate(content.split("\n")):
        if pattern.match(line):
            return i
    return 0


def _title(block: Block) -> str:
    return syn.block_title(block.title or block.content.split("\n", 1)[0])


def build_workflow(props: Mapping[str, str], blocks: Sequence[Block], file: str, *,
                   pre: Block | None = None) -> tuple[Workflow, list[Problem]]:
    """Build the dataclasses and collect structural problems (no graph checks).

    ``pre`` is the page-properties block, used only to give a bad ``流程id::`` its line.
    """
    b = _Builder(file)
    raw_wf_id = (props.get(syn.K_WORKFLOW_ID) or "").strip()
    wf_id = b.ident(pre, syn.K_WORKFLOW_ID, raw_wf_id, "流程") if raw_wf_id else "workflow"
    wf_name = (props.get(syn.K_WORKFLOW_NAME) or "").strip() or wf_id

    roles: list[tuple[Role, Block]] = []
    milestones: list[tuple[Milestone, Block]] = []
    artifacts: list[tuple[Artifact, Block]] = []
    stage_blocks: list[Block] = []
    for top in blocks:
        title = _title(top)
        if b.prop(top, syn.K_STAGE_ID) is not None or any(
            c.properties.get(syn.K_ACTIVITY_ID) for c in top.children
        ):
            stage_blocks.append(top)
        elif title == syn.SECTION_ROLES:
            roles = [x for c in top.children if (x := _role(b, c))]
        elif title == syn.SECTION_MILESTONES:
            milestones = [y for c in top.children if (y := _milestone(b, c))]
        elif title == syn.SECTION_ARTIFACTS:
            artifacts = [z for c in top.children if (z := _artifact(b, c))]
        # any other top-level block is a note for people; ignored

    _check_duplicates(b, "角色", [(r.id, blk) for r, blk in roles])
    _check_duplicates(b, "里程碑", [(m.id, blk) for m, blk in milestones])
    _check_duplicates(b, "产出", [(a.id, blk) for a, blk in artifacts])

    role_index = _index(((r.id, r.name, *r.aliases), r.id) for r, _ in roles)
    art_index = _index(((a.id, a.name), a.id) for a, _ in artifacts)
    ms_index = _index(((m.id, m.name), m.id) for m, _ in milestones)

    stages: list[Stage] = []
    for sb in stage_blocks:
        st = _stage(b, sb, role_index, art_index, ms_index)
        if st is not None:
            stages.append(st)
    if not stages:
        b.err("missing", "定义中没有阶段：每个阶段是一个顶层块，带 `阶段id::` 属性，活动是它的子块",
              blocks[0] if blocks else None)

    stages = _link_milestones(b, stages, milestones)
    wf = Workflow(
        id=wf_id, name=wf_name, stages=tuple(stages), roles=tuple(r for r, _ in roles),
        milestones=tuple(m for m, _ in milestones), artifacts=tuple(a for a, _ in artifacts), source=file,
    )
    return wf, b.problems


def _link_milestones(b: _Builder, stages: list[Stage], milestones: Sequence[tuple[Milestone, Block]]
                     ) -> list[Stage]:
    """Check each milestone's set_by here (the milestone's block has the line) and mirror it on
    the activity that sets it."""
    act_ids = {a.id for s in stages for a in s.activities}
    sets: dict[str, str] = {}
    for m, blk in milestones:
        if m.set_by is not None and m.set_by not in act_ids:
            b.err("unknown", f"里程碑「{m.name}」的设定活动 {m.set_by} 不存在", blk)
        elif m.set_by is not None:
            sets.setdefault(m.set_by, m.id)
    if not sets:
        return stages
    return [replace(s, activities=tuple(
        replace(a, sets_milestone=sets.get(a.id, a.sets_milestone)) for a in s.activities
    )) for s in stages]


def _index(entries: Iterable[tuple[tuple[str, ...], str]]) -> dict[str, str]:
    """name/alias/id (case-insensitive) → id; the first definition of a name wins."""
    out: dict[str, str] = {}
    for names, target in entries:
        for n in names:
            out.setdefault(n.strip().lower(), target)
    return out


def _check_duplicates(b: _Builder, what: str, items: Sequence[tuple[str, Block | None]]) -> None:
    seen: dict[str, Block | None] = {}
    for ident, blk in items:
        if ident in seen:
            first = seen[ident]
            where = f"（第一次出现在第 {first.span.line} 行）" if first is not None else ""
            b.err("duplicate", f"{what} id 重复：{ident}{where}", blk)
        else:
            seen[ident] = blk


def _role(b: _Builder, blk: Block) -> tuple[Role, Block] | None:
    name = _title(blk)
    rid = b.prop(blk, syn.K_ROLE_ID)
    if not rid:
        b.err("missing", f"角色「{name}」缺少 `角色id::`", blk)
        return None
    aliases = tuple(syn.split_list(b.prop(blk, syn.K_ALIASES) or ""))
    return Role(id=b.ident(blk, syn.K_ROLE_ID, rid, f"角色「{name}」的"), name=name, aliases=aliases), blk


def _milestone(b: _Builder, blk: Block) -> tuple[Milestone, Block] | None:
    name = _title(blk)
    mid = b.prop(blk, syn.K_MILESTONE_ID)
    if not mid:
        b.err("missing", f"里程碑「{name}」缺少 `里程碑id::`", blk)
        return None
    set_by = b.prop(blk, syn.K_SET_BY)
    ident = b.ident(blk, syn.K_MILESTONE_ID, mid, f"里程碑「{name}」的")
    return Milestone(id=ident, name=name, set_by=syn.strip_ref(set_by) if set_by else None), blk


def _flag(b: _Builder, blk: Block, key: str) -> bool:
    v = (b.prop(blk, key) or "").lower()
    if v in syn.TRUE_WORDS:
        return True
    if v not in syn.FALSE_WORDS:
        b.err("syntax", f"`{key}::` 的值应为 是 或 否，而不是「{v}」", blk)
    return False


def _artifact(b: _Builder, blk: Block) -> tuple[Artifact, Block] | None:
    name = _title(blk)
    aid = b.prop(blk, syn.K_ARTIFACT_ID)
    if not aid:
        b.err("missing", f"产出「{name}」缺少 `产出id::`", blk)
        return None
    ident = b.ident(blk, syn.K_ARTIFACT_ID, aid, f"产出「{name}」的")
    rules = tuple(r.strip() for r in (b.prop(blk, syn.K_RULES) or "").split(syn.RULES_SEPARATOR) if r.strip())
    return Artifact(id=ident, name=name, sensitive=_flag(b, blk, syn.K_SENSITIVE), rules=rules), blk


def _stage(b: _Builder, blk: Block, roles: dict[str, str], arts: dict[str, str],
           mss: dict[str, str]) -> Stage | None:
    name = _title(blk)
    raw_sid = b.prop(blk, syn.K_STAGE_ID)
    if not raw_sid:
        b.err("missing", f"阶段「{name}」缺少 `阶段id::`", blk)
        return None
    sid = b.ident(blk, syn.K_STAGE_ID, raw_sid, f"阶段「{name}」的")
    scope_text = b.prop(blk, syn.K_SCOPE) or "每次巡察"
    scope = syn.SCOPE_ALIASES.get(syn.strip_ref(scope_text).lower())
    if scope is None:
        b.err("syntax", f"阶段「{name}」的 `范围::` 应为 年度 或 每次巡察，而不是「{scope_text}」", blk)
        scope = "per_inspection"
    stated: int | None = None
    count_text = b.prop(blk, syn.K_STATED_COUNT)
    if count_text is not None:
        try:
            stated = int(count_text)
        except ValueError:
            b.err("syntax", f"阶段「{name}」的 `活动数::` 应为整数，而不是「{count_text}」", blk)
    acts = tuple(a for c in blk.children if (a := _activity(b, c, name, roles, arts, mss)))
    scope_lit: StageScope = "annual" if scope == "annual" else "per_inspection"
    return Stage(id=sid, name=name, activities=acts, scope=scope_lit,
                 stated_count=stated, span=b.span(blk))


def _activity(b: _Builder, blk: Block, stage: str, roles: dict[str, str], arts: dict[str, str],
              mss: dict[str, str]) -> Activity | None:
    name = _title(blk)
    aid = b.prop(blk, syn.K_ACTIVITY_ID)
    if not aid:
        if blk.properties or blk.children:
            b.err("missing", f"阶段「{stage}」下的活动「{name}」缺少 `活动id::`", blk)
        else:
            b.err("missing", f"阶段「{stage}」下的块「{name}」缺少 `活动id::`（每个子块是一项活动）", blk)
        return None
    aid = b.ident(blk, syn.K_ACTIVITY_ID, aid, f"活动「{name}」的" if name else "活动")
    if not name:
        b.err("missing", f"活动 {aid} 没有名称：请把活动名称写在块的第一行", blk)
    actor: str | None = None
    actor_text = b.prop(blk, syn.K_ACTOR)
    if actor_text:
        key = syn.strip_ref(actor_text).lower()
        actor = roles.get(key)
        if actor is None:
            b.err("unknown", f"活动 {aid} 的责任角色「{actor_text}」未在「角色」中定义", blk)
    produces: list[str] = []
    for n in syn.split_list(b.prop(blk, syn.K_PRODUCES) or ""):
        art = arts.get(n.lower())
        if art is None:
            b.err("unknown", f"活动 {aid} 的产出「{n}」未在「产出」中定义", blk)
        else:
            produces.append(art)
    depends = tuple(syn.split_list(b.prop(blk, syn.K_DEPENDS) or ""))
    deadline = _deadline(b, blk, aid, mss)
    return Activity(
        id=aid, name=name, actor=actor, produces=tuple(produces), depends_on=depends,
        deadline=deadline, subitems=tuple(_title(c) for c in blk.children),
        sensitive=_flag(b, blk, syn.K_SENSITIVE), span=b.span(blk),
    )


def _deadline(b: _Builder, blk: Block, aid: str, mss: dict[str, str]) -> DeadlineRule | None:
    text = b.prop(blk, syn.K_DEADLINE)
    if not text:
        for k in (syn.K_DEADLINE_KIND, syn.K_DEADLINE_SOURCE, syn.K_DEADLINE_TEXT):
            if b.prop(blk, k):
                b.err("missing", f"活动 {aid} 有 `{k}::` 但没有 `期限::`", blk)
        return None
    parsed = syn.parse_deadline(text)
    if parsed is None:
        b.err("syntax", f"活动 {aid} 的 `期限::` 无法识别：「{text}」；写法如 `反馈意见签收日 + 3个月`、"
              "`进驻日 - 10天`", blk)
        return None
    anchor_text, offset = parsed
    anchor = mss.get(syn.strip_ref(anchor_text).lower())
    if anchor is None:
        b.err("unknown", f"活动 {aid} 的期限以「{anchor_text}」为起点，但「里程碑」中没有这个里程碑", blk)
        return None
    kind_text = b.prop(blk, syn.K_DEADLINE_KIND) or "硬性"
    kind_val = syn.KIND_ALIASES.get(kind_text.lower())
    if kind_val is None:
        b.err("syntax", f"活动 {aid} 的 `期限类型::` 应为 硬性 或 提示，而不是「{kind_text}」", blk)
    kind: RuleKind = "soft" if kind_val == "soft" else "hard"
    source = b.prop(blk, syn.K_DEADLINE_SOURCE) or "default"
    return DeadlineRule(anchor=anchor, offset=offset, kind=kind, source=source,
                        text=b.prop(blk, syn.K_DEADLINE_TEXT), span=b.span(blk))
