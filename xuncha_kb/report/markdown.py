"""A Logseq page (Markdown outline) with the same content as the text view.

The page is marked ``xuncha-generated:: report`` and ``type:: [[巡察进度报告]]``; ``--write``
puts it into the graph through the safe writer.  It never carries task markers, ``活动::`` or
ledger properties, so a report page never counts as progress itself.  ``render_org`` is the
same page in Org syntax, for graphs with ``:preferred-format :org``.
"""

from __future__ import annotations

import re

from xuncha_kb.report.common import (
    ISSUE_LABEL,
    STAGE_LABEL,
    STATUS_LABEL,
    bar,
    current_stage_name,
    deadline_line,
    fmt_date,
    hard_deadline_line,
    incomplete_draft_lines,
    ledger_item_sections,
    ledger_lines,
    missing_groups,
    sensitive_summary,
)
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.progress_model import InspectionProgress, Progress

DOT = {"green": "🟢", "yellow": "🟡", "red": "🔴"}


def _safe(text: str) -> str:
    """Keep user text from turning into Logseq syntax on the report page (markers, properties)."""
    text = text.replace("::", "：").replace("\n", " ")
    first = text.split(" ", 1)[0]
    if first.isupper() and first.isalpha():
        text = "\u200b" + text  # a zero-width space stops a leading TODO/DONE being read as a marker
    return text


def _head(i: InspectionProgress) -> list[str]:
    out = [f"- ## {i.unit}"]
    people = []
    if i.leader:
        people.append("组长 " + "、".join(i.leader))
    if i.members:
        people.append("组员 " + "、".join(i.members))
    extra = "；" + "；".join(people) if people else ""
    out.append(f"\t- 概览页 [[{i.name}]]；轮次 {i.round or '—'}{extra}")
    out.append(f"\t- 当前阶段：**{current_stage_name(i)}**；完成 {i.done}/{i.total}（{i.percent}%）；"
               f"逾期 {len(i.overdue)}；临期 {len(i.due_soon)}")
    if i.milestones:
        out.append("\t- " + "；".join(f"{m.name} {fmt_date(m.date)}" for m in i.milestones))
    out.append("\t- ### 阶段进度")
    for s in i.stages:
        out.append(f"\t\t- {s.name} `{bar(s.done, s.total, 10)}` {s.done}/{s.total}（{s.percent}%）"
                   f"{STAGE_LABEL[s.status]}"
                   + (f"（{s.completed_on} 完成）" if s.completed_on else ""))
    return out


def _deadlines(i: InspectionProgress) -> list[str]:
    out = []
    if i.hard_deadlines:
        out.append(f"\t- ### 硬性期限（{len(i.hard_deadlines)}）")
        for h in i.hard_deadlines:
            dot = DOT[h.deadline.colour] if h.deadline and not h.deadline.closed else "⚪"
            out.append(f"\t\t- {dot} {_safe(hard_deadline_line(h))}")
    for title, items in (("逾期", i.overdue), ("临期", i.due_soon)):
        if items:
            out.append(f"\t- ### {title}（{len(items)}）")
            out.extend(f"\t\t- {DOT[d.colour]} {_safe(deadline_line(d))}" for d in items)
    if i.pending_deadlines:
        out.append(f"\t- ### 待定期限（{len(i.pending_deadlines)}）")
        out.extend(f"\t\t- {a} {n}：{w}后自动计算" for a, n, w in i.pending_deadlines)
    return out


def _problems(i: InspectionProgress) -> list[str]:
    out = []
    if i.order_problems:
        out.append(f"\t- ### 顺序问题（{len(i.order_problems)}）")
        for op in i.order_problems:
            blocking = "、".join(f"{b} {n}（{STATUS_LABEL[s]}）" for b, n, s in op.blocking)
            where = f"（{op.span}）" if op.span else ""
            out.append(f"\t\t- {op.activity_id} {_safe(op.activity_name)} 已完成，"
                       f"但前置未完成：{blocking}{where}")
    if i.missing_artifacts:
        out.append(f"\t- ### 缺少产出（{len(i.missing_artifacts)}）")
        out.extend(f"\t\t- {_safe(g)}" for g in missing_groups(i))
    return out


def _ledgers(i: InspectionProgress) -> list[str]:
    out = ["\t- ### 台账"]
    out.extend(f"\t\t- {_safe(line)}" for line in ledger_lines(i))
    for title, lines in ledger_item_sections(i):
        out.append(f"\t\t- {title}")
        out.extend(f"\t\t\t- {_safe(line)}" for line in lines)
    out.extend(f"\t\t- ⚠ {_safe(line)}" for line in incomplete_draft_lines(i))
    summary = sensitive_summary(i)
    if summary:
        out.append(f"\t- {summary}")
    return out


