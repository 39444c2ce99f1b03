"""What the one-shot commands derive from *all* records of the graph index, kept in the index
beside them (``x:summary``) and brought up to date from the files that changed.

A warm run with nothing changed reads these values instead of every record; with a few files
changed it takes the stored records of those files away and adds their new ones.  Derived:

* the ``stats`` totals (``stats.Totals``: sums, the depth histogram, markers, priorities,
  shapes);
* each file's diagnostics, and the page-name collisions (recomputed from the stored page
  keys only when a name came, went or changed);
* the core pages (``live/relevance.py``: their own keys tie them to inspections), the relevant
  pages (re-judged for all pages only when the set of core names changed), and every page
  with tags or a sensitive file name (what ``Graph.left_out`` says of those left out).

The summary always describes exactly the records stored with it; a file that could not be
read (never stored) adds its diagnostic for the run only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from xuncha_kb.fs import index as fsindex
from xuncha_kb.model import Diagnostic, GraphConfig, LeftOut, Severity, page_key
from xuncha_kb.stats import BoardCounts, PageCounts, Totals, TotalsPlain

SUMMARY = "summary"
_VERSION = 1

#: (rel, kind, page name or None, page key or None) of every current file, in file order.
NameRow = tuple[str, str, "str | None", "str | None"]
CollisionRow = tuple[str, int, str, str]  # file, line, message, severity


@dataclass
class Summary:
    totals: Totals = field(default_factory=Totals)
    diags: dict[str, tuple[fsindex.DiagRow, ...]] = field(default_factory=dict)
    core: dict[str, str] = field(default_factory=dict)  # rel → page key
    relevant: set[str] = field(default_factory=set)
    tagged: dict[str, LeftOut] = field(default_factory=dict)
    collisions: list[CollisionRow] = field(default_factory=list)

    def core_names(self) -> set[str]:
        return set(self.core.values())

    def to_plain(self) -> tuple[object, ...]:
        return (_VERSION, self.totals.to_plain(), self.diags, self.core, frozenset(self.relevant),
                self.tagged, tuple(self.collisions))

    @staticmethod
    def from_plain(value: object) -> Summary | None:
        """The stored summary, or None when it is absent or not of this version."""
        if not isinstance(value, tuple) or len(value) != 7 or value[0] != _VERSION:
            return None
        try:
            _v, totals, diags, core, relevant, tagged, collisions = value
            return Summary(Totals.from_plain(cast(TotalsPlain, totals)), dict(diags), dict(core),
                           set(relevant), dict(tagged), list(collisions))
        except (TypeError, ValueError):
            return None

    def collision_diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(f, line, msg, cast(Severity, sev)) for f, line, msg, sev in self.collisions]


def _is_page(rec: fsindex.Record) -> bool:
    return rec.payload is not None and rec.payload[0] == fsindex.PAGE


def _add(s: Summary, rec: fsindex.Record, config: GraphConfig, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) one record's part, all but relevance and collisions."""
    from xuncha_kb.track.sensitive import file_name_is_sensitive

    rel, p = rec.rel, rec.payload
    if sign > 0:
        if rec.diags:
            s.diags[rel] = rec.diags
    else:
        s.diags.pop(rel, None)
        s.core.pop(rel, None)
        s.tagged.pop(rel, None)
        s.relevant.discard(rel)
    if p is None:
        return
    if p[0] == fsindex.PAGE:
        if p[3] is not None:
            s.totals.add_page(rel, cast(PageCounts, p[3]), config, sign)
        if sign > 0:
            key = page_key(cast(str, p[1]))
            if p[5]:
                s.core[rel] = key
            tags = cast(tuple[str, ...], p[4])
            secret_file = file_name_is_sensitive(rel)
            if tags or secret_file:
                s.tagged[rel] = (key, tags, secret_file)
    elif p[0] == fsindex.BOARD and p[3] is not None:
        s.totals.add_board(cast(BoardCounts, p[3]), sign)


def _relevant(rec: fsindex.Record, s: Summary, core_names: set[str]) -> bool:
    from xuncha_kb.live.relevance import is_relevant_name

    return _is_page(rec) and is_relevant_name(rec.kind, cast(str, cast(fsindex.Payload, rec.payload)[1]),
                                              rec.rel in s.core, core_names)


def name_row(rec: fsindex.Record) -> NameRow:
    """A record's row of :data:`NameRow` (no name for a record that is not stored)."""
    name = fsindex.name_of(rec.payload) if fsindex.cacheable(rec) else None
    return (rec.rel, rec.kind, name, page_key(name) if name is not None else None)


def _collisions(names: Iterable[NameRow]) -> list[CollisionRow]:
    from xuncha_kb.fs.scan import name_collisions_keyed

    pages: list[tuple[str, str, str]] = []
    boards: list[tuple[str, str, str]] = []
    for rel, kind, n, k in names:
        if n is not None and k is not None:
            (boards if kind == "whiteboard" else pages).append((n, k, rel))
    return [(d.file, d.line, d.message, d.severity) for d in name_collisions_keyed(pages + boards)]


def build(records: Iterable[fsindex.Record], config: GraphConfig) -> Summary:
    """The summary of these (stored) records, in file order."""
    recs = list(records)
    s = Summary()
    for rec in recs:
        _add(s, rec, config, 1)
    core_names = s.core_names()
    s.relevant = {rec.rel for rec in recs if _relevant(rec, s, core_names)}
    s.collisions = _collisions(name_row(r) for r in recs)
    return s


def update(s: Summary, removed: Iterable[fsindex.Record], fresh: Iterable[fsindex.Record],
           names: Callable[[], Iterable[NameRow]], config: GraphConfig) -> Summary:
    """``s`` with the ``removed`` records taken away and the ``fresh`` ones added; ``names``
    gives every current file's name and key, asked only when relevance or collisions must be
    judged again for all files."""
    from xuncha_kb.live.relevance import is_relevant_name

    gone = list(removed)
    new = list(fresh)
    before = s.core_names()
    for rec in gone:
        _add(s, rec, config, -1)
    for rec in new:
        _add(s, rec, config, 1)
    core_names = s.core_names()
    rows: list[NameRow] | None = None
    if core_names != before:
        rows = list(names())
        s.relevant = {rel for rel, kind, name, _key in rows if name is not None and kind != "whiteboard"
                      and is_relevant_name(kind, name, rel in s.core, core_names)}
    else:
        s.relevant.update(rec.rel for rec in new if _relevant(rec, s, core_names))
    old_named = {r.rel: (r.kind, fsindex.name_of(r.payload)) for r in gone if fsindex.name_of(r.payload)}
    new_named = {r.rel: (r.kind, fsindex.name_of(r.payload)) for r in new if fsindex.name_of(r.payload)}
    if old_named != new_named:
        s.collisions = _collisions(rows if rows is not None else names())
    return s
