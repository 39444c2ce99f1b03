"""Documents of other offices in other layouts, written for these tests from public
descriptions of the 巡察/巡视 process: each one's reading (the definition page it gives against
the built-in default, and its warnings) is a golden file.

Regenerate after an intended change with ``XUNCHA_REGEN_GOLDEN=1`` and review the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xuncha_kb.workflow.adopt import adopt_ids
from xuncha_kb.workflow.extract import extract_file
from xuncha_kb.workflow.load import default_workflow, load_definition_text
from xuncha_kb.workflow.write import render_definition

OWN = Path(__file__).resolve().parent / "fixtures" / "workflow" / "own"
GOLDEN = Path(__file__).resolve().parent / "golden" / "workflow" / "own"
REGEN = os.environ.get("XUNCHA_REGEN_GOLDEN") == "1"
DOCS = sorted(p.name for p in OWN.iterdir())


def _reading(name: str) -> tuple[str, object]:
    ex = adopt_ids(extract_file(OWN / name, display=name), default_workflow(), "内置默认定义")
    text = render_definition(ex.workflow)
    text += "\n# 警告\n" + "".join(f"{w}\n" for w in ex.warnings)
    text += "# 对照\n" + "".join(f"{r.status} {r.id} {r.name}\n" for r in ex.match.rows
                                 if r.status != "dropped")
    return text, ex


def test_there_are_at_least_six_layouts():
    suffixes = {Path(n).suffix for n in DOCS}
    assert len(DOCS) >= 6 and {".md", ".org", ".edn"} <= suffixes


@pytest.mark.parametrize("name", DOCS)
def test_reading_is_golden(name):
    text, _ = _reading(name)
    path = GOLDEN / (name + ".txt")
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", DOCS)
def test_every_reading_is_a_valid_definition_with_actors(name):
    _, ex = _reading(name)
    wf = ex.workflow  # type: ignore[attr-defined]
    page = render_definition(wf)
    loaded = load_definition_text(page, f"{name}.md")  # raises on any error
    assert [a.id for _, a in loaded.activities()] == [a.id for _, a in wf.activities()]
    assert all(a.actor for _, a in wf.activities())
    assert not any("原则" in a.name or "一个编制一个" in a.name for _, a in wf.activities())


def test_arrows_give_the_reading_order_of_text_shapes():
    _, ex = _reading("arrows-whiteboard.edn")
    assert [s.name for s in ex.workflow.stages] == ["巡察准备", "巡察了解", "巡察反馈"]  # type: ignore[attr-defined]


def test_table_rows_carry_actor_and_time_limit():
    _, ex = _reading("table-page.md")
    wf = ex.workflow  # type: ignore[attr-defined]
    rect = wf.activity("rect.06")
    assert rect is not None and rect.actor == "beixuncha"
    assert (rect.deadline.offset, rect.deadline.kind) == ("P3M", "hard")
    assert wf.activity("prep.03").deadline.offset == "-P10D"


def test_a_journal_page_reads_only_its_stages():
    _, ex = _reading("journal-style.md")
    names = [a.name for _, a in ex.workflow.activities()]  # type: ignore[attr-defined]
    assert "下午整理会议记录" not in names and len(names) == 5
