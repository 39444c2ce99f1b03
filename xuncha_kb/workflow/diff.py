"""Two workflow definitions → what changed, activity by activity (``workflow diff``).

Activities are compared by id (ids are stable: ``match.py`` gives an extracted definition the
ids of the one in force).  An activity is *added* or *removed* when its id is on one side only;
*renamed* when its name changed; *moved* when it is in another stage; *re-ordered* when it
kept its stage but not its place among the activities both sides share (the activities off
the longest common order of the stage); and its *deadline changed* when the anchor
milestone's name, the offset or the kind differs.  Pure: definitions in, dataclass out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from xuncha_kb.model import JsonObject
from xuncha_kb.workflow import syntax as syn
from xuncha_kb.workflow.model import Activity, DeadlineRule, Stage, Workflow


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # added / removed / renamed / moved / reordered / deadline
    id: str
    name: str
    before: str | None = None
    after: str | None = None

    def as_dict(self) -> JsonObject:
        return {"id": self.id, "name": self.name, "before": self.before, "after": self.after}


KINDS = ("added", "removed", "renamed", "moved", "reordered", "deadline")
_TITLES = {"added": "新增", "removed": "删除", "renamed": "改名", "moved": "移到其他阶段",
           "reordered": "调整顺序", "deadline": "期限变更"}
_SIGNS = {"added": "+", "removed": "-", "renamed": "~", "moved": ">", "reordered": "↕", "deadline": "!"}


@dataclass(frozen=True)
class WorkflowDiff:
    old: str
    new: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def as_dict(self) -> JsonObject:
        return {"old": self.old, "new": self.new, "changed": bool(self.changes),
                **{k: [c.as_dict() for c in self.of(k)] for k in KINDS}}

    def render(self, as_json: bool) -> str:
        if as_json:
            return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"
        out = [f"工作流程差异：{self.old} → {self.new}"]
        if not self.changes:
            out.append("两份定义的活动、顺序和期限相同，没有差异。")
        for k in KINDS:
            items = self.of(k)
            if not items:
                continue
            out.append(f"{_TITLES[k]} {len(items)} 项：")
            for c in items:
                out.append(f"  {_SIGNS[k]} {c.id} {_line(k, c)}")
        return "\n".join(out) + "\n"


def _line(kind: str, c: Change) -> str:
    if kind == "added":
        return f"{c.name}（{c.after}）"
    if kind == "removed":
        return f"{c.name}（{c.before}）"
    if kind == "renamed":
        return f"{c.before} → {c.after}"
    return f"{c.name}：{c.before} → {c.after}"


def _deadline_text(wf: Workflow, rule: DeadlineRule | None) -> str:
    if rule is None:
        return "无期限"
    ms = wf.milestone(rule.anchor)
    return f"{ms.name if ms else rule.anchor} {syn.offset_text(rule.offset)}（{syn.KIND_TEXT[rule.kind]}）"


def _deadline_key(wf: Workflow, rule: DeadlineRule | None) -> tuple[str, str, str] | None:
    if rule is None:
        return None
    ms = wf.milestone(rule.anchor)
    return (ms.name if ms else rule.anchor, rule.offset, rule.kind)


def _off_common_order(old: Stage, new: Stage) -> set[str]:
    """Ids shared by both stages that are not on their longest common order."""
    new_ids = [a.id for a in new.activities]
    shared = [a.id for a in old.activities if a.id in set(new_ids)]
    seq = [new_ids.index(i) for i in shared]
    # longest increasing subsequence of new positions, in old order (O(n²), stages are short)
    best: list[list[int]] = []
    for k, pos in enumerate(seq):
        prev = [best[j] for j in range(k) if seq[j] < pos]
        longest: list[int] = max(prev, key=lambda x: len(x), default=[])
        best.append([*longest, k])
    chain: list[int] = max(best, key=lambda x: len(x), default=[])
    keep = set(chain)
    return {shared[k] for k in range(len(shared)) if k not in keep}


def diff_workflows(old: Workflow, new: Workflow, *, old_name: str = "旧定义",
                   new_name: str = "新定义") -> WorkflowDiff:
    """What changed from ``old`` to ``new`` (see module doc)."""
    o = {a.id: (s, a) for s, a in old.activities()}
    n = {a.id: (s, a) for s, a in new.activities()}
    changes: list[Change] = []

    def stage_text(st: Stage) -> str:
        return f"阶段「{st.name}」"

    for aid, (st, a) in n.items():
        if aid not in o:
            changes.append(Change("added", aid, a.name, None, stage_text(st)))
    for aid, (st, a) in o.items():
        if aid not in n:
            changes.append(Change("removed", aid, a.name, stage_text(st), None))
    reordered: set[str] = set()
    for ns in new.stages:
        os_ = next((s for s in old.stages if s.id == ns.id), None)
        if os_ is not None:
            reordered |= _off_common_order(os_, ns)
    for aid, (nst, na) in n.items():
        if aid in o:
            changes += _changes(old, new, o[aid], (nst, na), aid in reordered)
    order = {k: i for i, k in enumerate(KINDS)}
    return WorkflowDiff(old_name, new_name, tuple(sorted(changes, key=lambda c: order[c.kind])))


def _position(st: Stage, a: Activity) -> str:
    return f"第 {[x.id for x in st.activities].index(a.id) + 1} 项"


def _changes(old: Workflow, new: Workflow, before: tuple[Stage, Activity], after: tuple[Stage, Activity],
             reordered: bool) -> list[Change]:
    (ost, oa), (nst, na) = before, after
    out: list[Change] = []
    if oa.name != na.name:
        out.append(Change("renamed", na.id, na.name, oa.name, na.name))
    if ost.id != nst.id:
        out.append(Change("moved", na.id, na.name, f"阶段「{ost.name}」", f"阶段「{nst.name}」"))
    elif reordered:
        out.append(Change("reordered", na.id, na.name, _position(ost, oa), _position(nst, na)))
    if _deadline_key(old, oa.deadline) != _deadline_key(new, na.deadline):
        out.append(Change("deadline", na.id, na.name, _deadline_text(old, oa.deadline),
                          _deadline_text(new, na.deadline)))
    return out
