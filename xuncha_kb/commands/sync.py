"""Sync: bring scaffolded inspections up to date with the current workflow and milestone dates.

Three-way, per generated block, by the scaffold manifest:

* **base** — the hash of the block's text as xuncha-kb generated it (``manifest.json``
  ``blocks``: keyed by the task's ``id::`` or by ``xuncha-generated:: <key>``);
* **ours** — the block as the generator makes it *now* (current workflow, milestone dates
  read from the overview page, so ``DEADLINE:`` lines follow the dates staff filled in);
* **theirs** — the block as it is on disk.

A task block's text is split into what the generator owns (the title after the marker, the
``DEADLINE:`` line, the generated property lines, the ``子项`` child TODOs) and what the user
owns (the task marker and priority, ``SCHEDULED:``, ``:LOGBOOK:``, every other property or body
line, every other child block).  If the generator-owned part still hashes to *base*, it is
replaced by *ours* and every user-owned line is copied through byte for byte; otherwise the
user edited generated text and the block is left exactly as it is and reported as a conflict.
Other generated blocks (headings) are replaced only when they are entirely untouched
(``collapsed::`` aside).  An activity removed from the workflow: its block is deleted only if
completely untouched, otherwise marked ``xuncha-removed::``.  A new activity's block is
inserted after its predecessor.  Blocks are found by ``id::`` anywhere in the graph, so a
task a user moved to a journal is updated there, never duplicated.  Unkeyed blocks, page
properties that exist and files the user deleted are never touched.

The plan is carried out by ``fs.apply.apply`` (compare-and-swap against the bytes read, graph
lock, manifest).  The per-block merge is ``generate/merge.py`` (pure); this module
reads the graph, generates *ours*, refreshes the whiteboard and drives the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xuncha_kb.commands.sync_whiteboard import whiteboard_result
from xuncha_kb.generate.merge import P_REMOVED, Layout, TopBlock, layout, strip_blank_tail, sync_page
from xuncha_kb.generate.merge_grammar import page_property
from xuncha_kb.generate.sync_plan import BlockNote, FileResult, SyncPlan
from xuncha_kb.model import Graph, GraphConfig, PageFormat
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.sensitive import NO_SECRETS, Secrets
from xuncha_kb.workflow.model import Workflow

if TYPE_CHECKING:
    from xuncha_kb.fs.apply import ApplyResult
    from xuncha_kb.fs.manifest import Manifest

__all__ = ["P_REMOVED", "BlockNote", "FileResult", "SyncPlan", "apply_sync", "generate", "plan_sync",
           "run_sync"]


# --- the whole graph ------------------------------------------------------------------------


def generate(workflow: Workflow, graph: Graph, inspection: str) -> Any:
    """Ours: the inspection's files as the generator makes them now (all milestone dates known)."""
    from xuncha_kb.generate.facts import facts_in_force
    from xuncha_kb.generate.inspection import scaffold_inspection
    from xuncha_kb.track.progress import task_uuids

    page = graph.page(inspection)
    current = facts_in_force(workflow, page) if page is not None else None
    if page is None or current is None:
        return None
    # the format the inspection was scaffolded in (its overview page's), not :preferred-format
    fmt: PageFormat = "org" if page.file.lower().endswith(".org") else "markdown"
    return scaffold_inspection(workflow, current.facts, graph.config, dates=current.dates, name=page.name,
                               uuids=task_uuids(graph, workflow, page.name), fmt=fmt)


# --- planning a sync over a graph ------------------------------------------------------------


_OURS_KINDS = ("overview", "stage", "list", "ledger", "whiteboard")
# A whiteboard to refresh once the pages are planned: (path, theirs, ours, the inspection's
# manifest entries, inspection, scaffold, stage redirects).
_Board = tuple[str, str | None, str, dict[str, Any], str, Any, dict[str, str]]


