"""``xuncha-kb sync``: bring generated pages in step with the workflow."""

from __future__ import annotations

import click

from xuncha_kb.cli.base import (
    XunchaCommand,
    dry_run_option,
    graph_argument,
    json_option,
    no_cache_option,
    today_option,
)
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand, name="sync")
@graph_argument
@dry_run_option(help="只显示将要做的修改，不写入。")
@json_option(help="以 JSON 输出计划与结果。")
@today_option(help="白板阶段状态与“已移除”标记所用的日期（默认今天）。")
@no_cache_option
def sync_cmd(graph: str | None, dry_run: bool, as_json: bool, today: str | None, no_cache: bool) -> None:
    """按当前工作流程和概览页上的日期，更新已生成的巡察页面与流程白板。

    新增活动插入到对应位置，改名、责任、期限等生成内容随工作流程更新，DEADLINE 按里程碑日期重算；
    任务状态（TODO/DONE）和用户写的内容不会改动；用户改过的生成内容保持原样并列为冲突。

    \b
    示例：xuncha-kb sync ~/巡察图谱 --dry-run
    """
    from xuncha_kb.commands.sync import sync_command

    for line in sync_command(resolve_graph(graph), today, dry_run=dry_run, as_json=as_json,
                             use_cache=not no_cache):
        click.echo(line)
