"""One pass over the graph's files against the stored index (``fs/index.py``).

Every file is stat'ed; one whose identity (and, if it was racy, its digest) equals the stored
one is *kept* — its record is not even read unless someone asks for it — and any other is read
and parsed again.  :class:`Refresh` is the outcome: which files were kept (by their position
in the stored index), the records read this run, and the stored records that are no longer
current (gone or read again), which is what a caller needs to bring derived values up to
date without looking at the unchanged files.
"""

from __future__ import annotations

import hashlib
import os
import time
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path

from xuncha_kb.fs.index import (
    BUCKETS,
    INDEX_NAME,
    NO_STAMP,
    RACY_NS,
    Bucket,
    Columns,
    Payload,
    Reader,
    Record,
    StoredIndex,
    bucket_name,
    bucket_of,
    cacheable,
    encode,
    stamp_of,
    write_index,
)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _read(path: str) -> bytes:
    return Path(path).read_bytes()  # as fs.scan reads (tests make it fail for one file)


@dataclass
class Refresh:
    """The outcome of one pass over the graph's files."""

    root: Path
    files: list[tuple[str, str]]  # (rel, kind) in file order
    stored: StoredIndex | None
    read: Reader
    kept: list[int] = field(default_factory=list)  # per file: its stored position, or -1
    fresh: dict[str, Record] = field(default_factory=dict)  # records read this run
    parsed: dict[str, object] = field(default_factory=dict)  # objects the reader returned, kept
    reread: int = 0  # files read and parsed this run
    verified: int = 0  # racy files whose digest was checked
    keep: Callable[[Payload], bool] | None = None

    @property
    def dirty(self) -> bool:
        return bool(self.fresh) or (self.stored is not None and len(self.kept) != len(self.stored.rels))

    def gone(self) -> list[int]:
        """The stored positions that are no longer current (the file is gone or was read again)."""
        if self.stored is None:
            return []
        still = {p for p in self.kept if p >= 0}
        return [p for p in range(len(self.stored.rels)) if p not in still]

    def removed(self) -> list[Record] | None:
        """The stored records of :meth:`gone`; None when one of them cannot be read (its
        bucket is damaged: callers rebuild what depends on it)."""
        if self.stored is None:
            return []
        out = []
        for pos in self.gone():
            rec = self.stored.record(pos)
            if rec is None:
                return None
            out.append(rec)
        return out

    def record(self, i: int) -> Record:
        """The current record of file ``i`` (a kept one whose bucket is damaged is read again)."""
        rel, kind = self.files[i]
        pos = self.kept[i]
        if pos < 0:
            return self.fresh[rel]
        assert self.stored is not None
        rec = self.stored.record(pos)
        if rec is None:
            self.kept[i] = -1
            rec = self._read_one(rel, kind, os.path.join(self.root, rel))
        return rec

    def records(self) -> list[Record]:
        """Every current record, in file order (reads every bucket)."""
        return [self.record(i) for i in range(len(self.files))]

    def _read_one(self, rel: str, kind: str, path: str) -> Record:
        try:
            stamp = stamp_of(os.lstat(path))
            data = _read(path)
        except OSError as exc:
            rec = _unreadable(rel, kind, exc)
            self.fresh[rel] = rec
            return rec
        return self._parse(rel, kind, stamp, data)

    def _parse(self, rel: str, kind: str, stamp: tuple[int, int, int, int], data: bytes) -> Record:
        diags, payload, obj = self.read(rel, kind, data)
        racy_from = time.time_ns() - RACY_NS
        digest = _digest(data) if stamp[1] >= racy_from or stamp[3] >= racy_from else b""
        rec = Record(rel, kind, stamp, digest, diags, payload)
        self.fresh[rel] = rec
        self.reread += 1
        if obj is not None and payload is not None and self.keep is not None and self.keep(payload):
            self.parsed[rel] = obj
        return rec


def _unreadable(rel: str, kind: str, exc: OSError) -> Record:
    return Record(rel, kind, NO_STAMP, b"", ((1, f"无法读取文件：{exc.strerror or exc}", "error"),), None)


_Raw = tuple[bytes, bytes]  # a stored section's bytes and checksum
_STAMP = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")
_BLOCK = 4096  # stamps compared a block at a time before file by file


def refresh(root: Path, files: Iterable[tuple[str, str]], stored: StoredIndex | None, read: Reader,
            *, keep: Callable[[Payload], bool] | None = None,
            progress: Callable[[int], None] | None = None) -> Refresh:
    """Stat each file; keep its stored record when its identity (and, if racy, its digest) is
    the same, otherwise read it.  A vanished file is skipped; one that cannot be read becomes
    its diagnostic (never stored).

    When the files are the stored ones in the same order (the usual warm run), the stamps are
    compared as one array and only the files whose stamps differ, which were racy or which
    had no payload are looked at one by one."""
    files = list(files)
    out = Refresh(Path(root), [], stored, read, keep=keep)
    base = os.path.join(root, "")  # paths are built by concatenation: no join per file
    stats = _stat_all(base, files)
    if stored is not None and _same_files(files, stats, stored):
        out.files.extend(files)
        out.kept.extend(range(len(files)))
        gone = []
        for i in _suspects(stats, stored):
            rel, kind = files[i]
            st = stats[i]
            assert st is not None
            pos = _visit(out, base + rel, rel, kind, st, i)
            if pos is None:
                gone.append(i)
            else:
                out.kept[i] = pos
        for i in reversed(gone):  # vanished between the stat and the read
            del out.files[i], out.kept[i]
        if progress is not None:
            progress(len(files))
        return out
    position: Mapping[str, int] = stored.position if stored is not None else {}
    for done, ((rel, kind), st) in enumerate(zip(files, stats, strict=True), 1):
        if progress is not None:
            progress(done)
        if st is None:
            continue  # vanished since the listing
        pos = _visit(out, base + rel, rel, kind, st, position.get(rel, -1))
        if pos is not None:
            out.files.append((rel, kind))
            out.kept.append(pos)
    return out


