"""The dashboard's write actions (only with ``--allow-write``): scaffold, sync, report page.

Each action is two requests.  ``plan`` computes what would change — through the same planning
functions as the commands — keeps the plan under a random one-time id and returns its text;
nothing is written.  ``apply`` with that id writes exactly that plan through ``fs`` (atomic
writes, manifest, compare-and-swap on what was read), so a page changed in between is a
conflict, not an overwrite.  A plan is applied at most once and expires after ``PLAN_TTL``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from xuncha_kb.errors import InputError
from xuncha_kb.track.deadlines import Thresholds

#: Seconds a plan waits for its confirmation.
PLAN_TTL = 600.0

ACTIONS = ("scaffold", "sync", "report")


@dataclass(frozen=True, slots=True)
class Planned:
    """A plan waiting for confirmation: its text for the user, and how to apply it."""

    action: str
    text: str
    changes: bool
    conflicts: bool
    apply: Callable[[], str]


def _text(params: Mapping[str, object], key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"参数 {key} 应为文字")
    return value


def plan_scaffold(root: Path, params: Mapping[str, object]) -> Planned:
    from xuncha_kb.commands.scaffold import plan_inspection
    from xuncha_kb.fs.apply import apply
    from xuncha_kb.generate.facts import make_facts

    facts = make_facts(_text(params, "unit"), _text(params, "round"), leader=_text(params, "leader"),
                       members=_text(params, "members"), entry=_text(params, "entry"),
                       exit=_text(params, "exit"))
    plan = plan_inspection(root, facts).plan
    return Planned("scaffold", plan.render(), plan.changes_anything, bool(plan.conflicts),
                   lambda: apply(plan, root).render())


def plan_sync_action(root: Path, today: dt.date) -> Planned:
    from xuncha_kb.commands.sync import apply_sync, plan_sync

    plan = plan_sync(root, today=today)

    def run() -> str:
        return str(apply_sync(plan, root).render())

    return Planned("sync", plan.render(), bool(plan.writes), False, run)


def plan_report_action(root: Path, today: dt.date, thresholds: Thresholds, redact: str) -> Planned:
    from xuncha_kb.commands.report import compute_report, plan_report_page
    from xuncha_kb.fs.apply import apply

    report = compute_report(root, today, thresholds=thresholds, redact=redact)
    plan = plan_report_page(root, report.config, report.progress)
    return Planned("report", plan.render(), plan.changes_anything, bool(plan.conflicts),
                   lambda: apply(plan, root).render())


class Plans:
    """Plans waiting for confirmation, by one-time id."""

    def __init__(self, root: Path, *, today: Callable[[], dt.date], thresholds: Thresholds,
                 redact: str) -> None:
        self.root = root
        self.today = today
        self.thresholds = thresholds
        self.redact = redact
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[float, Planned]] = {}

    def make(self, action: str, params: Mapping[str, object]) -> tuple[str, Planned]:
        if action == "scaffold":
            planned = plan_scaffold(self.root, params)
        elif action == "sync":
            planned = plan_sync_action(self.root, self.today())
        elif action == "report":
            planned = plan_report_action(self.root, self.today(), self.thresholds, self.redact)
        else:
            raise InputError(f"未知的操作：{action}", hint="可用操作：" + "、".join(ACTIONS))
        plan_id = secrets.token_urlsafe(16)
        with self._lock:
            now = time.monotonic()
            self._waiting = {k: v for k, v in self._waiting.items() if now - v[0] < PLAN_TTL}
            self._waiting[plan_id] = (now, planned)
        return plan_id, planned

    def confirm(self, plan_id: str) -> tuple[Planned, str]:
        """Apply the plan ``plan_id`` (once).  Returns it and the result text."""
        with self._lock:
            entry = self._waiting.pop(plan_id, None)
        if entry is None or time.monotonic() - entry[0] >= PLAN_TTL:
            raise InputError("这个计划不存在、已执行或已过期", hint="请重新生成计划，确认后再执行。")
        planned = entry[1]
        return planned, planned.apply()
