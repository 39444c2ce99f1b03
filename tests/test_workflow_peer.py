"""Logseq's own parser (mldoc, the peer) sees the same definition as xuncha-kb.

The shipped definition is meant to be edited in Logseq; this checks that the page, parsed
the way the Logseq app parses it, builds exactly the workflow our loader builds — same
stages, activities, properties and sub-items.  Skips when node or the peer is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xuncha_kb.model import Block, Span
from xuncha_kb.workflow import templates
from xuncha_kb.workflow.build import build_workflow
from xuncha_kb.workflow.load import default_workflow, strip_spans
from xuncha_kb.workflow.write import render_definition

from .test_reader_peer import logseq_depths, run_peer

pytestmark = pytest.mark.peer



def _blocks_from_peer(page: dict[str, Any], file: str) -> list[Block]:
    """Rebuild the block tree from the peer's flat list (levels → depths → children)."""
    flat = page["blocks"]
    depths = logseq_depths([b["level"] for b in flat])
    stack: list[tuple[int, dict[str, Any]]] = []
    roots: list[dict[str, Any]] = []
    for i, (b, d) in enumerate(zip(flat, depths, strict=True)):
        node = {"b": b, "kids": [], "line": i + 1}
        while stack and stack[-1][0] >= d:
            stack.pop()
        (stack[-1][1]["kids"] if stack else roots).append(node)
        stack.append((d, node))

    def make(node: dict[str, Any], level: int) -> Block:
        b = node["b"]
        title = b["title"]
        if b.get("heading_size"):
            title = "#" * int(b["heading_size"]) + " " + title
        return Block(span=Span(file, node["line"]), level=level, content=title, title=title,
                     properties=b["properties"],
                     children=tuple(make(k, level + 1) for k in node["kids"]))

    return [make(n, 1) for n in roots]


def _peer_workflow(peer: Path, text: str, tmp_path: Path):
    graph = tmp_path / "g"
    (graph / "pages").mkdir(parents=True)
    (graph / "pages" / "定义.md").write_text(text, encoding="utf-8")
    (page,) = run_peer(peer, graph)
    wf, problems = build_workflow(page["page_properties"], _blocks_from_peer(page, page["file"]),
                                  page["file"])
    assert problems == []
    return wf


def test_logseq_reads_the_shipped_definition_like_we_do(peer, tmp_path):
    text = templates.read_template(templates.DEFAULT_DEFINITION)
    assert strip_spans(_peer_workflow(peer, text, tmp_path)) == strip_spans(default_workflow())


def test_logseq_reads_an_extracted_definition_like_we_do(peer, tmp_path, shared):
    from xuncha_kb.workflow.extract import extract_file

    wf = extract_file(shared / "seed" / "000_d771ac59c96ea753.txt").workflow
    assert strip_spans(_peer_workflow(peer, render_definition(wf), tmp_path)) == strip_spans(wf)
