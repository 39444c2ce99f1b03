"""Deadlines: a rule (anchor milestone + ISO offset) + milestone dates + today → due date, colour.

三色预警 (three-colour warning): green when at least ``yellow_days`` (20) days are left,
yellow below that, red below ``red_days`` (10) or when overdue.  Both thresholds are
configurable.  Month arithmetic uses dateutil's relativedelta (31 Jan + 1 month = 28/29 Feb).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from xuncha_kb.errors import InputError
from xuncha_kb.logseq.properties import normalise_key
from xuncha_kb.workflow.model import DeadlineRule, Milestone

Colour = Literal["green", "yellow", "red"]

_ISO = re.compile(r"^(?P<sign>[-+])?P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?<!\d)(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_EN_DATE = re.compile(r"(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})")


@dataclass(frozen=True, slots=True)
class Thresholds:
    yellow_days: int = 20  # fewer days left than this → yellow
    red_days: int = 10  # fewer days left than this (or overdue) → red

    def __post_init__(self) -> None:
        if self.red_days < 0 or self.yellow_days < self.red_days:
            raise InputError(f"预警阈值无效：黄色 {self.yellow_days} 天、红色 {self.red_days} 天",
                             hint="黄色阈值应不小于红色阈值，且均不小于 0。")


def parse_date(raw: str | None) -> dt.date | None:
    """A date as staff write it: 2026-03-02, [[2026-03-02]], 2026/3/2, 2026年3月2日, [[Mar 2nd, 2026]]."""
    if not raw:
        return None
    text = raw.strip()
    for pat in _DATE_PATTERNS:
        m = pat.search(text)
        if m:
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return None
    m = _EN_DATE.search(text)
    if m and m["mon"].lower() in _MONTHS:
        try:
            return dt.date(int(m["y"]), _MONTHS[m["mon"].lower()], int(m["d"]))
        except ValueError:
            return None
    return None


#: Years a date given as an option (--today, --entry, --exit, --year) may have.  Outside them
#: a date is a typo, and deadline arithmetic could leave the calendar (year 1 … 9999).
OPTION_YEARS = range(1900, 3000)


def check_option_day(day: dt.date, option: str) -> dt.date:
    """``day`` if its year is in :data:`OPTION_YEARS`, else InputError naming the option."""
    if day.year not in OPTION_YEARS:
        raise InputError(f"{option} 的日期 {day.isoformat()} 超出合理范围"
                         f"（{OPTION_YEARS.start}–{OPTION_YEARS.stop - 1} 年）",
                         hint=f"请检查 {option} 的年份，格式为 YYYY-MM-DD，例如 2026-06-01。")
    return day


_OPTION_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_option_date(raw: str, option: str) -> dt.date:
    """A date given as an option: exactly ``YYYY-MM-DD`` (ASCII digits; surrounding blanks
    allowed), a real day, in :data:`OPTION_YEARS`.  One rule for --today, --entry and --exit
    (``date.fromisoformat`` alone would also take ``20260310`` or ``2026-W11-2``)."""
    text = raw.strip()
    try:
        if not _OPTION_DAY.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} 的日期“{raw}”无法识别",
                         hint=f"{option} 的格式为 YYYY-MM-DD，例如 2026-06-01。") from None
    return check_option_day(day, option)


def parse_today(raw: str | None) -> dt.date:
    """``--today YYYY-MM-DD``; the real date when absent."""
    if raw is None:
        return dt.date.today()
    return parse_option_date(raw, "--today")


def add_offset(day: dt.date, offset: str) -> dt.date | None:
    """``day`` + an ISO-8601 duration (``P3M``, ``P45D``, ``-P10D``, ``P1Y2M``, ``P2W``).

    None when the result would leave the calendar (a page saying 进驻日:: 9999-12-31): such a
    deadline cannot be computed, and one page's odd date must never stop a command.
    """
    m = _ISO.match(offset.strip().upper())
    if not m or offset.strip().upper() in {"P", "-P", "+P"}:
        raise InputError(f"无法识别的期限偏移：{offset!r}",
                         hint="请使用 ISO-8601 时长，例如 P3M、P45D、-P10D。")
    from dateutil.relativedelta import relativedelta

    sign = -1 if m["sign"] == "-" else 1
    delta = relativedelta(
        years=int(m["y"] or 0), months=int(m["m"] or 0), weeks=int(m["w"] or 0), days=int(m["d"] or 0)
    )
    try:
        result: dt.date = day + delta if sign > 0 else day - delta
    except (OverflowError, ValueError):  # dateutil raises ValueError for a year outside 1…9999
        return None
    return result


def describe_offset(offset: str) -> str:
    """``P3M`` → ``3个月后``; ``-P10D`` → ``10天前``."""
    m = _ISO.match(offset.strip().upper())
    if not m:
        return offset
    parts = []
    for key, unit in (("y", "年"), ("m", "个月"), ("w", "周"), ("d", "天")):
        if m[key]:
            parts.append(f"{int(m[key])}{unit}")
    if not parts:
        return "当天"
    return "".join(parts) + ("前" if m["sign"] == "-" else "后")


def milestone_dates(milestones: tuple[Milestone, ...], props: Mapping[str, str]) -> dict[str, dt.date | None]:
    """Milestone id → date read from the overview page's property named after the milestone."""
    # milestone names are block titles: strip them, as the property reader strips keys
    return {m.id: parse_date(props.get(normalise_key(m.name.strip()))) for m in milestones}


def rule_basis(rule: DeadlineRule, anchor_name: str) -> str:
    """Where a rule comes from, as a reader wants it next to the date:
    ``白板：应自反馈意见签收之日起 3 个月内`` for a rule of the process whiteboard itself,
    ``工作流程定义（ext:E5）：…`` for a configurable default."""
    stated = rule.text or f"{anchor_name}{describe_offset(rule.offset)}"
    if rule.source == "seed":
        return f"白板：{stated}"
    origin = "" if rule.source == "default" else f"（{rule.source}）"
    return f"工作流程定义{origin}：{stated}"


def due_from_rule(rule: DeadlineRule, dates: Mapping[str, dt.date | None]) -> dt.date | None:
    anchor = dates.get(rule.anchor)
    return add_offset(anchor, rule.offset) if anchor else None


def days_left(due: dt.date, today: dt.date) -> int:
    return (due - today).days


def colour_for(left: int, thresholds: Thresholds = Thresholds()) -> Colour:
    if left < thresholds.red_days:
        return "red"
    if left < thresholds.yellow_days:
        return "yellow"
    return "green"
