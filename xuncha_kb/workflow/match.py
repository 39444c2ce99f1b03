"""Stable identity: an extracted draft gets the ids of the definition in force.

``match_ids(draft, reference)`` pairs each extracted stage with a reference stage by name,
then, inside each stage pair, each extracted activity with a reference activity by the
similarity of their names (character-bigram overlap of the normalised text, see
``similarity``).  Pairs are taken best first, each activity at most once, and only above
``THRESHOLD``; an activity never matches across stages.  Matched activities take the
reference id; the others get fresh ids after the highest number the reference stage uses, so
a dropped id is never handed to a different activity.  Dependencies, deadline anchors and
milestones are renamed along; milestones take the reference id of the same name.

The result carries the match table (``MatchRow``: matched / new / dropped, with the score and
a Chinese reason) shown by ``workflow extract``, and the old → new id mapping used elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from xuncha_kb.workflow.model import Activity, DeadlineRule, Milestone, Stage, Workflow

THRESHOLD = 0.4  # below this, two names are different activities
STAGE_THRESHOLD = 0.5
_POSITION_WEIGHT = 0.05  # tie-break: prefer the pair at the same relative place in its stage

MatchStatus = Literal["matched", "new", "dropped"]

_KEEP = re.compile(r"[\w]", re.UNICODE)


def normalise(text: str) -> str:
    """Width-folded, lower-cased letters, digits and CJK characters only."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if _KEEP.match(ch) and ch != "_")


def _bigrams(text: str) -> Counter[str]:
    if len(text) < 2:
        return Counter([text]) if text else Counter()
    return Counter(text[i:i + 2] for i in range(len(text) - 1))


def similarity(a: str, b: str) -> float:
    """0…1: the larger of the bigram Dice coefficient and 0.85 × the overlap coefficient
    (how much of the shorter name the longer one contains), on normalised text."""
    x, y = _bigrams(normalise(a)), _bigrams(normalise(b))
    if not x or not y:
        return 0.0
    common = sum((x & y).values())
    nx, ny = sum(x.values()), sum(y.values())
    dice = 2 * common / (nx + ny)
    overlap = common / min(nx, ny)
    return max(dice, 0.85 * overlap)


@dataclass(frozen=True, slots=True)
class MatchRow:
    status: MatchStatus
    id: str  # the id in the new definition (for "dropped": the reference id)
    stage: str  # stage id
    name: str  # extracted name (for "dropped": the reference name)
    ref_name: str | None = None
    score: float | None = None
    reason: str = ""
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "id": self.id, "stage": self.stage, "name": self.name,
                "ref_name": self.ref_name,
                "score": round(self.score, 3) if self.score is not None else None,
                "reason": self.reason, "line": self.line}


@dataclass(frozen=True, slots=True)
class Matched:
    workflow: Workflow
    rows: tuple[MatchRow, ...]
    mapping: Mapping[str, str]  # draft activity id → id in ``workflow``
    reference: str = ""  # where the reference definition came from

    @property
    def reused(self) -> int:
        return sum(1 for r in self.rows if r.status == "matched")

    @property
    def extracted(self) -> int:
        return sum(1 for r in self.rows if r.status != "dropped")

    @property
    def reused_share(self) -> float:
        n = self.extracted
        return self.reused / n if n else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "reused": self.reused, "extracted": self.extracted,
                "dropped": sum(1 for r in self.rows if r.status == "dropped"),
                "reused_share": round(self.reused_share, 3),
                "rows": [r.as_dict() for r in self.rows]}


def _pairs(left: Sequence[str], right: Sequence[str], threshold: float) -> dict[int, tuple[int, float]]:
    """Best-first one-to-one pairing of two name lists: left index → (right index, score)."""
    scored: list[tuple[float, float, int, int]] = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            s = similarity(a, b)
            if s < threshold:
                continue
            pos = 1.0 - abs(i / max(1, len(left) - 1) - j / max(1, len(right) - 1))
            scored.append((s + _POSITION_WEIGHT * pos, s, i, j))
    scored.sort(key=lambda t: (-t[0], t[2], t[3]))
    out: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for _, s, i, j in scored:
        if i in out or j in used:
            continue
        out[i] = (j, s)
        used.add(j)
    return out


