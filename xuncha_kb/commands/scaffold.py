"""The edge around the pure scaffold: read the graph, pick the workflow, plan, self-check.

``plan_inspection`` / ``plan_annual`` return a ``ScaffoldRun`` (the generated files and the
plan against the disk); the CLI prints ``run.plan`` for ``--dry-run`` or hands it to
``fs.apply.apply``.  Before anything is planned, every generated file is parsed back with
the project's own readers: a page must give zero diagnostics and the whiteboard must resolve
every arrow, and the task blocks must number exactly the workflow's activities.  A failure
there is a bug in the generator, reported as an internal error (exit 1) with nothing written.
"""

from __future__ import annotations

import datetime as _dt
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from xuncha_kb.errors import GraphNotFound, InputError, XunchaError
from xuncha_kb.fs.apply import Action, Conflict, Create, Plan, plan_writes
from xuncha_kb.generate.annual import scaffold_annual_plan
from xuncha_kb.generate.facts import InspectionFacts
from xuncha_kb.generate.inspection import scaffold_inspection
from xuncha_kb.generate.pages import Scaffold
from xuncha_kb.model import GraphConfig, Page, PageFormat, page_key
from xuncha_kb.track import conventions as cv
from xuncha_kb.workflow.model import Workflow


@dataclass(frozen=True)
class GraphIndex:
    """What scaffold needs to know about a graph — without parsing every block of it.

    Scaffold only needs the config, every page's *name* (to refuse names Logseq already knows),
    and the workflow definition page if there is one.  Names come from the graph index, so an
    unchanged graph is only stat'ed; the definition page alone is parsed on every run.
    """

    root: Path
    config: GraphConfig
    page_files: Mapping[str, str] = field(default_factory=dict)  # page key → file (first by path)
    board_files: Mapping[str, str] = field(default_factory=dict)  # whiteboard key → file
    definition: Page | None = None


@dataclass(frozen=True)
class ScaffoldRun:
    graph: GraphIndex
    workflow: Workflow
    scaffold: Scaffold
    plan: Plan


def _is_real_dir(path: Path) -> bool:
    """A folder that is not a symlink; False for anything that cannot even be looked at."""
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:
        return False


def _only_dot_entries(path: Path) -> bool:
    try:
        return not any(not p.name.startswith(".") for p in path.iterdir())
    except PermissionError:
        raise GraphNotFound(f"没有权限读取图谱目录“{path}”", hint="请检查目录权限") from None


def index_graph(root: Path, *, use_cache: bool = True) -> GraphIndex:
    """Index the graph at ``root``; a folder with nothing but dot-entries is a new, empty graph.

    Read through the graph index (``commands/graph_index.py``): an unchanged graph is only
    stat'ed.  A page the index could not read (payload None) is named from its head, as Logseq
    would still list it."""
    from xuncha_kb.commands.graph_index import read_indexed
    from xuncha_kb.fs import index as fsindex
    from xuncha_kb.fs.scan import read_page_file
    from xuncha_kb.workflow.load import is_definition_page
    from xuncha_kb.workflow.syntax import DEFINITION_TYPE

    path = Path(root)
    if _is_real_dir(path) and _only_dot_entries(path):
        return GraphIndex(path, GraphConfig())
    maybe_definition = f"type={page_key(DEFINITION_TYPE)}"
    g = read_indexed(path, use_cache=use_cache,
                     keep=lambda p: p[0] == fsindex.PAGE and maybe_definition in cast(tuple[str, ...], p[2]))
    pages: dict[str, str] = {}
    boards: dict[str, str] = {}
    definitions: list[Page] = []
    for r in g.records:
        if r.kind == "whiteboard" and r.payload is not None:
            boards.setdefault(page_key(cast(str, r.payload[1])), r.rel)
        elif r.kind == "page":  # journals are named by date
            name = cast(str, r.payload[1]) if r.payload is not None else _head_name(g.root, r.rel, g.config)
            if name is None:
                continue
            pages.setdefault(page_key(name), r.rel)
            if r.payload is not None and maybe_definition in cast(tuple[str, ...], r.payload[2]):
                page = g.parsed.get(r.rel) or read_page_file(g.root, r.rel, g.config)[0]
                if isinstance(page, Page) and is_definition_page(page):
                    definitions.append(page)
    return GraphIndex(g.root, g.config, pages, boards, definitions[0] if definitions else None)


