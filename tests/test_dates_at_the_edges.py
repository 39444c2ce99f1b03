"""Dates at the ends of the calendar.

A page may say anything (``进驻日:: 9999-12-31``): deadlines that would leave the calendar are
simply not computed, and no command stops.  A date given as an option must be a year in
``deadlines.OPTION_YEARS`` (1900–2999, as ``--year``): anything else is a typo, exit 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.test_reliability_badinput import OVERVIEW, tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.track.deadlines import add_offset

TODAY = ("--today", "2026-03-10")


def with_entry(graph: Path, day: str) -> None:
    p = graph / OVERVIEW
    text = p.read_text(encoding="utf-8").replace("进驻日:: 2026-03-02", f"进驻日:: {day}")
    p.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("args", [
    ("report", *TODAY), ("report", *TODAY, "--format", "md"), ("report", *TODAY, "--format", "json"),
    ("report", *TODAY, "--format", "html"), ("sync", *TODAY, "--dry-run"),
    ("watch", *TODAY, "--timeout", "0.3"),
], ids=["text", "md", "json", "html", "sync", "watch"])
def test_a_page_date_at_the_calendar_edge_stops_nothing(example_graph: Path, runner, day: str,
                                                        args: tuple[str, ...]) -> None:
    with_entry(example_graph, day)
    before = {k: v for k, v in tree_hash(example_graph).items() if not k.startswith(".xuncha/")}
    r = runner.invoke(cli, [args[0], str(example_graph), *args[1:]])
    assert r.exit_code == 0, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    after = {k: v for k, v in tree_hash(example_graph).items() if not k.startswith(".xuncha/")}
    assert after == before


@pytest.mark.parametrize(("args", "option"), [
    (("report", "{g}", "--today", "0001-01-01"), "--today"),
    (("report", "{g}", "--today", "9999-12-31", "--format", "html"), "--today"),
    (("sync", "{g}", "--today", "1899-12-31"), "--today"),
    (("watch", "{g}", "--today", "3000-01-01", "--timeout", "0.2"), "--today"),
    (("close-out", "{g}", "--inspection", "某某", "--today", "0001-01-01", "--dry-run"), "--today"),
    (("scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮", "--entry", "9999-12-31"), "--entry"),
    (("scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮", "--exit", "0001-01-01"), "--exit"),
], ids=["report", "report-html", "sync", "watch", "close-out", "scaffold-entry", "scaffold-exit"])
def test_an_option_date_outside_1900_2999_is_refused(example_graph: Path, runner, args: tuple[str, ...],
                                                      option: str) -> None:
    before = tree_hash(example_graph)
    r = runner.invoke(cli, [a.replace("{g}", str(example_graph)) for a in args])
    assert r.exit_code == 2, r.output
    assert f"{option} 的日期" in r.output and "超出合理范围" in r.output and "1900–2999" in r.output
    assert tree_hash(example_graph) == before


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_ends_of_the_option_range_are_accepted(example_graph: Path, runner, day: str) -> None:
    r = runner.invoke(cli, ["report", str(example_graph), "--today", day, "--format", "html"])
    assert r.exit_code == 0, r.output


def test_add_offset_outside_the_calendar_is_none() -> None:
    assert add_offset(dt.date.max, "P1D") is None
    assert add_offset(dt.date.min, "-P1D") is None
    assert add_offset(dt.date(9999, 12, 1), "P3M") is None
    assert add_offset(dt.date(2026, 1, 31), "P1M") == dt.date(2026, 2, 28)


@pytest.mark.parametrize("value", ["20260310", "2026-W11-2", "２０２６-０３-１０", "2026-3-10"])
@pytest.mark.parametrize(("args", "option"), [
    (("report", "{g}", "--today", "{v}"), "--today"),
    (("sync", "{g}", "--dry-run", "--today", "{v}"), "--today"),
    (("scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮", "--entry", "{v}"), "--entry"),
], ids=["report", "sync", "scaffold"])
def test_option_dates_are_yyyy_mm_dd_and_nothing_else(example_graph: Path, runner, args: tuple[str, ...],
                                                       option: str, value: str) -> None:
    """--today used to take the other ISO forms date.fromisoformat knows, --entry did not."""
    r = runner.invoke(cli, [a.replace("{g}", str(example_graph)).replace("{v}", value) for a in args])
    assert r.exit_code == 2, r.output
    assert f"{option} 的日期“{value}”无法识别" in r.output and "YYYY-MM-DD" in r.output
