"""The command line: options → calls into ``xuncha_kb.commands`` (imported inside each command,
so ``--help`` is fast), results → output.  The only click import; every ``XunchaError`` becomes
a Chinese message and its exit code here, in ``XunchaGroup.invoke``, and nowhere else."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from xuncha_kb import __version__, cli_text
from xuncha_kb.commands import resolve_graph
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


_err = partial(click.echo, err=True)
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
workflow_option = option("--workflow", "workflow_file", type=InputPath(dir_okay=False), metavar="文件",
                         help="使用指定的工作流程定义文件（默认：图谱中的定义，否则内置定义）。")


@click.group("xuncha-kb", cls=XunchaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xuncha-kb", message="%(prog)s，版本 %(version)s",
                      help="显示版本号并退出。")
def cli() -> None:
    """xuncha-kb：把 Logseq 笔记库变成巡察办的工作系统。

    GRAPH 为 Logseq 图谱目录；省略时使用环境变量 XUNCHA_GRAPH，否则为当前目录。
    """


@cli.command()
@graph_argument
@json_option(help="以 JSON 输出全部计数（便于脚本处理）。")
def stats(graph: str | None, as_json: bool) -> None:
    """统计图谱：页面、日志、块、任务、计划/截止日期、优先级、白板，以及读取时发现的问题。"""
    from xuncha_kb.commands.stats import run_stats

    run_stats(resolve_graph(graph), as_json=as_json, echo=click.echo)


@cli.command("watch")
@graph_argument
@json_option(help="每个事件输出一行 JSON（字段见 README 的事件表）。")
@option("--write-report", is_flag=True, help="图谱变化后重新生成图谱内的进度报告页。")
@today_option(help="按指定日期计算截止预警（默认今天）。")
@option("--no-cache", is_flag=True, help="不使用 .xuncha/cache 中的索引（完整读取一遍）。")
@option("--timeout", type=float, default=None, metavar="秒数", help="运行指定秒数后自动停止（供脚本使用）。")
def watch_cmd(graph: str | None, today: str | None, no_cache: bool, **kw: Any) -> None:
    """实时跟踪图谱：任务完成、阶段完成、进入新阶段、截止预警、顺序问题、页面解析问题。

    事件即时输出，并追加记录到图谱内的 .xuncha/events.jsonl。按 Ctrl-C 停止。
    """
    from xuncha_kb.commands.watch import run_watch
    from xuncha_kb.track.deadlines import parse_today

    run_watch(resolve_graph(graph), today=parse_today(today) if today else None, use_cache=not no_cache,
              out=click.echo, notice=_err, **kw)


@cli.command("sync")
@graph_argument
@dry_run_option(help="只显示将要做的修改，不写入。")
@json_option(help="以 JSON 输出计划与结果。")
@today_option(help="白板阶段状态与“已移除”标记所用的日期（默认今天）。")
def sync_cmd(graph: str | None, dry_run: bool, as_json: bool, today: str | None) -> None:
    """按当前工作流程和概览页上的日期，更新已生成的巡察页面与流程白板。

    新增活动插入到对应位置，改名、责任、期限等生成内容随工作流程更新，DEADLINE 按里程碑日期重算；
    任务状态（TODO/DONE）和用户写的内容不会改动；用户改过的生成内容保持原样并列为冲突。
    """
    from xuncha_kb.commands.sync import sync_command

    for line in sync_command(resolve_graph(graph), today, dry_run=dry_run, as_json=as_json):
        click.echo(line)


@cli.command("report")
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
@option("--yellow-days", type=click.IntRange(min=0), default=20, show_default=True,
        help="剩余天数少于此值显示黄色。")
@option("--red-days", type=click.IntRange(min=0), default=10, show_default=True,
        help="剩余天数少于此值（或已逾期）显示红色。")
@option("--color/--no-color", "colour", default=None, help="终端彩色输出（默认：输出到终端时彩色）。")
def report_cmd(graph: str | None, today: str | None, **kw: Any) -> None:
    """巡察进度报告：各巡察的阶段进度、逾期与临期事项、顺序问题、台账。

    涉密内容（信访、谈话、线索命名空间，或带 密级::、sensitive:: 的页面和块）只计数，不引用。
    """
    from xuncha_kb.commands.report import run_report

    run_report(resolve_graph(graph), today, echo=partial(click.echo, nl=False), say=click.echo, notice=_err,
               **kw)


@cli.group("workflow", cls=XunchaGroup)
def workflow_group() -> None:
    """工作流程定义：从白板或页面提取、查看当前定义、检查定义文件。"""


@workflow_group.command("extract")
@file_argument
@json_option(help="以 JSON 输出提取结果（阶段、活动、子项、期限、警告）。")
@option("-o", "--output", type=InputPath(path_type=Path),
        help="把提取结果写成工作流程定义页（可在 Logseq 中编辑）。")
@option("--force", is_flag=True, help="与 -o 同用：输出文件已存在时覆盖它。")
@dry_run_option(help="与 -o 同用：只显示将写入的定义页内容，不写文件。")
def workflow_extract(file: Path, as_json: bool, output: Path | None, force: bool, dry_run: bool) -> None:
    """从白板 .edn、Markdown 页面或 EDN/JSON 导出文件 FILE 中提取工作流程。"""
    from xuncha_kb.commands.workflow import extract_workflow

    extracted = extract_workflow(file, output, force=force, dry_run=dry_run)
    extracted.emit(as_json, out=partial(click.echo, nl=False), notice=_err)


@workflow_group.command("show")
@graph_argument
@json_option(help="以 JSON 输出当前定义（含关键路径）。")
def workflow_show(graph: str | None, as_json: bool) -> None:
    """显示当前生效的工作流程定义：图谱自带的定义页优先，否则为内置默认定义。"""
    from xuncha_kb.commands.workflow import show_workflow

    shown = show_workflow(graph, notice=_err)
    click.echo(shown.render(as_json), nl=False)


@workflow_group.command("check")
@file_argument
def workflow_check(file: Path) -> None:
    """检查工作流程定义文件 FILE：未知或重复的 id、循环、无法到达的活动、未知里程碑。"""
    from xuncha_kb.commands.workflow import check_workflow

    click.echo(check_workflow(file, notice=_err))


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _ask(value: str | None, prompt: str) -> str | None:
    """An option's value; asked for on a terminal when missing, else left to validation."""
    if value is None and _stdin_is_tty():
        answer: str = click.prompt(prompt, default="", show_default=False)
        return answer or None
    return value


