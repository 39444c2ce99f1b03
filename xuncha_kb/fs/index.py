"""The persistent graph index: ``<graph>/.xuncha/index/graph.idx``.

One record per page, journal and whiteboard file: its identity (size, ``mtime_ns``, inode,
``ctime_ns``), its diagnostics, and a *payload* of plain values that the commands computed
from the parsed file (counts, the page name, property keys …; opaque here but for
``payload[1]``, the file's page name).  A run stats every file and re-reads only those whose
identity changed, so an unchanged 100k-page graph is answered without parsing.

Racy entries (as git calls them): a file whose ``mtime`` lies within :data:`RACY_NS` of the
scan (a same-second edit on a coarse file system, a clock that jumps, a write during the
scan) also gets a content digest, and is trusted on the next run only when its bytes still
hash the same.

On disk the index is read in parts, so that a warm run reads only what it needs:

* ``MAGIC``, the header's length and SHA-256, the header: a ``marshal`` of ``(FORMAT,
  fingerprint, sections)``, each section ``(name, offset, length, SHA-256)``;
* ``files`` — the columns every run needs: paths, kinds, stamps (an ``array('q')``), the
  racy digests, page names and page keys;
* ``b00`` … — the records' diagnostics and payloads, in :data:`BUCKETS` buckets by a stable
  hash of the path: a bucket is read (and checked) only when one of its records is asked
  for, and a save rewrites only the buckets whose records changed;
* ``x:<name>`` — values the commands derive from all records (``commands/index_summary.py``),
  saved with them and valid for exactly those records.

A missing, truncated, corrupt, old-format or other-fingerprint file reads as empty; a bucket
that fails its checksum reads as missing and its files are read again: the index is advisory,
it is rebuilt silently and never changes a result.  Writes go through ``atomic_write`` (no
fsync: losing the index only costs a cold run).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from xuncha_kb import __version__
from xuncha_kb.fs.atomic import atomic_write
from xuncha_kb.fs.state import state_dir
from xuncha_kb.model import page_key

INDEX_DIR_NAME = "index"
INDEX_NAME = "graph.idx"
MAGIC = b"XKBIDX5\n"
FORMAT = 5  # bump on any change to the layout (5: sections, buckets, derived values)
BUCKETS = 64
RACY_NS = 2_000_000_000  # FAT's mtime is 2 s coarse; anything this close to the scan is hashed

#: The payload of a page is ``(PAGE, name, property keys, counts, tags, core)``, of a whiteboard
#: ``(BOARD, name, (), counts)``; counts are the commands' business (None: not known), core says
#: whether the keys tie the page to inspections (``live/relevance.is_core_keys``, asked once
#: when the file is read, not on every run).  A page record that ``watch`` wrote has counts None
#: and a seventh item: True when its keys and tags come from the quick scan (supersets).
PAGE, BOARD = "p", "w"

Stamp = tuple[int, int, int, int]  # size, mtime_ns, inode, ctime_ns (inode 0: never matches)
DiagRow = tuple[int, str, str]  # line, message, severity
Payload = tuple[object, ...]
NO_STAMP: Stamp = (0, 0, 0, 0)


class Record(NamedTuple):
    """What the index keeps about one file."""

    rel: str
    kind: str
    stamp: Stamp
    digest: bytes  # b"" unless the file was racy when it was read
    diags: tuple[DiagRow, ...]
    payload: Payload | None  # None: nothing usable was read (unreadable, vanished, parser error)


def index_path(root: Path, name: str = INDEX_NAME) -> Path:
    """The index file (or a side table beside it, e.g. ``ids.idx``, in the same format)."""
    return state_dir(root) / INDEX_DIR_NAME / name


def fingerprint(config_bytes: bytes | None, extra: str = "") -> str:
    """What invalidates every record at once: the format, program and Python version, the config."""
    digest = hashlib.sha256(config_bytes or b"").hexdigest()[:20]
    return f"{FORMAT}:{__version__}:{sys.version_info[0]}.{sys.version_info[1]}:{digest}:{extra}"


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def bucket_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % BUCKETS


def name_of(payload: Payload | None) -> str | None:
    return payload[1] if payload is not None and len(payload) > 1 and isinstance(payload[1], str) else None


# --- reading ----------------------------------------------------------------------------------

_Section = tuple[str, int, int, bytes]  # name, offset after the header, length, sha256
Bucket = dict[str, tuple[tuple[DiagRow, ...], "Payload | None"]]


class StoredIndex:
    """An index file opened for reading; its parts are read when first asked for.

    The ``files`` columns are read at once: ``rels`` (file order), ``kinds``, ``stamps`` (four
    ints per file), ``digests`` (position → digest of the racy ones), ``names`` and ``keys``
    (the page name of ``payload[1]`` and its :func:`page_key`; None without a payload) and
    ``buckets`` (each file's bucket number)."""

    def __init__(self, path: Path, start: int, sections: dict[str, _Section]) -> None:
        self.path = path
        self.start = start
        self.sections = sections
        files = self.section("files")
        if not isinstance(files, tuple) or len(files) != 7:
            raise ValueError("no files section")
        rels, kinds, stamps, digests, names, keys, buckets = files
        self.rels: tuple[str, ...] = rels
        self.kinds: tuple[str, ...] = kinds
        self.stamps = array("q")
        self.stamps.frombytes(stamps)
        self.digests: dict[int, bytes] = digests
        self.racy = sorted(digests)  # the positions that carry a digest
        self.names: tuple[str | None, ...] = names
        self.keys: tuple[str | None, ...] = keys
        self.buckets: bytes = buckets
        n = len(self.rels)
        if len(self.stamps) != 4 * n or not len(kinds) == len(names) == len(keys) == len(buckets) == n:
            raise ValueError("columns of different lengths")
        self.position = {rel: i for i, rel in enumerate(self.rels)}
        self._loaded: dict[int, Bucket | None] = {}

    def stamp(self, i: int) -> Stamp:
        s = self.stamps
        return (s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3])

    def raw(self, name: str) -> tuple[bytes, bytes] | None:
        """A section's bytes and checksum, or None when it is absent or damaged."""
        sec = self.sections.get(name)
        if sec is None:
            return None
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.start + sec[1])
                data = fh.read(sec[2])
        except OSError:
            return None
        if len(data) != sec[2] or hashlib.sha256(data).digest() != sec[3]:
            return None
        return data, sec[3]

    def section(self, name: str) -> object | None:
        got = self.raw(name)
        if got is None:
            return None
        try:
            value: object = marshal.loads(got[0])
        except (ValueError, TypeError, EOFError):
            return None
        return value

    def extra(self, name: str) -> object | None:
        """A derived value saved with these records (None: absent or damaged)."""
        return self.section("x:" + name)

    def bucket(self, b: int) -> Bucket | None:
        if b not in self._loaded:
            value = self.section(bucket_name(b))
            self._loaded[b] = value if isinstance(value, dict) else None
        return self._loaded[b]

    def record(self, i: int) -> Record | None:
        """The record at position ``i``; None when its bucket is damaged."""
        rel = self.rels[i]
        got = self.bucket(self.buckets[i])
        entry = got.get(rel) if got is not None else None
        if entry is None:
            return None
        return Record(rel, self.kinds[i], self.stamp(i), self.digests.get(i, b""), entry[0], entry[1])

    def records(self) -> dict[str, Record]:
        """Every record that can be read, by path."""
        out = {}
        for i, rel in enumerate(self.rels):
            rec = self.record(i)
            if rec is not None:
                out[rel] = rec
        return out


