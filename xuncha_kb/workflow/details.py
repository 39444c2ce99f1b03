"""Who does each extracted activity, what it produces, which dates it sets.

Run after ``match.py`` (the draft already carries the ids of the definition in force); the
reference definition supplies the office's vocabulary — its roles with their aliases, its
artifacts, its milestones — and this module reads each activity's sentence against it:

* *actor*: the role named at the start of the sentence (``巡察办修改后…``, ``被巡单位提交…``;
  the longest name or alias wins).  A sentence without one keeps the actor of the matched
  activity of the definition in force; an unmatched activity without one takes the actor of
  the activity before it, and that guess is a warning with the source line.
* *outputs*: the object of a making verb (形成, 制定, 拟定, 撰写, 起草 …) ending in an output
  word (方案, 报告, 清单, 台账 …), taken as the reference artifact of the closest name or as a
  new artifact; a group term (``三项清单``) produces the activity's sub-items.
* *milestones*: a milestone of the definition in force whose setting activity was matched is
  kept on it; otherwise the activity whose sentence starts or ends with the milestone's event
  (the milestone name without ``日``) sets it; a milestone no activity sets is a warning.
* *deadlines*: a matched activity without a deadline in the document keeps the reference's
  configurable (soft) deadline; a hard one is only ever read from the document.
* *principles* (``extract_model.Principle``) become rules of the output of the activity they
  follow; a principle with no output to hold it is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from xuncha_kb.workflow.extract_model import ExtractWarning, Principle
from xuncha_kb.workflow.match import normalise, similarity
from xuncha_kb.workflow.model import Activity, Artifact, Milestone, Role, Stage, Workflow

_OUTPUT_WORDS = ("方案", "报告", "清单", "台账", "初稿", "送审稿", "材料", "资料", "承诺书", "计划",
                 "底稿", "提纲", "记录", "名单", "意见")
_MAKE = re.compile(r"(?:形成|制定|拟定|撰写|起草|准备|编制|制作|签订|提交|报送|建立)"
                   r"(?P<obj>[^，,；;、并]{2,30}(?:" + "|".join(_OUTPUT_WORDS) + "))")
_GROUP = re.compile(r"^[一二两三四五六七八九十\d]+[项份个类]")
_SUBJECT_OPEN = ("由",)
_ARTIFACT_SIMILAR = 0.6  # with the same output word at the end


def _output_word(name: str) -> str:
    return next((w for w in sorted(_OUTPUT_WORDS, key=len, reverse=True) if name.endswith(w)), "")


@dataclass
class _State:
    ref: Workflow
    warnings: list[ExtractWarning] = field(default_factory=list)
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)


def _role_names(ref: Workflow) -> list[tuple[str, Role]]:
    names = [(n, r) for r in ref.roles for n in (r.name, *r.aliases) if n]
    return sorted(names, key=lambda t: -len(t[0]))


def stated_actor(name: str, ref: Workflow) -> Role | None:
    """The role a sentence opens with, if any."""
    text = name.strip()
    for w in _SUBJECT_OPEN:
        text = text.removeprefix(w)
    return next((r for n, r in _role_names(ref) if text.startswith(n)), None)


def _actor(st: _State, stage: Stage, a: Activity, prev: str | None) -> str | None:
    role = stated_actor(a.name, st.ref)
    if role is not None:
        st.roles.setdefault(role.id, role)
        return role.id
    known = st.ref.activity(a.id)
    if known is not None and known.actor is not None and st.ref.role(known.actor) is not None:
        st.roles.setdefault(known.actor, st.ref.role(known.actor))  # type: ignore[arg-type]
        return known.actor
    guess = prev or next((r.id for r in st.ref.roles), None)
    if guess is not None:
        role_name = st.ref.role(guess).name if st.ref.role(guess) else guess  # type: ignore[union-attr]
        st.warnings.append(ExtractWarning(
            f"「{a.name}」未写明由谁负责，暂定为「{role_name}」（沿用上一项活动）；请核对",
            stage.name, a.span))
    return guess


def _artifact_for(st: _State, obj: str) -> str:
    word = _output_word(obj)
    alike = [x for x in st.ref.artifacts if _output_word(x.name) == word]
    best = max(alike, key=lambda x: similarity(obj, x.name), default=None)
    if best is not None and similarity(obj, best.name) >= _ARTIFACT_SIMILAR:
        st.artifacts.setdefault(best.id, best)
        return best.id
    for art in st.artifacts.values():
        if normalise(art.name) == normalise(obj):
            return art.id
    taken = {x.id for x in st.ref.artifacts} | set(st.artifacts)
    n = 1
    while f"out.{n:02d}" in taken:
        n += 1
    art = Artifact(f"out.{n:02d}", obj)
    st.artifacts[art.id] = art
    return art.id


def _outputs(st: _State, a: Activity) -> tuple[str, ...]:
    out: list[str] = []
    for m in _MAKE.finditer(a.name):
        obj = m.group("obj").strip()
        if _GROUP.match(obj) and a.subitems:
            out += [_artifact_for(st, s) for s in a.subitems]
        else:
            out.append(_artifact_for(st, obj))
    return tuple(dict.fromkeys(out))


def _event_of(milestone: Milestone) -> str:
    return normalise(milestone.name.removesuffix("日"))


def _sets(name: str, event: str, ref: Workflow) -> bool:
    role = stated_actor(name, ref)
    text = normalise(name)
    if role is not None:
        text = text.removeprefix(normalise(role.name))
    return bool(event) and (text.startswith(event) or text.endswith(event))


def _milestones(st: _State, wf: Workflow) -> tuple[list[Milestone], dict[str, str]]:
    """The milestones (reference order first) and activity id → milestone id it sets."""
    acts = [a for _, a in wf.activities()]
    ids = {a.id for a in acts}
    wanted = {m.id: m for m in wf.milestones}
    for m in st.ref.milestones:
        if m.set_by in ids or m.id in wanted:
            wanted.setdefault(m.id, m)
    ordered = [m for m in st.ref.milestones if m.id in wanted]
    ordered += [m for m in wanted.values() if st.ref.milestone(m.id) is None]
    out: list[Milestone] = []
    sets: dict[str, str] = {}
    for m in ordered:
        ref_m = st.ref.milestone(m.id)
        setter = ref_m.set_by if ref_m is not None and ref_m.set_by in ids else None
        if setter is None:
            event = _event_of(m)
            setter = next((a.id for a in acts if a.id not in sets and _sets(a.name, event, st.ref)), None)
        if setter is None:
            st.warnings.append(ExtractWarning(
                f"里程碑「{m.name}」没有设定它的活动；请在定义中写明 `设定活动::`"))
        else:
            sets.setdefault(setter, m.id)
        out.append(Milestone(m.id, m.name, setter))
    return out, sets


def _principles(st: _State, wf: Workflow, principles: Sequence[Principle]) -> None:
    for p in principles:
        act = wf.activity(p.activity) if p.activity else None
        if act is None or not act.produces:
            st.warnings.append(ExtractWarning(
                f"原则「{p.text}」找不到它所规范的产出，未写入定义；请核对", None, p.span))
            continue
        art = st.artifacts[act.produces[0]]
        if p.text not in art.rules:
            st.artifacts[art.id] = replace(art, rules=(*art.rules, p.text))


def _kept_soft_deadlines(wf: Workflow, ref: Workflow) -> Workflow:
    """A matched activity the document gives no deadline keeps the reference's configurable
    (soft) one, when its anchor milestone is in the new definition too."""
    anchors = {m.id for m in wf.milestones}

    def kept(a: Activity) -> Activity:
        known = ref.activity(a.id)
        rule = known.deadline if known is not None else None
        if a.deadline is None and rule is not None and rule.kind == "soft" and rule.anchor in anchors:
            return replace(a, deadline=rule)
        return a

    return replace(wf, stages=tuple(replace(s, activities=tuple(kept(a) for a in s.activities))
                                    for s in wf.stages))


def read_details(wf: Workflow, ref: Workflow, principles: Sequence[Principle] = ()
                 ) -> tuple[Workflow, list[ExtractWarning]]:
    """Actors, outputs, milestones and principle rules of an id-matched draft (module doc)."""
    st = _State(ref)
    stages: list[Stage] = []
    for stage in wf.stages:
        prev: str | None = None
        acts: list[Activity] = []
        for a in stage.activities:
            actor = _actor(st, stage, a, prev)
            acts.append(replace(a, actor=actor, produces=_outputs(st, a)))
            prev = actor
        stages.append(replace(stage, activities=tuple(acts)))
    wf = replace(wf, stages=tuple(stages))
    milestones, sets = _milestones(st, wf)
    wf = replace(wf, milestones=tuple(milestones), stages=tuple(
        replace(s, activities=tuple(replace(a, sets_milestone=sets.get(a.id)) for a in s.activities))
        for s in wf.stages))
    wf = _kept_soft_deadlines(wf, ref)
    _principles(st, wf, principles)
    used = {r for _, a in wf.activities() if a.actor for r in [a.actor]}
    roles = tuple(r for r in ref.roles if r.id in used)
    arts = tuple(a for a in (st.artifacts.get(x.id) for x in ref.artifacts) if a is not None)
    arts += tuple(a for i, a in st.artifacts.items() if ref.artifact(i) is None)
    return replace(wf, roles=roles, artifacts=arts), st.warnings
