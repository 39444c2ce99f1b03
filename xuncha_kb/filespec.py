"""What a generator hands to the writer: a file it wants in the graph, and the one hash used
for every byte comparison.  Pure: generators build these, ``fs/apply.py`` plans and writes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


def content_hash(data: bytes | str) -> str:
    """sha256 hex digest of the bytes (str is encoded as UTF-8) — the hash used everywhere."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class FileSpec:
    """A file some generator wants in the graph."""

    path: str  # graph-relative POSIX path, e.g. "pages/巡察___2026年第一轮___某某公司.md"
    content: str
    inspection: str | None = None
    kind: str = ""  # "overview", "stage", "ledger", "whiteboard", "report", …
    blocks: Mapping[str, str] = field(default_factory=dict)  # generated block key -> text hash
