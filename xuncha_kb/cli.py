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


def _speak_chinese() -> None:
    """Route click's own gettext look-ups (usage lines, help headings, option errors) through
    our Chinese catalog, so that every message the command line prints reads in Chinese."""
    from xuncha_kb import cli_text

    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                   click.termui, click.types, click.utils):
        if hasattr(module, "_"):
            module._ = cli_text.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = cli_text.ngettext  # type: ignore[attr-defined]


_speak_chinese()


#: Chinese names for the type placeholders click derives from an option's type (``--unit TEXT``).
_TYPE_METAVARS = {"TEXT": "文本", "INTEGER RANGE": "整数", "INTEGER": "整数", "FLOAT RANGE": "数字",
                  "FLOAT": "数字", "BOOLEAN": "是/否", "PATH": "路径", "FILENAME": "文件"}


class XunchaOption(click.Option):
    """An option whose type placeholder in help and errors is Chinese."""

    def make_metavar(self, ctx: click.Context) -> str:
        metavar = super().make_metavar(ctx)
        return _TYPE_METAVARS.get(metavar, metavar)


def option(*decls: str, **attrs: Any) -> Any:
    """``click.option`` with :class:`XunchaOption`."""
    return click.option(*decls, cls=XunchaOption, **attrs)


class XunchaFormatter(click.HelpFormatter):
    """Help lists aligned and wrapped by terminal columns, so Chinese text (two columns a
    character) lines up."""

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        from xuncha_kb.cli_text import layout_rows

        rows = [(first, second) for first, second in rows]
        self.write(layout_rows(rows, self.current_indent, self.width, col_max, col_spacing))


class XunchaContext(click.Context):
    formatter_class = XunchaFormatter


class XunchaCommand(click.Command):
    """A command whose usage line reads ``[选项]`` and whose help lines up in Chinese."""

    context_class = XunchaContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class XunchaGroup(click.Group):
    """A click group that turns XunchaError into a message and an exit code, once."""

    command_class = XunchaCommand
    context_class = XunchaContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
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


def resolve_graph(graph: str | None) -> Path:
    """GRAPH argument, else $XUNCHA_GRAPH, else the current directory."""
    return Path(graph or os.environ.get(GRAPH_ENV) or ".")


graph_argument = click.argument("graph", required=False, metavar="[GRAPH]")


@click.group("xuncha-kb", cls=XunchaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xuncha-kb", message="%(prog)s，版本 %(version)s",
                      help="显示版本号并退出。")
def cli() -> None:
    """xuncha-kb：把 Logseq 笔记库变成巡察办的工作系统。

    GRAPH 为 Logseq 图谱目录；省略时使用环境变量 XUNCHA_GRAPH，否则为当前目录。
    """


# --- graph ---


@cli.command()
@graph_argument
@option("--json", "as_json", is_flag=True, help="以 JSON 输出全部计数（便于脚本处理）。")
def stats(graph: str | None, as_json: bool) -> None:
    """统计图谱：页面、日志、块、任务、计划/截止日期、优先级、白板，以及读取时发现的问题。"""
    import json

    from xuncha_kb.commands.stats import compute_stats, print_stats

    data = compute_stats(resolve_graph(graph))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_stats(data)


# --- watch-sync ---


@cli.command("watch")
@graph_argument
@option("--json", "as_json", is_flag=True, help="每个事件输出一行 JSON（字段见 README 的事件表）。")
@option("--write-report", is_flag=True, help="图谱变化后重新生成图谱内的进度报告页。")
@option("--today", metavar="YYYY-MM-DD", help="按指定日期计算截止预警（默认今天）。")
@option("--no-cache", is_flag=True, help="不使用 .xuncha/cache 中的索引（完整读取一遍）。")
@option("--timeout", type=float, default=None, metavar="秒数",
              help="运行指定秒数后自动停止（供脚本使用）。")
