"""The parts every generated page is built from (pure): the result types (``GeneratedFile``,
``Scaffold``), stable task ids, graph-relative paths, headings, and the deadline and actor
text shared by the inspection pages, the lists and the annual plan.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from xuncha_kb.filespec import FileSpec, content_hash
from xuncha_kb.generate.facts import InspectionFacts
from xuncha_kb.logseq.render import BlockSpec, PageSpec, block_lines, render_page
from xuncha_kb.model import GraphConfig, PageFormat
from xuncha_kb.track import conventions as cv
from xuncha_kb.workflow.model import Activity, Stage, Workflow

GENERATOR_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://xuncha-kb.invalid/scaffold")

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


def page_relpath(title: str, config: GraphConfig, fmt: PageFormat = "markdown") -> str:
    from xuncha_kb.logseq.names import safe_title_to_relpath

    return safe_title_to_relpath(title, config, fmt=fmt)


def whiteboard_relpath(title: str, config: GraphConfig) -> str:
    page = page_relpath(title, config)  # same name checks (length, reserved parts)
    body = page.rsplit("/", 1)[-1][: -len(".md")]
    return f"{config.whiteboards_dir.strip('/') or 'whiteboards'}/{body}.edn"


def task_marker(config: GraphConfig) -> str:
    """The marker of a new task, as Logseq itself writes it: LATER under ``:preferred-workflow
    :now``, TODO under ``:todo``."""
    return "LATER" if config.preferred_workflow == "now" else "TODO"


def _block_hashes(blocks: Sequence[BlockSpec], config: GraphConfig,
                  fmt: PageFormat = "markdown") -> dict[str, str]:
    """Block key → hash of its generated text, in the page's format, with the marker this graph's
    tasks are written with read as TODO (``Grammar.hashed_form``): the marker belongs to the user,
    sync compares a task's generated part with its marker reset to TODO
    (``merge.task_normal_form``), and a removed task's whole text in the same hashed form."""
    from xuncha_kb.generate.merge_grammar import MARKDOWN, ORG
    from xuncha_kb.generate.org_render import org_block_lines

    lines_of, grammar = (org_block_lines, ORG) if fmt == "org" else (block_lines, MARKDOWN)
    written = task_marker(config)
    out: dict[str, str] = {}

    def visit(spec: BlockSpec, level: int) -> None:
        props = dict(spec.properties)
        key = props.get("id") or (f"generated:{props[cv.P_GENERATED]}" if cv.P_GENERATED in props else None)
        if key:
            out[key] = content_hash("\n".join(grammar.hashed_form(lines_of(spec, level), written)) + "\n")
        for c in spec.children:
            visit(c, level + 1)

    for b in blocks:
        visit(b, 1)
    return out


def page_file(spec: PageSpec, kind: str, config: GraphConfig, fmt: PageFormat = "markdown") -> GeneratedFile:
    """The page as a file: Markdown, or Org (``fmt="org"``: what a ``:preferred-format :org``
    graph gets from scaffold)."""
    if fmt == "org":
        from xuncha_kb.generate.org_render import render_org_page

        text = render_org_page(spec)
    else:
        text = render_page(spec)
    return GeneratedFile(spec.name, page_relpath(spec.name, config, fmt), kind, text,
                         _block_hashes(spec.blocks, config, fmt))


# --- helpers shared by the page builders ----------------------------------------------------

def ref(name: str) -> str:
    return f"[[{name}]]"


def _gen(key: str) -> tuple[str, str]:
    return (cv.P_GENERATED, key)


def heading(text: str, children: Sequence[BlockSpec] = (), *, gen: str | None = None,
             extra: Sequence[tuple[str, str]] = ()) -> BlockSpec:
    props = [_gen(gen)] if gen else []
    props.extend(extra)
    return BlockSpec(f"## {text}", properties=tuple(props), children=tuple(children))


def rule_text(workflow: Workflow, act: Activity) -> str | None:
    from xuncha_kb.track.deadlines import describe_offset

    rule = act.deadline
    if rule is None:
        return None
    m = workflow.milestone(rule.anchor)
    anchor = m.name if m else rule.anchor
    kind = "硬性期限" if rule.kind == "hard" else "提示期限"
    return f"{anchor} {describe_offset(rule.offset)}（{kind}）"


def due_date(act: Activity, dates: Mapping[str, _dt.date]) -> _dt.date | None:
    from xuncha_kb.track.deadlines import add_offset

    if act.deadline is None or act.deadline.anchor not in dates:
        return None
    return add_offset(dates[act.deadline.anchor], act.deadline.offset)


def artifact_page(inspection: str, name: str) -> str:
    return cv.sub_page_name(inspection, ARTIFACT_PAGES.get(name, name))


def actor_name(workflow: Workflow, actor: str | None) -> str | None:
    if not actor:
        return None
    role = workflow.role(actor)
    return role.name if role else actor


# --- the inspection's pages ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InspectionContext:
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


def produced_pages(ctx: InspectionContext, act: Activity) -> list[str]:
    """Pages an activity's artifacts live on (deduplicated, in the workflow's order)."""
    names = [art.name if (art := ctx.workflow.artifact(p)) else p for p in act.produces]
    return list(dict.fromkeys(artifact_page(ctx.name, n) for n in names))