def _head_name(base: Path, rel: str, config: GraphConfig) -> str | None:
    """The name of a page from the text before its first block (None: it cannot be read)."""
    from xuncha_kb.logseq.head import pre_block_text
    from xuncha_kb.logseq.names import page_name_from_file
    from xuncha_kb.logseq.page import parse_text

    try:
        raw = (base / rel).read_bytes()
    except OSError:
        return None
    fmt: PageFormat = "org" if posixpath.splitext(rel)[1].lower() == ".org" else "markdown"
    head = pre_block_text(raw.decode("utf-8", errors="replace").lstrip("\ufeff"), fmt)
    parsed = parse_text(head, rel, fmt, config)
    return page_name_from_file(rel, parsed.properties, config)


def pick_workflow(graph: GraphIndex, workflow_file: str | Path | None) -> Workflow:
    """``--workflow FILE`` if given, else the graph's own definition page (the first by file
    name, as ``workflow.load.active_workflow`` does), else the shipped default."""
    from xuncha_kb.workflow.load import default_workflow, definition_from_page, load_definition

    if workflow_file is not None:
        return load_definition(workflow_file)
    if graph.definition is not None:
        return definition_from_page(graph.definition)
    return default_workflow()


def check_generated(scaffold: Scaffold, config: GraphConfig) -> list[str]:
    """Problems found when reading the generated files back (empty = all good)."""
    from xuncha_kb.logseq.page import parse_text
    from xuncha_kb.logseq.whiteboard import parse_whiteboard

    problems: list[str] = []
    activities = 0
    for f in scaffold.files:
        if f.path.endswith(".edn"):
            board, diags = parse_whiteboard(f.content, f.path, config)
            problems.extend(str(d) for d in diags)
            boxes = [s for s in board.shapes if s.type == "box"]
            unresolved = [c.id for c in board.connectors if not c.from_id or not c.to_id]
            if unresolved or len(board.connectors) != max(len(boxes) - 1, 0):
                problems.append(f"{f.path}: 箭头未全部连接到阶段框")
            continue
        parsed = parse_text(f.content, f.path, "org" if f.path.endswith(".org") else "markdown",
                            config=config)
        problems.extend(str(d) for d in parsed.diagnostics)
        for top in parsed.blocks:
            for b in top.walk():
                if not b.pre_block and cv.P_ACTIVITY in b.properties:
                    activities += 1
    if activities != scaffold.activity_count:
        problems.append(f"生成的任务块 {activities} 个，工作流程有 {scaffold.activity_count} 项活动")
    return problems


def _checked(scaffold: Scaffold, config: GraphConfig) -> Scaffold:
    problems = check_generated(scaffold, config)
    if problems:
        raise XunchaError("生成的页面未能通过自检（这是 xuncha-kb 的缺陷，未写入任何文件）："
                          + "；".join(problems[:5]))
    return scaffold


def name_clashes(graph: GraphIndex, scaffold: Scaffold, plan: Plan) -> Plan:
    """Turn a Create into a Conflict when Logseq already has a page of that name in another file.

    Logseq identifies pages case-insensitively (and a ``title::`` property can name a page
    regardless of its file), so ``ABC公司`` and ``abc公司`` would be one page in Logseq even
    though they are two files on disk.
    """
    files = {f.path: f for f in scaffold.files}
    actions: list[Action] = []
    for a in plan.actions:
        f = files.get(a.path)
        if isinstance(a, Create) and f is not None:
            known = graph.board_files if f.kind == "whiteboard" else graph.page_files
            other = known.get(page_key(f.title))
            if other is not None and other != a.path:
                actions.append(Conflict(a.path, f"图谱中已有同名页面“{f.title}”（文件 {other}，"
                                                "大小写或文件名编码不同）"))
                continue
        actions.append(a)
    return replace(plan, actions=tuple(actions))


