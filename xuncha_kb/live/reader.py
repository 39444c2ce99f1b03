"""How the live state reads the graph: the ``Reader`` protocol and ``ScanReader``, the
production reader over ``fs.scan`` (tests inject their own)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from xuncha_kb.fs.cache import FileEntry
from xuncha_kb.live.relevance import quick_entry
from xuncha_kb.model import Diagnostic, GraphConfig, Page

CONFIG_REL = "logseq/config.edn"


class Reader(Protocol):
    """How files are read; the default delegates to ``fs.scan`` (tests may inject another)."""

    def config(self, root: Path) -> tuple[GraphConfig, bytes | None, list[Diagnostic]]: ...

    def kind(self, root: Path, relpath: str, config: GraphConfig) -> str | None: ...

    def files(self, root: Path, config: GraphConfig) -> Iterable[tuple[str, str]]: ...

    def page(self, root: Path, relpath: str, config: GraphConfig) -> tuple[Page | None, list[Diagnostic]]: ...

    def stat(self, root: Path, relpath: str) -> os.stat_result | None:
        """The file's own stat (a symlink is not followed); None when it is gone."""

    def read_bytes(self, root: Path, relpath: str) -> bytes | None:
        """The file's bytes; None when it cannot be read."""

    def quick(self, root: Path, relpath: str, kind: str, st: os.stat_result,
              config: GraphConfig) -> FileEntry | None:
        """An entry from a scan cheaper than a parse, or None to parse the page."""


class FileSystemReader:
    """Stat and bytes from the file system, no quick scan: the base of every reader."""

    def stat(self, root: Path, relpath: str) -> os.stat_result | None:
        try:
            return os.stat(os.path.join(root, relpath), follow_symlinks=False)
        except OSError:
            return None

    def read_bytes(self, root: Path, relpath: str) -> bytes | None:
        try:
            return (root / relpath).read_bytes()
        except OSError:
            return None

    def quick(self, root: Path, relpath: str, kind: str, st: os.stat_result,
              config: GraphConfig) -> FileEntry | None:
        return None


class ScanReader(FileSystemReader):
    """The production reader: ``fs.scan`` and ``logseq.config``."""

    def config(self, root: Path) -> tuple[GraphConfig, bytes | None, list[Diagnostic]]:
        from xuncha_kb.fs.scan import read_graph_config

        try:
            raw: bytes | None = (root / CONFIG_REL).read_bytes()
        except OSError:
            raw = None
        cfg, diags = read_graph_config(root)
        return cfg, raw, list(diags)

    def kind(self, root: Path, relpath: str, config: GraphConfig) -> str | None:
        from xuncha_kb.fs.listing import classify_path

        return str(classify_path(root, relpath, config))

    def files(self, root: Path, config: GraphConfig) -> Iterable[tuple[str, str]]:
        from xuncha_kb.fs.listing import list_graph_files

        return [(rel, str(kind)) for rel, kind in list_graph_files(root, config)]

    def quick(self, root: Path, relpath: str, kind: str, st: os.stat_result,
              config: GraphConfig) -> FileEntry | None:
        return quick_entry(root, relpath, kind, st, config)

    def page(self, root: Path, relpath: str, config: GraphConfig) -> tuple[Page | None, list[Diagnostic]]:
        from xuncha_kb.fs.scan import read_page_file

        page, diags = read_page_file(root, relpath, config)
        return page, list(diags)
