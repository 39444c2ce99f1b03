"""The persistent graph index: ``<graph>/.xuncha/index/graph.idx``.

One record per page, journal and whiteboard file: its identity (size, ``mtime_ns``, inode,
``ctime_ns``), its diagnostics, and a *payload* of plain values that the commands computed
from the parsed file (counts, the page name, property keys …; opaque here).  A run stats
every file and re-reads only those whose identity changed, so an unchanged 100k-page graph is
answered without parsing.

Racy entries (as git calls them): a file whose ``mtime`` lies within :data:`RACY_NS` of the
scan (a same-second edit on a coarse file system, a clock that jumps, a write during the
scan) also gets a content digest, and is trusted on the next run only when its bytes still
hash the same.

On disk: ``MAGIC`` + SHA-256 of the body + the body, a ``marshal`` of
``(FORMAT, fingerprint, records)`` with records as plain tuples.  A missing, truncated,
corrupt, old-format or other-fingerprint file reads as empty: the index is advisory, it is
rebuilt silently and never changes a result.  Writes go through ``atomic_write`` (no fsync:
losing the index only costs a cold run).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from xuncha_kb import __version__
from xuncha_kb.fs.atomic import atomic_write
from xuncha_kb.fs.state import state_dir

INDEX_DIR_NAME = "index"
INDEX_NAME = "graph.idx"
MAGIC = b"XKBIDX1\n"
FORMAT = 4  # bump on any change to the record or payload layout (4: a page's tags and core flag)
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


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


# --- the file -------------------------------------------------------------------------------

def load_records(root: Path, expected: str, name: str = INDEX_NAME) -> dict[str, Record]:
    """The stored records by path, or ``{}`` when the index is missing or not usable."""
    try:
        raw = index_path(root, name).read_bytes()
    except OSError:
        return {}
    head = len(MAGIC) + 32
    if len(raw) < head or raw[:len(MAGIC)] != MAGIC:
        return {}
    body = raw[head:]
    if hashlib.sha256(body).digest() != raw[len(MAGIC):head]:
        return {}
    try:
        fmt, fp, rows = marshal.loads(body)
        if fmt != FORMAT or fp != expected:
            return {}
        return {row[0]: Record(*row) for row in rows}
    except (ValueError, TypeError, EOFError):
        return {}


def encode_records(records: Iterable[Record], fp: str) -> bytes:
    rows: list[tuple[object, ...]] = [tuple(r) for r in records]
    body = marshal.dumps((FORMAT, fp, tuple(rows)))  # type: ignore[arg-type]  # plain values only
    return MAGIC + hashlib.sha256(body).digest() + body


def save_records(root: Path, records: Iterable[Record], fp: str, name: str = INDEX_NAME) -> None:
    """Write the index atomically; a graph that cannot be written to is fine (advisory)."""
    try:
        atomic_write(index_path(root, name), encode_records(records, fp), fsync=False,
                     display=f".xuncha/index/{name}")
    except Exception:  # read-only graph, full disk …: the next run is cold, nothing else changes
        pass


# --- a refresh --------------------------------------------------------------------------------

#: Turns a changed file's bytes into (diagnostics, payload, the parsed object or None).
ReadResult = tuple[tuple[DiagRow, ...], Payload | None, object]
Reader = Callable[[str, str, bytes], ReadResult]


@dataclass
class Refresh:
    """The outcome of one pass over the graph's files."""

    records: list[Record] = field(default_factory=list)  # in file order
    parsed: dict[str, object] = field(default_factory=dict)  # objects the reader returned, kept
    reread: int = 0  # files read and parsed this run
    verified: int = 0  # racy files whose digest was checked
    dirty: bool = False


def refresh(root: Path, files: Iterable[tuple[str, str]], old: Mapping[str, Record], read: Reader,
            *, keep: Callable[[Payload], bool] | None = None,
            progress: Callable[[int], None] | None = None) -> Refresh:
    """Stat each file; reuse its record when its identity (and, if racy, its digest) is the
    same, otherwise read it and ask ``read`` for a new one.  A vanished file is skipped; one
    that cannot be read becomes its diagnostic (never cached)."""
    out = Refresh()
    append = out.records.append
    get = old.get
    lstat = os.lstat
    base = os.path.join(root, "")  # paths are built by concatenation: no join per file
    racy_from = time.time_ns() - RACY_NS
    seen = 0
    for done, (rel, kind) in enumerate(files, 1):
        if progress is not None:
            progress(done)
        path = base + rel
        rec = get(rel)
        try:
            stamp = stamp_of(lstat(path))
            if rec is not None and rec.stamp == stamp and rec.kind == kind and rec.payload is not None:
                if not rec.digest:
                    append(rec)
                    seen += 1
                    continue
                data = _read(path)
                out.verified += 1
                if _digest(data) == rec.digest:
                    append(rec)
                    seen += 1
                    continue
            else:
                data = _read(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            append(Record(rel, kind, (0, 0, 0, 0), b"", (
                (1, f"无法读取文件：{exc.strerror or exc}", "error"),), None))
            out.dirty = True
            continue
        diags, payload, obj = read(rel, kind, data)
        digest = _digest(data) if stamp[1] >= racy_from or stamp[3] >= racy_from else b""
        append(Record(rel, kind, stamp, digest, diags, payload))
        out.reread += 1
        out.dirty = True
        if obj is not None and payload is not None and keep is not None and keep(payload):
            out.parsed[rel] = obj
    if seen != len(old):
        out.dirty = True
    return out


def _read(path: str) -> bytes:
    return Path(path).read_bytes()  # as fs.scan reads (tests make it fail for one file)


def cacheable(records: Iterable[Record]) -> list[Record]:
    """The records worth storing (an unreadable file is tried again next run)."""
    return [r for r in records if r.payload is not None or r.stamp != (0, 0, 0, 0)]
