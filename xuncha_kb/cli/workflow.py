"""``xuncha-kb workflow …``: extract, show and check workflow definitions."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from xuncha_kb.cli.base import (
    InputPath,
    XunchaGroup,
    dry_run_option,
    err,
    file_argument,
    graph_argument,
    json_option,
    no_cache_option,
    option,
)


@click.group("workflow", cls=XunchaGroup)
def workflow_group() -> None:
    """工作流程定义：从白板或页面提取、查看当前定义、检查定义文件。

    \b
    示例：xuncha-kb workflow check 巡察工作流程定义.md
    """


@workflow_group.command("extract")
@file_argument
@json_option(help="以 JSON 输出提取结果（阶段、活动、子项、期限、警告）。")
@option("-o", "--output", type=InputPath(path_type=Path),
        help="把提取结果写成工作流程定义页（可在 Logseq 中编辑）。")
@option("--force", is_flag=True, help="与 -o 同用：输出文件已存在时覆盖它。")
@dry_run_option(help="与 -o 同用：只显示将写入的定义页内容，不写文件。")
@option("--graph", metavar="GRAPH",
        help="现行定义所在的图谱或定义文件：同一活动沿用其中的活动编号（默认：当前目录的图谱，否则内置默认定义）。")
def workflow_extract(file: Path, as_json: bool, output: Path | None, force: bool, dry_run: bool,
                     graph: str | None) -> None:
    """从白板 .edn、Markdown 或 Org 页面、EDN/JSON 导出文件 FILE 中提取工作流程。

    与现行定义相同的活动沿用其活动编号，并列出对照表（沿用 / 新增 / 删除及原因）。

    \b
    示例：xuncha-kb workflow extract whiteboards/巡察工作流程.edn -o 巡察工作流程定义.md
    """
    from xuncha_kb.commands.workflow import extract_workflow

    extracted = extract_workflow(file, output, force=force, dry_run=dry_run, graph=graph, notice=err)
    extracted.emit(as_json, out=partial(click.echo, nl=False), notice=err)


@workflow_group.command("show")
@graph_argument
@json_option(help="以 JSON 输出当前定义（含关键路径）。")
@no_cache_option
def workflow_show(graph: str | None, as_json: bool, no_cache: bool) -> None:
    """显示当前生效的工作流程定义：图谱自带的定义页优先，否则为内置默认定义。

    \b
    示例：xuncha-kb workflow show ~/巡察图谱
    """
    from xuncha_kb.commands.workflow import show_workflow

    shown = show_workflow(graph, notice=err, use_cache=not no_cache)
    click.echo(shown.render(as_json), nl=False)


@workflow_group.command("check")
@file_argument
def workflow_check(file: Path) -> None:
    """检查工作流程定义文件 FILE：未知或重复的 id、循环、无法到达的活动、未知里程碑。

    \b
    示例：xuncha-kb workflow check 巡察工作流程定义.md
    """
    from xuncha_kb.commands.workflow import check_workflow

    click.echo(check_workflow(file, notice=err))


@workflow_group.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@json_option(help="以 JSON 输出差异（新增、删除、改名、移动、调整顺序、期限变更）。")
def workflow_diff(old: str, new: str, as_json: bool) -> None:
    """比较两份工作流程定义 OLD 与 NEW：新增、删除、改名、移到其他阶段、调整顺序的活动和变更的期限。

    OLD、NEW 可以是定义文件、图谱目录（取其现行定义），或“默认”（内置默认定义）。

    \b
    示例：xuncha-kb workflow diff 默认 pages/本办巡察流程.md
    """
    from xuncha_kb.commands.workflow import diff_workflow

    click.echo(diff_workflow(old, new, notice=err).render(as_json), nl=False)
