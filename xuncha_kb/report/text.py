"""Terminal view (Chinese): portfolio first, then per inspection stage bars, deadlines, problems.

Built as lines of (text, style) segments: plain text when not writing to a terminal (that is
what the golden files hold); ``rich`` (imported lazily) adds colour on a terminal.
"""

from __future__ import annotations

from typing import TextIO

from xuncha_kb.report.common import (
    COLOUR_LABEL,
    ISSUE_LABEL,
    STAGE_LABEL,
    STATUS_LABEL,
    TITLE,
    bar,
    current_stage_name,
    deadline_line,
    fmt_date,
    hard_deadline_line,
    incomplete_draft_lines,
    ledger_item_sections,
    ledger_lines,
    missing_groups,
    pad,
    sensitive_summary,
    width,
)
from xuncha_kb.track.progress_model import InspectionProgress, Progress, StageProgress, StageStatus

Segment = tuple[str, str]  # (text, rich style or "")
Line = list[Segment]

MAX_MISSING_LINES = 8
STATE_STYLE: dict[StageStatus, str] = {"done": "green", "in_progress": "cyan", "not_started": "dim"}
COLOUR_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red"}


def _stage_line(s: StageProgress, name_w: int) -> Line:
    return [("    " + pad(s.name, name_w) + "  ", ""),
            (bar(s.done, s.total), STATE_STYLE[s.status]),
            (f"  {s.done:>2}/{s.total:<2} {s.percent:>3}%  ", ""),
            (STAGE_LABEL[s.status] + (f" {s.completed_on}" if s.completed_on else ""), STATE_STYLE[s.status])]


def _portfolio(p: Progress) -> list[Line]:
    lines: list[Line] = []
    name_w = max(width(i.unit) for i in p.inspections)
    stage_w = max(width(current_stage_name(i)) for i in p.inspections)
    for rnd, items in p.rounds:
        lines.append([(f"【总览】{rnd}（{len(items)} 个巡察）", "bold")])
        for i in items:
            warn: Line = []
            if i.overdue:
                warn.append((f"  逾期 {len(i.overdue)}", "bold red"))
            if i.due_soon:
                warn.append((f"  临期 {len(i.due_soon)}", "yellow"))
            head = "  " + pad(i.unit, name_w) + "  " + pad(current_stage_name(i), stage_w) + "  "
            lines.append([(head, ""),
                          (bar(i.done, i.total, 16), "cyan"),
                          (f"  {i.done:>2}/{i.total:<2} {i.percent:>3}%", ""), *warn])
        lines.append([])
    return lines


def _head(i: InspectionProgress) -> list[Line]:
    out: list[Line] = [[("━" * 60, "dim")]]
    out.append([(i.unit, "bold"), (f"　当前阶段：{current_stage_name(i)}", "bold cyan"),
                (f"　完成 {i.done}/{i.total}（{i.percent}%）", ""),
                (f"　逾期 {len(i.overdue)}", "bold red" if i.overdue else ""),
                (f"　临期 {len(i.due_soon)}", "yellow" if i.due_soon else "")])
    people = []
    if i.leader:
        people.append("组长：" + "、".join(i.leader))
    if i.members:
        people.append("组员：" + "、".join(i.members))
    extra = "　" + "　".join(people) if people else ""
    out.append([(f"  {i.name}　轮次：{i.round or '—'}{extra}", "dim")])
    if i.milestones:
        out.append([("  " + "　".join(f"{m.name} {fmt_date(m.date)}" for m in i.milestones), "")])
    out.append([])
    out.append([("  阶段进度", "bold")])
    name_w = max((width(s.name) for s in i.stages), default=0)
    out.extend(_stage_line(s, name_w) for s in i.stages)
    return out


def _deadlines(i: InspectionProgress) -> list[Line]:
    out: list[Line] = []
    if i.hard_deadlines:
        out.append([(f"  硬性期限（{len(i.hard_deadlines)}）", "bold")])
        for h in i.hard_deadlines:
            style = COLOUR_STYLE[h.deadline.colour] if h.deadline and not h.deadline.closed else "dim"
            out.append([("    ■ ", style), (hard_deadline_line(h), "")])
    for title, items, in (("逾期", i.overdue), ("临期", i.due_soon)):
        if items:
            out.append([(f"  {title}（{len(items)}）", "bold")])
            for d in items:
                style = COLOUR_STYLE[d.colour]
                out.append([("    ● ", style), (COLOUR_LABEL[d.colour] + " ", style), (deadline_line(d), "")])
    if i.pending_deadlines:
        out.append([(f"  待定期限（{len(i.pending_deadlines)}）", "bold")])
        for act_id, name, what in i.pending_deadlines:
            out.append([(f"    {act_id} {name}：{what}后自动计算", "dim")])
    return out


