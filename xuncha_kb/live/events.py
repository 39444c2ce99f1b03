"""Live events: the difference between two progress snapshots, as Chinese lines or JSON.

Pure: nothing here reads or writes files (the append-only log is ``fs/eventlog.py``).

A :class:`Snapshot` is the small part of a progress computation that events are about —
per activity its state and deadline colour, per stage its state, per inspection its current
stage, the set of order problems and the set of diagnostics.  ``snapshot_from_progress``
(in ``live/snapshot.py``) builds one from the progress module's result; tests build them
by hand.  :func:`diff` compares two snapshots and returns :class:`Event` values in a stable
order (per inspection, then stage order, then activity order).

Event names (the ``event`` field of ``--json`` lines; README has the table):
``activity_done``, ``activity_reopened``, ``stage_started``, ``stage_completed``,
``stage_reopened``, ``inspection_stage_changed``, ``deadline_yellow``, ``deadline_red``,
``order_problem``, ``diagnostic``, ``diagnostic_resolved``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ActivityStatus = Literal["done", "open", "doing", "waiting", "cancelled", "missing"]
StageStatus = Literal["not_started", "in_progress", "done"]
Colour = Literal["green", "yellow", "red"]

EVENT_NAMES: tuple[str, ...] = (
    "activity_done", "activity_reopened", "stage_started", "stage_completed", "stage_reopened",
    "inspection_stage_changed", "deadline_yellow", "deadline_red", "order_problem", "diagnostic",
    "diagnostic_resolved",
)

_DONE_LIKE = ("done", "cancelled")


@dataclass(frozen=True, slots=True)
class ActivityState:
    inspection: str
    stage: str  # stage id
    activity: str  # activity id
    name: str = ""
    status: ActivityStatus = "missing"
    due: dt.date | None = None
    colour: Colour | None = None  # None: no deadline known, or already finished
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class StageState:
    inspection: str
    stage: str
    name: str = ""
    status: StageStatus = "not_started"
    done: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class OrderProblem:
    """An activity finished while an activity it depends on is not."""

    inspection: str
    stage: str
    activity: str
    depends_on: str
    message: str = ""  # how to name the prerequisite, e.g. "prep.01 制定巡察工作方案"
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class DiagnosticState:
    file: str
    line: int
    message: str


@dataclass(frozen=True)
class Snapshot:
    """What events are computed from.  Keys: (inspection, activity id) / (inspection, stage id)."""

    activities: Mapping[tuple[str, str], ActivityState] = field(default_factory=dict)
    stages: Mapping[tuple[str, str], StageState] = field(default_factory=dict)
    current_stage: Mapping[str, str | None] = field(default_factory=dict)  # inspection → stage id
    stage_order: tuple[str, ...] = ()  # stage ids in workflow order
    order_problems: frozenset[OrderProblem] = frozenset()
    diagnostics: frozenset[DiagnosticState] = frozenset()


@dataclass(frozen=True, slots=True)
class Event:
    event: str
    inspection: str | None
    stage: str | None
    activity: str | None
    at: str  # ISO-8601 local timestamp of detection
    date: str | None = None  # the working day (``--today``) the event belongs to
    stage_name: str | None = None
    activity_name: str | None = None
    previous_stage: str | None = None
    due: str | None = None
    days_left: int | None = None
    file: str | None = None
    line: int | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        out: dict[str, str | int | None] = {"event": self.event, "inspection": self.inspection,
                                            "stage": self.stage, "activity": self.activity, "at": self.at}
        for key in ("date", "stage_name", "activity_name", "previous_stage", "due", "days_left", "file",
                    "line", "message"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Event:
        """An event from one log line's object, as it is (the log is not validated here)."""
        raw: Mapping[str, Any] = data
        known: dict[str, Any] = {k: raw[k] for k in _EVENT_FIELDS if k in raw}
        return cls(event=str(raw.get("event", "")), inspection=raw.get("inspection"),
                   stage=raw.get("stage"), activity=raw.get("activity"), at=str(raw.get("at", "")),
                   **{k: v for k, v in known.items() if k not in _CORE_FIELDS})


_CORE_FIELDS = ("event", "inspection", "stage", "activity", "at")
_EVENT_FIELDS = (*_CORE_FIELDS, "date", "stage_name", "activity_name", "previous_stage", "due", "days_left",
                 "file", "line", "message")


def _activity_label(a: ActivityState) -> str:
    return f"{a.activity} {a.name}".strip()


def _key_order(snapshot: Snapshot, new: Snapshot) -> dict[str, int]:
    order = new.stage_order or snapshot.stage_order
    return {sid: i for i, sid in enumerate(order)}


