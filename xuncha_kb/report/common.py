"""Shared wording and small helpers for every renderer (all read the same Progress)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from xuncha_kb.report import ledger_view
from xuncha_kb.report.labels import COLOUR_LABEL, STAGE_LABEL, STATUS_LABEL
from xuncha_kb.track.progress_model import Deadline, HardDeadline, InspectionProgress, Progress

__all__ = ["COLOUR_LABEL", "STAGE_LABEL", "STATUS_LABEL"]

FORMATS = ("text", "md", "json", "html", "xlsx")
TITLE = "巡察进度报告"
REASON_LABEL = {"missing": "页面不存在", "empty": "页面为空"}
ISSUE_LABEL = {
    "unknown_activity": "未知活动编号",
    "duplicate_activity": "活动编号重复",
    "no_inspection": "无法归属巡察",
    "unknown_inspection": "巡察概览页不存在",
}


def fmt_date(d: dt.date | None) -> str:
    return d.isoformat() if d else "—"


def width(s: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def wrap_label(text: str, cells: int) -> list[str]:
    """``text`` cut into lines of at most ``cells`` display columns (CJK counts two): labels
    wrap, they are never shortened."""
    lines: list[str] = []
    cur, used = "", 0
    for ch in text:
        w = width(ch)
        if cur and used + w > cells:
            lines.append(cur)
            cur, used = "", 0
        cur += ch
        used += w
    if cur or not lines:
        lines.append(cur)
    return lines


def pad(s: str, n: int) -> str:
    return s + " " * max(0, n - width(s))


def bar(done: int, total: int, cells: int = 20) -> str:
    filled = round(cells * done / total) if total else 0
    return "█" * filled + "░" * (cells - filled)


def days_text(d: Deadline) -> str:
    if d.days_left < 0:
        return f"逾期 {-d.days_left} 天"
    if d.days_left == 0:
        return "今天到期"
    return f"剩余 {d.days_left} 天"


def deadline_line(d: Deadline) -> str:
    soft = "（参考）" if d.kind == "soft" else ""
    basis = "任务上的 DEADLINE" if d.source == "explicit" else d.rule
    return (f"{d.activity_id} {d.activity_name}　截止 {fmt_date(d.due)}（{days_text(d)}）"
            f"　依据：{basis}{soft}")


def hard_state(h: HardDeadline) -> str:
    """``截止 2026-10-15（剩余 80 天）`` / ``截止 2026-10-15（已完成）`` / ``待填写反馈意见签收日后计算``."""
    d = h.deadline
    if d is None:
        return f"{h.missing or '日期待定'}后自动计算"
    state = STATUS_LABEL[d.status] if d.closed else days_text(d)
    return f"截止 {fmt_date(d.due)}（{state}）"


def hard_deadline_line(h: HardDeadline) -> str:
    """One hard deadline with its source, shown whatever its colour."""
    return f"{h.activity_id} {h.activity_name}　{hard_state(h)}　来源：{h.basis}"


def current_stage_name(i: InspectionProgress) -> str:
    cur = i.current_stage
    return cur.name if cur else "全部完成"


def headline(i: InspectionProgress) -> str:
    return (f"{i.unit}　当前阶段：{current_stage_name(i)}　完成 {i.done}/{i.total}（{i.percent}%）"
            f"　逾期 {len(i.overdue)}　临期 {len(i.due_soon)}")


def ledger_lines(i: InspectionProgress) -> list[str]:
    """The ledger summary lines shared by text, md and html."""
    return ledger_view.ledger_lines(i.ledgers)


def incomplete_draft_lines(i: InspectionProgress) -> list[str]:
    """The ledgers' findings (named for what it first held: the 底稿 lint)."""
    return ledger_view.ledger_findings(i.ledgers)


def ledger_item_sections(i: InspectionProgress) -> list[tuple[str, list[str]]]:
    """(heading, one line per item) for the 整改 and 移交 items a report lists."""
    lg = i.ledgers
    out = []
    if lg.rectifications.items:
        out.append((f"整改事项（{len(lg.rectifications.items)}）",
                    [ledger_view.rect_item_line(x) for x in lg.rectifications.items]))
    if lg.transfers.items:
        out.append((f"移交事项（{len(lg.transfers.items)}）",
                    [ledger_view.transfer_item_line(x) for x in lg.transfers.items]))
    return out


KIND_UNIT = {"谈话": "人次", "信访": "件", "线索": "件", "其他": "项"}


def sensitive_summary(i: InspectionProgress) -> str | None:
    """``涉密内容（只计数，不引用）：谈话 2 人次、信访 1 件、线索 0 件；页面 1 个、标记块 3 个``
    — None when there is none."""
    if not (i.sensitive_pages or i.sensitive_blocks):
        return None
    kinds = "、".join(f"{k} {n} {KIND_UNIT.get(k, '项')}" for k, n in i.sensitive_kinds)
    return (f"涉密内容（只计数，不引用）：{kinds}；"
            f"页面 {i.sensitive_pages} 个、标记块 {i.sensitive_blocks} 个")


def missing_groups(i: InspectionProgress) -> list[str]:
    """Missing/empty artifacts grouped per activity: ``prep.11 熟悉… → 问题清单、提问清单（页面不存在）``."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for m in i.missing_artifacts:
        groups.setdefault((m.activity_id, m.activity_name, m.reason), []).append(m.artifact)
    out = []
    for (act_id, name, reason), labels in groups.items():
        counted: dict[str, int] = {}
        for label in labels:
            counted[label] = counted.get(label, 0) + 1
        shown = "、".join(f"{k}×{n}" if n > 1 else k for k, n in counted.items())
        out.append(f"{act_id} {name} → {shown}（{REASON_LABEL[reason]}）")
    return out


def portfolio_rows(p: Progress) -> list[tuple[str, list[InspectionProgress]]]:
    return [(r, list(items)) for r, items in p.rounds]