def bucket_name(b: int) -> str:
    return f"b{b:02d}"


def load(root: Path, expected: str, name: str = INDEX_NAME) -> StoredIndex | None:
    """The stored index with its ``files`` columns read, or None when it is missing or not
    usable (then the run is cold)."""
    path = index_path(root, name)
    lead = len(MAGIC) + 4 + 32
    try:
        with open(path, "rb") as fh:
            head = fh.read(lead)
            if len(head) != lead or head[:len(MAGIC)] != MAGIC:
                return None
            size = int.from_bytes(head[len(MAGIC):len(MAGIC) + 4], "little")
            header = fh.read(size)
    except OSError:
        return None
    if len(header) != size or hashlib.sha256(header).digest() != head[len(MAGIC) + 4:]:
        return None
    try:
        fmt, fp, sections = marshal.loads(header)
        if fmt != FORMAT or fp != expected:
            return None
        return StoredIndex(path, lead + size, {s[0]: s for s in sections})
    except (ValueError, TypeError, EOFError):
        return None


def load_records(root: Path, expected: str, name: str = INDEX_NAME) -> dict[str, Record]:
    """Every stored record by path, or ``{}`` when the index is missing or not usable."""
    stored = load(root, expected, name)
    return stored.records() if stored is not None else {}


# --- writing ----------------------------------------------------------------------------------