def watch_cmd(graph: str | None, as_json: bool, write_report: bool, today: str | None, no_cache: bool,
              timeout: float | None) -> None:
    """实时跟踪图谱：任务完成、阶段完成、进入新阶段、截止预警、顺序问题、页面解析问题。

    事件即时输出，并追加记录到图谱内的 .xuncha/events.jsonl。按 Ctrl-C 停止。
    """
    from xuncha_kb.commands.watch import run_watch
    from xuncha_kb.track.deadlines import parse_today

    day = parse_today(today) if today else None
    run_watch(resolve_graph(graph), as_json=as_json, write_report=write_report, today=day,
              use_cache=not no_cache, timeout=timeout, out=lambda s: click.echo(s),
              notice=lambda s: click.echo(s, err=True))


@cli.command("sync")
@graph_argument
@option("--dry-run", is_flag=True, help="只显示将要做的修改，不写入。")
@option("--json", "as_json", is_flag=True, help="以 JSON 输出计划与结果。")
@option("--today", metavar="YYYY-MM-DD", help="白板阶段状态与“已移除”标记所用的日期（默认今天）。")
def sync_cmd(graph: str | None, dry_run: bool, as_json: bool, today: str | None) -> None:
    """按当前工作流程和概览页上的日期，更新已生成的巡察页面与流程白板。

    新增活动插入到对应位置，改名、责任、期限等生成内容随工作流程更新，DEADLINE 按里程碑日期重算；
    任务状态（TODO/DONE）和用户写的内容不会改动；用户改过的生成内容保持原样并列为冲突。
    """
    import json

    from xuncha_kb.commands.sync import run_sync
    from xuncha_kb.track.deadlines import parse_today

    plan, result = run_sync(resolve_graph(graph), today=parse_today(today), dry_run=dry_run)
    if as_json:
        out = {"dry_run": dry_run, "plan": plan.as_dict(), "result": result.as_dict() if result else None}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(plan.render())
    if dry_run and plan.writes:
        click.echo("（--dry-run：未写入任何文件）")
    elif result is not None:
        click.echo(result.render())


# --- progress ---


@cli.command("report")
@graph_argument
@option("--inspection", "only", metavar="名称",
              help="只报告一个巡察（概览页名称或被巡察单位，可只写一部分）。")
@option("--today", metavar="YYYY-MM-DD",
              help="按指定日期计算剩余天数与预警颜色（默认今天），便于复现。")
@option("--format", "fmt", type=click.Choice(["text", "md", "json", "html", "xlsx"]), default="text",
              show_default=True, help="输出格式：终端文本、Logseq 页面、JSON、单文件 HTML、Excel 台账。")
@option("-o", "--output", type=click.Path(path_type=Path),
              help="写入文件而不是标准输出。")
@option("--write", "write_page", is_flag=True, help="把 Markdown 报告页写入图谱（只更新报告页本身）。")
@option("--dry-run", is_flag=True, help="与 --write 同用：只显示将写入的文件，不写入。")
@option("--redact", type=click.Choice(["none", "names"]), default="none", show_default=True,
              help="names：把概览页登记的人员姓名替换为角色代号（组长、组员A……）。")
@option("--yellow-days", type=click.IntRange(min=0), default=20, show_default=True,
              help="剩余天数少于此值显示黄色。")
@option("--red-days", type=click.IntRange(min=0), default=10, show_default=True,
              help="剩余天数少于此值（或已逾期）显示红色。")
@option("--color/--no-color", "colour", default=None, help="终端彩色输出（默认：输出到终端时彩色）。")
def report_cmd(graph: str | None, only: str | None, today: str | None, fmt: str, output: Path | None,
               write_page: bool, dry_run: bool, redact: str, yellow_days: int, red_days: int,
               colour: bool | None) -> None:
    """巡察进度报告：各巡察的阶段进度、逾期与临期事项、顺序问题、台账。

    涉密内容（信访、谈话、线索命名空间，或带 密级::、sensitive:: 的页面和块）只计数，不引用。
    """
    from xuncha_kb.commands import report as rp
    from xuncha_kb.errors import InputError
    from xuncha_kb.track.deadlines import Thresholds, parse_today

    report = rp.compute_report(resolve_graph(graph), parse_today(today), only=only, redact=redact,
                               thresholds=Thresholds(yellow_days=yellow_days, red_days=red_days))
    if dry_run and not write_page:
        raise InputError("--dry-run 只能与 --write 一起使用")
    if write_page:
        click.echo(rp.write_page(report, dry_run=dry_run))
    if output is not None:
        rp.write_report_file(report, fmt, output)
        click.echo(f"已写入 {output}", err=True)
    elif not write_page:
        rp.to_stdout(report, fmt, colour, lambda text: click.echo(text, nl=False))