def _problems(i: InspectionProgress) -> list[Line]:
    out: list[Line] = []
    if i.order_problems:
        out.append([(f"  顺序问题（{len(i.order_problems)}）", "bold")])
        for op in i.order_problems:
            blocking = "、".join(f"{b} {n}（{STATUS_LABEL[s]}）" for b, n, s in op.blocking)
            where = f"　{op.span}" if op.span else ""
            msg = f"    {op.activity_id} {op.activity_name} 已完成，但前置未完成：{blocking}"
            out.append([(msg, "yellow"), (where, "dim")])
    if i.missing_artifacts:
        groups = missing_groups(i)
        out.append([(f"  缺少产出（{len(i.missing_artifacts)} 份，涉及 {len(groups)} 项活动）", "bold")])
        out.extend([(f"    {g}", "")] for g in groups[:MAX_MISSING_LINES])
        if len(groups) > MAX_MISSING_LINES:
            rest = len(groups) - MAX_MISSING_LINES
            out.append([(f"    ……另有 {rest} 项活动（完整列表见 --format md/json/html）", "dim")])
    return out


def _ledgers(i: InspectionProgress) -> list[Line]:
    out: list[Line] = [[("  台账", "bold")]]
    out.extend([(f"    {line}", "")] for line in ledger_lines(i))
    for title, lines in ledger_item_sections(i):
        out.append([(f"    {title}", "")])
        out.extend([(f"      · {line}", "")] for line in lines)
    out.extend([(f"    ! {line}", "yellow")] for line in incomplete_draft_lines(i))
    summary = sensitive_summary(i)
    if summary:
        out.append([(f"  {summary}", "dim")])
    return out


def _inspection(i: InspectionProgress, p: Progress) -> list[Line]:
    out = _head(i) + _deadlines(i) + _problems(i) + _ledgers(i)
    if i.issues:
        out.append([(f"  诊断（{len(i.issues)}）", "bold")])
        for x in i.issues:
            where = f"　{x.file}:{x.line}" if x.line else (f"　{x.file}" if x.file else "")
            out.append([(f"    {ISSUE_LABEL[x.kind]}：{x.message}", ""), (where, "dim")])
    out.append([])
    return out


def _statistics(p: Progress) -> list[Line]:
    from xuncha_kb.report.stats_view import stats_lines
    from xuncha_kb.track.statistics import compute_statistics

    out: list[Line] = [[("━" * 60, "dim")], [("统计分析", "bold")]]
    for title, rows in stats_lines(compute_statistics(p)):
        out.append([(f"  {title}", "bold")])
        out.extend([(f"    {r}", "")] for r in rows)
    out.append([])
    return out


def build_lines(p: Progress) -> list[Line]:
    th = p.thresholds
    lines: list[Line] = [[(f"{TITLE}　截至 {p.today.isoformat()}　工作流程：{p.workflow_name}", "bold")], []]
    if not p.inspections:
        lines.append([("图谱中没有找到巡察概览页（type:: [[巡察]]）。", "yellow")])
        lines.append([("提示：先用 xuncha-kb scaffold 生成一个巡察，或在概览页上添加 type:: [[巡察]]。", "")])
        return lines
    if len(p.inspections) > 1:
        lines.extend(_portfolio(p))
    for i in p.inspections:
        lines.extend(_inspection(i, p))
    lines.extend(_statistics(p))
    if p.issues:
        lines.append([(f"未归属任何巡察的任务（{len(p.issues)}）", "bold")])
        for x in p.issues:
            where = f"　{x.file}:{x.line}" if x.line else ""
            lines.append([(f"  {ISSUE_LABEL[x.kind]}：{x.message}", ""), (where, "dim")])
        lines.append([])
    lines.append([(f"三色预警：绿 剩余 ≥{th.yellow_days} 天；黄 <{th.yellow_days} 天；"
                   f"红 <{th.red_days} 天或逾期。", "dim")])
    return lines


def render_text(p: Progress) -> str:
    return "\n".join("".join(t for t, _ in line).rstrip() for line in build_lines(p)) + "\n"


def print_report(p: Progress, out: TextIO, *, colour: bool) -> None:
    """Write the text view to ``out``; with colour (a terminal) through rich."""
    if not colour:
        out.write(render_text(p))
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, soft_wrap=True, highlight=False)
    for line in build_lines(p):
        text = Text()
        for t, style in line:
            text.append(t, style=style or None)
        console.print(text)
