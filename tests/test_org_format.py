"""``:preferred-format :org``: scaffold writes Org pages (``#+title:``, headlines, property
drawers, DEADLINE lines) that read back — in our reader and in Logseq's — as the Markdown pages
do, so progress is the same; sync right after scaffold changes no Org page (tests/test_sync_org.py)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLE_GRAPH
from xuncha_kb.cli import cli
from xuncha_kb.logseq.page import parse_text

UNIT = "对照测试公司"
PREFIX = "巡察___2026年第三轮___对照测试公司"
TODAY = dt.date(2026, 11, 1)


def _graph(tmp_path: Path, name: str, fmt: str) -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLE_GRAPH, root)
    config = root / "logseq" / "config.edn"
    text = config.read_text(encoding="utf-8")
    text = text.replace(':preferred-format "Markdown"', f":preferred-format {fmt}")
    config.write_text(text, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["scaffold", str(root), "--unit", UNIT, "--round", "2026年第三轮",
                                 "--leader", "张三", "--entry", "2026-10-12", "--exit", "2026-11-20"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["scaffold-plan", str(root), "--year", "2027"])
    assert result.exit_code == 0, result.output
    return root


def _files(root: Path, ext: str) -> dict[str, Path]:
    folder = root / "pages"
    pages = [*folder.glob(f"{PREFIX}*.{ext}"), *folder.glob(f"巡察___2027年度计划*.{ext}")]
    return {p.stem: p for p in sorted(pages)}


def _read(path: Path) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    fmt = "org" if path.suffix == ".org" else "markdown"
    parsed = parse_text(path.read_text(encoding="utf-8"), path.name, fmt)
    assert parsed.diagnostics == ()
    blocks = [(b.level, b.marker, dict(b.properties), b.deadline.date if b.deadline else None)
              for top in parsed.blocks for b in top.walk() if not b.pre_block]
    return dict(parsed.properties), blocks


@pytest.fixture
def graphs(tmp_path: Path) -> tuple[Path, Path]:
    return _graph(tmp_path, "md", '"Markdown"'), _graph(tmp_path, "org", '"Org"')


def test_org_graph_gets_org_pages_that_read_as_the_markdown_ones(graphs: tuple[Path, Path]) -> None:
    md, org = graphs
    md_files, org_files = _files(md, "md"), _files(org, "org")
    assert len(org_files) == 14 and org_files.keys() == md_files.keys()
    assert not _files(org, "md")
    deadlines = 0
    for stem, path in org_files.items():
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#+title: 巡察/"), stem
        assert not re.search(r"^\s*- ", text, re.M)  # no Markdown bullets …
        assert not re.search(r"^\s*[^\s:]+:: ", text, re.M)  # … nor Markdown property lines
        org_props, org_blocks = _read(path)
        md_props, md_blocks = _read(md_files[stem])
        assert {k: v for k, v in org_props.items() if k != "title"} == md_props, stem
        assert org_blocks == md_blocks, stem
        deadlines += sum(1 for b in org_blocks if b[3])
    assert deadlines >= 3
    stage = org_files[f"{PREFIX}___巡察准备"].read_text(encoding="utf-8")
    head = r"^\* TODO 发布巡察通知\nDEADLINE: <2026-10-02 Fri>\n:PROPERTIES:\n:活动: prep\.03\n"
    assert re.search(head, stage, re.M)


def _progress(root: Path) -> Any:
    from xuncha_kb.commands.report import compute_report
    from xuncha_kb.track.deadlines import Thresholds

    (insp,) = compute_report(root, TODAY, thresholds=Thresholds(), only=UNIT).progress.inspections
    return ([(s.id, s.status, s.percent, tuple((a.id, a.status) for a in s.activities)) for s in insp.stages],
            [(d.activity_id, d.due) for d in insp.deadlines])


def test_progress_of_the_org_graph_equals_the_markdown_graph(graphs: tuple[Path, Path]) -> None:
    md, org = graphs
    for root, ext, bullet in ((md, "md", "- "), (org, "org", "* ")):
        page = _files(root, ext)[f"{PREFIX}___巡察准备"]
        text = page.read_text(encoding="utf-8")
        text = text.replace(f"{bullet}TODO 制定巡察工作方案", f"{bullet}DONE 制定巡察工作方案", 1)
        text = text.replace(f"{bullet}TODO 审批巡察工作方案", f"{bullet}DOING 审批巡察工作方案", 1)
        page.write_text(text, encoding="utf-8")
    mine, theirs = _progress(md), _progress(org)
    assert mine == theirs
    assert dict(mine[0][0][3])["prep.01"] == "done" and mine[0][0][1] == "in_progress"


@pytest.mark.parametrize("setting", ['"Org"', '"org"', ":org", '"ORG"'])
def test_every_spelling_logseq_accepts(tmp_path: Path, setting: str) -> None:
    root = _graph(tmp_path, "g", setting)
    assert len(_files(root, "org")) == 14


def test_sync_right_after_scaffold_changes_no_org_page(graphs: tuple[Path, Path]) -> None:
    _, org = graphs
    before = {p: p.read_bytes() for p in _files(org, "org").values()}
    result = CliRunner().invoke(cli, ["sync", str(org), "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Org 格式" not in result.output and "0 处冲突" in result.output
    assert {p: p.read_bytes() for p in _files(org, "org").values()} == before
    assert not _files(org, "md")


@pytest.mark.peer
def test_logseq_reads_the_org_pages_as_we_do(peer: Path, graphs: tuple[Path, Path]) -> None:
    from tests.test_scaffold_peer import _peer_pages, _theirs

    _, org = graphs
    pages = _peer_pages(peer, org)
    tasks = 0
    for path in _files(org, "org").values():
        rel = f"pages/{path.name}"
        props, blocks = _read(path)
        theirs_props, theirs_blocks = _theirs(pages[rel])
        assert props == theirs_props, rel
        mine = [(lvl, marker, p, due.isoformat() if due else None) for lvl, marker, p, due in blocks]
        assert mine == theirs_blocks, rel
        tasks += sum(1 for b in blocks if b[1])
    assert tasks >= 53
