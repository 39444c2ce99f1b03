"""extract → write → load gives the same definition; write → load is the identity."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuncha_kb.cli import cli
from xuncha_kb.workflow.adopt import adopt_ids
from xuncha_kb.workflow.extract import extract_file
from xuncha_kb.workflow.load import default_workflow, load_definition, load_definition_text, strip_spans
from xuncha_kb.workflow.model import Activity, Artifact, DeadlineRule, Milestone, Role, Stage, Workflow
from xuncha_kb.workflow.write import render_definition

FIX = Path(__file__).resolve().parent / "fixtures" / "workflow"


def _roundtrip_file(runner, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "定义.md"
    res = runner.invoke(cli, ["workflow", "extract", str(source), "-o", str(out)])
    assert res.exit_code == 0, res.output
    # the page carries the ids of the definition in force (here: the built-in default)
    extracted = adopt_ids(extract_file(source), default_workflow()).workflow
    loaded = load_definition(out)
    assert strip_spans(loaded) == strip_spans(extracted)
    assert loaded.source == str(out)
    # the written page validates with `workflow check`
    res = runner.invoke(cli, ["workflow", "check", str(out)])
    assert res.exit_code == 0, res.output


def test_seed_roundtrip(shared, runner, tmp_path):
    _roundtrip_file(runner, shared / "seed" / "000_d771ac59c96ea753.txt", tmp_path)


@pytest.mark.parametrize("name", [
    "headings.md", "outline-page.md", "district-whiteboard.edn", "county-export.json",
    "county-export.edn", "bold-numbered.md"])
def test_fixture_roundtrip(name, runner, tmp_path):
    _roundtrip_file(runner, FIX / name, tmp_path)


def test_extract_output_is_not_overwritten_without_force(shared, runner, tmp_path):
    seed = shared / "seed" / "000_d771ac59c96ea753.txt"
    out = tmp_path / "def.md"
    out.write_text("用户自己写的内容\n", encoding="utf-8")
    res = runner.invoke(cli, ["workflow", "extract", str(seed), "-o", str(out)])
    assert res.exit_code == 4
    assert "已存在" in res.stderr and "--force" in res.stderr
    assert out.read_text(encoding="utf-8") == "用户自己写的内容\n"
    res = runner.invoke(cli, ["workflow", "extract", str(seed), "-o", str(out), "--force"])
    assert res.exit_code == 0
    assert load_definition(out).stages[1].stated_count == 13


def test_extracted_definition_keeps_count_and_deadline_text(shared, tmp_path, runner):
    out = tmp_path / "def.md"
    seed = shared / "seed" / "000_d771ac59c96ea753.txt"
    runner.invoke(cli, ["workflow", "extract", str(seed), "-o", str(out)])
    text = out.read_text(encoding="utf-8")
    assert "活动数:: 13" in text and "活动数:: 6" in text
    assert "期限:: 反馈意见签收日 + 3个月" in text and "期限来源:: seed" in text
    assert "范围:: 年度" in text


# --- property: write → load ------------------------------------------------------------------

CJK = "巡察准备了解报告反馈移交整改方案审批通知会议材料清单谈话提纲组织单位意见制定发布进驻撤离"
names = st.text(alphabet=CJK, min_size=1, max_size=10)
ids = st.text(alphabet="abcdefghijkmnpqrstuvwxyz", min_size=2, max_size=6)
offsets = st.sampled_from(["P3M", "-P10D", "P45D", "P1Y", "P2W", "P1M15D", "-P1M"])


@st.composite
def workflows(draw) -> Workflow:
    pool = draw(st.lists(names, min_size=8, max_size=8, unique=True))
    role_names, art_names, ms_names = pool[:2], pool[2:5], pool[5:7]
    role_ids = draw(st.lists(ids, min_size=2, max_size=2, unique=True))
    roles = tuple(Role(i, n) for i, n in zip(role_ids, role_names, strict=True))
    arts = tuple(Artifact(f"art{k}", n, draw(st.booleans())) for k, n in enumerate(art_names))
    n_stages = draw(st.integers(1, 4))
    annual = draw(st.integers(0, n_stages - 1))  # the first `annual` stages are annual
    stages = []
    prev: list[str] = []
    for s in range(n_stages):
        acts = []
        for a in range(draw(st.integers(1, 4))):
            aid = f"s{s}.{a:02d}"
            extra = draw(st.lists(st.sampled_from(prev), max_size=2, unique=True)) if prev else []
            deps = tuple(dict.fromkeys(([prev[-1]] if prev else []) + extra))
            rule = None
            if draw(st.booleans()):
                rule = DeadlineRule(
                    anchor=draw(st.sampled_from(["m0", "m1"])), offset=draw(offsets),
                    kind=draw(st.sampled_from(["hard", "soft"])),
                    source=draw(st.sampled_from(["seed", "default", "ext:E5"])),
                    text=draw(st.none() | names))
            acts.append(Activity(
                id=aid, name=draw(names), actor=draw(st.none() | st.sampled_from(role_ids)),
                produces=tuple(draw(st.lists(st.sampled_from([x.id for x in arts]), max_size=2,
                                             unique=True))),
                depends_on=deps, deadline=rule, subitems=tuple(draw(st.lists(names, max_size=3))),
                sensitive=draw(st.booleans())))
            prev.append(aid)
        stages.append(Stage(f"s{s}", draw(names), tuple(acts),
                            "annual" if s < annual else "per_inspection",
                            draw(st.none() | st.integers(0, 20))))
    setter = prev[-1]
    ms = (Milestone("m0", ms_names[0], setter), Milestone("m1", ms_names[1]))
    stages = [Stage(x.id, x.name, tuple(
        Activity(a.id, a.name, a.actor, a.produces, a.depends_on, a.deadline, a.subitems,
                 "m0" if a.id == setter else None, a.sensitive) for a in x.activities),
        x.scope, x.stated_count) for x in stages]
    return Workflow(draw(ids), draw(names), tuple(stages), roles, ms, arts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_write_then_load_is_identity(wf):
    assert strip_spans(load_definition_text(render_definition(wf), "gen.md")) == wf


def test_extract_dry_run_writes_nothing(shared, runner, tmp_path):
    out = tmp_path / "def.md"
    seed = shared / "seed" / "000_d771ac59c96ea753.txt"
    res = runner.invoke(cli, ["workflow", "extract", str(seed), "-o", str(out), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert not out.exists()
    assert res.stdout.startswith("type:: [[巡察工作流程定义]]")
    assert "试运行" in res.stderr
