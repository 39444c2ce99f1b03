"""The graph write lock: ``<graph>/.xuncha/lock`` (advisory, ``fcntl.flock``).

Every writer (scaffold, report --write, sync) holds it while applying a plan, so two
xuncha-kb processes never interleave writes to the same graph.  Logseq itself does not take
it; that race is handled by the compare-and-swap in ``atomic_write``.

The lock is re-entrant within one process (a nested ``graph_lock`` on the same graph just
counts), because flock locks are per open file and a second open would block on ourselves.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xuncha_kb.errors import GraphBusy, WriteFailed
from xuncha_kb.fs.state import lock_path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DEFAULT_TIMEOUT = 10.0
TIMEOUT_ENV = "XUNCHA_LOCK_TIMEOUT"
_POLL = 0.05

_held: dict[str, tuple[int, int]] = {}  # resolved lock path -> (fd, depth)
_guard = threading.Lock()


def default_lock_timeout() -> float:
    """Seconds to wait for the lock: ``$XUNCHA_LOCK_TIMEOUT`` if set and valid, else 10."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 else DEFAULT_TIMEOUT


@contextmanager
def graph_lock(root: Path, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Path]:
    """Hold the graph's write lock; raise ``GraphBusy`` (exit 6) after ``timeout`` seconds."""
    path = lock_path(Path(root))
    key = str(path.resolve()) if path.parent.exists() else str(path.absolute())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield path
        finally:
            with _guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return
    fd = _acquire(path, timeout)
    with _guard:
        _held[key] = (fd, 1)
    try:
        yield path
    finally:
        with _guard:
            del _held[key]
        _release(fd)


def _acquire(path: Path, timeout: float) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteFailed(f"无法创建图谱锁文件（{exc.strerror or exc}）", file=str(path)) from exc
    if fcntl is None:  # pragma: no cover - no advisory locks available
        return fd
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                holder = _holder(path)
                raise GraphBusy(
                    f"另一个 xuncha-kb 进程正在写入该图谱{holder}，等待 {timeout:g} 秒后放弃",
                    file=str(path), hint="请等它结束后再运行；若确认没有其他进程，可删除该锁文件。",
                ) from None
            time.sleep(_POLL)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass
    return fd


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f"（进程 {pid}）" if pid.isdigit() else ""


def _release(fd: int) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
