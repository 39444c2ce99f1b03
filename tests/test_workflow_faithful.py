"""A faithful reading: principles are rules, one obligation is one activity, actors, outputs
and milestones are read — on the seed and on the small rules."""

from __future__ import annotations

import pytest

from xuncha_kb.workflow.adopt import adopt_ids
from xuncha_kb.workflow.details import read_details, stated_actor
from xuncha_kb.workflow.extract import extract_blocks, extract_file
from xuncha_kb.workflow.extract_lines import SourceBlock
from xuncha_kb.workflow.load import default_workflow
from xuncha_kb.workflow.sentences import closes_obligation, principle_of, read_sentence


@pytest.fixture
def seed_reading(shared):
    return adopt_ids(extract_file(shared / "seed" / "000_d771ac59c96ea753.txt"), default_workflow())


def test_seed_has_the_stated_shape(seed_reading):
    wf = seed_reading.workflow
    assert [s.name for s in wf.stages] == ["巡察计划", "巡察准备", "巡察了解", "巡察报告", "巡察反馈",
                                           "巡察移交", "巡察整改"]
    assert len(wf.stages[1].activities) == 13 and len(wf.stages[4].activities) == 6


def test_seed_principles_are_rules_on_the_draft_sheet_not_activities(seed_reading):
    wf = seed_reading.workflow
    names = [a.name for _, a in wf.activities()]
    assert not any("一事一底稿" in n or "成熟一个编制一个" in n or "原则" in n for n in names)
    sheet = next(a for a in wf.artifacts if a.name == "巡察问题底稿")
    assert sheet.rules == ("一事一底稿", "成熟一个编制一个")
    assert "封闭问题底稿台账" in wf.activity("know.08").name


def test_seed_three_month_rule_is_one_activity_with_one_hard_deadline(seed_reading):
    wf = seed_reading.workflow
    ruled = [a for _, a in wf.activities() if a.deadline and a.deadline.kind == "hard"]
    assert len(ruled) == 1
    act = ruled[0]
    assert act.id == "rect.06" and act.deadline.offset == "P3M" and act.deadline.kind == "hard"
    assert "将整改情况报告" in act.name and "佐证资料" in act.name
    assert not any("佐证资料" in a.name for _, a in wf.activities() if a is not act)


def test_seed_keeps_the_configurable_soft_deadlines_of_the_default(seed_reading):
    wf, default = seed_reading.workflow, default_workflow()
    soft = {a.id: a.deadline for _, a in wf.activities() if a.deadline and a.deadline.kind == "soft"}
    assert soft and soft == {a.id: a.deadline for _, a in default.activities()
                             if a.deadline and a.deadline.kind == "soft"}


def test_seed_review_meeting_and_rectification_are_separate_activities(seed_reading):
    rect = seed_reading.workflow.stages[6]
    assert [a.id for a in rect.activities[1:4]] == ["rect.02", "rect.03", "rect.04"]
    assert rect.activities[2].name == "召开巡察整改专题民主生活会"
    assert any("读作 3 项活动" in w.message for w in seed_reading.warnings)


def test_seed_every_activity_has_an_actor_and_ids_are_the_defaults(seed_reading):
    wf, default = seed_reading.workflow, default_workflow()
    acts = [a for _, a in wf.activities()]
    assert all(a.actor and wf.role(a.actor) for a in acts)
    assert sum(default.activity(a.id) is not None for a in acts) / len(acts) >= 0.9
    assert wf.activity("plan.02").actor == "xiangguan"  # read from the sentence
    assert wf.activity("rep.04").actor == "lingdao"


def test_seed_milestones_and_outputs(seed_reading):
    wf = seed_reading.workflow
    sets = {m.name: m.set_by for m in wf.milestones}
    assert sets["进驻日"] == "prep.13" and sets["撤离日"] == "know.10"
    assert sets["反馈意见签收日"] == "fb.05"
    assert wf.activity("prep.13").sets_milestone == "entry_date"
    names = {a.name for a in wf.artifacts}
    assert {"巡察工作方案", "巡察反馈方案", "问题底稿台账", "巡察整改方案"} <= names
    assert wf.activity("prep.11").produces == ("issue_list", "question_list", "interview_outline")


def test_seed_uncertain_readings_are_warnings_with_their_line(seed_reading):
    assert seed_reading.warnings
    assert all(w.span is not None and w.span.line >= 1 for w in seed_reading.warnings)


# --- the small rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("clause", "principle"), [
    ("巡察底稿按一事一底稿的原则制作", "一事一底稿"),
    ("成熟一个编制一个", "成熟一个编制一个"),
    ("坚持边巡边改原则", "边巡边改"),
    ("一人一档", "一人一档"),
    ("制定巡察工作方案", None),
    ("召开巡察动员会", None),
])
def test_principles(clause, principle):
    assert principle_of(clause) == principle


def test_a_line_opening_with_bing_starts_new_activities():
    out = read_sentence(["报领导小组审核", "并召开专题会议，推进整改落实"], True)
    assert [r.text for r in out if r.kind == "activity"] == ["报领导小组审核", "召开专题会议", "推进整改落实"]
    assert [r.kind for r in out].count("note") == 1


def test_after_splits_two_full_clauses_but_not_a_short_one_or_a_deadline():
    acts = [r.text for r in read_sentence(["领导小组审阅巡察报告后提交党委会审议"], False)
            if r.kind == "activity"]
    assert acts == ["领导小组审阅巡察报告", "提交党委会审议"]
    assert len(read_sentence(["巡察办修改后形成初稿"], False)) == 1
    assert len(read_sentence(["被巡察单位应在收到反馈意见后2个月内报送整改报告"], False)) == 1


def test_an_open_hand_over_pulls_the_next_sentence_in():
    assert closes_obligation("被巡察单位应自签收之日起2个月内将整改报告", "及佐证材料等报巡察办")
    assert not closes_obligation("被巡察单位应自签收之日起2个月内将整改报告报巡察办", "召开评估会")
    assert not closes_obligation("召开会议", "及佐证材料等报巡察办")


def test_stated_actor_takes_the_longest_name_at_the_start():
    ref = default_workflow()
    assert stated_actor("巡察组组长就重大事项沟通", ref).id == "zuzhang"
    assert stated_actor("巡察组准备材料", ref).id == "xunchazu"
    assert stated_actor("由巡察办统筹", ref).id == "xunchaban"
    assert stated_actor("召开动员会", ref) is None


def test_an_unstated_actor_of_a_new_activity_is_a_warned_guess():
    ex = extract_blocks([SourceBlock("## 准备\n\n- 巡察办制定巡察方案\n- 印发通知\n")])
    wf, warnings = read_details(ex.workflow, default_workflow())
    acts = [a for _, a in wf.activities()]
    assert [a.actor for a in acts] == ["xunchaban", "xunchaban"]
    assert len(warnings) == 1 and "印发通知" in warnings[0].message and warnings[0].span.line == 4
