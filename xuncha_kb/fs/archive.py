"""Zip archives of graph files with a sha256 manifest (``close-out --archive``).

The caller decides *what* goes in (which files, with which bytes — sensitive blocks already
withheld); this module builds the zip deterministically (fixed timestamps, sorted members,
``MANIFEST.json`` last) and writes it create-only, so an existing file is never replaced.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from xuncha_kb.filespec import content_hash
from xuncha_kb.model import JsonObject, JsonValue

MANIFEST_NAME = "MANIFEST.json"
ZIP_EPOCH = dt.date(1980, 1, 1)


def zip_archive(members: Sequence[tuple[str, bytes, Mapping[str, JsonValue]]], day: dt.date,
                meta: Mapping[str, JsonValue]) -> bytes:
    """The zip bytes: each ``(path, data, extra)`` member, then ``MANIFEST.json`` holding
    ``meta`` plus one ``{"path", "sha256", "bytes", **extra}`` entry per member."""
    stamp_day = max(day, ZIP_EPOCH)  # zip stores no date before 1980; the manifest keeps the real one
    stamp = (stamp_day.year, stamp_day.month, stamp_day.day, 0, 0, 0)
    listed: list[JsonObject] = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel, data, extra in sorted(members, key=lambda m: m[0]):
            info = zipfile.ZipInfo(rel, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
            listed.append({"path": rel, "sha256": content_hash(data), "bytes": len(data), **extra})
        manifest = {**meta, "files": listed}
        info = zipfile.ZipInfo(MANIFEST_NAME, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return buf.getvalue()


def write_archive(path: Path, data: bytes) -> None:
    """Put the archive at ``path``; never over an existing file (exit 4)."""
    from xuncha_kb.fs.atomic import atomic_write

    atomic_write(path, data, create_only=True, display=str(path))
