"""The live state's index: one :class:`~xuncha_kb.fs.cache.FileEntry` per file, and the side
tables that must stay in step with it (core pages, tagged pages, quick entries, diagnostics,
files marked sensitive).

Every change goes through :meth:`EntryTable.put` and :meth:`EntryTable.drop`, so a side table
can never disagree with the entry it was derived from.
"""

from __future__ import annotations

from collections.abc import Container

from xuncha_kb.fs.cache import FileEntry
from xuncha_kb.live.relevance import SENSITIVE_TAG_KEY, is_core_entry
from xuncha_kb.model import Diagnostic, LeftOut, page_key
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.sensitive import file_name_is_sensitive, name_is_sensitive

_SECRET_KEYS = frozenset({cv.P_SECRET_LEVEL, cv.P_SENSITIVE, SENSITIVE_TAG_KEY})

class EntryTable:
    """relpath → entry, with the tables derived from the entries."""

    def __init__(self) -> None:
        self.entries: dict[str, FileEntry] = {}
        self.core: dict[str, str] = {}  # relpath → page key, for core entries
        self.tagged: dict[str, LeftOut] = {}  # pages with tags or a sensitive file name
        self.quick: set[str] = set()  # entries known from the quick scan only (tags a superset)
        self.diag_files: dict[str, tuple[Diagnostic, ...]] = {}
        # marked 密级::/sensitive::/a sensitive tag when last readable
        self.secret_files: set[str] = set()

    def clear(self) -> None:
        self.entries.clear()
        self.core.clear()
        self.tagged.clear()
        self.quick.clear()
        self.diag_files.clear()
        self.secret_files.clear()

    def put(self, rel: str, entry: FileEntry) -> None:
        """Record an entry, keeping every side table in step."""
        self.entries[rel] = entry
        key = page_key(entry.name) if entry.name else ""
        if key and is_core_entry(entry):
            self.core[rel] = key
        else:
            self.core.pop(rel, None)
        secret_file = file_name_is_sensitive(rel)
        if key and (entry.tags or secret_file):
            self.tagged[rel] = (key, entry.tags, secret_file)
        else:
            self.tagged.pop(rel, None)
        if entry.quick:
            self.quick.add(rel)
        else:
            self.quick.discard(rel)
        if entry.diagnostics:
            self.diag_files[rel] = entry.diagnostics
        else:
            self.diag_files.pop(rel, None)
        if entry.keys & _SECRET_KEYS:
            self.secret_files.add(rel)
        elif entry.name:  # read fine and not marked; an unreadable page keeps what we knew
            self.secret_files.discard(rel)

    def drop(self, rel: str) -> None:
        self.secret_files.discard(rel)
        self.entries.pop(rel, None)
        self.core.pop(rel, None)
        self.tagged.pop(rel, None)
        self.quick.discard(rel)
        self.diag_files.pop(rel, None)

    def core_names(self) -> set[str]:
        return set(self.core.values())

    def left_out(self, kept: Container[str]) -> tuple[LeftOut, ...]:
        """What the small graph says of the tagged pages that are not in ``kept``."""
        return tuple(v for rel, v in self.tagged.items() if rel not in kept)

    def suspects(self, marked: frozenset[str], core_names: set[str]) -> list[str]:
        """Quick entries whose (superset) tags may mark their page: a tag sensitive by its name,
        naming a marked page or a core page."""
        return [rel for rel in self.quick if rel in self.tagged and
                may_mark(self.entries[rel], marked, core_names)]


def may_mark(entry: FileEntry, marked: frozenset[str], core_names: set[str]) -> bool:
    """Could this entry's tags make its page sensitive?"""
    return any(t in marked or t in core_names or name_is_sensitive(t) for t in entry.tags)
