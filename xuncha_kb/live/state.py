"""Incremental live state of a graph for ``watch``: changed paths in, events out.

What is kept in memory:

* a compact :class:`~xuncha_kb.fs.cache.FileEntry` per file (stamp, kind, name, the set of
  property keys used, diagnostics) — also what the warm-start cache stores;
* parsed :class:`Page` objects only for files that can matter to inspections ("relevant"
  pages, see ``live/relevance.py``), so progress is computed over a small graph and never
  needs a rescan; a 10,000-page graph with a few inspections keeps a few hundred pages;
* the last progress :class:`~xuncha_kb.live.events.Snapshot`.

A batch of changes re-reads only the given paths (stat first; an unchanged stamp is a
no-op), updates the index, rebuilds the small graph and diffs the new snapshot against the
old one.  A path that vanished is a deleted page; one that does not decode or parse becomes a
diagnostic and the rest of the graph goes on.

The ``watch`` command around it (loop, report page, clean stop) is ``commands/watch.py``.
Reading goes through ``live/reader.py``; ``live/snapshot.py`` turns a progress result into
the snapshot events are diffed from.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xuncha_kb.fs.cache import FileEntry, Index, fingerprint, load_index, save_index
from xuncha_kb.fs.ownwrites import OwnWrites
from xuncha_kb.fs.watch import Change, is_ignored
from xuncha_kb.live.entries import EntryTable, may_mark
from xuncha_kb.live.events import DiagnosticState, Event, Snapshot, diff
from xuncha_kb.live.reader import CONFIG_REL, Reader, ScanReader
from xuncha_kb.live.relevance import PAGE_KINDS, entry_for, is_core_entry, is_relevant
from xuncha_kb.live.snapshot import reported_states, snapshot_from_progress
from xuncha_kb.model import Diagnostic, Graph, GraphConfig, Page
from xuncha_kb.track.sensitive import Secrets
from xuncha_kb.workflow.model import Workflow

if TYPE_CHECKING:
    from xuncha_kb.track.deadlines import Thresholds
    from xuncha_kb.track.progress_model import Progress

BULK_BATCH = 64  # a batch with more paths than this indexes unrelated pages without parsing them


# --- the live state -----------------------------------------------------------------------

def _now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class BatchResult:
    events: list[Event] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # paths whose content changed (not ours)
    own: list[str] = field(default_factory=list)  # paths that changed because xuncha-kb wrote them
    reloaded: bool = False  # config changed: everything was read again


class LiveGraph:
    """The graph as watch sees it; feed it batches with :meth:`apply`."""

    def __init__(self, root: Path, *, reader: Reader | None = None,
                 today: Callable[[], dt.date] = dt.date.today,
                 workflow_loader: Callable[[Graph], Workflow] | None = None,
                 own_writes: OwnWrites | None = None, use_cache: bool = True,
                 thresholds: Thresholds | None = None) -> None:
        self.root = Path(root)
        self.reader: Reader = reader or ScanReader()
        self.today = today
        self.own = own_writes or OwnWrites()
        self.use_cache = use_cache
        self.thresholds = thresholds
        self._workflow_loader = workflow_loader
        self.config = GraphConfig()
        self.config_diags: list[Diagnostic] = []
        self.table = EntryTable()
        self.index: dict[str, FileEntry] = self.table.entries
        self.pages: dict[str, Page] = {}  # relevant pages only
        self.core_names: set[str] = set()
        self._marked: frozenset[str] = frozenset()  # Secrets.marked at the last compute
        self._salt = os.urandom(16)  # for the tokens that stand in for sensitive file names
        self.workflow: Workflow | None = None
        self.workflow_diags: list[Diagnostic] = []
        self.snapshot = Snapshot()
        self.progress: Progress | None = None
        self.stats: dict[str, int] = {}
        self._fingerprint = ""
        self._index_dirty = False

    # -- start ------------------------------------------------------------------------------

    def start(self) -> LiveGraph:
        """Read the graph (warm from the cache where stamps match) and compute the first snapshot."""
        cfg, raw, diags = self.reader.config(self.root)
        self.config, self.config_diags = cfg, diags
        self._fingerprint = fingerprint(raw)
        cached = load_index(self.root, self._fingerprint) if self.use_cache else Index()
        self.table.clear()
        self.pages.clear()
        parsed = reused = scanned = 0
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            fresh: dict[str, Page] = {}
            for rel, kind, st in self._walk():
                entry = cached.entries.get(rel)
                if entry is not None and entry.kind == kind and entry.stamp_matches(st):
                    self._set(rel, entry)
                    reused += 1
                    continue
                q = self.reader.quick(self.root, rel, kind, st, self.config)
                if q is not None:
                    self._set(rel, q)
                    scanned += 1
                    continue
                page, pdiags = self._read(rel)
                parsed += 1
                self._set(rel, entry_for(page, kind, st, pdiags))
                if page is not None and (kind in PAGE_KINDS):
                    fresh[rel] = page
            self._recompute_core()
            for rel, entry in self.index.items():
                if not is_relevant(entry, self.core_names):
                    continue
                page = fresh.get(rel)
                if page is None:
                    page, pdiags = self._read(rel)
                    parsed += 1
                    old = self.index[rel]  # a quick entry: now known in full
                    self._set(rel, entry_for(page, old.kind, (old.mtime_ns, old.size), pdiags))
                if page is not None:
                    self.pages[rel] = page
            parsed += self._exact_tags()
        finally:
            if was_enabled:
                gc.enable()
        self._index_dirty = parsed + scanned > 0 or len(cached.entries) != len(self.index)
        self.stats = {"files": len(self.index), "parsed": parsed, "reused": reused, "scanned": scanned,
                      "relevant": len(self.pages)}
        self.save_cache()
        self._load_workflow()
        self.snapshot = self._compute()
        return self

    def _walk(self) -> Iterable[tuple[str, str, os.stat_result]]:
        for rel, kind in self.reader.files(self.root, self.config):
            if kind not in PAGE_KINDS or is_ignored(rel):
                continue
            st = self.reader.stat(self.root, rel)
            if st is not None:
                yield rel, kind, st

    def _read(self, rel: str) -> tuple[Page | None, list[Diagnostic]]:
        try:
            return self.reader.page(self.root, rel, self.config)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return None, [Diagnostic(rel, 1, f"无法读取：{exc}", "error")]

    def _set(self, rel: str, entry: FileEntry) -> None:
        self.table.put(rel, entry)

    def _recompute_core(self) -> None:
        self.core_names = self.table.core_names()

    def _may_mark(self, entry: FileEntry) -> bool:
        return may_mark(entry, self._marked, self.core_names)

    def _exact_tags(self) -> int:
        """Parse the quick-scanned pages whose (superset) tags may mark them, until none is left,
        so that the pages left out are marked exactly as a whole-graph read marks them."""
        parsed = 0
        while True:
            secrets = Secrets.of_graph(self.graph())
            self._marked = secrets.marked
            suspects = self.table.suspects(self._marked, self.core_names)
            if not suspects:
                return parsed
            for rel in suspects:
                old = self.index[rel]
                page, pdiags = self._read(rel)
                parsed += 1
                self._set(rel, entry_for(page, old.kind, (old.mtime_ns, old.size), pdiags))

    def save_cache(self) -> None:
        if not self.use_cache or not self._index_dirty:
            return
        try:
            save_index(self.root, Index(entries=dict(self.index), fingerprint=self._fingerprint))
            self._index_dirty = False
        except Exception:  # the cache is advisory: a read-only graph still watches fine
            self._index_dirty = False

    # -- computing ----------------------------------------------------------------------------

    def graph(self) -> Graph:
        """The small graph of relevant pages (what progress and reports are computed from)."""
        pages = tuple(p for _, p in sorted(self.pages.items()))
        left_out = self.table.left_out(self.pages)
        return Graph(root=self.root, config=self.config, pages=pages, diagnostics=tuple(self.diagnostics()),
                     left_out=left_out)

    def reported_diagnostics(self) -> frozenset[DiagnosticState]:
        """Errors and warnings as events see them; a sensitive page is never named."""
        return reported_states(self.diagnostics(), self._name_of, self.table.secret_files, self._salt)

    def _name_of(self, rel: str) -> str | None:
        entry = self.index.get(rel)
        return entry.name if entry is not None else None

    def diagnostics(self) -> list[Diagnostic]:
        out = list(self.config_diags) + list(self.workflow_diags)
        for diags in self.table.diag_files.values():
            out.extend(diags)
        return out

    def _load_workflow(self) -> None:
        from xuncha_kb.errors import XunchaError

        loader = self._workflow_loader
        if loader is None:
            from xuncha_kb.workflow.load import active_workflow

            loader = active_workflow
        try:
            self.workflow = loader(self.graph())
            self.workflow_diags = []
        except XunchaError as exc:  # keep the last good workflow; report why
            self.workflow_diags = [Diagnostic(exc.file or CONFIG_REL, exc.line or 1,
                                              f"工作流程定义无效：{exc.message}", "error")]
            if self.workflow is None:
                from xuncha_kb.workflow.load import default_workflow

                self.workflow = default_workflow()

    def _compute(self) -> Snapshot:
        from xuncha_kb.track.progress import compute_progress

        assert self.workflow is not None
        graph = self.graph()
        progress = compute_progress(graph, self.workflow, self.today(), thresholds=self.thresholds)
        self.progress = progress
        order = tuple(s.id for s in self.workflow.stages)
        return snapshot_from_progress(progress, self.reported_diagnostics(), order)

    # -- batches ------------------------------------------------------------------------------

    def apply(self, batch: Iterable[Change], *, at: str | None = None) -> BatchResult:
        """Re-read the changed paths, update the state, return the events since the last batch."""
        result = BatchResult()
        paths: set[str] = set()
        for ch in batch:
            if ch.path == CONFIG_REL:
                result.reloaded = True
            elif ch.kind == "directory":
                prefix = ch.path.rstrip("/") + "/"
                paths.update(r for r in self.index if r.startswith(prefix))
                paths.update(r for r, _, _ in self._walk() if r.startswith(prefix))
            else:
                paths.add(ch.path)
        if result.reloaded:
            old = self.snapshot
            self.start()
            result.events = diff(old, self.snapshot, at=at or _now_iso(), today=self.today())
            return result
        touched_relevant = False
        workflow_touched = False
        bulk = len(paths) > BULK_BATCH
        if bulk:  # the quick path below asks which pages are marked
            self._marked = Secrets.of_graph(self.graph()).marked
        for rel in sorted(paths):
            outcome = self._update_one(rel, bulk=bulk)
            if outcome is None:
                continue
            relevant_before, relevant_after, is_own, definition = outcome
            (result.own if is_own else result.changed).append(rel)
            touched_relevant |= relevant_before or relevant_after
            workflow_touched |= definition
        if not (result.changed or result.own):
            return result
        self._index_dirty = True
        if touched_relevant:
            self._refresh_relevance()
        if workflow_touched:
            self._load_workflow()
        old = self.snapshot
        if touched_relevant or workflow_touched:
            self.snapshot = self._compute()
        else:  # only unrelated pages changed: progress is the same, diagnostics may not be
            diags = self.reported_diagnostics()
            self.snapshot = Snapshot(old.activities, old.stages, old.current_stage, old.stage_order,
                                     old.order_problems, diags)
        result.events = diff(old, self.snapshot, at=at or _now_iso(), today=self.today())
        return result

    def tick(self, *, at: str | None = None) -> list[Event]:
        """Recompute with the current date (deadline colours change at midnight)."""
        old = self.snapshot
        self.snapshot = self._compute()
        return diff(old, self.snapshot, at=at or _now_iso(), today=self.today())

    def _update_one(self, rel: str, *, bulk: bool = False) -> tuple[bool, bool, bool, bool] | None:
        """Re-read one path; None when nothing changed.  (relevant before, after, own, definition).

        ``bulk`` (a large batch, e.g. a ``git pull``): a page that was and stays unrelated to
        inspections is indexed from the quick regex pass instead of a full parse.
        """
        old = self.index.get(rel)
        was_relevant = rel in self.pages
        was_definition = was_relevant and _is_definition(self.pages[rel])
        if is_ignored(rel):
            return None
        st = self.reader.stat(self.root, rel)
        if st is None or not stat.S_ISREG(st.st_mode):
            if old is None:
                return None
            self.table.drop(rel)
            self.pages.pop(rel, None)
            return was_relevant, False, False, was_definition
        if old is not None and old.stamp_matches(st):
            return None
        kind = self.reader.kind(self.root, rel, self.config)
        if kind not in PAGE_KINDS:
            return None
        is_own = self.own.is_own(rel, self.reader.read_bytes(self.root, rel))
        if bulk and not was_relevant and (old is None or not old.diagnostics):
            q = self.reader.quick(self.root, rel, kind, st, self.config)
            if q is not None and not is_core_entry(q) and not is_relevant(q, self.core_names) \
                    and not self._may_mark(q) and (old is None or old.tags == q.tags):
                self._set(rel, q)
                return False, False, is_own, False
        page, diags = self._read(rel)
        entry = entry_for(page, kind, st, diags)
        self._set(rel, entry)
        tags_changed = (old.tags if old is not None else ()) != entry.tags
        now_relevant = page is not None and is_relevant(entry, self.core_names)
        if now_relevant and page is not None:
            self.pages[rel] = page
        else:
            self.pages.pop(rel, None)
        definition = was_definition or (page is not None and _is_definition(page))
        if old is not None and old.keys == entry.keys and old.diagnostics == entry.diagnostics \
                and not tags_changed and not was_relevant and not now_relevant:
            return False, False, is_own, False
        return was_relevant, now_relevant or is_core_entry(entry) or tags_changed, is_own, definition

    def _refresh_relevance(self) -> None:
        """Core names may have changed: add pages that became relevant, drop the others."""
        before = self.core_names
        self._recompute_core()
        if self.core_names == before:
            return
        for rel, entry in self.index.items():
            rel_now = is_relevant(entry, self.core_names)
            if rel_now and rel not in self.pages:
                page, _ = self._read(rel)
                if page is not None:
                    self.pages[rel] = page
            elif not rel_now and rel in self.pages:
                del self.pages[rel]


def _is_definition(page: Page) -> bool:
    from xuncha_kb.workflow.load import is_definition_page

    return is_definition_page(page)



