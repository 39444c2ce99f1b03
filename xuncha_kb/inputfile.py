"""What a path is, judged without opening it: the checks before reading a file the user named.

A FIFO would block a read for ever, a device may never end, and a NUL in the path or an
over-long name raise errors that are not the ``OSError`` of a missing file.  Only
``os.stat`` is used.  Base layer: the workflow reader, the scan and the commands all use it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, as a Chinese predicate ("是一个命名管道（FIFO）")."""
    if stat.S_ISREG(mode):
        return "是一个普通文件"
    if stat.S_ISDIR(mode):
        return "是一个文件夹"
    if stat.S_ISLNK(mode):  # only seen through lstat
        return "是一个符号链接"
    if stat.S_ISFIFO(mode):
        return "是一个命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "是一个套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是一个设备文件"
    return "是一个特殊文件"


def is_regular_file(path: Path) -> bool:
    """``Path.is_file`` that is False, not an error, for a NUL in the path or an over-long name."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def input_file_problem(path: Path) -> str | None:
    """Why a file the user named cannot be read as one, in Chinese (a clause that follows the
    file's description, e.g. "是一个命名管道（FIFO），不是普通文件"); None if it is a regular
    file or does not exist (the read then says "not found").

    Check this before reading: a FIFO would block the read for ever, a device may never end,
    and a NUL in the path or an over-long name raise errors that are not ``OSError`` s of a
    missing file.  Symlinks are followed, as a read would.
    """
    try:
        mode = os.stat(path).st_mode
    except ValueError:
        return "的路径中含有 NUL 字符"
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return "的路径过长（超过系统的文件名长度上限）"
        return None  # missing or unreadable: the read itself says why
    if stat.S_ISREG(mode):
        return None
    return kind_of(mode) + "，不是普通文件"
