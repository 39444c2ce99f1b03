"""One self-contained HTML file: inline CSS, inline SVG charts, no scripts, no network.

Per inspection: a stage-progress bar chart and a timeline of milestones and deadlines (with
today marked), then the problem lists and ledger summary.  Print CSS keeps colours and avoids
splitting a chart across pages.  Jinja2 is imported lazily; autoescaping is on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xuncha_kb.report.common import (
    COLOUR_LABEL,
    ISSUE_LABEL,
    STAGE_LABEL,
    STATUS_LABEL,
    TITLE,
    current_stage_name,
    days_text,
    fmt_date,
    hard_state,
    incomplete_draft_lines,
    ledger_lines,
    missing_groups,
    sensitive_summary,
    wrap_label,
)
from xuncha_kb.track.progress_model import InspectionProgress, Progress, StageStatus

TEMPLATES = Path(__file__).parent / "templates"
FILL = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "grey": "#9e9e9e", "blue": "#1565c0"}
STATE_FILL: dict[StageStatus, str] = {"done": "#2e7d32", "in_progress": "#1565c0", "not_started": "#bdbdbd"}
CHART_W = 760
LABEL_W = 300


def _stage_chart(i: InspectionProgress) -> dict[str, Any]:
    row, track = 30, CHART_W - 200
    bars = []
    for n, s in enumerate(i.stages):
        w = round(track * s.done / s.total) if s.total else 0
        bars.append({"y": n * row + 6, "name": s.name, "w": w, "track": track, "fill": STATE_FILL[s.status],
                     "label": f"{s.done}/{s.total}　{s.percent}%　{STAGE_LABEL[s.status]}"
                              + (f"　{s.completed_on}" if s.completed_on else ""),
                     "ty": n * row + 21})
    return {"w": CHART_W, "h": len(i.stages) * row + 8, "bars": bars}


def _shifted(day: dt.date, days: int) -> dt.date:
    """``day`` moved by ``days``, stopping at the ends of the calendar (year 1, year 9999)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min if days < 0 else dt.date.max


def _next_month(day: dt.date) -> dt.date | None:
    """The first day of the month after ``day``'s; None after December 9999."""
    if day.month == 12:
        return None if day.year == dt.MAXYEAR else dt.date(day.year + 1, 1, 1)
    return dt.date(day.year, day.month + 1, 1)


def _points(i: InspectionProgress) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for m in i.milestones:
        if m.date:
            items.append({"date": m.date, "label": f"{m.name}", "fill": FILL["blue"], "shape": "diamond",
                          "note": fmt_date(m.date), "kind": "milestone"})
    for d in i.deadlines:
        fill = FILL["grey"] if d.closed else FILL[d.colour]
        note = f"{fmt_date(d.due)}　{STATUS_LABEL[d.status] if d.closed else days_text(d)}"
        hard = d.kind == "hard"
        items.append({"date": d.due, "label": f"{d.activity_id} {d.activity_name}", "fill": fill,
                      "shape": "square" if hard else "circle", "kind": "hard" if hard else "soft",
                      "note": ("硬性　" if hard else "参考　") + note})
    items.sort(key=lambda x: (x["date"], x["label"]))
    return items


TICK_LABEL_W = 52  # a "2026-07" label at font-size 10, with a gap


def _ticks(lo: dt.date, hi: dt.date, x_of: Callable[[dt.date], float]) -> list[dict[str, Any]]:
    """Month lines from ``lo`` to ``hi``; a month's label only where it cannot run into the
    previous label or past the chart (its line is drawn anyway)."""
    ticks: list[dict[str, Any]] = []
    last = -float(TICK_LABEL_W)
    cur: dt.date | None = dt.date(lo.year, lo.month, 1)
    while cur is not None and cur <= hi:
        if cur >= lo:
            x = round(x_of(cur), 1)
            fits = x - last >= TICK_LABEL_W and x + TICK_LABEL_W / 2 <= CHART_W
            ticks.append({"x": x, "label": f"{cur.year}-{cur.month:02d}" if fits else ""})
            last = x if fits else last
        cur = _next_month(cur)
    return ticks


def _timeline(i: InspectionProgress, today: dt.date) -> dict[str, Any] | None:
    items = _points(i)
    if not items:
        return None
    lo = _shifted(min(min(x["date"] for x in items), today), -7)
    hi = _shifted(max(max(x["date"] for x in items), today), 7)
    span = max(1, (hi - lo).days)
    left, right = LABEL_W + 10, CHART_W - 20  # the axis: every marker and today lie on it
    line_h, top = 15, 34

    def x_of(day: dt.date) -> float:
        return float(left + (right - left) * (day - lo).days / span)

    y = top
    for it in items:
        it["x"] = round(x_of(it["date"]), 1)
        it["lines"] = wrap_label(it["label"], LABEL_W // 7)
        it["text_y"] = y + 4
        it["y"] = y + (len(it["lines"]) - 1) * line_h // 2
        it["right"] = it["x"] > (left + right) / 2  # the note goes left of a marker on the right half
        y += len(it["lines"]) * line_h + 10
    ticks = _ticks(lo, hi, x_of)
    return {"w": CHART_W, "h": y + 12, "points": items, "ticks": ticks, "axis_l": left, "axis_r": right,
            "line_h": line_h, "today_x": round(x_of(today), 1), "today": today.isoformat(),
            "label_w": LABEL_W}


def _context(p: Progress) -> dict[str, Any]:
    inspections = []
    for i in p.inspections:
        inspections.append({
            "i": i, "current": current_stage_name(i), "stage_chart": _stage_chart(i),
            "timeline": _timeline(i, p.today), "ledger_lines": ledger_lines(i),
            "draft_lines": incomplete_draft_lines(i), "days_text": days_text,
            "missing_lines": missing_groups(i), "hard_state": hard_state,
            "sensitive_summary": sensitive_summary(i),
        })
    from xuncha_kb.report.stats_view import stat_charts, stats_lines
    from xuncha_kb.track.statistics import compute_statistics

    stats = compute_statistics(p)
    return {"p": p, "title": TITLE, "inspections": inspections, "stats": stats,
            "stat_charts": stat_charts(stats) if p.inspections else [],
            "stat_lines": stats_lines(stats) if p.inspections else [], "several": len(p.inspections) > 1,
            "COLOUR_LABEL": COLOUR_LABEL, "STATUS_LABEL": STATUS_LABEL,
            "ISSUE_LABEL": ISSUE_LABEL, "FILL": FILL, "current_stage_name": current_stage_name,
            "fmt_date": fmt_date}


def render_html(p: Progress) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**_context(p))
