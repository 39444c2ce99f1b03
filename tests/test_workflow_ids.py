"""Ids in a workflow definition follow one strict grammar (``syntax.ID_GRAMMAR``).

An id is written into generated pages (``活动:: prep.01``, ``阶段:: prep``) and seeds the
tasks' ``id::`` uuids, so ``[[ ]]``, ``(( ))``, spaces or slashes in it would become page or
block references.  A bad id is an error naming the definition's file and the id's own line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH, FIXTURES, SEED
from tests.test_reliability_badinput import tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.workflow import syntax as syn
from xuncha_kb.workflow.extract import extract_file
from xuncha_kb.workflow.load import DefinitionInvalid, default_workflow, load_definition_text
from xuncha_kb.workflow.model import Workflow

DEMO = (FIXTURES / "workflow" / "demo-definition.md").read_text(encoding="utf-8")

# (the line to change, its 1-based line number in the demo definition, the key)
ID_LINES = {
    "workflow": ("流程id:: demo\n", 2, "流程id"),
    "role": ("\t  角色id:: xunchaban\n", 7, "角色id"),
    "milestone": ("\t  里程碑id:: entry_date\n", 11, "里程碑id"),
    "artifact": ("\t  产出id:: plan_doc\n", 15, "产出id"),
    "stage": ("  阶段id:: b\n", 26, "阶段id"),
    "activity": ("\t  活动id:: b.01\n", 29, "活动id"),
}
BAD_IDS = ["b[[x]]01", "b]]01", "b((0f3e9c2a-1111-2222-3333-444455556666))", "[[a]]b", "b 01", "b/01",
           "准备.01", "1b", "b..01", "b.", "B.01", "b#01", "b,01,", "b" * 65]


def all_ids(wf: Workflow) -> list[str]:
    ids = [wf.id, *(r.id for r in wf.roles), *(m.id for m in wf.milestones), *(a.id for a in wf.artifacts)]
    for s in wf.stages:
        ids.append(s.id)
        ids.extend(a.id for a in s.activities)
    return ids


def with_id(what: str, new_id: str) -> str:
    old, _, key = ID_LINES[what]
    indent = old[: len(old) - len(old.lstrip())]
    assert old in DEMO
    return DEMO.replace(old, f"{indent}{key}:: {new_id}\n", 1)


@pytest.mark.parametrize("what", sorted(ID_LINES))
@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_id_is_an_error_at_its_own_line(what: str, bad: str) -> None:
    with pytest.raises(DefinitionInvalid) as info:
        load_definition_text(with_id(what, bad), "def.md")
    line = ID_LINES[what][1]
    found = [p for p in info.value.problems if p.kind == "syntax" and "id" in p.message and p.span
             and p.span.line == line]
    assert found, [str(p) for p in info.value.problems]
    assert "小写英文字母" in found[0].message


def test_uppercase_id_gets_a_suggestion() -> None:
    with pytest.raises(DefinitionInvalid) as info:
        load_definition_text(with_id("activity", "B.01"), "def.md")
    assert any("可改为 b.01" in p.message for p in info.value.problems)


@pytest.mark.parametrize("good", ["b.01", "b_01", "b-01", "prep.01", "beixuncha_head", "s1.01", "m1",
                                  "a" * 64])
def test_good_ids_pass(good: str) -> None:
    assert syn.is_valid_id(good)
    if good not in ("b.01",):
        text = with_id("activity", good).replace("前置:: b.01\n", f"前置:: {good}\n")
        wf = load_definition_text(text, "def.md")
        assert wf.stages[1].activities[0].id == good


def test_reference_brackets_around_an_id_are_still_stripped() -> None:
    wf = load_definition_text(with_id("stage", "[[b]]"), "def.md")
    assert wf.stages[1].id == "b"


def test_workflow_check_and_scaffold_refuse_a_bracketed_activity_id(tmp_path: Path, runner) -> None:
    """The issue's reproduction: ``活动id:: prep[[x]]02`` used to pass and be written as a ref."""
    template = Path(__file__).resolve().parent.parent / "graph_templates" / "workflow" / "巡察工作流程定义.md"
    text = template.read_text(encoding="utf-8")
    lines = text.split("\n")
    line = lines.index("\t  活动id:: prep.02") + 1
    bad = text.replace("活动id:: prep.02\n", "活动id:: prep[[x]]02\n", 1).replace(
        "前置:: prep.02\n", "前置:: prep[[x]]02\n")
    defn = tmp_path / "def.md"
    defn.write_text(bad, encoding="utf-8")
    r = runner.invoke(cli, ["workflow", "check", str(defn)])
    assert r.exit_code == 2, r.output
    assert f"{defn}:{line}: " in r.output and "prep[[x]]02" in r.output and "Traceback" not in r.output
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    before = tree_hash(graph)
    r = runner.invoke(cli, ["scaffold", str(graph), "--unit", "甲公司", "--round", "2026年第二轮",
                            "--workflow", str(defn)])
    assert r.exit_code == 2, r.output
    assert f"{defn}:{line}: " in r.output
    assert tree_hash(graph) == before


def test_shipped_default_ids_follow_the_grammar() -> None:
    ids = all_ids(default_workflow())
    assert len(ids) > 60
    assert [i for i in ids if not syn.is_valid_id(i)] == []


@pytest.mark.parametrize("name", ["bold-numbered.md", "county-export.edn", "county-export.json",
                                  "district-whiteboard.edn", "headings.md", "outline-page.md"])
def test_extracted_ids_follow_the_grammar(name: str) -> None:
    ids = all_ids(extract_file(FIXTURES / "workflow" / name).workflow)
    assert len(ids) > 3
    assert [i for i in ids if not syn.is_valid_id(i)] == []


def test_extracted_seed_ids_follow_the_grammar() -> None:
    if not SEED.is_file():
        pytest.skip("../shared seed is not available")
    ids = all_ids(extract_file(SEED).workflow)
    assert [i for i in ids if not syn.is_valid_id(i)] == []
