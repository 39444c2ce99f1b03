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
