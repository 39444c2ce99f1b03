"""live/events.py (snapshot diff → events, Chinese lines, JSON) and fs/eventlog.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from xuncha_kb.fs.eventlog import append_events, events_path, read_events
from xuncha_kb.live.events import (
    EVENT_NAMES,
    ActivityState,
    DiagnosticState,
    Event,
    OrderProblem,
    Snapshot,
    StageState,
    diff,
    format_text,
    stage_completion_dates,
)

INSP = "巡察/2026年第一轮/某某公司"
TODAY = dt.date(2026, 3, 10)
AT = "2026-03-10T10:32:05+08:00"


def snap(acts: dict[str, tuple[str, str | None]], *, current: str | None = "prep",
         problems: frozenset[OrderProblem] = frozenset(),
         diags: frozenset[DiagnosticState] = frozenset()) -> Snapshot:
    """Two stages: prep (prep.01, prep.02) and know (know.01)."""
    activities = {}
    for aid, (status, colour) in acts.items():
        stage = aid.split(".")[0]
        activities[(INSP, aid)] = ActivityState(INSP, stage, aid, name=f"活动{aid}", status=status,  # type: ignore[arg-type]
                                                due=dt.date(2026, 3, 15), colour=colour,  # type: ignore[arg-type]
                                                file="pages/x.md", line=3)
    stages = {}
    for sid, sname in (("prep", "巡察准备"), ("know", "巡察了解")):
        mine = [a for a in activities.values() if a.stage == sid]
        done = sum(a.status in ("done", "cancelled") for a in mine)
        status = "done" if mine and done == len(mine) else ("not_started" if not any(
            a.status in ("done", "cancelled", "doing") for a in mine) else "in_progress")
        stages[(INSP, sid)] = StageState(INSP, sid, sname, status, done, len(mine))  # type: ignore[arg-type]
    return Snapshot(activities=activities, stages=stages, current_stage={INSP: current},
                    stage_order=("prep", "know"), order_problems=problems, diagnostics=diags)


def names(events: list[Event]) -> list[str]:
    return [e.event for e in events]


def test_no_change_no_events() -> None:
    s = snap({"prep.01": ("open", None), "prep.02": ("open", None)})
    assert diff(s, s, at=AT, today=TODAY) == []


def test_activity_done_then_stage_completed_then_moved() -> None:
    a = snap({"prep.01": ("done", None), "prep.02": ("open", None), "know.01": ("open", None)})
    b = snap({"prep.01": ("done", None), "prep.02": ("done", None), "know.01": ("open", None)},
             current="know")
    evs = diff(a, b, at=AT, today=TODAY)
    assert names(evs) == ["activity_done", "stage_completed", "inspection_stage_changed"]
    done, completed, moved = evs
    assert (done.inspection, done.stage, done.activity) == (INSP, "prep", "prep.02")
    assert completed.date == "2026-03-10" and completed.stage_name == "巡察准备"
    assert moved.stage == "know" and moved.previous_stage == "prep"
    assert "阶段完成" in format_text(completed) and "2026-03-10" in format_text(completed)
    assert format_text(done).startswith("10:32:05 完成 巡察/2026年第一轮/某某公司 · 巡察准备 · prep.02")


def test_first_activity_starts_a_stage_and_reopen_is_reported() -> None:
    a = snap({"prep.01": ("open", None), "prep.02": ("open", None)})
    b = snap({"prep.01": ("done", None), "prep.02": ("open", None)})
    assert names(diff(a, b, at=AT, today=TODAY)) == ["activity_done", "stage_started"]
    assert names(diff(b, a, at=AT, today=TODAY)) == ["activity_reopened"]
    c = snap({"prep.01": ("done", None), "prep.02": ("done", None)})
    assert names(diff(c, b, at=AT, today=TODAY)) == ["activity_reopened", "stage_reopened"]


def test_deadline_colours_only_when_entering_a_worse_colour() -> None:
    g = snap({"prep.01": ("open", "green")})
    y = snap({"prep.01": ("open", "yellow")})
    r = snap({"prep.01": ("open", "red")})
    evs = diff(g, y, at=AT, today=TODAY)
    assert names(evs) == ["deadline_yellow"] and evs[0].days_left == 5 and evs[0].due == "2026-03-15"
    assert "剩 5 天" in format_text(evs[0])
    assert names(diff(y, r, at=AT, today=TODAY)) == ["deadline_red"]
    assert names(diff(g, r, at=AT, today=TODAY)) == ["deadline_red"]
    assert diff(r, y, at=AT, today=TODAY) == []  # getting better is not news
    assert diff(y, y, at=AT, today=TODAY) == []
    done_red = snap({"prep.01": ("done", "red")})
    assert "deadline_red" not in names(diff(g, done_red, at=AT, today=TODAY))


def test_order_problems_and_diagnostics_are_reported_once() -> None:
    op = OrderProblem(INSP, "prep", "prep.02", "prep.01", file="pages/x.md", line=9)
    d = DiagnosticState("pages/broken.md", 4, "缩进无法识别")
    a = snap({"prep.01": ("open", None), "prep.02": ("open", None)})
    b = snap({"prep.01": ("open", None), "prep.02": ("done", None)}, problems=frozenset({op}),
             diags=frozenset({d}))
    evs = diff(a, b, at=AT, today=TODAY)
    assert names(evs) == ["activity_done", "stage_started", "order_problem", "diagnostic"]
    assert "prep.01" in (evs[2].message or "")
    assert "pages/broken.md:4" in format_text(evs[3])
    assert diff(b, b, at=AT, today=TODAY) == []
    c = snap({"prep.01": ("open", None), "prep.02": ("done", None)}, problems=frozenset({op}))
    assert names(diff(b, c, at=AT, today=TODAY)) == ["diagnostic_resolved"]


def test_new_inspection_produces_no_history_events() -> None:
    empty = Snapshot(stage_order=("prep", "know"))
    b = snap({"prep.01": ("done", None)})
    assert diff(empty, b, at=AT, today=TODAY) == []


def test_json_line_has_required_keys_and_round_trips() -> None:
    a = snap({"prep.01": ("open", None)})
    b = snap({"prep.01": ("done", None)})
    ev = diff(a, b, at=AT, today=TODAY)[0]
    obj = json.loads(ev.to_json())
    assert {"event", "inspection", "stage", "activity", "at"} <= set(obj)
    assert obj["inspection"] == INSP and "巡察" in ev.to_json()  # no \\u escapes
    assert Event.from_dict(obj) == ev
    assert set(EVENT_NAMES) >= {"activity_done", "activity_reopened", "stage_started", "stage_completed",
                                "deadline_yellow", "deadline_red", "order_problem", "diagnostic"}


def test_event_log_appends_and_survives_a_truncated_line(tmp_path: Path) -> None:
    a = snap({"prep.01": ("open", None), "prep.02": ("done", None)})
    b = snap({"prep.01": ("done", None), "prep.02": ("done", None)}, current="know")
    evs = diff(a, b, at=AT, today=TODAY)
    assert append_events(tmp_path, evs[:1]) == 1
    with open(events_path(tmp_path), "ab") as fh:
        fh.write(b'{"event": "activity_do')  # a crash mid-write
    assert append_events(tmp_path, evs[1:]) == len(evs) - 1
    log = read_events(tmp_path)
    assert log.skipped == 1
    assert [e["event"] for e in log.events] == names(evs)
    assert stage_completion_dates(log.events) == {(INSP, "prep"): "2026-03-10"}
    raw = events_path(tmp_path).read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == len(evs) + 1


def test_reopen_clears_completion_date() -> None:
    done = Event("stage_completed", INSP, "prep", None, AT, date="2026-03-10")
    reopened = Event("stage_reopened", INSP, "prep", None, AT, date="2026-03-11")
    again = Event("stage_completed", INSP, "prep", None, AT, date="2026-03-12")
    assert stage_completion_dates([done, reopened]) == {}
    assert stage_completion_dates([done, reopened, again]) == {(INSP, "prep"): "2026-03-12"}


def test_missing_log_is_empty(tmp_path: Path) -> None:
    assert read_events(tmp_path).events == ()


def test_order_problems_of_one_activity_are_one_event() -> None:
    ops = frozenset({OrderProblem(INSP, "prep", "prep.02", "prep.01", "prep.01 制定方案"),
                     OrderProblem(INSP, "prep", "prep.02", "plan.07", "plan.07 发布计划")})
    a = snap({"prep.01": ("open", None), "prep.02": ("open", None)})
    b = snap({"prep.01": ("open", None), "prep.02": ("done", None)}, problems=ops)
    evs = [e for e in diff(a, b, at=AT, today=TODAY) if e.event == "order_problem"]
    assert len(evs) == 1
    assert evs[0].message == "已完成，但前置活动 plan.07 发布计划、prep.01 制定方案 未完成"
    # one prerequisite done: the remaining problem is not news
    c = snap({"prep.01": ("open", None), "prep.02": ("done", None)},
             problems=frozenset(p for p in ops if p.depends_on == "prep.01"))
    assert [e.event for e in diff(b, c, at=AT, today=TODAY)] == []
