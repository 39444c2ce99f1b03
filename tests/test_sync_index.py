"""sync reads the graph through the graph index (``commands/graph_index.py``) and never differs
from a sync planned over the whole graph (``load_graph``), cold or warm; a second run with
nothing changed parses no ordinary page for its block ids again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_file
from tests.test_sync_graph import PREP, TODAY, block_of, changed_workflow, graph, make_user_edits, read
from xuncha_kb.commands import graph_index
from xuncha_kb.commands.sync import plan_sync
from xuncha_kb.fs import index as fsindex
from xuncha_kb.fs.scan import load_graph

__all__ = ["graph"]  # the fixture, shared with test_sync_graph


def _uid(i: int) -> str:
    return f"6650{i:04d}-0000-4000-8000-000000000000"


def _plans(root: Path) -> list[str]:
    wf = changed_workflow()
    full = plan_sync(root, today=TODAY, workflow=wf, graph=load_graph(root))
    runs = [plan_sync(root, today=TODAY, workflow=wf, use_cache=False),
            plan_sync(root, today=TODAY, workflow=wf),  # builds the index and the id table
            plan_sync(root, today=TODAY, workflow=wf)]  # warm
    expected = json.dumps(full.as_dict(), ensure_ascii=False, sort_keys=True)
    return [expected] + [json.dumps(p.as_dict(), ensure_ascii=False, sort_keys=True) for p in runs]


def test_sync_through_the_index_equals_sync_over_the_whole_graph(graph: Path) -> None:
    make_user_edits(graph)
    for i in range(5):  # ordinary notes, some with block ids of their own
        write_file(graph, f"pages/note{i}.md", f"- 笔记 {i}\n  id:: {_uid(i)}\n")
    plans = _plans(graph)
    assert plans[1:] == [plans[0]] * 3


def test_a_generated_block_moved_bare_into_a_note_is_found_by_its_id(graph: Path) -> None:
    """The user moved a task into an ordinary page and kept only its id:: — a page no inspection
    property ties to inspections; sync must still find the id there (and not generate it again)."""
    t = read(graph, PREP)
    b1 = block_of(t, "prep.01")
    uid = next(line.split("::", 1)[1].strip() for line in b1.splitlines() if line.strip().startswith("id::"))
    write_file(graph, PREP, t.replace(b1 + "\n", ""))
    write_file(graph, "pages/我的笔记.md", f"- DONE 方案已交\n  id:: {uid}\n")
    plans = _plans(graph)
    assert plans[1:] == [plans[0]] * 3
    assert "我的笔记" in plans[0]  # the moved block is planned where it now lives


def test_second_run_parses_no_page_for_ids(graph: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        write_file(graph, f"pages/note{i}.md", f"- 笔记 {i}\n  id:: {_uid(i)}\n")
    plan_sync(graph, today=TODAY)
    assert fsindex.index_path(graph, graph_index.IDS_NAME).is_file()
    import xuncha_kb.fs.scan as scan

    calls: list[str] = []
    real = scan.read_page_file

    def counting(root: Path, rel: str, config: object):  # type: ignore[no-untyped-def]
        calls.append(rel)
        return real(root, rel, config)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "read_page_file", counting)
    plan_sync(graph, today=TODAY)
    notes = lambda: [c for c in calls if "/note" in c]  # noqa: E731 (the inspection's own pages are
    assert notes() == []  # parsed on every run: progress is computed from them)
    write_file(graph, "pages/note3.md", "- 改过的笔记\n  id:: 66500003-0000-4000-8000-000000000000\n")
    plan_sync(graph, today=TODAY)
    assert notes() == ["pages/note3.md"]  # only the changed page, for its ids