# --- workflow ---


@cli.group("workflow", cls=XunchaGroup)
def workflow_group() -> None:
    """工作流程定义：从白板或页面提取、查看当前定义、检查定义文件。"""


@workflow_group.command("extract")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@option("--json", "as_json", is_flag=True,
              help="以 JSON 输出提取结果（阶段、活动、子项、期限、警告）。")
@option("-o", "--output", type=click.Path(path_type=Path),
              help="把提取结果写成工作流程定义页（可在 Logseq 中编辑）。")
@option("--force", is_flag=True, help="与 -o 同用：输出文件已存在时覆盖它。")
@option("--dry-run", is_flag=True, help="与 -o 同用：只显示将写入的定义页内容，不写文件。")
def workflow_extract(file: Path, as_json: bool, output: Path | None, force: bool, dry_run: bool) -> None:
    """从白板 .edn、Markdown 页面或 EDN/JSON 导出文件 FILE 中提取工作流程。"""
    from xuncha_kb.commands.workflow import extract_workflow

    extracted = extract_workflow(file, output, force=force, dry_run=dry_run)
    click.echo(extracted.render(as_json), nl=False)
    for line in extracted.notices(as_json):
        click.echo(line, err=True)


@workflow_group.command("show")
@graph_argument
@option("--json", "as_json", is_flag=True, help="以 JSON 输出当前定义（含关键路径）。")
def workflow_show(graph: str | None, as_json: bool) -> None:
    """显示当前生效的工作流程定义：图谱自带的定义页优先，否则为内置默认定义。"""
    from xuncha_kb.commands.workflow import show_workflow

    shown = show_workflow(graph or os.environ.get(GRAPH_ENV), resolve_graph(graph),
                          notice=lambda text: click.echo(text, err=True))
    for w in shown.warnings:
        click.echo(str(w), err=True)
    click.echo(shown.render(as_json), nl=False)


@workflow_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def workflow_check(file: Path) -> None:
    """检查工作流程定义文件 FILE：未知或重复的 id、循环、无法到达的活动、未知里程碑。"""
    from xuncha_kb.workflow.load import check_definition

    wf, problems = check_definition(file)
    for p in problems:
        click.echo(str(p), err=True)
    n = sum(len(s.activities) for s in wf.stages)
    click.echo(f"定义有效：{wf.name}，{len(wf.stages)} 个阶段，{n} 项活动"
               + (f"，{len(problems)} 条警告" if problems else ""))


# --- scaffold ---


def _stdin_is_tty() -> bool:
    import sys

    return sys.stdin.isatty()


def _ask(value: str | None, prompt: str, option: str) -> str | None:
    """An option's value; asked for on a terminal when missing, else left to validation."""
    if value is None and _stdin_is_tty():
        answer: str = click.prompt(prompt, default="", show_default=False)
        return answer or None
    return value


def _emit_plan(run: Any, as_json: bool, dry_run: bool, root: Path) -> None:
    from xuncha_kb.commands.scaffold import emit_plan

    emit_plan(run, root, as_json=as_json, dry_run=dry_run, out=click.echo)


@cli.command("scaffold")
@graph_argument
@option("--unit", help="被巡察单位名称（必填）。")
@option("--round", "round_name", help="巡察轮次，例如 2026年第一轮（必填）。")
@option("--leader", help="巡察组组长。")
@option("--members", help="巡察组组员，用逗号分隔，例如 李四,王五。")
@option("--entry", metavar="YYYY-MM-DD", help="进驻日。")
@option("--exit", "exit_date", metavar="YYYY-MM-DD", help="撤离日。")
@option("--workflow", "workflow_file", type=click.Path(dir_okay=False), metavar="文件",
              help="使用指定的工作流程定义文件（默认：图谱中的定义，否则内置定义）。")
