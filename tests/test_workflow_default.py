"""The shipped default definition: it loads, validates, and says what the seed says."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from xuncha_kb.workflow import dag, templates
from xuncha_kb.workflow.load import default_workflow, load_definition_text, strip_spans
from xuncha_kb.workflow.write import render_definition

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wf():
    return default_workflow()


def test_seven_stages_in_seed_order(wf):
    assert [s.name for s in wf.stages] == [
        "巡察计划", "巡察准备", "巡察了解", "巡察报告", "巡察反馈", "巡察移交", "巡察整改",
    ]
    assert [s.id for s in wf.stages] == ["plan", "prep", "know", "rep", "fb", "tr", "rect"]


def test_plan_stage_is_annual_the_rest_per_inspection(wf):
    assert wf.stages[0].scope == "annual"
    assert all(s.scope == "per_inspection" for s in wf.stages[1:])
    assert [s.id for s in wf.per_inspection_stages()] == ["prep", "know", "rep", "fb", "tr", "rect"]


def test_stated_counts_match(wf):
    prep, fb = wf.stages[1], wf.stages[4]
    assert prep.stated_count == 13 and len(prep.activities) == 13
    assert fb.stated_count == 6 and len(fb.activities) == 6
    assert [p for p in dag.validate(wf) if p.kind == "count"] == []


def test_three_lists_are_subitems_of_prep_11(wf):
    act = wf.activity("prep.11")
    assert act is not None
    assert act.subitems == ("问题清单", "提问清单", "谈话提纲")
    assert {"issue_list", "question_list", "interview_outline"} <= set(act.produces)


def test_rectification_deadline_comes_from_the_seed(wf):
    act = wf.activity("rect.06")
    assert act is not None and act.deadline is not None
    assert (act.deadline.anchor, act.deadline.offset, act.deadline.kind, act.deadline.source) == (
        "feedback_signed", "P3M", "hard", "seed")
    assert wf.milestone("feedback_signed").name == "反馈意见签收日"
    assert wf.milestone("feedback_signed").set_by == "fb.05"
    assert wf.activity("fb.05").sets_milestone == "feedback_signed"


def test_every_other_deadline_is_a_configurable_default(wf):
    others = [a for _, a in wf.activities() if a.deadline and a.id != "rect.06"]
    assert others, "expected optional defaults such as the 巡察通知 notice period"
    assert all(a.deadline.source != "seed" and a.deadline.kind == "soft" for a in others)
    notice = wf.activity("prep.03").deadline
    assert (notice.anchor, notice.offset) == ("entry_date", "-P10D")


def test_milestones_have_setters_and_sensitive_artifacts_are_flagged(wf):
    assert {m.name for m in wf.milestones} >= {"进驻日", "撤离日", "反馈意见签收日"}
    assert all(m.set_by and wf.activity(m.set_by) for m in wf.milestones)
    sensitive = {a.name for a in wf.artifacts if a.sensitive}
    assert {"信访举报登记", "个别谈话记录", "问题线索移交材料"} <= sensitive
    assert not wf.artifact("work_plan").sensitive


def test_default_is_a_valid_dag_with_a_critical_path(wf):
    assert [p for p in dag.validate(wf) if p.severity == "error"] == []
    path = dag.critical_path(wf)
    assert path[0] == "prep.01" and path[-1] == "rect.11"
    # consecutive activities on the path are real dependencies
    for a, b in itertools.pairwise(path):
        assert a in wf.activity(b).depends_on
    assert dag.critical_path(wf, "annual") == [f"plan.0{i}" for i in range(1, 8)]


def test_every_activity_has_an_actor_and_spans_point_into_the_file(wf):
    for _, act in wf.activities():
        assert act.actor and wf.role(act.actor), act.id
        assert act.span is not None and act.span.file.endswith("巡察工作流程定义.md")
    text = templates.read_template(templates.DEFAULT_DEFINITION).splitlines()
    span = wf.activity("prep.11").span
    assert text[span.line - 1].strip() == "- 熟悉被巡察单位提交资料并形成三项清单"


def test_default_round_trips_through_the_writer(wf):
    again = load_definition_text(render_definition(wf), "again.md")
    assert strip_spans(again) == strip_spans(wf)


def test_templates_folder_found_from_a_source_checkout(monkeypatch):
    monkeypatch.delenv(templates.ENV, raising=False)
    root = templates.templates_root()
    assert root.joinpath("workflow").joinpath("巡察工作流程定义.md").is_file()
    assert Path(str(root)).resolve() == (ROOT / "graph_templates").resolve()


def test_templates_env_override(monkeypatch, tmp_path):
    (tmp_path / "workflow").mkdir()
    (tmp_path / "workflow" / "巡察工作流程定义.md").write_text("x", encoding="utf-8")
    monkeypatch.setenv(templates.ENV, str(tmp_path))
    assert templates.read_template(templates.DEFAULT_DEFINITION) == "x"
    monkeypatch.setenv(templates.ENV, str(tmp_path / "missing"))
    from xuncha_kb.errors import XunchaError

    with pytest.raises(XunchaError, match="找不到内置模板"):
        templates.read_template(templates.DEFAULT_DEFINITION)


def test_templates_found_through_the_installed_package(monkeypatch, tmp_path):
    """In a wheel, graph_templates is the package xuncha_kb.graph_templates."""
    pkg = tmp_path / "pkg"
    (pkg / "workflow").mkdir(parents=True)
    (pkg / "workflow" / "巡察工作流程定义.md").write_text("from the wheel", encoding="utf-8")
    monkeypatch.delenv(templates.ENV, raising=False)
    seen = []

    def files(name):
        seen.append(name)
        return pkg

    monkeypatch.setattr(templates.resources, "files", files)
    assert templates.read_template(templates.DEFAULT_DEFINITION) == "from the wheel"
    assert seen == ["xuncha_kb.graph_templates"]


def test_templates_fall_back_when_the_package_is_not_importable(monkeypatch):
    def files(name):
        raise ModuleNotFoundError(name)

    monkeypatch.delenv(templates.ENV, raising=False)
    monkeypatch.setattr(templates.resources, "files", files)
    assert "type:: [[巡察工作流程定义]]" in templates.read_template(templates.DEFAULT_DEFINITION)


def test_rule_sources_are_tagged(wf):
    rules = {a.id: a.deadline for _, a in wf.activities() if a.deadline}
    assert rules["rect.06"].source == "seed"
    others = {r.source for i, r in rules.items() if i != "rect.06"}
    assert others == {"default", "ext:E5", "ext:E7", "ext:E12"}
