"""The graph's own folders (pages, journals, whiteboards, logseq) when they are not folders.

Reading: one diagnostic naming the folder, the rest of the graph is read (exit 0).
Writing into such a folder: exit 3, a Chinese message naming it and a hint, nothing written,
never a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH, write_file
from tests.test_reliability_badinput import tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.errors import GraphLayoutError
from xuncha_kb.fs.layout import folder_problems, require_parent_folders
from xuncha_kb.fs.scan import load_graph
from xuncha_kb.model import GraphConfig

SCAFFOLD = ("scaffold", "--unit", "甲公司", "--round", "2026年第二轮")


def as_file(p: Path, scratch: Path) -> None:
    p.write_text("x\n", encoding="utf-8")


def as_fifo(p: Path, scratch: Path) -> None:
    os.mkfifo(p)


def as_link_to_file(p: Path, scratch: Path) -> None:
    target = scratch / "target.txt"
    target.write_text("x\n", encoding="utf-8")
    p.symlink_to(target)


def as_dangling_link(p: Path, scratch: Path) -> None:
    p.symlink_to(scratch / "nowhere")


BREAKERS: dict[str, Callable[[Path, Path], None]] = {
    "file": as_file, "fifo": as_fifo, "link-to-file": as_link_to_file, "dangling-link": as_dangling_link,
}
WORDS = {"file": "普通文件", "fifo": "命名管道", "link-to-file": "符号链接",
         "dangling-link": "失效的符号链接"}


def broken_graph(tmp_path: Path, folder: str, how: str) -> Path:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    target = graph / folder
    shutil.rmtree(target)
    BREAKERS[how](target, scratch)
    return graph


@pytest.mark.parametrize("how", sorted(BREAKERS))
@pytest.mark.parametrize("folder", ["pages", "journals", "whiteboards", "logseq"])
def test_stats_names_a_folder_that_is_not_a_folder(tmp_path: Path, runner, folder: str, how: str) -> None:
    graph = broken_graph(tmp_path, folder, how)
    before = tree_hash(graph)
    r = runner.invoke(cli, ["stats", str(graph)])
    assert r.exit_code == 0, r.output
    assert "问题        无" not in r.output
    assert f"{folder}:1: " in r.output and "不是文件夹" in r.output and WORDS[how] in r.output
    assert "Traceback" not in r.output
    assert tree_hash(graph) == before


@pytest.mark.parametrize("how", sorted(BREAKERS))
@pytest.mark.parametrize("folder", ["pages", "whiteboards"])
def test_scaffold_into_a_folder_that_is_not_a_folder(tmp_path: Path, runner, folder: str, how: str) -> None:
    graph = broken_graph(tmp_path, folder, how)
    before = tree_hash(graph)
    r = runner.invoke(cli, [SCAFFOLD[0], str(graph), *SCAFFOLD[1:]])
    assert r.exit_code == 3, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert f"错误：{folder}: " in r.output and "不是文件夹" in r.output and "提示：" in r.output
    assert tree_hash(graph) == before


@pytest.mark.parametrize("args", [
    ("scaffold-plan", "{g}", "--year", "2027"),
    ("report", "{g}", "--today", "2026-03-10", "--write"),
    ("sync", "{g}", "--today", "2026-03-10"),
    ("sync", "{g}", "--today", "2026-03-10", "--dry-run"),
    ("close-out", "{g}", "--inspection", "某某集团", "--today", "2026-03-10", "--dry-run"),
], ids=["scaffold-plan", "report-write", "sync", "sync-dry-run", "close-out"])
def test_other_writing_commands_refuse_a_pages_file(tmp_path: Path, runner, args: tuple[str, ...]) -> None:
    graph = broken_graph(tmp_path, "pages", "file")
    before = tree_hash(graph)
    r = runner.invoke(cli, [a.replace("{g}", str(graph)) for a in args])
    assert r.exit_code == 3, r.output
    assert "错误：pages: " in r.output and "不是文件夹" in r.output
    assert tree_hash(graph) == before


def test_watch_write_report_says_why_and_keeps_watching(tmp_path: Path, runner) -> None:
    graph = broken_graph(tmp_path, "pages", "file")
    r = runner.invoke(cli, ["watch", str(graph), "--today", "2026-03-10", "--timeout", "0.3",
                            "--write-report"])
    assert r.exit_code == 0, r.output
    assert "报告页未更新" in r.output and "pages" in r.output and "不是文件夹" in r.output
    assert (graph / "pages").read_text(encoding="utf-8") == "x\n"


def test_pages_file_is_not_mistaken_for_a_graph_without_pages(tmp_path: Path) -> None:
    graph = broken_graph(tmp_path, "pages", "file")
    g = load_graph(graph)
    assert [d.file for d in g.diagnostics if "不是文件夹" in d.message] == ["pages"]
    assert len(g.pages) == 3  # the journals are still read


def test_configured_folder_names_are_checked(tmp_path: Path) -> None:
    write_file(tmp_path, "notes", "a file where the pages folder should be")
    write_file(tmp_path, "days/2026_03_01.md", "- x\n")
    config = GraphConfig(pages_dir="notes", journals_dir="days")
    problems = folder_problems(tmp_path, config)
    assert [p.folder for p in problems] == ["notes"]
    with pytest.raises(GraphLayoutError) as info:
        require_parent_folders(tmp_path, "notes/a.md")
    assert info.value.file == "notes" and info.value.exit_code == 3


def test_a_deeper_folder_that_is_a_file(tmp_path: Path) -> None:
    write_file(tmp_path, "pages/sub", "x")
    with pytest.raises(GraphLayoutError) as info:
        require_parent_folders(tmp_path, "pages/sub/a.md")
    assert info.value.file == "pages/sub"
    require_parent_folders(tmp_path, "pages/new/a.md")  # missing folders are fine: they get created


def test_pages_linked_to_another_folder_is_a_warning(tmp_path: Path, runner) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    shutil.move(graph / "pages", tmp_path / "elsewhere")
    (graph / "pages").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    g = load_graph(graph)
    (diag,) = [d for d in g.diagnostics if d.file == "pages"]
    assert diag.severity == "warning" and "符号链接" in diag.message and "不是文件夹" not in diag.message


def test_config_file_that_is_a_fifo_is_reported_not_opened(tmp_path: Path) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    (graph / "logseq" / "config.edn").unlink()
    os.mkfifo(graph / "logseq" / "config.edn")
    g = load_graph(graph)  # would block for ever if the FIFO were opened
    assert [d.file for d in g.diagnostics if "不是普通文件" in d.message] == ["logseq/config.edn"]


def test_a_fifo_where_a_page_goes_is_a_conflict_never_opened(tmp_path: Path, runner) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    os.mkfifo(graph / "pages" / "巡察___2026年第二轮___甲公司.md")
    before = tree_hash(graph)
    r = runner.invoke(cli, [SCAFFOLD[0], str(graph), *SCAFFOLD[1:]])
    assert r.exit_code == 4, r.output
    assert "特殊文件" in r.output
    assert tree_hash(graph) == before


@pytest.mark.parametrize("args", [
    ["stats"], ["report"], ["sync"], ["workflow", "show"], ["watch", "--timeout", "0.2"],
    ["close-out", "--inspection", "某某"], ["scaffold", "--unit", "甲公司", "--round", "2026年第二轮"],
    ["scaffold-plan", "--year", "2027"],
], ids=lambda a: a[0] if a[0] != "workflow" else "workflow-show")
def test_a_graph_path_over_the_name_limit_is_exit_3(tmp_path: Path, runner, args: list[str]) -> None:
    graph = str(tmp_path / ("图" * 100))  # 300 bytes in one path segment: ENAMETOOLONG
    cmd = [*args[:2], graph, *args[2:]] if args[0] == "workflow" else [args[0], graph, *args[1:]]
    r = runner.invoke(cli, cmd)
    assert r.exit_code == 3, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "无法访问图谱目录" in r.output
    assert list(tmp_path.iterdir()) == []
