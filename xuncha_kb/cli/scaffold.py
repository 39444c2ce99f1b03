"""``xuncha-kb scaffold`` and ``scaffold-plan``: generate an inspection's or a year's pages."""

from __future__ import annotations

import click

from xuncha_kb.cli import base
from xuncha_kb.cli.base import (
    XunchaCommand,
    ask,
    dry_run_option,
    graph_argument,
    json_option,
    no_cache_option,
    option,
    workflow_option,
)
from xuncha_kb.commands import resolve_graph


@click.command(cls=XunchaCommand, name="scaffold")
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
@no_cache_option
def scaffold_cmd(graph: str | None, unit: str | None, round_name: str | None, exit_date: str | None,
                 workflow_file: str | None, dry_run: bool, as_json: bool, no_cache: bool,
                 **people: str | None) -> None:
    """为一次新的巡察生成页面、清单、台账和流程白板（不会覆盖已有文件）。

    \b
    示例：xuncha-kb scaffold ~/巡察图谱 --unit 某某集团 --round 2026年第一轮 --leader 张三
    """
    from xuncha_kb.commands.scaffold import emit_plan, plan_inspection
    from xuncha_kb.generate.facts import make_facts

    facts = make_facts(ask(unit, "被巡察单位"), ask(round_name, "巡察轮次（如 2026年第一轮）"),
                       exit=exit_date, **people)
    run = plan_inspection(root := resolve_graph(graph), facts, workflow_file, use_cache=not no_cache)
    emit_plan(run, root, as_json=as_json, dry_run=dry_run, out=click.echo)


@click.command(cls=XunchaCommand, name="scaffold-plan")
@graph_argument
@option("--year", type=int, metavar="年份", help="年度，例如 2026（必填）。")
@workflow_option
@dry_run_option(help="只显示将新建 / 保留的文件，不写入。")
@json_option(help="以 JSON 输出计划与结果。")
@no_cache_option
def scaffold_plan_cmd(graph: str | None, year: int | None, workflow_file: str | None, no_cache: bool,
                      **kw: bool) -> None:
    """生成年度巡察计划页（工作流程中“年度”范围的阶段）。

    \b
    示例：xuncha-kb scaffold-plan ~/巡察图谱 --year 2026
    """
    from xuncha_kb.commands.scaffold import emit_plan, plan_annual

    root = resolve_graph(graph)
    if year is None and base.stdin_is_tty():
        year = click.prompt("年度（如 2026）", type=int)
    emit_plan(plan_annual(root, year, workflow_file, use_cache=not no_cache), root, out=click.echo, **kw)