class Columns(NamedTuple):
    """The ``files`` section being built, one row per stored record."""

    rels: list[str]
    kinds: list[str]
    stamps: array[int]
    digests: dict[int, bytes]
    names: list[str | None]
    keys: list[str | None]
    buckets: bytearray

    @staticmethod
    def empty() -> Columns:
        return Columns([], [], array("q"), {}, [], [], bytearray())

    def add(self, r: Record) -> None:
        if r.digest:
            self.digests[len(self.rels)] = r.digest
        self.rels.append(r.rel)
        self.kinds.append(r.kind)
        self.stamps.extend(r.stamp)
        name = name_of(r.payload)
        self.names.append(name)
        self.keys.append(page_key(name) if name is not None else None)
        self.buckets.append(bucket_of(r.rel))

    def add_stored(self, stored: StoredIndex, start: int, end: int) -> None:
        """The rows of the kept records at stored positions ``start`` … ``end - 1``, straight
        from the stored columns (a run is copied as slices, not row by row)."""
        here = len(self.rels) - start
        lo, hi = bisect_left(stored.racy, start), bisect_left(stored.racy, end)
        for pos in stored.racy[lo:hi]:
            self.digests[pos + here] = stored.digests[pos]
        self.rels.extend(stored.rels[start:end])
        self.kinds.extend(stored.kinds[start:end])
        self.stamps.extend(stored.stamps[4 * start:4 * end])
        self.names.extend(stored.names[start:end])
        self.keys.extend(stored.keys[start:end])
        self.buckets.extend(stored.buckets[start:end])


def encode(columns: Columns, buckets: Mapping[int, Bucket], copied: Mapping[int, tuple[bytes, bytes]],
           fp: str, extras: Mapping[str, object] | None = None) -> bytes:
    """The index file: each bucket from ``buckets``, or else ``copied`` as it is (bytes and
    checksum of a stored, checked bucket whose records are unchanged), or else empty."""
    c = columns
    files = (tuple(c.rels), tuple(c.kinds), c.stamps.tobytes(), c.digests, tuple(c.names), tuple(c.keys),
             bytes(c.buckets))
    parts: list[tuple[str, bytes, bytes | None]] = [("files", marshal.dumps(files), None)]
    for b in range(BUCKETS):
        kept = copied.get(b) if b not in buckets else None
        if kept is not None:
            parts.append((bucket_name(b), kept[0], kept[1]))
        else:
            parts.append((bucket_name(b), marshal.dumps(buckets.get(b, {})), None))
    for key, value in (extras or {}).items():
        parts.append(("x:" + key, marshal.dumps(value), None))  # type: ignore[arg-type]
    sections = []
    offset = 0
    for name, data, digest in parts:
        sections.append((name, offset, len(data), digest or hashlib.sha256(data).digest()))
        offset += len(data)
    header = marshal.dumps((FORMAT, fp, tuple(sections)))
    head = MAGIC + len(header).to_bytes(4, "little") + hashlib.sha256(header).digest()
    return b"".join([head, header, *(data for _n, data, _d in parts)])


def write_index(root: Path, data: bytes, name: str = INDEX_NAME) -> None:
    """Write an encoded index atomically; a graph that cannot be written to is fine (advisory)."""
    try:
        atomic_write(index_path(root, name), data, fsync=False, display=f".xuncha/index/{name}")
    except Exception:  # read-only graph, full disk …: the next run is cold, nothing else changes
        pass


def save_records(root: Path, records: Iterable[Record], fp: str, name: str = INDEX_NAME,
                 extras: Mapping[str, object] | None = None) -> None:
    """Write these records (in file order) as the whole index."""
    columns = Columns.empty()
    buckets: dict[int, Bucket] = {b: {} for b in range(BUCKETS)}
    for r in records:
        columns.add(r)
        buckets[bucket_of(r.rel)][r.rel] = (r.diags, r.payload)
    write_index(root, encode(columns, buckets, {}, fp, extras), name)


def cacheable(r: Record) -> bool:
    """Worth storing (an unreadable file is tried again next run)."""
    return r.payload is not None or r.stamp != NO_STAMP


# --- a refresh --------------------------------------------------------------------------------

#: Turns a changed file's bytes into (diagnostics, payload, the parsed object or None).
ReadResult = tuple[tuple[DiagRow, ...], Payload | None, object]
Reader = Callable[[str, str, bytes], ReadResult]
