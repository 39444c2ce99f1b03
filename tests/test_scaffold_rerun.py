"""Re-running ``scaffold`` for an inspection that already exists.

Same facts → nothing to do (exit 0).  Facts that differ from the ones in force on the overview
page (组长, 组员, 进驻日, 撤离日) → exit 4 naming each difference and how to change it; nothing
written.  A file that is exactly what we generated is never said to be modified by the user.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_reliability_badinput import tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.fs.apply import FileSpec, Skip, apply, plan_writes

BASE = ["--unit", "甲公司", "--round", "2026年第二轮"]
FIRST = [*BASE, "--leader", "张三", "--members", "李四,王五", "--entry", "2026-04-01", "--exit", "2026-05-10"]
OVERVIEW = "pages/巡察___2026年第二轮___甲公司.md"
USER_EDIT = "已存在且有修改"


@pytest.fixture
def graph(example_graph: Path, runner) -> Path:
    r = runner.invoke(cli, ["scaffold", str(example_graph), *FIRST])
    assert r.exit_code == 0, r.output
    return example_graph


def rerun(runner, graph: Path, *args: str):
    return runner.invoke(cli, ["scaffold", str(graph), *BASE, *args])


def test_same_facts_change_nothing(graph: Path, runner) -> None:
    before = tree_hash(graph)
    r = rerun(runner, graph, *FIRST[4:])
    assert r.exit_code == 0, r.output
    assert "无变化" in r.output and USER_EDIT not in r.output
    assert tree_hash(graph) == before


def test_different_leader_and_entry_is_a_conflict_that_says_what_differs(graph: Path, runner) -> None:
    """The issue's reproduction: exit 0, old values kept silently, '有修改' claimed."""
    before = tree_hash(graph)
    r = rerun(runner, graph, "--leader", "李四", "--entry", "2026-05-01")
    assert r.exit_code == 4, r.output
    out = r.output
    for fragment in ("错误：", OVERVIEW, "组长", "“张三”", "“李四”", "进驻日", "2026-04-01", "2026-05-01",
                     "--leader", "--entry", "提示：", "组长::", "xuncha-kb sync"):
        assert fragment in out, (fragment, out)
    assert USER_EDIT not in out
    assert "Traceback" not in out
    assert tree_hash(graph) == before


@pytest.mark.parametrize(("args", "label", "old", "new"), [
    (("--members", "李四,赵六"), "组员", "李四、王五", "李四、赵六"),
    (("--exit", "2026-06-30"), "撤离日", "2026-05-10", "2026-06-30"),
    (("--leader", "王五"), "组长", "张三", "王五"),
])
def test_each_fact_is_compared(graph: Path, runner, args: tuple[str, ...], label: str, old: str,
                               new: str) -> None:
    before = tree_hash(graph)
    r = rerun(runner, graph, *args)
    assert r.exit_code == 4, r.output
    assert label in r.output and f"“{old}”" in r.output and f"“{new}”" in r.output
    assert tree_hash(graph) == before


def test_members_in_another_order_are_the_same_members(graph: Path, runner) -> None:
    r = rerun(runner, graph, "--members", "王五、李四")
    assert r.exit_code == 0, r.output


def test_facts_not_given_are_not_compared(graph: Path, runner) -> None:
    before = tree_hash(graph)
    r = rerun(runner, graph)
    assert r.exit_code == 0, r.output
    assert USER_EDIT not in r.output  # the files are exactly what we generated
    assert "未被修改" in r.output
    assert tree_hash(graph) == before


def test_dry_run_shows_the_difference_as_a_conflict(graph: Path, runner) -> None:
    before = tree_hash(graph)
    r = rerun(runner, graph, "--leader", "李四", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "冲突" in r.output and OVERVIEW in r.output and "“李四”" in r.output
    assert tree_hash(graph) == before


def test_facts_edited_in_logseq_are_the_facts_in_force(graph: Path, runner) -> None:
    page = graph / OVERVIEW
    page.write_text(page.read_text(encoding="utf-8").replace("组长:: [[张三]]", "组长:: [[王五]]"),
                    encoding="utf-8")
    r = rerun(runner, graph, "--leader", "王五")
    assert r.exit_code == 0, r.output
    assert USER_EDIT in r.output  # this time the user did edit the overview page
    r = rerun(runner, graph, "--leader", "张三")
    assert r.exit_code == 4 and "“王五”" in r.output and "“张三”" in r.output


def test_unmodified_file_is_not_called_modified(tmp_path: Path) -> None:
    old = [FileSpec("pages/a.md", "- 旧\n"), FileSpec("pages/b.md", "- 旧\n")]
    apply(plan_writes(tmp_path, old), tmp_path)
    (tmp_path / "pages" / "b.md").write_text("- 用户改过\n", encoding="utf-8")
    plan = plan_writes(tmp_path, [FileSpec("pages/a.md", "- 新\n"), FileSpec("pages/b.md", "- 新\n")])
    a, b = plan.actions
    assert isinstance(a, Skip) and isinstance(b, Skip)
    assert "未被修改" in a.reason and USER_EDIT not in a.reason
    assert USER_EDIT in b.reason
