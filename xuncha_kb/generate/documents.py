"""The documents an office sends (公文), as pure content: what each kind says, built from one
inspection's computed progress and ledgers.

Nothing here knows about Word: :class:`Document` is plain text in sections, an optional table
and optional forms, which ``generate/docx_render.py`` pours into an editable template.  The
progress it starts from is already safe to quote (``track/ledgers`` counts sensitive entries
without listing them, ``--redact names`` has already been applied), so a document never quotes
sensitive content; the one exception, the 线索移交函 to the 纪检 department, receives the
sensitive rows explicitly (``clues``) and only when the user asked for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from xuncha_kb.track.ledgers import DraftItem
from xuncha_kb.track.progress_model import InspectionProgress
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER

KINDS = ("巡察通知", "巡察工作方案", "问题底稿审批单", "巡察情况报告", "反馈意见", "移交函", "整改情况报告")

#: Table columns per kind (the template generator writes these headers; rows follow them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "巡察情况报告": ("编号", "问题名称", "责任主体", "状态"),
    "反馈意见": ("序号", "问题", "责任主体"),
    "移交函": ("序号", "移交事项", "移交对象", "依据底稿", "移交状态"),
    "整改情况报告": ("序号", "整改问题", "责任人", "整改时限", "整改状态"),
}

#: Rows of one 问题底稿审批单 (label, what goes there).
FORM_ROWS = ("被巡察单位", "编号", "问题名称", "编制日期", "问题来源", "问题概要", "定性", "责任主体",
             "底稿状态", "承办人意见", "副组长审核意见", "组长审批意见")

#: The recipient entitled to sensitive clues (线索移交).
CLUE_RECIPIENT = "纪检"
CLASSIFIED = "内部 ★ 注意保管"
_TBD = "（待补充）"


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    heading: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ClueRow:
    """One sensitive 移交 entry, handed in only for a 线索移交函 with ``--include-sensitive``."""

    title: str
    recipient: str
    status: str
    drafts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    title: str
    unit: str
    addressee: str = ""
    opening: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    table_title: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    forms: tuple[Form, ...] = ()
    sender: str = ""
    date: str = ""
    classification: str = ""  # 密级 mark, top left; set only when sensitive rows are included

    def context(self) -> dict[str, object]:
        """The template's variables (plain dicts, lists and strings)."""
        return {
            "kind": self.kind, "title": title_lines(self.title, self.unit), "unit": self.unit,
            "addressee": self.addressee,
            "opening": list(self.opening),
            "sections": [_section_dict(s) for s in self.sections],
            "table_title": self.table_title, "rows": [{"c": list(r)} for r in self.rows],
            "forms": [{"heading": f.heading, "rows": [{"label": a, "value": b} for a, b in f.rows]}
                      for f in self.forms],
            "sender": self.sender, "date": self.date, "classification": self.classification,
        }

    def texts(self) -> tuple[str, ...]:
        """Every string the document carries (for checks)."""
        out = [self.title, self.unit, self.addressee, *self.opening, self.table_title, self.sender, self.date]
        stack = list(self.sections)
        while stack:
            s = stack.pop()
            out += [s.heading, *s.paragraphs]
            stack.extend(s.subsections)
        out += [c for r in self.rows for c in r]
        out += [x for f in self.forms for row in f.rows for x in (f.heading, *row)]
        return tuple(out)


#: Characters of 二号 that fit on one line of the 156 mm text width (with room to spare).
TITLE_LINE = 19


def title_lines(title: str, unit: str) -> str:
    """A title too long for one line, broken ("\\n", a line break in the template) where the
    meaning allows (GB/T 9704 7.3.1: 回行时词意完整): before 关于, else after the unit's name —
    the first of these that leaves both lines short enough; otherwise as it is."""
    if len(title) <= TITLE_LINE:
        return title
    at = title.find(unit)
    cuts = [title.find("关于", 1), at + len(unit) if at >= 0 and unit else -1]
    for cut in cuts:
        if 0 < cut < len(title) and max(cut, len(title) - cut) <= TITLE_LINE:
            return title[:cut] + "\n" + title[cut:]
    return title


