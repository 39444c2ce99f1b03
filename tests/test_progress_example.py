"""``xuncha-kb report examples/graph`` — README's main command — on the scaffolded sample inspection.

Asserts structure rather than exact numbers, so the sample can evolve: every activity of the
workflow is found exactly once, stage totals add up, every format renders, and nothing from a
sensitive page of the sample is quoted.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

A = "巡察/2026年第一轮/某某集团有限公司"


def _json(runner: Any, graph: Path, *extra: str) -> dict[str, Any]:
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(graph), "--format", "json", "--today", "2026-04-01", *extra])
    assert r.exit_code == 0, r.output
    data: dict[str, Any] = json.loads(r.output)
    return data


@pytest.fixture
def sample(example_graph: Path) -> Path:
    if not (example_graph / "pages" / "巡察___2026年第一轮___某某集团有限公司.md").exists():
        pytest.skip("the sample inspection is not in examples/graph yet")
    return example_graph


def test_sample_inspection_is_complete(runner, sample: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.workflow.load import default_workflow

    data = _json(runner, sample)
    i = next(x for x in data["inspections"] if x["name"] == A)
    wf = default_workflow()
    expected = [s.id for s in wf.per_inspection_stages()]
    assert [s["id"] for s in i["stages"]] == expected
    acts = [a for s in i["stages"] for a in s["activities"]]
    assert all(a["found"] for a in acts), [a["id"] for a in acts if not a["found"]]
    assert not [x for x in i["issues"] if x["kind"] in ("duplicate_activity", "unknown_activity")]
    for s in i["stages"]:
        statuses = [a["status"] for a in s["activities"]]
        assert s["total"] == len(statuses) - statuses.count("cancelled")
        assert s["done"] == statuses.count("done")
    assert i["done"] == sum(s["done"] for s in i["stages"])
    assert i["current_stage"] in [*expected, None]


def test_marking_a_sample_task_done_counts(runner, sample: Path) -> None:  # type: ignore[no-untyped-def]
    before = _json(runner, sample)
    i = next(x for x in before["inspections"] if x["name"] == A)
    open_tasks = [a for s in i["stages"] for a in s["activities"]
                  if a["status"] == "not_started" and a["file"]]
    todo = open_tasks[0] if open_tasks else None
    if todo is None:
        pytest.skip("no open task in the sample")
    path = sample / todo["file"]
    lines = path.read_text(encoding="utf-8").split("\n")
    idx = todo["line"] - 1
    assert re.match(r"^\s*- (TODO|LATER) ", lines[idx]), lines[idx]
    lines[idx] = re.sub(r"- (TODO|LATER) ", "- DONE ", lines[idx], count=1)
    path.write_text("\n".join(lines), encoding="utf-8")
    after = next(x for x in _json(runner, sample)["inspections"] if x["name"] == A)
    assert after["done"] == i["done"] + 1


def _sensitive_texts(graph: Path) -> list[str]:
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.track.sensitive import walk_context
    from xuncha_kb.workflow.load import active_workflow

    g = load_graph(graph)
    wf = active_workflow(g)
    # the workflow's own wording (activity and artifact names) is public: reports show it for
    # every activity; what must never appear is what people wrote in sensitive places
    wording = {a.name for _, a in wf.activities()} | {a.name for a in wf.artifacts}
    public = "\n".join(b.content for p, b in g.blocks() if not any(
        c.sensitive for c in walk_context(p) if c.block is b))
    out = []
    for p in g.pages:
        for c in walk_context(p):
            text = c.block.title.strip()
            if (c.sensitive and len(text) >= 8 and "::" not in text and text not in public
                    and text not in wording):
                out.append(text)
    return out


@pytest.mark.parametrize("fmt", ["text", "md", "json", "html", "xlsx"])
def test_sample_report_never_quotes_sensitive_pages(runner, sample: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   fmt: str) -> None:
    from xuncha_kb.cli import cli

    secrets = _sensitive_texts(sample)
    out = tmp_path / f"report.{fmt}"
    r = runner.invoke(cli, ["report", str(sample), "--format", fmt, "-o", str(out), "--today", "2026-04-01"])
    assert r.exit_code == 0, r.output
    if fmt == "xlsx":
        with zipfile.ZipFile(out) as z:
            body = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    else:
        body = out.read_text(encoding="utf-8")
    assert "某某集团有限公司" in body
    leaked = [s for s in secrets if s in body]
    assert not leaked


@pytest.mark.parametrize("value", ["", " ", "\t"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_blank_inspection_filter_is_refused(runner, sample: Path, value: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """``--inspection ""`` (an unset shell variable) meant to name one inspection; it used to
    report all of them."""
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(sample), "--today", "2026-03-10", "--format", fmt,
                            "--inspection", value])
    assert r.exit_code == 2, r.output
    assert "--inspection 的值为空" in r.output and "某某集团有限公司" not in r.output
