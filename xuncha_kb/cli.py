"""The command line: wires options to library calls and formats results.

The only module that imports click.  Heavy libraries (networkx, edn_format, markdown_it,
watchdog) are imported inside the commands that need them, so ``xuncha-kb --help`` is fast.
Every ``XunchaError`` becomes a Chinese message on stderr and its exit code here, in
``XunchaGroup.invoke``; nothing else in the package prints errors or exits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xuncha_kb import __version__
from xuncha_kb.errors import XunchaError

if TYPE_CHECKING:  # the model is imported by the commands that need it, not at start-up
    from xuncha_kb.model import GraphConfig

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


class InputPath(click.Path):
    """``click.Path`` for files we read, refusing a NUL byte (click's own check would let
    ``os.stat`` raise ValueError, a traceback)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail("路径中含有 NUL 字符", param, ctx)
        return super().convert(value, param, ctx)


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
        g = load_graph(resolve_graph(graph), progress=progress, freeze=True)  # one-shot command
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
    from xuncha_kb.inspection.watch_run import run_watch

    day = parse_today(today) if today else None
    run_watch(resolve_graph(graph), as_json=as_json, write_report=write_report, today=day,
              use_cache=not no_cache, timeout=timeout, out=lambda s: click.echo(s),
              notice=lambda s: click.echo(s, err=True))


@cli.command("sync")
@graph_argument
@click.option("--dry-run", is_flag=True, help="只显示将要做的修改，不写入。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出计划与结果。")
@click.option("--today", metavar="YYYY-MM-DD", help="白板阶段状态与“已移除”标记所用的日期（默认今天）。")
def sync_cmd(graph: str | None, dry_run: bool, as_json: bool, today: str | None) -> None:
    """按当前工作流程和概览页上的日期，更新已生成的巡察页面与流程白板。

    新增活动插入到对应位置，改名、责任、期限等生成内容随工作流程更新，DEADLINE 按里程碑日期重算；
    任务状态（TODO/DONE）和用户写的内容不会改动；用户改过的生成内容保持原样并列为冲突。
    """
    import json

    from xuncha_kb.inspection.deadlines import parse_today
    from xuncha_kb.inspection.sync import run_sync

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


def _refuse_overwriting_graph_file(root: Path, config: GraphConfig, output: Path) -> None:
    """``report -o`` writes any file the user names, except over a file Logseq reads as part of
    the graph (a page, journal, whiteboard or config.edn): those are notes, and the report page
    inside the graph is ``--write``'s job, which checks that the page is still ours."""
    from xuncha_kb.errors import WriteConflict
    from xuncha_kb.fs.scan import classify_path

    target = os.path.abspath(output)
    if not os.path.lexists(target):
        return
    kind = classify_path(os.path.realpath(root), os.path.realpath(target), config, apply_hidden=False)
    if kind == "ignored":
        return
    raise WriteConflict("这是图谱中的笔记文件，-o 不会覆盖它", file=str(output),
                        hint="要把报告写入图谱，请用 --write（只更新 xuncha-kb 生成的报告页）；"
                             "或用 -o 指定一个新的文件名")


@cli.command("report")
@graph_argument
@click.option("--inspection", "only", metavar="NAME",
              help="只报告一个巡察（概览页名称或被巡察单位，可只写一部分）。")
@click.option("--today", metavar="YYYY-MM-DD",
              help="按指定日期计算剩余天数与预警颜色（默认今天），便于复现。")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "html", "xlsx"]), default="text",
              show_default=True, help="输出格式：终端文本、Logseq 页面、JSON、单文件 HTML、Excel 台账。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="写入文件而不是标准输出。")
@click.option("--write", "write_page", is_flag=True, help="把 Markdown 报告页写入图谱（只更新报告页本身）。")
@click.option("--dry-run", is_flag=True, help="与 --write 同用：只显示将写入的文件，不写入。")
@click.option("--redact", type=click.Choice(["none", "names"]), default="none", show_default=True,
              help="names：把概览页登记的人员姓名替换为角色代号（组长、组员A……）。")
