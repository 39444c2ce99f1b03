"""The ledgers in words, shared by the text, md and html views: summary lines, one line per
整改 / 移交 item, and the findings (lint) with file:line."""

from __future__ import annotations

from xuncha_kb.report.labels import COLOUR_LABEL
from xuncha_kb.track.ledgers_model import (
    DraftItem,
    DraftLedger,
    Ledgers,
    RectItem,
    RectLedger,
    TransferItem,
    TransferLedger,
)

DASH = "—"


def counts_text(pairs: tuple[tuple[str, int], ...]) -> str:
    return "、".join(f"{k} {v}" for k, v in pairs) if pairs else "无"


def _left_text(left: int) -> str:
    if left < 0:
        return f"逾期 {-left} 天"
    return "今天到期" if left == 0 else f"剩余 {left} 天"


def draft_summary(d: DraftLedger) -> str:
    line = f"底稿 {d.count} 份（{counts_text(d.by_status)}）"
    if d.items:
        line += f"；问题类别：{counts_text(d.by_class)}"
    if d.incomplete:
        line += f"；缺必填项 {len(d.incomplete)} 份"
    unsigned = sum(1 for x in d.items if x.unsigned)
    if unsigned:
        line += f"；三审未签 {unsigned} 份"
    if d.one_matter_problems:
        line += f"；不符合一事一底稿 {len(d.one_matter_problems)} 份"
    if d.sensitive_count:
        line += f"；其中涉密 {d.sensitive_count} 份仅计数"
    return line


def transfer_summary(t: TransferLedger) -> str:
    parts = [f"{r} {n}（{counts_text(st)}）" for r, n, st in t.by_recipient]
    line = f"移交 {t.count} 项" + ("：" + "；".join(parts) if parts else "")
    if t.items:
        line += f"；已反馈 {t.answered} 项"
    if t.warned:
        line += f"；办理时限预警 {len(t.warned)} 项（逾期 {len(t.overdue)}）"
    return line


def rect_summary(r: RectLedger) -> str:
    line = f"整改 {r.count} 项（{counts_text(r.by_status)}），已销号 {r.closed}"
    if r.items:
        line += (f"；闭环：{counts_text(r.by_phase)}；整改率 {r.rate}%"
                 f"（已完成或已销号 {r.done}/{len(r.items)}）")
    if r.immediate:
        line += f"；立行立改 {r.immediate} 项"
    red = sum(1 for x in r.items if x.colour == "red")
    if red:
        line += f"，整改时限红色预警 {red} 项"
    if r.overdue:
        line += f"（逾期 {r.overdue} 项）"
    if r.sensitive_count:
        line += f"，涉密 {r.sensitive_count} 项仅计数"
    return line


def rect_units_line(r: RectLedger) -> str | None:
    units = [(u, n, d) for u, n, d in r.by_unit if u != "（未填写）"]
    if not units:
        return None
    return "整改率按责任单位：" + "、".join(f"{u} {d}/{n}（{(100 * d) // n}%）" for u, n, d in r.by_unit)


def ledger_lines(lg: Ledgers) -> list[str]:
    """The ledger summary lines shared by text, md and html."""
    out = [draft_summary(lg.drafts), transfer_summary(lg.transfers), rect_summary(lg.rectifications)]
    units = rect_units_line(lg.rectifications)
    if units:
        out.append(units)
    uncited = len(lg.uncited_problems) + lg.uncited_sensitive
    out.append(f"巡察情况报告列出问题 {lg.report_problems} 个，未引用底稿 {uncited} 个")
    return out


def rect_due_text(x: RectItem) -> str:
    if x.due is None:
        return DASH
    if x.days_left is None or x.colour is None:
        return x.due.isoformat()
    return f"{x.due.isoformat()}（{COLOUR_LABEL[x.colour]}，{_left_text(x.days_left)}）"


def rect_item_line(x: RectItem) -> str:
    who = "／".join(v for v in (x.unit, x.owner) if v) or DASH
    line = (f"{x.title}　措施：{x.measure or DASH}　责任：{who}　时限 {rect_due_text(x)}"
            f"　{x.status}（{x.phase}）")
    if x.immediate:
        line += "　立行立改"
    if x.evidence:
        line += f"　佐证：{x.evidence}"
    if x.closed:
        line += f"　销号：{x.reviewer or DASH} {x.closed_on or DASH}"
    return line


def transfer_limit_text(x: TransferItem) -> str:
    if x.limit is None:
        return "办理时限 待填写移交日期"
    text = f"办理时限 {x.limit.isoformat()}" + ("" if x.limit_given else "（默认 3 个月）")
    if x.days_left is not None and x.colour is not None:
        text += f"（{COLOUR_LABEL[x.colour]}，{_left_text(x.days_left)}）"
    return text


def transfer_item_line(x: TransferItem) -> str:
    line = f"{x.title} → {x.recipient}　{x.status}　移交 {x.date or DASH}　{transfer_limit_text(x)}"
    if x.answered:
        line += f"　反馈 {x.feedback_on or DASH}　结果：{x.result or DASH}"
    return line


def _no(x: DraftItem) -> str:
    return x.number or x.page


def _at(x: DraftItem) -> str:
    """Where a 底稿's properties are: its file and the line of the property block."""
    return f"{x.file}:{x.props_in_block or 1}"


def ledger_findings(lg: Ledgers) -> list[str]:
    """What the ledgers still lack, each naming the page or file:line."""
    d = lg.drafts
    files = {x.page: _at(x) for x in d.items}
    out = [f"底稿 {_no(x)} 缺少：{'、'.join(x.missing)}（{_at(x)}）" for x in d.incomplete]
    out += [f"底稿编号 {num} 被 {len(pages)} 份底稿重复使用（{'、'.join(files.get(p, p) for p in pages)}）"
            for num, pages in d.duplicate_numbers]
    out += [f"底稿 {_no(x)} 的问题概要列出多个事项（一事一底稿）（{_at(x)}）"
            for x in d.items if x.several_matters]
    out += [f"底稿 {_no(x)} 的问题类别「{x.problem_class}」不在 巡察问题分类 中（{_at(x)}）"
            for x in d.unknown_classes]
    out += [f"底稿 {_no(x)} 的属性写在第一个块里（{x.file}:{x.props_in_block}）：Logseq 把它们读作"
            "块属性而非页面属性；已按底稿计入，建议去掉该块开头的“- ”，让属性成为页面属性"
            for x in d.props_in_first_block]
    out += [f"整改事项 {x.title}：{'；'.join(x.loop_gaps)}（{x.file}:{x.line}）"
            for x in lg.rectifications.items if x.loop_gaps]
    out += [f"移交事项 {x.title} → {x.recipient}：{transfer_limit_text(x)}，尚未反馈（{x.file}:{x.line}）"
            for x in lg.transfers.warned]
    out += [f"报告问题未引用底稿：{u.title}（{u.file}:{u.line}）" for u in lg.uncited_problems]
    if lg.uncited_sensitive:
        out.append(f"涉密的报告问题未引用底稿 {lg.uncited_sensitive} 个（仅计数）")
    return out