def facts_conflict(graph: GraphIndex, workflow: Workflow, facts: InspectionFacts, scaffold: Scaffold,
                   plan: Plan) -> Plan:
    """Turn the overview page's action into a Conflict when the options ask for other facts
    (组长, 组员, 进驻日, 撤离日) than the existing overview page states.

    scaffold never rewrites an existing file, so keeping quiet would leave the old facts in
    force while the user believes the new ones were applied.  Options not given are not
    compared.  The conflict names every difference and how to change it.
    """
    from xuncha_kb.fs.scan import read_page_file
    from xuncha_kb.generate.facts import fact_differences, facts_in_force

    overview = next((f for f in scaffold.files if f.kind == "overview"), None)
    if overview is None or graph.page_files.get(page_key(overview.title)) != overview.path:
        return plan  # no such page yet, or another file holds the name (name_clashes says so)
    page = read_page_file(graph.root, overview.path, graph.config)[0]
    current = facts_in_force(workflow, page) if page is not None else None
    diffs = fact_differences(workflow, facts, current) if current is not None else []
    if not diffs:
        return plan
    props = "、".join(f"{d.label}::" for d in diffs)
    hint = (f"scaffold 不修改已有的巡察。要改用本次的值，请在 Logseq 中打开概览页 {overview.path}，"
            f"修改 {props}")
    if any(d.option in ("--entry", "--exit") for d in diffs):
        hint += "，然后运行 xuncha-kb sync 按新的日期重算各项期限"
    hint += f"；要保留概览页上的值，去掉 {' '.join(d.option for d in diffs)} 后重新运行。"
    reason = "巡察已存在，本次参数与概览页不一致：" + "；".join(str(d) for d in diffs)
    actions = tuple(Conflict(a.path, reason, hint) if a.path == overview.path and not isinstance(a, Conflict)
                    else a for a in plan.actions)
    return replace(plan, actions=actions)


def _plan(root: Path, graph: GraphIndex, sc: Scaffold) -> Plan:
    plan = plan_writes(Path(root), sc.file_specs(), mode="create_only", title=sc.inspection)
    return name_clashes(graph, sc, plan)


def plan_inspection(root: Path, facts: InspectionFacts,
                    workflow_file: str | Path | None = None, *, use_cache: bool = True) -> ScaffoldRun:
    graph = index_graph(root, use_cache=use_cache)
    workflow = pick_workflow(graph, workflow_file)
    sc = _checked(scaffold_inspection(workflow, facts, graph.config, today=_dt.date.today(),
                                      fmt=graph.config.preferred_format), graph.config)
    plan = facts_conflict(graph, workflow, facts, sc, _plan(root, graph, sc))
    return ScaffoldRun(graph, workflow, sc, plan)


def plan_annual(root: Path, year: int | None, workflow_file: str | Path | None = None, *,
                use_cache: bool = True) -> ScaffoldRun:
    """The annual plan page for ``year`` (None: the user gave none, an input error)."""
    if year is None:
        raise InputError("缺少年度", hint="请用 --year 指定，例如 --year 2026。")
    graph = index_graph(root, use_cache=use_cache)
    workflow = pick_workflow(graph, workflow_file)
    sc = _checked(scaffold_annual_plan(workflow, year, graph.config, graph.config.preferred_format),
                  graph.config)
    return ScaffoldRun(graph, workflow, sc, _plan(root, graph, sc))


def emit_plan(run: ScaffoldRun, root: Path, *, as_json: bool, dry_run: bool,
              out: Callable[[str], None]) -> None:
    """Print the plan; unless ``dry_run``, apply it and print the result (text or JSON).

    A plan with conflicts is printed first, then refused by ``apply`` (exit 4, nothing written).
    """
    import json

    from xuncha_kb.fs.apply import apply

    plan = run.plan

    def show(result: Any) -> None:
        if as_json:
            doc = {"graph": str(root), "title": run.scaffold.inspection, "workflow": run.workflow.name,
                   "activities": run.scaffold.activity_count, "dry_run": dry_run, "plan": plan.as_dict(),
                   "result": result.as_dict() if result is not None else None}
            out(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        out(plan.render())
        if dry_run:
            out("（--dry-run：只显示计划，未写入任何文件。）")
        elif result is not None and (result.changed or plan.changes_anything):
            out(result.render())  # an unchanged plan has already said 无变化

    if dry_run or plan.conflicts:
        show(None)
        if not dry_run:
            apply(plan, root)  # raises WriteConflict: nothing is written
        return
    show(apply(plan, root))
