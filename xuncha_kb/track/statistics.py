"""统计分析 across inspections and rounds: problems (one 底稿 each, 一事一底稿) by class, by
被巡察单位 and by round; 整改率; overdue counts (activity deadlines, 整改时限, 办理时限).

Pure: computed from a :class:`~xuncha_kb.track.progress_model.Progress`.  Sensitive 底稿 and
ledger items are counted (their class under 涉密（仅计数）), never described.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from xuncha_kb.track.ledgers_model import HIDDEN_STATUS, rate
from xuncha_kb.track.progress_model import InspectionProgress, Progress


@dataclass(frozen=True, slots=True)
class StatRow:
    """One line of a statistics table (a unit, a round, or everything)."""

    key: str
    inspections: int = 0
    problems: int = 0  # 底稿 (sensitive ones included)
    rects: int = 0  # listed 整改 items
    rects_done: int = 0  # 已完成 or 已销号
    rects_closed: int = 0  # 已销号
    overdue_deadlines: int = 0
    overdue_rects: int = 0
    overdue_transfers: int = 0

    @property
    def rate(self) -> int:
        """整改率 in percent (0 with nothing to rectify)."""
        return rate(self.rects_done, self.rects)

    @property
    def overdue(self) -> int:
        return self.overdue_deadlines + self.overdue_rects + self.overdue_transfers


@dataclass(frozen=True, slots=True)
class Statistics:
    by_class: tuple[tuple[str, int], ...] = ()
    by_unit: tuple[StatRow, ...] = ()
    by_round: tuple[StatRow, ...] = ()
    total: StatRow = StatRow("合计")


def _row(key: str, items: Iterable[InspectionProgress]) -> StatRow:
    xs = list(items)
    return StatRow(
        key=key, inspections=len(xs),
        problems=sum(i.ledgers.drafts.count for i in xs),
        rects=sum(len(i.ledgers.rectifications.items) for i in xs),
        rects_done=sum(i.ledgers.rectifications.done for i in xs),
        rects_closed=sum(i.ledgers.rectifications.closed for i in xs),
        overdue_deadlines=sum(len(i.overdue) for i in xs),
        overdue_rects=sum(i.ledgers.rectifications.overdue for i in xs),
        overdue_transfers=sum(len(i.ledgers.transfers.overdue) for i in xs))


def compute_statistics(p: Progress) -> Statistics:
    classes: Counter[str] = Counter()
    for i in p.inspections:
        classes.update(d.shown_class for d in i.ledgers.drafts.items)
        if i.ledgers.drafts.sensitive_count:
            classes[HIDDEN_STATUS] += i.ledgers.drafts.sensitive_count
    units: dict[str, list[InspectionProgress]] = {}
    for i in p.inspections:
        units.setdefault(i.unit, []).append(i)
    return Statistics(
        by_class=tuple(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_unit=tuple(_row(u, xs) for u, xs in units.items()),
        by_round=tuple(_row(r, xs) for r, xs in p.rounds),
        total=_row("合计", p.inspections))
