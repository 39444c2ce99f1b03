"""Scaffolded pages as Logseq's own parser (mldoc, ../shared/peer) reads them.

Needs node and an installed copy of the peer: set XUNCHA_PEER_DIR (or install it at
/tmp/xuncha-peer); skipped otherwise.  Compares, file by file and block by block, the page
properties, task markers, block properties and DEADLINE dates with the project's reader.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_GRAPH
from xuncha_kb.cli import cli
from xuncha_kb.logseq.page import parse_text

pytestmark = pytest.mark.peer

I = "巡察/2026年第一轮/某某集团有限公司"  # noqa: E741



def _peer_pages(peer: Path, graph: Path) -> dict[str, dict[str, Any]]:
    out = subprocess.run(["node", str(peer / "mldoc_blocks.js"), str(graph)], capture_output=True, text=True,
                         check=True, timeout=120)
    pages = (json.loads(line) for line in out.stdout.splitlines() if line.strip())
    return {p["file"]: p for p in pages}


def _ours(text: str, rel: str) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    parsed = parse_text(text, rel)
    assert parsed.diagnostics == ()
    blocks = [(b.level, b.marker, dict(b.properties), b.deadline.date.isoformat() if b.deadline else None)
              for top in parsed.blocks for b in top.walk() if not b.pre_block]
    return dict(parsed.properties), blocks


def _theirs(page: dict[str, Any]) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    blocks = [(b["level"], b["marker"], b["properties"],
               b["deadline"].split(" ")[0] if b["deadline"] else None) for b in page["blocks"]]
    return page["page_properties"], blocks


def _compare(peer: Path, graph: Path, only: str) -> int:
    pages = _peer_pages(peer, graph)
    files = sorted(f for f in pages if only in f)
    assert files
    tasks = 0
    for rel in files:
        mine = _ours((graph / rel).read_text(encoding="utf-8"), rel)
        assert mine == _theirs(pages[rel]), rel
        tasks += sum(1 for b in mine[1] if b[1])
    return tasks


def test_scaffolded_graph_reads_the_same_in_logseq(peer: Path, runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    shutil.copytree(EXAMPLE_GRAPH, root)
    result = runner.invoke(cli, ["scaffold", str(root), "--unit", "对照测试公司", "--round", "2026年第三轮",
                                 "--leader", "张三", "--entry", "2026-10-12", "--exit", "2026-11-20"])
    assert result.exit_code == 0, result.output
    runner.invoke(cli, ["scaffold-plan", str(root), "--year", "2027"])
    tasks = _compare(peer, root, "2026年第三轮")
    assert tasks >= 53  # every activity task (plus subitem TODOs) seen as a task by mldoc too
    _compare(peer, root, "2027年度计划")


def test_sample_inspection_in_examples_reads_the_same(peer: Path) -> None:
    if not any(p.name.startswith("巡察___") for p in (EXAMPLE_GRAPH / "pages").iterdir()):
        pytest.skip("examples/graph has no scaffolded sample yet")
    _compare(peer, EXAMPLE_GRAPH, "巡察___")
