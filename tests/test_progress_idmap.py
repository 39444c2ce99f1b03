"""A running inspection keeps its progress when the office adopts a definition whose ids differ
from the ones its pages were scaffolded with (``track/idmap.py``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

from xuncha_kb.cli import cli
from xuncha_kb.track.idmap import map_unknown_ids
from xuncha_kb.workflow.load import default_workflow
from xuncha_kb.workflow.model import Workflow
from xuncha_kb.workflow.write import render_definition


def renumbered(wf: Workflow) -> Workflow:
    """The default with other ids (as an older extraction gave them: s1, s1.01, …) and one
    activity reworded."""
    new_ids = {a.id: f"s{si}.{ai:02d}" for si, s in enumerate(wf.stages, 1)
               for ai, a in enumerate(s.activities, 1)}
    stages = []
    for si, s in enumerate(wf.stages, 1):
        acts = tuple(replace(a, id=new_ids[a.id], depends_on=tuple(new_ids[d] for d in a.depends_on),
                             name="巡察组召开巡察进驻动员大会" if a.id == "know.01" else a.name)
                     for a in s.activities)
        stages.append(replace(s, id=f"s{si}", activities=acts))
    ms = tuple(replace(m, set_by=new_ids.get(m.set_by or "", m.set_by)) for m in wf.milestones)
    return replace(wf, id="ours", stages=tuple(stages), milestones=ms)


def _report(runner, graph: Path) -> dict:
    res = runner.invoke(cli, ["report", str(graph), "--format", "json", "--today", "2026-05-01"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_unknown_ids_map_to_the_activity_of_the_same_name():
    wf = default_workflow()
    got = map_unknown_ids(wf, {"s2.01": "制定巡察工作方案", "s9.99": "完全无关的事情",
                               "s2.02": "审批巡察工作方案"}, present={"prep.02"})
    # prep.02 already has its task: the second title cannot take it
    assert got == {"s2.01": "prep.01"}


def test_one_activity_takes_one_old_id():
    wf = default_workflow()
    got = map_unknown_ids(wf, {"x.1": "制定巡察工作方案", "x.2": "制定巡察工作方案"}, present=set())
    assert got["x.1"] == "prep.01" and got.get("x.2") != "prep.01"


def test_adopting_a_renumbered_definition_keeps_the_done_count(runner, example_graph: Path):
    before = _report(runner, example_graph)
    (example_graph / "pages" / "本办巡察流程.md").write_text(
        render_definition(renumbered(default_workflow())), encoding="utf-8")
    after = _report(runner, example_graph)
    assert after["workflow"]["id"] == "ours"
    b, a = before["inspections"][0], after["inspections"][0]
    assert b["done"] > 0
    assert (a["done"], a["total"]) == (b["done"], b["total"])
    kinds = [i["kind"] for i in a["issues"]] + [i["kind"] for i in after["issues"]]
    assert "unknown_activity" not in kinds


def test_without_a_close_name_an_old_id_stays_unknown(runner, example_graph: Path):
    wf = renumbered(default_workflow())
    # every activity renamed beyond recognition: nothing maps, the diagnostics say so
    wf = replace(wf, stages=tuple(replace(s, activities=tuple(replace(a, name=f"事项{a.id}")
                                                              for a in s.activities)) for s in wf.stages))
    (example_graph / "pages" / "本办巡察流程.md").write_text(render_definition(wf), encoding="utf-8")
    after = _report(runner, example_graph)
    kinds = [i["kind"] for i in after["inspections"][0]["issues"]]
    assert "unknown_activity" in kinds and after["inspections"][0]["done"] == 0
    assert dt.date(2026, 5, 1).isoformat() == after["today"]


def test_inspections_from_two_definitions_live_in_one_graph(runner, example_graph: Path):
    """The sample inspection was scaffolded from the default (A); a second one is scaffolded
    after adopting B (other ids): both read cleanly, and the sample keeps its done count."""
    before = _report(runner, example_graph)["inspections"][0]
    (example_graph / "pages" / "本办巡察流程.md").write_text(
        render_definition(renumbered(default_workflow())), encoding="utf-8")
    res = runner.invoke(cli, ["scaffold", str(example_graph), "--unit", "示例能源有限公司",
                              "--round", "2026年第二轮", "--entry", "2026-09-01"])
    assert res.exit_code == 0, res.output
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (example_graph / "pages").glob("*示例能源*.md"))
    assert "活动:: s2.01" in pages and "活动:: prep.01" not in pages
    after = _report(runner, example_graph)
    by_unit = {i["unit"]: i for i in after["inspections"]}
    assert by_unit["某某集团有限公司"]["done"] == before["done"]
    for i in after["inspections"]:
        assert "unknown_activity" not in [x["kind"] for x in i["issues"]]
    assert by_unit["示例能源有限公司"]["total"] == before["total"]


def test_watch_reads_old_ids_through_the_mapping(example_graph: Path):
    from xuncha_kb.live.state import LiveGraph

    def done(root: Path) -> int:
        live = LiveGraph(root, today=lambda: dt.date(2026, 5, 1), use_cache=False).start()
        assert live.progress is not None
        insp = live.progress.inspections[0]
        assert "unknown_activity" not in [i.kind for i in insp.issues]
        return sum(1 for s in insp.stages for a in s.activities if a.status == "done")

    before = done(example_graph)
    (example_graph / "pages" / "本办巡察流程.md").write_text(
        render_definition(renumbered(default_workflow())), encoding="utf-8")
    assert before > 0 and done(example_graph) == before
