"""Loading and validating definitions: every error kind, its message, line and exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.errors import WorkflowError
from xuncha_kb.workflow import dag
from xuncha_kb.workflow.load import DefinitionInvalid, check_definition, load_definition_text

FIX = Path(__file__).resolve().parent / "fixtures" / "workflow"
#: A small valid definition (two stages, an annual one first); each test breaks one thing.
BASE = (FIX / "demo-definition.md").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "def.md") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems_of(text: str) -> list:
    try:
        load_definition_text(text, "def.md")
    except DefinitionInvalid as exc:
        return [p for p in exc.problems if p.severity == "error"]
    return []


def test_base_definition_loads():
    wf = load_definition_text(BASE, "def.md")
    assert [s.id for s in wf.stages] == ["a", "b"]
    assert wf.stages[0].scope == "annual" and wf.stages[1].scope == "per_inspection"
    b01, b02 = wf.stages[1].activities
    assert b01.actor == "xunchaban"  # resolved from the alias 办公室
    assert b01.produces == ("plan_doc",)
    assert b02.deadline.offset == "P10D" and b02.deadline.kind == "soft" and b02.deadline.source == "ext:E5"
    assert b02.sets_milestone == "entry_date"
    assert b02.subitems == ("子项一",)
    assert wf.artifact("talks").sensitive
    assert b02.span.line == 33 and b02.span.file == "def.md"


@pytest.mark.parametrize(("old", "new", "kind", "needle", "line"), [
    ("  前置:: b.01\n", "  前置:: b.09\n", "unknown", "前置活动 b.09 不存在", 33),
    ("  活动id:: b.02\n", "  活动id:: b.01\n", "duplicate", "活动 id 重复：b.01", 33),
    ("  前置:: a.01\n", "  前置:: a.01, b.02\n", "cycle", "b.01 → b.02 → b.01", 28),
    ("  前置:: b.01\n", "", "unreachable", "活动 b.02「进驻」从流程起点无法到达", 33),
    ("  期限:: 进驻日 + 10天\n", "  期限:: 撤离日 + 10天\n", "unknown", "没有这个里程碑", 33),
    ("  责任:: 办公室\n", "  责任:: 纪委\n", "unknown", "责任角色「纪委」未在「角色」中定义", 28),
    ("  产出:: 工作方案\n", "  产出:: 会议纪要\n", "unknown", "产出「会议纪要」未在「产出」中定义", 28),
    ("  期限:: 进驻日 + 10天\n", "  期限:: 进驻日 加 十天\n", "syntax", "无法识别", 33),
    ("  设定活动:: b.02\n", "  设定活动:: z.01\n", "unknown", "设定活动 z.01 不存在", 10),
    ("\t  活动id:: a.01\n", "\t  活动id:: a.01\n\t  前置:: b.01\n", "scope", "年度活动 a.01 不能依赖", 22),
    ("  阶段id:: b\n", "", "missing", "缺少 `阶段id::`", 25),
    ("\t  角色id:: xunchaban\n", "\t  角色id:: xunchaban\n\t- 巡察组\n\t  角色id:: xunchaban\n",
     "duplicate", "角色 id 重复：xunchaban", 8),
    ("  范围:: 年度\n", "  范围:: 每季度\n", "syntax", "`范围::` 应为 年度 或 每次巡察", 19),
    ("\t- 进驻\n", "\t- \n", "missing", "活动 b.02 没有名称", 33),
])
def test_each_error_kind(old, new, kind, needle, line):
    assert old in BASE
    found = problems_of(BASE.replace(old, new, 1))
    assert found, "expected an error"
    match = [p for p in found if p.kind == kind and needle in p.message]
    assert match, [str(p) for p in found]
    if line is not None:
        assert match[0].span.line == line


def test_cycle_in_code_built_workflow_is_named():
    from dataclasses import replace

    wf = load_definition_text(BASE, "def.md")
    b = wf.stages[1]
    acts = (replace(b.activities[0], depends_on=("b.02",)), b.activities[1])
    broken = replace(wf, stages=(wf.stages[0], replace(b, activities=acts)))
    cycles = [p for p in dag.validate(broken) if p.kind == "cycle"]
    assert len(cycles) == 1 and "b.01 → b.02 → b.01" in cycles[0].message


def test_count_mismatch_is_only_a_warning(tmp_path):
    text = BASE.replace("  活动数:: 2\n", "  活动数:: 3\n")
    wf, problems = check_definition(write(tmp_path, text))
    assert len(wf.stages) == 2
    assert [(p.kind, p.severity) for p in problems] == [("count", "warning")]
    assert "写明有 3 项活动，实际有 2 项" in problems[0].message


def test_all_errors_are_reported_at_once():
    text = BASE.replace("  前置:: b.01\n", "  前置:: b.09\n").replace("  责任:: 办公室\n", "  责任:: 纪委\n")
    with pytest.raises(DefinitionInvalid) as info:
        load_definition_text(text, "def.md")
    rendered = info.value.render()
    assert rendered.startswith("错误：def.md:")
    # the unknown prerequisite also leaves b.02 unreachable: three errors, one message
    assert "另有 2 处错误" in rendered and "def.md:33: 错误：活动 b.02 的前置活动 b.09 不存在" in rendered
    assert info.value.exit_code == 2


def test_cli_check_ok_and_broken(tmp_path, runner):
    ok = write(tmp_path, BASE)
    res = runner.invoke(cli, ["workflow", "check", str(ok)])
    assert res.exit_code == 0, res.output
    assert "定义有效：演示流程，2 个阶段，3 项活动" in res.stdout

    bad = write(tmp_path, BASE.replace("  前置:: a.01\n", "  前置:: a.01, b.02\n"), "bad.md")
    res = runner.invoke(cli, ["workflow", "check", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:28" in res.stderr and "前置关系有循环" in res.stderr
    assert "Traceback" not in res.output


def test_cli_check_missing_file(tmp_path, runner):
    res = runner.invoke(cli, ["workflow", "check", str(tmp_path / "nope.md")])
    assert res.exit_code == 2
    assert "找不到或无法读取" in res.stderr


def test_workflow_error_for_missing_file_via_loader(tmp_path):
    from xuncha_kb.workflow.load import load_definition

    with pytest.raises(WorkflowError, match="找不到或无法读取工作流程定义文件"):
        load_definition(tmp_path / "missing.md")


def test_notes_blocks_are_ignored():
    text = BASE.replace("- ## 角色\n", "- 这是一条给同事的说明\n- ## 角色\n", 1)
    assert len(load_definition_text(text, "def.md").stages) == 2


def test_non_utf8_definition_names_the_line(tmp_path, runner):
    p = tmp_path / "gbk.md"
    p.write_bytes("".join(BASE.splitlines(keepends=True)[:2]).encode("utf-8") + "巡察".encode("gbk"))
    res = runner.invoke(cli, ["workflow", "check", str(p)])
    assert res.exit_code == 2
    assert f"{p}:3" in res.stderr and "UTF-8" in res.stderr
