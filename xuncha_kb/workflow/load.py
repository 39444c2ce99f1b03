"""Definition page → ``Workflow``; the shipped default; a graph's own definition.

``load_definition(path)`` reads one definition file, ``definition_from_page(page)`` builds
from an already-parsed page, ``default_workflow()`` loads the definition shipped in
``graph_templates/workflow/`` and ``active_workflow(graph)`` returns the graph's own
definition (a page with ``type:: [[巡察工作流程定义]]``) or else the default.

Every problem is collected with its file and line; if any is an error the loader raises one
``DefinitionInvalid`` (a ``WorkflowError``, exit code 2) listing all of them, so a user sees
every mistake in one run.  Structural checks live here; graph checks (cycles, reachability)
in ``dag.py``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from xuncha_kb.errors import WorkflowError
from xuncha_kb.model import Block, Graph, Page, Span
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


class DefinitionInvalid(WorkflowError):
    """A definition with errors; ``problems`` lists all of them (errors and warnings)."""

    def __init__(self, problems: Sequence[Problem], source: str | None) -> None:
        errors = [p for p in problems if p.severity == "error"]
        first = errors[0] if errors else None
        lines = [str(p) for p in errors[1:]]
        message = first.message if first else "工作流程定义无效"
        if lines:
            message += f"\n另有 {len(lines)} 处错误：\n" + "\n".join("  " + ln for ln in lines)
        super().__init__(
            message,
            file=(first.span.file if first and first.span else source),
            line=(first.span.line if first and first.span else None),
            hint="修改工作流程定义后用 `xuncha-kb workflow check 文件` 重新检查。",
        )
        self.problems = tuple(problems)


# --- reading the page ------------------------------------------------------------------


def parse_definition_text(text: str, file: str) -> tuple[Mapping[str, str], tuple[Block, ...]]:
    """Page properties and top-level blocks of a definition page, via the Logseq reader."""
    props, _, blocks = _definition_parts(text, file)
    return props, blocks


def _definition_parts(text: str, file: str) -> tuple[Mapping[str, str], Block | None, tuple[Block, ...]]:
    """Page properties, the page-properties block (for lines) and the other top-level blocks."""
    from xuncha_kb.logseq.page import parse_text

    parsed = parse_text(text, file, "markdown")
    return parsed.properties, _pre_block(parsed.blocks), tuple(b for b in parsed.blocks if not b.pre_block)


def _pre_block(blocks: Sequence[Block]) -> Block | None:
    return next((b for b in blocks if b.pre_block), None)


def read_definition_file(path: Path | str, shown: str) -> str:
    """A definition file's text; a missing, unreadable or non-UTF-8 file is a ``WorkflowError``,
    and so is one that is not a regular file (a folder, a FIFO — never opened)."""
    from xuncha_kb.inputfile import input_file_problem

    what = input_file_problem(Path(path))
    if what is not None:
        raise WorkflowError(f"工作流程定义文件{what}，无法读取", file=shown,
                            hint="请指定一个 Markdown 定义文件（.md）。")
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WorkflowError("找不到或无法读取工作流程定义文件：文件不存在", file=shown,
                            hint="检查路径；内置默认定义见 `xuncha-kb workflow show`。") from None
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise WorkflowError("工作流程定义文件不是有效的 UTF-8 编码", file=shown, line=line,
                            hint="请用 UTF-8 重新保存该文件。") from None
    except OSError as exc:
        raise WorkflowError(f"找不到或无法读取工作流程定义文件：{exc.strerror or exc}", file=shown) from None


def load_definition(path: Path | str, *, display: str | None = None) -> Workflow:
    """Read and validate one definition file.  Raises ``WorkflowError`` (exit 2)."""
    return check_definition(path, display=display)[0]


def check_definition(path: Path | str, *, display: str | None = None) -> tuple[Workflow, list[Problem]]:
    """Load and validate; returns the warnings too (errors raise ``DefinitionInvalid``)."""
    shown = display or str(path)
    return check_text(read_definition_file(path, shown), shown)


def check_text(text: str, file: str) -> tuple[Workflow, list[Problem]]:
    props, pre, blocks = _definition_parts(text, file)
    return _checked(props, blocks, file, pre)


def load_definition_text(text: str, file: str) -> Workflow:
    return check_text(text, file)[0]


def definition_from_page(page: Page) -> Workflow:
    """Build and validate the definition held by a page already read from a graph."""
    return check_page(page)[0]


def check_page(page: Page) -> tuple[Workflow, list[Problem]]:
    """``definition_from_page`` that also returns the warnings."""
    blocks = tuple(b for b in page.blocks if not b.pre_block)
    return _checked(page.properties, blocks, page.file, _pre_block(page.blocks))


def _checked(props: Mapping[str, str], blocks: Sequence[Block], file: str,
             pre: Block | None = None) -> tuple[Workflow, list[Problem]]:
    """Build, then validate; raise ``DefinitionInvalid`` if anything is an error."""
    wf, problems = build_workflow(props, blocks, file, pre=pre)
    from xuncha_kb.workflow.dag import validate

    problems += validate(wf, catalogues=False)
    if any(p.severity == "error" for p in problems):
        raise DefinitionInvalid(problems, file)
    return wf, problems


# --- building --------------------------------------------------------------------------


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

    # milestones: check set_by here (the milestone's block has the line), mirror it on the activity
    act_ids = {a.id for s in stages for a in s.activities}
    sets: dict[str, str] = {}
    ms_out: list[Milestone] = []
    for m, blk in milestones:
        if m.set_by is not None and m.set_by not in act_ids:
            b.err("unknown", f"里程碑「{m.name}」的设定活动 {m.set_by} 不存在", blk)
        elif m.set_by is not None:
            sets.setdefault(m.set_by, m.id)
        ms_out.append(m)
    if sets:
        stages = [replace(s, activities=tuple(
            replace(a, sets_milestone=sets.get(a.id, a.sets_milestone)) for a in s.activities
        )) for s in stages]

    wf = Workflow(
        id=wf_id, name=wf_name, stages=tuple(stages), roles=tuple(r for r, _ in roles),
        milestones=tuple(ms_out), artifacts=tuple(a for a, _ in artifacts), source=file,
    )
    return wf, b.problems


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
    return Artifact(id=ident, name=name, sensitive=_flag(b, blk, syn.K_SENSITIVE)), blk


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


# --- the default and a graph's own definition ------------------------------------------


@functools.lru_cache(maxsize=1)
def default_workflow() -> Workflow:
    """The curated 巡察 workflow shipped in ``graph_templates/workflow/``."""
    from xuncha_kb.workflow.templates import DEFAULT_DEFINITION, read_template

    text = read_template(DEFAULT_DEFINITION)
    return load_definition_text(text, f"graph_templates/{DEFAULT_DEFINITION}")


def is_definition_page(page: Page) -> bool:
    refs = page.property_refs.get(syn.K_TYPE, ())
    if any(r.strip().lower() == syn.DEFINITION_TYPE for r in refs):
        return True
    raw = page.properties.get(syn.K_TYPE, "")
    return syn.DEFINITION_TYPE in syn.split_list(raw)


def definition_pages(graph: Graph) -> list[Page]:
    """Every page of the graph marked ``type:: [[巡察工作流程定义]]``, by file name."""
    return sorted((p for p in graph.pages if is_definition_page(p)), key=lambda p: p.file)


def find_definition_page(graph: Graph) -> Page | None:
    """The graph's own definition page (the first by file name if there are several)."""
    pages = definition_pages(graph)
    return pages[0] if pages else None


def active_workflow(graph: Graph | None) -> Workflow:
    """The graph's own definition if it has one, else the shipped default.

    A graph's definition that does not validate raises ``DefinitionInvalid`` rather than
    silently falling back: the office meant to use it.
    """
    if graph is not None:
        page = find_definition_page(graph)
        if page is not None:
            return definition_from_page(page)
    return default_workflow()


def strip_spans(wf: Workflow) -> Workflow:
    """The same workflow without spans and source (for comparing definitions)."""
    stages = tuple(
        replace(s, span=None, activities=tuple(
            replace(a, span=None, deadline=replace(a.deadline, span=None) if a.deadline else None)
            for a in s.activities
        ))
        for s in wf.stages
    )
    return replace(wf, stages=stages, source=None)
