"""``xuncha-kb close-out``: 撤离脱密 of one inspection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xuncha_kb.cli import base
from xuncha_kb.cli.base import (
    InputPath,
    XunchaCommand,
    ask,
    dry_run_option,
    graph_argument,
    json_option,
    no_cache_option,
    option,
    today_option,
)
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand, name="close-out")
@graph_argument
@option("--inspection", "name", metavar="名称", help="要撤离脱密的巡察（概览页名称或被巡察单位，必填）。")
@option("--archive", type=InputPath(path_type=Path), metavar="归档.zip",
        help="同时把该巡察的页面和白板打包为 zip 归档（附 sha256 清单）。")
@option("--include-sensitive", is_flag=True, help="与 --archive 同用：归档包中也包含涉密页面。")
@option("--purge-sensitive", "purge", is_flag=True,
        help="把该巡察的涉密页面移入 logseq/.recycle/（不删除，可恢复）；需要确认。")
@option("--yes", is_flag=True, help="与 --purge-sensitive 同用：不再询问，直接执行。")
@today_option(help="记录中的处理日期（默认今天）。")
@dry_run_option(help="只检查并显示将要做的事，不写入、不移动任何文件。")
@json_option(help="以 JSON 输出检查结果、计划与结果。")
@no_cache_option
def close_out_cmd(graph: str | None, name: str | None, today: str | None, as_json: bool, **kw: Any) -> None:
    """撤离脱密：检查底稿台账已闭合，列出涉密页面，写入“脱密处理记录”页，可生成归档包。

    不删除任何文件；--purge-sensitive 只把涉密页面移入 logseq/.recycle/，且须确认（--yes 或交互确认）。

    \b
    示例：xuncha-kb close-out ~/巡察图谱 --inspection 某某集团 --archive 归档.zip
    """
    from xuncha_kb.commands.closeout import close_out

    name = name if as_json else ask(name, "要撤离脱密的巡察")
    close_out(resolve_graph(graph), name, today, as_json=as_json, interactive=base.stdin_is_tty(),
              confirm=lambda question: click.confirm(question, default=False), out=click.echo, **kw)
