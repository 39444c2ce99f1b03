"""Files the user names on the command line: ``report -o``, ``workflow extract -o``,
``close-out --archive``.

One rule set for every such target, decided from the path before anything is written
(:func:`check_output`), then one way to write (:func:`write_output`):

* a **directory**, a **socket** or a **block device** is never a target (exit 2);
* a **character device** or a **FIFO** (``/dev/null``, ``/dev/stdout``, a named pipe) is
  written *into*, never replaced; a failed write there (``/dev/full``: no space) is exit 5;
* a **symlink** is followed, and the rules apply to the file it points at;
* inside a Logseq graph (the nearest folder above the target that holds ``pages/``,
  ``journals/`` or ``logseq/``): nothing under ``.xuncha/`` (xuncha-kb's own state) or
  ``logseq/`` (Logseq's config, backups, recycle bin); nothing in the whiteboards folder; in
  the pages and journals folders only a Markdown page; anywhere in the graph, no binary or
  non-page data under a name Logseq reads as a page (``.md``, ``.markdown``, ``.org``) — all
  exit 2; and never over an existing page, journal, whiteboard or config.edn (exit 4: that
  is a note, and ``--write`` is the way to put a report page into the graph).

Everything else is written atomically through :func:`~xuncha_kb.fs.atomic.atomic_write`.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from xuncha_kb.errors import InputError, WriteConflict, WriteFailed
from xuncha_kb.inputfile import kind_of

if TYPE_CHECKING:
    from xuncha_kb.model import GraphConfig


class Payload(Enum):
    """What kind of bytes go to the target."""

    PAGE = "page"  # a Logseq Markdown page
    ORG_PAGE = "org-page"  # a Logseq Org page (a graph with :preferred-format :org)
    TEXT = "text"  # text that is not a page (JSON, HTML, a terminal report)
    BINARY = "binary"  # xlsx, zip

    @property
    def label(self) -> str:
        return {"page": "页面", "org-page": "Org 页面", "text": "非页面格式的文件",
                "binary": "二进制文件"}[self.value]


@dataclass(frozen=True, slots=True)
class OutputTarget:
    """A checked target: where the bytes go and how."""

    path: Path  # symlinks resolved
    shown: str  # the name the user gave, for messages
    in_place: bool  # a character device or FIFO: written into, never replaced


_STATE_DIR = ".xuncha"
_LOGSEQ_DIR = "logseq"
_PAGE_SUFFIXES = frozenset({".md", ".markdown", ".org"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_OWN_SUFFIXES = {Payload.PAGE: (_MARKDOWN_SUFFIXES, ".md"), Payload.ORG_PAGE: (frozenset({".org"}), ".org")}
_WRITE_HINT = "要把报告放进图谱，请用 --write（生成一个报告页）；"
_OUTSIDE_HINT = "请换一个文件名，或写到图谱之外，例如 -o ~/巡察进度.html"


def check_output(output: Path | str, payload: Payload, *, graph: Path | None = None,
                 config: GraphConfig | None = None) -> OutputTarget:
    """Decide whether ``output`` may receive ``payload``; raise the user's error if not.

    ``graph``/``config`` are the graph a command already read (saves reading its config again);
    any other graph the target lies in is found by looking at the folders above it.
    """
    shown = str(output)
    if "\x00" in shown:
        raise InputError("输出路径中含有 NUL 字符", file=shown.replace("\x00", "\\0"), hint="请检查输出路径")
    real = Path(os.path.realpath(os.path.abspath(output)))
    _check_parent(real, shown)
    in_place = _check_kind(real, shown)
    root = _enclosing_graph(real)
    if root is not None:
        same = graph is not None and os.path.realpath(graph) == str(root)
        _check_graph_rules(root, real, shown, payload, config if same else None)
    return OutputTarget(real, shown, in_place)


def write_output(target: OutputTarget, data: bytes | str, *, create_only: bool = False) -> None:
    """Write ``data`` to a target that :func:`check_output` accepted."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.in_place:
        _write_in_place(target, payload)
        return
    from xuncha_kb.fs.atomic import atomic_write

    atomic_write(target.path, payload, create_only=create_only, display=target.shown)


# --- the rules ----------------------------------------------------------------------------------