def _inspection(i: InspectionProgress) -> list[str]:
    out = _head(i) + _deadlines(i) + _problems(i) + _ledgers(i)
    if i.issues:
        out.append(f"\t- ### 诊断（{len(i.issues)}）")
        for x in i.issues:
            where = f"（{x.file}:{x.line}）" if x.line else ""
            out.append(f"\t\t- {ISSUE_LABEL[x.kind]}：{_safe(x.message)}{where}")
    return out


def _statistics(p: Progress) -> list[str]:
    from xuncha_kb.report.stats_view import stats_lines
    from xuncha_kb.track.statistics import compute_statistics

    out = ["- ## 统计分析"]
    for title, rows in stats_lines(compute_statistics(p)):
        out.append(f"\t- ### {title}")
        out.extend(f"\t\t- {_safe(r)}" for r in rows)
    return out


def render_markdown(p: Progress) -> str:
    th = p.thresholds
    lines = [
        f"type:: [[{cv.TYPE_REPORT}]]",
        f"{cv.P_GENERATED}:: report",
        f"报告日期:: {p.today.isoformat()}",
        f"工作流程:: {p.workflow_name}",
        "",
        f"- 本页由 xuncha-kb 根据图谱自动生成（截至 {p.today.isoformat()}），"
        "重新生成时会整页替换，请勿在此页记笔记。",
    ]
    if not p.inspections:
        lines.append("- 图谱中没有找到巡察概览页（type:: 巡察）。".replace("::", "："))
    if len(p.inspections) > 1:
        lines.append("- ## 总览")
        for rnd, items in p.rounds:
            lines.append(f"\t- {rnd}（{len(items)} 个巡察）")
            for i in items:
                lines.append(f"\t\t- [[{i.name}]] 当前阶段 {current_stage_name(i)}；"
                             f"完成 {i.done}/{i.total}（{i.percent}%）；"
                             f"逾期 {len(i.overdue)}；临期 {len(i.due_soon)}")
    for i in p.inspections:
        lines.extend(_inspection(i))
    if p.inspections:
        lines.extend(_statistics(p))
    if p.issues:
        lines.append(f"- ## 未归属任何巡察的任务（{len(p.issues)}）")
        for x in p.issues:
            lines.append(f"\t- {ISSUE_LABEL[x.kind]}：{_safe(x.message)}（{x.file}:{x.line}）")
    lines.append(f"- 三色预警：🟢 剩余 ≥{th.yellow_days} 天；🟡 <{th.yellow_days} 天；"
                 f"🔴 <{th.red_days} 天或逾期。")
    return "\n".join(lines) + "\n"


_BULLET = re.compile(r"^(\t*)- (?:#{1,6} )?(.*)$")
_STAGE_BOLD = re.compile(r"当前阶段：\*\*(.+?)\*\*；")
_BAR = re.compile(r"`([█░]+)`")
# A file:line the report cites: verbatim in Org, where ``_`` would start a subscript (and
# Org verbatim needs a space on either side).
_WHERE = re.compile(r"（([^（）\s=]+\.(?:md|markdown|org):\d+)）")


def render_org(p: Progress, title: str) -> str:
    """The report page as an Org page with the same blocks: ``#+title:`` and one ``#+key:``
    directive per page property, each bullet a headline of its depth plus one ``*`` (a ``##``
    heading prefix dropped, as ``generate/org_render`` does), the report's own bold and code
    spans in Org markup (``*…*``, ``~…~``) and the files it cites verbatim (``=…=``)."""
    out = [f"#+title: {title}"]
    for line in render_markdown(p).split("\n")[:-1]:
        m = _BULLET.match(line)
        if m is None:
            key, sep, value = line.partition(":: ")
            out.append(f"#+{key}: {value}" if sep else line)
            continue
        text = _BAR.sub(r"~\1~", _STAGE_BOLD.sub(r"当前阶段：*\1*；", m.group(2)))
        text = _WHERE.sub(r"（ =\1= ）", text)
        out.append(f"{'*' * (len(m.group(1)) + 1)} {text}")
    return "\n".join(out) + "\n"


def report_page_title(p: Progress, only: str | None) -> str:
    """``巡察/进度报告`` for the portfolio; ``<overview>/进度报告`` for one inspection."""
    if only and len(p.inspections) == 1:
        return cv.sub_page_name(p.inspections[0].name, cv.PAGE_REPORT)
    return cv.PAGE_PROGRESS_REPORT
