"""The workflow definition: stages of activities, roles, milestones and deadline rules.

Built by ``workflow.load`` (from the project's definition format) or ``workflow.extract``
(from a document such as the seed whiteboard); validated as a DAG by ``workflow.dag``.
Everything downstream (scaffold, progress, sync) reads only these dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from xuncha_kb.model import Span

StageScope = Literal["annual", "per_inspection"]
RuleKind = Literal["hard", "soft"]


@dataclass(frozen=True, slots=True)
class Role:
    id: str  # stable ASCII id, e.g. "xunchaban"
    name: str  # 巡察办
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Milestone:
    """A dated event of one inspection, recorded on its overview page (e.g. 进驻日)."""

    id: str  # "entry_date"
    name: str  # "进驻日" — also the overview page's property key
    set_by: str | None = None  # activity id that produces this date


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """``anchor`` milestone + ``offset`` (ISO-8601 duration, may be negative: "-P10D")."""

    anchor: str  # milestone id
    offset: str  # "P3M", "P45D", "-P10D"
    kind: RuleKind = "hard"
    source: str = "default"  # "seed", "default", "ext:E5", …
    text: str | None = None  # the sentence it came from, if extracted
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Artifact:
    id: str
    name: str  # 巡察工作方案
    sensitive: bool = False
    rules: tuple[str, ...] = ()  # how it is made: "一事一底稿", "成熟一个编制一个"


@dataclass(frozen=True, slots=True)
class Activity:
    id: str  # stable, e.g. "prep.01"
    name: str  # the workflow's wording
    actor: str | None = None  # role id
    produces: tuple[str, ...] = ()  # artifact ids
    depends_on: tuple[str, ...] = ()  # activity ids
    deadline: DeadlineRule | None = None
    subitems: tuple[str, ...] = ()  # e.g. 问题清单 / 提问清单 / 谈话提纲 under prep.11
    sets_milestone: str | None = None  # milestone id
    sensitive: bool = False
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    id: str  # "prep"
    name: str  # 巡察准备
    activities: tuple[Activity, ...] = ()
    scope: StageScope = "per_inspection"
    stated_count: int | None = None  # "一共是十三项活动内容" → 13
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Workflow:
    id: str
    name: str
    stages: tuple[Stage, ...] = ()
    roles: tuple[Role, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    source: str | None = None  # file it was loaded from

    def activities(self) -> Iterator[tuple[Stage, Activity]]:
        for s in self.stages:
            for a in s.activities:
                yield s, a

    def activity(self, activity_id: str) -> Activity | None:
        for _, a in self.activities():
            if a.id == activity_id:
                return a
        return None

    def stage_of(self, activity_id: str) -> Stage | None:
        for s, a in self.activities():
            if a.id == activity_id:
                return s
        return None

    def role(self, role_id: str | None) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def artifact(self, artifact_id: str) -> Artifact | None:
        return next((a for a in self.artifacts if a.id == artifact_id), None)

    def per_inspection_stages(self) -> tuple[Stage, ...]:
        return tuple(s for s in self.stages if s.scope == "per_inspection")


ProblemKind = Literal[
    "syntax", "missing", "duplicate", "unknown", "cycle", "unreachable", "scope", "count",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about a definition.  ``kind`` is stable (tests and tools use it)."""

    kind: ProblemKind
    message: str  # Chinese, for the user
    span: Span | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.span.file}:{self.span.line}: " if self.span else ""
        label = "错误" if self.severity == "error" else "警告"
        return f"{where}{label}：{self.message}"
