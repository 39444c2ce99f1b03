"""Adopting a definition with other ids, then ``sync``: every task keeps its marker, notes,
dates, block id and references; nothing the user wrote goes; a second sync plans nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.test_progress_idmap import renumbered
from xuncha_kb.cli import cli
from xuncha_kb.generate.merge import GENERATED_TASK_KEYS
from xuncha_kb.model import MARKERS
from xuncha_kb.workflow.load import default_workflow
from xuncha_kb.workflow.write import render_definition

_HEAD = re.compile(r"^\s*- (?:" + "|".join(MARKERS) + r") ")
_PROP = re.compile(r"^\s*([^\s:]+):: ")


def _pages(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted([*root.glob("pages/*.md"), *root.glob("journals/*.md")])}


def _users_lines(text: str) -> list[str]:
    """Lines the generator does not own: not a task head, not a generated task property."""
    out = []
    for line in text.split("\n"):
        m = _PROP.match(line)
        if not line.strip() or _HEAD.match(line) or (m and m.group(1) in GENERATED_TASK_KEYS):
            continue
        if line.strip().startswith(("DEADLINE:", "前置::", "期限::")):
            continue
        out.append(line)
    return out


def _generated_lines(root: Path) -> set[str]:
    """Every line the generator writes for the graph's inspection under the default and under
    the definition now in the graph (deadline summaries and the like quote activity names)."""
    from xuncha_kb.commands.sync import generate
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.track.discover import find_inspections
    from xuncha_kb.workflow.load import active_workflow

    graph = load_graph(root)
    out: set[str] = set()
    for wf in (default_workflow(), active_workflow(graph)):
        for ref in find_inspections(graph):
            scaffold = generate(wf, graph, ref.name)
            out |= {ln for f in scaffold.files for ln in f.content.split("\n")}
    return out


def _done(runner, root: Path) -> tuple[int, int, list[str]]:
    res = runner.invoke(cli, ["report", str(root), "--format", "json", "--today", "2026-05-01"])
    assert res.exit_code == 0, res.output
    i = json.loads(res.stdout)["inspections"][0]
    return i["done"], i["total"], [x["kind"] for x in i["issues"]]


def test_sync_rewrites_ids_and_keeps_everything_the_user_has(runner, example_graph: Path):
    before_done = _done(runner, example_graph)
    before = _pages(example_graph)
    markers = sorted(m.group(0).strip() for t in before.values() for m in re.finditer(
        r"^\s*- (?:DONE|DOING|TODO|LATER|NOW|CANCELED|CANCELLED|WAITING) ", t, re.M))
    block_ids = {ln.strip() for t in before.values() for ln in t.split("\n")
                 if ln.strip().startswith("id:: ")}
    (example_graph / "pages" / "本办巡察流程.md").write_text(
        render_definition(renumbered(default_workflow())), encoding="utf-8")

    res = runner.invoke(cli, ["sync", str(example_graph), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "删除" not in res.stdout and "冲突" not in res.stdout.replace("0 处冲突", "")
    res = runner.invoke(cli, ["sync", str(example_graph)])
    assert res.exit_code == 0, res.output

    after = _pages(example_graph)
    assert _done(runner, example_graph)[:2] == before_done[:2]
    assert "unknown_activity" not in _done(runner, example_graph)[2]
    everything = "\n".join(after.values()).split("\n")
    generated = _generated_lines(example_graph)
    for path, text in before.items():
        for line in _users_lines(text):
            assert line in everything or line in generated, (path, line)
    assert sorted(m.group(0).strip() for t in after.values() for m in re.finditer(
        r"^\s*- (?:DONE|DOING|TODO|LATER|NOW|CANCELED|CANCELLED|WAITING) ", t, re.M)) == markers
    after_ids = {ln.strip() for t in after.values() for ln in t.split("\n")
                 if ln.strip().startswith("id:: ")}
    assert block_ids <= after_ids  # block ids (and every ((ref)) to them) survive
    assert "活动:: s3.01" in "\n".join(after.values()) and "活动:: know.01\n" not in "\n".join(after.values())

    res = runner.invoke(cli, ["sync", str(example_graph), "--dry-run"])
    assert res.exit_code == 0 and "已是最新" in res.stdout, res.stdout


def test_the_readme_path_on_the_example_graph(runner, example_graph: Path, shared: Path, monkeypatch):
    """README「用本办自己的流程」: extract into the graph, check, diff, report, sync, sync."""
    seed = shared / "seed" / "000_d771ac59c96ea753.txt"
    before = _done(runner, example_graph)
    monkeypatch.chdir(example_graph)
    res = runner.invoke(cli, ["workflow", "extract", str(seed), "-o", "pages/本办巡察流程.md"])
    assert res.exit_code == 0, res.output
    assert "沿用 60/60 项" in res.stdout
    assert runner.invoke(cli, ["workflow", "check", "pages/本办巡察流程.md"]).exit_code == 0
    res = runner.invoke(cli, ["workflow", "diff", "默认", "pages/本办巡察流程.md", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["added"] == []
    assert _done(runner, example_graph) == before
    generated = _generated_lines(example_graph)
    lines = {p: [ln for ln in _users_lines(t) if ln not in generated]
             for p, t in _pages(example_graph).items()}
    assert sum(len(v) for v in lines.values()) > 20  # the sample inspection's notes
    assert runner.invoke(cli, ["sync", str(example_graph)]).exit_code == 0
    assert _done(runner, example_graph)[:2] == before[:2]
    everything = "\n".join(_pages(example_graph).values()).split("\n")
    assert all(line in everything for ls in lines.values() for line in ls)
    res = runner.invoke(cli, ["sync", str(example_graph), "--dry-run"])
    assert "已是最新" in res.stdout, res.stdout
