"""统计分析 in words (text, md) and as self-contained inline SVG bar charts (html)."""

from __future__ import annotations

from html import escape

from xuncha_kb.report.common import width, wrap_label
from xuncha_kb.track.statistics import Statistics, StatRow

CHART_W = 760
ROW_H = 26
BAR_FILL = {"problems": "#1565c0", "rate": "#2e7d32", "overdue": "#c62828"}


def rate_text(r: StatRow) -> str:
    return f"{r.rate}%" if r.rects else "—"


def row_text(r: StatRow) -> str:
    return (f"{r.key}：巡察 {r.inspections} 个，问题 {r.problems} 个，整改 {r.rects_done}/{r.rects}"
            f"（整改率 {rate_text(r)}，已销号 {r.rects_closed}），逾期 {r.overdue}"
            f"（期限 {r.overdue_deadlines}、整改 {r.overdue_rects}、移交 {r.overdue_transfers}）")


def stats_lines(s: Statistics) -> list[tuple[str, list[str]]]:
    """(heading, lines) for the text and md views."""
    classes = "、".join(f"{k} {v}" for k, v in s.by_class) or "无"
    return [
        ("问题类别", [classes]),
        ("按轮次", [row_text(r) for r in s.by_round]),
        ("按被巡察单位", [row_text(r) for r in s.by_unit]),
        ("合计", [row_text(s.total)]),
    ]


def bar_chart(title: str, rows: list[tuple[str, float, str]], maximum: float, fill: str) -> str:
    """A horizontal bar chart: one (label, value, value text) per row; labels wrap, never cut."""
    label_w = min(260, max([60] + [7 * width(r[0]) + 8 for r in rows]))
    cells = max(4, (label_w - 8) // 7)
    track = CHART_W - label_w - 120
    parts, y = [], 8
    for label, value, shown in rows:
        lines = wrap_label(label, cells)
        h = max(ROW_H, 15 * len(lines) + 8)
        w = round(track * value / maximum, 1) if maximum else 0
        tspans = "".join(f'<tspan x="0" dy="{0 if n == 0 else 15}">{escape(t)}</tspan>'
                         for n, t in enumerate(lines))
        parts.append(f'<text class="chart-label" data-room="{label_w - 4}" x="0" y="{y + 15}" font-size="12">'
                     f'{tspans}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{track}" height="18" rx="3" fill="#eeeeee"/>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="18" rx="3" fill="{fill}"/>'
                     f'<text x="{label_w + track + 8}" y="{y + 15}" font-size="12">{escape(shown)}</text>')
        y += h
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="stat-chart" width="{CHART_W}" height="{y + 4}" '
            f'viewBox="0 0 {CHART_W} {y + 4}" role="img" aria-label="{escape(title)}">'
            f'<title>{escape(title)}</title>{"".join(parts)}</svg>')


def stat_charts(s: Statistics) -> list[tuple[str, str]]:
    """(title, svg) for the html view; an empty list without problems or items to chart."""
    charts = []
    if s.by_class:
        top = max(v for _, v in s.by_class)
        charts.append(("问题数（按问题类别）",
                       bar_chart("问题数（按问题类别）", [(k, v, f"{v} 个") for k, v in s.by_class],
                                 top, BAR_FILL["problems"])))
    for what, rows in (("轮次", s.by_round), ("被巡察单位", s.by_unit)):
        if not rows:
            continue
        top = max([r.problems for r in rows] + [1])
        charts.append((f"问题数（按{what}）", bar_chart(
            f"问题数（按{what}）", [(r.key, r.problems, f"{r.problems} 个") for r in rows], top,
            BAR_FILL["problems"])))
        charts.append((f"整改率（按{what}）", bar_chart(
            f"整改率（按{what}）",
            [(r.key, r.rate, f"{rate_text(r)}（{r.rects_done}/{r.rects}）") for r in rows],
            100, BAR_FILL["rate"])))
        top = max([r.overdue for r in rows] + [1])
        charts.append((f"逾期事项（按{what}）", bar_chart(
            f"逾期事项（按{what}）", [(r.key, r.overdue, f"{r.overdue} 项") for r in rows], top,
            BAR_FILL["overdue"])))
    return charts
