"""The confidential summary counts by kind — 谈话 人次, 信访 件, 线索 件 — and quotes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_file

A = "巡察/2026年第一轮/某某集团有限公司"
F = A.replace("/", "___")
SECRET = "ZQXSECRET"


def _add(g: Path) -> None:
    for n in ("001", "002"):
        write_file(g, f"pages/{F}___谈话记录___{n}.md", f"巡察:: [[{A}]]\n\n- {SECRET} 谈话内容\n")
    write_file(g, f"pages/{F}___信访举报___001.md", f"巡察:: [[{A}]]\n\n- {SECRET} 来信\n")
    with (g / "pages" / f"{F}___移交台账.md").open("a", encoding="utf-8") as fh:
        fh.write(f"- {SECRET} 线索\n  sensitive:: 线索\n  巡察:: [[{A}]]\n")


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_counts_by_kind(runner, example_graph: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    _add(example_graph)
    out = runner.invoke(cli, ["report", str(example_graph), "--today", "2026-04-01", "--format", fmt]).output
    assert SECRET not in out
    if fmt == "json":
        kinds = json.loads(out)["inspections"][0]["sensitive"]["by_kind"]
        assert (kinds["谈话"], kinds["信访"], kinds["线索"]) == (2, 1, 1)
    else:
        assert "谈话 2 人次、信访 1 件、线索 1 件" in out
