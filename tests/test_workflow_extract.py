"""The extractor: the seed whiteboard, other offices' layouts, and its small rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuncha_kb.workflow import extract as ex
from xuncha_kb.workflow import extract_lines, extract_read
from xuncha_kb.workflow import wording as wd
from xuncha_kb.workflow.extract import extract_blocks, extract_file
from xuncha_kb.workflow.extract_lines import SourceBlock

FIX = Path(__file__).resolve().parent / "fixtures" / "workflow"


@pytest.fixture
def seed(shared: Path) -> Path:
    return shared / "seed" / "000_d771ac59c96ea753.txt"


# --- the seed ------------------------------------------------------------------------------


def test_seed_seven_stages_in_order(seed):
    result = extract_file(seed)
    wf = result.workflow
    assert wf.name == "巡察工作流程"
    assert [s.name for s in wf.stages] == [
        "巡察计划", "巡察准备", "巡察了解", "巡察报告", "巡察反馈", "巡察移交", "巡察整改",
    ]
    assert result.stated_stage_count == 7  # "分为七个步骤"


def test_seed_stated_counts_match_without_warning(seed):
    result = extract_file(seed)
    prep, fb = result.workflow.stages[1], result.workflow.stages[4]
    assert (prep.stated_count, len(prep.activities)) == (13, 13)
    assert (fb.stated_count, len(fb.activities)) == (6, 6)
    # no count warning; the only warnings are the uncertain readings (splits and a merge)
    assert result.warnings and all(w.message.startswith("读法不确定") for w in result.warnings)
    assert [a.name for a in prep.activities] == [
        "制定巡察工作方案", "审批巡察工作方案", "发布巡察通知", "拟定拟抽调人员参加巡察的报告",
        "审批拟抽调人员参加巡察的报告", "相关部门通报情况", "办理巡察专员抽调", "制定巡察工作实施方案",
        "被巡单位提交巡前备查资料", "签订巡察专员保密承诺书", "熟悉被巡察单位提交资料并形成三项清单",
        "起草进驻材料", "巡察进驻",
    ]
    assert [a.name for a in fb.activities] == [
        "制定巡察反馈方案", "筹备巡察反馈会", "准备巡察反馈材料", "向被巡察党组织主要负责人反馈并约谈",
        "向被巡察党组织反馈", "公开巡察反馈情况",
    ]


def test_seed_three_lists_are_subitems_of_one_prep_activity(seed):
    prep = extract_file(seed).workflow.stages[1]
    with_subs = [a for a in prep.activities if a.subitems]
    assert len(with_subs) == 1
    assert with_subs[0].name == "熟悉被巡察单位提交资料并形成三项清单"
    assert with_subs[0].subitems == ("问题清单", "提问清单", "谈话提纲")


def test_seed_enumeration_sentence_is_not_a_stage_and_continuations_join(seed):
    wf = extract_file(seed).workflow
    assert not any("、" in s.name for s in wf.stages)
    plan = [a.name for a in wf.stages[0].activities]
    assert plan[0] == "根据上级要求、党委巡察规划和年度工作部署制定巡察年度计划并征求意见"
    assert plan[1] == "相关部门结合本系统年度重点工作提出修改意见和建议"
    assert plan[-1] == "巡察办将党委会批准的巡察年度工作计划进行发布"  # "最后" dropped, "进行发布" joined
    assert len(plan) == 7
    report = [a.name for a in wf.stages[3].activities]
    assert "巡察组组长就巡察期间发现的重大事项与被巡察单位党组织主要负责人做简要沟通" in report
    assert "巡察组对巡察报告初稿中的重要事例证据是否充分、定性是否准确进行讨论" in report


def test_seed_plan_stage_is_annual(seed):
    wf = extract_file(seed).workflow
    assert wf.stages[0].scope == "annual"
    assert all(s.scope == "per_inspection" for s in wf.stages[1:])


def test_seed_deadline_rule(seed):
    wf = extract_file(seed).workflow
    rules = [(a, a.deadline) for _, a in wf.activities() if a.deadline]
    assert len(rules) == 1
    act, rule = rules[0]
    assert wf.stage_of(act.id).name == "巡察整改"
    assert (rule.offset, rule.kind, rule.source) == ("P3M", "hard", "seed")
    assert wf.milestone(rule.anchor).name == "反馈意见签收日"
    assert "3 个月内" in rule.text


def test_seed_json_shape(seed, runner):
    from xuncha_kb.cli import cli

    res = runner.invoke(cli, ["workflow", "extract", str(seed), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"name", "stages", "deadlines", "warnings"} <= set(data)
    assert data["stages"][1]["name"] == "巡察准备" and data["stages"][1]["stated_count"] == 13
    assert len(data["stages"][1]["activities"]) == 13
    assert data["stages"][1]["activities"][10]["subitems"] == ["问题清单", "提问清单", "谈话提纲"]
    # the document's one hard rule; the soft ones are the matched default activities' own
    assert [d["milestone"] for d in data["deadlines"] if d["kind"] == "hard"] == ["反馈意见签收日"]
    assert data["warnings"] and all(w["line"] == 2 and w["stage"] for w in data["warnings"])
    assert [p["text"] for p in data["principles"]] == ["一事一底稿", "成熟一个编制一个"]


# --- other layouts -------------------------------------------------------------------------


def test_headings_bullets_and_a_count_mismatch():
    result = extract_file(FIX / "headings.md")
    wf = result.workflow
    assert wf.name == "某市直机关巡察工作规程"
    assert [s.name for s in wf.stages] == ["准备", "进驻了解", "报告", "整改"]
    assert [len(s.activities) for s in wf.stages] == [4, 4, 3, 3]
    # "（共5项）" in the heading vs four bullets → one warning naming the stage
    assert len(result.warnings) == 1
    w = result.warnings[0]
    assert w.stage == "准备" and "5" in w.message and "4" in w.message
    assert w.span.line == 5
    # nested bullets are sub-items; a "、" list after a count hint is split
    talk = wf.stages[1].activities[1]
    assert (talk.name, talk.subitems) == ("开展个别谈话", ("谈话计划", "谈话记录"))
    assert [a.name for a in wf.stages[2].activities] == [
        "起草巡察报告", "征求被巡察单位意见", "报领导小组审议"]
    assert wf.stages[2].stated_count == 3
    rule = wf.stages[3].activities[1].deadline
    assert rule is not None and rule.offset == "P2M" and rule.kind == "hard"


def test_logseq_outline_page_with_stage_blocks_and_child_activities():
    result = extract_file(FIX / "outline-page.md")
    wf = result.workflow
    assert wf.name == "区纪委巡察流程"  # title:: property
    assert [s.name for s in wf.stages] == ["巡察准备", "现场巡察", "反馈"]
    prep = wf.stages[0]
    assert prep.stated_count == 4 and len(prep.activities) == 4 and result.warnings == ()
    assert prep.activities[2].name == "根据巡察方案和被巡察单位情况组建巡察组"  # a two-line block
    assert prep.activities[3].subitems == ("问题清单", "谈话名单")  # grandchildren
    assert wf.stages[1].activities[1].name == "巡察组对被巡察单位报送的材料进行审阅"
    before_exit = wf.stages[1].activities[3].deadline
    assert before_exit.offset == "-P10D" and wf.milestone(before_exit.anchor).name == "撤离日"
    # the trailing note block is not an activity of the last stage
    assert wf.stages[2].activities[0].name == "反馈巡察意见"
    assert len(wf.stages[2].activities) == 2
    assert wf.stages[2].activities[1].deadline.offset == "P30D"


def test_whiteboard_with_one_block_per_stage():
    result = extract_file(FIX / "district-whiteboard.edn")
    wf = result.workflow
    assert wf.name == "某区巡察流程"
    assert [s.name for s in wf.stages] == ["准备", "实施", "反馈"]
    assert [a.name for a in wf.stages[1].activities] == ["进驻被巡察单位", "召开动员会", "开展个别谈话"]
    assert wf.stages[1].activities[2].subitems == ("谈话提纲",)
    assert [w.stage for w in result.warnings] == ["准备"]  # 三项 stated, two found
    rule = wf.stages[2].activities[1].deadline
    assert rule.offset == "P2M" and wf.milestone(rule.anchor).name == "反馈意见送达日"
    # the free text shape after the stages is not an activity
    assert all("草稿" not in a.name for _, a in wf.activities())


def test_json_export_pages():
    result = extract_file(FIX / "county-export.json")
    wf = result.workflow
    assert wf.name == "某县巡察流程"
    assert [(s.name, len(s.activities), s.stated_count) for s in wf.stages] == [
        ("巡察准备", 2, 2), ("巡察了解", 2, None),
    ]
    assert all("研究" not in a.name for _, a in wf.activities())


def _code_strings(path: Path) -> list[str]:
    """Every string literal in a module except docstrings (examples in prose are fine)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_no_stage_or_activity_names_in_the_extractor_code():
    modules = (ex, extract_lines, extract_read, wd)
    strings = " ".join(s for m in modules for s in _code_strings(Path(m.__file__ or "")))
    for word in ("巡察计划", "巡察准备", "巡察反馈", "三项清单", "问题清单", "反馈意见签收", "十三", "进驻"):
        assert word not in strings