def _number(activity_id: str) -> int:
    tail = activity_id.rsplit(".", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _fresh_stage_id(taken: set[str]) -> str:
    n = 1
    while f"s{n}" in taken:
        n += 1
    taken.add(f"s{n}")
    return f"s{n}"


def _stage_pairs(draft: Workflow, ref: Workflow) -> dict[int, int]:
    exact = {i: j for i, s in enumerate(draft.stages)
             for j, r in enumerate(ref.stages) if normalise(s.name) == normalise(r.name)}
    rest_l = [i for i in range(len(draft.stages)) if i not in exact]
    rest_r = [j for j in range(len(ref.stages)) if j not in exact.values()]
    fuzzy = _pairs([draft.stages[i].name for i in rest_l], [ref.stages[j].name for j in rest_r],
                   STAGE_THRESHOLD)
    return exact | {rest_l[i]: rest_r[j] for i, (j, _) in fuzzy.items()}


def _nearest(name: str, others: Sequence[Activity]) -> tuple[Activity | None, float]:
    best: tuple[Activity | None, float] = (None, 0.0)
    for o in others:
        s = similarity(name, o.name)
        if s > best[1]:
            best = (o, s)
    return best


def _match_stage(st: Stage, ref: Stage | None, stage_id: str, taken: set[str],
                 mapping: dict[str, str], rows: list[MatchRow]) -> None:
    """Fill ``mapping`` and ``rows`` for one extracted stage against its reference stage."""
    ref_acts = ref.activities if ref is not None else ()
    pairs = _pairs([a.name for a in st.activities], [a.name for a in ref_acts], THRESHOLD)
    next_no = max((_number(a.id) for a in ref_acts), default=0) + 1
    for i, a in enumerate(st.activities):
        line = a.span.line if a.span else None
        if i in pairs:
            j, score = pairs[i]
            r = ref_acts[j]
            mapping[a.id] = r.id
            same = normalise(a.name) == normalise(r.name)
            reason = "名称相同" if same else f"名称相近（相似度 {score:.2f}）"
            rows.append(MatchRow("matched", r.id, stage_id, a.name, r.name, score, reason, line))
            continue
        while f"{stage_id}.{next_no:02d}" in taken:
            next_no += 1
        new_id = f"{stage_id}.{next_no:02d}"
        taken.add(new_id)
        mapping[a.id] = new_id
        near, score = _nearest(a.name, ref_acts)
        if ref is None:
            reason = "现行定义中没有这个阶段"
        elif near is None:
            reason = "现行定义的该阶段中没有名称相近的活动"
        elif score >= THRESHOLD:
            reason = f"最接近的「{near.id} {near.name}」（相似度 {score:.2f}）已与更相近的活动配对"
        else:
            reason = f"最接近的「{near.id} {near.name}」相似度 {score:.2f}，低于 {THRESHOLD}"
        rows.append(MatchRow("new", new_id, stage_id, a.name, None, score or None, reason, line))
    used = set(mapping.values())
    for r in ref_acts:
        if r.id not in used:
            near, score = _nearest(r.name, st.activities)
            why = "新文档中没有对应的活动"
            if near is not None and score > 0:
                why += f"（最接近的「{near.name}」相似度 {score:.2f}）"
            rows.append(MatchRow("dropped", r.id, stage_id, r.name, None, score or None, why, None))


def _milestones(draft: Workflow, ref: Workflow, mapping: Mapping[str, str]) -> dict[str, Milestone]:
    """Draft milestone id → milestone with the reference id of the same name."""
    by_name = {normalise(m.name): m for m in ref.milestones}
    taken = {m.id for m in ref.milestones}
    out: dict[str, Milestone] = {}
    for m in draft.milestones:
        r = by_name.get(normalise(m.name))
        mid = r.id if r is not None else m.id
        n = len(taken) + 1
        while r is None and mid in taken:
            mid, n = f"m{n}", n + 1
        taken.add(mid)
        set_by = mapping.get(m.set_by, m.set_by) if m.set_by else None
        out[m.id] = Milestone(mid, m.name, set_by)
    return out


def _rename(a: Activity, new_id: str, mapping: Mapping[str, str], ms: Mapping[str, Milestone]) -> Activity:
    rule = a.deadline
    if rule is not None and rule.anchor in ms:
        rule = replace(rule, anchor=ms[rule.anchor].id)
    sets = a.sets_milestone
    if sets is not None and sets in ms:
        sets = ms[sets].id
    return replace(a, id=new_id, depends_on=tuple(mapping.get(d, d) for d in a.depends_on),
                   deadline=rule, sets_milestone=sets)


def match_ids(draft: Workflow, reference: Workflow, *, origin: str = "") -> Matched:
    """The draft with the reference's ids where activities are the same (see module doc)."""
    stage_pairs = _stage_pairs(draft, reference)
    taken = {s.id for s in reference.stages} | {a.id for _, a in reference.activities()}
    stage_ids: list[str] = []
    mapping: dict[str, str] = {}
    rows: list[MatchRow] = []
    for i, st in enumerate(draft.stages):
        ref = reference.stages[stage_pairs[i]] if i in stage_pairs else None
        sid = ref.id if ref is not None else _fresh_stage_id(taken)
        stage_ids.append(sid)
        _match_stage(st, ref, sid, taken, mapping, rows)
    for j, ref_st in enumerate(reference.stages):
        if j not in stage_pairs.values():
            rows += [MatchRow("dropped", a.id, ref_st.id, a.name, None, None,
                              "新文档中没有这个阶段", None) for a in ref_st.activities]
    ms = _milestones(draft, reference, mapping)
    stages = tuple(replace(st, id=sid, activities=tuple(
        _rename(a, mapping[a.id], mapping, ms) for a in st.activities))
        for st, sid in zip(draft.stages, stage_ids, strict=True))
    wf = replace(draft, id=reference.id, stages=stages, milestones=tuple(ms.values()))
    return Matched(wf, tuple(rows), mapping, origin)


def deadline_of(rule: DeadlineRule | None) -> tuple[str, str, str] | None:
    """A deadline as a comparable triple (anchor, offset, kind)."""
    return (rule.anchor, rule.offset, rule.kind) if rule is not None else None
