"""A clean stop for long-running commands: a flag set by SIGINT/SIGTERM or by hand."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any


class StopFlag:
    """Set by SIGINT/SIGTERM (when installed in the main thread) or by ``set()``."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._previous: dict[int, Any] = {}
        self.signal: int | None = None

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def install(self, on_stop: Callable[[], None] | None = None) -> None:
        """Route SIGINT and SIGTERM to this flag (no-op outside the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            self.signal = signum
            self._event.set()
            if on_stop is not None:
                on_stop()

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):  # pragma: no cover - platform without the signal
                continue

    def restore(self) -> None:
        for sig, prev in self._previous.items():
            try:
                signal.signal(sig, prev)
            except (ValueError, OSError):  # pragma: no cover
                continue
        self._previous.clear()
