"""Block/task/date counts on the shared corpora must equal Logseq's own (peer-counts.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.stats import BlockCounts

GRAPHS = ["logseq__docs", "logseq__logseq__exporter-test-graph"]


def graph_files(root: Path) -> list[str]:
    """pages/ + journals/ .md/.org files, dot-files skipped, :hidden NOT applied (as the peer)."""
    out: list[str] = []
    for top in ("pages", "journals"):
        base = root / top
        if not base.is_dir():
            continue
        for p in base.rglob("*"):
            rel = p.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or p.is_symlink() or not p.is_file():
                continue
            if p.suffix.lower() in (".md", ".org", ".markdown"):
                out.append(rel.as_posix())
    return sorted(out)


def count_graph(root: Path) -> dict[str, object]:
    """Parse each file directly (no graph scan) and count by the stats rules."""
    counts = BlockCounts()
    for rel in graph_files(root):
        fmt = "org" if rel.endswith(".org") else "markdown"
        counts.add(parse_text((root / rel).read_text(encoding="utf-8"), rel, fmt).blocks)
    return {"blocks": counts.blocks, "pre_blocks": counts.pre_blocks, "scheduled": counts.scheduled,
            "deadline": counts.deadline, "markers": dict(counts.tasks), "priorities": dict(counts.priorities)}


def expected_counts(doc: str, graph: str) -> dict[str, object]:
    """Read the graph-parser totals line of peer-counts.md for ``graph``."""
    m = re.search(r"- " + re.escape(graph) + r": `\{(.*)\}`", doc)
    assert m, f"no graph-parser totals for {graph} in peer-counts.md"
    body = m.group(1)

    def num(key: str) -> int:
        km = re.search(r":" + re.escape(key) + r" (\d+)", body)
        assert km, key
        return int(km.group(1))

    mk = re.search(r":markers \{([^}]*)\}", body)
    assert mk
    markers = {k: int(v) for k, v in re.findall(r'"([A-Z-]+)" (\d+)', mk.group(1))}
    section = doc.split(f"## {graph}", 1)[1].split("\n## ", 1)[0]
    pm = re.search(r"priorities: (\{[^}]*\})", section)
    assert pm
    return {
        "blocks": num("blocks-pages-journals-non-pre"),
        "pre_blocks": num("pre-blocks"),
        "scheduled": num("scheduled"),
        "deadline": num("deadline"),
        "priority": num("priority"),
        "markers": markers,
        "priorities": json.loads(pm.group(1)),
    }


@pytest.mark.parametrize("graph", GRAPHS)
def test_counts_equal_logseq(corpus: Path, graph: str) -> None:
    want = expected_counts((corpus / "peer-counts.md").read_text(encoding="utf-8"), graph)
    got = count_graph(corpus / graph)
    assert got.get("blocks", 0) == want["blocks"]
    assert got.get("pre_blocks", 0) == want["pre_blocks"]
    assert got["markers"] == want["markers"]
    assert got.get("scheduled", 0) == want["scheduled"]
    assert got.get("deadline", 0) == want["deadline"]
    assert got["priorities"] == want["priorities"]
    assert sum(got["priorities"].values()) == want["priority"]  # type: ignore[union-attr]


def test_expected_numbers_are_the_documented_ones(corpus: Path) -> None:
    """Guard the peer-counts.md reader itself against silently reading nothing."""
    doc = (corpus / "peer-counts.md").read_text(encoding="utf-8")
    docs = expected_counts(doc, "logseq__docs")
    assert docs["blocks"] == 6770 and docs["pre_blocks"] == 257
    exp = expected_counts(doc, "logseq__logseq__exporter-test-graph")
    assert exp["blocks"] == 161 and exp["pre_blocks"] == 19