def _stat_all(base: str, files: list[tuple[str, str]]) -> list[os.stat_result | OSError | None]:
    """Each file's lstat; None when it vanished, the error when it cannot be stat'ed."""
    try:
        return list(map(os.lstat, [base + rel for rel, _kind in files]))
    except OSError:
        pass
    out: list[os.stat_result | OSError | None] = []
    for rel, _kind in files:
        try:
            out.append(os.lstat(base + rel))
        except FileNotFoundError:
            out.append(None)
        except OSError as exc:
            out.append(exc)
    return out


def _same_files(files: list[tuple[str, str]], stats: list[os.stat_result | OSError | None],
                stored: StoredIndex) -> bool:
    """The same paths and kinds in the same order as stored, every one stat'ed."""
    return len(files) == len(stored.rels) and all(isinstance(st, os.stat_result) for st in stats) \
        and tuple(rel for rel, _k in files) == stored.rels and tuple(k for _r, k in files) == stored.kinds


def _suspects(stats: list[os.stat_result | OSError | None], stored: StoredIndex) -> list[int]:
    """Positions whose stamp differs from the stored one, or that were racy or had no payload."""
    flat = array("q", chain.from_iterable(map(_STAMP, stats)))
    old = stored.stamps
    out = set(stored.digests) | {i for i, n in enumerate(stored.names) if n is None}
    if flat != old:
        for start in range(0, len(flat), 4 * _BLOCK):
            end = start + 4 * _BLOCK
            if flat[start:end] != old[start:end]:
                out.update(i for i in range(start // 4, min(end, len(flat)) // 4)
                           if flat[4 * i:4 * i + 4] != old[4 * i:4 * i + 4])
    return sorted(out)


def _visit(out: Refresh, path: str, rel: str, kind: str, st: os.stat_result | OSError,
           pos: int) -> int | None:
    """Keep the stored record at ``pos`` (its position is returned) or read the file again
    (-1); None when the file vanished meanwhile."""
    stored = out.stored
    if isinstance(st, OSError):
        out.fresh[rel] = _unreadable(rel, kind, st)
        return -1
    try:
        if pos >= 0 and stored is not None and stored.kinds[pos] == kind and stored.names[pos] is not None \
                and stored.stamp(pos) == stamp_of(st):
            digest = stored.digests.get(pos)
            if digest is None:
                return pos
            data = _read(path)
            out.verified += 1
            if _digest(data) == digest:
                return pos
        else:
            data = _read(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        out.fresh[rel] = _unreadable(rel, kind, exc)
        return -1
    out._parse(rel, kind, stamp_of(st), data)
    return -1


def save(r: Refresh, fp: str, extras: Mapping[str, object] | None = None, name: str = INDEX_NAME) -> None:
    """Write the current records as the index: the ``files`` columns anew (kept rows copied
    from the stored ones in runs), the buckets that hold a changed, new or removed record
    rebuilt, the others copied as they are (bytes and checksum).  A kept record whose bucket
    is damaged is read again first, so that its bucket can be rebuilt."""
    stored = r.stored
    buckets: dict[int, Bucket]
    copied: dict[int, _Raw]
    if stored is None:
        buckets, copied = {b: {} for b in range(BUCKETS)}, {}
    else:
        buckets, copied = _unchanged_kept(r, stored)
    columns = Columns.empty()
    kept, files, n = r.kept, r.files, len(r.kept)
    i = 0
    while i < n:
        pos = kept[i]
        if pos < 0:
            rel = files[i][0]
            rec = r.fresh[rel]
            if cacheable(rec):
                columns.add(rec)
                buckets[bucket_of(rel)][rel] = (rec.diags, rec.payload)
            i += 1
            continue
        j = i + 1
        while j < n and kept[j] == pos + j - i:
            j += 1
        assert stored is not None
        columns.add_stored(stored, pos, pos + j - i)
        i = j
    write_index(r.root, encode(columns, buckets, copied, fp, extras), name)


def _unchanged_kept(r: Refresh, stored: StoredIndex) -> tuple[dict[int, Bucket], dict[int, _Raw]]:
    """The buckets to rebuild, holding their kept records so far, and the stored bytes of the
    buckets to copy.  Kept records in a damaged bucket are read again (they become fresh)."""
    touched = {bucket_of(rel) for rel in r.fresh}
    touched.update(stored.buckets[p] for p in r.gone())
    copied = {b: raw for b in range(BUCKETS) if b not in touched
              and (raw := stored.raw(bucket_name(b))) is not None}
    rebuild = [b for b in range(BUCKETS) if b not in copied]
    damaged = {b for b in rebuild if stored.bucket(b) is None}
    if damaged:
        for i, pos in enumerate(r.kept):
            if pos >= 0 and stored.buckets[pos] in damaged:
                r.record(i)  # its bucket cannot be read: the file is read again
    still = {p for p in r.kept if p >= 0}
    position = stored.position
    buckets: dict[int, Bucket] = {}
    for b in rebuild:
        got = stored.bucket(b)
        buckets[b] = {rel: entry for rel, entry in got.items() if position.get(rel, -1) in still} \
            if got is not None else {}
    return buckets, copied