@click.option("--yellow-days", type=click.IntRange(min=0), default=20, show_default=True,
              help="剩余天数少于此值显示黄色。")
@click.option("--red-days", type=click.IntRange(min=0), default=10, show_default=True,
              help="剩余天数少于此值（或已逾期）显示红色。")
@click.option("--color/--no-color", "colour", default=None, help="终端彩色输出（默认：输出到终端时彩色）。")
def report_cmd(graph: str | None, only: str | None, today: str | None, fmt: str, output: Path | None,
               write_page: bool, dry_run: bool, redact: str, yellow_days: int, red_days: int,
               colour: bool | None) -> None:
    """巡察进度报告：各巡察的阶段进度、逾期与临期事项、顺序问题、台账。

    涉密内容（信访、谈话、线索命名空间，或带 密级::、sensitive:: 的页面和块）只计数，不引用。
    """
    import sys

    from xuncha_kb.errors import InputError
    from xuncha_kb.fs.eventlog import read_events
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.inspection.deadlines import Thresholds, parse_today
    from xuncha_kb.inspection.events import stage_completion_dates
    from xuncha_kb.inspection.progress import compute_progress, with_completion_dates
    from xuncha_kb.workflow.load import active_workflow

    root = resolve_graph(graph)
    day = parse_today(today)
    thresholds = Thresholds(yellow_days=yellow_days, red_days=red_days)
    g = load_graph(root, freeze=True)  # one-shot command
    progress = compute_progress(g, active_workflow(g), day, thresholds=thresholds, only=only)
    progress = with_completion_dates(progress, stage_completion_dates(read_events(root).events))
    if only and not progress.inspections:
        raise InputError(f"没有找到名为“{only}”的巡察", hint="运行 xuncha-kb report 查看图谱中的全部巡察。")
    if redact == "names":
        from xuncha_kb.inspection.redact import redact_names

        progress = redact_names(progress)
    if write_page:
        from xuncha_kb.report.write import plan_report_page

        plan = plan_report_page(root, g.config, progress, only)
        if dry_run:
            click.echo(plan.render())
        else:
            from xuncha_kb.fs.apply import apply

            click.echo(apply(plan, root).render())
        if output is None:
            return
    if dry_run and not write_page:
        raise InputError("--dry-run 只能与 --write 一起使用")
    if output is not None:
        from xuncha_kb.fs.atomic import atomic_write
        from xuncha_kb.report import render

        _refuse_overwriting_graph_file(root, g.config, output)
        atomic_write(output, render(progress, fmt), display=str(output))
        click.echo(f"已写入 {output}", err=True)
        return
    if fmt == "xlsx":
        if sys.stdout.isatty():
            raise InputError("xlsx 是二进制文件，不能输出到终端",
                             hint="请用 -o 指定文件，例如 -o 台账.xlsx。")
        from xuncha_kb.report.xlsx import render_xlsx

        click.get_binary_stream("stdout").write(render_xlsx(progress))
        return
    if fmt == "text":
        from xuncha_kb.report.text import print_report, render_text

        stream = click.get_text_stream("stdout")
        use_colour = (stream.isatty() and not os.environ.get("NO_COLOR")) if colour is None else colour
        if use_colour:
            print_report(progress, stream, colour=True)
        else:
            click.echo(render_text(progress), nl=False)
        return
    from xuncha_kb.report import render

    click.echo(render(progress, fmt), nl=False)


# --- workflow ---


@cli.group("workflow")
def workflow_group() -> None:
    """工作流程定义：从白板或页面提取、查看当前定义、检查定义文件。"""


