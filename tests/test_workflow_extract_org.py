"""``workflow extract`` to an Org definition page (issue 16): the format chosen by the output's
extension or the graph's ``:preferred-format``, the page read back by the graph loader and by
``workflow check`` as the same workflow as the Markdown page, and (with the peer) by Logseq."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.commands.workflow import extract_workflow
from xuncha_kb.fs.scan import load_graph
from xuncha_kb.logseq.page import parse_text
from xuncha_kb.workflow.load import active_workflow, find_definition_page, load_definition, strip_spans
from xuncha_kb.workflow.model import Workflow

_MD_PROPERTY = re.compile(r"^\s*(- )?[^\s:]+:: ")


@pytest.fixture
def seed(shared: Path) -> Path:
    return shared / "seed" / "000_d771ac59c96ea753.txt"


def _extract(runner: Any, *args: str) -> Any:
    return runner.invoke(cli, ["workflow", "extract", *args])


def _graph(root: Path, preferred: str | None = None) -> Path:
    (root / "pages").mkdir(parents=True)
    (root / "logseq").mkdir()
    if preferred is not None:
        (root / "logseq" / "config.edn").write_text(f"{{:preferred-format {preferred}}}\n", encoding="utf-8")
    return root


def _outside_drawers(text: str) -> list[str]:
    """The lines of an Org page that lie outside its :PROPERTIES: drawers."""
    out, inside = [], False
    for line in text.splitlines():
        if line == ":PROPERTIES:":
            inside = True
        elif line == ":END:":
            inside = False
        elif not inside:
            out.append(line)
    return out


def _summary(wf: Workflow) -> list[tuple[Any, ...]]:
    return [(st.id, st.name, act.id, act.name, act.actor, act.depends_on, act.produces,
             (act.deadline.anchor, act.deadline.offset, act.deadline.kind) if act.deadline else None)
            for st in wf.stages for act in st.activities]


def _graph_workflow(root: Path) -> Workflow:
    graph = load_graph(root, freeze=True)
    assert find_definition_page(graph) is not None
    return active_workflow(graph)


def test_seed_org_page_loads_as_the_same_workflow_as_markdown(seed: Path, tmp_path: Path) -> None:
    md_graph, org_graph = _graph(tmp_path / "md"), _graph(tmp_path / "org")
    extract_workflow(seed, md_graph / "pages" / "x.md", graph=str(md_graph))
    extract_workflow(seed, org_graph / "pages" / "x.org", graph=str(org_graph))
    md, org = _graph_workflow(md_graph), _graph_workflow(org_graph)
    assert org.source == "pages/x.org"
    assert [s.id for s in org.stages] == ["plan", "prep", "know", "rep", "fb", "tr", "rect"]
    assert sum(len(s.activities) for s in org.stages) == 60
    assert _summary(org) == _summary(md)
    assert any(a.depends_on for s in org.stages for a in s.activities)
    assert sum(1 for s in org.stages for a in s.activities if a.deadline) >= 5
    assert strip_spans(org) == strip_spans(md)
    # the same file given to the loader directly (``workflow check``/``show FILE``) reads the same
    assert strip_spans(load_definition(org_graph / "pages" / "x.org")) == strip_spans(md)


def test_cli_writes_org_into_pages_and_dry_run_writes_nothing(seed: Path, tmp_path: Path, runner) -> None:
    g = _graph(tmp_path / "G")
    res = _extract(runner, str(seed), "-o", str(g / "pages" / "x.org"), "--graph", str(g))
    assert res.exit_code == 0, res.output
    text = (g / "pages" / "x.org").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "#+title: x"
    assert "#+type: [[巡察工作流程定义]]" in text.splitlines()
    assert not [ln for ln in _outside_drawers(text) if "::" in ln]
    assert ":阶段id: plan" in text and text.count(":PROPERTIES:") == text.count(":END:") > 60
    assert not [ln for ln in text.splitlines() if ln.startswith("- ") or ln.startswith("\t")]

    dry = g / "pages" / "y.org"
    res = _extract(runner, str(seed), "-o", str(dry), "--graph", str(g), "--dry-run")
    assert res.exit_code == 0, res.output
    assert not dry.exists()
    assert res.stdout.startswith("#+title: y\n")

    res = runner.invoke(cli, ["workflow", "check", str(g / "pages" / "x.org")])
    assert res.exit_code == 0, res.output
    assert "7 个阶段，60 项活动" in res.output


@pytest.mark.parametrize("preferred", [":org", '"Org"', '"org"', ":ORG"])
def test_graph_preferring_org_gets_org_for_an_output_without_page_extension(
        seed: Path, tmp_path: Path, preferred: str) -> None:
    g = _graph(tmp_path / "G", preferred)
    out = tmp_path / "草稿"
    extracted = extract_workflow(seed, out, graph=str(g))
    assert extracted.page is not None and extracted.page.startswith("#+title: 草稿\n")
    assert out.read_text(encoding="utf-8") == extracted.page


def test_md_output_stays_markdown_even_in_an_org_graph(seed: Path, tmp_path: Path) -> None:
    g = _graph(tmp_path / "G", ":org")
    extracted = extract_workflow(seed, g / "pages" / "x.md", graph=str(g))
    assert extracted.page is not None
    assert extracted.page.startswith("type:: [[巡察工作流程定义]]\n")
    assert "#+" not in extracted.page


@pytest.mark.parametrize("preferred", [None, ":markdown"])
def test_no_extension_in_a_markdown_graph_stays_markdown(seed: Path, tmp_path: Path,
                                                         preferred: str | None) -> None:
    g = _graph(tmp_path / "G", preferred)
    extracted = extract_workflow(seed, tmp_path / "草稿", graph=str(g))
    assert extracted.page is not None and extracted.page.startswith("type:: ")


def test_output_inside_an_org_graph_follows_that_graph(seed: Path, tmp_path: Path, monkeypatch) -> None:
    """Without --graph, the graph OUT lies in decides (here: its top folder, not a note folder)."""
    g = _graph(tmp_path / "G", ":org")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XUNCHA_GRAPH", raising=False)
    extracted = extract_workflow(seed, g / "草稿.txt")
    assert extracted.page is not None and extracted.page.startswith("#+title: 草稿\n")


def test_org_page_in_pages_needs_org_extension(seed: Path, tmp_path: Path, runner) -> None:
    g = _graph(tmp_path / "G", ":org")
    res = _extract(runner, str(seed), "-o", str(g / "pages" / "x.txt"), "--graph", str(g))
    assert res.exit_code != 0
    assert "须以 .org 结尾" in res.output
    assert not (g / "pages" / "x.txt").exists()


# --- Logseq's own parser (mldoc, ../shared/peer): skipped without node or the peer -------------


@pytest.mark.peer
def test_org_definition_reads_the_same_in_logseq(peer: Path, seed: Path, tmp_path: Path) -> None:
    g = _graph(tmp_path / "G", ":org")
    extract_workflow(seed, g / "pages" / "x.org", graph=str(g))
    out = subprocess.run(["node", str(peer / "mldoc_blocks.js"), str(g)], capture_output=True, text=True,
                         check=True, timeout=120)
    pages = {p["file"]: p for p in (json.loads(ln) for ln in out.stdout.splitlines() if ln.strip())}
    theirs = pages["pages/x.org"]
    text = (g / "pages" / "x.org").read_text(encoding="utf-8")
    parsed = parse_text(text, "pages/x.org", "org")
    assert parsed.diagnostics == ()
    assert dict(parsed.properties) == theirs["page_properties"]
    ours = [(b.level, dict(b.properties)) for top in parsed.blocks for b in top.walk() if not b.pre_block]
    assert ours == [(b["level"], b["properties"]) for b in theirs["blocks"]]
    assert len(ours) > 60
