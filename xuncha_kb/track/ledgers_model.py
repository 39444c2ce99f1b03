"""The ledger values (底稿, 移交, 整改) as ``track.ledgers`` reads them from the graph.

Frozen dataclasses only.  Sensitive entries are counted (``sensitive_count``), never listed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from xuncha_kb.track.deadlines import Colour
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER

RECT_CLOSED = "已销号"
RECT_DONE = ("已完成", "已销号")
TRANSFER_ANSWERED = "已反馈"
HIDDEN_STATUS = "涉密（仅计数）"  # how counted-only items show in a by-status breakdown
NO_CLASS = "未分类"


class _Tally:
    """What every ledger says of itself: how many entries (sensitive ones counted, never
    listed) and how many per status."""

    __slots__ = ()
    items: tuple[DraftItem | TransferItem | RectItem, ...]
    sensitive_count: int

    @property
    def count(self) -> int:
        return len(self.items) + self.sensitive_count

    @property
    def by_status(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(Counter(i.status for i in self.items).items()))


@dataclass(frozen=True, slots=True)
class DraftItem:
    page: str
    file: str
    number: str
    name: str
    status: str
    date: str = ""
    source: str = ""
    summary: str = ""
    qualification: str = ""
    subject: str = ""
    missing: tuple[str, ...] = ()  # required fields absent or blank
    unsigned: tuple[str, ...] = ()  # 三审 steps not signed
    several_matters: bool = False
    problem_class: str = ""  # 问题类别:: as written
    class_group: str = ""  # its group on the taxonomy page (三大问题 …); "" when unknown
    evidence: str = ""
    policy: str = ""  # 政策依据
    signoff: tuple[tuple[str, str], ...] = ()  # (三审 step, who signed) for every step
    props_in_block: int = 0  # line of the first block holding the page's properties, 0 when not

    @property
    def shown_class(self) -> str:
        return self.problem_class or NO_CLASS


@dataclass(frozen=True, slots=True)
class DraftLedger(_Tally):
    items: tuple[DraftItem, ...] = ()
    sensitive_count: int = 0
    duplicate_numbers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (编号, page names)

    @property
    def incomplete(self) -> tuple[DraftItem, ...]:
        return tuple(i for i in self.items if i.missing)

    @property
    def one_matter_problems(self) -> tuple[str, ...]:
        pages = [i.page for i in self.items if i.several_matters]
        for _, names in self.duplicate_numbers:
            pages.extend(n for n in names if n not in pages)
        return tuple(pages)

    @property
    def by_class(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(Counter(i.shown_class for i in self.items).items()))

    @property
    def unknown_classes(self) -> tuple[DraftItem, ...]:
        return tuple(i for i in self.items if i.problem_class and not i.class_group)

    @property
    def props_in_first_block(self) -> tuple[DraftItem, ...]:
        return tuple(i for i in self.items if i.props_in_block)


@dataclass(frozen=True, slots=True)
class TransferItem:
    title: str
    recipient: str
    status: str
    date: str = ""
    drafts: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    limit: dt.date | None = None  # 办理时限: written, or 移交日期 + 3 months
    limit_given: bool = False  # 办理时限:: written on the block (else the default)
    result: str = ""  # 办理结果
    feedback_on: str = ""  # 反馈日期
    days_left: int | None = None  # to 办理时限, while no feedback
    colour: Colour | None = None

    @property
    def answered(self) -> bool:
        return bool(self.feedback_on) or self.status == TRANSFER_ANSWERED


@dataclass(frozen=True, slots=True)
class TransferLedger(_Tally):
    items: tuple[TransferItem, ...] = ()
    sensitive_count: int = 0

    @property
    def by_recipient(self) -> tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...]:
        """(recipient, total, ((status, n), …)).  Sensitive items are counted under the
        placeholder, never under their recipient (naming it would quote the sensitive block)."""
        recipients = {i.recipient for i in self.items}
        if self.sensitive_count:
            recipients.add(SENSITIVE_PLACEHOLDER)
        out = []
        for r in sorted(recipients):
            mine = [i for i in self.items if i.recipient == r]
            statuses = Counter(i.status for i in mine)
            hidden = self.sensitive_count if r == SENSITIVE_PLACEHOLDER else 0
            if hidden:
                statuses[HIDDEN_STATUS] += hidden
            out.append((r, len(mine) + hidden, tuple(sorted(statuses.items()))))
        return tuple(out)

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.answered)

    @property
    def overdue(self) -> tuple[TransferItem, ...]:
        return tuple(i for i in self.items if i.days_left is not None and i.days_left < 0)

    @property
    def warned(self) -> tuple[TransferItem, ...]:
        """Open items whose 办理时限 is yellow or red (overdue included)."""
        return tuple(i for i in self.items if i.colour in ("yellow", "red"))


@dataclass(frozen=True, slots=True)
class RectItem:
    title: str
    status: str
    owner: str = ""
    due: dt.date | None = None
    days_left: int | None = None
    colour: Colour | None = None
    drafts: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    measure: str = ""  # 整改措施
    unit: str = ""  # 责任单位
    immediate: bool = False  # 立行立改
    evidence: str = ""  # 佐证材料
    reviewer: str = ""  # 销号审核人
    closed_on: str = ""  # 销号日期
    loop_gaps: tuple[str, ...] = ()  # what the closed loop 建账 → 更新 → 销号 still lacks

    @property
    def closed(self) -> bool:
        return self.status == RECT_CLOSED

    @property
    def done(self) -> bool:
        return self.status in RECT_DONE

    @property
    def phase(self) -> str:
        """Where the item stands in the loop: 建账 (entered), 更新 (being worked on), 销号."""
        if self.closed:
            return "销号"
        return "建账" if self.status == "未启动" else "更新"

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0 and not self.done


def rate(done: int, total: int) -> int:
    """A percentage rounded down; 0 for nothing to count."""
    return (100 * done) // total if total else 0


@dataclass(frozen=True, slots=True)
class RectLedger(_Tally):
    items: tuple[RectItem, ...] = ()
    sensitive_count: int = 0

    @property
    def closed(self) -> int:
        return sum(1 for i in self.items if i.closed)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.done)

    @property
    def rate(self) -> int:
        """整改率: 已完成 + 已销号 over the listed items (counted-only sensitive ones left out)."""
        return rate(self.done, len(self.items))

    @property
    def immediate(self) -> int:
        return sum(1 for i in self.items if i.immediate)

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.overdue)

    @property
    def by_phase(self) -> tuple[tuple[str, int], ...]:
        c = Counter(i.phase for i in self.items)
        return tuple((k, c[k]) for k in ("建账", "更新", "销号") if c[k])

    @property
    def by_unit(self) -> tuple[tuple[str, int, int], ...]:
        """(责任单位, items, done) — items without a unit under （未填写）."""
        units: dict[str, list[RectItem]] = {}
        for i in self.items:
            units.setdefault(i.unit or "（未填写）", []).append(i)
        return tuple((u, len(xs), sum(1 for x in xs if x.done)) for u, xs in sorted(units.items()))


@dataclass(frozen=True, slots=True)
class UncitedProblem:
    title: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Ledgers:
    drafts: DraftLedger = field(default_factory=DraftLedger)
    transfers: TransferLedger = field(default_factory=TransferLedger)
    rectifications: RectLedger = field(default_factory=RectLedger)
    report_problems: int = 0  # problem blocks found on the 巡察情况报告 page(s)
    uncited_problems: tuple[UncitedProblem, ...] = ()
    uncited_sensitive: int = 0
