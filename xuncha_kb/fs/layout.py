"""The graph's own folders: is ``pages`` (``journals``, ``whiteboards``, ``logseq``) a folder?

One rule, used on both sides of the file system edge:

* reading (``fs.scan``): every configured folder that exists but is not a folder — a file, a
  FIFO, a socket or device, a symlink to a file, a dangling symlink — or that is a symlink to
  a folder (never followed) becomes one Diagnostic naming the folder; the scan goes on;
* writing (``fs.apply.resolve_inside``): every folder on the way to a file we are about to
  write must be missing (it is created) or a folder; otherwise :class:`GraphLayoutError`
  (exit 3) names it, before anything is written.

Only ``os.lstat``/``os.stat`` are used: a FIFO is never opened (that would block).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from xuncha_kb.errors import GraphLayoutError
from xuncha_kb.inputfile import kind_of
from xuncha_kb.model import Diagnostic, GraphConfig

FolderRole = Literal["pages", "journals", "whiteboards", "logseq", "other"]

# What the scan loses when a folder of each role cannot be read.
_CONSEQUENCE: dict[FolderRole, str] = {
    "pages": "其中的页面未被读取，也无法在其中新建页面",
    "journals": "其中的日志未被读取",
    "whiteboards": "其中的白板未被读取，也无法在其中新建白板",
    "logseq": "配置文件 logseq/config.edn 未被读取，已按 Logseq 的默认设置读取图谱",
    "other": "无法在其中读取或写入文件",
}
_FIX = "请把它改名或移走，再新建一个同名文件夹"


@dataclass(frozen=True, slots=True)
class FolderProblem:
    """A graph folder that is not usable as a folder."""

    folder: str  # graph-relative POSIX path, e.g. "pages"
    what: str  # Chinese: what it is instead, e.g. "是一个普通文件"
    is_folder_link: bool = False  # a symlink to a folder: readable in principle, never followed

    @property
    def message(self) -> str:
        if self.is_folder_link:
            return f"“{self.folder}”{self.what}：xuncha-kb 不经由符号链接读取页面"
        return f"“{self.folder}”不是文件夹（{self.what}）"


def folder_problem(root: Path, rel: str) -> FolderProblem | None:
    """What is wrong with ``root/rel`` as a folder; None if it is a folder or does not exist."""
    path = Path(root) / rel
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return FolderProblem(rel, f"无法查看（{exc.strerror or exc}）")
    if stat.S_ISDIR(st.st_mode):
        return None
    if not stat.S_ISLNK(st.st_mode):
        return FolderProblem(rel, kind_of(st.st_mode))
    try:
        target = os.stat(path)
    except OSError:
        return FolderProblem(rel, "是一个失效的符号链接（目标不存在）")
    if stat.S_ISDIR(target.st_mode):
        return FolderProblem(rel, "是指向其他文件夹的符号链接", is_folder_link=True)
    return FolderProblem(rel, "是指向" + kind_of(target.st_mode).removeprefix("是") + "的符号链接")


def _segments_of(rel: str) -> list[str]:
    """``a/b/c`` → ``["a", "a/b", "a/b/c"]``; [] for a path that is not plainly inside the graph."""
    p = PurePosixPath(rel.strip("/"))
    if p.is_absolute() or any(s in ("", ".", "..") for s in p.parts):
        return []
    return ["/".join(p.parts[:i]) for i in range(1, len(p.parts) + 1)]


def first_problem(root: Path, rel_dir: str) -> FolderProblem | None:
    """The first folder on the way to (and including) ``rel_dir`` that is not a folder."""
    for seg in _segments_of(rel_dir):
        problem = folder_problem(root, seg)
        if problem is not None:
            return problem
    return None


def graph_folders(config: GraphConfig) -> dict[str, FolderRole]:
    """The folders a graph is made of, as configured (graph-relative)."""
    named: tuple[tuple[str, FolderRole], ...] = (
        (config.pages_dir, "pages"), (config.journals_dir, "journals"),
        (config.whiteboards_dir, "whiteboards"), ("logseq", "logseq"))
    out: dict[str, FolderRole] = {}
    for rel, role in named:
        out.setdefault(rel.strip("/"), role)
    return out


def folder_problems(root: Path, config: GraphConfig) -> list[FolderProblem]:
    """Every configured graph folder that is not usable as a folder, in a stable order."""
    found: dict[str, FolderProblem] = {}
    for rel in graph_folders(config):
        problem = first_problem(root, rel)
        if problem is not None:
            found.setdefault(problem.folder, problem)
    return list(found.values())


def layout_diagnostics(root: Path, config: GraphConfig) -> list[Diagnostic]:
    """The scan's view of :func:`folder_problems`: one diagnostic per broken folder."""
    roles = graph_folders(config)
    out: list[Diagnostic] = []
    for p in folder_problems(root, config):
        if p.is_folder_link:  # the message says it all: its pages are not read
            out.append(Diagnostic(p.folder, 1, p.message, "warning"))
            continue
        consequence = _CONSEQUENCE[roles.get(p.folder, "other")]
        out.append(Diagnostic(p.folder, 1, f"{p.message}，{consequence}；{_FIX}", "error"))
    return out


def require_parent_folders(root: Path, relpath: str) -> None:
    """Refuse to write ``relpath`` when a folder on its way exists but is not a folder.

    Raises :class:`GraphLayoutError` (exit 3) naming that folder.  A symlink to a folder is
    left to ``resolve_inside`` (which refuses it when it leads outside the graph).
    """
    parent = str(PurePosixPath(relpath).parent)
    if parent not in ("", "."):
        require_folder(root, parent, purpose=f"无法写入 {relpath}")


def require_folder(root: Path, rel_dir: str, *, purpose: str = "无法在其中读取或写入页面") -> None:
    """Refuse (``GraphLayoutError``, exit 3) when ``rel_dir`` or a folder above it exists but is
    not a folder; ``purpose`` says what cannot be done."""
    problem = first_problem(root, rel_dir)
    if problem is None or problem.is_folder_link:
        return
    raise GraphLayoutError(f"{problem.message}，{purpose}", file=problem.folder,
                           hint=f"{_FIX}（或在 logseq/config.edn 中改用另一个文件夹），然后重新运行。")
