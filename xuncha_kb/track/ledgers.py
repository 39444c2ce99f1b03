"""The three ledgers of an inspection, read from the graph: 底稿, 移交, 整改.

* 底稿: pages with ``type:: [[问题底稿]]`` — count, by ``状态::`` and by ``问题类别::`` (classes
  from the graph's 巡察问题分类 page, see ``track.taxonomy``), required fields missing, 三审
  sign-off missing, and the one-matter rule (一事一底稿): a 编号 used twice, or one paper
  whose ``问题概要`` lists several matters.  A 底稿 whose properties sit in its first ``- ``
  block (Logseq reads them as that block's properties) is read too, and says so.
* 移交: blocks with ``移交对象::`` — by recipient and ``移交状态::``; ``办理时限::`` (default
  移交日期 + 3 months) gets the three-colour warning until ``反馈日期::`` is filled in.
* 整改: blocks with ``整改状态::`` — the closed loop 建账 → 更新 → 销号 (a 销号 needs
  ``销号审核人::`` and ``销号日期::``), 整改率, ``整改时限::`` with the three-colour warning.
* Problems on the 巡察情况报告 page that cite no 底稿.

Sensitive pages and blocks are counted, never listed — not even by recipient.  Every text an
item carries is quoted through the graph's :class:`~xuncha_kb.track.sensitive.Secrets`, so
a title or property value that links, tags, embeds or names a sensitive page shows the
placeholder instead.  Blocks under ``template::`` never count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from xuncha_kb.model import Block, Graph, Page, page_key
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.deadlines import Thresholds, add_offset, colour_for, parse_date
from xuncha_kb.track.discover import InspectionRef, Owner, has_type, prop_names
from xuncha_kb.track.ledgers_model import (
    HIDDEN_STATUS,
    RECT_CLOSED,
    RECT_DONE,
    DraftItem,
    DraftLedger,
    Ledgers,
    RectItem,
    RectLedger,
    TransferItem,
    TransferLedger,
    UncitedProblem,
)
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER, Secrets, page_has_any_key, walk_context
from xuncha_kb.track.taxonomy import Taxonomy, graph_taxonomy

__all__ = [
    "HIDDEN_STATUS",
    "RECT_CLOSED",
    "RECT_DONE",
    "DraftItem",
    "DraftLedger",
    "Ledgers",
    "RectItem",
    "RectLedger",
    "TransferItem",
    "TransferLedger",
    "UncitedProblem",
    "block_text",
    "collect_ledgers",
    "draft_properties",
    "quoted_title",
]

_LEDGER_KEYS = frozenset({cv.TRANSFER_TO, cv.RECT_STATUS})
_SUMMARY = "问题概要"
_PROBLEM_TITLE = re.compile(r"^\s*(?:[#*]+\s*)?问题\s*[一二三四五六七八九十百0-9０-９]+")
_ENUM = re.compile(r"(?:^|[\s；;。])(?:[（(]?[1-9一二三四五六七八九十][)）、.．]|[①-⑩])")
_YES = frozenset({"是", "true", "yes", "y", "1", "√", "✓"})


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


@dataclass
class _Acc:
    drafts: list[DraftItem] = field(default_factory=list)
    draft_sensitive: int = 0
    transfers: list[TransferItem] = field(default_factory=list)
    transfer_sensitive: int = 0
    rects: list[RectItem] = field(default_factory=list)
    rect_sensitive: int = 0
    problems: int = 0
    uncited: list[UncitedProblem] = field(default_factory=list)
    uncited_sensitive: int = 0


def draft_properties(page: Page) -> tuple[Block | None, bool]:
    """(the block holding the 底稿's properties, is it a 底稿).  The page's own properties
    (pre-block) normally; a first ``- type:: [[问题底稿]] …`` block when the page has none —
    Logseq reads those as the block's properties, not the page's."""
    pre = page.blocks[0] if page.blocks and page.blocks[0].pre_block else None
    if has_type(page.properties, page.property_refs, cv.TYPE_DRAFT):
        return pre, True
    first = next((b for b in page.blocks if not b.pre_block), None)
    if first is not None and has_type(first.properties, first.property_refs, cv.TYPE_DRAFT):
        return first, True
    return None, False


def _draft_item(page: Page, secrets: Secrets, taxonomy: Taxonomy) -> DraftItem:
    holder, _ = draft_properties(page)
    in_block = holder is not None and not holder.pre_block
    props: Mapping[str, str] = holder.properties if in_block and holder else page.properties
    refs = holder.property_refs if in_block and holder else page.property_refs
    summaries = [props[_SUMMARY]] if props.get(_SUMMARY, "").strip() else []
    summaries += [b.properties[_SUMMARY] for b in page.walk()
                  if not b.pre_block and b is not holder and b.properties.get(_SUMMARY, "").strip()]

    def value(key: str) -> str:
        return secrets.value(props, refs, key) or ""

    cls = value(cv.DRAFT_CLASS)
    return DraftItem(
        page=page.name, file=page.file, number=value("编号"),
        name=value("名称") or (page.namespace[-1] if page.namespace else page.name),
        status=value(cv.DRAFT_STATUS) or "未填写", date=value("编制日期"), source=value("来源"),
        summary=value("问题概要"), qualification=value("定性"), subject=value("责任主体"),
        missing=tuple(k for k in cv.DRAFT_REQUIRED if not value(k)),
        unsigned=tuple(k for k in cv.DRAFT_SIGNOFF if not value(k)),
        several_matters=_several_matters(summaries),
        problem_class=cls, class_group=taxonomy.group_of(cls) or "" if cls else "",
        evidence=value("证据"), policy=value("政策依据"),
        signoff=tuple((k, value(k)) for k in cv.DRAFT_SIGNOFF),
        props_in_block=holder.span.line if in_block and holder else 0)


def _transfer_item(page: Page, b: Block, secrets: Secrets, today: dt.date, th: Thresholds) -> TransferItem:
    props, refs = b.properties, b.property_refs

    def value(key: str) -> str:
        return secrets.value(props, refs, key) or ""

    given = parse_date(props.get(cv.TRANSFER_LIMIT))
    sent = parse_date(props.get(cv.TRANSFER_DATE))
    limit = given or (add_offset(sent, cv.TRANSFER_LIMIT_DEFAULT) if sent else None)
    item = TransferItem(
        title=quoted_title(b, secrets), recipient=value(cv.TRANSFER_TO) or "（未填写）",
        status=value(cv.TRANSFER_STATUS) or "待移交", date=value(cv.TRANSFER_DATE),
        drafts=secrets.names(props, refs, cv.CITES_DRAFT), file=page.file, line=b.span.line,
        limit=limit, limit_given=given is not None, result=value(cv.TRANSFER_RESULT),
        feedback_on=value(cv.TRANSFER_FEEDBACK))
    if limit is None or item.answered:
        return item
    left = (limit - today).days
    return replace(item, days_left=left, colour=colour_for(left, th))


def _loop_gaps(status: str, reviewer: str, closed_on: str, evidence: str) -> tuple[str, ...]:
    gaps = []
    if status == RECT_CLOSED:
        gaps += [f"已销号但缺少{k}" for k, v in ((cv.RECT_REVIEWER, reviewer), (cv.RECT_CLOSED_ON, closed_on))
                 if not v]
    if status in RECT_DONE and not evidence:
        gaps.append(f"{status}但缺少{cv.RECT_EVIDENCE}")
    return tuple(gaps)


def _rect_item(page: Page, b: Block, secrets: Secrets, today: dt.date, thresholds: Thresholds) -> RectItem:
    props, refs = b.properties, b.property_refs

    def value(key: str) -> str:
        return secrets.value(props, refs, key) or ""

    status = value(cv.RECT_STATUS) or "未启动"
    due = parse_date(props.get(cv.RECT_DUE))
    left = (due - today).days if due else None
    open_item = left is not None and status not in RECT_DONE
    colour = colour_for(left, thresholds) if open_item and left is not None else None
    reviewer, closed_on, evidence = value(cv.RECT_REVIEWER), value(cv.RECT_CLOSED_ON), value(cv.RECT_EVIDENCE)
    return RectItem(
        title=quoted_title(b, secrets), status=status, owner=value(cv.RECT_OWNER),
        due=due, days_left=left, colour=colour, drafts=secrets.names(props, refs, cv.RECT_DRAFT),
        file=page.file, line=b.span.line, measure=value(cv.RECT_MEASURE), unit=value(cv.RECT_UNIT),
        immediate=value(cv.RECT_IMMEDIATE).strip().lower() in _YES, evidence=evidence,
        reviewer=reviewer, closed_on=closed_on, loop_gaps=_loop_gaps(status, reviewer, closed_on, evidence))


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


@dataclass(frozen=True, slots=True)
class _Reading:
    """What every page of one ledger walk needs."""

    owner: Owner
    secrets: Secrets
    draft_keys: frozenset[str]
    today: dt.date
    thresholds: Thresholds
    taxonomy: Taxonomy


def _ledger_block(r: _Reading, acc: dict[str, _Acc], page: Page, b: Block, ancestors: Sequence[Block],
                  sensitive: bool) -> None:
    props = b.properties
    ref = r.owner.of_block(page, b, ancestors)
    if ref is None:
        return
    a = acc[ref.key]
    if cv.TRANSFER_TO in props:
        if sensitive:
            a.transfer_sensitive += 1
        else:
            a.transfers.append(_transfer_item(page, b, r.secrets, r.today, r.thresholds))
    if cv.RECT_STATUS in props:
        if sensitive:
            a.rect_sensitive += 1
        else:
            a.rects.append(_rect_item(page, b, r.secrets, r.today, r.thresholds))


def _report_problem(r: _Reading, a: _Acc, page: Page, b: Block, sensitive: bool) -> None:
    a.problems += 1
    if _cites_draft(b, set(r.draft_keys)):
        return
    if sensitive:
        a.uncited_sensitive += 1
    else:
        a.uncited.append(UncitedProblem(quoted_title(b, r.secrets), page.file, b.span.line))


def _read_page(r: _Reading, acc: dict[str, _Acc], page: Page) -> None:
    psens = r.secrets.page_is_sensitive(page)
    page_owner = r.owner.of_page(page)
    if page.key in r.draft_keys and page_owner is not None:
        a = acc[page_owner.key]
        if psens:
            a.draft_sensitive += 1
        else:
            a.drafts.append(_draft_item(page, r.secrets, r.taxonomy))
    report_owner = page_owner if page_owner and _is_report_page(page, page_owner) else None
    if report_owner is None and not page_has_any_key(page, _LEDGER_KEYS):
        return
    for ctx in walk_context(page, page_sensitive=psens, secrets=r.secrets):
        b = ctx.block
        if ctx.in_template or b.pre_block:
            continue
        if cv.TRANSFER_TO in b.properties or cv.RECT_STATUS in b.properties:
            _ledger_block(r, acc, page, b, ctx.ancestors, ctx.sensitive)
        if report_owner is not None and _is_problem(b) and not any(_is_problem(x) for x in ctx.ancestors):
            _report_problem(r, acc[report_owner.key], page, b, ctx.sensitive)


def _ledgers_of(a: _Acc) -> Ledgers:
    numbers: dict[str, list[str]] = {}
    for d in a.drafts:
        if d.number:
            numbers.setdefault(d.number, []).append(d.page)
    dups = tuple((n, tuple(ps)) for n, ps in sorted(numbers.items()) if len(ps) > 1)
    return Ledgers(
        drafts=DraftLedger(tuple(sorted(a.drafts, key=lambda d: (d.number or "~", d.page))),
                           a.draft_sensitive, dups),
        transfers=TransferLedger(tuple(a.transfers), a.transfer_sensitive),
        rectifications=RectLedger(tuple(a.rects), a.rect_sensitive),
        report_problems=a.problems, uncited_problems=tuple(a.uncited), uncited_sensitive=a.uncited_sensitive)


def collect_ledgers(graph: Graph, inspections: Sequence[InspectionRef], today: dt.date,
                    thresholds: Thresholds | None = None,
                    secrets: Secrets | None = None) -> dict[str, Ledgers]:
    """Inspection key → its ledgers (``secrets``: the graph's, computed when not given)."""
    secrets = Secrets.of_graph(graph) if secrets is None else secrets
    draft_keys = frozenset(p.key for p in graph.pages if draft_properties(p)[1])
    r = _Reading(Owner(inspections), secrets, draft_keys, today, thresholds or Thresholds(),
                 graph_taxonomy(graph))
    acc = {ref.key: _Acc() for ref in inspections}
    for page in graph.pages:
        _read_page(r, acc, page)
    return {key: _ledgers_of(a) for key, a in acc.items()}
