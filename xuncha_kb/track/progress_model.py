"""The Progress value: where every inspection stands, as ``track.progress`` computes it and
``report/`` and ``live/`` read it.

Frozen dataclasses only (statuses, deadlines, activities, stages, problems, inspections) and
the marker → status rule; nothing here reads the graph.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from xuncha_kb.model import ACTIVE_MARKERS, CANCELLED_MARKERS, DONE_MARKERS, WAITING_MARKERS, Span
from xuncha_kb.track.deadlines import Colour, Thresholds
from xuncha_kb.track.ledgers import Ledgers

Status = Literal["not_started", "in_progress", "done", "cancelled", "waiting"]
"""An activity's state, as an id; its Chinese label is ``report.labels.STATUS_LABEL``."""

StageStatus = Literal["not_started", "in_progress", "done"]
"""A stage's state, as an id; its Chinese label is ``report.labels.STAGE_LABEL``."""


def status_of(marker: str | None) -> Status:
    if marker in DONE_MARKERS:
        return "done"
    if marker in CANCELLED_MARKERS:
        return "cancelled"
    if marker in ACTIVE_MARKERS:
        return "in_progress"
    if marker in WAITING_MARKERS:
        return "waiting"
    return "not_started"


@dataclass(frozen=True, slots=True)
class Deadline:
    activity_id: str
    activity_name: str
    stage_id: str
    due: dt.date
    days_left: int
    colour: Colour
    source: Literal["explicit", "rule"]
    rule: str  # "反馈意见签收日 + 3个月后" or "DEADLINE"
    kind: str = "hard"  # hard / soft (soft = reference only)
    status: Status = "not_started"
    basis: str = ""  # where the rule comes from: "白板：应自反馈意见签收之日起 3 个月内"

    @property
    def closed(self) -> bool:
        return self.status in ("done", "cancelled")


@dataclass(frozen=True, slots=True)
class HardDeadline:
    """A hard (binding) deadline of the workflow: always shown, computed or still pending."""

    activity_id: str
    activity_name: str
    basis: str  # "白板：应自反馈意见签收之日起 3 个月内"
    deadline: Deadline | None = None  # None while the anchor date is not filled in
    missing: str | None = None  # "待填写反馈意见签收日" while pending


@dataclass(frozen=True, slots=True)
class ActivityProgress:
    id: str
    name: str
    stage_id: str
    status: Status
    marker: str | None = None
    actor: str | None = None
    found: bool = False  # a task block carries this id
    span: Span | None = None  # None when not found or on a sensitive page
    sensitive: bool = False
    deadline: Deadline | None = None
    pending_deadline: str | None = None  # "待填写 反馈意见签收日" when the anchor date is missing
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageProgress:
    id: str
    name: str
    activities: tuple[ActivityProgress, ...] = ()
    completed_on: str | None = None  # YYYY-MM-DD, from watch's event log, for completed stages

    @property
    def total(self) -> int:
        return sum(1 for a in self.activities if a.status != "cancelled")

    @property
    def done(self) -> int:
        return sum(1 for a in self.activities if a.status == "done")

    @property
    def cancelled(self) -> int:
        return sum(1 for a in self.activities if a.status == "cancelled")

    @property
    def in_progress(self) -> int:
        return sum(1 for a in self.activities if a.status in ("in_progress", "waiting"))

    @property
    def percent(self) -> int:
        if self.total == 0:
            return 100 if self.cancelled else 0
        return (100 * self.done) // self.total

    @property
    def status(self) -> StageStatus:
        if (self.total and self.done == self.total) or (not self.total and self.cancelled):
            return "done"
        if self.done or self.in_progress:
            return "in_progress"
        return "not_started"


@dataclass(frozen=True, slots=True)
class OrderProblem:
    activity_id: str
    activity_name: str
    blocking: tuple[tuple[str, str, Status], ...]  # (id, name, status) of unfinished prerequisites
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class MissingArtifact:
    activity_id: str
    activity_name: str
    artifact: str
    page: str
    reason: Literal["missing", "empty"]


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem with the graph's task blocks (not a parse error)."""

    kind: Literal["unknown_activity", "duplicate_activity", "no_inspection", "unknown_inspection"]
    message: str
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    name: str
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class InspectionProgress:
    name: str
    unit: str
    round: str
    year: str
    file: str
    leader: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    stages: tuple[StageProgress, ...] = ()
    deadlines: tuple[Deadline, ...] = ()  # every computed due date, by date
    order_problems: tuple[OrderProblem, ...] = ()
    missing_artifacts: tuple[MissingArtifact, ...] = ()
    ledgers: Ledgers = field(default_factory=Ledgers)
    issues: tuple[Issue, ...] = ()
    pending_deadlines: tuple[tuple[str, str, str], ...] = ()  # (activity id, name, what is missing)
    hard_deadlines: tuple[HardDeadline, ...] = ()  # every hard rule of the workflow, in workflow order
    sensitive_pages: int = 0
    sensitive_blocks: int = 0
    sensitive_kinds: tuple[tuple[str, int], ...] = ()  # (谈话/信访/线索/其他, count): counts only
    people: tuple[tuple[str, str], ...] = ()  # registered names → role (for --redact names only)
    yellow_days: int = 20

    @property
    def activities(self) -> tuple[ActivityProgress, ...]:
        return tuple(a for s in self.stages for a in s.activities)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.stages)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.stages)

    @property
    def percent(self) -> int:
        return (100 * self.done) // self.total if self.total else 0

    @property
    def current_stage(self) -> StageProgress | None:
        """The first stage (in workflow order) not yet complete; None when all are."""
        return next((s for s in self.stages if s.status != "done"), None)

    @property
    def overdue(self) -> tuple[Deadline, ...]:
        return tuple(d for d in self.deadlines if not d.closed and d.days_left < 0)

    @property
    def due_soon(self) -> tuple[Deadline, ...]:
        return tuple(d for d in self.deadlines if not d.closed and 0 <= d.days_left < self.yellow_days)


@dataclass(frozen=True, slots=True)
class Progress:
    today: dt.date
    workflow_id: str
    workflow_name: str
    thresholds: Thresholds = field(default_factory=Thresholds)
    inspections: tuple[InspectionProgress, ...] = ()
    issues: tuple[Issue, ...] = ()  # task blocks that belong to no known inspection

    @property
    def rounds(self) -> tuple[tuple[str, tuple[InspectionProgress, ...]], ...]:
        """Inspections grouped by round (轮次), in order — the portfolio view."""
        groups: dict[str, list[InspectionProgress]] = {}
        for i in self.inspections:
            groups.setdefault(i.round or "（未填写轮次）", []).append(i)
        return tuple((k, tuple(v)) for k, v in groups.items())
