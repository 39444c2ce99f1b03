"""Workflow → what ``workflow show`` prints: a Chinese tree, or a JSON document.

Pure functions returning strings / dicts; the CLI echoes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xuncha_kb.model import JsonObject
from xuncha_kb.workflow import dag
from xuncha_kb.workflow import syntax as syn
from xuncha_kb.workflow.match import Matched
from xuncha_kb.workflow.model import Activity, DeadlineRule, StageScope, Workflow

if TYPE_CHECKING:
    from xuncha_kb.workflow.extract_model import Extraction


def _deadline_text(wf: Workflow, rule: DeadlineRule) -> str:
    ms = wf.milestone(rule.anchor)
    anchor = ms.name if ms else rule.anchor
    origin = "来自流程文件" if rule.source == "seed" else f"可配置默认，{rule.source}"
    return f"{anchor} {syn.offset_text(rule.offset)}（{syn.KIND_TEXT[rule.kind]}；{origin}）"


def _actor(wf: Workflow, act: Activity) -> str:
    role = wf.role(act.actor)
    return role.name if role else (act.actor or "未指定")


def _details(wf: Workflow, act: Activity) -> list[str]:
    """An activity's detail lines: predecessors, artifacts, the milestone it sets, deadline."""
    details = []
    if act.depends_on:
        details.append("前置：" + "、".join(act.depends_on))
    if act.produces:
        names = [art.name if (art := wf.artifact(a)) else a for a in act.produces]
        details.append("产出：" + "、".join(names))
    if act.sets_milestone:
        ms = wf.milestone(act.sets_milestone)
        details.append("设定里程碑：" + (ms.name if ms else act.sets_milestone))
    if act.deadline:
        details.append("期限：" + _deadline_text(wf, act.deadline))
    return details


def render_tree(wf: Workflow, *, origin: str) -> str:
    """The active definition as a tree with counts, ids, actors, deadlines and critical path."""
    acts = list(wf.activities())
    out = [
        f"工作流程：{wf.name}（{wf.id}）",
        f"来源：{origin}",
        f"{len(wf.stages)} 个阶段，{len(acts)} 项活动；{len(wf.roles)} 个角色，"
        f"{len(wf.milestones)} 个里程碑，{len(wf.artifacts)} 项产出",
    ]
    for si, st in enumerate(wf.stages):
        last_stage = si == len(wf.stages) - 1
        stated = ""
        if st.stated_count is not None:
            mark = "一致" if st.stated_count == len(st.activities) else "不一致"
            stated = f"（文中写明 {st.stated_count} 项，{mark}）"
        out.append(f"{'└── ' if last_stage else '├── '}{st.name} [{st.id}] "
                   f"{syn.SCOPE_TEXT[st.scope]} · {len(st.activities)} 项{stated}")
        pad = "    " if last_stage else "│   "
        for ai, act in enumerate(st.activities):
            last = ai == len(st.activities) - 1
            branch = "└── " if last else "├── "
            line = f"{pad}{branch}{act.id} {act.name} —— {_actor(wf, act)}"
            if act.sensitive:
                line += " 〔敏感〕"
            out.append(line)
            inner = pad + ("    " if last else "│   ")
            for d in _details(wf, act):
                out.append(f"{inner}· {d}")
            for sub in act.subitems:
                out.append(f"{inner}- {sub}")
    scopes: tuple[tuple[StageScope, str], ...] = (("per_inspection", "每次巡察"), ("annual", "年度"))
    for scope, label in scopes:
        path = dag.critical_path(wf, scope)
        if path:
            out.append(f"关键路径（{label}，{len(path)} 项）：" + " → ".join(path))
    return "\n".join(out) + "\n"


def workflow_dict(wf: Workflow, *, origin: str | None = None) -> JsonObject:
    """A JSON-ready view of the whole definition (ids, names, rules, critical paths)."""

    def rule(r: DeadlineRule | None) -> JsonObject | None:
        if r is None:
            return None
        ms = wf.milestone(r.anchor)
        return {"anchor": r.anchor, "milestone": ms.name if ms else None, "offset": r.offset,
                "kind": r.kind, "source": r.source, "text": r.text}

    return {
        "id": wf.id,
        "name": wf.name,
        "source": wf.source,
        "origin": origin,
        "roles": [{"id": r.id, "name": r.name, "aliases": list(r.aliases)} for r in wf.roles],
        "milestones": [{"id": m.id, "name": m.name, "set_by": m.set_by} for m in wf.milestones],
        "artifacts": [{"id": a.id, "name": a.name, "sensitive": a.sensitive} for a in wf.artifacts],
        "stages": [
            {"id": s.id, "name": s.name, "scope": s.scope, "stated_count": s.stated_count,
             "count": len(s.activities),
             "activities": [
                 {"id": a.id, "name": a.name, "actor": a.actor, "produces": list(a.produces),
                  "depends_on": list(a.depends_on), "deadline": rule(a.deadline),
                  "subitems": list(a.subitems), "sets_milestone": a.sets_milestone,
                  "sensitive": a.sensitive, "line": a.span.line if a.span else None}
                 for a in s.activities
             ]}
            for s in wf.stages
        ],
        "critical_path": {
            "per_inspection": dag.critical_path(wf, "per_inspection"),
            "annual": dag.critical_path(wf, "annual"),
        },
    }


def render_extraction(ex: Extraction) -> str:
    """A short Chinese summary of an extraction (``workflow extract`` without ``--json``)."""
    wf = ex.workflow
    out = [f"从 {wf.source} 提取：{wf.name}，{len(wf.stages)} 个阶段"]
    for st in wf.stages:
        stated = f"，文中写明 {st.stated_count} 项" if st.stated_count is not None else ""
        out.append(f"{st.id} {st.name}（{syn.SCOPE_TEXT[st.scope]}）：{len(st.activities)} 项{stated}")
        for a in st.activities:
            out.append(f"  {a.id} {a.name}")
            for sub in a.subitems:
                out.append(f"      - {sub}")
            if a.deadline:
                out.append(f"      期限：{_deadline_text(wf, a.deadline)}")
    if ex.match is not None:
        out += match_table(ex.match)
    for w in ex.warnings:
        out.append(str(w))
    return "\n".join(out) + "\n"


_STATUS_TEXT = {"matched": "沿用", "new": "新增", "dropped": "删除"}


def match_table(m: Matched) -> list[str]:
    """The match table of an extraction: which activities keep the ids of the definition in
    force, which are new, which the new document no longer has — each with its reason."""
    out = [f"活动编号对照（对照{m.reference or '现行定义'}）：沿用 {m.reused}/{m.extracted} 项"
           f"（{m.reused_share:.0%}），新增 {m.extracted - m.reused} 项，删除 "
           f"{sum(1 for r in m.rows if r.status == 'dropped')} 项"]
    for r in m.rows:
        ref = f" ← {r.ref_name}" if r.ref_name and r.ref_name != r.name else ""
        out.append(f"  {_STATUS_TEXT[r.status]} {r.id} {r.name}{ref}：{r.reason}")
    return out
