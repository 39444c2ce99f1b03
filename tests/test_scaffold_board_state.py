"""The whiteboard scaffold writes is current: a sync straight after scaffold plans nothing."""

from __future__ import annotations

import json
from pathlib import Path

from xuncha_kb.cli import cli

ARGS = ["--unit", "某某集团有限公司", "--round", "2026年第一轮", "--leader", "张三", "--members", "李四,王五",
        "--entry", "2026-03-02", "--exit", "2026-04-10"]


def test_sync_right_after_scaffold_plans_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    root = tmp_path / "g"
    root.mkdir()
    r = runner.invoke(cli, ["scaffold", str(root), *ARGS])
    assert r.exit_code == 0, r.output
    board = next((root / "whiteboards").glob("*.edn")).read_text(encoding="utf-8")
    if dt.date.today() > dt.date(2026, 2, 20):  # 进驻日 - 10 days: prep.03 is overdue from then on
        assert "（有逾期）" in board and ':fill "red"' in board
    plan = runner.invoke(cli, ["sync", str(root), "--dry-run", "--json"])
    assert plan.exit_code == 0, plan.output
    files = json.loads(plan.output)["plan"]["files"]
    assert files and {f["action"] for f in files} == {"unchanged"}, files
    text = runner.invoke(cli, ["sync", str(root), "--dry-run"]).output
    assert "没有需要同步的内容" in text and "流程总览白板" not in text


def test_without_today_no_stage_is_marked() -> None:
    import datetime as dt

    from xuncha_kb.generate.facts import InspectionFacts
    from xuncha_kb.generate.inspection import scaffold_inspection
    from xuncha_kb.workflow.load import default_workflow

    facts = InspectionFacts(unit="某公司", round="2026年第一轮", entry=dt.date(2026, 3, 2))
    wf = default_workflow()
    quiet = next(f for f in scaffold_inspection(wf, facts).files if f.kind == "whiteboard")
    late = next(f for f in scaffold_inspection(wf, facts, today=dt.date(2027, 1, 1)).files
                if f.kind == "whiteboard")
    early = next(f for f in scaffold_inspection(wf, facts, today=dt.date(2026, 1, 1)).files
                 if f.kind == "whiteboard")
    assert "有逾期" not in quiet.content and "0/13 未开始" in quiet.content
    assert "有逾期" in late.content and early.content == quiet.content
