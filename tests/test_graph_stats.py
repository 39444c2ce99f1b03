"""``xuncha-kb stats``: counts equal Logseq's own parser's on the shared corpus (peer-counts.md).

The expected numbers are read from ``shared/corpus/peer-counts.md`` at run time (the
graph-parser totals line and the per-graph section), never copied into this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.fs.scan import load_graph
from xuncha_kb.logseq import edn
from xuncha_kb.stats import graph_stats

GRAPHS = ["logseq__docs", "logseq__logseq__exporter-test-graph"]


def peer_counts(corpus: Path, graph: str) -> dict[str, Any]:
    text = (corpus / "peer-counts.md").read_text("utf-8")
    totals = re.search(rf"^- {re.escape(graph)}: `(\{{.*\}})`", text, re.M)
    assert totals, f"no graph-parser totals for {graph}"
    gp = edn.loads(totals.group(1))
    section = text.split(f"## {graph}\n", 1)[1].split("\n## ", 1)[0]
    files = re.search(r"pages (\d+), journals (\d+)", section)
    markers = re.search(r"tasks by marker: (\{.*\})", section)
    prios = re.search(r"priorities: (\{.*?\}); scheduled (\d+); deadline (\d+)", section)
    assert files and markers and prios
    return {
        "pages": int(files.group(1)),
        "journals": int(files.group(2)),
        "blocks": gp[":blocks-pages-journals-non-pre"],
        "pre_blocks": gp[":pre-blocks"],
        "tasks": gp[":markers"],
        "tasks_mldoc": json.loads(markers.group(1)),
        "priorities": json.loads(prios.group(1)),
        "priority_total": gp[":priority"],
        "scheduled": gp[":scheduled"],
        "deadline": gp[":deadline"],
    }


@pytest.mark.parametrize("graph", GRAPHS)
def test_stats_json_equals_peer_counts(runner, corpus: Path, graph: str) -> None:
    expected = peer_counts(corpus, graph)
    result = runner.invoke(cli, ["stats", str(corpus / graph), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["pages"] == expected["pages"]
    assert got["journals"] == expected["journals"]
    assert got["blocks"] == expected["blocks"]
    assert got["pre_blocks"] == expected["pre_blocks"]
    assert got["tasks"] == expected["tasks"] == expected["tasks_mldoc"]  # every marker, CANCELED ≠ CANCELLED
    assert got["scheduled"] == expected["scheduled"]
    assert got["deadline"] == expected["deadline"]
    assert got["priorities"] == expected["priorities"]
    assert sum(got["priorities"].values()) == expected["priority_total"]
    assert got["diagnostics"] == []


@pytest.mark.parametrize("graph", GRAPHS)
def test_hidden_paths_and_the_peer_scope(corpus: Path, graph: str) -> None:
    # The peers walk only pages/ and journals/ and ignore :hidden.  Logseq (and we) read every
    # Markdown/Org file in the graph folder but skip :hidden paths.  On these graphs :hidden
    # names exactly the files outside pages/ and journals/, so the two scopes agree; without
    # :hidden we would additionally read those files as "other pages" and nothing else changes.
    cfg = load_graph(corpus / graph).config
    assert cfg.hidden
    hidden = graph_stats(load_graph(corpus / graph))
    everything = graph_stats(load_graph(corpus / graph, apply_hidden=False))
    assert hidden["other_pages"] == 0
    root = corpus / graph
    extra = [p for p in root.rglob("*")
             if p.suffix in (".md", ".org") and p.relative_to(root).parts[0] not in ("pages", "journals")]
    assert everything["other_pages"] == len(extra)
    for key in ("pages", "journals", "whiteboards", "whiteboard_shapes"):
        assert everything[key] == hidden[key]
    if not extra:
        assert everything == hidden


def test_docs_whiteboard_counts(runner, corpus: Path) -> None:
    got = json.loads(runner.invoke(cli, ["stats", str(corpus / "logseq__docs"), "--json"]).output)
    assert got["whiteboards"] == 1
    assert got["whiteboard_shapes"] == 79
    assert got["whiteboard_connectors"] == 19
    # graph-parser's whiteboard-blocks = shapes + ordinary blocks
    gp = edn.loads(re.search(r"^- logseq__docs: `(\{.*\})`", (corpus / "peer-counts.md").read_text("utf-8"),
                             re.M).group(1))  # type: ignore[union-attr]
    assert got["whiteboard_shapes"] + got["whiteboard_blocks"] == gp[":whiteboard-blocks"]


def test_stats_on_the_example_graph(runner, example_graph: Path) -> None:
    result = runner.invoke(cli, ["stats", str(example_graph), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    g = load_graph(example_graph)
    # cross-check against a direct walk of the model
    blocks = [b for _, b in g.blocks()]
    assert got["blocks"] == sum(1 for b in blocks if not b.pre_block)
    assert got["pre_blocks"] == sum(1 for b in blocks if b.pre_block) > 0
    assert got["tasks"]["TODO"] == sum(1 for b in blocks if b.marker == "TODO") > 0
    assert got["whiteboards"] == len(g.whiteboards) >= 1
    assert got["whiteboard_shapes"] == sum(len(w.shapes) for w in g.whiteboards)
    assert got["whiteboard_blocks"] == sum(1 for w in g.whiteboards for _ in w.walk())
    assert got["diagnostics"] == []


def test_stats_counts_from_a_small_graph(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "journals").mkdir()
    (tmp_path / "pages" / "a.md").write_text(
        "type:: x\n\n- TODO [#A] one\n  SCHEDULED: <2026-03-01 Sun>\n\t- CANCELED two\n\t- CANCELLED three\n"
        "- DONE four\n  DEADLINE: <2026-03-02 Mon>\n- todo not a task\n", "utf-8")
    (tmp_path / "journals" / "2026_03_01.md").write_text("- NOW [#B] five\n- [#C] six\n", "utf-8")
    s = graph_stats(load_graph(tmp_path))
    assert (s["pages"], s["journals"], s["blocks"], s["pre_blocks"]) == (1, 1, 7, 1)
    assert s["tasks"] == {"TODO": 1, "NOW": 1, "DONE": 1, "CANCELED": 1, "CANCELLED": 1}
    assert s["priorities"] == {"A": 1, "B": 1, "C": 1}
    assert (s["scheduled"], s["deadline"], s["max_depth"]) == (1, 1, 2)


def test_stats_text_summary_in_chinese(runner, example_graph: Path) -> None:
    result = runner.invoke(cli, ["stats", str(example_graph)])
    assert result.exit_code == 0, result.output
    for word in ("图谱统计", "页面", "日志", "任务", "优先级", "白板", "[#A]"):
        assert word in result.output


def test_stats_lists_diagnostics(runner, tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "bad.md").write_bytes(b"- ok\n- \xff\n")
    result = runner.invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 0
    assert "pages/bad.md:2:" in result.output
    data = json.loads(runner.invoke(cli, ["stats", str(tmp_path), "--json"]).output)
    assert data["diagnostics"][0]["file"] == "pages/bad.md" and data["diagnostics"][0]["line"] == 2


def test_stats_graph_from_environment(runner, example_graph: Path) -> None:
    result = runner.invoke(cli, ["stats", "--json"], env={"XUNCHA_GRAPH": str(example_graph)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["graph"] == str(example_graph)


def test_progress_bar_only_for_big_scans_on_a_terminal() -> None:
    from xuncha_kb.commands.stats import ScanProgress

    quiet = ScanProgress(enabled=False)
    quiet(0, 10_000)
    assert quiet._bar is None
    small = ScanProgress(enabled=True)
    with small:
        small(0, 10)
        small(10, 10)
        assert small._bar is None
    big = ScanProgress(enabled=True)
    with big:
        big(0, 501)
        assert big._bar is not None
        big(501, 501)
    assert big._bar is None


def test_one_marker_list() -> None:
    """Every marker set derives from model.MARKER_ORDER (stats, the reader, extract, generate)."""
    import re as _re

    from xuncha_kb import model, stats
    from xuncha_kb.logseq import inline
    from xuncha_kb.workflow import extract_lines

    assert stats.MARKER_ORDER is model.MARKER_ORDER
    assert len(set(model.MARKER_ORDER)) == len(model.MARKER_ORDER)
    assert set(model.MARKER_ORDER) == model.MARKERS
    kinds = model.DONE_MARKERS | model.CANCELLED_MARKERS | model.ACTIVE_MARKERS | model.WAITING_MARKERS
    assert kinds <= model.MARKERS
    assert model.OPEN_MARKERS | model.CLOSED_MARKERS == model.MARKERS
    assert not model.OPEN_MARKERS & model.CLOSED_MARKERS
    assert set(model.QUERY_OPEN_MARKERS) <= model.OPEN_MARKERS
    for m in model.MARKERS:
        assert inline.MARKER_RE.match(f"{m} x") and extract_lines._MARKER.match(f"{m} x")
        assert inline.MARKER_RE.match(f"{m} x").group(1) == m  # type: ignore[union-attr]
    assert not extract_lines._MARKER.match("TODOS x") and not _re.match(extract_lines._MARKER, "xTODO x")
