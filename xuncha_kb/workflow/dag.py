"""The workflow as a dependency graph: validation, order, critical path.

networkx is imported inside the functions (it is slow to import).  An edge ``a → b`` means
"b depends on a" (``b.depends_on`` contains ``a``).

Rules checked by ``validate``:

* every ``depends_on`` id, actor, artifact, milestone ``set_by`` and deadline anchor exists;
* ids are unique (stages, activities; roles/milestones/artifacts with ``catalogues=True``);
* no cycles (the message names the cycle: ``a → b → a``);
* every activity is reachable from a start — the first activity of the first stage, or the
  first activity of the first per-inspection stage (so a workflow need not start with an
  annual plan);
* an annual activity never depends on a per-inspection one (a yearly plan cannot wait for
  one inspection); the reverse is allowed and means "uses the year's plan";
* a stage's stated count (``活动数::``) that differs from its activities is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xuncha_kb.model import Span
from xuncha_kb.workflow.model import Activity, Problem, Stage, StageScope, Workflow


def _problem(kind: Any, message: str, span: Span | None, severity: Any = "error") -> Problem:
    return Problem(kind, message, span, severity)


def build_graph(wf: Workflow) -> Any:
    """A ``networkx.DiGraph`` of activity ids (edges prerequisite → dependant; unknown ids skipped)."""
    import networkx as nx

    g = nx.DiGraph()
    ids = set()
    for st, act in wf.activities():
        g.add_node(act.id, stage=st.id, scope=st.scope)
        ids.add(act.id)
    for _, act in wf.activities():
        for dep in act.depends_on:
            if dep in ids:
                g.add_edge(dep, act.id)
    return g


def starts(wf: Workflow) -> list[str]:
    """The activities a workflow may start from (see module doc)."""
    out: list[str] = []
    first = next((s for s in wf.stages if s.activities), None)
    if first is not None:
        out.append(first.activities[0].id)
    per = next((s for s in wf.stages if s.activities and s.scope == "per_inspection"), None)
    if per is not None and per.activities[0].id not in out:
        out.append(per.activities[0].id)
    return out


def _duplicates(items: Iterable[tuple[str, Span | None]], what: str) -> list[Problem]:
    seen: dict[str, Span | None] = {}
    out = []
    for ident, span in items:
        if ident in seen:
            first = seen[ident]
            where = f"（第一次出现在第 {first.line} 行）" if first is not None else ""
            out.append(_problem("duplicate", f"{what} id 重复：{ident}{where}", span))
        else:
            seen[ident] = span
    return out


def validate(wf: Workflow, *, catalogues: bool = True) -> list[Problem]:
    """All problems of a built workflow, in a stable order (errors and warnings)."""
    problems: list[Problem] = []
    problems += _duplicates(((s.id, s.span) for s in wf.stages), "阶段")
    problems += _duplicates(((a.id, a.span) for _, a in wf.activities()), "活动")
    if catalogues:
        problems += _duplicates(((r.id, None) for r in wf.roles), "角色")
        problems += _duplicates(((m.id, None) for m in wf.milestones), "里程碑")
        problems += _duplicates(((a.id, None) for a in wf.artifacts), "产出")
    ids = {a.id: (s, a) for s, a in wf.activities()}
    problems += _reference_problems(wf, ids)
    for m in wf.milestones if catalogues else ():  # the loader checks these with their lines
        if m.set_by is not None and m.set_by not in ids:
            problems.append(_problem("unknown", f"里程碑「{m.name}」的设定活动 {m.set_by} 不存在",
                                     Span(wf.source, 1) if wf.source else None))
    problems += _graph_problems(wf, ids)
    for st in wf.stages:
        problems += _count_warning(st)
    return problems


def _reference_problems(wf: Workflow, ids: dict[str, tuple[Stage, Activity]]) -> list[Problem]:
    """Each activity's references: predecessors (and their scope), role, artifacts, milestones."""
    problems: list[Problem] = []
    role_ids = {r.id for r in wf.roles}
    art_ids = {a.id for a in wf.artifacts}
    ms_ids = {m.id for m in wf.milestones}
    for st, act in wf.activities():
        for dep in act.depends_on:
            if dep not in ids:
                problems.append(_problem("unknown", f"活动 {act.id} 的前置活动 {dep} 不存在", act.span))
            elif st.scope == "annual" and ids[dep][0].scope == "per_inspection":
                problems.append(_problem(
                    "scope", f"年度活动 {act.id} 不能依赖每次巡察的活动 {dep}（年度计划不随单次巡察进行）",
                    act.span))
        if act.actor is not None and act.actor not in role_ids:
            problems.append(_problem("unknown", f"活动 {act.id} 的责任角色 {act.actor} 未定义", act.span))
        for art in act.produces:
            if art not in art_ids:
                problems.append(_problem("unknown", f"活动 {act.id} 的产出 {art} 未定义", act.span))
        if act.deadline is not None and act.deadline.anchor not in ms_ids:
            problems.append(_problem(
                "unknown", f"活动 {act.id} 的期限起点里程碑 {act.deadline.anchor} 未定义",
                act.deadline.span or act.span))
        if act.sets_milestone is not None and act.sets_milestone not in ms_ids:
            problems.append(_problem("unknown", f"活动 {act.id} 设定的里程碑 {act.sets_milestone} 未定义",
                                     act.span))
    return problems