# --- the small rules -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "n"), [
    ("13", 13), ("十三", 13), ("六", 6), ("二十一", 21), ("十", 10), ("两", 2), ("一百零五", 105),
    ("abc", None),
])
def test_chinese_numbers(text, n):
    assert wd.cn_number(text) == n


@pytest.mark.parametrize(("text", "hint"), [
    ("一共是十三项活动内容", (13, "")),
    ("有六项活动内容", (6, "")),
    ("本阶段共5项工作：A、B", (5, "A、B")),
    ("共计3项", (3, "")),
    ("形成两项清单", None),
    ("应自反馈意见签收之日起 3 个月内", None),
])
def test_count_hints(text, hint):
    assert wd.count_hint(text) == hint


@pytest.mark.parametrize(("prev", "cur", "joined"), [
    ("根据上级要求、党委巡察规划和年度工作部署", "制定巡察年度计划并征求意见", True),
    ("最后巡察办将党委会批准的巡察年度工作计划", "进行发布", True),
    ("巡察组组长就巡察期间发现的重大事项", "与被巡察单位党组织主要负责人做简要沟通", True),
    ("对被巡察单位提交的", "材料逐项核对", True),  # ends with 的
    ("制定巡察工作方案", "审批巡察工作方案", False),
    ("召开动员会。", "并开展谈话", False),  # a finished sentence never continues
])
def test_continuation(prev, cur, joined):
    assert wd.continues(prev, cur) is joined