def _check_kind(real: Path, shown: str) -> bool:
    """True for a target written in place (char device, FIFO); refuse what is never a target."""
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise InputError(f"无法访问输出文件（{exc.strerror}）", file=shown) from None
    if stat.S_ISDIR(mode):
        raise InputError("输出位置是一个文件夹，不能作为输出文件", file=shown,
                         hint="请在文件夹后写上文件名，例如 -o 报告/巡察进度.html")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    if not stat.S_ISREG(mode):
        raise InputError(f"输出位置{kind_of(mode)}，不是普通文件，不会写入或替换它", file=shown,
                         hint="请指定一个普通文件的路径")
    return False


def _check_parent(real: Path, shown: str) -> None:
    """The nearest existing folder above the target must be a folder (it is created below)."""
    parent = real.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"输出路径中的“{parent.name}”是文件而不是文件夹", file=shown,
                         hint="请检查输出路径")


def enclosing_graph(output: Path | str) -> Path | None:
    """The Logseq graph an output path lies in (symlinks resolved), if any."""
    return _enclosing_graph(Path(os.path.realpath(os.path.abspath(output))))


def _enclosing_graph(real: Path) -> Path | None:
    """The nearest folder above ``real`` that is a Logseq graph, if any."""
    from xuncha_kb.fs.scan import GRAPH_MARKERS

    for folder in real.parents:
        if any((folder / m).is_dir() for m in GRAPH_MARKERS):
            return folder
    return None


def _check_graph_rules(root: Path, real: Path, shown: str, payload: Payload,
                       config: GraphConfig | None) -> None:
    if config is None:
        from xuncha_kb.fs.scan import read_graph_config

        config, _ = read_graph_config(root)
    if real.exists():
        from xuncha_kb.fs.listing import classify_path

        if classify_path(root, real, config, apply_hidden=False) != "ignored":
            raise WriteConflict("这是图谱中的笔记文件，-o 不会覆盖它", file=shown,
                                hint="要把报告写入图谱，请用 --write（只更新 xuncha-kb 生成的报告页）；"
                                     "或用 -o 指定一个新的文件名")
    rel = real.relative_to(root).as_posix()
    first = rel.split("/", 1)[0]
    if first == _STATE_DIR:
        raise InputError("这是 xuncha-kb 在图谱中保存状态的文件夹（.xuncha/），不能作为输出位置", file=shown,
                         hint=_OUTSIDE_HINT)
    if first == _LOGSEQ_DIR:
        raise InputError("这是 Logseq 自己的文件夹（配置、备份、回收站），不能作为输出位置", file=shown,
                         hint=_OUTSIDE_HINT)
    suffix = real.suffix.lower()
    folder = _note_folder(rel, config)
    if folder == config.whiteboards_dir.strip("/"):
        raise InputError(f"白板文件夹（{folder}/）只存放 Logseq 白板，不能写入报告", file=shown,
                         hint=_OUTSIDE_HINT)
    own = _OWN_SUFFIXES.get(payload)
    if folder is not None and (own is None or suffix not in own[0]):
        if own is not None:
            raise InputError(f"写入 {folder}/ 文件夹的{payload.label}须以 {own[1]} 结尾", file=shown,
                             hint=f"例如 -o {folder}/{real.stem}{own[1]}")
        raise InputError(f"{payload.label}不能写入图谱的 {folder}/ 文件夹：Logseq 会把其中的文件当作笔记读取",
                         file=shown, hint=_WRITE_HINT + _OUTSIDE_HINT)
    if own is None and suffix in _PAGE_SUFFIXES:
        raise InputError(f"{payload.label}不能以页面的扩展名（{suffix}）写入图谱：Logseq 会把它当作页面读取",
                         file=shown, hint=_OUTSIDE_HINT)


def _note_folder(rel: str, config: GraphConfig) -> str | None:
    """The configured pages, journals or whiteboards folder that ``rel`` lies in, if any."""
    for name in (config.whiteboards_dir, config.journals_dir, config.pages_dir):
        name = name.strip("/")
        if name and (rel == name or rel.startswith(name + "/")):
            return name
    return None


# --- writing into a device or pipe -------------------------------------------------------------

def _write_in_place(target: OutputTarget, payload: bytes) -> None:
    from xuncha_kb.fs.atomic import os_error_message

    try:
        # Non-blocking open: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
        fd = os.open(target.path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise WriteFailed("没有程序在读取这个管道，未写入", file=target.shown,
                              hint="先启动读取管道的程序，再运行本命令") from None
        raise WriteFailed(os_error_message(exc), file=target.shown) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise WriteFailed(os_error_message(exc), file=target.shown) from None
    finally:
        os.close(fd)
