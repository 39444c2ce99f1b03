"""``xuncha-kb stats``: counts of the graph."""

from __future__ import annotations

import click

from xuncha_kb.cli.base import XunchaCommand, graph_argument, json_option, no_cache_option
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand)
@graph_argument
@json_option(help="以 JSON 输出全部计数（便于脚本处理）。")
@no_cache_option
def stats(graph: str | None, as_json: bool, no_cache: bool) -> None:
    """统计图谱：页面、日志、块、任务、计划/截止日期、优先级、白板，以及读取时发现的问题。

    
    示例：xuncha-kb stats ~/巡察图谱 --json
    """
    from xuncha_kb.commands.stats import run_stats

    run_stats(resolve_graph(graph), as_json=as_json, echo=click.echo, use_cache=not no_cache)
