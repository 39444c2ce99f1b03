"""``watch``'s view of the graph index (``fs/index.py``, ``.xuncha/index/graph.idx``).

There is one index per graph.  ``watch`` needs per file only its kind, page name, the set of
property keys used on the page and its blocks, the page's own tags and its diagnostics (a :class:`FileEntry`,
validated by ``(mtime_ns, size)``); these are read from and written to the same records that
``stats`` and ``report`` use.  An entry that ``watch`` knows only from its quick scan (no
counts, no diagnostics) is stored with inode 0, which never matches a real file, so the
one-shot commands read that file again; a record whose stamp still matches is kept whole.

The index is advisory: a missing, corrupt, foreign-version or other-config index is simply
ignored (and rewritten), never an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from xuncha_kb.fs import index as fsindex
from xuncha_kb.model import Diagnostic, Severity


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What the index knows about one file without parsing it again."""

    mtime_ns: int
    size: int
    kind: str  # page | journal | whiteboard | config
    name: str = ""  # page title ("" for config)
    keys: frozenset[str] = frozenset()  # property keys on the page and any of its blocks
    diagnostics: tuple[Diagnostic, ...] = ()
    tags: tuple[str, ...] = ()  # the page's own tags as page keys (``live/relevance.py``)
    quick: bool = False  # from the quick scan of the raw text: keys and tags are supersets
    core: bool = False  # the keys tie the page to inspections (``live/relevance.is_core_keys``)

    def stamp_matches(self, st: os.stat_result) -> bool:
        return self.mtime_ns == st.st_mtime_ns and self.size == st.st_size


@dataclass(frozen=True)
class Index:
    """relpath → FileEntry, plus the fingerprint of what produced it."""

    entries: Mapping[str, FileEntry] = field(default_factory=dict)
    fingerprint: str = ""


def fingerprint(config_text: str | bytes | None) -> str:
    """What invalidates every entry at once (the graph index's fingerprint for this config)."""
    raw = config_text.encode("utf-8") if isinstance(config_text, str) else config_text
    return fsindex.fingerprint(raw, "hidden=True")


def _entry(rec: fsindex.Record) -> FileEntry | None:
    p = rec.payload
    if p is None or p[0] != fsindex.PAGE:
        return None
    diags = tuple(Diagnostic(rec.rel, line, msg, cast(Severity, sev)) for line, msg, sev in rec.diags)
    keys = frozenset(cast(tuple[str, ...], p[2]))
    return FileEntry(rec.stamp[1], rec.stamp[0], rec.kind, cast(str, p[1]), keys, diags,
                     cast(tuple[str, ...], p[4]), len(p) > 6 and bool(p[6]), bool(p[5]))


def load_index(root: Path, expected_fingerprint: str) -> Index:
    """The page entries of the graph index, or an empty index when it is not usable."""
    entries = {}
    for rel, rec in fsindex.load_records(root, expected_fingerprint).items():
        entry = _entry(rec)
        if entry is not None:
            entries[rel] = entry
    return Index(entries=entries, fingerprint=expected_fingerprint)


def save_index(root: Path, index: Index) -> None:
    """Write the entries into the graph index, keeping every stored record (whiteboards; pages
    read in full, whose stamp still matches: their keys are a superset of the entry's)."""
    old = fsindex.load_records(root, index.fingerprint)
    out: dict[str, fsindex.Record] = {r.rel: r for r in old.values() if r.kind not in ("page", "journal")}
    for rel, e in index.entries.items():
        rec = old.get(rel)
        if rec is not None and rec.payload is not None and rec.payload[3] is not None \
                and rec.stamp[:2] == (e.size, e.mtime_ns):
            out[rel] = rec
            continue
        keys = tuple(sorted(e.keys))
        out[rel] = fsindex.Record(rel, e.kind, (e.size, e.mtime_ns, 0, 0), b"",
                                  tuple((d.line, d.message, d.severity) for d in e.diagnostics),
                                  (fsindex.PAGE, e.name, keys, None, e.tags, e.core, e.quick))
    fsindex.save_records(root, [out[k] for k in sorted(out)], index.fingerprint)
