"""Hard deadlines show in every format with their source, also while green or still pending."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

OVERVIEW = "pages/巡察___2026年第一轮___某某集团有限公司.md"
SOURCE = "白板：应自反馈意见签收之日起 3 个月内"
TODAY = "2026-05-01"


def _report(runner, graph: Path, fmt: str, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    out = tmp_path / f"r.{fmt}"
    result = runner.invoke(cli, ["report", str(graph), "--today", TODAY, "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _sign(graph: Path, day: str) -> None:
    page = graph / OVERVIEW
    text = page.read_text(encoding="utf-8")
    assert "反馈意见签收日::\n" in text
    page.write_text(text.replace("反馈意见签收日::\n", f"反馈意见签收日:: {day}\n"), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "md", "json", "html"])
def test_pending_hard_deadline_is_listed_with_its_source(runner, example_graph: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         fmt: str) -> None:
    out = _report(runner, example_graph, fmt, tmp_path)
    assert SOURCE in out
    assert "2026-08-15" not in out


@pytest.mark.parametrize("fmt", ["text", "md", "json", "html"])
def test_filling_the_sign_date_gives_the_three_month_date(runner, example_graph: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          fmt: str) -> None:
    _sign(example_graph, "2026-05-15")
    out = _report(runner, example_graph, fmt, tmp_path)
    assert SOURCE in out
    assert "2026-08-15" in out  # 15 May + 3 months, 106 days left: green, so not in 逾期/临期
    if fmt in ("text", "md"):
        line = next(x for x in out.splitlines() if SOURCE in x)
        assert "rect.06" in line and "截止 2026-08-15（剩余 106 天）" in line
    if fmt == "json":
        hard = json.loads(out)["inspections"][0]["hard_deadlines"]
        assert [(h["activity_id"], h["due"], h["basis"]) for h in hard] == [("rect.06", "2026-08-15", SOURCE)]
        assert hard[0]["deadline"]["colour"] == "green"
    if fmt == "html":
        assert 'class="hard"' in out  # the hard deadline is a square on the timeline, not a circle


def test_timeline_marks_hard_and_soft_differently_and_never_shortens(example_graph: Path) -> None:
    import datetime as dt

    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.report.html import _timeline
    from xuncha_kb.track.progress import compute_progress
    from xuncha_kb.workflow.load import active_workflow

    _sign(example_graph, "2026-05-15")
    g = load_graph(example_graph, freeze=True)
    p = compute_progress(g, active_workflow(g), dt.date(2026, 5, 1))
    t = _timeline(p.inspections[0], p.today)
    assert t is not None
    kinds = {it["kind"]: it["shape"] for it in t["points"]}
    assert kinds["hard"] == "square" and kinds["soft"] == "circle"
    for it in t["points"]:
        assert "".join(it["lines"]) == it["label"]  # wrapped, whole
        assert t["axis_l"] <= it["x"] <= t["axis_r"]  # the axis spans every marker
    longest = max(t["points"], key=lambda it: len(it["label"]))
    assert len(longest["lines"]) > 1
    assert t["ticks"][-1]["x"] <= t["axis_r"]


def test_wrap_label_keeps_every_character() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from xuncha_kb.report.common import width
    from xuncha_kb.report.html import wrap_label

    @given(st.text(min_size=0, max_size=80), st.integers(min_value=2, max_value=40))
    def check(text: str, cells: int) -> None:
        lines = wrap_label(text, cells)
        assert "".join(lines) == text
        assert all(width(x) <= cells or len(x) == 1 for x in lines)

    check()
