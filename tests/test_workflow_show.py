"""`workflow show` and active_workflow(): the graph's own definition overrides the default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.workflow.load import active_workflow, default_workflow, find_definition_page

from .test_workflow_check import BASE


@pytest.fixture(autouse=True)
def _no_graph_env(monkeypatch):
    monkeypatch.delenv("XUNCHA_GRAPH", raising=False)


def _add_definition(graph: Path, text: str = BASE, name: str = "本办巡察流程.md") -> Path:
    p = graph / "pages" / name
    p.parent.mkdir(exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_active_workflow_without_graph_is_the_default():
    assert active_workflow(None) is default_workflow()


def test_graph_without_definition_uses_the_default(example_graph):
    from xuncha_kb.fs.scan import load_graph

    graph = load_graph(example_graph)
    if find_definition_page(graph) is not None:
        pytest.skip("the example graph ships its own definition")
    assert active_workflow(graph).id == "xuncha"


def test_graph_definition_page_overrides_the_default(example_graph):
    from xuncha_kb.fs.scan import load_graph

    _add_definition(example_graph)
    wf = active_workflow(load_graph(example_graph))
    assert wf.id == "demo" and [s.id for s in wf.stages] == ["a", "b"]
    assert wf.source == "pages/本办巡察流程.md"
    assert wf.activity("b.02").span.line == 33


def test_broken_graph_definition_is_an_error_not_a_silent_fallback(example_graph, runner):
    _add_definition(example_graph, BASE.replace("  前置:: b.01\n", "  前置:: b.09\n"))
    res = runner.invoke(cli, ["workflow", "show", str(example_graph)])
    assert res.exit_code == 2
    assert "pages/本办巡察流程.md:33" in res.stderr and "b.09" in res.stderr


def test_show_graph_with_own_definition(example_graph, runner):
    _add_definition(example_graph)
    res = runner.invoke(cli, ["workflow", "show", str(example_graph)])
    assert res.exit_code == 0, res.output
    assert "图谱自带定义 pages/本办巡察流程.md" in res.stdout
    assert "├── 年度 [a] 年度 · 1 项" in res.stdout
    assert "b.02 进驻 —— 未指定" in res.stdout
    assert "期限：进驻日 + 10天（提示；可配置默认，ext:E5）" in res.stdout
    assert "关键路径（每次巡察，2 项）：b.01 → b.02" in res.stdout


def test_show_outside_a_graph_prints_the_default_tree(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(cli, ["workflow", "show"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "来源：内置默认定义" in out
    assert "7 个阶段，60 项活动" in out
    assert "巡察准备 [prep] 每次巡察 · 13 项（文中写明 13 项，一致）" in out
    assert "prep.11 熟悉被巡察单位提交资料并形成三项清单 —— 巡察专员" in out
    assert "- 问题清单" in out
    assert "期限：反馈意见签收日 + 3个月（硬性；来自流程文件）" in out
    assert "关键路径（每次巡察，" in out and "关键路径（年度，7 项）" in out


def test_show_json(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(cli, ["workflow", "show", "--json"])
    data = json.loads(res.stdout)
    assert [s["count"] for s in data["stages"]] == [7, 13, 10, 5, 6, 8, 11]
    assert data["stages"][0]["scope"] == "annual"
    rect06 = data["stages"][6]["activities"][5]
    assert rect06["id"] == "rect.06" and rect06["deadline"]["offset"] == "P3M"
    assert data["critical_path"]["per_inspection"][-1] == "rect.11"


def test_show_a_definition_file(runner, tmp_path):
    p = tmp_path / "def.md"
    p.write_text(BASE, encoding="utf-8")
    res = runner.invoke(cli, ["workflow", "show", str(p)])
    assert res.exit_code == 0, res.output
    assert "工作流程：演示流程（demo）" in res.stdout


def test_show_explicit_non_graph_folder_is_an_error(runner, tmp_path):
    res = runner.invoke(cli, ["workflow", "show", str(tmp_path)])
    assert res.exit_code == 3


def test_two_definition_pages_the_first_by_file_wins_with_a_warning(example_graph, runner):
    _add_definition(example_graph, BASE, "a定义.md")
    _add_definition(example_graph, BASE.replace("流程id:: demo", "流程id:: other"), "b定义.md")
    res = runner.invoke(cli, ["workflow", "show", str(example_graph)])
    assert res.exit_code == 0, res.output
    assert "（demo）" in res.stdout
    assert "2 个工作流程定义页" in res.stderr and "b定义.md" in res.stderr


def test_show_reports_count_warnings_of_the_graph_definition(example_graph, runner):
    _add_definition(example_graph, BASE.replace("  活动数:: 2\n", "  活动数:: 5\n"))
    res = runner.invoke(cli, ["workflow", "show", str(example_graph)])
    assert res.exit_code == 0, res.output
    assert "pages/本办巡察流程.md:25: 警告：阶段「准备」写明有 5 项活动，实际有 2 项" in res.stderr
    assert "（文中写明 5 项，不一致）" in res.stdout
