"""Machine-readable report: everything the other views show, with stable keys."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from xuncha_kb.report.labels import STAGE_LABEL, STATUS_LABEL
from xuncha_kb.track.ledgers_model import DraftLedger, Ledgers, RectLedger, TransferLedger
from xuncha_kb.track.progress_model import (
    ActivityProgress,
    Deadline,
    InspectionProgress,
    Issue,
    Progress,
)
from xuncha_kb.track.statistics import Statistics, StatRow, compute_statistics

SCHEMA_VERSION = 1


def _deadline(d: Deadline) -> dict[str, Any]:
    return {"activity_id": d.activity_id, "activity_name": d.activity_name, "stage_id": d.stage_id,
            "due": d.due.isoformat(), "days_left": d.days_left, "colour": d.colour, "source": d.source,
            "rule": d.rule, "kind": d.kind, "status": d.status, "basis": d.basis}


def _issue(x: Issue) -> dict[str, Any]:
    return {"kind": x.kind, "message": x.message, "file": x.file, "line": x.line}


def _activity(a: ActivityProgress) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "status": a.status, "status_label": STATUS_LABEL[a.status],
            "marker": a.marker, "actor": a.actor, "found": a.found,
            "file": a.span.file if a.span else None, "line": a.span.line if a.span else None,
            "deadline": _deadline(a.deadline) if a.deadline else None, "pending_deadline": a.pending_deadline}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _drafts(d: DraftLedger) -> dict[str, Any]:
    return {
        "count": d.count, "sensitive_count": d.sensitive_count, "by_status": dict(d.by_status),
        "by_class": dict(d.by_class),
        "items": [{"number": x.number, "name": x.name, "status": x.status, "page": x.page, "file": x.file,
                   "date": x.date, "source": x.source, "summary": x.summary, "problem_class": x.problem_class,
                   "class_group": x.class_group, "evidence": x.evidence, "policy": x.policy,
                   "qualification": x.qualification, "subject": x.subject, "missing": list(x.missing),
                   "signoff": [{"step": k, "name": v} for k, v in x.signoff],
                   "unsigned": list(x.unsigned), "several_matters": x.several_matters,
                   "properties_in_first_block": x.props_in_block or None} for x in d.items],
        "incomplete": [x.page for x in d.incomplete],
        "duplicate_numbers": [{"number": n, "pages": list(ps)} for n, ps in d.duplicate_numbers],
        "one_matter_problems": list(d.one_matter_problems),
        "unknown_classes": [x.page for x in d.unknown_classes],
    }


def _transfers(t: TransferLedger) -> dict[str, Any]:
    return {
        "count": t.count, "sensitive_count": t.sensitive_count, "answered": t.answered,
        "warned": len(t.warned), "overdue": len(t.overdue),
        "by_recipient": [{"recipient": rc, "count": n, "by_status": dict(st)}
                         for rc, n, st in t.by_recipient],
        "items": [{"title": x.title, "recipient": x.recipient, "status": x.status, "date": x.date,
                   "limit": _iso(x.limit), "limit_default": not x.limit_given if x.limit else None,
                   "days_left": x.days_left, "colour": x.colour, "result": x.result,
                   "feedback_on": x.feedback_on, "answered": x.answered,
                   "drafts": list(x.drafts), "file": x.file, "line": x.line} for x in t.items],
    }


def _rects(r: RectLedger) -> dict[str, Any]:
    return {
        "count": r.count, "sensitive_count": r.sensitive_count, "closed": r.closed, "done": r.done,
        "rate_percent": r.rate, "immediate": r.immediate, "overdue": r.overdue,
        "by_status": dict(r.by_status), "by_phase": dict(r.by_phase),
        "by_unit": [{"unit": u, "count": n, "done": d} for u, n, d in r.by_unit],
        "items": [{"title": x.title, "measure": x.measure, "unit": x.unit, "owner": x.owner,
                   "due": _iso(x.due), "days_left": x.days_left, "colour": x.colour,
                   "immediate": x.immediate, "status": x.status, "phase": x.phase, "evidence": x.evidence,
                   "reviewer": x.reviewer, "closed_on": x.closed_on, "closed": x.closed,
                   "loop_gaps": list(x.loop_gaps), "drafts": list(x.drafts),
                   "file": x.file, "line": x.line} for x in r.items],
    }


def _ledgers(lg: Ledgers) -> dict[str, Any]:
    return {
        "drafts": _drafts(lg.drafts), "transfers": _transfers(lg.transfers),
        "rectifications": _rects(lg.rectifications),
        "report_problems": lg.report_problems,
        "uncited_problems": [{"title": u.title, "file": u.file, "line": u.line} for u in lg.uncited_problems],
        "uncited_sensitive": lg.uncited_sensitive,
    }


def _inspection(i: InspectionProgress) -> dict[str, Any]:
    cur = i.current_stage
    return {
        "name": i.name, "unit": i.unit, "round": i.round, "year": i.year, "file": i.file,
        "leader": list(i.leader), "members": list(i.members),
        "current_stage": cur.id if cur else None, "current_stage_name": cur.name if cur else "全部完成",
        "done": i.done, "total": i.total, "percent": i.percent,
        "milestones": [{"id": m.id, "name": m.name, "date": m.date.isoformat() if m.date else None}
                       for m in i.milestones],
        "stages": [{"id": s.id, "name": s.name, "done": s.done, "total": s.total, "cancelled": s.cancelled,
                    "in_progress": s.in_progress, "percent": s.percent, "state": STAGE_LABEL[s.status],
                    "completed_on": s.completed_on,
                    "activities": [_activity(a) for a in s.activities]} for s in i.stages],
        "deadlines": [_deadline(d) for d in i.deadlines],
        "overdue": [_deadline(d) for d in i.overdue],
        "due_soon": [_deadline(d) for d in i.due_soon],
        "hard_deadlines": [{"activity_id": h.activity_id, "activity_name": h.activity_name, "basis": h.basis,
                            "due": h.deadline.due.isoformat() if h.deadline else None,
                            "deadline": _deadline(h.deadline) if h.deadline else None, "missing": h.missing}
                           for h in i.hard_deadlines],
        "pending_deadlines": [{"activity_id": a, "activity_name": n, "missing": w}
                              for a, n, w in i.pending_deadlines],
        "order_problems": [{"activity_id": o.activity_id, "activity_name": o.activity_name,
                            "blocking": [{"id": b, "name": n, "status": s} for b, n, s in o.blocking],
                            "file": o.span.file if o.span else None, "line": o.span.line if o.span else None}
                           for o in i.order_problems],
        "missing_artifacts": [{"activity_id": m.activity_id, "activity_name": m.activity_name,
                               "artifact": m.artifact, "page": m.page, "reason": m.reason}
                              for m in i.missing_artifacts],
        "ledgers": _ledgers(i.ledgers),
        "sensitive": {"pages": i.sensitive_pages, "blocks": i.sensitive_blocks,
                      "by_kind": dict(i.sensitive_kinds)},
        "issues": [_issue(x) for x in i.issues],
    }


def _stat_row(r: StatRow) -> dict[str, Any]:
    return {"key": r.key, "inspections": r.inspections, "problems": r.problems, "rects": r.rects,
            "rects_done": r.rects_done, "rects_closed": r.rects_closed, "rate_percent": r.rate,
            "overdue": r.overdue, "overdue_deadlines": r.overdue_deadlines, "overdue_rects": r.overdue_rects,
            "overdue_transfers": r.overdue_transfers}


def _statistics(s: Statistics) -> dict[str, Any]:
    return {"by_class": dict(s.by_class), "by_round": [_stat_row(r) for r in s.by_round],
            "by_unit": [_stat_row(r) for r in s.by_unit], "total": _stat_row(s.total)}


def progress_dict(p: Progress) -> dict[str, object]:
    """The JSON report as plain values (str, int, None, lists and dicts of them)."""
    return {
        "schema": SCHEMA_VERSION,
        "today": p.today.isoformat(),
        "workflow": {"id": p.workflow_id, "name": p.workflow_name},
        "thresholds": {"yellow_days": p.thresholds.yellow_days, "red_days": p.thresholds.red_days},
        "portfolio": [{"round": r, "inspections": [i.name for i in items]} for r, items in p.rounds],
        "inspections": [_inspection(i) for i in p.inspections],
        "issues": [_issue(x) for x in p.issues],
        "statistics": _statistics(compute_statistics(p)),
    }


def render_json(p: Progress) -> str:
    return json.dumps(progress_dict(p), ensure_ascii=False, indent=2) + "\n"
