"""``workflow diff OLD NEW``: golden text and JSON, and the change kinds one by one.

Regenerate the golden files after an intended change with ``XUNCHA_REGEN_GOLDEN=1``."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.workflow.diff import diff_workflows
from xuncha_kb.workflow.load import default_workflow
from xuncha_kb.workflow.model import DeadlineRule

FIX = Path(__file__).resolve().parent / "fixtures" / "workflow"
GOLDEN = Path(__file__).resolve().parent / "golden" / "workflow"
REGEN = os.environ.get("XUNCHA_REGEN_GOLDEN") == "1"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "golden"), [([], "diff.txt"), (["--json"], "diff.json")])
def test_diff_golden(args, golden, runner, monkeypatch):
    monkeypatch.chdir(FIX)
    res = runner.invoke(cli, ["workflow", "diff", "diff-old.md", "diff-new.md", *args])
    assert res.exit_code == 0, res.output
    _golden(golden, res.stdout)


def test_diff_json_names_every_kind(runner, monkeypatch):
    monkeypatch.chdir(FIX)
    res = runner.invoke(cli, ["workflow", "diff", "diff-old.md", "diff-new.md", "--json"])
    data = json.loads(res.stdout)
    assert [c["id"] for c in data["added"]] == ["a.05"]
    assert [c["id"] for c in data["removed"]] == ["b.02"]
    assert [c["id"] for c in data["moved"]] == ["a.03"]
    assert [c["id"] for c in data["reordered"]] == ["a.04"]
    assert [(c["id"], c["after"]) for c in data["deadline"]] == [("b.03", "反馈意见签收日 + 3个月（硬性）")]


def test_same_definition_has_no_difference(runner):
    res = runner.invoke(cli, ["workflow", "diff", "默认", "默认"])
    assert res.exit_code == 0
    assert "没有差异" in res.stdout


def test_swapping_two_activities_reorders_one():
    wf = default_workflow()
    prep = wf.stages[1]
    acts = list(prep.activities)
    acts[0], acts[1] = acts[1], acts[0]
    new = replace(wf, stages=(wf.stages[0], replace(prep, activities=tuple(acts)), *wf.stages[2:]))
    d = diff_workflows(wf, new)
    assert [(c.kind, c.id) for c in d.changes] == [("reordered", "prep.01")] or \
        [(c.kind, c.id) for c in d.changes] == [("reordered", "prep.02")]


def test_a_changed_deadline_kind_is_a_change():
    wf = default_workflow()
    act = wf.activity("prep.03")
    assert act is not None and act.deadline is not None
    hard = replace(act, deadline=DeadlineRule(act.deadline.anchor, act.deadline.offset, "hard"))
    new = replace(wf, stages=tuple(replace(s, activities=tuple(hard if a.id == "prep.03" else a
                                                               for a in s.activities)) for s in wf.stages))
    d = diff_workflows(wf, new)
    assert [(c.kind, c.id) for c in d.changes] == [("deadline", "prep.03")]
    assert "提示" in (d.changes[0].before or "") and "硬性" in (d.changes[0].after or "")


def test_a_missing_file_is_a_clear_error(runner, tmp_path):
    res = runner.invoke(cli, ["workflow", "diff", str(tmp_path / "nope.md"), "默认"])
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert "找不到要比较的工作流程定义" in res.stderr and "默认" in res.stderr
