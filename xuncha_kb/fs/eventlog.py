"""``<graph>/.xuncha/events.jsonl``: the append-only log of live events written by ``watch``.

One JSON object per line (the same objects ``watch --json`` prints).  Appends use
``O_APPEND`` and one ``write`` per batch of lines, so concurrent appenders never interleave
inside a line.  A crash can leave the last line truncated: readers skip any line that is
not valid JSON (counting them), and the next append first ends such a line with a newline so
new events always start on a line of their own.  The log is never rewritten.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from xuncha_kb.fs.state import state_dir

EVENTS_NAME = "events.jsonl"


def events_path(root: Path) -> Path:
    return state_dir(root) / EVENTS_NAME


class JsonLine(Protocol):
    """Anything that serialises itself as one line of JSON (``live.events.Event`` does)."""

    def to_json(self) -> str: ...


def append_events(root: Path, events: Iterable[JsonLine]) -> int:
    """Append events to the graph's log; returns how many lines were written."""
    lines = [ev.to_json() for ev in events]
    if not lines:
        return 0
    path = events_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size > 0 and _last_byte(path, size) != b"\n":
            payload = b"\n" + payload  # close a line a crash left unfinished
        os.write(fd, payload)
    finally:
        os.close(fd)
    return len(lines)


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(size - 1)
        return fh.read(1)


@dataclass(frozen=True, slots=True)
class EventLog:
    events: tuple[dict[str, Any], ...]
    skipped: int  # lines that were not valid JSON objects (e.g. a truncated last line)


def read_events(root: Path) -> EventLog:
    """Every well-formed event in the log, oldest first; a missing log is empty."""
    try:
        data = events_path(root).read_bytes()
    except FileNotFoundError:
        return EventLog((), 0)
    out: list[dict[str, Any]] = []
    skipped = 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            skipped += 1
            continue
        if isinstance(obj, dict) and isinstance(obj.get("event"), str):
            out.append(obj)
        else:
            skipped += 1
    return EventLog(tuple(out), skipped)