@cli.command("scaffold")
@graph_argument
@option("--unit", help="被巡察单位名称（必填）。")
@option("--round", "round_name", help="巡察轮次，例如 2026年第一轮（必填）。")
@option("--leader", help="巡察组组长。")
@option("--members", help="巡察组组员，用逗号分隔，例如 李四,王五。")
@option("--entry", metavar="YYYY-MM-DD", help="进驻日。")
@option("--exit", "exit_date", metavar="YYYY-MM-DD", help="撤离日。")
@workflow_option
@dry_run_option(help="只显示将新建 / 保留的文件，不写入。")
@json_option(help="以 JSON 输出计划与结果。")
def scaffold_cmd(graph: str | None, unit: str | None, round_name: str | None, exit_date: str | None,
                 workflow_file: str | None, dry_run: bool, as_json: bool, **people: str | None) -> None:
    """为一次新的巡察生成页面、清单、台账和流程白板（不会覆盖已有文件）。"""
    from xuncha_kb.commands.scaffold import emit_plan, plan_inspection
    from xuncha_kb.generate.facts import make_facts

    facts = make_facts(_ask(unit, "被巡察单位"), _ask(round_name, "巡察轮次（如 2026年第一轮）"),
                       exit=exit_date, **people)
    run = plan_inspection(root := resolve_graph(graph), facts, workflow_file)
    emit_plan(run, root, as_json=as_json, dry_run=dry_run, out=click.echo)


@cli.command("scaffold-plan")
@graph_argument
@option("--year", type=int, metavar="年份", help="年度，例如 2026（必填）。")
@workflow_option
@dry_run_option(help="只显示将新建 / 保留的文件，不写入。")
@json_option(help="以 JSON 输出计划与结果。")
def scaffold_plan_cmd(graph: str | None, year: int | None, workflow_file: str | None, **kw: bool) -> None:
    """生成年度巡察计划页（工作流程中“年度”范围的阶段）。"""
    from xuncha_kb.commands.scaffold import emit_plan, plan_annual

    root = resolve_graph(graph)
    if year is None and _stdin_is_tty():
        year = click.prompt("年度（如 2026）", type=int)
    emit_plan(plan_annual(root, year, workflow_file), root, out=click.echo, **kw)


@cli.command("close-out")
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
def close_out_cmd(graph: str | None, name: str | None, today: str | None, as_json: bool, **kw: Any) -> None:
    """撤离脱密：检查底稿台账已闭合，列出涉密页面，写入“脱密处理记录”页，可生成归档包。

    不删除任何文件；--purge-sensitive 只把涉密页面移入 logseq/.recycle/，且须确认（--yes 或交互确认）。
    """
    from xuncha_kb.commands.closeout import close_out

    name = name if as_json else _ask(name, "要撤离脱密的巡察")
    close_out(resolve_graph(graph), name, today, as_json=as_json, interactive=_stdin_is_tty(),
              confirm=lambda question: click.confirm(question, default=False), out=click.echo, **kw)


def main() -> None:
    cli(prog_name="xuncha-kb")