def plan_sync(root: Path, *, today: dt.date, graph: Graph | None = None,
              workflow: Workflow | None = None, use_cache: bool = True) -> SyncPlan:
    """Read the graph and the manifest; return what sync would change (nothing is written).

    The graph is read through the graph index: the pages that can matter to inspections, and
    every block id of the whole graph (a generated block the user moved elsewhere keeps its id).
    """
    from xuncha_kb.fs.eventlog import read_events
    from xuncha_kb.fs.layout import require_parent_folders
    from xuncha_kb.fs.manifest import read_manifest
    from xuncha_kb.live.events import stage_completion_dates
    from xuncha_kb.track.progress import compute_progress
    from xuncha_kb.workflow.load import active_workflow

    root = Path(root)
    if graph is None:
        from xuncha_kb.commands.graph_index import relevant_graph_and_ids

        graph, id_files = relevant_graph_and_ids(root, use_cache=use_cache)
    else:
        id_files = _block_id_files(graph)
    workflow = workflow or active_workflow(graph)
    manifest = read_manifest(root)
    completed = stage_completion_dates(read_events(root).events)
    secrets = Secrets.of_graph(graph)
    ours = [e for e in manifest.entries.values() if e.inspection and e.kind in _OURS_KINDS]
    for path in sorted({e.path for e in ours}):
        # A generated page whose folder is now a file is not "deleted by the user": refuse.
        require_parent_folders(root, path)
    inspections = sorted({e.inspection for e in ours if e.inspection})
    files: list[FileResult] = []
    notes: list[str] = []
    boards: list[_Board] = []
    for insp in inspections:
        now = _ours_now(workflow, graph, manifest, insp)
        if now is None:
            notes.append(f"巡察“{insp}”的概览页不存在或不是 type:: 巡察，已跳过")
            continue
        for path in _targets(now, id_files):
            _plan_file(root, path, now, id_files, today, graph.config, secrets, files, notes, boards)
    if boards:
        synced = _graph_after(graph, files)
        progress = compute_progress(synced, workflow, today)
        by_name = {i.name.lower(): i for i in progress.inspections}
        for path, theirs, content, entries, insp, scaffold, redirect in boards:
            files.append(whiteboard_result(path, theirs, content, entries, insp, by_name.get(insp.lower()),
                                           scaffold, redirect, completed, graph.config, notes))
    return SyncPlan(tuple(files), tuple(notes))


def _block_id_files(graph: Graph) -> dict[str, str]:
    """Each block ``id::`` in the graph → the file it is (first) found in."""
    id_files: dict[str, str] = {}
    for page in graph.pages:
        for b in page.walk():
            uid = b.properties.get("id")
            if uid:
                id_files.setdefault(uid.strip(), page.file)
    return id_files


@dataclass(frozen=True)
class _OursNow:
    """One inspection's files as the generator makes them now, beside what the manifest
    recorded of the last time (*base*)."""

    insp: str
    scaffold: Any
    entries: dict[str, Any]  # the inspection's manifest entries by path
    base: dict[str, str]  # block key → hash as generated last time
    redirect: dict[str, str]  # generated path → the existing page of a renamed stage
    text: dict[str, tuple[str, Any]]  # path → (generated text, its FileSpec)
    key_file: dict[str, str]  # block key → the path it is generated into
    blocks: dict[str, tuple[Layout, TopBlock]]  # block key → its generated top block
    hashes: dict[str, str]  # block key → hash as generated now
    removed: set[str]  # keys generated last time and no more


def _ours_now(workflow: Workflow, graph: Graph, manifest: Manifest, insp: str) -> _OursNow | None:
    scaffold = generate(workflow, graph, insp)
    if scaffold is None:
        return None
    entries = {e.path: e for e in manifest.for_inspection(insp)}
    base: dict[str, str] = {}
    for e in entries.values():
        base.update(e.blocks)
    # A renamed stage keeps its existing page: ours is merged into it.
    redirect = _stage_redirects(graph, insp, scaffold, config=graph.config)
    ours_text: dict[str, tuple[str, Any]] = {}
    for f in scaffold.files:
        ours_text[redirect.get(f.path, f.path)] = (f.content, f)
    ours_key_file: dict[str, str] = {}
    for path, (_, f) in ours_text.items():
        for k in f.blocks:
            ours_key_file[k] = path
    global_ours: dict[str, tuple[Layout, TopBlock]] = {}
    for path, (gen_text, _f) in ours_text.items():
        if path.endswith(".edn"):
            continue
        lay = layout(gen_text, path, graph.config)
        for tb in lay.blocks:
            if tb.key and not tb.key.startswith("generated:"):
                global_ours[tb.key] = (lay, tb)
    ours_hashes = {k: h for _, f in ours_text.values() for k, h in f.blocks.items()}
    removed = {k for k in base if not k.startswith("generated:") and k not in ours_key_file}
    return _OursNow(insp, scaffold, entries, base, redirect, ours_text, ours_key_file, global_ours,
                    ours_hashes, removed)


def _targets(now: _OursNow, id_files: Mapping[str, str]) -> list[str]:
    """The files sync looks at for one inspection: generated now or before, and every file
    holding one of its blocks (a task moved to a journal)."""
    targets = set(now.text) | {p for p in now.entries if not p.endswith(".edn")}
    targets |= {id_files[k] for k in (set(now.key_file) | now.removed) if k in id_files}
    return sorted(targets)


