"""The three ledgers of an inspection, read from the graph: 底稿, 移交, 整改.

* 底稿: pages with ``type:: [[问题底稿]]`` — count, by ``状态::``, required fields missing,
  三审 sign-off missing, and the one-matter rule (一事一底稿): a 编号 used twice, or one paper
  whose ``问题概要`` lists several matters.
* 移交: blocks with ``移交对象::`` — grouped by recipient and ``移交状态::``.
* 整改: blocks with ``整改状态::`` — by status; ``已销号`` counts as closed (销号); ``整改时限::``
  gets the same three-colour warning as activity deadlines.
* Problems on the 巡察情况报告 page that cite no 底稿.

Sensitive pages and blocks are counted, never listed — not even by recipient.  Every text an
item carries is quoted through the graph's :class:`~xuncha_kb.track.sensitive.Secrets`, so
a title or property value that links, tags, embeds or names a sensitive page shows the
placeholder instead.  Blocks under ``template::`` never count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from xuncha_kb.model import Block, Graph, Page, page_key
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.deadlines import Colour, Thresholds, colour_for, parse_date
from xuncha_kb.track.discover import InspectionRef, Owner, has_type, prop_names
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER, Secrets, page_has_any_key, walk_context

RECT_CLOSED = "已销号"
HIDDEN_STATUS = "涉密（仅计数）"  # how counted-only items show in a by-status breakdown
_LEDGER_KEYS = frozenset({cv.TRANSFER_TO, cv.RECT_STATUS})
_SUMMARY = "问题概要"
RECT_DONE = ("已完成", "已销号")
_PROBLEM_TITLE = re.compile(r"^\s*(?:[#*]+\s*)?问题\s*[一二三四五六七八九十百0-9０-９]+")
_ENUM = re.compile(r"(?:^|[\s；;。])(?:[（(]?[1-9一二三四五六七八九十][)）、.．]|[①-⑩])")


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


@dataclass(frozen=True, slots=True)
class TransferItem:
    title: str
    recipient: str
    status: str
    date: str = ""
    drafts: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


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

    @property
    def closed(self) -> bool:
        return self.status == RECT_CLOSED


@dataclass(frozen=True, slots=True)
class RectLedger(_Tally):
    items: tuple[RectItem, ...] = ()
    sensitive_count: int = 0

    @property
    def closed(self) -> int:
        return sum(1 for i in self.items if i.closed)


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


def block_text(block: Block, limit: int = 60) -> str:
    """A block's first line for a ledger cell: no marker, no properties, refs unbracketed."""
    text = block.title.strip()
    text = re.sub(r"\[\[([^\[\]]+)\]\]", r"\1", text)
    text = re.sub(r"\s*(?:SCHEDULED|DEADLINE):\s*<[^>]*>", "", text).strip()
    if "::" in text and re.match(r"^[^\s:]+::", text):
        text = ""
    if not text:
        text = "（无标题）"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted_title(block: Block, secrets: Secrets) -> str:
    """``block_text`` as a report may show it: the placeholder when the title refers to a
    sensitive page."""
    return SENSITIVE_PLACEHOLDER if secrets.mentions(block.title) else block_text(block)


def _several_matters(summaries: Sequence[str]) -> bool:
    if len(summaries) > 1:
        return True
    return bool(summaries) and len(_ENUM.findall(summaries[0])) >= 2


class _Acc:
    def __init__(self) -> None:
        self.drafts: list[DraftItem] = []
        self.draft_sensitive = 0
        self.transfers: list[TransferItem] = []
        self.transfer_sensitive = 0
        self.rects: list[RectItem] = []
        self.rect_sensitive = 0
        self.problems = 0
        self.uncited: list[UncitedProblem] = []
        self.uncited_sensitive = 0


def _draft_item(page: Page, secrets: Secrets) -> DraftItem:
    props = page.properties
    summaries = [props[_SUMMARY]] if props.get(_SUMMARY, "").strip() else []
    summaries += [b.properties[_SUMMARY] for b in page.walk()
                  if not b.pre_block and b.properties.get(_SUMMARY, "").strip()]

    def value(key: str) -> str | None:
        return secrets.value(props, page.property_refs, key)

    return DraftItem(
        page=page.name,
        file=page.file,
        number=value("编号") or "",
        name=value("名称") or (page.namespace[-1] if page.namespace else page.name),
        status=value(cv.DRAFT_STATUS) or "未填写",
        date=value("编制日期") or "",
        source=value("来源") or "",
        summary=value("问题概要") or "",
        qualification=value("定性") or "",
        subject=value("责任主体") or "",
        missing=tuple(k for k in cv.DRAFT_REQUIRED if not value(k)),
        unsigned=tuple(k for k in cv.DRAFT_SIGNOFF if not value(k)),
        several_matters=_several_matters(summaries),
    )


def _transfer_item(page: Page, b: Block, secrets: Secrets) -> TransferItem:
    props, refs = b.properties, b.property_refs
    return TransferItem(
        title=quoted_title(b, secrets),
        recipient=secrets.value(props, refs, cv.TRANSFER_TO) or "（未填写）",
        status=secrets.value(props, refs, cv.TRANSFER_STATUS) or "待移交",
        date=secrets.value(props, refs, cv.TRANSFER_DATE) or "",
        drafts=secrets.names(props, refs, cv.CITES_DRAFT),
        file=page.file, line=b.span.line)


