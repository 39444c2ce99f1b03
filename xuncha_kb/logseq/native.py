"""Compiled or pure: which form of the reader's hot modules this process runs.

The reader is pure Python.  When the package is installed on a machine with a C compiler,
``setup.py`` also compiles the modules in :data:`NATIVE_MODULES` with mypyc (the same
source, checked by mypy, turned into C extensions; a full scan takes about a third less
CPU, see docs/performance.md) and records the SHA-256 of each source it compiled in
:data:`MANIFEST`, next to the modules.

Python would import a compiled module in preference to its ``.py`` file even after the
``.py`` was edited (an editable install keeps the extensions in the source tree).  So, on
the first import of ``xuncha_kb.logseq``, :func:`select` checks that every compiled module
was built from the source now on disk.  If any was not — or the build is incomplete, or
``XUNCHA_KB_PURE=1`` is set — all of them are loaded from their ``.py`` files instead (all or
nothing: compiled modules call each other directly).  ``pip install -e .`` again recompiles.

This module imports only the standard library: ``setup.py`` reads it before the package's
dependencies are installed.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from types import ModuleType

#: Modules of ``xuncha_kb.logseq`` that setup.py compiles (the scan's hot loops).
NATIVE_MODULES: tuple[str, ...] = ("outline", "page", "block", "body", "inline", "timestamps")
#: mypyc's shared library for the group, a module of ``xuncha_kb.logseq``.
GROUP_MODULE = "_native__mypyc"
#: Written by setup.py next to the compiled modules: {"sources": {module: sha256}, ...}.
MANIFEST = "native-build.json"
#: Set to 1 to run the pure-Python reader even when compiled modules are installed.
PURE_ENV = "XUNCHA_KB_PURE"

#: "native" or "pure", and why (set by :func:`select`).
mode = "pure"
reason = "未选择"


def source_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a source file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _is_compiled(module: str, names: set[str]) -> bool:
    """Is there an extension file for ``module`` among the folder's ``names``?"""
    return any(module + suffix in names for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def check(folder: str, modules: Sequence[str] = NATIVE_MODULES) -> tuple[str, str, bool]:
    """(mode, reason, compiled files present) for the package folder ``folder``."""
    try:
        names = set(os.listdir(folder))
    except OSError as exc:
        return "pure", f"无法列出 {folder}（{exc}）", False
    present = [m for m in (*modules, GROUP_MODULE) if _is_compiled(m, names)]
    if not present:
        return "pure", "未编译（安装时没有 C 编译器或 mypyc，或设置了 XUNCHA_KB_PURE_BUILD）", False
    if os.environ.get(PURE_ENV, "").strip() not in ("", "0"):
        return "pure", f"环境变量 {PURE_ENV} 要求使用纯 Python 读取器", True
    if len(present) != len(modules) + 1:
        missing = sorted({*modules, GROUP_MODULE} - set(present))
        return "pure", f"编译结果不完整（缺少 {', '.join(missing)}）", True
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as fh:
            recorded = json.load(fh)["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return "pure", f"缺少编译记录 {MANIFEST}", True
    for m in modules:
        try:
            digest = source_digest(os.path.join(folder, m + ".py"))
        except OSError:
            return "pure", f"找不到源文件 {m}.py", True
        if recorded.get(m) != digest:
            return "pure", f"{m}.py 在编译后被修改过（重新运行 pip install -e . 可重新编译）", True
    return "native", "已编译（mypyc）", True


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Loads the listed modules from their ``.py`` files, never from compiled extensions."""

    def __init__(self, package: str, folder: str, modules: Sequence[str]) -> None:
        self.paths = {f"{package}.{m}": os.path.join(folder, m + ".py") for m in modules}

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        source = self.paths.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def select(package: str, folder: str) -> str:
    """Decide once, before any hot module is imported; returns the mode."""
    global mode, reason
    mode, reason, present = check(folder)
    if mode == "pure" and present:
        sys.meta_path.insert(0, _SourceFirst(package, folder, NATIVE_MODULES))
    return mode
