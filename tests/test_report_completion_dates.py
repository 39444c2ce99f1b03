"""Reports show when a stage was completed, as recorded in the event log that watch keeps."""

from __future__ import annotations

import json
from pathlib import Path

from xuncha_kb.cli import cli
from xuncha_kb.fs.eventlog import append_events
from xuncha_kb.live.events import Event

INSPECTION = "巡察/2026年第一轮/某某集团有限公司"


def _log(graph: Path, *events: tuple[str, str, str]) -> None:
    append_events(graph, [Event(kind, INSPECTION, stage, None, at=f"{day}T09:00:00", date=day)
                          for kind, stage, day in events])


def _stages(runner, graph: Path) -> dict[str, dict]:
    result = runner.invoke(cli, ["report", str(graph), "--format", "json", "--today", "2026-04-20"])
    assert result.exit_code == 0, result.output
    (insp,) = [i for i in json.loads(result.output)["inspections"] if i["name"] == INSPECTION]
    return {s["id"]: s for s in insp["stages"]}


def test_completed_stage_carries_its_date_from_the_log(runner, example_graph: Path) -> None:
    _log(example_graph, ("stage_completed", "prep", "2026-03-01"))
    stages = _stages(runner, example_graph)
    assert stages["prep"]["state"] == "已完成"
    assert stages["prep"]["completed_on"] == "2026-03-01"
    text = runner.invoke(cli, ["report", str(example_graph), "--today", "2026-04-20", "--no-color"]).output
    assert "已完成 2026-03-01" in text
    args = ["report", str(example_graph), "--today", "2026-04-20", "--format", "html"]
    html = runner.invoke(cli, args).output
    assert "已完成　2026-03-01" in html


def test_reopened_stage_and_unfinished_stage_get_no_date(runner, example_graph: Path) -> None:
    _log(example_graph,
         ("stage_completed", "prep", "2026-03-01"),
         ("stage_reopened", "prep", "2026-03-02"),
         ("stage_completed", "know", "2026-03-03"))  # know is not complete in the graph now
    stages = _stages(runner, example_graph)
    assert stages["prep"]["completed_on"] is None
    assert stages["know"]["state"] != "已完成"
    assert stages["know"]["completed_on"] is None


def test_without_a_log_no_stage_has_a_date(runner, example_graph: Path) -> None:
    stages = _stages(runner, example_graph)
    assert all(s["completed_on"] is None for s in stages.values())