@dataclass(frozen=True)
class _Diffing:
    """What every part of one ``diff`` shares: the two snapshots, the time and the stage order."""

    old: Snapshot
    new: Snapshot
    at: str
    today: dt.date
    stage_rank: Mapping[str, int]
    stage_names: Mapping[tuple[str, str], str]

    @property
    def day(self) -> str:
        return self.today.isoformat()

    def sname(self, insp: str, sid: str | None) -> str | None:
        return self.stage_names.get((insp, sid)) or None if sid is not None else None


def diff(old: Snapshot, new: Snapshot, *, at: str, today: dt.date) -> list[Event]:
    """Events that take ``old`` to ``new``.  ``at`` is the detection timestamp."""
    stage_names = {k: s.name for k, s in old.stages.items()}
    stage_names.update({k: s.name for k, s in new.stages.items()})
    d = _Diffing(old, new, at, today, _key_order(old, new), stage_names)
    return [*_activity_events(d), *_stage_events(d), *_inspection_events(d), *_order_events(d),
            *_diagnostic_events(d)]


def _activity_events(d: _Diffing) -> list[Event]:
    """Activities done, reopened or newly yellow/red, in (inspection, stage order, activity id) order."""
    old, new, at, today, day = d.old, d.new, d.at, d.today, d.day
    events: list[Event] = []
    known = set(old.current_stage) | {k[0] for k in old.stages}

    def act_sort(k: tuple[str, str]) -> tuple[str, int, str]:
        a = new.activities.get(k) or old.activities[k]
        return (a.inspection, d.stage_rank.get(a.stage, 10**6), a.activity)

    for key in sorted(set(old.activities) | set(new.activities), key=act_sort):
        before, after = old.activities.get(key), new.activities.get(key)
        if after is None:
            continue  # an activity that vanished (page deleted) reopens nothing by itself
        if before is None and after.inspection not in known:
            continue  # a whole new inspection appeared: no history to compare against
        was_done = before is not None and before.status in _DONE_LIKE
        is_done = after.status in _DONE_LIKE
        common: dict[str, Any] = {
            "inspection": after.inspection, "stage": after.stage, "activity": after.activity, "at": at,
            "date": day, "stage_name": d.sname(after.inspection, after.stage),
            "activity_name": after.name or None, "file": after.file, "line": after.line}
        if is_done and not was_done:
            events.append(Event("activity_done", **common))
        elif was_done and not is_done and after.status != "missing":
            events.append(Event("activity_reopened", **common))
        if not is_done and after.colour in ("yellow", "red"):
            prev = before.colour if before is not None and before.status not in _DONE_LIKE else None
            if after.colour != prev and not (prev == "red" and after.colour == "yellow"):
                left = (after.due - today).days if after.due else None
                events.append(Event(f"deadline_{after.colour}", **common,
                                    due=after.due.isoformat() if after.due else None, days_left=left))
    return events


def _stage_events(d: _Diffing) -> list[Event]:
    """Stages started, completed or reopened (only where both snapshots know the stage)."""
    old, new = d.old, d.new
    events: list[Event] = []

    def stage_sort(k: tuple[str, str]) -> tuple[str, int, str]:
        return (k[0], d.stage_rank.get(k[1], 10**6), k[1])

    for key in sorted(set(old.stages) | set(new.stages), key=stage_sort):
        before_s, after_s = old.stages.get(key), new.stages.get(key)
        if after_s is None or before_s is None:
            continue  # a new or vanished inspection: no history to compare against
        common_s: dict[str, Any] = {
            "inspection": after_s.inspection, "stage": after_s.stage, "activity": None, "at": d.at,
            "date": d.day, "stage_name": after_s.name or None}
        if before_s.status == "not_started" and after_s.status != "not_started":
            events.append(Event("stage_started", **common_s))
        if after_s.status == "done" and before_s.status != "done":
            events.append(Event("stage_completed", **common_s))
        elif before_s.status == "done" and after_s.status != "done":
            events.append(Event("stage_reopened", **common_s))
    return events


def _inspection_events(d: _Diffing) -> list[Event]:
    """Inspections moving to another stage."""
    events: list[Event] = []
    for insp in sorted(set(d.new.current_stage)):
        if insp not in d.old.current_stage:
            continue
        prev_sid, cur_sid = d.old.current_stage[insp], d.new.current_stage[insp]
        if prev_sid != cur_sid:
            events.append(Event("inspection_stage_changed", insp, cur_sid, None, d.at, date=d.day,
                                stage_name=d.sname(insp, cur_sid), previous_stage=prev_sid))
    return events