def _read_theirs(root: Path, path: str, notes: list[str]) -> tuple[bool, str | None]:
    """(readable, the file's text or None when there is none); an undecodable file is noted."""
    disk = root / path
    try:
        return True, disk.read_text(encoding="utf-8") if disk.is_file() else None
    except UnicodeDecodeError as exc:
        # Rewriting it would turn the user's bad bytes into U+FFFD: leave the file alone.
        line = exc.object[:exc.start].count(b"\n") + 1
        notes.append(f"{path}:{line}: 文件不是有效的 UTF-8 编码，未同步该文件；"
                     "请用 UTF-8 重新保存后再运行")
        return False, None


def _plan_file(root: Path, path: str, now: _OursNow, id_files: Mapping[str, str], today: dt.date,
               config: GraphConfig, secrets: Secrets, files: list[FileResult], notes: list[str],
               boards: list[_Board]) -> None:
    """Plan one target file of one inspection into ``files`` (whiteboards into ``boards``)."""
    readable, theirs = _read_theirs(root, path, notes)
    if not readable:
        return
    content: str | None = None
    gen: Any = None
    if path in now.text:
        content, gen = now.text[path]
    if path.endswith(".edn"):
        if gen is not None:  # after the pages: its colours come from the synced pages
            boards.append((path, theirs, content or "", now.entries, now.insp, now.scaffold, now.redirect))
        return
    if theirs is None and path in now.entries:
        notes.append(f"{path} 曾由 xuncha-kb 生成、之后被删除；保持删除，不重建")
        return
    gen_keys = set(gen.blocks) if gen else set()
    elsewhere = {k for k in gen_keys if k in id_files and id_files[k] != path}
    # generated blocks the user deleted stay deleted: a task id we generated that is
    # nowhere in the graph any more, or a generated heading this file's entry recorded
    file_base = now.entries[path].blocks if path in now.entries else {}
    gone = {k for k in gen_keys if not k.startswith("generated:") and k in now.base and k not in id_files}
    elsewhere |= gone | {k for k in gen_keys if k.startswith("generated:") and k in file_base}
    if gone:
        notes.append(f"{path}：{len(gone)} 个生成的任务块已被删除，保持删除，不重建")
    files.append(_sync_file(path, theirs, content, gen, now.base, now.hashes, now.removed, elsewhere,
                            now.blocks, today, now.insp, config, now.entries, secrets))


def _graph_after(graph: Graph, files: Sequence[FileResult]) -> Graph:
    """The graph as it will be once the planned page writes are done (for the whiteboard)."""
    from xuncha_kb.fs.listing import classify_path
    from xuncha_kb.fs.scan import page_from_text

    changed = {f.path: f.content for f in files if f.content is not None and not f.path.endswith(".edn")}
    if not changed:
        return graph
    pages = {p.file: p for p in graph.pages}
    for path, text in changed.items():
        kind = classify_path(graph.root, path, graph.config)
        if kind in ("page", "journal") and text is not None:
            pages[path] = page_from_text(text, path, kind, graph.config)[0]
    return Graph(root=graph.root, config=graph.config, pages=tuple(p for _, p in sorted(pages.items())),
                 whiteboards=graph.whiteboards, diagnostics=graph.diagnostics)


def _stage_redirects(graph: Graph, insp: str, scaffold: Any, *, config: GraphConfig) -> dict[str, str]:
    """Ours stage-page path → the existing page of the same stage id, when the names differ."""
    from xuncha_kb.model import page_key

    existing: dict[str, str] = {}
    for page in graph.pages:
        sid = page.properties.get(cv.P_STAGE)
        owner = [r for r in page.property_refs.get(cv.P_INSPECTION, ()) if page_key(r) == page_key(insp)]
        if sid and owner:
            existing.setdefault(sid.strip(), page.file)
    out = {}
    for f in scaffold.files:
        if f.kind != "stage":
            continue
        sid = page_property(f.content, f.path, cv.P_STAGE)  # ``阶段::``, or ``#+阶段:`` on Org
        if sid and sid in existing and existing[sid] != f.path:
            out[f.path] = existing[sid]
    return out


