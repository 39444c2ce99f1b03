"""The year's 巡察计划 page: the workflow's ``annual`` stages as tasks (pure)."""

from __future__ import annotations

from xuncha_kb.errors import InputError
from xuncha_kb.generate.pages import Scaffold, activity_uuid, actor_name, heading, page_file, ref, task_marker
from xuncha_kb.logseq.render import BlockSpec, PageSpec
from xuncha_kb.model import GraphConfig, PageFormat
from xuncha_kb.track import conventions as cv
from xuncha_kb.workflow.model import Workflow


def scaffold_annual_plan(workflow: Workflow, year: int, config: GraphConfig | None = None,
                         fmt: PageFormat = "markdown") -> Scaffold:
    """The year's 巡察计划 page: the workflow's annual stages as tasks, and the year's inspections."""
    config = config or GraphConfig(name_format="triple-lowbar")
    from xuncha_kb.track.deadlines import OPTION_YEARS

    if year not in OPTION_YEARS:
        raise InputError(f"年度 {year} 不合理", hint="请用 --year 指定四位年份，例如 2026。")
    annual = tuple(s for s in workflow.stages if s.scope == "annual")
    if not annual:
        raise InputError(f"工作流程 {workflow.name} 没有“年度”范围的阶段", file=workflow.source)
    title = cv.annual_plan_page_name(year)
    ids = {a.id: activity_uuid(title, a.id) for s in annual for a in s.activities}
    blocks: list[BlockSpec] = [
        heading("说明", [
            BlockSpec(f"{year} 年度巡察计划的制定与发布。完成一项就把 {task_marker(config)} 改为 DONE；"
                      "笔记写在任务下面的子块里。"),
            BlockSpec(f"本年度的每一轮巡察用 xuncha-kb scaffold 生成，概览页带有 年度:: {year}。"),
        ], gen="guide:annual"),
        heading("本年度巡察", [BlockSpec(
            f"{{{{query (and (page-property type {cv.TYPE_INSPECTION}) "
            f"(page-property {cv.P_YEAR} {year}))}}}}",
            properties=(("query-properties", "[:page :被巡察单位 :轮次 :组长 :进驻日 :撤离日]"),))],
            gen="inspections"),
    ]
    for stage in annual:
        tasks = []
        for a in stage.activities:
            props: list[tuple[str, str]] = [(cv.P_ACTIVITY, a.id), (cv.P_ANNUAL_PLAN, ref(title))]
            actor = actor_name(workflow, a.actor)
            if actor:
                props.append((cv.P_ACTOR, ref(actor)))
            if a.produces:
                names = [x.name if (x := workflow.artifact(p)) else p for p in a.produces]
                props.append((cv.P_PRODUCES, ", ".join(ref(f"{title}/{n}") for n in names)))
            deps = [f"(({ids[d]}))" for d in a.depends_on if d in ids]
            if deps:
                props.append((cv.P_DEPENDS, ", ".join(deps)))
            props.append(("id", ids[a.id]))
            tasks.append(BlockSpec(a.name, marker=task_marker(config), properties=tuple(props)))
        blocks.append(heading(f"{stage.name}（{len(stage.activities)} 项活动）",
                               gen=f"stage-intro:{stage.id}"))
        blocks.extend(tasks)
    page_props = ((cv.P_TYPE, ref(cv.TYPE_ANNUAL_PLAN)), (cv.P_YEAR, str(year)),
                  (cv.P_WORKFLOW, ref(workflow.name)))
    spec = PageSpec(title, page_props, tuple(blocks))
    return Scaffold(title, (page_file(spec, "annual-plan", config, fmt),),
                    sum(len(s.activities) for s in annual))
