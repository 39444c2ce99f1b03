"""Workflow → definition page, the inverse of ``load``: a ``PageSpec``, rendered here as
Logseq Markdown (the command layer renders the same spec as Org via ``generate.org_render``).

Pure: returns the text; the CLI writes it through ``fs.atomic``.  Names are written where
staff read them (actor = role name, produces = artifact names) and ids where names are long
or may repeat (``前置:: prep.01, prep.02``).  ``load(render(wf))`` gives ``wf`` back (spans
and the source file aside) — the round trip is tested.
"""

from __future__ import annotations

from collections.abc import Iterable

from xuncha_kb.logseq.render import BlockSpec, PageSpec, render_page
from xuncha_kb.workflow import syntax as syn
from xuncha_kb.workflow.model import Activity, Artifact, DeadlineRule, Milestone, Role, Stage, Workflow


def _value(text: str) -> str:
    """A property value on one line (Logseq properties cannot span lines)."""
    return " ".join(text.split())


def _block(title: str, props: Iterable[tuple[str, str]] = (),
           children: Iterable[BlockSpec] = ()) -> BlockSpec:
    return BlockSpec(title, properties=tuple((k, _value(v)) for k, v in props), children=tuple(children))


def _unique(names: list[str]) -> bool:
    return len(set(names)) == len(names)


def definition_spec(wf: Workflow, *, note: str | None = None) -> PageSpec:
    """The definition page as a :class:`PageSpec` (rendered as Markdown or Org).  ``note``
    becomes a first 说明 block (ignored by the loader)."""
    blocks: list[BlockSpec] = []
    if note:
        lines = [ln.strip() for ln in note.strip().splitlines() if ln.strip()]
        blocks.append(_block("## 说明", children=[_block(ln) for ln in lines]))

    role_names = [r.name for r in wf.roles]
    art_names = [a.name for a in wf.artifacts]
    by_role = {r.id: (r.name if _unique(role_names) else r.id) for r in wf.roles}
    by_art = {a.id: (a.name if _unique(art_names) else a.id) for a in wf.artifacts}
    by_ms = {m.id: m.name for m in wf.milestones}

    blocks += _catalogues(wf)
    for st in wf.stages:
        acts = [_block(act.name, _activity_props(act, by_role, by_art, by_ms),
                       [_block(sub) for sub in act.subitems]) for act in st.activities]
        blocks.append(_block(f"## {st.name}", _stage_props(st), acts))
    props = [
        (syn.K_TYPE, f"[[{syn.DEFINITION_TYPE}]]"),
        (syn.K_WORKFLOW_ID, wf.id),
        (syn.K_WORKFLOW_NAME, _value(wf.name)),
        (syn.K_FORMAT_VERSION, syn.FORMAT_VERSION),
    ]
    return PageSpec(_value(wf.name), properties=tuple(props), blocks=tuple(blocks))


def render_definition(wf: Workflow, *, note: str | None = None) -> str:
    """The whole definition page as Logseq Markdown (the Org page renders the same
    :func:`definition_spec` with ``generate.org_render``)."""
    spec = definition_spec(wf, note=note)
    text = render_page(spec)
    return text if spec.blocks else text + "\n"  # the page-properties block ends with a blank line


def _catalogues(wf: Workflow) -> list[BlockSpec]:
    """The 角色, 里程碑 and 产出 sections (each only when the workflow has any)."""
    out: list[BlockSpec] = []
    if wf.roles:
        out.append(_block(f"## {syn.SECTION_ROLES}",
                          children=[_block(r.name, _role_props(r)) for r in wf.roles]))
    if wf.milestones:
        out.append(_block(f"## {syn.SECTION_MILESTONES}",
                          children=[_block(m.name, _milestone_props(m)) for m in wf.milestones]))
    if wf.artifacts:
        out.append(_block(f"## {syn.SECTION_ARTIFACTS}",
                          children=[_block(a.name, _artifact_props(a)) for a in wf.artifacts]))
    return out


def _role_props(r: Role) -> list[tuple[str, str]]:
    props = [(syn.K_ROLE_ID, r.id)]
    if r.aliases:
        props.append((syn.K_ALIASES, ", ".join(r.aliases)))
    return props


def _milestone_props(m: Milestone) -> list[tuple[str, str]]:
    props = [(syn.K_MILESTONE_ID, m.id)]
    if m.set_by:
        props.append((syn.K_SET_BY, m.set_by))
    return props


def _artifact_props(a: Artifact) -> list[tuple[str, str]]:
    props = [(syn.K_ARTIFACT_ID, a.id)]
    if a.sensitive:
        props.append((syn.K_SENSITIVE, "是"))
    if a.rules:
        props.append((syn.K_RULES, syn.RULES_SEPARATOR.join(a.rules)))
    return props


def _stage_props(st: Stage) -> list[tuple[str, str]]:
    props = [(syn.K_STAGE_ID, st.id), (syn.K_SCOPE, syn.SCOPE_TEXT[st.scope])]
    if st.stated_count is not None:
        props.append((syn.K_STATED_COUNT, str(st.stated_count)))
    return props


def _deadline_props(rule: DeadlineRule, by_ms: dict[str, str]) -> list[tuple[str, str]]:
    anchor = by_ms.get(rule.anchor, rule.anchor)
    props = [
        (syn.K_DEADLINE, f"{anchor} {syn.offset_text(rule.offset)}"),
        (syn.K_DEADLINE_KIND, syn.KIND_TEXT[rule.kind]),
        (syn.K_DEADLINE_SOURCE, rule.source),
    ]
    if rule.text:
        props.append((syn.K_DEADLINE_TEXT, rule.text))
    return props


def _activity_props(act: Activity, by_role: dict[str, str], by_art: dict[str, str],
                    by_ms: dict[str, str]) -> list[tuple[str, str]]:
    props = [(syn.K_ACTIVITY_ID, act.id)]
    if act.actor:
        props.append((syn.K_ACTOR, by_role.get(act.actor, act.actor)))
    if act.produces:
        props.append((syn.K_PRODUCES, ", ".join(by_art.get(a, a) for a in act.produces)))
    if act.depends_on:
        props.append((syn.K_DEPENDS, ", ".join(act.depends_on)))
    if act.deadline:
        props += _deadline_props(act.deadline, by_ms)
    if act.sensitive:
        props.append((syn.K_SENSITIVE, "是"))
    return props
