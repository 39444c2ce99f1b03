"""The three ledgers as an Excel workbook (底稿台账, 移交台账, 整改台账) plus a progress sheet.

openpyxl is imported lazily.  Sensitive items are never listed: each sheet ends with a line
counting them.  Document properties use the report date so the file is reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from xuncha_kb.report.common import COLOUR_LABEL, STAGE_LABEL, TITLE, current_stage_name
from xuncha_kb.track.progress_model import Progress

DRAFT_HEAD = ("巡察", "被巡察单位", "编号", "名称", "状态", "编制日期", "来源", "问题概要", "定性",
              "责任主体",
              "缺少必填项", "三审未签", "一事一底稿", "页面")
TRANSFER_HEAD = ("巡察", "被巡察单位", "事项", "移交对象", "移交状态", "移交日期", "底稿", "位置")
RECT_HEAD = ("巡察", "被巡察单位", "问题", "整改状态", "责任人", "整改时限", "剩余天数", "预警", "销号",
             "底稿", "位置")
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
    if hidden:
        ws.append([f"另有 {hidden} 项涉密内容，仅计数，未列出。"])
    ws.freeze_panes = "A2"
    for col, name in enumerate(head, start=1):
        longest = max([len(str(name))] + [len(str(r[col - 1])) for r in rows if col - 1 < len(r)])
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = min(60, 4 + 2 * longest)


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
                           "不符合" if d.page in lg.drafts.one_matter_problems else "", d.page])
        for t in lg.transfers.items:
            transfers.append([i.name, i.unit, t.title, t.recipient, t.status, t.date, "、".join(t.drafts),
                              f"{t.file}:{t.line}"])
        for r in lg.rectifications.items:
            rects.append([i.name, i.unit, r.title, r.status, r.owner, r.due, r.days_left,
                          COLOUR_LABEL[r.colour] if r.colour else "", "是" if r.closed else "否",
                          "、".join(r.drafts), f"{r.file}:{r.line}"])
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
    for row in wb["进度"].iter_rows(min_row=2, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "0%"
    for row in wb["整改台账"].iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    stamp = dt.datetime(p.today.year, p.today.month, p.today.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.title = f"{TITLE}（截至 {p.today.isoformat()}）"
    wb.properties.creator = "xuncha-kb"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
