"""Where xuncha-kb keeps graph-local state: ``<graph>/.xuncha/``.

Logseq ignores every path segment that starts with a dot, so nothing in this folder ever
becomes a page.  Files in it: ``manifest.json`` (what scaffold/report generated),
``events.jsonl`` (watch), ``index/`` (the graph index, ``fs/index.py``), ``lock`` (the graph write lock).
"""

from __future__ import annotations

from pathlib import Path

STATE_DIR_NAME = ".xuncha"
MANIFEST_NAME = "manifest.json"
LOCK_NAME = "lock"


def state_dir(root: Path) -> Path:
    """``<graph>/.xuncha`` (not created here; writers create it when they need it)."""
    return Path(root) / STATE_DIR_NAME


def manifest_path(root: Path) -> Path:
    return state_dir(root) / MANIFEST_NAME


def lock_path(root: Path) -> Path:
    return state_dir(root) / LOCK_NAME
