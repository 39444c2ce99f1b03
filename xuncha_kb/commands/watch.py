"""The ``watch`` command around :class:`~xuncha_kb.live.state.LiveGraph`: the loop, the
report page, clean stop.

``run_watch`` starts the watchdog source *before* reading the graph (a save during the initial
read is not missed), seeds the own-write registry from the scaffold manifest, prints events
and appends them to ``.xuncha/events.jsonl``, and regenerates the report page with
``--write-report``.  SIGINT/SIGTERM stop it cleanly.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from xuncha_kb.fs.ownwrites import OwnWrites
from xuncha_kb.live.events import Event
from xuncha_kb.live.state import BatchResult, LiveGraph

if TYPE_CHECKING:
    from xuncha_kb.fs.stop import StopFlag
    from xuncha_kb.fs.watch import Change, EventSource

SAVE_EVERY = 5.0  # seconds between index writes while watching (and one at the end)


def watch_loop(live: LiveGraph, source: EventSource, stop: StopFlag, *,
               on_events: Callable[[list[Event]], None],
               after_batch: Callable[[BatchResult], None] | None = None,
               log: bool = True, poll: float = 0.5,
               on_error: Callable[[str], None] | None = None) -> int:
    """Feed batches from ``source`` into ``live`` until the source closes or ``stop`` is set.

    Events are appended to ``.xuncha/events.jsonl`` (when ``log``) and then handed to
    ``on_events``; ``after_batch`` runs after every batch that changed something (the
    ``--write-report`` hook).  A new day triggers a recompute, so deadline colours move on
    even when nobody edits anything.  Returns the number of events seen.
    """
    from xuncha_kb.fs.eventlog import append_events

    total = 0
    day = live.today()
    saved = time.monotonic()

    def emit(events: list[Event]) -> None:
        nonlocal total
        if not events:
            return
        if log:
            try:
                append_events(live.root, events)
            except OSError:
                pass  # a read-only graph: events are still printed
        total += len(events)
        on_events(events)

    while not stop.is_set():
        batch = source.next_batch(poll)
        if batch is None:
            break
        if batch:
            result = _apply(live, batch, on_error)
            if result is None:
                continue
            emit(result.events)
            if after_batch is not None and (result.changed or result.reloaded):
                after_batch(result)
            if time.monotonic() - saved >= SAVE_EVERY:  # the index is advisory: not after every save
                live.save_cache()
                saved = time.monotonic()
        if live.today() != day:
            day = live.today()
            emit(live.tick())
    live.save_cache()
    return total


def _apply(live: LiveGraph, batch: set[Change], on_error: Callable[[str], None] | None) -> BatchResult | None:
    """One batch into the live state; None when it failed and ``on_error`` took the message."""
    try:
        return live.apply(batch)
    except Exception as exc:  # a long-running watcher outlives one bad batch
        if on_error is None:
            raise
        on_error(f"处理这一批变化时出错，已跳过并继续监视：{type(exc).__name__}: {exc}")
        return None


def write_report_page(live: LiveGraph) -> str | None:
    """Regenerate the in-graph progress report page after a change (``watch --write-report``).

    Goes through plan → apply in ``update_generated`` mode: a report page the user edited is
    left alone (a Chinese notice is returned instead).  What is written is registered with
    ``live.own`` first, so the watcher does not react to its own write.  Returns a status
    line, or None when the page was already up to date.
    """
    from xuncha_kb.commands.report import report_page_spec
    from xuncha_kb.errors import XunchaError
    from xuncha_kb.fs.apply import apply, plan_writes

    if live.progress is None:
        return None
    _, spec = report_page_spec(live.config, live.progress, root=live.root)
    rel, text = spec.path, spec.content
    try:  # a watcher outlives a graph it cannot write to (a read-only disk, ``pages`` a file …)
        plan = plan_writes(live.root, [spec], mode="update_generated")
        if plan.conflicts:
            return f"报告页 {rel} 在生成后被手动修改，未覆盖（删除该页或撤销修改后会重新生成）"
        if not plan.changes_anything:
            return None
        live.own.expect(rel, text.encode("utf-8"))
        apply(plan, live.root)
    except XunchaError as exc:
        return f"报告页未更新：{exc.message}"
    return f"已更新报告页 {rel}"


def own_writes_from_manifest(root: Path) -> OwnWrites:
    """What xuncha-kb last wrote, per the scaffold manifest (so those files are not news)."""
    from xuncha_kb.fs.manifest import read_manifest

    return OwnWrites({path: e.hash for path, e in read_manifest(root).entries.items()})


def check_timeout(timeout: float | None) -> None:
    """``--timeout`` must be a number of seconds a timer can wait: finite, not negative, not
    beyond ``threading.TIMEOUT_MAX`` (past it the timer thread dies and watch never stops)."""
    import math
    import threading

    from xuncha_kb.errors import InputError

    if timeout is None or (math.isfinite(timeout) and 0 <= timeout <= threading.TIMEOUT_MAX):
        return
    raise InputError(f"--timeout 的值 {timeout} 不是有效的秒数",
                     hint="请给出不小于 0 的秒数，例如 --timeout 60；不加 --timeout 则一直监视到按 Ctrl-C。")


def run_watch(root: Path, *, as_json: bool, write_report: bool, today: dt.date | None,
              use_cache: bool, timeout: float | None, out: Callable[[str], None],
              notice: Callable[[str], None], source: EventSource | None = None) -> int:
    """The ``watch`` command: start, print events until stopped.  Returns the event count.

    ``out`` receives event lines (Chinese text or JSON), ``notice`` status lines.  SIGINT and
    SIGTERM stop the loop cleanly (the observer is stopped, the cache saved).
    """
    import time

    from xuncha_kb.fs.scan import graph_root
    from xuncha_kb.fs.stop import StopFlag
    from xuncha_kb.fs.watch import watchdog_source
    from xuncha_kb.live.events import format_text

    check_timeout(timeout)
    root = graph_root(root)
    started = time.perf_counter()
    stop = StopFlag()
    # Start watching before reading, so a save during the initial read is not missed.
    src = source if source is not None else watchdog_source(root)
    stop.install(on_stop=src.close)
    try:
        day_fn: Callable[[], dt.date] = (lambda: today) if today is not None else dt.date.today
        live = LiveGraph(root, today=day_fn, own_writes=own_writes_from_manifest(root),
                         use_cache=use_cache).start()
        s = live.stats
        took = time.perf_counter() - started
        notice(f"正在监视 {root}：{s['files']} 个页面文件，其中 {s['relevant']} 个与巡察有关"
               f"（读取 {s['parsed']} 个，缓存命中 {s['reused']} 个，用时 {took:.2f} 秒）。按 Ctrl-C 停止。")
        if write_report:
            msg = write_report_page(live)
            if msg:
                notice(msg)
        if timeout is not None:
            import threading

            timer = threading.Timer(timeout, stop.set)
            timer.daemon = True
            timer.start()

        def on_events(events: list[Event]) -> None:
            for ev in events:
                out(ev.to_json() if as_json else format_text(ev))

        def after(result: BatchResult) -> None:
            if write_report:
                msg = write_report_page(live)
                if msg:
                    notice(msg)

        count = watch_loop(live, src, stop, on_events=on_events, after_batch=after,
                           poll=0.2 if timeout is not None else 0.5, on_error=notice)
    finally:
        src.close()
        stop.restore()
    notice(f"已停止监视，共 {count} 个事件。")
    return count
