"""The dashboard's live model: the JSON report of the current progress, a version number that
grows with every change, and a condition the event streams wait on (no polling).

The watcher thread calls :meth:`Board.publish` after every batch that changed something; each
server-sent-event stream blocks in :meth:`Board.wait` until the version moves past the one it
last sent.  Everything here is computed from a ``Progress`` — the same model, redaction and
sensitivity rules as ``report`` — so nothing a report would not show can be served.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xuncha_kb.live.events import Event
from xuncha_kb.track.progress_model import Progress

#: How many recent change lines the dashboard lists.
RECENT = 30


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    body: str  # the JSON document the API serves


def model_of(progress: Progress, root: Path, *, redact: str, version: int,
             recent: Iterable[str] = ()) -> dict[str, object]:
    """The served document: the JSON report (with stage completion dates from the event log,
    names redacted when asked) plus what the page needs to know about itself."""
    from xuncha_kb.fs.eventlog import read_events
    from xuncha_kb.live.events import stage_completion_dates
    from xuncha_kb.report.jsonout import progress_dict
    from xuncha_kb.track.progress import with_completion_dates

    progress = with_completion_dates(progress, stage_completion_dates(read_events(root).events))
    if redact == "names":
        from xuncha_kb.track.redact import redact_names

        progress = redact_names(progress)
    doc = progress_dict(progress)
    doc["dashboard"] = {"version": version, "graph": root.name,
                        "updated": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                        "redact": redact, "recent": list(recent)}
    return doc


class Board:
    """Shared between the watcher thread (writer) and the HTTP threads (readers)."""

    def __init__(self, root: Path, *, redact: str = "none") -> None:
        self.root = root
        self.redact = redact
        self._cond = threading.Condition()
        self._snapshot = Snapshot(0, "{}")
        self._recent: deque[str] = deque(maxlen=RECENT)
        self.closed = False
        self.progress: Progress | None = None  # what the served model was computed from

    def publish(self, progress: Progress, events: Iterable[Event] = ()) -> int:
        """Make ``progress`` the served model; wake every waiting stream.  Returns the version."""
        from xuncha_kb.live.events import format_text

        with self._cond:
            for ev in reversed(list(events)):  # newest batch first, each batch in its own order
                self._recent.appendleft(format_text(ev))
            version = self._snapshot.version + 1
            doc = model_of(progress, self.root, redact=self.redact, version=version, recent=self._recent)
            self._snapshot = Snapshot(version, json.dumps(doc, ensure_ascii=False))
            self.progress = progress
            self._cond.notify_all()
            return version

    def current(self) -> Snapshot:
        with self._cond:
            return self._snapshot

    def wait(self, after: int, timeout: float) -> Snapshot:
        """The model once its version is past ``after`` (or when ``timeout`` runs out, or closed)."""
        with self._cond:
            self._cond.wait_for(lambda: self.closed or self._snapshot.version > after, timeout)
            return self._snapshot

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