def _order_events(d: _Diffing) -> list[Event]:
    """New order problems: one event per activity, naming every prerequisite newly found open."""
    rank = d.stage_rank
    grouped: dict[tuple[str, str, str], list[OrderProblem]] = {}
    for op in sorted(d.new.order_problems - d.old.order_problems,
                     key=lambda p: (p.inspection, rank.get(p.stage, 10**6), p.activity, p.depends_on)):
        grouped.setdefault((op.inspection, op.stage, op.activity), []).append(op)
    events: list[Event] = []
    for (insp, sid, aid), ops in grouped.items():
        deps = "、".join(op.message or op.depends_on for op in ops)
        act = d.new.activities.get((insp, aid))
        events.append(Event("order_problem", insp, sid, aid, d.at, date=d.day, stage_name=d.sname(insp, sid),
                            activity_name=act.name or None if act else None, file=ops[0].file,
                            line=ops[0].line, message=f"已完成，但前置活动 {deps} 未完成"))
    return events


def _diagnostic_events(d: _Diffing) -> list[Event]:
    """Diagnostics: pages that no longer parse, and ones that were fixed."""
    old, new = d.old.diagnostics, d.new.diagnostics
    events = [Event("diagnostic", None, None, None, d.at, date=d.day, file=x.file, line=x.line,
                    message=x.message)
              for x in sorted(new - old, key=lambda x: (x.file, x.line, x.message))]
    fixed_files = {x.file for x in old - new} - {x.file for x in new}
    events.extend(Event("diagnostic_resolved", None, None, None, d.at, date=d.day, file=f)
                  for f in sorted(fixed_files))
    return events


# --- presentation ---------------------------------------------------------------------------

_STATUS_WORD = {
    "activity_done": "完成",
    "activity_reopened": "重新打开",
    "stage_started": "阶段开始",
    "stage_completed": "阶段完成",
    "stage_reopened": "阶段重新打开",
    "inspection_stage_changed": "进入新阶段",
    "deadline_yellow": "截止预警（黄）",
    "deadline_red": "截止预警（红）",
    "order_problem": "顺序问题",
    "diagnostic": "页面无法解析",
    "diagnostic_resolved": "页面已恢复正常",
}


def _clock(at: str) -> str:
    try:
        return dt.datetime.fromisoformat(at).strftime("%H:%M:%S")
    except ValueError:
        return at


def format_text(ev: Event) -> str:
    """One Chinese line for the terminal, e.g. ``10:32:05 完成 巡察/…/某某公司 · 巡察准备 · prep.01 …``."""
    word = _STATUS_WORD.get(ev.event, ev.event)
    head = f"{_clock(ev.at)} {word}"
    stage = ev.stage_name or ev.stage
    if ev.event in ("diagnostic", "diagnostic_resolved"):
        where = f"{ev.file}:{ev.line}" if ev.line else f"{ev.file}"
        return f"{head} {where}" + (f"：{ev.message}" if ev.message else "")
    parts = [p for p in (ev.inspection, stage) if p]
    if ev.activity:
        parts.append(f"{ev.activity} {ev.activity_name or ''}".strip())
    text = f"{head} " + " · ".join(parts)
    if ev.event == "stage_completed" and ev.date:
        text += f"（完成日期 {ev.date}）"
    elif ev.event == "inspection_stage_changed":
        text += f"（上一阶段：{ev.previous_stage or '无'}）"
    elif ev.event.startswith("deadline_") and ev.due:
        if ev.days_left is not None and ev.days_left < 0:
            text += f"（截止 {ev.due}，已逾期 {-ev.days_left} 天）"
        elif ev.days_left == 0:
            text += f"（截止 {ev.due}，今天到期）"
        else:
            text += f"（截止 {ev.due}，剩 {ev.days_left} 天）"
    elif ev.event == "order_problem" and ev.message:
        text += f"：{ev.message}"
    if ev.file and ev.event in ("activity_done", "activity_reopened", "order_problem"):
        text += f"  [{ev.file}:{ev.line}]" if ev.line else f"  [{ev.file}]"
    return text


def stage_completion_dates(events: Iterable[Event | Mapping[str, object]]) -> dict[tuple[str, str], str]:
    """(inspection, stage id) → the date its stage was last completed (reopening clears it)."""
    out: dict[tuple[str, str], str] = {}
    for raw in events:
        ev = raw if isinstance(raw, Event) else Event.from_dict(raw)
        if not ev.inspection or not ev.stage:
            continue
        if ev.event == "stage_completed":
            out[(ev.inspection, ev.stage)] = ev.date or ev.at[:10]
        elif ev.event == "stage_reopened":
            out.pop((ev.inspection, ev.stage), None)
    return out