@workflow_group.command("extract")
@click.argument("file", type=InputPath(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="以 JSON 输出提取结果（阶段、活动、子项、期限、警告）。")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="把提取结果写成工作流程定义页（可在 Logseq 中编辑）。")
@click.option("--force", is_flag=True, help="与 -o 同用：输出文件已存在时覆盖它。")
@click.option("--dry-run", is_flag=True, help="与 -o 同用：只显示将写入的定义页内容，不写文件。")
def workflow_extract(file: Path, as_json: bool, output: Path | None, force: bool, dry_run: bool) -> None:
    """从白板 .edn、Markdown 页面或 EDN/JSON 导出文件 FILE 中提取工作流程。"""
    import json

    from xuncha_kb.workflow.extract import extract_file
    from xuncha_kb.workflow.show import render_extraction

    ex = extract_file(file)
    page: str | None = None
    if output is not None:
        from xuncha_kb.errors import WriteConflict
        from xuncha_kb.workflow.write import render_definition

        if output.exists() and not force:
            raise WriteConflict("输出文件已存在，未覆盖", file=str(output),
                                hint="换一个文件名，或加 --force 覆盖它。")
        note = (f"由 xuncha-kb workflow extract 从 {file.name} 提取的草稿，"
                "请补充角色、产出、前置关系后使用。")
        page = render_definition(ex.workflow, note=note)
        if not dry_run:
            from xuncha_kb.fs.atomic import atomic_write

            atomic_write(output, page, create_only=not force)
    if as_json:
        click.echo(json.dumps(ex.as_dict(), ensure_ascii=False, indent=2))
        for w in ex.warnings:
            click.echo(str(w), err=True)
    elif page is not None and dry_run:
        click.echo(page, nl=False)
    else:
        click.echo(render_extraction(ex), nl=False)
    if output is not None:
        done = "（试运行，未写入）将写入" if dry_run else "已写入"
        click.echo(f"{done}工作流程定义：{output}", err=True)


@workflow_group.command("show")
@graph_argument
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出当前定义（含关键路径）。")
def workflow_show(graph: str | None, as_json: bool) -> None:
    """显示当前生效的工作流程定义：图谱自带的定义页优先，否则为内置默认定义。"""
    import json

    from xuncha_kb.errors import GraphNotFound
    from xuncha_kb.fs.layout import is_regular_file
    from xuncha_kb.workflow import load
    from xuncha_kb.workflow.show import render_tree, workflow_dict

    explicit = graph or os.environ.get(GRAPH_ENV)
    path = resolve_graph(graph)
    warnings: list[load.Problem] = []
    if explicit and is_regular_file(Path(explicit)):
        wf, warnings = load.check_definition(Path(explicit))
        origin = f"定义文件 {explicit}"
    else:
        from xuncha_kb.fs.scan import load_graph

        try:
            g = load_graph(path, freeze=True)  # one-shot command
        except GraphNotFound:
            if explicit:
                raise
            g = None
        pages = load.definition_pages(g) if g is not None else []
        page = pages[0] if pages else None
        if len(pages) > 1:
            others = "、".join(p.file for p in pages[1:])
            click.echo(f"警告：图谱中有 {len(pages)} 个工作流程定义页，使用 {pages[0].file}，忽略 {others}",
                       err=True)
        if page is not None:
            wf, warnings = load.check_page(page)
            origin = f"图谱自带定义 {page.file}（页面「{page.name}」）"
        else:
            wf = load.default_workflow()
            origin = "内置默认定义" + ("（图谱中没有工作流程定义页）" if g is not None else "")
    for w in warnings:
        click.echo(str(w), err=True)
    if as_json:
        click.echo(json.dumps(workflow_dict(wf, origin=origin), ensure_ascii=False, indent=2))
    else:
        click.echo(render_tree(wf, origin=origin), nl=False)


@workflow_group.command("check")
@click.argument("file", type=InputPath(dir_okay=False, path_type=Path))
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
    return click.get_text_stream("stdin").isatty()


