"""Incremental live state of a graph for ``watch``: changed paths in, events out.

What is kept in memory:

* a compact :class:`~xuncha_kb.fs.cache.FileEntry` per file (stamp, kind, name, the set of
  property keys used, diagnostics) — also what the warm-start cache stores;
* parsed :class:`Page` objects only for files that can matter to inspections ("relevant"
  pages, see :func:`is_core_entry`), so progress is computed over a small graph and never
  needs a rescan; a 10,000-page graph with a few inspections keeps a few hundred pages;
* the last progress :class:`~xuncha_kb.inspection.events.Snapshot`.

A batch of changes re-reads only the given paths (stat first; an unchanged stamp is a
no-op), updates the index, rebuilds the small graph and diffs the new snapshot against the
old one.  A path that vanished is a deleted page; one that does not decode or parse becomes a
diagnostic and the rest of the graph goes on.

Relevance (a superset of what ``inspection.progress`` reads; see docs/watch-sync.md): a page
is *core* when any page or block property key is non-ASCII (every inspection key in
``conventions`` is Chinese: 活动, 巡察, 阶段, 移交对象, 整改状态, 底稿, 密级 …) or is one of
``sensitive``/``xuncha-generated``, or its ``type::`` is an inspection page type (巡察,
问题底稿, 巡察工作流程定义 … — every ``conventions.TYPE_*``); a page is *relevant* when it
is core, lies in the namespace of a core page (``巡察/…/某某公司/问题清单``), or has a
sensitive namespace segment.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from xuncha_kb.fs.cache import FileEntry, Index, fingerprint, load_index, save_index
from xuncha_kb.fs.watch import Change, OwnWrites, is_ignored
from xuncha_kb.inspection import conventions as cv
from xuncha_kb.inspection.events import (
    ActivityState,
    DiagnosticState,
    Event,
    OrderProblem,
    Snapshot,
    StageState,
    diff,
)
from xuncha_kb.model import Diagnostic, Graph, GraphConfig, Page, page_key
from xuncha_kb.workflow.model import Workflow

CONFIG_REL = "logseq/config.edn"
_QUICK_KEY = re.compile(r"(?m)^[ \t]*(?:- )?([^\s:#`\[][^\s:]*)::(?:[ \t]|$)")
_QUICK_TYPE = re.compile(r"(?m)^[ \t]*(?:- )?type:: (.*)$", re.IGNORECASE)
_QUICK_TITLE = re.compile(r"(?m)^title:: (.*)$", re.IGNORECASE)
PAGE_KINDS = ("page", "journal")
_ALWAYS_RELEVANT_KEYS = frozenset({cv.P_SENSITIVE, cv.P_GENERATED})
_REPORTED_SEVERITIES = ("error", "warning")


class Reader(Protocol):
    """How files are read; the default delegates to ``fs.scan`` (tests may inject another)."""

    def config(self, root: Path) -> tuple[GraphConfig, bytes | None, list[Diagnostic]]: ...

    def kind(self, root: Path, relpath: str, config: GraphConfig) -> str | None: ...

    def files(self, root: Path, config: GraphConfig) -> Iterable[tuple[str, str]]: ...

    def page(self, root: Path, relpath: str, config: GraphConfig) -> tuple[Page | None, list[Diagnostic]]: ...


class ScanReader:
    """The production reader: ``fs.scan`` and ``logseq.config``."""

    def config(self, root: Path) -> tuple[GraphConfig, bytes | None, list[Diagnostic]]:
        from xuncha_kb.fs.scan import read_graph_config

        try:
            raw: bytes | None = (root / CONFIG_REL).read_bytes()
        except OSError:
            raw = None
        cfg, diags = read_graph_config(root)
        return cfg, raw, list(diags)

    def kind(self, root: Path, relpath: str, config: GraphConfig) -> str | None:
        from xuncha_kb.fs.scan import classify_path

        return str(classify_path(root, relpath, config))

    def files(self, root: Path, config: GraphConfig) -> Iterable[tuple[str, str]]:
        from xuncha_kb.fs.scan import list_graph_files

        return [(rel, str(kind)) for rel, kind in list_graph_files(root, config)]

    def quick(self, root: Path, relpath: str, kind: str, st: os.stat_result,
              config: GraphConfig) -> FileEntry | None:
        """An index entry from a regex pass over the raw text, without building blocks.

        Only for plain UTF-8 Markdown without BOM or front matter (anything else: None, and
        the caller parses the file).  Its ``keys`` are a superset of the parser's (property
        lines inside code fences count too), so relevance decided from it is safe; its
        ``diagnostics`` are empty — the file is parsed in full as soon as it matters or changes.
        """
        from xuncha_kb.fs.scan import PAGE_EXTENSIONS
        from xuncha_kb.logseq.names import journal_day_from_file, journal_title, page_name_from_file

        if PAGE_EXTENSIONS.get(posixpath.splitext(relpath)[1].lower()) != "markdown":
            return None
        try:
            text = (root / relpath).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if text.startswith(("\ufeff", "---")):
            return None
        keys = {k.lower().replace("_", "-") for k in _QUICK_KEY.findall(text)}
        # page properties are the lines before the first bullet (a superset of the parser's pre-block)
        pre = "" if text.startswith("- ") else text.split("\n- ", 1)[0]
        if cv.P_TYPE in keys:
            global _TYPES
            if _TYPES is None:
                _TYPES = _known_types()
            for raw in _QUICK_TYPE.findall(pre):
                names = [n.strip().strip("[]#").strip() for n in re.split(r"[,，]", raw)]
                keys.update(f"type={page_key(n)}" for n in names if n and page_key(n) in _TYPES)
        title = _QUICK_TITLE.search(pre)
        props = {"title": title.group(1).strip()} if title else None
        name = ""
        if kind == "journal":
            stem = posixpath.splitext(posixpath.basename(relpath))[0]
            day = journal_day_from_file(stem, config.journal_file_format)
            if day is not None:
                name = journal_title(day, config.journal_title_format)
        if not name:
            name = page_name_from_file(relpath, props, config)
        return FileEntry(st.st_mtime_ns, st.st_size, kind, name, frozenset(keys), ())

    def page(self, root: Path, relpath: str, config: GraphConfig) -> tuple[Page | None, list[Diagnostic]]:
        from xuncha_kb.fs.scan import read_page_file

        page, diags = read_page_file(root, relpath, config)
        return page, list(diags)


# --- the compact index --------------------------------------------------------------------


def _non_ascii(text: str) -> bool:
    return not text.isascii()


def _known_types() -> frozenset[str]:
    from xuncha_kb.workflow.syntax import DEFINITION_TYPE

    names = {v for k, v in vars(cv).items() if k.startswith("TYPE_") and isinstance(v, str)}
    return frozenset(page_key(n) for n in (*names, DEFINITION_TYPE))


_TYPES: frozenset[str] | None = None


def _page_types(page: Page) -> list[str]:
    raw = page.properties.get(cv.P_TYPE, "")
    names = list(page.property_refs.get(cv.P_TYPE, ()))
    names.extend(p.strip().strip("[]#").strip() for p in re.split(r"[,，]", raw))
    return [page_key(n) for n in names if n]


def entry_for(page: Page | None, kind: str, st: os.stat_result | tuple[int, int],
              diags: Iterable[Diagnostic]) -> FileEntry:
    """The index entry of a freshly parsed file.

    ``keys`` holds every property key of the page and its blocks, plus ``type=<name>`` when the
    page's ``type::`` is one of the inspection page types (巡察, 巡察阶段, 问题底稿, …).
    """
    global _TYPES
    keys: set[str] = set()
    if page is not None:
        keys.update(page.properties)
        for b in page.walk():
            if b.properties:
                keys.update(b.properties)
        if cv.P_TYPE in page.properties:
            if _TYPES is None:
                _TYPES = _known_types()
            keys.update(f"type={t}" for t in _page_types(page) if t in _TYPES)
    if isinstance(st, os.stat_result):
        mtime_ns, size = st.st_mtime_ns, st.st_size
    else:
        mtime_ns, size = st
    return FileEntry(mtime_ns, size, kind, page.name if page else "", frozenset(keys), tuple(diags))


def is_core_entry(entry: FileEntry) -> bool:
    """A page whose own properties tie it to inspections (see the module docstring)."""
    return any(k in _ALWAYS_RELEVANT_KEYS or k.startswith("type=") or _non_ascii(k) for k in entry.keys)


def _namespace_prefixes(name: str) -> Iterable[str]:
    key = page_key(name)
    parts = key.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


def is_relevant(entry: FileEntry, core_names: set[str]) -> bool:
    if entry.kind not in PAGE_KINDS:
        return False
    if is_core_entry(entry):
        return True
    if "/" not in entry.name:
        return False
    if any(seg in entry.name for seg in cv.SENSITIVE_SEGMENTS):
        return True
    return any(p in core_names for p in _namespace_prefixes(entry.name))


# --- snapshots ----------------------------------------------------------------------------

_STATUS = {"done": "done", "cancelled": "cancelled", "in_progress": "doing", "waiting": "waiting"}
_STAGE_STATE = {"未开始": "not_started", "进行中": "in_progress", "已完成": "done"}


def snapshot_from_progress(progress: Any, diagnostics: Iterable[Diagnostic] = (),
                           stage_order: tuple[str, ...] = ()) -> Snapshot:
    """The part of a ``progress.Progress`` that events are computed from."""
    acts: dict[tuple[str, str], ActivityState] = {}
    stages: dict[tuple[str, str], StageState] = {}
    current: dict[str, str | None] = {}
    problems: set[OrderProblem] = set()
    for insp in progress.inspections:
        for st in insp.stages:
            stages[(insp.name, st.id)] = StageState(insp.name, st.id, st.name,
                                                    _STAGE_STATE.get(st.state, "not_started"),  # type: ignore[arg-type]
                                                    st.done, st.total)
            for a in st.activities:
                status = _STATUS.get(a.status, "open" if a.found else "missing")
                dl = a.deadline
                colour = dl.colour if dl is not None and status not in ("done", "cancelled") else None
                acts[(insp.name, a.id)] = ActivityState(
                    insp.name, st.id, a.id, a.name, status, dl.due if dl else None, colour,  # type: ignore[arg-type]
                    a.span.file if a.span else None, a.span.line if a.span else None)
        cur = insp.current_stage
        current[insp.name] = cur.id if cur is not None else None
        for op in insp.order_problems:
            sid = acts[(insp.name, op.activity_id)].stage if (insp.name, op.activity_id) in acts else ""
            for dep_id, dep_name, _status in op.blocking:
                problems.add(OrderProblem(
                    insp.name, sid, op.activity_id, dep_id,
                    f"{op.activity_id} {op.activity_name} 已完成，但前置活动 {dep_id} {dep_name} 未完成",
                    op.span.file if op.span else None, op.span.line if op.span else None))
    diags = frozenset(DiagnosticState(d.file, d.line, d.message) for d in diagnostics
                      if d.severity in _REPORTED_SEVERITIES)
    return Snapshot(activities=acts, stages=stages, current_stage=current, stage_order=stage_order,
                    order_problems=frozenset(problems), diagnostics=diags)


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
                 thresholds: Any = None) -> None:
        self.root = Path(root)
        self.reader: Reader = reader or ScanReader()
        self.today = today
        self.own = own_writes or OwnWrites()
        self.use_cache = use_cache
        self.thresholds = thresholds
        self._workflow_loader = workflow_loader
        self.config = GraphConfig()
        self.config_diags: list[Diagnostic] = []
        self.index: dict[str, FileEntry] = {}
        self.pages: dict[str, Page] = {}  # relevant pages only
        self.core_names: set[str] = set()
        self._core: dict[str, str] = {}  # relpath → page key, for core entries
        self._diag_files: dict[str, tuple[Diagnostic, ...]] = {}
        self.workflow: Workflow | None = None
        self.workflow_diags: list[Diagnostic] = []
        self.snapshot = Snapshot()
        self.progress: Any = None
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
        self.index.clear()
        self._core.clear()
        self._diag_files.clear()
        self.pages.clear()
        parsed = reused = scanned = 0
        quick = getattr(self.reader, "quick", None)
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
                q = quick(self.root, rel, kind, st, self.config) if quick is not None else None
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
            try:
                st = os.stat(self.root / rel, follow_symlinks=False)
            except OSError:
                continue
            yield rel, kind, st

    def _read(self, rel: str) -> tuple[Page | None, list[Diagnostic]]:
        try:
            return self.reader.page(self.root, rel, self.config)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return None, [Diagnostic(rel, 1, f"无法读取：{exc}", "error")]

    def _set(self, rel: str, entry: FileEntry) -> None:
        """Record an index entry, keeping the core-page and diagnostics side tables in step."""
        self.index[rel] = entry
        if entry.name and is_core_entry(entry):
            self._core[rel] = page_key(entry.name)
        else:
            self._core.pop(rel, None)
        if entry.diagnostics:
            self._diag_files[rel] = entry.diagnostics
        else:
            self._diag_files.pop(rel, None)

    def _drop(self, rel: str) -> None:
        self.index.pop(rel, None)
        self._core.pop(rel, None)
        self._diag_files.pop(rel, None)

    def _recompute_core(self) -> None:
        self.core_names = set(self._core.values())

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
        return Graph(root=self.root, config=self.config, pages=pages, diagnostics=tuple(self.diagnostics()))

    def diagnostics(self) -> list[Diagnostic]:
        out = list(self.config_diags) + list(self.workflow_diags)
        for diags in self._diag_files.values():
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
        from xuncha_kb.inspection.progress import compute_progress

        assert self.workflow is not None
        graph = self.graph()
        kwargs = {"thresholds": self.thresholds} if self.thresholds is not None else {}
        self.progress = compute_progress(graph, self.workflow, self.today(), **kwargs)
        order = tuple(s.id for s in self.workflow.stages)
        return snapshot_from_progress(self.progress, graph.diagnostics, order)

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
        for rel in sorted(paths):
            outcome = self._update_one(rel)
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
            diags = frozenset(DiagnosticState(d.file, d.line, d.message) for d in self.diagnostics()
                              if d.severity in _REPORTED_SEVERITIES)
            self.snapshot = Snapshot(old.activities, old.stages, old.current_stage, old.stage_order,
                                     old.order_problems, diags)
        result.events = diff(old, self.snapshot, at=at or _now_iso(), today=self.today())
        return result

    def tick(self, *, at: str | None = None) -> list[Event]:
        """Recompute with the current date (deadline colours change at midnight)."""
        old = self.snapshot
        self.snapshot = self._compute()
        return diff(old, self.snapshot, at=at or _now_iso(), today=self.today())

    def _update_one(self, rel: str) -> tuple[bool, bool, bool, bool] | None:
        """Re-read one path; None when nothing changed.  (relevant before, after, own, definition)."""
        old = self.index.get(rel)
        was_relevant = rel in self.pages
        was_definition = was_relevant and _is_definition(self.pages[rel])
        if is_ignored(rel):
            return None
        try:
            st = os.stat(self.root / rel)
        except OSError:
            st = None
        if st is None or not os.path.isfile(self.root / rel):
            if old is None:
                return None
            self._drop(rel)
            self.pages.pop(rel, None)
            return was_relevant, False, False, was_definition
        if old is not None and old.stamp_matches(st):
            return None
        kind = self.reader.kind(self.root, rel, self.config)
        if kind not in PAGE_KINDS:
            return None
        try:
            data = (self.root / rel).read_bytes()
        except OSError:
            data = None
        is_own = self.own.is_own(rel, data)
        page, diags = self._read(rel)
        entry = entry_for(page, kind, st, diags)
        self._set(rel, entry)
        now_relevant = page is not None and is_relevant(entry, self.core_names)
        if now_relevant and page is not None:
            self.pages[rel] = page
        else:
            self.pages.pop(rel, None)
        definition = was_definition or (page is not None and _is_definition(page))
        if old is not None and old.keys == entry.keys and old.diagnostics == entry.diagnostics \
                and not was_relevant and not now_relevant:
            return False, False, is_own, False
        return was_relevant, now_relevant or is_core_entry(entry), is_own, definition

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



def watch_loop(live: LiveGraph, source: Any, stop: Any, *,
               on_events: Callable[[list[Event]], None],
               after_batch: Callable[[BatchResult], None] | None = None,
               log: bool = True, poll: float = 0.5) -> int:
    """Feed batches from ``source`` into ``live`` until the source closes or ``stop`` is set.

    Events are appended to ``.xuncha/events.jsonl`` (when ``log``) and then handed to
    ``on_events``; ``after_batch`` runs after every batch that changed something (the
    ``--write-report`` hook).  A new day triggers a recompute, so deadline colours move on
    even when nobody edits anything.  Returns the number of events seen.
    """
    from xuncha_kb.fs.eventlog import append_events
    total = 0
    day = live.today()

    def emit(events: list[Event]) -> None:
        nonlocal total
        if not events:
            return
        if log:
            try:
                append_events(live.root, events)
            except OSError:
                pass  # a read-only graph: events are still printed
        total += len(events)
        on_events(events)

    while not stop.is_set():
        batch = source.next_batch(poll)
        if batch is None:
            break
        if batch:
            result = live.apply(batch)
            emit(result.events)
            if after_batch is not None and (result.changed or result.reloaded):
                after_batch(result)
            live.save_cache()
        if live.today() != day:
            day = live.today()
            emit(live.tick())
    live.save_cache()
    return total


def write_report_page(live: LiveGraph) -> str | None:
    """Regenerate the in-graph progress report page after a change (``watch --write-report``).

    Goes through plan → apply in ``update_generated`` mode: a report page the user edited is
    left alone (a Chinese notice is returned instead).  What is written is registered with
    ``live.own`` first, so the watcher does not react to its own write.  Returns a status
    line, or None when the page was already up to date.
    """
    from xuncha_kb.errors import XunchaError
    from xuncha_kb.fs.apply import FileSpec, apply, plan_writes
    from xuncha_kb.logseq.names import safe_title_to_relpath
    from xuncha_kb.report.markdown import render_markdown, report_page_title

    if live.progress is None:
        return None
    title = report_page_title(live.progress, None)
    rel = safe_title_to_relpath(title, live.config)
    text = render_markdown(live.progress)
    plan = plan_writes(live.root, [FileSpec(rel, text, kind="report")], mode="update_generated")
    if plan.conflicts:
        return f"报告页 {rel} 在生成后被手动修改，未覆盖（删除该页或撤销修改后会重新生成）"
    if not plan.changes_anything:
        return None
    live.own.expect(rel, text.encode("utf-8"))
    try:
        apply(plan, live.root)
    except XunchaError as exc:
        return f"报告页未更新：{exc.message}"
    return f"已更新报告页 {rel}"


def own_writes_from_manifest(root: Path) -> OwnWrites:
    """What xuncha-kb last wrote, per the scaffold manifest (so those files are not news)."""
    from xuncha_kb.fs.manifest import read_manifest

    return OwnWrites({path: e.hash for path, e in read_manifest(root).entries.items()})


def run_watch(root: Path, *, as_json: bool, write_report: bool, today: dt.date | None,
              use_cache: bool, timeout: float | None, out: Callable[[str], None],
              notice: Callable[[str], None], source: Any = None) -> int:
    """The ``watch`` command: start, print events until stopped.  Returns the event count.

    ``out`` receives event lines (Chinese text or JSON), ``notice`` status lines.  SIGINT and
    SIGTERM stop the loop cleanly (the observer is stopped, the cache saved).
    """
    import time

    from xuncha_kb.fs.scan import graph_root
    from xuncha_kb.fs.watch import StopFlag, watchdog_source
    from xuncha_kb.inspection.events import format_text

    root = graph_root(root)
    started = time.perf_counter()
    stop = StopFlag()
    # Start watching before reading, so a save during the initial read is not missed.
    src = source if source is not None else watchdog_source(root)
    stop.install(on_stop=src.close)
    try:
        day_fn: Callable[[], dt.date] = (lambda: today) if today is not None else dt.date.today
        live = LiveGraph(root, today=day_fn, own_writes=own_writes_from_manifest(root),
                         use_cache=use_cache).start()
        s = live.stats
        took = time.perf_counter() - started
        notice(f"正在监视 {root}：{s['files']} 个页面文件，其中 {s['relevant']} 个与巡察有关"
               f"（读取 {s['parsed']} 个，缓存命中 {s['reused']} 个，用时 {took:.2f} 秒）。按 Ctrl-C 停止。")
        if write_report:
            msg = write_report_page(live)
            if msg:
                notice(msg)
        if timeout is not None:
            import threading

            timer = threading.Timer(timeout, stop.set)
            timer.daemon = True
            timer.start()

        def on_events(events: list[Event]) -> None:
            for ev in events:
                out(ev.to_json() if as_json else format_text(ev))

        def after(result: BatchResult) -> None:
            if write_report:
                msg = write_report_page(live)
                if msg:
                    notice(msg)

        count = watch_loop(live, src, stop, on_events=on_events, after_batch=after,
                           poll=0.2 if timeout is not None else 0.5)
    finally:
        src.close()
        stop.restore()
    notice(f"已停止监视，共 {count} 个事件。")
    return count
