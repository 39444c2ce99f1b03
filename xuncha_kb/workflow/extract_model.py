"""What ``workflow extract`` returns: the draft, its warnings, principles and match table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from xuncha_kb.model import JsonObject, Span
from xuncha_kb.workflow.model import Activity, DeadlineRule, Workflow

if TYPE_CHECKING:
    from xuncha_kb.workflow.match import Matched

# --- input and output ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractWarning:
    message: str
    stage: str | None = None
    span: Span | None = None

    def __str__(self) -> str:
        where = f"{self.span.file}:{self.span.line}: " if self.span else ""
        return f"{where}警告：{self.message}"

    def as_dict(self) -> JsonObject:
        return {"stage": self.stage, "message": self.message,
                "file": self.span.file if self.span else None,
                "line": self.span.line if self.span else None}


@dataclass(frozen=True, slots=True)
class Principle:
    """A rule on how an output is made (``一事一底稿``), read where the document states it;
    it belongs to the output of ``activity`` (the activity written before it)."""

    text: str
    activity: str | None
    stage: str
    span: Span | None = None

    def as_dict(self) -> JsonObject:
        return {"text": self.text, "activity": self.activity, "stage": self.stage,
                "line": self.span.line if self.span else None}


@dataclass(frozen=True, slots=True)
class Extraction:
    workflow: Workflow
    warnings: tuple[ExtractWarning, ...] = ()
    stated_stage_count: int | None = None
    match: Matched | None = None  # set by ``adopt.adopt_ids``: the ids of the definition in force
    principles: tuple[Principle, ...] = ()

    def as_dict(self) -> JsonObject:
        wf = self.workflow
        ms = {m.id: m.name for m in wf.milestones}
        stages = []
        deadlines = []
        for st in wf.stages:
            acts = []
            for a in st.activities:
                item: JsonObject = {"id": a.id, "name": a.name, "subitems": list(a.subitems),
                                        "line": a.span.line if a.span else None}
                if a.deadline:
                    item["deadline"] = _deadline_dict(a, a.deadline, ms)
                    deadlines.append(_deadline_dict(a, a.deadline, ms))
                acts.append(item)
            stages.append({"id": st.id, "name": st.name, "scope": st.scope,
                           "stated_count": st.stated_count, "count": len(st.activities),
                           "line": st.span.line if st.span else None, "activities": acts})
        return {"name": wf.name, "source": wf.source, "stated_stage_count": self.stated_stage_count,
                "stages": stages, "deadlines": deadlines,
                "milestones": [{"id": m.id, "name": m.name} for m in wf.milestones],
                "warnings": [w.as_dict() for w in self.warnings],
                "principles": [p.as_dict() for p in self.principles],
                "match": self.match.as_dict() if self.match is not None else None}


def _deadline_dict(a: Activity, rule: DeadlineRule, ms: dict[str, str]) -> JsonObject:
    return {"activity": a.id, "anchor": rule.anchor, "milestone": ms.get(rule.anchor),
            "offset": rule.offset, "kind": rule.kind, "source": rule.source, "text": rule.text,
            "line": rule.span.line if rule.span else None}
