"""Moving pages into ``logseq/.recycle/`` — the folder Logseq itself uses for deleted pages.

A move, never a delete: each page is one ``os.rename`` inside the graph (atomic), under the
graph lock, and only if its bytes are still the ones the caller read (compare-and-swap on the
hash: a page Logseq just saved is not moved, and nothing is).  xuncha-kb's own stale temp
copies of a moved page are removed, since they may hold an old copy of its text.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from xuncha_kb.errors import WriteConflict, WriteFailed

RECYCLE_DIR = "logseq/.recycle"


def recycle_name(rel: str, taken: set[str]) -> str:
    """Where a page goes in ``logseq/.recycle`` (Logseq's style: path separators → ``_``)."""
    flat = rel.replace("/", "_")
    stem, dot, ext = flat.rpartition(".")
    if not dot:
        stem, ext = flat, ""
    candidate = flat
    n = 1
    while candidate in taken:
        candidate = f"{stem}.{n}.{ext}" if ext else f"{stem}.{n}"
        n += 1
    return candidate


def recycle_pages(root: Path, pages: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Move each ``(graph-relative path, expected hash)`` into the recycle folder; return the
    ``(from, to)`` moves.  A changed page stops everything before the first move."""
    from xuncha_kb.fs.apply import resolve_inside
    from xuncha_kb.fs.atomic import file_hash
    from xuncha_kb.fs.lock import default_lock_timeout, graph_lock

    moved: list[tuple[str, str]] = []
    with graph_lock(root, timeout=default_lock_timeout()):
        for rel, expected in pages:
            if (file_hash(root / rel) or "") != expected:
                raise WriteConflict("涉密页面在读取之后被修改，未移动任何文件", file=rel,
                                    hint="请在 Logseq 中保存完毕后重新运行。")
        recycle = root / RECYCLE_DIR
        try:
            recycle.mkdir(parents=True, exist_ok=True)
            taken = set(os.listdir(recycle))
        except OSError as exc:
            raise WriteFailed(f"无法创建回收文件夹（{exc.strerror or exc}），未移动任何文件",
                              file=RECYCLE_DIR) from exc
        for rel, _ in pages:
            name = recycle_name(rel, taken)
            taken.add(name)
            dest = f"{RECYCLE_DIR}/{name}"
            try:
                os.rename(resolve_inside(root, rel), root / dest)
            except OSError as exc:
                done = f"（已移动 {len(moved)} 个）" if moved else "（未移动任何文件）"
                raise WriteFailed(f"移动涉密页面失败：{exc.strerror or exc}{done}", file=rel,
                                  hint="已移动的文件在回收文件夹中；重新运行可完成其余部分。") from exc
            moved.append((rel, dest))
            _drop_temp_copies(root / rel)
    return tuple(moved)


def _drop_temp_copies(page: Path) -> None:
    """Remove xuncha-kb's own temp files for ``page`` left by a killed run.  They are never
    user files (hidden ``.<name>.*.xuncha-tmp``)."""
    from xuncha_kb.fs.atomic import is_temp_name

    prefix = f".{page.name}."
    try:
        names = os.listdir(page.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and is_temp_name(name):
            with contextlib.suppress(OSError):
                os.unlink(page.parent / name)
