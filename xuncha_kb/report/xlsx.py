"""The three ledgers as an Excel workbook (底稿台账, 移交台账, 整改台账) plus a progress sheet.

openpyxl is imported lazily.  Sensitive items are never listed: each sheet ends with a line
counting them.  Document properties use the report date so the file is reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from xuncha_kb.report.common import COLOUR_LABEL, STAGE_LABEL, TITLE, current_stage_name
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.progress_model import Progress

DRAFT_HEAD = ("巡察", "被巡察单位", "编号", "名称", "状态", "编制日期", "来源", "问题概要", "定性",
              "责任主体",
              "缺少必填项", "三审未签", "一事一底稿", "页面", "问题类别", "分类组", "证据", "政策依据",
              *cv.DRAFT_SIGNOFF)
TRANSFER_HEAD = ("巡察", "被巡察单位", "事项", "移交对象", "移交状态", "移交日期", "底稿", "位置",
                 "办理时限", "时限来源", "剩余天数", "预警", "办理结果", "反馈日期")
RECT_HEAD = ("巡察", "被巡察单位", "问题", "整改状态", "责任人", "整改时限", "剩余天数", "预警", "销号",
             "底稿", "位置", "整改措施", "责任单位", "立行立改", "佐证材料", "销号审核人", "销号日期",
             "闭环环节", "闭环缺项")
PROGRESS_HEAD = ("巡察", "被巡察单位", "轮次", "当前阶段", "阶段", "完成", "总数", "完成率", "状态")


def _sheet(wb: Any, title: str, head: tuple[str, ...], rows: list[list[Any]], hidden: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(title)
    ws.append(list(head))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        ws.append(row)
    if rows:
        ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(head)).column_letter}{len(rows) + 1}"
    for line in ws.iter_rows(min_row=2, max_row=len(rows) + 1):
        for cell in line:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    if hidden:
        ws.append([f"另有 {hidden} 项涉密内容，仅计数，未列出。"])
    ws.freeze_panes = "A2"
    for col, name in enumerate(head, start=1):
        longest = max([len(str(name))] + [len(str(r[col - 1])) for r in rows if col - 1 < len(r)])
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = min(60, 4 + 2 * longest)


STAT_HEAD = ("巡察数", "问题数", "整改事项", "已完成或已销号", "已销号", "整改率", "逾期合计", "逾期期限",
             "逾期整改", "逾期移交")


def _stat_sheets(wb: Any, p: Progress) -> None:
    """统计-问题类别, 统计-轮次, 统计-被巡察单位: filters on, header frozen, 整改率 as a percentage."""
    from xuncha_kb.track.statistics import compute_statistics

    s = compute_statistics(p)
    _sheet(wb, "统计-问题类别", ("问题类别", "问题数"), [[k, v] for k, v in s.by_class], 0)
    for title, key, rows in (("统计-轮次", "轮次", s.by_round), ("统计-被巡察单位", "被巡察单位", s.by_unit)):
        data: list[list[Any]] = [[r.key, r.inspections, r.problems, r.rects, r.rects_done, r.rects_closed,
                                  r.rects_done / r.rects if r.rects else None, r.overdue, r.overdue_deadlines,
                                  r.overdue_rects, r.overdue_transfers] for r in (*rows, s.total)]
        _sheet(wb, title, (key, *STAT_HEAD), data, 0)
        for row in wb[title].iter_rows(min_row=2, min_col=7, max_col=7):
            for cell in row:
                cell.number_format = "0%"


def render_xlsx(p: Progress) -> bytes:
    import os

    # openpyxl writes through lxml when it is installed (python-docx brings it), and then spells
    # every Chinese character as a numeric reference; keep its own writer, whose UTF-8 text the
    # same whatever is installed (and which the confidentiality checks grep).
    os.environ.setdefault("OPENPYXL_LXML", "False")
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    drafts: list[list[Any]] = []
    transfers: list[list[Any]] = []
    rects: list[list[Any]] = []
    progress: list[list[Any]] = []
    hidden = [0, 0, 0]
    for i in p.inspections:
        lg = i.ledgers
        for d in lg.drafts.items:
            drafts.append([i.name, i.unit, d.number, d.name, d.status, d.date, d.source, d.summary,
                           d.qualification, d.subject, "、".join(d.missing), "、".join(d.unsigned),
                           "不符合" if d.page in lg.drafts.one_matter_problems else "", d.page,
                           d.problem_class, d.class_group, d.evidence, d.policy, *(v for _, v in d.signoff)])
        for t in lg.transfers.items:
            transfers.append([i.name, i.unit, t.title, t.recipient, t.status, t.date, "、".join(t.drafts),
                              f"{t.file}:{t.line}", t.limit, "" if t.limit is None else
                              ("办理时限::" if t.limit_given else "移交日期 + 3个月"), t.days_left,
                              COLOUR_LABEL[t.colour] if t.colour else "", t.result, t.feedback_on])
        for r in lg.rectifications.items:
            rects.append([i.name, i.unit, r.title, r.status, r.owner, r.due, r.days_left,
                          COLOUR_LABEL[r.colour] if r.colour else "", "是" if r.closed else "否",
                          "、".join(r.drafts), f"{r.file}:{r.line}", r.measure, r.unit,
                          "是" if r.immediate else "否", r.evidence, r.reviewer, r.closed_on, r.phase,
                          "；".join(r.loop_gaps)])
        hidden[0] += lg.drafts.sensitive_count
        hidden[1] += lg.transfers.sensitive_count
        hidden[2] += lg.rectifications.sensitive_count
        for s in i.stages:
            progress.append([i.name, i.unit, i.round, current_stage_name(i), s.name, s.done, s.total,
                             s.percent / 100, STAGE_LABEL[s.status]])
    _sheet(wb, "底稿台账", DRAFT_HEAD, drafts, hidden[0])
    _sheet(wb, "移交台账", TRANSFER_HEAD, transfers, hidden[1])
    _sheet(wb, "整改台账", RECT_HEAD, rects, hidden[2])
    _sheet(wb, "进度", PROGRESS_HEAD, progress, 0)
    _stat_sheets(wb, p)
    for row in wb["进度"].iter_rows(min_row=2, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "0%"
    stamp = dt.datetime(p.today.year, p.today.month, p.today.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.title = f"{TITLE}（截至 {p.today.isoformat()}）"
    wb.properties.creator = "xuncha-kb"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
