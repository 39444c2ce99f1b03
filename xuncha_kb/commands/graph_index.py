"""How one-shot commands read the graph through the persistent index (``fs/index.py``).

Per file the index keeps what the commands need, computed once when the file is parsed:

* a page: its name, its property keys and its own tags (``live/relevance.py``: what ties it
  to inspections or to sensitive pages, and what ``watch`` keeps of it) and its counts for
  ``stats`` (``stats.page_counts``);
* a whiteboard: its name and counts.

No parsed tree is kept across runs and none is held for the whole graph within a run: a cold
scan parses each file, takes these few values and lets the blocks go, so its memory stays
bounded.  ``report`` then parses only the *relevant* pages (the small graph that ``watch``
also computes progress from).  With ``use_cache=False`` the index is neither read nor
written (the cold path); the result is the same either way.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from xuncha_kb.commands.index_summary import SUMMARY, NameRow, Summary, build, name_row, update
from xuncha_kb.fs import index as fsindex
from xuncha_kb.fs.refresh import Refresh
from xuncha_kb.model import Diagnostic, Graph, GraphConfig, Page, Severity, Whiteboard

if TYPE_CHECKING:
    from xuncha_kb.stats import GraphStats

_PAGE, _BOARD = fsindex.PAGE, fsindex.BOARD


@dataclass
class IndexedGraph:
    """The graph as the index sees it: the refresh (records in file order, read on demand),
    what is derived from all records, and the scan's diagnostics."""

    root: Path
    config: GraphConfig
    done: Refresh
    summary: Summary
    diagnostics: tuple[Diagnostic, ...]
    parsed: dict[str, object] = field(default_factory=dict)
    reread: int = 0

    @property
    def records(self) -> list[fsindex.Record]:
        """Every record in file order (reads the whole index: for commands that need them all)."""
        return self.done.records()

    def names(self) -> list[NameRow]:
        """(rel, kind, page name, page key) of every file, without reading the records."""
        return current_names(self.done)


def _reader(config: GraphConfig) -> fsindex.Reader:
    from xuncha_kb.fs.listing import PathKind
    from xuncha_kb.fs.scan import parse_file_bytes
    from xuncha_kb.live.relevance import is_core_keys, scan_keys, tag_keys
    from xuncha_kb.stats import board_counts, page_counts

    def read(rel: str, kind: str, data: bytes) -> fsindex.ReadResult:
        obj, diags, text = parse_file_bytes(rel, cast(PathKind, kind), data, config)
        rows = tuple((d.line, d.message, d.severity) for d in diags)
        if isinstance(obj, Page):
            keys = tuple(sorted(scan_keys(obj, text, bool(diags))))
            return rows, (_PAGE, obj.name, keys, page_counts(obj), tag_keys(obj), is_core_keys(keys)), obj
        if isinstance(obj, Whiteboard):
            return rows, (_BOARD, obj.name, (), board_counts(obj)), None
        return rows, None, None

    return read


def _config_bytes(root: Path) -> bytes | None:
    from xuncha_kb.logseq.config import CONFIG_FILE

    try:
        return (root / CONFIG_FILE).read_bytes()
    except OSError:
        return None


