"""Start the dashboard: the live graph, the watcher thread feeding the board, the HTTP server.

The watchdog source starts before the graph is read (as in ``watch``), so a save during the
first read is not missed.  Read-only by default: the watcher then writes neither the event
log nor the index cache (``--allow-write`` enables both, and the write actions).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xuncha_kb.serve.board import Board
from xuncha_kb.serve.handler import DashboardServer
from xuncha_kb.track.deadlines import Thresholds


@dataclass(frozen=True, slots=True)
class ServeOptions:
    port: int = 8765
    allow_write: bool = False
    today: dt.date | None = None
    redact: str = "none"
    thresholds: Thresholds = field(default_factory=Thresholds)
    timeout: float | None = None  # stop after this many seconds (scripts, tests)


class Dashboard:
    """A running dashboard (tests start one on port 0 and stop it)."""

    def __init__(self, root: Path, options: ServeOptions, *, source: Any = None) -> None:
        from xuncha_kb.commands.watch import own_writes_from_manifest
        from xuncha_kb.fs.scan import graph_root
        from xuncha_kb.fs.stop import StopFlag
        from xuncha_kb.fs.watch import watchdog_source
        from xuncha_kb.live.state import LiveGraph
        from xuncha_kb.serve.actions import Plans

        self.root = graph_root(root)
        self.options = options
        self.token = secrets.token_urlsafe(24)
        self.board = Board(self.root, redact=options.redact)
        self.stop = StopFlag()
        fixed = options.today
        today: Callable[[], dt.date] = (lambda: fixed) if fixed is not None else dt.date.today
        plans = Plans(self.root, today=today, thresholds=options.thresholds, redact=options.redact) \
            if options.allow_write else None
        self.server = _bind(options.port, self.board, plans, self.token)
        self.source = source if source is not None else watchdog_source(self.root)
        try:
            self.live = LiveGraph(self.root, today=today, own_writes=own_writes_from_manifest(self.root),
                                  use_cache=options.allow_write, thresholds=options.thresholds).start()
        except BaseException:
            self.source.close()
            self.server.server_close()
            raise
        assert self.live.progress is not None
        self.board.publish(self.live.progress)
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def _watch(self, on_error: Callable[[str], None]) -> None:
        """Feed the board from the watch loop: once per batch that changed something (with
        its events listed), and on a new day's events."""
        from xuncha_kb.commands.watch import watch_loop
        from xuncha_kb.live.events import Event

        def on_events(events: list[Event]) -> None:
            if self.live.progress is not None:
                self.board.publish(self.live.progress, events)

        def after(_result: object) -> None:
            # A batch without events (a page re-read to the same states) may still change
            # what the dashboard shows (a ledger field, a file name): publish what is new.
            if self.live.progress is not None and self.board.progress is not self.live.progress:
                self.board.publish(self.live.progress)

        watch_loop(self.live, self.source, self.stop, on_events=on_events, after_batch=after,
                   log=self.options.allow_write, poll=0.2, on_error=on_error)

    def start(self, on_error: Callable[[str], None]) -> Dashboard:
        """Serve and watch in background threads."""
        for target in (self.server.serve_forever, lambda: self._watch(on_error)):
            t = threading.Thread(target=target, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def close(self) -> None:
        self.stop.set()
        self.source.close()
        self.board.close()
        self.server.shutdown()
        self.server.server_close()
        for t in self._threads:
            t.join(timeout=5)


def _bind(port: int, board: Board, plans: Any, token: str) -> DashboardServer:
    from xuncha_kb.errors import InputError

    try:
        return DashboardServer(port, board=board, plans=plans, token=token)
    except OSError as exc:
        hint = "端口可能已被占用：换一个端口（例如 --port 8766），或用 --port 0 自动选择。"
        raise InputError(f"无法在 127.0.0.1:{port} 上启动看板：{exc.strerror or exc}", hint=hint) from exc


def run_serve(root: Path, options: ServeOptions, *, out: Callable[[str], None],
              notice: Callable[[str], None]) -> None:
    """The ``serve`` command: start, print the URL with its token, serve until Ctrl-C."""
    import time

    from xuncha_kb.commands.watch import check_timeout

    check_timeout(options.timeout)
    board = Dashboard(root, options)
    board.stop.install(on_stop=board.source.close)
    try:
        board.start(on_error=notice)
        mode = "可写（写入前先显示计划并需确认）" if options.allow_write else "只读"
        notice(f"巡察进度看板已启动（{mode}），正在监视 {board.root}。按 Ctrl-C 停止。")
        out(board.url)
        end = None if options.timeout is None else time.monotonic() + options.timeout
        while not board.stop.is_set() and (end is None or time.monotonic() < end):
            time.sleep(0.1)
    finally:
        board.stop.restore()
        board.close()
    notice("看板已停止。")
