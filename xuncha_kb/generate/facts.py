"""What the office knows when it starts an inspection, validated from command-line values.

``make_facts`` turns raw option strings into ``InspectionFacts`` (or an ``InputError`` naming
the option); ``milestone_dates`` says which workflow milestones those facts date.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from xuncha_kb.errors import InputError
from xuncha_kb.logseq.properties import LIST_SEPARATORS_RE
from xuncha_kb.track import conventions as cv
from xuncha_kb.workflow.model import Milestone, Workflow

# Which milestone a command-line date fills: (ids, names) to look for in the workflow.
ENTRY_MILESTONE = (("entry_date",), (cv.MILESTONE_ENTRY,))
EXIT_MILESTONE = (("exit_date",), (cv.MILESTONE_EXIT,))

_FORBIDDEN = {
    "/": "会被 Logseq 当作命名空间分隔符",
    "[": "会破坏页面引用 [[…]]",
    "]": "会破坏页面引用 [[…]]",
    "{": "会被当作宏 {{…}}",
    "}": "会被当作宏 {{…}}",
    "\\": "不能出现在文件名中",
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- facts ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class InspectionFacts:
    """What the office knows when it starts an inspection."""

    unit: str  # 被巡察单位
    round: str  # 轮次, e.g. 2026年第一轮
    leader: str | None = None
    members: tuple[str, ...] = ()
    entry: _dt.date | None = None  # 进驻日
    exit: _dt.date | None = None  # 撤离日

    @property
    def name(self) -> str:
        return cv.inspection_page_name(self.round, self.unit)

    @property
    def year(self) -> int | None:
        m = re.search(r"(\d{4})", self.round)
        if m:
            return int(m.group(1))
        return self.entry.year if self.entry else None


def check_name(value: str | None, label: str, option: str) -> str:
    """A name that becomes part of a page title, or InputError (exit 2) saying why not."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if not text:
        raise InputError(f"{label}不能为空", hint=f"请用 {option} 指定{label}。")
    if any(ord(c) < 32 or ord(c) == 0x7F for c in text):
        raise InputError(f"{label}“{text!r}”含有控制字符（如换行），不能作为页面名称",
                         hint=f"请检查 {option} 的值。")
    for ch, why in _FORBIDDEN.items():
        if ch in text:
            raise InputError(f"{label}“{text}”含有字符 “{ch}”，{why}",
                             hint=f"请去掉该字符后重试（{option}）。")
    if text in (".", "..") or text.startswith(".."):
        raise InputError(f"{label}“{text}”会指向图谱目录之外", hint=f"请检查 {option} 的值。")
    if text.startswith("((") or "::" in text:
        raise InputError(f"{label}“{text}”看起来像块引用或属性，不能作为名称", hint=f"请检查 {option} 的值。")
    return text


def split_members(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    chunks = [raw] if isinstance(raw, str) else list(raw)
    parts = [p for chunk in chunks for p in LIST_SEPARATORS_RE.split(chunk)]
    return tuple(check_name(p, "组员姓名", "--members") for p in parts if p.strip())


def parse_date_option(raw: str | None, option: str) -> _dt.date | None:
    """``YYYY-MM-DD`` from an option, or InputError naming the option."""
    if raw is None or not raw.strip():
        return None
    try:
        if not _ISO_DAY.match(raw.strip()):
            raise ValueError(raw)
        return _dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(f"{option} 的日期“{raw}”无法识别",
                         hint="日期格式为 YYYY-MM-DD，例如 2026-03-02。") from None


def make_facts(unit: str | None, round_name: str | None, *, leader: str | None = None,
               members: str | Iterable[str] | None = None, entry: str | _dt.date | None = None,
               exit: str | _dt.date | None = None) -> InspectionFacts:
    """Validated facts from raw option values (strings from the command line)."""
    e = entry if isinstance(entry, _dt.date) or entry is None else parse_date_option(entry, "--entry")
    x = exit if isinstance(exit, _dt.date) or exit is None else parse_date_option(exit, "--exit")
    if e and x and x < e:
        raise InputError(f"撤离日 {x} 早于进驻日 {e}", hint="请检查 --entry 与 --exit。")
    return InspectionFacts(
        unit=check_name(unit, "被巡察单位", "--unit"),
        round=check_name(round_name, "巡察轮次", "--round"),
        leader=check_name(leader, "组长姓名", "--leader") if leader and leader.strip() else None,
        members=split_members(members),
        entry=e, exit=x,
    )



def find_milestone(workflow: Workflow, spec: tuple[tuple[str, ...], tuple[str, ...]]) -> Milestone | None:
    ids, names = spec
    return next((m for m in workflow.milestones if m.id in ids or m.name in names), None)


def milestone_dates(workflow: Workflow, facts: InspectionFacts) -> dict[str, _dt.date]:
    """Milestone id → date, for the milestones the facts give."""
    out: dict[str, _dt.date] = {}
    for spec, value in ((ENTRY_MILESTONE, facts.entry), (EXIT_MILESTONE, facts.exit)):
        m = find_milestone(workflow, spec)
        if m is not None and value is not None:
            out[m.id] = value
    return out

