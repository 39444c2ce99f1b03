"""The command line: wires options to library calls and formats results.

The only module that imports click.  Heavy libraries (networkx, edn_format, markdown_it,
watchdog) are imported inside the commands that need them, so ``xuncha-kb --help`` is fast.
Every ``XunchaError`` becomes a Chinese message on stderr and its exit code here, in
``XunchaGroup.invoke``; nothing else in the package prints errors or exits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from xuncha_kb import __version__
from xuncha_kb.errors import XunchaError

GRAPH_ENV = "XUNCHA_GRAPH"


class XunchaGroup(click.Group):
    """A click group that turns XunchaError into a message and an exit code, once."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XunchaError as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            ctx.exit(130)


def resolve_graph(graph: str | None) -> Path:
    """GRAPH argument, else $XUNCHA_GRAPH, else the current directory."""
    return Path(graph or os.environ.get(GRAPH_ENV) or ".")


graph_argument = click.argument("graph", required=False, metavar="[GRAPH]")


@click.group(cls=XunchaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xuncha-kb")
def cli() -> None:
    """xuncha-kb：把 Logseq 笔记库变成巡察办的工作系统。

    GRAPH 为 Logseq 图谱目录；省略时使用环境变量 XUNCHA_GRAPH，否则为当前目录。
    """


# --- graph ---


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


@cli.command()
@graph_argument
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全部计数（便于脚本处理）。")
def stats(graph: str | None, as_json: bool) -> None:
    """统计图谱：页面、日志、块、任务、计划/截止日期、优先级、白板，以及读取时发现的问题。"""
    import json

    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.stats import graph_stats, summary_lines

    with ScanProgress() as progress:
        g = load_graph(resolve_graph(graph), progress=progress)
    data = graph_stats(g)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    import sys

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=sys.stdout, highlight=False, soft_wrap=True)
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


# --- watch-sync ---


@cli.command("watch")
@graph_argument
@click.option("--json", "as_json", is_flag=True, help="每个事件输出一行 JSON（字段见 README 的事件表）。")
@click.option("--write-report", is_flag=True, help="图谱变化后重新生成图谱内的进度报告页。")
@click.option("--today", metavar="YYYY-MM-DD", help="按指定日期计算截止预警（默认今天）。")
@click.option("--no-cache", is_flag=True, help="不使用 .xuncha/cache 中的索引（完整读取一遍）。")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="运行指定秒数后自动停止（供脚本使用）。")
def watch_cmd(graph: str | None, as_json: bool, write_report: bool, today: str | None, no_cache: bool,
              timeout: float | None) -> None:
    """实时跟踪图谱：任务完成、阶段完成、进入新阶段、截止预警、顺序问题、页面解析问题。

    事件即时输出，并追加记录到图谱内的 .xuncha/events.jsonl。按 Ctrl-C 停止。
    """
    from xuncha_kb.inspection.deadlines import parse_today
    from xuncha_kb.inspection.live import run_watch

    day = parse_today(today) if today else None
    run_watch(resolve_graph(graph), as_json=as_json, write_report=write_report, today=day,
              use_cache=not no_cache, timeout=timeout, out=lambda s: click.echo(s),
              notice=lambda s: click.echo(s, err=True))


def main() -> None:
    cli(prog_name="xuncha-kb")


if __name__ == "__main__":  # pragma: no cover
    main()
