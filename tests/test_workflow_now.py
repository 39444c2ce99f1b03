"""``:preferred-workflow :now``: generated tasks are LATER (as Logseq itself writes them), and
progress, sync and Logseq's parser treat a :now graph exactly like the TODO graph."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLE_GRAPH
from xuncha_kb.cli import cli

UNIT = "对照测试公司"
PREFIX = "巡察___2026年第三轮___对照测试公司"
TODAY = dt.date(2026, 11, 1)


def _graph(tmp_path: Path, workflow: str) -> Path:
    root = tmp_path / workflow
    shutil.copytree(EXAMPLE_GRAPH, root)
    config = root / "logseq" / "config.edn"
    config.write_text(config.read_text(encoding="utf-8").replace(":preferred-workflow :todo",
                                                                 f":preferred-workflow :{workflow}"),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["scaffold", str(root), "--unit", UNIT, "--round", "2026年第三轮",
                                      "--leader", "张三", "--entry", "2026-10-12", "--exit", "2026-11-20"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["scaffold-plan", str(root), "--year", "2027"])
    assert result.exit_code == 0, result.output
    return root


def _pages(root: Path) -> dict[str, str]:
    files = [*(root / "pages").glob(f"{PREFIX}*.md"), *(root / "pages").glob("巡察___2027年度计划*.md")]
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(files)}


def _set_marker(root: Path, activity: str, old: str, new: str) -> None:
    """Change the marker of the task block carrying ``活动:: activity``."""
    for page in (root / "pages").glob(f"{PREFIX}*.md"):
        text = page.read_text(encoding="utf-8")
        pattern = re.compile(rf"^- {old} (.*\n(?:  .*\n)*?  活动:: {re.escape(activity)}\n)", re.M)
        if pattern.search(text):
            page.write_text(pattern.sub(rf"- {new} \1", text, count=1), encoding="utf-8")
            return
    raise AssertionError(f"no {old} task for {activity}")


@pytest.fixture
def graphs(tmp_path: Path) -> tuple[Path, Path]:
    return _graph(tmp_path, "todo"), _graph(tmp_path, "now")


def test_now_graph_gets_later_tasks_and_nothing_else_differs(graphs: tuple[Path, Path]) -> None:
    todo, now = (_pages(g) for g in graphs)
    assert todo.keys() == now.keys()
    later = sum(t.count("\n- LATER ") + t.count("\n\t- LATER ") for t in now.values())
    assert later >= 53 and not any(re.search(r"^\s*- TODO ", t, re.M) for t in now.values())
    for name, text in todo.items():  # the same pages, marker for marker
        expected = re.sub(r"^(\s*- )TODO ", r"\1LATER ", text, flags=re.M)
        expected = expected.replace("把 TODO 改为", "把 LATER 改为")
        assert expected == now[name], name


def _progress(root: Path) -> list[tuple[str, str, int, tuple[tuple[str, str], ...]]]:
    from xuncha_kb.commands.report import compute_report
    from xuncha_kb.track.deadlines import Thresholds

    progress = compute_report(root, TODAY, thresholds=Thresholds(), only=UNIT).progress
    (insp,) = progress.inspections
    return [(s.id, s.status, s.percent, tuple((a.id, a.status) for a in s.activities)) for s in insp.stages]


def test_progress_of_a_now_graph_equals_the_todo_graph(graphs: tuple[Path, Path]) -> None:
    todo, now = graphs
    _set_marker(todo, "prep.01", "TODO", "DONE")
    _set_marker(now, "prep.01", "LATER", "DONE")
    _set_marker(todo, "prep.02", "TODO", "DOING")
    _set_marker(now, "prep.02", "LATER", "NOW")
    mine, theirs = _progress(todo), _progress(now)
    assert mine == theirs
    prep = mine[0]
    assert prep[1] == "in_progress" and dict(prep[3])["prep.01"] == "done"
    assert dict(prep[3])["prep.02"] == "in_progress"


def test_sync_keeps_later_and_now_and_changes_nothing_else(graphs: tuple[Path, Path]) -> None:
    _, now = graphs
    _set_marker(now, "prep.02", "LATER", "NOW")
    before = _pages(now)
    result = CliRunner().invoke(cli, ["sync", str(now), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert _pages(now) == before  # nothing of ours changed, the user's NOW is kept
    result = CliRunner().invoke(cli, ["sync", str(now), "--today", TODAY.isoformat()])
    assert result.exit_code == 0 and _pages(now) == before


@pytest.mark.peer
def test_logseq_reads_the_now_graph_as_we_do(peer: Path, graphs: tuple[Path, Path]) -> None:
    from tests.test_scaffold_peer import _compare

    _, now = graphs
    assert _compare(peer, now, "2026年第三轮") >= 53
    assert _compare(peer, now, "2027年度计划")


def _dropped_workflow() -> object:
    """The default workflow without prep.05, prep.06 and prep.07 (their dependants depend on prep.02)."""
    import dataclasses as dc

    from xuncha_kb.workflow.load import default_workflow

    wf, gone = default_workflow(), ("prep.05", "prep.06", "prep.07")
    stages = []
    for st in wf.stages:
        acts = tuple(dc.replace(a, depends_on=tuple(dict.fromkeys("prep.02" if d in gone else d
                                                                  for d in a.depends_on)))
                     for a in st.activities if a.id not in gone)
        stages.append(dc.replace(st, activities=acts))
    return dc.replace(wf, stages=tuple(stages))


def _edit_removed_tasks(page: Path, started: str) -> None:
    """prep.05 untouched; a note under prep.06; prep.07 started (marker only)."""
    blocks = re.split(r"\n(?=- )", page.read_text(encoding="utf-8"))
    for i, b in enumerate(blocks):
        if "\n  活动:: prep.06" in b:
            blocks[i] = b + "\n\t- 用户笔记：已发函"
        elif "\n  活动:: prep.07" in b:
            blocks[i] = re.sub(r"^- \S+ ", f"- {started} ", b, count=1)
    page.write_text("\n".join(blocks), encoding="utf-8")


@pytest.mark.parametrize("workflow", ["todo", "now"])
def test_sync_deletes_an_untouched_removed_task_in_either_workflow(tmp_path: Path, workflow: str) -> None:
    """An activity the workflow no longer has: its untouched task block is deleted, one the user
    wrote under or started is kept and marked — the same in a :now graph (LATER) as in TODO."""
    from xuncha_kb.commands.scaffold import plan_inspection
    from xuncha_kb.commands.sync import P_REMOVED, apply_sync, plan_sync
    from xuncha_kb.fs.apply import apply
    from xuncha_kb.generate.facts import InspectionFacts

    root = tmp_path / "g"
    (root / "logseq").mkdir(parents=True)
    (root / "logseq" / "config.edn").write_text(
        f"{{:file/name-format :triple-lowbar :preferred-workflow :{workflow}}}\n", encoding="utf-8")
    facts = InspectionFacts("某某公司", "2026年第一轮", "张三", (), dt.date(2026, 3, 2))
    apply(plan_inspection(root, facts).plan, root)
    page = root / "pages" / "巡察___2026年第一轮___某某公司___巡察准备.md"
    _edit_removed_tasks(page, "NOW" if workflow == "now" else "DOING")
    plan = plan_sync(root, today=TODAY, workflow=_dropped_workflow())  # type: ignore[arg-type]
    apply_sync(plan, root)
    after = page.read_text(encoding="utf-8")
    assert "活动:: prep.05" not in after  # untouched: deleted
    notes = sorted(n.action for f in plan.files for n in f.notes if n.action in ("removed", "marked"))
    assert notes == ["marked", "marked", "removed"]
    blocks = re.split(r"\n(?=- )", after)
    b6, b7 = (next(b for b in blocks if f"\n  活动:: {a}" in b) for a in ("prep.06", "prep.07"))
    assert f"{P_REMOVED}::" in b6 and "\t- 用户笔记：已发函" in b6
    assert f"{P_REMOVED}::" in b7 and b7.startswith("- NOW " if workflow == "now" else "- DOING ")
    assert plan.conflicts == ()


def test_a_task_set_back_to_todo_in_a_now_graph_is_the_users(tmp_path: Path) -> None:
    """The generator writes LATER in a :now graph; a removed task the user set to TODO hashes like
    the generated one (bases read LATER as TODO) but is the user's change: kept and marked."""
    from xuncha_kb.commands.scaffold import plan_inspection
    from xuncha_kb.commands.sync import P_REMOVED, apply_sync, plan_sync
    from xuncha_kb.fs.apply import apply
    from xuncha_kb.generate.facts import InspectionFacts

    root = tmp_path / "g"
    (root / "logseq").mkdir(parents=True)
    (root / "logseq" / "config.edn").write_text(
        "{:file/name-format :triple-lowbar :preferred-workflow :now}\n", encoding="utf-8")
    facts = InspectionFacts("某某公司", "2026年第一轮", "张三", (), dt.date(2026, 3, 2))
    apply(plan_inspection(root, facts).plan, root)
    page = root / "pages" / "巡察___2026年第一轮___某某公司___巡察准备.md"
    _edit_removed_tasks(page, "TODO")
    apply_sync(plan_sync(root, today=TODAY, workflow=_dropped_workflow()), root)  # type: ignore[arg-type]
    blocks = re.split(r"\n(?=- )", page.read_text(encoding="utf-8"))
    b7 = next(b for b in blocks if "\n  活动:: prep.07" in b)
    assert b7.startswith("- TODO ") and f"{P_REMOVED}::" in b7
    assert not any("\n  活动:: prep.05" in b for b in blocks)  # the untouched LATER one still goes
