"""``report --write`` in a ``:preferred-format :org`` graph writes the progress page as Org
(``#+title:``, headlines) with the same blocks as the Markdown page — in our reader and in
Logseq's — through the same plan → apply path: re-running is a no-op, a page the user
edited is never overwritten, and a graph that switched format keeps its one report page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLE_GRAPH
from xuncha_kb.cli import cli
from xuncha_kb.logseq.page import parse_text

TODAY = "2026-03-10"
REPORT = "巡察___进度报告"


def _graph(tmp_path: Path, name: str, fmt: str) -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLE_GRAPH, root)
    config = root / "logseq" / "config.edn"
    text = config.read_text(encoding="utf-8")
    assert ':preferred-format "Markdown"' in text
    text = text.replace(':preferred-format "Markdown"', f":preferred-format {fmt}")
    config.write_text(text, encoding="utf-8")
    return root


def _write(root: Path, *extra: str) -> Any:
    return CliRunner().invoke(cli, ["report", str(root), "--today", TODAY, "--write", *extra])


def _blocks(path: Path) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    fmt = "org" if path.suffix == ".org" else "markdown"
    parsed = parse_text(path.read_text(encoding="utf-8"), path.name, fmt)
    assert parsed.diagnostics == ()
    blocks = [(b.level, b.marker, dict(b.properties), b.refs)
              for top in parsed.blocks for b in top.walk() if not b.pre_block]
    return dict(parsed.properties), blocks


@pytest.fixture
def graphs(tmp_path: Path) -> tuple[Path, Path]:
    md, org = _graph(tmp_path, "md", '"Markdown"'), _graph(tmp_path, "org", ":org")
    for root in (md, org):
        result = _write(root)
        assert result.exit_code == 0 and "新建 1 个文件" in result.output, result.output
    return md, org


def test_org_graph_gets_an_org_report_page_with_the_markdown_blocks(graphs: tuple[Path, Path]) -> None:
    md, org = graphs
    page = org / "pages" / f"{REPORT}.org"
    assert page.is_file() and not (org / "pages" / f"{REPORT}.md").exists()
    text = page.read_text(encoding="utf-8")
    assert text.startswith("#+title: 巡察/进度报告\n#+type: [[巡察进度报告]]\n#+xuncha-generated: report\n")
    assert "\n- " not in text and "::" not in text
    assert "** 当前阶段：*巡察了解*；" in text and "*** 巡察准备 ~██████████~ 13/13" in text
    org_props, org_blocks = _blocks(page)
    md_props, md_blocks = _blocks(md / "pages" / f"{REPORT}.md")
    assert org_props.pop("title") == "巡察/进度报告"
    assert org_props == md_props
    assert org_blocks == md_blocks and len(org_blocks) > 30


def test_markdown_report_page_is_unchanged(graphs: tuple[Path, Path]) -> None:
    from xuncha_kb.commands.report import compute_report
    from xuncha_kb.report.markdown import render_markdown
    from xuncha_kb.track.deadlines import Thresholds, parse_today

    md, _ = graphs
    progress = compute_report(md, parse_today(TODAY), thresholds=Thresholds()).progress
    assert (md / "pages" / f"{REPORT}.md").read_text(encoding="utf-8") == render_markdown(progress)


def test_rerun_is_a_no_op_and_a_user_edit_is_never_overwritten(graphs: tuple[Path, Path]) -> None:
    _, org = graphs
    page = org / "pages" / f"{REPORT}.org"
    result = _write(org)
    assert result.exit_code == 0 and "无变化" in result.output, result.output
    edited = page.read_text(encoding="utf-8") + "* 我的笔记\n"
    page.write_text(edited, encoding="utf-8")
    dry = _write(org, "--dry-run")
    assert f"{REPORT}.org" in dry.output, dry.output
    result = _write(org)
    assert result.exit_code == 4, result.output
    assert page.read_text(encoding="utf-8") == edited


def test_a_graph_that_switched_to_org_keeps_its_markdown_report_page(tmp_path: Path) -> None:
    root = _graph(tmp_path, "g", '"Markdown"')
    assert _write(root).exit_code == 0
    config = root / "logseq" / "config.edn"
    config.write_text(config.read_text(encoding="utf-8").replace('"Markdown"', '"Org"'), encoding="utf-8")
    result = _write(root)
    assert result.exit_code == 0 and "无变化" in result.output, result.output
    assert not (root / "pages" / f"{REPORT}.org").exists()


def test_watch_writes_the_same_org_page(graphs: tuple[Path, Path]) -> None:
    from xuncha_kb.commands.report import compute_report, report_page_spec
    from xuncha_kb.track.deadlines import Thresholds, parse_today

    _, org = graphs
    report = compute_report(org, parse_today(TODAY), thresholds=Thresholds())
    _, spec = report_page_spec(report.config, report.progress, root=org)
    assert spec.path == f"pages/{REPORT}.org"
    assert (org / spec.path).read_text(encoding="utf-8") == spec.content


@pytest.mark.peer
def test_logseq_reads_the_org_report_as_the_markdown_one(peer: Path, graphs: tuple[Path, Path]) -> None:
    from tests.test_scaffold_peer import _peer_pages

    md, org = graphs

    def theirs(root: Path, ext: str) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
        page = _peer_pages(peer, root)[f"pages/{REPORT}.{ext}"]
        return page["page_properties"], [(b["level"], b["marker"], b["title"], b["refs"], b["properties"])
                                         for b in page["blocks"]]

    org_props, org_blocks = theirs(org, "org")
    md_props, md_blocks = theirs(md, "md")
    assert org_props.pop("title") == "巡察/进度报告" and org_props == md_props
    # the same structure, refs and properties as Logseq reads the Markdown page …
    assert [(b[0], b[1], b[3], b[4]) for b in org_blocks] == [(b[0], b[1], b[3], b[4]) for b in md_blocks]
    # … and the plain text the Markdown page means (its bold and code marks aside), word for
    # word: the cited files stay whole (Logseq reads ``_`` in the Markdown page as emphasis;
    # in Org they are verbatim, set off by a space)
    plain = [re.sub(r"\*\*|`", "", title) for *_, title in _titles(md / "pages" / f"{REPORT}.md")]
    assert [b[2].replace("（ ", "（").replace(" ）", "）") for b in org_blocks] == plain
    assert any("___底稿___002.md:1" in t for t in plain)
    ours = [(lvl, marker, refs) for lvl, marker, _, refs in _blocks(org / "pages" / f"{REPORT}.org")[1]]
    assert ours == [(lvl, marker, tuple(refs)) for lvl, marker, _, refs, _ in org_blocks]


def _titles(path: Path) -> list[tuple[int, str]]:
    parsed = parse_text(path.read_text(encoding="utf-8"), path.name)
    return [(b.level, b.title) for top in parsed.blocks for b in top.walk() if not b.pre_block]