def _graph_problems(wf: Workflow, ids: dict[str, tuple[Stage, Activity]]) -> list[Problem]:
    """Cycles among the predecessors, then activities no start reaches (outside a cycle).

    A sound graph (the usual case, checked on every report) is recognised without networkx,
    whose import alone costs more than the rest of a warm report's workflow step."""
    return [] if is_sound(wf) else _diagnose(wf, ids)


def is_sound(wf: Workflow) -> bool:
    """No cycle among the predecessors and every activity reachable from a start: exactly
    when :func:`_diagnose` finds nothing (a test holds the two together)."""
    from graphlib import CycleError, TopologicalSorter

    ids = {act.id for _, act in wf.activities()}
    before: dict[str, set[str]] = {i: set() for i in ids}
    after: dict[str, set[str]] = {i: set() for i in ids}
    for _, act in wf.activities():
        for dep in act.depends_on:
            if dep in ids:
                before[act.id].add(dep)
                after[dep].add(act.id)
    try:
        TopologicalSorter(before).prepare()
    except CycleError:
        return False
    seen = set(starts(wf))
    todo = list(seen)
    while todo:
        for nxt in after[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen >= after.keys()


def _diagnose(wf: Workflow, ids: dict[str, tuple[Stage, Activity]]) -> list[Problem]:
    """The cycles and the unreachable activities, each with its message (networkx)."""
    import networkx as nx

    problems: list[Problem] = []
    g = build_graph(wf)
    cyclic: set[str] = set()
    for comp in nx.strongly_connected_components(g):
        if len(comp) == 1:
            (node,) = comp
            if not g.has_edge(node, node):
                continue
        cycle = nx.find_cycle(g.subgraph(comp))
        path = [u for u, _ in cycle] + [cycle[0][0]]
        cyclic |= set(comp)
        first = min(comp, key=lambda n: _order(wf, n))
        span = ids[first][1].span
        problems.append(_problem("cycle", "前置关系有循环：" + " → ".join(path), span))

    reach: set[str] = set()
    for s in starts(wf):
        reach |= {s} | nx.descendants(g, s)
    for _, act in wf.activities():
        if act.id not in reach and act.id not in cyclic:
            problems.append(_problem(
                "unreachable",
                f"活动 {act.id}「{act.name}」从流程起点无法到达：请为它填写 `前置::`",
                act.span))
    return problems


def _order(wf: Workflow, activity_id: str) -> int:
    for i, (_, a) in enumerate(wf.activities()):
        if a.id == activity_id:
            return i
    return 1 << 30


def _count_warning(st: Stage) -> list[Problem]:
    if st.stated_count is None or st.stated_count == len(st.activities):
        return []
    return [_problem(
        "count", f"阶段「{st.name}」写明有 {st.stated_count} 项活动，实际有 {len(st.activities)} 项",
        st.span, "warning")]


def topological_order(wf: Workflow) -> list[str]:
    """Activity ids in dependency order, ties broken by document order."""
    import networkx as nx

    g = build_graph(wf)
    return list(nx.lexicographical_topological_sort(g, key=lambda n: _order(wf, n)))


def critical_path(wf: Workflow, scope: StageScope | None = "per_inspection") -> list[str]:
    """The longest chain of dependent activities (each activity counts 1), within ``scope``.

    With no durations in the definition, the critical path is the longest sequence of
    activities that must happen one after another; ``scope=None`` uses the whole workflow.
    """
    import networkx as nx

    g = build_graph(wf)
    if scope is not None:
        g = g.subgraph([n for n, d in g.nodes(data=True) if d["scope"] == scope])
    if g.number_of_nodes() == 0 or not nx.is_directed_acyclic_graph(g):
        return []
    return list(nx.dag_longest_path(g, topo_order=nx.lexicographical_topological_sort(
        g, key=lambda n: _order(wf, n))))