def _ask(value: str | None, prompt: str, option: str) -> str | None:
    """An option's value; asked for on a terminal when missing, else left to validation."""
    if value is None and _stdin_is_tty():
        answer: str = click.prompt(prompt, default="", show_default=False)
        return answer or None
    return value


def _emit_plan(run: Any, as_json: bool, dry_run: bool, graph_root: Path) -> None:
    """Print the plan; unless ``dry_run``, apply it and print the result (text or JSON).

    A plan with conflicts is printed first, then refused by ``apply`` (exit 4, nothing written).
    """
    import json

    from xuncha_kb.fs.apply import apply

    plan = run.plan

    def show(result: Any) -> None:
        if as_json:
            out = {"graph": str(graph_root), "title": run.scaffold.inspection, "workflow": run.workflow.name,
                   "activities": run.scaffold.activity_count, "dry_run": dry_run, "plan": plan.as_dict(),
                   "result": result.as_dict() if result is not None else None}
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        click.echo(plan.render())
        if dry_run:
            click.echo("（--dry-run：只显示计划，未写入任何文件。）")
        elif result is not None and (result.changed or plan.changes_anything):
            click.echo(result.render())  # an unchanged plan has already said 无变化

    if dry_run or plan.conflicts:
        show(None)
        if not dry_run:
            apply(plan, graph_root)  # raises WriteConflict: nothing is written
        return
    show(apply(plan, graph_root))


@cli.command("scaffold")
@graph_argument
@click.option("--unit", help="被巡察单位名称（必填）。")
@click.option("--round", "round_name", help="巡察轮次，例如 2026年第一轮（必填）。")
@click.option("--leader", help="巡察组组长。")
@click.option("--members", help="巡察组组员，用逗号分隔，例如 李四,王五。")
@click.option("--entry", metavar="YYYY-MM-DD", help="进驻日。")
@click.option("--exit", "exit_date", metavar="YYYY-MM-DD", help="撤离日。")
@click.option("--workflow", "workflow_file", type=InputPath(dir_okay=False),
              help="使用指定的工作流程定义文件（默认：图谱中的定义，否则内置定义）。")
@click.option("--dry-run", is_flag=True, help="只显示将新建 / 保留的文件，不写入。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出计划与结果。")
def scaffold_cmd(graph: str | None, unit: str | None, round_name: str | None, leader: str | None,
                 members: str | None, entry: str | None, exit_date: str | None, workflow_file: str | None,
                 dry_run: bool, as_json: bool) -> None:
    """为一次新的巡察生成页面、清单、台账和流程白板（不会覆盖已有文件）。"""
    from xuncha_kb.inspection.scaffold import make_facts
    from xuncha_kb.inspection.scaffold_run import plan_inspection

    root = resolve_graph(graph)
    unit = _ask(unit, "被巡察单位", "--unit")
    round_name = _ask(round_name, "巡察轮次（如 2026年第一轮）", "--round")
    facts = make_facts(unit, round_name, leader=leader, members=members, entry=entry, exit=exit_date)
    _emit_plan(plan_inspection(root, facts, workflow_file), as_json, dry_run, root)


@cli.command("scaffold-plan")
@graph_argument
@click.option("--year", type=int, help="年度，例如 2026（必填）。")
@click.option("--workflow", "workflow_file", type=InputPath(dir_okay=False),
              help="使用指定的工作流程定义文件（默认：图谱中的定义，否则内置定义）。")
@click.option("--dry-run", is_flag=True, help="只显示将新建 / 保留的文件，不写入。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出计划与结果。")
def scaffold_plan_cmd(graph: str | None, year: int | None, workflow_file: str | None, dry_run: bool,
                      as_json: bool) -> None:
    """生成年度巡察计划页（工作流程中“年度”范围的阶段）。"""
    from xuncha_kb.errors import InputError
    from xuncha_kb.inspection.scaffold_run import plan_annual

    root = resolve_graph(graph)
    if year is None and _stdin_is_tty():
        year = click.prompt("年度（如 2026）", type=int)
    if year is None:
        raise InputError("缺少年度", hint="请用 --year 指定，例如 --year 2026。")
    _emit_plan(plan_annual(root, year, workflow_file), as_json, dry_run, root)