def _rect_item(page: Page, b: Block, secrets: Secrets, today: dt.date, thresholds: Thresholds) -> RectItem:
    props, refs = b.properties, b.property_refs
    status = secrets.value(props, refs, cv.RECT_STATUS) or "未启动"
    due = parse_date(props.get(cv.RECT_DUE))
    left = (due - today).days if due else None
    open_item = left is not None and status not in RECT_DONE
    colour = colour_for(left, thresholds) if open_item and left is not None else None
    return RectItem(
        title=quoted_title(b, secrets), status=status, owner=secrets.value(props, refs, cv.RECT_OWNER) or "",
        due=due, days_left=left, colour=colour, drafts=secrets.names(props, refs, cv.RECT_DRAFT),
        file=page.file, line=b.span.line)


def _is_report_page(page: Page, ref: InspectionRef) -> bool:
    if has_type(page.properties, page.property_refs, cv.TYPE_INSPECTION_REPORT):
        return True
    base = page_key(cv.sub_page_name(ref.name, cv.PAGE_INSPECTION_REPORT))
    return page.key == base or page.key.startswith(base + "/")


def _is_problem(block: Block) -> bool:
    if cv.P_PROBLEM in block.properties:
        return True
    if any(page_key(r) == cv.P_PROBLEM for r in block.refs):
        return True
    return bool(_PROBLEM_TITLE.match(block.title))


def _cites_draft(block: Block, draft_keys: set[str]) -> bool:
    for b in block.walk():
        if prop_names(b.properties, b.property_refs, cv.CITES_DRAFT):
            return True
        for r in b.refs:
            k = page_key(r)
            if k in draft_keys or f"/{cv.PAGE_DRAFTS_NS}/" in k:
                return True
    return False


def collect_ledgers(graph: Graph, inspections: Sequence[InspectionRef], today: dt.date,
                    thresholds: Thresholds | None = None,
                    secrets: Secrets | None = None) -> dict[str, Ledgers]:
    """Inspection key → its ledgers (``secrets``: the graph's, computed when not given)."""
    thresholds = thresholds or Thresholds()
    secrets = Secrets.of(graph.pages) if secrets is None else secrets
    owner = Owner(inspections)
    acc = {r.key: _Acc() for r in inspections}
    draft_keys = {p.key for p in graph.pages if has_type(p.properties, p.property_refs, cv.TYPE_DRAFT)}
    for page in graph.pages:
        psens = secrets.page_is_sensitive(page)
        page_owner = owner.of_page(page)
        if page.key in draft_keys and page_owner is not None:
            a = acc[page_owner.key]
            if psens:
                a.draft_sensitive += 1
            else:
                a.drafts.append(_draft_item(page, secrets))
        report_owner = page_owner if page_owner and _is_report_page(page, page_owner) else None
        if report_owner is None and not page_has_any_key(page, _LEDGER_KEYS):
            continue
        for ctx in walk_context(page, page_sensitive=psens, secrets=secrets):
            b = ctx.block
            if ctx.in_template or b.pre_block:
                continue
            props = b.properties
            if cv.TRANSFER_TO in props or cv.RECT_STATUS in props:
                ref = owner.of_block(page, b, ctx.ancestors)
                if ref is None:
                    continue
                a = acc[ref.key]
                if cv.TRANSFER_TO in props:
                    if ctx.sensitive:
                        a.transfer_sensitive += 1
                    else:
                        a.transfers.append(_transfer_item(page, b, secrets))
                if cv.RECT_STATUS in props:
                    if ctx.sensitive:
                        a.rect_sensitive += 1
                        continue
                    a.rects.append(_rect_item(page, b, secrets, today, thresholds))
            if report_owner is not None and _is_problem(b) and not any(_is_problem(x) for x in ctx.ancestors):
                a = acc[report_owner.key]
                a.problems += 1
                if not _cites_draft(b, draft_keys):
                    if ctx.sensitive:
                        a.uncited_sensitive += 1
                    else:
                        a.uncited.append(UncitedProblem(quoted_title(b, secrets), page.file, b.span.line))
    out: dict[str, Ledgers] = {}
    for key, a in acc.items():
        numbers: dict[str, list[str]] = {}
        for d in a.drafts:
            if d.number:
                numbers.setdefault(d.number, []).append(d.page)
        dups = tuple((n, tuple(ps)) for n, ps in sorted(numbers.items()) if len(ps) > 1)
        out[key] = Ledgers(
            drafts=DraftLedger(tuple(sorted(a.drafts, key=lambda d: (d.number or "~", d.page))),
                               a.draft_sensitive, dups),
            transfers=TransferLedger(tuple(a.transfers), a.transfer_sensitive),
            rectifications=RectLedger(tuple(a.rects), a.rect_sensitive),
            report_problems=a.problems,
            uncited_problems=tuple(a.uncited),
            uncited_sensitive=a.uncited_sensitive,
        )
    return out
