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


class ScanReader:
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
        from xuncha_kb.fs.scan import classify_path

        return str(classify_path(root, relpath, config))

    def files(self, root: Path, config: GraphConfig) -> Iterable[tuple[str, str]]:
        from xuncha_kb.fs.scan import list_graph_files

        return [(rel, str(kind)) for rel, kind in list_graph_files(root, config)]

    def quick(self, root: Path, relpath: str, kind: str, st: os.stat_result,
              config: GraphConfig) -> FileEntry | None:
        return quick_entry(root, relpath, kind, st, config)

    def page(self, root: Path, relpath: str, config: GraphConfig) -> tuple[Page | None, list[Diagnostic]]:
        from xuncha_kb.fs.scan import read_page_file

        page, diags = read_page_file(root, relpath, config)
        return page, list(diags)
