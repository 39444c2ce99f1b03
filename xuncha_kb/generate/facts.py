"""What the office knows when it starts an inspection, validated from command-line values.

``make_facts`` turns raw option strings into ``InspectionFacts`` (or an ``InputError`` naming
the option); ``milestone_dates`` says which workflow milestones those facts date.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xuncha_kb.errors import InputError
from xuncha_kb.logseq.properties import LIST_SEPARATORS_RE
from xuncha_kb.model import Page
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
# Unicode categories never allowed in a name: C1 controls (Cc), format characters such as
# zero-width spaces, BOM and bidi overrides (Cf), line/paragraph separators (Zl, Zp), and
# lone surrogates (Cs: bytes that were not UTF-8 on the command line).
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


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
    hidden = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in _INVISIBLE})
    if hidden:
        codes = "、".join(hidden)
        raise InputError(f"{label}“{text!r}”含有看不见的字符 {codes}"
                         "（零宽字符、文字方向控制符或无效的编码），会让两个看起来一样的名称成为不同的页面",
                         hint=f"请重新输入 {option} 的值（不要从网页或文档中直接复制）。")
    for ch, why in _FORBIDDEN.items():
        if ch in text:
            raise InputError(f"{label}“{text}”含有字符 “{ch}”，{why}",
                             hint=f"请去掉该字符后重试（{option}）。")
    if text in (".", "..") or text.startswith(".."):
        raise InputError(f"{label}“{text}”会指向图谱目录之外", hint=f"请检查 {option} 的值。")
    if text.startswith("((") or "::" in text:
        raise InputError(f"{label}“{text}”看起来像块引用或属性，不能作为名称", hint=f"请检查 {option} 的值。")
    return _fits_a_page(text, label, option)


def _fits_a_page(text: str, label: str, option: str) -> str:
    """Every name is also a page (``[[张三]]``, ``[[2026年第一轮]]``) that Logseq stores as a file:
    it must fit a file name (255 bytes once encoded)."""
    from xuncha_kb.logseq.names import safe_title_to_relpath

    try:
        safe_title_to_relpath(text)
    except InputError as exc:
        raise InputError(f"{label}不能作为页面名称：{exc.message}", hint=f"请缩短 {option} 的值。") from None
    return text


def split_members(raw: str | Iterable[str] | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    chunks = [raw] if isinstance(raw, str) else list(raw)
    parts = [p for chunk in chunks for p in LIST_SEPARATORS_RE.split(chunk)]
    names = (check_name(p, "组员姓名", "--members") for p in parts if p.strip())
    return tuple(dict.fromkeys(names))  # a name given twice is one member


def parse_date_option(raw: str | None, option: str) -> _dt.date | None:
    """``YYYY-MM-DD`` from an option (None when blank), by ``deadlines.parse_option_date``."""
    from xuncha_kb.track.deadlines import parse_option_date

    if raw is None or not raw.strip():
        return None
    return parse_option_date(raw, option)


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


# --- the facts of an inspection that already exists ------------------------------------------

@dataclass(frozen=True, slots=True)
class FactsInForce:
    """What an existing overview page states: the facts, every milestone date, the raw date text."""

    facts: InspectionFacts
    dates: Mapping[str, _dt.date]  # milestone id → date, for the dates filled in
    date_text: Mapping[str, str]  # milestone id → the property's text, as written


def facts_in_force(workflow: Workflow, page: Page) -> FactsInForce | None:
    """The facts an overview page states now (None if the page is not an inspection's overview).

    The page is where the office keeps these facts once the inspection exists: staff edit
    组长::, 组员::, 进驻日:: … there, and ``sync`` regenerates from them.
    """
    from xuncha_kb.track.deadlines import milestone_dates as dates_on_page
    from xuncha_kb.track.discover import inspection_from_page, prop_text

    ref = inspection_from_page(page)
    if ref is None:
        return None
    dates = {k: v for k, v in dates_on_page(workflow.milestones, page.properties).items() if v is not None}
    texts = {m.id: prop_text(page.properties, m.name) or "" for m in workflow.milestones}
    entry, exit_ = (find_milestone(workflow, spec) for spec in (ENTRY_MILESTONE, EXIT_MILESTONE))
    facts = InspectionFacts(unit=ref.unit, round=ref.round, leader=ref.leader[0] if ref.leader else None,
                            members=ref.members, entry=dates.get(entry.id) if entry else None,
                            exit=dates.get(exit_.id) if exit_ else None)
    return FactsInForce(facts, dates, texts)


@dataclass(frozen=True, slots=True)
class FactDifference:
    """One fact asked for on the command line that differs from the one in force."""

    label: str  # the overview page's property, e.g. 组长
    option: str  # e.g. --leader
    in_force: str  # as the page states it ("" = not filled in)
    given: str

    def __str__(self) -> str:
        was = f"“{self.in_force}”" if self.in_force else "未填写"
        return f"{self.label}：概览页上为{was}，本次 {self.option} 为“{self.given}”"


def fact_differences(workflow: Workflow, given: InspectionFacts,
                     current: FactsInForce) -> list[FactDifference]:
    """The facts ``given`` asks for (options left out are not compared) that differ from ``current``."""
    now = current.facts
    out: list[FactDifference] = []
    if given.leader is not None and given.leader != _nfc(now.leader):
        out.append(FactDifference(cv.P_LEADER, "--leader", _nfc(now.leader), given.leader))
    if given.members and set(given.members) != {_nfc(m) for m in now.members}:
        out.append(FactDifference(cv.P_MEMBERS, "--members", "、".join(now.members),
                                  "、".join(given.members)))
    for spec, option, wanted, have in ((ENTRY_MILESTONE, "--entry", given.entry, now.entry),
                                       (EXIT_MILESTONE, "--exit", given.exit, now.exit)):
        m = find_milestone(workflow, spec)
        if m is not None and wanted is not None and wanted != have:
            out.append(FactDifference(m.name, option, current.date_text.get(m.id, ""), wanted.isoformat()))
    return out


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").strip()