def _section_dict(s: Section) -> dict[str, object]:
    return {"heading": s.heading, "paragraphs": list(s.paragraphs),
            "subsections": [_section_dict(x) for x in s.subsections]}


def chinese_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


_NUMERALS = "一二三四五六七八九十"


def numeral(i: int) -> str:
    """1 → 一, 12 → 十二 (enough for headings)."""
    if i <= 10:
        return _NUMERALS[i - 1]
    tens, ones = divmod(i, 10)
    return (_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (_NUMERALS[ones - 1] if ones else "")


def _h(i: int, text: str) -> str:
    return f"{numeral(i)}、{text}"


def _h2(i: int, text: str) -> str:
    return f"（{numeral(i)}）{text}"


def _team(insp: InspectionProgress) -> str:
    leader = "、".join(insp.leader) or _TBD
    members = "、".join(insp.members) or _TBD
    return f"组长：{leader}；组员：{members}。"


def _schedule(insp: InspectionProgress) -> tuple[str, ...]:
    lines = tuple(f"{m.name}：{chinese_date(m.date) if m.date else '待定'}" for m in insp.milestones)
    return lines or (_TBD,)


def _group(insp: InspectionProgress) -> str:
    return f"{insp.round}巡察组" if insp.round else "巡察组"


def _by_class(drafts: Sequence[DraftItem]) -> tuple[tuple[str, tuple[DraftItem, ...]], ...]:
    """Drafts grouped by 责任主体 (the class a 底稿 names), in first-seen order."""
    groups: dict[str, list[DraftItem]] = {}
    for d in drafts:
        groups.setdefault(d.subject or "其他", []).append(d)
    return tuple((k, tuple(v)) for k, v in groups.items())


def _problem_line(d: DraftItem) -> str:
    head = f"{d.name}（底稿 {d.number}）" if d.number else d.name
    return f"{head}。{d.summary}" if d.summary else f"{head}。"


def _problem_sections(insp: InspectionProgress) -> tuple[Section, ...]:
    ledger = insp.ledgers.drafts
    subs = tuple(Section(_h2(i, f"{cls}方面（{len(items)} 个问题）"), tuple(_problem_line(d) for d in items))
                 for i, (cls, items) in enumerate(_by_class(ledger.items), 1))
    n = ledger.sensitive_count
    hidden = (f"另有 {n} 份底稿按保密规定不在本文列出。",) if n else ()
    if not subs:
        return (Section(_h2(1, "暂无已形成底稿的问题"), hidden or (_TBD,)),)
    last = subs[-1]
    return (*subs[:-1], Section(last.heading, (*last.paragraphs, *hidden)))


def _transfer_lines(insp: InspectionProgress) -> tuple[str, ...]:
    transfers = insp.ledgers.transfers
    lines = [f"移交{r} {n} 项（{_counts(s)}）。" for r, n, s in transfers.by_recipient
             if r != SENSITIVE_PLACEHOLDER]
    if transfers.sensitive_count:
        lines.append(f"另有 {transfers.sensitive_count} 项移交事项按保密规定不在本文列出。")
    return tuple(lines) or ("暂无移交事项。",)


def _drafts(names: Sequence[str]) -> str:
    """Cited 底稿 pages by their short name: ``…/底稿/001`` → ``底稿 001``."""
    return "、".join(f"底稿 {n.rsplit('/', 1)[-1]}" if "/底稿/" in n else n for n in names)


def _counts(pairs: Sequence[tuple[str, int]]) -> str:
    return "，".join(f"{k} {n} 项" for k, n in pairs) or "暂无"


def notice(insp: InspectionProgress, today: dt.date) -> Document:
    return Document(
        "巡察通知", f"关于对{insp.unit}开展巡察的通知", insp.unit, addressee=f"{insp.unit}党委：",
        opening=(f"根据{insp.round or '本年度'}巡察工作安排，经巡察工作领导小组研究，决定派出巡察组对"
                 f"{insp.unit}开展巡察。现将有关事项通知如下。",),
        sections=(
            Section(_h(1, "巡察组组成"), (_team(insp),)),
            Section(_h(2, "时间安排"), _schedule(insp)),
            Section(_h(3, "有关要求"), (
                "请按巡察组要求及时报送巡前备查资料，如实提供有关情况。",
                "巡察期间，请做好动员会组织、谈话安排、资料调阅和后勤保障等配合工作。",
                "巡察期间设立举报电话和邮箱，受理反映该单位党组织和领导班子成员问题的来信来电。")),
        ),
        sender="巡察工作领导小组办公室", date=chinese_date(today))


def plan(insp: InspectionProgress, today: dt.date) -> Document:
    stages = tuple(Section(_h2(i, f"{s.name}（{len(s.activities)} 项工作）"),
                           tuple(f"{j}. {a.name}" for j, a in enumerate(s.activities, 1)))
                   for i, s in enumerate(insp.stages, 1))
    return Document(
        "巡察工作方案", f"对{insp.unit}的巡察工作方案", insp.unit,
        sections=(
            Section(_h(1, "巡察对象和范围"), (f"巡察对象：{insp.unit}党组织和领导班子及其成员。",
                                             f"轮次：{insp.round or _TBD}。")),
            Section(_h(2, "巡察组组成"), (_team(insp),)),
            Section(_h(3, "时间安排"), _schedule(insp)),
            Section(_h(4, "工作步骤"), (), stages),
            Section(_h(5, "监督重点"), (_TBD,)),
            Section(_h(6, "工作要求"), ("严格遵守巡察工作纪律和保密要求，一事一底稿，问题须经三级审核。",)),
        ),
        sender=_group(insp), date=chinese_date(today))


def _form(insp: InspectionProgress, d: DraftItem) -> Form:
    def sign(step: str) -> str:
        return "（待签署）" if step in d.unsigned else "已签署"

    values = (insp.unit, d.number, d.name, d.date, d.source, d.summary, d.qualification, d.subject, d.status,
              sign("承办人"), sign("副组长审核"), sign("组长审批"))
    return Form(f"问题底稿审批单（{d.number or d.name}）", tuple(zip(FORM_ROWS, (v or "" for v in values),
                                                                      strict=True)))


def approval_forms(insp: InspectionProgress, today: dt.date) -> Document:
    drafts = insp.ledgers.drafts
    return Document("问题底稿审批单", "问题底稿审批单", insp.unit,
                    forms=tuple(_form(insp, d) for d in drafts.items), sender=_group(insp),
                    date=chinese_date(today))


def situation_report(insp: InspectionProgress, today: dt.date) -> Document:
    led = insp.ledgers
    drafts, rects = led.drafts, led.rectifications
    return Document(
        "巡察情况报告", f"关于对{insp.unit}巡察情况的报告", insp.unit, addressee="巡察工作领导小组：",
        opening=(f"按照巡察工作领导小组部署，{_group(insp)}对{insp.unit}开展了巡察。现将巡察情况报告如下。",),
        sections=(
            Section(_h(1, "巡察工作基本情况"), (
                _team(insp), *_schedule(insp),
                f"共形成问题底稿 {drafts.count} 份（{_counts(drafts.by_status)}）。")),
            Section(_h(2, "发现的主要问题"), (), _problem_sections(insp)),
            Section(_h(3, "移交情况"), _transfer_lines(insp)),
            Section(_h(4, "整改情况"), (f"整改事项 {rects.count} 项，已销号 {rects.closed} 项"
                                        f"（{_counts(rects.by_status)}）。",)),
            Section(_h(5, "意见建议"), (_TBD,)),
        ),
        table_title="问题底稿台账",
        rows=tuple((d.number, d.name, d.subject, d.status) for d in drafts.items),
        sender=_group(insp), date=chinese_date(today))


def _feedback_deadline(insp: InspectionProgress) -> str:
    for d in insp.deadlines:
        if "整改" in d.activity_name and d.kind == "hard":
            return f"请于 {chinese_date(d.due)} 前报送整改情况报告。"
    pending = next((p for _, name, p in insp.pending_deadlines if "整改" in name), None)
    return f"请于签收反馈意见后按规定时限报送整改情况报告（{pending}）。" if pending else \
        "请于签收反馈意见后按规定时限报送整改情况报告。"


def feedback(insp: InspectionProgress, today: dt.date) -> Document:
    items = insp.ledgers.drafts.items
    return Document(
        "反馈意见", f"关于对{insp.unit}巡察的反馈意见", insp.unit, addressee=f"{insp.unit}党委：",
        opening=(f"{_group(insp)}对{insp.unit}开展了巡察。经巡察工作领导小组审议，现将巡察发现的问题和整改要求反馈如下。",),
        sections=(
            Section(_h(1, "巡察发现的主要问题"), (), _problem_sections(insp)),
            Section(_h(2, "整改要求"), (
                "要切实履行整改主体责任，对反馈问题逐项制定整改措施，明确责任人和整改时限。",
                _feedback_deadline(insp))),
        ),
        table_title="反馈问题清单",
        rows=tuple((str(i), d.name, d.subject) for i, d in enumerate(items, 1)),
        sender=_group(insp), date=chinese_date(today))


def transfer_letter(insp: InspectionProgress, today: dt.date, *, to: str | None = None,
                    clues: Sequence[ClueRow] = ()) -> Document:
    """移交函 with its 移交清单; ``to`` keeps one recipient's items; ``clues`` (sensitive, for
    the 纪检 recipient only) are listed too and mark the document 内部."""
    items = [i for i in insp.ledgers.transfers.items if to is None or to in i.recipient]
    rows = [(i.title, i.recipient, _drafts(i.drafts), i.status) for i in items]
    rows += [(c.title, c.recipient, _drafts(c.drafts), c.status) for c in clues]
    hidden = insp.ledgers.transfers.sensitive_count - len(clues)
    note = (f"另有 {hidden} 项按保密规定不在本函列出。",) if hidden > 0 else ()
    return Document(
        "移交函", f"关于移交{insp.unit}巡察发现问题的函", insp.unit, addressee=f"{to or '有关单位'}：",
        opening=((f"{_group(insp)}在对{insp.unit}的巡察中发现以下问题，按照有关规定移交你单位处理。",
                  f"本次移交 {len(rows)} 项（见移交清单），请按规定办理，"
                  "并将办理情况反馈巡察工作领导小组办公室。") if rows else
                 (f"{_group(insp)}在对{insp.unit}的巡察中暂无需要移交你单位处理的问题（移交台账中没有可列出的事项）。",)
                 ) + note,
        table_title="移交清单",
        rows=tuple((str(n), *r) for n, r in enumerate(rows, 1)),
        sender="巡察工作领导小组办公室", date=chinese_date(today),
        classification=CLASSIFIED if clues else "")


def rectification_report(insp: InspectionProgress, today: dt.date) -> Document:
    rects = insp.ledgers.rectifications
    lines = tuple(f"{r.title}：{r.status}" + (f"，责任人 {r.owner}" if r.owner else "") +
                  (f"，整改时限 {chinese_date(r.due)}" if r.due else "") + "。" for r in rects.items)
    return Document(
        "整改情况报告", f"{insp.unit}党委关于巡察整改情况的报告", insp.unit, addressee="巡察工作领导小组：",
        opening=(f"根据{_group(insp)}反馈意见，{insp.unit}党委认真组织整改。现将整改情况报告如下。",),
        sections=(
            Section(_h(1, "整改工作总体情况"), (
                f"反馈问题对应整改事项 {rects.count} 项，已销号 {rects.closed} 项"
                f"（{_counts(rects.by_status)}）。",)),
            Section(_h(2, "问题整改逐项情况"), lines or (_TBD,)),
            Section(_h(3, "下一步工作"), (_TBD,)),
        ),
        table_title="整改情况清单",
        rows=tuple((str(i), r.title, r.owner, r.due.isoformat() if r.due else "", r.status)
                   for i, r in enumerate(rects.items, 1)),
        sender=f"{insp.unit}党委", date=chinese_date(today))


def build_document(kind: str, insp: InspectionProgress, today: dt.date, *, to: str | None = None,
                   clues: Sequence[ClueRow] = ()) -> Document:
    """The content of one document of ``kind`` (one of :data:`KINDS`)."""
    if kind == "移交函":
        return transfer_letter(insp, today, to=to, clues=clues)
    builders = {"巡察通知": notice, "巡察工作方案": plan, "问题底稿审批单": approval_forms,
                "巡察情况报告": situation_report, "反馈意见": feedback, "整改情况报告": rectification_report}
    return builders[kind](insp, today)
