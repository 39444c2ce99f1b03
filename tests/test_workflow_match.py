"""Stable identity: an extraction takes the ids of the definition in force."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from xuncha_kb.cli import cli
from xuncha_kb.workflow.load import default_workflow, load_definition
from xuncha_kb.workflow.match import THRESHOLD, match_ids, normalise, similarity
from xuncha_kb.workflow.model import Activity, Stage, Workflow


def _wf(*stages: tuple[str, str, list[tuple[str, str]]]) -> Workflow:
    return Workflow("w", "流程", tuple(
        Stage(sid, name, tuple(Activity(aid, an, depends_on=()) for aid, an in acts))
        for sid, name, acts in stages))


REF = _wf(("prep", "巡察准备", [("prep.01", "制定巡察工作方案"), ("prep.02", "审批巡察工作方案"),
                              ("prep.03", "发布巡察通知")]),
          ("know", "巡察了解", [("know.01", "召开进驻动员会"), ("know.02", "个别谈话")]))


def test_normalise_folds_width_and_drops_punctuation():
    assert normalise("报巡察办（巡察组）审核，") == "报巡察办巡察组审核"
    assert normalise("ＡＢ １２") == "ab12"


def test_similarity_is_one_for_the_same_text_and_low_for_unrelated():
    assert similarity("制定巡察工作方案", "制定巡察工作方案") == 1.0
    assert similarity("制定巡察工作方案", "个别谈话") == 0.0
    assert similarity("巡察组制定巡察工作方案并报批", "制定巡察工作方案") >= 0.8


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_similarity_is_symmetric_and_bounded(a, b):
    s = similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert abs(s - similarity(b, a)) < 1e-9


def test_reworded_activities_keep_their_ids_and_new_ones_get_fresh_ids():
    draft = _wf(("s1", "巡察准备阶段", [("s1.01", "巡察办制定巡察工作方案"), ("s1.02", "审批巡察工作方案"),
                                      ("s1.03", "召开巡察组培训会")]),
                ("s2", "巡察了解", [("s2.01", "召开进驻动员会"), ("s2.02", "开展个别谈话")]))
    m = match_ids(draft, REF)
    ids = [a.id for _, a in m.workflow.activities()]
    # prep.03 was dropped: its number is never handed to the new activity
    assert ids == ["prep.01", "prep.02", "prep.04", "know.01", "know.02"]
    assert [s.id for s in m.workflow.stages] == ["prep", "know"]
    status = {(r.status, r.id) for r in m.rows}
    assert ("dropped", "prep.03") in status and ("new", "prep.04") in status
    assert m.reused == 4 and m.extracted == 5
    assert m.mapping["s1.03"] == "prep.04"


def test_dependencies_follow_the_new_ids():
    draft = Workflow("w", "流程", (Stage("s1", "巡察准备", (
        Activity("s1.01", "制定巡察工作方案"),
        Activity("s1.02", "审批巡察工作方案", depends_on=("s1.01",)))),))
    wf = match_ids(draft, REF).workflow
    assert wf.activity("prep.02").depends_on == ("prep.01",)


def test_an_activity_never_matches_across_stages():
    draft = _wf(("s1", "巡察准备", [("s1.01", "个别谈话")]))
    m = match_ids(draft, REF)
    row = next(r for r in m.rows if r.status == "new")
    assert row.id == "prep.04" and "没有名称相近" in row.reason
    assert ("dropped", "know.02") in {(r.status, r.id) for r in m.rows}


def test_a_new_stage_gets_a_fresh_id_and_a_reason():
    draft = _wf(("s1", "巡察回头看", [("s1.01", "开展巡察回头看")]))
    m = match_ids(draft, REF)
    assert m.workflow.stages[0].id == "s1"
    assert m.rows[0].status == "new" and "没有这个阶段" in m.rows[0].reason
    assert {r.id for r in m.rows if r.status == "dropped"} == {a.id for _, a in REF.activities()}


def test_one_reference_activity_is_given_to_one_extracted_activity_only():
    draft = _wf(("s1", "巡察准备", [("s1.01", "制定巡察工作方案"), ("s1.02", "制定巡察工作方案初稿")]))
    ids = [a.id for _, a in match_ids(draft, REF).workflow.activities()]
    assert ids[0] == "prep.01" and ids[1] != "prep.01" and len(set(ids)) == 2


def test_the_default_matched_against_itself_is_the_identity():
    wf = default_workflow()
    m = match_ids(wf, wf)
    assert m.reused == m.extracted == sum(1 for _ in wf.activities())
    assert [a.id for _, a in m.workflow.activities()] == [a.id for _, a in wf.activities()]
    assert all(r.score is not None and r.score >= THRESHOLD for r in m.rows)


# --- the seed and the command ---------------------------------------------------------------


def test_seed_reuses_at_least_ninety_percent_of_the_default_ids(shared, runner):
    seed = shared / "seed" / "000_d771ac59c96ea753.txt"
    res = runner.invoke(cli, ["workflow", "extract", str(seed), "--json"])
    assert res.exit_code == 0, res.output
    m = json.loads(res.stdout)["match"]
    assert m["reused_share"] >= 0.9
    assert m["reference"].startswith("内置默认定义")
    extracted_ids = [a["id"] for s in json.loads(res.stdout)["stages"] for a in s["activities"]]
    assert len(set(extracted_ids)) == len(extracted_ids)
    default_ids = {a.id for _, a in default_workflow().activities()}
    assert sum(i in default_ids for i in extracted_ids) / len(extracted_ids) >= 0.9


def test_extract_text_shows_the_match_table(shared, runner):
    seed = shared / "seed" / "000_d771ac59c96ea753.txt"
    res = runner.invoke(cli, ["workflow", "extract", str(seed)])
    assert res.exit_code == 0, res.output
    assert "活动编号对照（对照内置默认定义）" in res.stdout
    assert "  沿用 prep.01 制定巡察工作方案：名称相同" in res.stdout


def test_the_graphs_own_definition_is_the_reference(tmp_path: Path, runner):
    graph = tmp_path / "g"
    (graph / "pages").mkdir(parents=True)
    (graph / "logseq").mkdir()
    (graph / "pages" / "本办流程.md").write_text(
        "type:: [[巡察工作流程定义]]\n流程id:: ours\n流程名称:: 本办流程\n格式版本:: 1\n\n"
        "- ## 准备\n  阶段id:: zb\n  范围:: 每次巡察\n"
        "\t- 起草巡察方案\n\t  活动id:: zb.07\n", encoding="utf-8")
    doc = tmp_path / "新流程.md"
    doc.write_text("## 准备\n\n- 起草巡察方案\n- 印发巡察通知\n", encoding="utf-8")
    out = tmp_path / "out.md"
    res = runner.invoke(cli, ["workflow", "extract", str(doc), "--graph", str(graph), "-o", str(out)])
    assert res.exit_code == 0, res.output
    wf = load_definition(out)
    assert [a.id for _, a in wf.activities()] == ["zb.07", "zb.08"]
    assert wf.id == "ours"
