"""``xuncha-kb serve``: the local live dashboard."""

from __future__ import annotations

import click

from xuncha_kb.cli.base import XunchaCommand, err, graph_argument, option, threshold_options, today_option
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand, name="serve")
@graph_argument
@option("--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True,
        help="监听端口；0 表示自动选择空闲端口。")
@option("--host", default="127.0.0.1", show_default=True, help="监听地址：只接受本机地址 127.0.0.1。")
@option("--allow-write", is_flag=True,
        help="允许在看板中执行写入操作（新建巡察、同步、写入报告页），每项先显示计划，确认后才写入。")
@today_option(help="按指定日期计算剩余天数与预警颜色（默认今天）。")
@option("--redact", type=click.Choice(["none", "names"]), default="none", show_default=True,
        help="names：把人员姓名替换为角色代号。")
@threshold_options
@option("--timeout", type=float, default=None, metavar="秒数", help="运行指定秒数后自动停止（供脚本使用）。")
def serve_cmd(graph: str | None, port: int, host: str, allow_write: bool, today: str | None, redact: str,
              yellow_days: int, red_days: int, timeout: float | None) -> None:
    """在本机浏览器中查看巡察进度的实时看板（页面变化后自动刷新）。

    只监听 127.0.0.1；每次启动生成新的访问令牌，随地址一起显示，没有令牌的请求一律拒绝。

    涉密内容与报告一样只计数，不显示。默认只读；加 --allow-write 后，写入操作先显示计划，确认后才写入。

    示例：xuncha-kb serve ~/笔记 --port 8765，然后在浏览器中打开显示的地址。
    """
    from xuncha_kb.serve.guard import check_host_option
    from xuncha_kb.serve.run import ServeOptions, run_serve
    from xuncha_kb.track.deadlines import Thresholds, parse_today

    check_host_option(host)
    options = ServeOptions(port=port, allow_write=allow_write, today=parse_today(today) if today else None,
                           redact=redact, thresholds=Thresholds(yellow_days=yellow_days, red_days=red_days),
                           timeout=timeout)
    run_serve(resolve_graph(graph), options, out=click.echo, notice=err)