@option("--dry-run", is_flag=True, help="只显示将新建 / 保留的文件，不写入。")
@option("--json", "as_json", is_flag=True, help="以 JSON 输出计划与结果。")
def scaffold_cmd(graph: str | None, unit: str | None, round_name: str | None, leader: str | None,
                 members: str | None, entry: str | None, exit_date: str | None, workflow_file: str | None,
                 dry_run: bool, as_json: bool) -> None:
    """为一次新的巡察生成页面、清单、台账和流程白板（不会覆盖已有文件）。"""
    from xuncha_kb.commands.scaffold import plan_inspection
    from xuncha_kb.generate.inspection import make_facts

    root = resolve_graph(graph)
    unit = _ask(unit, "被巡察单位", "--unit")
    round_name = _ask(round_name, "巡察轮次（如 2026年第一轮）", "--round")
    facts = make_facts(unit, round_name, leader=leader, members=members, entry=entry, exit=exit_date)
    _emit_plan(plan_inspection(root, facts, workflow_file), as_json, dry_run, root)


@cli.command("scaffold-plan")
@graph_argument
@option("--year", type=int, metavar="年份", help="年度，例如 2026（必填）。")
@option("--workflow", "workflow_file", type=click.Path(dir_okay=False), metavar="文件",
              help="使用指定的工作流程定义文件（默认：图谱中的定义，否则内置定义）。")
@option("--dry-run", is_flag=True, help="只显示将新建 / 保留的文件，不写入。")
@option("--json", "as_json", is_flag=True, help="以 JSON 输出计划与结果。")
def scaffold_plan_cmd(graph: str | None, year: int | None, workflow_file: str | None, dry_run: bool,
                      as_json: bool) -> None:
    """生成年度巡察计划页（工作流程中“年度”范围的阶段）。"""
    from xuncha_kb.commands.scaffold import plan_annual
    from xuncha_kb.errors import InputError

    root = resolve_graph(graph)
    if year is None and _stdin_is_tty():
        year = click.prompt("年度（如 2026）", type=int)
    if year is None:
        raise InputError("缺少年度", hint="请用 --year 指定，例如 --year 2026。")
    _emit_plan(plan_annual(root, year, workflow_file), as_json, dry_run, root)


# --- reliability ---


@cli.command("close-out")
@graph_argument
@option("--inspection", "name", metavar="名称",
              help="要撤离脱密的巡察（概览页名称或被巡察单位，必填）。")
@option("--archive", type=click.Path(path_type=Path), metavar="归档.zip",
              help="同时把该巡察的页面和白板打包为 zip 归档（附 sha256 清单）。")
@option("--include-sensitive", is_flag=True, help="与 --archive 同用：归档包中也包含涉密页面。")
@option("--purge-sensitive", is_flag=True,
              help="把该巡察的涉密页面移入 logseq/.recycle/（不删除，可恢复）；需要确认。")
@option("--yes", is_flag=True, help="与 --purge-sensitive 同用：不再询问，直接执行。")
@option("--today", metavar="YYYY-MM-DD", help="记录中的处理日期（默认今天）。")
@option("--dry-run", is_flag=True, help="只检查并显示将要做的事，不写入、不移动任何文件。")
@option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果、计划与结果。")
def close_out_cmd(graph: str | None, name: str | None, archive: Path | None, include_sensitive: bool,
                  purge_sensitive: bool, yes: bool, today: str | None, dry_run: bool, as_json: bool) -> None:
    """撤离脱密：检查底稿台账已闭合，列出涉密页面，写入“脱密处理记录”页，可生成归档包。

    不删除任何文件；--purge-sensitive 只把涉密页面移入 logseq/.recycle/，且须确认（--yes 或交互确认）。
    """
    from xuncha_kb.commands.closeout import close_out
    from xuncha_kb.track.deadlines import parse_today

    if name is None and _stdin_is_tty() and not as_json:
        name = click.prompt("要撤离脱密的巡察", default="", show_default=False) or None
    close_out(resolve_graph(graph), name, parse_today(today), archive=archive,
              include_sensitive=include_sensitive, purge=purge_sensitive, yes=yes, dry_run=dry_run,
              as_json=as_json, interactive=_stdin_is_tty(),
              confirm=lambda question: click.confirm(question, default=False), out=click.echo)


def main() -> None:
    cli(prog_name="xuncha-kb")


if __name__ == "__main__":  # pragma: no cover
    main()