def read_indexed(root: Path, *, use_cache: bool = True, apply_hidden: bool = True,
                 keep: Callable[[fsindex.Payload], bool] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> IndexedGraph:
    """List the graph, bring the index up to date (re-reading only changed files) and save it."""
    from xuncha_kb.fs.listing import list_graph_files
    from xuncha_kb.fs.refresh import refresh, save
    from xuncha_kb.fs.scan import graph_root, read_graph_config

    base = graph_root(root)
    config, diags = read_graph_config(base)
    files = list_graph_files(base, config, apply_hidden=apply_hidden, errors=diags)
    fp = fsindex.fingerprint(_config_bytes(base), f"hidden={apply_hidden}")
    stored = fsindex.load(base, fp) if use_cache else None
    total = len(files)
    if progress:
        progress(0, total)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse allocates many small objects that only refcounting needs to free
    try:
        done = refresh(base, files, stored, _reader(config), keep=keep,
                       progress=(lambda n: progress(n, total)) if progress else None)
        summary, changed = _summary(done, config)
    finally:
        if gc_was_enabled:
            gc.enable()
    if use_cache and (done.dirty or changed):
        save(done, fp, {SUMMARY: summary.to_plain()})
    rows = dict(summary.diags)
    rows.update((rel, r.diags) for rel, r in done.fresh.items() if r.diags and not fsindex.cacheable(r))
    for rel in sorted(rows):
        diags.extend(Diagnostic(rel, line, msg, cast(Severity, sev)) for line, msg, sev in rows[rel])
    diags.extend(summary.collision_diagnostics())
    return IndexedGraph(base, config, done, summary, tuple(diags), done.parsed, done.reread)


def _summary(done: Refresh, config: GraphConfig) -> tuple[Summary, bool]:
    """The summary of the current records, and whether it differs from the stored one."""
    stored = done.stored.extra(SUMMARY) if done.stored is not None else None
    old = Summary.from_plain(stored) if stored is not None else None
    removed = done.removed()
    if old is None or removed is None:
        return build((r for r in done.records() if fsindex.cacheable(r)), config), True
    if not done.dirty:
        return old, False
    fresh = [r for r in done.fresh.values() if fsindex.cacheable(r)]
    return update(old, removed, fresh, lambda: current_names(done), config), True


def current_names(done: Refresh) -> list[NameRow]:
    stored = done.stored
    out: list[NameRow] = []
    for i, (rel, kind) in enumerate(done.files):
        pos = done.kept[i]
        if pos >= 0 and stored is not None:
            out.append((rel, kind, stored.names[pos], stored.keys[pos]))
            continue
        out.append(name_row(done.record(i)))
    return out


def indexed_stats(root: Path, *, use_cache: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> GraphStats:
    """``stats --json`` through the index: the same object as ``stats.graph_stats``."""
    from xuncha_kb.stats import stats_from_totals

    g = read_indexed(root, use_cache=use_cache, progress=progress)
    return stats_from_totals(str(g.root), g.config, g.summary.totals, g.diagnostics)


def _core(payload: fsindex.Payload) -> bool:
    return cast(bool, payload[5])


def _candidate(payload: fsindex.Payload) -> bool:
    return payload[0] == _PAGE and ("/" in cast(str, payload[1]) or _core(payload))


def relevant_graph(root: Path, *, use_cache: bool = True, whiteboards: bool = False) -> Graph:
    """The small graph of the pages that can matter to inspections (``live/relevance.py``):
    what progress, ledgers and reports are computed from, equal to computing over all pages.
    With ``whiteboards``, also the whiteboards named as a core page or in its namespace (an
    inspection's 流程总览, for close-out's archive)."""
    return small_graph(read_indexed(root, use_cache=use_cache, keep=_candidate), whiteboards=whiteboards)


def relevant_graph_and_ids(root: Path, *, use_cache: bool = True) -> tuple[Graph, dict[str, str]]:
    """What ``sync`` reads: :func:`relevant_graph`, and :func:`block_id_files` of the whole graph."""
    g = read_indexed(root, use_cache=use_cache, keep=_candidate)
    small = small_graph(g)
    return small, block_id_files(g, small, use_cache=use_cache)


def small_graph(g: IndexedGraph, *, whiteboards: bool = False) -> Graph:
    """:func:`relevant_graph` of an index already read (with ``keep=_candidate``)."""
    from xuncha_kb.fs.scan import read_page_file

    s = g.summary
    pages: list[Page] = []
    for rel in sorted(s.relevant):
        page = g.parsed.get(rel)
        if page is None:
            page, _diags = read_page_file(g.root, rel, g.config)
        if isinstance(page, Page):
            pages.append(page)
    left_out = tuple(s.tagged[rel] for rel in sorted(s.tagged) if rel not in s.relevant)
    boards = _inspection_boards(g, s.core_names()) if whiteboards else ()
    return Graph(root=g.root, config=g.config, pages=tuple(pages), whiteboards=boards,
                 diagnostics=g.diagnostics, left_out=left_out)


def _inspection_boards(g: IndexedGraph, core_names: set[str]) -> tuple[Whiteboard, ...]:
    from xuncha_kb.fs.scan import read_whiteboard_file
    from xuncha_kb.live.relevance import namespace_prefixes

    out: list[Whiteboard] = []
    for rel, kind, _name, key in g.names():
        if kind != "whiteboard" or key is None:
            continue
        if key in core_names or any(p in core_names for p in namespace_prefixes(key)):
            board, _diags = read_whiteboard_file(g.root, rel, g.config)
            if board is not None:
                out.append(board)
    return tuple(out)


IDS_NAME = "ids.idx"  # the side table of block ids: only ``sync`` asks for them


def _page_ids(page: Page) -> tuple[str, ...]:
    return tuple(uid.strip() for b in page.walk() if (uid := b.properties.get("id")) and uid.strip())


def block_id_files(g: IndexedGraph, small: Graph, *, use_cache: bool = True) -> dict[str, str]:
    """Each block ``id::`` in the whole graph → the file it is (first, in file order) found in.

    The pages of ``small`` give theirs directly; any other page whose keys hold ``id`` gives its
    ids from the side table :data:`IDS_NAME` while its record's stamp and digest are the ones the
    ids were read at, and is parsed again (and the table updated) otherwise."""
    from xuncha_kb.fs.scan import read_page_file

    in_small = {p.file: p for p in small.pages}
    fp = fsindex.fingerprint(_config_bytes(g.root), "ids")
    old = fsindex.load_records(g.root, fp, IDS_NAME) if use_cache else {}
    table: list[fsindex.Record] = []
    out: dict[str, str] = {}
    for r in g.records:
        if r.payload is None or r.payload[0] != _PAGE:
            continue
        page = in_small.get(r.rel)
        if page is not None:
            ids = _page_ids(page)
        elif "id" not in cast(tuple[str, ...], r.payload[2]):
            continue
        else:
            kept = old.get(r.rel)
            if kept is not None and kept.stamp == r.stamp and kept.digest == r.digest:
                ids = cast(tuple[str, ...], cast(fsindex.Payload, kept.payload)[0])
            else:
                parsed, _diags = read_page_file(g.root, r.rel, g.config)
                ids = _page_ids(parsed) if isinstance(parsed, Page) else ()
            table.append(fsindex.Record(r.rel, r.kind, r.stamp, r.digest, (), (ids,)))
        for uid in ids:
            out.setdefault(uid, r.rel)
    if use_cache and (len(table) != len(old) or any(old.get(t.rel) != t for t in table)):
        fsindex.save_records(g.root, table, fp, IDS_NAME)
    return out
