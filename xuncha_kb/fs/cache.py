"""A compact per-file index of a graph, cached in ``<graph>/.xuncha/cache/`` for warm starts.

Not a pickle of the parsed tree (that is no faster than parsing, see
docs/performance.md): per file only what ``watch`` needs to decide whether the file matters
to inspections at all — its kind, page name, the set of property keys used on the page and
its blocks, and its diagnostics — keyed by graph-relative path and validated by
``(mtime_ns, size)``.  A warm start stats every file, keeps the entries whose stamp still
matches, and parses only the files that changed or that inspections need.

The cache is advisory: a missing, corrupt, foreign-version or other-config cache is simply
ignored (and rewritten), never an error.  Writes go through ``atomic_write``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xuncha_kb import __version__
from xuncha_kb.filespec import content_hash
from xuncha_kb.fs.atomic import atomic_write
from xuncha_kb.fs.state import state_dir
from xuncha_kb.model import Diagnostic

CACHE_DIR_NAME = "cache"
INDEX_NAME = "index.json"
CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What the index knows about one file without parsing it again."""

    mtime_ns: int
    size: int
    kind: str  # page | journal | whiteboard | config
    name: str = ""  # page title ("" for config)
    keys: frozenset[str] = frozenset()  # property keys on the page and any of its blocks
    diagnostics: tuple[Diagnostic, ...] = ()

    def stamp_matches(self, st: os.stat_result) -> bool:
        return self.mtime_ns == st.st_mtime_ns and self.size == st.st_size

    def to_json(self) -> list[Any]:
        return [self.mtime_ns, self.size, self.kind, self.name, sorted(self.keys),
                [[d.line, d.message, d.severity] for d in self.diagnostics]]

    @classmethod
    def from_json(cls, relpath: str, raw: Any) -> FileEntry | None:
        try:
            mtime_ns, size, kind, name, keys, diags = raw
            return cls(int(mtime_ns), int(size), str(kind), str(name), frozenset(str(k) for k in keys),
                       tuple(Diagnostic(relpath, int(ln), str(msg), sev) for ln, msg, sev in diags))
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Index:
    """relpath → FileEntry, plus the fingerprint of what produced it."""

    entries: Mapping[str, FileEntry] = field(default_factory=dict)
    fingerprint: str = ""


def cache_dir(root: Path) -> Path:
    return state_dir(root) / CACHE_DIR_NAME


def index_path(root: Path) -> Path:
    return cache_dir(root) / INDEX_NAME


def fingerprint(config_text: str | bytes | None) -> str:
    """What invalidates every entry at once: the program version and ``logseq/config.edn``."""
    base = content_hash(config_text or b"")
    return f"{CACHE_FORMAT}:{__version__}:{base[:16]}"


def load_index(root: Path, expected_fingerprint: str) -> Index:
    """The cached index, or an empty one when missing, unreadable or made for another setup."""
    try:
        data = json.loads(index_path(root).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return Index(fingerprint=expected_fingerprint)
    if not isinstance(data, dict) or data.get("fingerprint") != expected_fingerprint:
        return Index(fingerprint=expected_fingerprint)
    files = data.get("files")
    if not isinstance(files, dict):
        return Index(fingerprint=expected_fingerprint)
    entries: dict[str, FileEntry] = {}
    for rel, raw in files.items():
        entry = FileEntry.from_json(str(rel), raw)
        if entry is not None:
            entries[str(rel)] = entry
    return Index(entries=entries, fingerprint=expected_fingerprint)


def save_index(root: Path, index: Index) -> None:
    """Write the index atomically (compact JSON; no fsync: losing it only costs a cold start)."""
    payload = json.dumps(
        {"format": CACHE_FORMAT, "fingerprint": index.fingerprint,
         "files": {rel: e.to_json() for rel, e in sorted(index.entries.items())}},
        ensure_ascii=False, separators=(",", ":"))
    atomic_write(index_path(root), payload, fsync=False, display=".xuncha/cache/index.json")
