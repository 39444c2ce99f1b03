"""Atomic, conflict-checked file writes — the only way xuncha-kb changes a file.

``atomic_write`` writes the new bytes to a hidden temp file in the target's own folder
(``.<name>.<pid>-<token>.xuncha-tmp`` — a dot-file with a non-page suffix, so neither Logseq nor
our watcher treats it as a page), flushes and fsyncs it, checks the precondition once more,
and then puts it in place:

* ``create_only=True``: ``os.link`` the temp file to the target, which fails if anything
  exists there — an existing file is never clobbered, even by a racing writer;
* ``expect_hash=H``: the target must currently hash to ``H`` (compare-and-swap), then
  ``os.replace``;
* neither: plain ``os.replace``.

A failed precondition raises ``WriteConflict`` (exit 4); an OS error (disk full, permission,
read-only file system) raises ``WriteFailed`` (exit 5).  Either way the temp file is removed
and the target is left exactly as it was: every file is always either old or new.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from pathlib import Path

from xuncha_kb.errors import WriteConflict, WriteFailed
from xuncha_kb.filespec import content_hash
from xuncha_kb.inputfile import kind_of

TMP_SUFFIX = ".xuncha-tmp"


def file_hash(path: Path) -> str | None:
    """Hash of a file's current bytes, or None if it does not exist.

    Only a regular file is read: a folder, FIFO or device hashes to a fixed marker of its kind
    (so it never equals a page's hash), and the non-blocking open means a FIFO nobody writes
    never hangs the caller.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return content_hash(b"<directory>")
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return content_hash(b"<directory>")
        if not stat.S_ISREG(mode):
            return content_hash(b"<special file>")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return content_hash(fh.read())
    finally:
        os.close(fd)


def is_temp_name(name: str) -> bool:
    """True for our own temp files (watchers and scanners should skip them)."""
    return name.startswith(".") and name.endswith(TMP_SUFFIX)


_TMP_PID = re.compile(r"\.(\d+)-[0-9a-f]+" + re.escape(TMP_SUFFIX) + "$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def sweep_temp_files(folder: Path, *, older_than: float = 3600.0) -> list[str]:
    """Remove our own temp files left in ``folder`` by a killed process; return their names.

    A temp file is removed when the process that made it (its pid is in the name) is gone,
    or when it is older than ``older_than`` seconds — so a write in progress in a live process
    is never disturbed.
    """
    import time

    removed: list[str] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        m = _TMP_PID.search(entry.name)
        try:
            stale = (m is not None and not _pid_alive(int(m.group(1)))) or \
                now - entry.stat(follow_symlinks=False).st_mtime >= older_than
            if stale:
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue
    return removed


def temp_path_for(path: Path) -> Path:
    return path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}"


def os_error_message(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足，文件未写入"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有写入权限，文件未写入"
    if exc.errno == errno.EROFS:
        return "文件系统为只读，文件未写入"
    return f"写入失败（{exc.strerror or exc}），文件未写入"


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (best effort; not every platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_precondition(path: Path, expect_hash: str | None, create_only: bool, shown: str) -> None:
    _refuse_special_file(path, shown)
    if create_only:
        if os.path.lexists(path):
            raise WriteConflict("文件已存在，未覆盖", file=shown,
                                hint="该文件在读取之后被创建或修改；请检查后重新运行。")
        return
    if expect_hash is not None:
        current = file_hash(path)
        if current is None:
            raise WriteConflict("文件已被删除，未重新写入", file=shown,
                                hint="该文件在读取之后被删除；请重新运行以生成新的计划。")
        if current != expect_hash:
            raise WriteConflict("文件在读取之后被修改（可能是 Logseq 或用户刚刚保存），未覆盖", file=shown,
                                hint="请重新运行；xuncha-kb 不会覆盖用户的修改。")


def _refuse_special_file(path: Path, shown: str) -> None:
    """Only a regular file (or nothing) is ever replaced: a rename over a device node, a FIFO,
    a socket, a folder or a symlink would destroy it."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteFailed(os_error_message(exc), file=shown) from None
    if not stat.S_ISREG(mode):
        raise WriteConflict(f"目标{kind_of(mode)}，不是普通文件，未替换它", file=shown,
                            hint="请检查该路径；xuncha-kb 只会替换普通文件。")


def atomic_write(path: Path | str, data: bytes | str, *, expect_hash: str | None = None,
                 create_only: bool = False, fsync: bool = True, make_dirs: bool = True,
                 display: str | None = None) -> str:
    """Write ``data`` to ``path`` atomically; return the hash of what was written.

    ``display`` is the name used in messages (e.g. the graph-relative path).
    """
    path = Path(path)
    shown = display or str(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if create_only and expect_hash is not None:
        raise ValueError("create_only and expect_hash are mutually exclusive")
    _check_precondition(path, expect_hash, create_only, shown)
    try:
        if make_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailed(os_error_message(exc), file=shown) from exc
    tmp = temp_path_for(path)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                if fsync:
                    os.fsync(fh.fileno())
        except OSError as exc:
            raise WriteFailed(os_error_message(exc), file=shown) from exc
        # The precondition once more, as close to the swap as possible.
        _check_precondition(path, expect_hash, create_only, shown)
        try:
            if create_only:
                _link_exclusive(tmp, path, shown)
            else:
                os.replace(tmp, path)
        except WriteConflict:
            raise
        except OSError as exc:
            raise WriteFailed(os_error_message(exc), file=shown) from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    if fsync:
        _fsync_dir(path.parent)
    return content_hash(payload)


def _link_exclusive(tmp: Path, path: Path, shown: str) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there (hard link, else exclusive open)."""
    try:
        os.link(tmp, path)
        return
    except FileExistsError as exc:
        raise WriteConflict("文件已存在，未覆盖", file=shown,
                            hint="该文件在读取之后被创建；请检查后重新运行。") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    # File systems without hard links: exclusive create, then copy the bytes in.  A crash here
    # could leave a short file, so this is only the fallback.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as exc:
        raise WriteConflict("文件已存在，未覆盖", file=shown) from exc
    with os.fdopen(fd, "wb") as fh:
        fh.write(tmp.read_bytes())
        fh.flush()
        os.fsync(fh.fileno())
