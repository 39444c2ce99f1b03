"""A progress computation → the :class:`~xuncha_kb.live.events.Snapshot` that events are
diffed from (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Container, Iterable

from xuncha_kb.live.events import (
    ActivityState,
    ActivityStatus,
    DiagnosticState,
    OrderProblem,
    Snapshot,
    StageState,
)
from xuncha_kb.model import Diagnostic
from xuncha_kb.track.progress_model import Progress, Status

REPORTED_SEVERITIES = ("error", "warning")  # diagnostics that become events

_STATUS: dict[Status, ActivityStatus] = {"done": "done", "cancelled": "cancelled", "in_progress": "doing",
                                          "waiting": "waiting"}


def snapshot_from_progress(progress: Progress, diagnostics: Iterable[Diagnostic | DiagnosticState] = (),
                           stage_order: tuple[str, ...] = ()) -> Snapshot:
    """The part of a :class:`~xuncha_kb.track.progress_model.Progress` that events are computed from."""
    acts: dict[tuple[str, str], ActivityState] = {}
    stages: dict[tuple[str, str], StageState] = {}
    current: dict[str, str | None] = {}
    problems: set[OrderProblem] = set()
    for insp in progress.inspections:
        for st in insp.stages:
            stages[(insp.name, st.id)] = StageState(insp.name, st.id, st.name,
                                                    st.status,
                                                    st.done, st.total)
            for a in st.activities:
                status: ActivityStatus = _STATUS.get(a.status, "open" if a.found else "missing")
                dl = a.deadline
                colour = dl.colour if dl is not None and status not in ("done", "cancelled") else None
                acts[(insp.name, a.id)] = ActivityState(
                    insp.name, st.id, a.id, a.name, status, dl.due if dl else None, colour,
                    a.span.file if a.span else None, a.span.line if a.span else None)
        cur = insp.current_stage
        current[insp.name] = cur.id if cur is not None else None
        for op in insp.order_problems:
            sid = acts[(insp.name, op.activity_id)].stage if (insp.name, op.activity_id) in acts else ""
            for dep_id, dep_name, _status in op.blocking:
                problems.add(OrderProblem(
                    insp.name, sid, op.activity_id, dep_id,
                    f"{dep_id} {dep_name}",
                    op.span.file if op.span else None, op.span.line if op.span else None))
    diags = frozenset(d if isinstance(d, DiagnosticState) else DiagnosticState(d.file, d.line, d.message)
                      for d in diagnostics
                      if isinstance(d, DiagnosticState) or d.severity in REPORTED_SEVERITIES)
    return Snapshot(activities=acts, stages=stages, current_stage=current, stage_order=stage_order,
                    order_problems=frozenset(problems), diagnostics=diags)


def reported_states(diagnostics: Iterable[Diagnostic], name_of: Callable[[str], str | None],
                    secret_files: Container[str], salt: bytes) -> frozenset[DiagnosticState]:
    """Errors and warnings as events see them.  A sensitive page (信访/谈话/线索 namespaces,
    ``密级::``/``sensitive::``, a sensitive tag — ``secret_files``, or a sensitive file or page
    name, ``name_of`` giving a path's page name) is never named: its diagnostics show a placeholder and
    a salted token, the same for the same file within one run."""
    from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER, name_is_sensitive

    out = set()
    for d in diagnostics:
        if d.severity not in REPORTED_SEVERITIES:
            continue
        name = name_of(d.file)
        if d.file in secret_files or name_is_sensitive(d.file.rsplit("/", 1)[-1]) or (
                name is not None and name_is_sensitive(name)):
            token = hashlib.sha256(salt + d.file.encode("utf-8")).hexdigest()[:8]
            message = f"涉密页面出现读取问题（编号 {token}，不显示位置与内容）"
            out.add(DiagnosticState(SENSITIVE_PLACEHOLDER, 0, message))
        else:
            out.add(DiagnosticState(d.file, d.line, d.message))
    return frozenset(out)
