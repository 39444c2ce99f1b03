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

from xuncha_kb.fs import index as fsindex
from xuncha_kb.model import Diagnostic, Graph, GraphConfig, LeftOut, Page, Severity, Whiteboard, page_key

if TYPE_CHECKING:
    from xuncha_kb.stats import GraphStats

_PAGE, _BOARD = fsindex.PAGE, fsindex.BOARD


@dataclass
class IndexedGraph:
    """The graph as the index sees it: records in file order and the scan's diagnostics."""

    root: Path
    config: GraphConfig
    records: list[fsindex.Record]
    diagnostics: tuple[Diagnostic, ...]
    parsed: dict[str, object] = field(default_factory=dict)
    reread: int = 0


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
    from xuncha_kb.fs.scan import graph_root, name_collisions_of, read_graph_config

    base = graph_root(root)
    config, diags = read_graph_config(base)
    files = list_graph_files(base, config, apply_hidden=apply_hidden, errors=diags)
    fp = fsindex.fingerprint(_config_bytes(base), f"hidden={apply_hidden}")
    old = fsindex.load_records(base, fp) if use_cache else {}
    total = len(files)
    if progress:
        progress(0, total)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse allocates many small objects that only refcounting needs to free
    try:
        done = fsindex.refresh(base, files, old, _reader(config), keep=keep,
                               progress=(lambda n: progress(n, total)) if progress else None)
    finally:
        if gc_was_enabled:
            gc.enable()
    if use_cache and done.dirty:
        fsindex.save_records(base, fsindex.cacheable(done.records), fp)
    named: list[tuple[str, str]] = []
    boards: list[tuple[str, str]] = []
    for r in done.records:
        diags.extend(Diagnostic(r.rel, line, msg, cast(Severity, sev)) for line, msg, sev in r.diags)
        if r.payload is not None:
            (named if r.payload[0] == _PAGE else boards).append((cast(str, r.payload[1]), r.rel))
    diags.extend(name_collisions_of(named + boards))
    return IndexedGraph(base, config, done.records, tuple(diags), done.parsed, done.reread)


def indexed_stats(root: Path, *, use_cache: bool = True,
                  progress: Callable[[int, int], None] | None = None) -> GraphStats:
    """``stats --json`` through the index: the same object as ``stats.graph_stats``."""
    from xuncha_kb.stats import BoardCounts, PageCounts, stats_from_counts

    g = read_indexed(root, use_cache=use_cache, progress=progress)
    pages = [(r.rel, cast(PageCounts, r.payload[3])) for r in g.records
             if r.payload is not None and r.payload[0] == _PAGE]
    boards = [cast(BoardCounts, r.payload[3]) for r in g.records
              if r.payload is not None and r.payload[0] == _BOARD]
    return stats_from_counts(str(g.root), g.config, pages, boards, g.diagnostics)


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
    from xuncha_kb.live.relevance import is_relevant_name
    from xuncha_kb.track.sensitive import file_name_is_sensitive

    # Each page record with its name and whether it is core, decided once (a warm 100k run asks
    # 100k times).
    page_records = [(r, cast(str, r.payload[1]), _core(r.payload)) for r in g.records
                    if r.payload is not None and r.payload[0] == _PAGE]
    core_names = {page_key(name) for _r, name, core in page_records if core}
    pages: list[Page] = []
    left_out: list[LeftOut] = []
    for r, name, core in page_records:
        if not is_relevant_name(r.kind, name, core, core_names):
            tags = cast(tuple[str, ...], cast(fsindex.Payload, r.payload)[4])
            secret_file = file_name_is_sensitive(r.rel)
            if tags or secret_file:
                left_out.append((page_key(name), tags, secret_file))
            continue
        page = g.parsed.get(r.rel)
        if page is None:
            page, _diags = read_page_file(g.root, r.rel, g.config)
        if isinstance(page, Page):
            pages.append(page)
    boards = _inspection_boards(g, core_names) if whiteboards else ()
    return Graph(root=g.root, config=g.config, pages=tuple(pages), whiteboards=boards,
                 diagnostics=g.diagnostics, left_out=tuple(left_out))


def _inspection_boards(g: IndexedGraph, core_names: set[str]) -> tuple[Whiteboard, ...]:
    from xuncha_kb.fs.scan import read_whiteboard_file
    from xuncha_kb.live.relevance import namespace_prefixes

    out: list[Whiteboard] = []
    for r in g.records:
        if r.payload is None or r.payload[0] != _BOARD:
            continue
        key = page_key(cast(str, r.payload[1]))
        if key in core_names or any(p in core_names for p in namespace_prefixes(key)):
            board, _diags = read_whiteboard_file(g.root, r.rel, g.config)
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
