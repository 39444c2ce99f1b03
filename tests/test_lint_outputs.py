"""Lint of outputs: a 三项清单 page holding only the generated guide is not produced yet."""

from __future__ import annotations

import json
from pathlib import Path

from xuncha_kb.cli import cli

ARGS = ["--unit", "某某集团有限公司", "--round", "2026年第一轮", "--leader", "张三", "--members", "李四,王五",
        "--entry", "2026-03-02", "--exit", "2026-04-10"]
STAGE = "巡察%2F2026年第一轮%2F某某集团有限公司%2F巡察准备.md"
ISSUES = "巡察%2F2026年第一轮%2F某某集团有限公司%2F问题清单.md"


def _mark_done(path: Path, activity: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(n for n, ln in enumerate(lines) if ln.strip() == f"活动:: {activity}")
    # TODO or LATER: a graph without config.edn has Logseq's default :now workflow
    task = next(n for n in range(at, -1, -1) if "- TODO " in lines[n] or "- LATER " in lines[n])
    lines[task] = lines[task].replace("- TODO ", "- DONE ", 1).replace("- LATER ", "- DONE ", 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def _missing(runner, root: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = runner.invoke(cli, ["report", str(root), "--today", "2026-03-20", "--format", "json"])
    assert r.exit_code == 0, r.output
    found = json.loads(r.output)["inspections"][0]["missing_artifacts"]
    return {m["artifact"]: m["reason"] for m in found if m["activity_id"] == "prep.11"}


def test_lists_with_only_the_guide_are_not_produced(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "g"
    root.mkdir()
    assert runner.invoke(cli, ["scaffold", str(root), *ARGS]).exit_code == 0
    _mark_done(root / "pages" / STAGE, "prep.11")
    missing = _missing(runner, root)
    assert missing["问题清单"] == "empty" and missing["提问清单"] == "empty"
    page = root / "pages" / ISSUES
    page.write_text(page.read_text(encoding="utf-8").replace(
        "- ## 问题与疑点", "- ## 问题与疑点\n\t- 2025 年工程项目未公开招标\n\t  来源:: 工程项目台账"),
        encoding="utf-8")
    missing = _missing(runner, root)
    assert "问题清单" not in missing and missing["提问清单"] == "empty"
    text = runner.invoke(cli, ["report", str(root), "--today", "2026-03-20"]).output
    assert "提问清单（页面为空）" in text or ("提问清单" in text and "页面为空" in text)
