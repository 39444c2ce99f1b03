"""Watching a graph folder: raw file events → filtered, debounced, de-duplicated change batches.

The only module that imports watchdog (lazily, inside :func:`watchdog_source`).

Design (see docs/watch-sync.md):

* an *event source* is anything with ``next_batch(timeout) -> set[Change] | None``:
  a non-empty set is one debounced batch, an empty set means "nothing within ``timeout``",
  ``None`` means the source is closed and the caller should stop;
* event kinds are only hints.  Logseq and most editors save through a temp file and a
  rename, git replaces files wholesale, so the consumer always re-reads (or stats) each path
  it is given; a ``moved`` event means "the destination changed" and "the source is gone";
* paths Logseq itself ignores (dot segments, ``logseq/bak``, ``version-files``,
  ``node_modules``), temp files (``*.tmp``, ``*.xuncha-tmp``, ``*~``, ``.#*``, ``#*#``, swap
  files) and xuncha-kb's own state folder ``.xuncha/`` never reach a batch;
* :class:`Debouncer` is a small clock-driven state machine (no threads), so its behaviour is
  tested with a fake clock; :class:`QueueSource` runs it over a thread-safe queue that
  watchdog's handler thread fills;
* :class:`OwnWrites` (``fs/ownwrites.py``) remembers the content hash of what xuncha-kb itself
  wrote, so the watcher skips its own writes instead of reacting to them (no feedback loops);
  :class:`StopFlag` (``fs/stop.py``) is the clean stop.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from xuncha_kb.fs.stop import StopFlag

ChangeKind = Literal["changed", "deleted", "directory"]

#: File extensions that can hold pages, whiteboards or the graph config.
WATCHED_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".org", ".edn")

#: Suffixes of temp files written by editors, Logseq, git and xuncha-kb itself.
TEMP_SUFFIXES: tuple[str, ...] = (
    ".xuncha-tmp", ".tmp", ".temp", ".swp", ".swx", ".swo", ".bak", ".orig", ".part", ".crdownload", "~",
)

#: Path segments (anywhere in the path) that are never part of a graph.
IGNORED_SEGMENTS: frozenset[str] = frozenset({"version-files", "node_modules", "__pycache__"})

DEFAULT_QUIET = 0.05  # seconds without new events before a batch is flushed (docs/performance.md)
DEFAULT_MAX_WAIT = 1.0  # a continuous stream of events still flushes after this long


@dataclass(frozen=True, slots=True, order=True)
class Change:
    """One changed path in a batch (graph-relative POSIX path).

    ``kind`` is a hint: ``changed`` (created, modified or renamed here), ``deleted`` (removed
    or renamed away) or ``directory`` (a folder appeared, vanished or moved — re-check every
    known file under it).
    """

    path: str
    kind: ChangeKind = "changed"


class EventSource(Protocol):
    """Where the watch loop gets its batches from (watchdog in production, a fake in tests)."""

    def next_batch(self, timeout: float | None) -> set[Change] | None: ...

    def close(self) -> None: ...


# --- filtering ------------------------------------------------------------------------------


def is_ignored(relpath: str, *, is_directory: bool = False) -> bool:
    """True when a graph-relative path can never matter to xuncha-kb.

    Hidden segments (``.git``, ``.recycle``, ``.xuncha``, ``pages/.bss.md``), Logseq's backup
    and version folders, temp and swap files, and (for files) anything that is not a page,
    whiteboard or config file.
    """
    if not relpath or relpath == ".":
        return True
    parts = relpath.split("/")
    for part in parts:
        if not part or part.startswith(".") or part in IGNORED_SEGMENTS:
            return True
    if len(parts) >= 2 and parts[0] == "logseq" and parts[1] == "bak":
        return True
    name = parts[-1]
    if name.startswith(("#", "~$")) or name.endswith(TEMP_SUFFIXES):
        return True
    if is_directory:
        return False
    return not name.lower().endswith(WATCHED_SUFFIXES)


def relative_posix(root: Path | str, path: str | bytes) -> str | None:
    """``path`` relative to ``root`` as a POSIX string, or None when it lies outside."""
    p = os.fsdecode(path)
    prefix = os.fspath(root).rstrip(os.sep) + os.sep
    if p.startswith(prefix) and os.sep + "." + os.sep not in p and os.sep + ".." not in p:
        rel = p[len(prefix):]  # the common case (watchdog gives absolute paths under root): no relpath
        return rel.replace(os.sep, "/") if rel else None
    try:
        rel = os.path.relpath(p, os.fspath(root))
    except ValueError:  # another drive on Windows
        return None
    if rel == os.curdir or rel.startswith(os.pardir):
        return None
    return rel.replace(os.sep, "/")


# --- debouncing -----------------------------------------------------------------------------


@dataclass
class Debouncer:
    """Collects paths until the stream has been quiet for ``quiet`` seconds (or ``max_wait``).

    Pure state machine driven by explicit timestamps: ``add`` records a raw change at ``now``,
    ``due(now)`` says whether a batch should be flushed, ``wait_time(now)`` how long a caller
    may sleep before asking again, and ``flush`` returns the batch (one Change per path, the
    latest hint winning) and resets.
    """

    quiet: float = DEFAULT_QUIET
    max_wait: float = DEFAULT_MAX_WAIT
    _pending: dict[str, ChangeKind] = field(default_factory=dict)
    _first: float | None = None
    _last: float | None = None

    def add(self, change: Change, now: float) -> None:
        if self._first is None:
            self._first = now
        self._last = now
        self._pending.pop(change.path, None)  # re-insert so the batch keeps event order
        self._pending[change.path] = change.kind

    def __len__(self) -> int:
        return len(self._pending)

    def due(self, now: float) -> bool:
        if self._first is None or self._last is None:
            return False
        return now - self._last >= self.quiet or now - self._first >= self.max_wait

    def wait_time(self, now: float) -> float | None:
        """Seconds until the pending batch becomes due; None when nothing is pending."""
        if self._first is None or self._last is None:
            return None
        return max(0.0, min(self._last + self.quiet, self._first + self.max_wait) - now)

    def flush(self) -> set[Change]:
        batch = {Change(p, k) for p, k in self._pending.items()}
        self._pending.clear()
        self._first = self._last = None
        return batch


# --- sources --------------------------------------------------------------------------------


class QueueSource:
    """Debounced batches from a thread-safe queue of raw Changes (filled by another thread).

    ``clock`` and the queue are injectable; ``put`` is what watchdog's handler calls.
    """

    def __init__(self, *, quiet: float = DEFAULT_QUIET, max_wait: float = DEFAULT_MAX_WAIT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._queue: queue.SimpleQueue[Change | None] = queue.SimpleQueue()
        self._debouncer = Debouncer(quiet=quiet, max_wait=max_wait)
        self._clock = clock
        self._closed = threading.Event()
        self._on_close: list[Callable[[], None]] = []

    def put(self, change: Change) -> None:
        if not self._closed.is_set():
            self._queue.put(change)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._queue.put(None)  # wake a waiting next_batch
        for fn in self._on_close:
            fn()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def next_batch(self, timeout: float | None) -> set[Change] | None:
        deadline = None if timeout is None else self._clock() + timeout
        deb = self._debouncer
        while True:
            if self._closed.is_set():
                return None
            now = self._clock()
            if deb.due(now):
                return deb.flush()
            wait = deb.wait_time(now)
            if wait is None and deadline is not None:
                # Nothing pending: honour the caller's timeout.  (A pending batch is always
                # waited for: it is due within ``max_wait``.)
                left = deadline - now
                if left <= 0:
                    return set()
                wait = left
            try:
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                continue
            if item is None:
                return None
            deb.add(item, self._clock())
            # Drain whatever else is already queued without sleeping.
            while True:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    return None
                deb.add(more, self._clock())


class FakeSource:
    """A scripted source for tests: returns the given batches in order, then None."""

    def __init__(self, batches: Iterable[Iterable[Change | str]]) -> None:
        self._batches: Iterator[Iterable[Change | str]] = iter(batches)
        self.closed = False

    def next_batch(self, timeout: float | None) -> set[Change] | None:
        if self.closed:
            return None
        try:
            raw = next(self._batches)
        except StopIteration:
            self.closed = True
            return None
        return {c if isinstance(c, Change) else Change(c) for c in raw}

    def close(self) -> None:
        self.closed = True


def raw_changes(root: Path, event_type: str, src: str | bytes, dest: str | bytes | None,
                is_directory: bool) -> list[Change]:
    """Translate one watchdog event into zero or more Changes (pure; filters applied)."""
    out: list[Change] = []
    if event_type in ("opened", "closed_no_write"):
        return out
    if is_directory and event_type in ("modified", "closed"):
        return out  # a folder's mtime changes with every file in it: not news

    def add(path: str | bytes, kind: ChangeKind) -> None:
        rel = relative_posix(root, path)
        if rel is None or is_ignored(rel, is_directory=is_directory):
            return
        out.append(Change(rel, "directory" if is_directory else kind))

    if event_type == "moved":
        add(src, "deleted")
        if dest is not None:
            add(dest, "changed")
    elif event_type == "deleted":
        add(src, "deleted")
    else:  # created, modified, closed
        add(src, "changed")
    return out


#: How long watchdog's inotify backend holds a "moved from" event to pair it with its "moved
#: to" (watchdog's default is 0.5 s).  We treat a move as "source gone, destination changed"
#: anyway, so pairing buys nothing, while the wait — and the linear search of the held events —
#: made a burst of 1,000 atomic saves arrive over more than a second in three batches instead
#: of one batch 0.25 s after the burst (bench/bench_watch.py).
MOVE_PAIRING_DELAY = 0.05


def _shorten_move_pairing() -> None:
    import importlib

    try:  # by name: the module exists only on Linux and only in watchdog >= 5
        grouper = importlib.import_module("watchdog.observers.inotify_move_event_grouper")
    except ImportError:  # keep watchdog's default
        return
    cls = getattr(grouper, "InotifyMoveEventGrouper", None)
    if cls is not None and isinstance(getattr(cls, "delay", None), int | float):
        cls.delay = MOVE_PAIRING_DELAY


def watchdog_source(root: Path, *, quiet: float = DEFAULT_QUIET,
                    max_wait: float = DEFAULT_MAX_WAIT) -> QueueSource:
    """Start a watchdog observer on ``root``; returns a QueueSource (close() stops the observer)."""
    import warnings

    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    # watchdog's inotify backend warns when a folder is re-added (e.g. one we create while
    # watching, such as .xuncha/cache); harmless, and not for the user to act on.
    warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
    _shorten_move_pairing()

    root = Path(os.path.realpath(root))
    source = QueueSource(quiet=quiet, max_wait=max_wait)

    class _Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            dest = getattr(event, "dest_path", None) or None
            for ch in raw_changes(root, event.event_type, event.src_path, dest, event.is_directory):
                source.put(ch)

    observer = Observer()
    observer.schedule(_Handler(), os.fspath(root), recursive=True)
    observer.daemon = True
    observer.start()

    def _stop() -> None:
        observer.stop()
        if threading.current_thread() is not observer:
            observer.join(timeout=2.0)

    source._on_close.append(_stop)
    return source


def batches(source: EventSource, stop: StopFlag, *, poll: float = 0.5) -> Iterator[set[Change]]:
    """Yield non-empty batches until the source closes or ``stop`` is set."""
    while not stop.is_set():
        batch = source.next_batch(poll)
        if batch is None:
            return
        if batch:
            yield batch