def test_prepositional_opener_stops_pulling_once_it_has_its_verb():
    assert wd.continues("根据方案", "组建巡察组")
    assert not wd.continues("根据方案组建巡察组", "召开动员会", prev_joined=True)


@pytest.mark.parametrize(("text", "joined", "parts"), [
    ("制定巡察工作方案、审批巡察工作方案", False, ["制定巡察工作方案", "审批巡察工作方案"]),
    ("查阅资料、个别谈话等方式获取信息", False, ["查阅资料", "个别谈话"]),
    ("向纪检部移交问题线索，向干部人事部移交相关问题", False,
     ["向纪检部移交问题线索", "向干部人事部移交相关问题"]),
    ("成熟一个编制一个，形成封闭问题底稿台账", False, ["成熟一个编制一个，形成封闭问题底稿台账"]),
    ("是否充分、定性是否准确", True, ["是否充分、定性是否准确"]),
    ("根据上级要求、党委巡察规划", False, ["根据上级要求、党委巡察规划"]),
])
def test_splitting(text, joined, parts):
    assert wd.split_activities(text, joined) == parts


@pytest.mark.parametrize(("text", "expected"), [
    ("第二阶段：巡察准备（13项）", ("巡察准备", 13)),
    ("一、准备阶段（共5项）", ("准备", 5)),
    ("巡察计划阶段", ("巡察计划", None)),
    ("（三）报告阶段：", ("报告", None)),
])
def test_stage_names(text, expected):
    assert wd.stage_name(text) == expected


@pytest.mark.parametrize(("text", "milestone", "offset", "kind"), [
    ("应自反馈意见签收之日起 3 个月内将整改情况报告", "反馈意见签收日", "P3M", "hard"),
    ("须自反馈之日起30日内报送整改方案", "反馈日", "P30D", "hard"),
    ("撤离前10天与主要负责人交换意见", "撤离日", "-P10D", "soft"),
    ("在进驻后两周内完成谈话", "进驻日", "P2W", "soft"),
])
def test_deadline_sentences(text, milestone, offset, kind):
    found = wd.find_deadline(text)
    assert found is not None
    assert (found.milestone, found.offset, found.kind) == (milestone, offset, kind)


def test_no_deadline_in_plain_text():
    assert wd.find_deadline("召开巡察进驻动员会") is None


def test_pure_core_on_blocks_with_bold_stage_lines():
    blocks = [
        SourceBlock("**第一阶段 准备**\n\n分别是\n\n起草方案、审定方案\n\n**实施阶段**\n\n进驻", file="x.md"),
        SourceBlock("无关的块", file="x.md", line=20),
    ]
    result = extract_blocks(blocks)
    wf = result.workflow
    assert [s.name for s in wf.stages] == ["准备", "实施"]  # numbering and 阶段 dropped
    assert [a.name for a in wf.stages[0].activities] == ["起草方案", "审定方案"]
    assert [a.name for a in wf.stages[1].activities] == ["进驻"]
    assert wf.stages[1].activities[0].depends_on == ("s1.02",)
    assert wf.stages[0].activities[0].span.line == 5


