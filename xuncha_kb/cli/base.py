"""What every command shares: click's text in Chinese, the option and command classes whose help
lines up in Chinese, the one place where a ``XunchaError`` becomes a message and its exit code
(``XunchaGroup.invoke``), and the arguments and options several commands take."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from xuncha_kb import cli_text
from xuncha_kb.errors import XunchaError

# click's own messages (usage lines, help headings, option errors) in Chinese.
cli_text.translate(click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.termui, click.types, click.utils)


class XunchaOption(click.Option):
    """An option whose type placeholder in help and errors is Chinese."""

    def make_metavar(self, ctx: click.Context) -> str:
        return cli_text.TYPE_METAVARS.get(metavar := super().make_metavar(ctx), metavar)


def option(*decls: str, **attrs: Any) -> Callable[[FC], FC]:
    """``click.option`` with :class:`XunchaOption`."""
    return click.option(*decls, cls=XunchaOption, **attrs)


class XunchaFormatter(click.HelpFormatter):
    """Help lists aligned and wrapped by terminal columns, so Chinese text lines up."""

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        self.write(cli_text.layout_rows(rows, self.current_indent, self.width, col_max, col_spacing))


class XunchaContext(click.Context):
    formatter_class = XunchaFormatter


class XunchaCommand(click.Command):
    """A command whose usage line reads ``[选项]`` and whose help lines up in Chinese."""

    context_class = XunchaContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class XunchaGroup(click.Group, XunchaCommand):
    """A click group that turns XunchaError into a message and an exit code, once."""

    command_class = XunchaCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XunchaError as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            ctx.exit(130)


err = partial(click.echo, err=True)
graph_argument = click.argument("graph", required=False, metavar="[GRAPH]")


class InputPath(click.Path):
    """``click.Path`` refusing a NUL byte (click's own ``os.stat`` would raise ValueError)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail("路径中含有 NUL 字符", param, ctx)
        return super().convert(value, param, ctx)


file_argument = click.argument("file", type=InputPath(dir_okay=False, path_type=Path))
json_option = partial(option, "--json", "as_json", is_flag=True)
dry_run_option = partial(option, "--dry-run", is_flag=True)
today_option = partial(option, "--today", metavar="YYYY-MM-DD")
no_cache_option = option("--no-cache", is_flag=True,
                         help="不使用 .xuncha/index 中的图谱索引（完整读取一遍，也不更新索引）。")


def threshold_options(f: FC) -> FC:
    """``--yellow-days`` and ``--red-days``: when a remaining time turns yellow or red."""
    f = option("--red-days", type=click.IntRange(min=0), default=10, show_default=True,
               help="剩余天数少于此值（或已逾期）显示红色。")(f)
    return option("--yellow-days", type=click.IntRange(min=0), default=20, show_default=True,
                  help="剩余天数少于此值显示黄色。")(f)


workflow_option = option("--workflow", "workflow_file", type=InputPath(dir_okay=False), metavar="文件",
                         help="使用指定的工作流程定义文件（默认：图谱中的定义，否则内置定义）。")


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def ask(value: str | None, prompt: str) -> str | None:
    """An option's value; asked for on a terminal when missing, else left to validation."""
    if value is None and stdin_is_tty():
        answer: str = click.prompt(prompt, default="", show_default=False)
        return answer or None
    return value