# --- reliability ---


@cli.command("close-out")
@graph_argument
@click.option("--inspection", "name", metavar="NAME",
              help="要撤离脱密的巡察（概览页名称或被巡察单位，必填）。")
@click.option("--archive", type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.zip",
              help="同时把该巡察的页面和白板打包为 zip 归档（附 sha256 清单）。")
@click.option("--include-sensitive", is_flag=True, help="与 --archive 同用：归档包中也包含涉密页面。")
@click.option("--purge-sensitive", is_flag=True,
              help="把该巡察的涉密页面移入 logseq/.recycle/（不删除，可恢复）；需要确认。")
@click.option("--yes", is_flag=True, help="与 --purge-sensitive 同用：不再询问，直接执行。")
@click.option("--today", metavar="YYYY-MM-DD", help="记录中的处理日期（默认今天）。")
@click.option("--dry-run", is_flag=True, help="只检查并显示将要做的事，不写入、不移动任何文件。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果、计划与结果。")
def close_out_cmd(graph: str | None, name: str | None, archive: Path | None, include_sensitive: bool,
                  purge_sensitive: bool, yes: bool, today: str | None, dry_run: bool, as_json: bool) -> None:
    """撤离脱密：检查底稿台账已闭合，列出涉密页面，写入“脱密处理记录”页，可生成归档包。

    不删除任何文件；--purge-sensitive 只把涉密页面移入 logseq/.recycle/，且须确认（--yes 或交互确认）。
    """
    import json

    from xuncha_kb.errors import InputError
    from xuncha_kb.inspection import closeout
    from xuncha_kb.inspection.deadlines import parse_today

    root = resolve_graph(graph)
    if name is None and _stdin_is_tty() and not as_json:
        name = click.prompt("要撤离脱密的巡察", default="", show_default=False) or None
    if name is None:
        raise InputError("缺少要撤离脱密的巡察", hint="请用 --inspection 指定巡察概览页名称或被巡察单位。")
    if include_sensitive and archive is None:
        raise InputError("--include-sensitive 只能与 --archive 一起使用")
    if yes and not purge_sensitive:
        raise InputError("--yes 只能与 --purge-sensitive 一起使用")
    plan = closeout.plan_close_out(root, name, parse_today(today), archive=archive,
                                   include_sensitive=include_sensitive, purge=purge_sensitive)
    out: dict[str, object] = {"dry_run": dry_run, "plan": plan.as_dict(), "result": None}
    if not as_json:
        click.echo(closeout.render_plan(plan))
    if dry_run:
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            click.echo("（--dry-run：只做检查，未写入、未移动任何文件。）")
        if not plan.ledger_closed:
            closeout.preflight(plan)
        return
    try:
        closeout.preflight(plan)
    except Exception:
        if as_json:
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        raise
    if purge_sensitive and plan.sensitive_pages and not yes:
        if not _stdin_is_tty():
            raise InputError("--purge-sensitive 需要确认，未写入任何文件",
                             hint="确认无误后加 --yes 重新运行，或在终端中交互确认。")
        if not click.confirm(f"确认把 {len(plan.sensitive_pages)} 个涉密页面移入 logseq/.recycle/ 吗？",
                             default=False):
            click.echo("已取消，未写入、未移动任何文件。")
            return
    result = closeout.run_close_out(plan)
    if as_json:
        out["result"] = result.as_dict()
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        click.echo(closeout.render_result(result))


def main() -> None:
    cli(prog_name="xuncha-kb")


if __name__ == "__main__":  # pragma: no cover
    main()
