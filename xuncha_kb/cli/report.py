"""``xuncha-kb report``: the progress report in every format."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import click

from xuncha_kb.cli.base import (
    InputPath,
    XunchaCommand,
    dry_run_option,
    err,
    graph_argument,
    no_cache_option,
    option,
    threshold_options,
    today_option,
)
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand, name="report")
@graph_argument
@option("--inspection", "only", metavar="名称",
        help="只报告一个巡察（概览页名称或被巡察单位，可只写一部分）。")
@today_option(help="按指定日期计算剩余天数与预警颜色（默认今天），便于复现。")
@option("--format", "fmt", type=click.Choice(["text", "md", "json", "html", "xlsx"]), default="text",
        show_default=True, help="输出格式：终端文本、Logseq 页面、JSON、单文件 HTML、Excel 台账。")
@option("-o", "--output", type=InputPath(path_type=Path), help="写入文件而不是标准输出。")
@option("--write", "write_page", is_flag=True, help="把 Markdown 报告页写入图谱（只更新报告页本身）。")
@dry_run_option(help="与 --write 同用：只显示将写入的文件，不写入。")
@option("--redact", type=click.Choice(["none", "names"]), default="none", show_default=True,
        help="names：把概览页登记的人员姓名替换为角色代号（组长、组员A……）。")
@threshold_options
@no_cache_option
@option("--color/--no-color", "colour", default=None, help="终端彩色输出（默认：输出到终端时彩色）。")
def report_cmd(graph: str | None, today: str | None, **kw: Any) -> None:
    """巡察进度报告：各巡察的阶段进度、逾期与临期事项、顺序问题、台账。

    涉密内容（信访、谈话、线索命名空间，或带 密级::、sensitive:: 的页面和块）只计数，不引用。

    \b
    示例：xuncha-kb report ~/巡察图谱 --format html -o 巡察进度.html
    """
    from xuncha_kb.commands.report import run_report

    run_report(resolve_graph(graph), today, echo=partial(click.echo, nl=False), say=click.echo, notice=err,
               **kw)
