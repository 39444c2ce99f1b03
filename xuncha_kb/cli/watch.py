"""``xuncha-kb watch``: follow the graph live."""

from __future__ import annotations

from typing import Any

import click

from xuncha_kb.cli.base import XunchaCommand, err, graph_argument, json_option, option, today_option
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand, name="watch")
@graph_argument
@json_option(help="每个事件输出一行 JSON（字段见 README 的事件表）。")
@option("--write-report", is_flag=True, help="图谱变化后重新生成图谱内的进度报告页。")
@today_option(help="按指定日期计算截止预警（默认今天）。")
@option("--no-cache", is_flag=True, help="不使用 .xuncha/index 中的图谱索引（完整读取一遍）。")
@option("--timeout", type=float, default=None, metavar="秒数", help="运行指定秒数后自动停止（供脚本使用）。")
def watch_cmd(graph: str | None, today: str | None, no_cache: bool, **kw: Any) -> None:
    """实时跟踪图谱：任务完成、阶段完成、进入新阶段、截止预警、顺序问题、页面解析问题。

    事件即时输出，并追加记录到图谱内的 .xuncha/events.jsonl。按 Ctrl-C 停止。

    \b
    示例：xuncha-kb watch ~/巡察图谱
    """
    from xuncha_kb.commands.watch import run_watch
    from xuncha_kb.track.deadlines import parse_today

    run_watch(resolve_graph(graph), today=parse_today(today) if today else None, use_cache=not no_cache,
              out=click.echo, notice=err, **kw)
