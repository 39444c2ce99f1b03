"""``stats``: read the graph with a progress bar, count, and print the counts as a table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from xuncha_kb.stats import GraphStats


class ScanProgress:
    """A ``load_graph`` progress callback: a rich bar on stderr, only when it is worth showing.

    Shown when stderr is a terminal and the scan has more than 500 files or has already taken
    more than 0.3 s; otherwise it does nothing.  Use as a context manager so the bar is removed.
    """

    def __init__(self, label: str = "读取图谱", *, enabled: bool | None = None) -> None:
        import sys

        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._start: float | None = None
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        import time

        now = time.monotonic()
        if self._start is None:
            self._start = now
        if self._bar is None:
            if total <= 500 and now - self._start <= 0.3:
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __enter__(self) -> ScanProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def compute_stats(root: Path, *, use_cache: bool = True) -> GraphStats:
    """Count the graph through the graph index (with a progress bar while files are parsed);
    ``use_cache=False`` reads every file and leaves the index alone."""
    from xuncha_kb.commands.graph_index import indexed_stats

    with ScanProgress() as progress:
        return indexed_stats(root, use_cache=use_cache, progress=progress)


def print_stats(data: GraphStats, stream: TextIO | None = None) -> None:
    """The counts as a table, then the first 20 problems found while reading."""
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from xuncha_kb.stats import summary_lines

    console = Console(file=stream or sys.stdout, highlight=False, soft_wrap=True)
    table = Table(title="图谱统计", show_header=False, box=None, pad_edge=False)
    table.add_column("项目", style="bold", no_wrap=True)
    table.add_column("数量")
    for label, value in summary_lines(data):
        table.add_row(escape(label), escape(value))
    console.print(table)
    diags = data["diagnostics"]
    if diags:
        console.print(f"\n读取时发现 {len(diags)} 条问题：", markup=False)
        for d in diags[:20]:
            console.print(f"  {d['file']}:{d['line']}: {d['message']}", markup=False)
        if len(diags) > 20:
            console.print(f"  …… 另有 {len(diags) - 20} 条，完整列表请用 --json 查看", markup=False)


def run_stats(root: Path, *, as_json: bool, echo: Callable[[str], None], use_cache: bool = True) -> None:
    """``stats``: the counts as JSON (through ``echo``) or as a table on stdout."""
    import json

    data = compute_stats(root, use_cache=use_cache)
    if as_json:
        echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_stats(data)