def test_no_stages_is_a_warning():
    result = extract_blocks([SourceBlock("只是一段普通的文字。")])
    assert result.workflow.stages == ()
    assert "没有找到任何阶段" in result.warnings[0].message


def test_edn_export_with_heading_blocks():
    wf = extract_file(FIX / "county-export.edn").workflow
    assert wf.name == "某县巡察流程（导出）"
    assert [(s.name, s.stated_count, len(s.activities)) for s in wf.stages] == [
        ("准备", 3, 3), ("整改", None, 1)]
    assert wf.stages[1].activities[0].deadline.offset == "P60D"


def test_every_corpus_document_extracts_without_crashing(corpus):
    """Robustness: real Logseq pages and whiteboards that are not workflows give drafts or
    a clean InputError (e.g. config.edn is not an export), never an exception."""
    from xuncha_kb.errors import InputError

    done = 0
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".md", ".edn", ".json") or not path.is_file():
            continue
        try:
            result = extract_file(path)
        except InputError:
            assert path.suffix == ".edn"
            continue
        assert all(s.name for s in result.workflow.stages)
        done += 1
    assert done > 100


def test_bold_title_numbered_bold_stages_and_parenthesised_numbers():
    result = extract_file(FIX / "bold-numbered.md")
    wf = result.workflow
    assert wf.name == "巡察工作流程（试行）"  # a bold line with nothing under it, above the stages
    assert [s.name for s in wf.stages] == ["巡察准备", "巡察实施", "巡察反馈"]  # "一、" dropped
    assert [a.name for a in wf.stages[0].activities] == ["制定方案", "审批方案", "召开巡察组培训会"]
    assert [a.name for a in wf.stages[1].activities] == [
        "召开动员会", "开展个别谈话", "受理信访", "对发现的问题形成问题底稿"]  # "（3）对…" + next line
    assert (wf.stages[2].stated_count, len(wf.stages[2].activities)) == (2, 2)
    assert result.warnings == ()


def test_object_clause_pulls_the_next_line_only_without_its_own_verb():
    assert wd.continues("对发现的问题", "形成问题底稿")
    assert not wd.continues("对整改情况进行评估", "召开评价会")


# --- property: documents written in the seed's style -----------------------------------------

# Characters that cannot start or end a continuation, a count, a deadline or a stage title,
# so every generated line is exactly one activity unless the document joins it with 、.
SAFE = "巡察准备了解报告反馈移交整改方案审批通知会议材料清单谈话组织单位意见制定发布进驻撤离纲底稿台账"
_CN = "零一二三四五六七八九"


def cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


@st.composite
def seed_style_documents(draw):
    stages = draw(st.lists(st.text(SAFE, min_size=2, max_size=6), min_size=1, max_size=5, unique=True))
    doc, expected = ["### 某单位巡察流程", ""], []
    for name in stages:
        acts = draw(st.lists(st.text(SAFE, min_size=2, max_size=12), min_size=1, max_size=14))
        stated = draw(st.booleans())
        doc += [f"**{name}阶段**", ""]
        if stated:
            n = len(acts)
            doc += [draw(st.sampled_from([f"一共是{cn(n)}项活动内容", f"有{n}项活动内容"])), ""]
        i = 0
        while i < len(acts):
            k = draw(st.integers(1, 3))  # up to three activities on one line, joined by 、
            doc += ["、".join(acts[i:i + k]), ""]
            i += k
        expected.append((name, acts, len(acts) if stated else None))
    return "\n".join(doc), expected


@settings(max_examples=80, deadline=None)
@given(seed_style_documents())
def test_seed_style_documents_are_recovered(case):
    text, expected = case
    result = extract_blocks([SourceBlock(text, file="doc.md")])
    wf = result.workflow
    assert wf.name == "某单位巡察流程"
    assert [(s.name, [a.name for a in s.activities], s.stated_count) for s in wf.stages] == expected
    assert result.warnings == ()


def test_inline_subitem_explanation_attaches_to_the_activity_that_mentions_it():
    text = "**准备阶段**\n\n制定方案、形成两项清单\n\n召开会议\n\n其中两项清单包括：问题清单、谈话名单"
    wf = extract_blocks([SourceBlock(text)]).workflow
    acts = wf.stages[0].activities
    assert [a.name for a in acts] == ["制定方案", "形成两项清单", "召开会议"]
    assert acts[1].subitems == ("问题清单", "谈话名单") and acts[2].subitems == ()