def _sync_file(path: str, theirs: str | None, ours: str | None, gen: Any, base: Mapping[str, str],
               ours_hashes: Mapping[str, str], removed: set[str], elsewhere: set[str],
               global_ours: Mapping[str, tuple[Layout, TopBlock]], today: dt.date, insp: str,
               config: GraphConfig, entries: Mapping[str, Any], secrets: Secrets = NO_SECRETS) -> FileResult:
    kind = gen.kind if gen is not None else (entries[path].kind if path in entries else "page")
    if theirs is None:
        return sync_page(path, None, ours, base_blocks={}, ours_blocks=gen.blocks if gen else {},
                         removed_keys=(), elsewhere=elsewhere, today=today, inspection=insp, kind=kind,
                         config=config, secrets=secrets) if ours is not None else \
            FileResult(path, None, None, {}, insp, kind)
    # keys of ours that live in this file although ours puts them elsewhere: merge in place
    t = layout(theirs, path, config)
    here = {tb.key for tb in t.blocks if tb.key}
    extra = {k: v for k, v in global_ours.items() if k in here and (gen is None or k not in gen.blocks)}
    merged_ours = ours
    if extra:
        merged_ours = _with_blocks(ours or "", extra)
    own_blocks = dict(gen.blocks) if gen else {}
    own_blocks.update({k: ours_hashes[k] for k in extra if k in ours_hashes})
    return sync_page(path, theirs, merged_ours, base_blocks={k: v for k, v in base.items() if k in here},
                     ours_blocks=own_blocks, removed_keys=removed & here, elsewhere=elsewhere | set(extra),
                     today=today, inspection=insp, kind=kind, config=config, secrets=secrets)


def _with_blocks(ours: str, extra: Mapping[str, tuple[Layout, TopBlock]]) -> str:
    """Ours text with some blocks of other ours pages appended (so they can be merged here)."""
    lines = ours.rstrip("\n").split("\n") if ours else []
    for lay, tb in extra.values():
        lines.extend(strip_blank_tail(lay.lines[tb.start:tb.end]))
    return "\n".join(lines) + "\n"


def apply_sync(plan: SyncPlan, root: Path) -> ApplyResult:
    """Write the plan through ``fs.apply`` (compare-and-swap on the bytes read, graph lock, manifest)."""
    from xuncha_kb.fs.apply import Create, Plan, Unchanged, Update, apply
    from xuncha_kb.fs.manifest import read_manifest

    manifest = read_manifest(root)
    actions: list[Create | Update | Unchanged] = []
    for f in plan.files:
        if f.content is None:
            # Already as wanted: make sure the manifest says so (a run that failed half-way may
            # have written the file without recording it).
            entry = manifest.get(f.path)
            if entry is not None and f.base_hash is not None and (
                    entry.hash != f.base_hash or (f.blocks and dict(entry.blocks) != dict(f.blocks))):
                actions.append(Unchanged(f.path, inspection=f.inspection, kind=f.kind, blocks=f.blocks,
                                         content_hash=f.base_hash))
            continue
        if f.base_hash is None:
            actions.append(Create(f.path, f.content, inspection=f.inspection, kind=f.kind, blocks=f.blocks))
        else:
            actions.append(Update(f.path, f.content, base_hash=f.base_hash, inspection=f.inspection,
                                  kind=f.kind, blocks=f.blocks))
    return apply(Plan(tuple(actions), "sync"), root)


def run_sync(root: Path, *, today: dt.date, dry_run: bool,
             use_cache: bool = True) -> tuple[SyncPlan, ApplyResult | None]:
    """The ``sync`` command: plan, and unless ``dry_run`` apply.  Returns (plan, apply result or None)."""
    from xuncha_kb.fs.scan import graph_root

    root = graph_root(root)
    plan = plan_sync(root, today=today, use_cache=use_cache)
    if dry_run:
        return plan, None
    result = apply_sync(plan, root)  # also when nothing is written: the manifest may need repair
    return plan, result if plan.writes else None


def sync_command(root: Path, today: str | None, *, dry_run: bool, as_json: bool,
                 use_cache: bool = True) -> list[str]:
    """``sync``: run it (``today`` as the user wrote it, None: today); the lines to print, the
    plan and the result as one JSON document or as text."""
    import json

    from xuncha_kb.track.deadlines import parse_today

    plan, result = run_sync(root, today=parse_today(today), dry_run=dry_run, use_cache=use_cache)
    if as_json:
        out = {"dry_run": dry_run, "plan": plan.as_dict(), "result": result.as_dict() if result else None}
        return [json.dumps(out, ensure_ascii=False, indent=2)]
    lines = [plan.render()]
    if dry_run and plan.writes:
        lines.append("（--dry-run：未写入任何文件）")
    elif result is not None:
        lines.append(result.render())
    return lines
