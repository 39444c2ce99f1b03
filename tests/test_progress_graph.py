"""Progress from graphs on disk, changed the way staff change them in Logseq.

Each test copies the progress fixture graph, edits its Markdown files (marks tasks DONE, moves
a task block to a journal, adds notes under tasks, fills 反馈意见签收日) and checks what
``xuncha-kb report --format json --today …`` says.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

A = "巡察/2026年第一轮/某某集团有限公司"
OVERVIEW = "pages/巡察___2026年第一轮___某某集团有限公司.md"
FB_PAGE = "pages/巡察___2026年第一轮___某某集团有限公司___巡察反馈.md"
RECT_PAGE = "pages/巡察___2026年第一轮___某某集团有限公司___巡察整改.md"


@pytest.fixture
def g(tmp_path: Path) -> Path:
    dest = tmp_path / "graph"
    shutil.copytree(FIXTURES / "progress" / "graph", dest)
    return dest


def report(runner: Any, graph: Path, today: str = "2026-07-25", *extra: str) -> dict[str, Any]:
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(graph), "--format", "json", "--today", today, *extra])
    assert r.exit_code == 0, r.output
    data: dict[str, Any] = json.loads(r.output)
    return data


def group(data: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in data["inspections"] if i["name"] == A)


def stage(data: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in group(data)["stages"] if s["id"] == sid)


def activity(data: dict[str, Any], aid: str) -> dict[str, Any]:
    return next(a for s in group(data)["stages"] for a in s["activities"] if a["id"] == aid)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def mark(graph: Path, rel: str, name: str, marker: str = "DONE") -> None:
    """Change the marker of the task titled ``name`` in a page file."""
    path = graph / rel
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(rf"^- (TODO|DOING|NOW|LATER|DONE|CANCELED) {re.escape(name)}$", f"- {marker} {name}",
                     text, flags=re.M)
    assert n == 1, name
    path.write_text(new, encoding="utf-8")


def test_fixture_baseline(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    data = report(runner, g)
    assert [i["unit"] for i in data["inspections"]] == ["某某物流公司", "某某集团有限公司"]
    i = group(data)
    assert i["current_stage"] == "fb"
    assert (stage(data, "prep")["done"], stage(data, "prep")["total"]) == (12, 12)  # prep.06 cancelled
    assert stage(data, "prep")["state"] == "已完成"
    fb = stage(data, "fb")
    assert (fb["done"], fb["total"], fb["state"]) == (3, 6, "进行中")
    assert activity(data, "prep.02")["file"] == "journals/2026_02_20.md"  # moved into a journal
    assert activity(data, "fb.04")["status"] == "in_progress"
    assert [x["kind"] for x in i["issues"]] == ["unknown_activity"]


def test_marking_tasks_done_moves_the_current_stage(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.workflow.load import default_workflow

    wf = default_workflow()
    fb = next(s for s in wf.stages if s.id == "fb")
    for a in fb.activities:
        if activity(report(runner, g), a.id)["status"] != "done":
            mark(g, FB_PAGE, a.name)
    data = report(runner, g)
    assert stage(data, "fb")["state"] == "已完成"
    assert (stage(data, "fb")["done"], stage(data, "fb")["percent"]) == (6, 100)
    assert group(data)["current_stage"] == "tr"


def test_cancelled_tasks_leave_the_total(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    before = stage(report(runner, g), "rect")
    mark(g, RECT_PAGE, "召开巡察整改专题民主生活会", "CANCELED")
    after = stage(report(runner, g), "rect")
    assert (before["total"], after["total"], after["cancelled"]) == (11, 10, 1)


def test_notes_under_a_task_and_a_moved_block_still_count(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    rect = g / RECT_PAGE
    text = rect.read_text(encoding="utf-8")
    # cut the 制定巡察整改方案 task (with its properties) out of the stage page …
    m = re.search(r"^- TODO 被巡察单位党组织制定巡察整改方案\n(?:  .*\n)+", text, flags=re.M)
    assert m
    rect.write_text(text.replace(m.group(0), ""), encoding="utf-8")
    moved = m.group(0).replace("- TODO", "- DONE").replace("\n  ", "\n\t  ")
    # … paste it under a note in a journal, add the user's own notes under it, rename it
    (g / "journals/2026_07_01.md").write_text(
        "- 整改工作例会\n\t" + moved.replace("制定巡察整改方案", "制定巡察整改方案（党委会已通过）")
        + "\t\t- 方案共 23 条措施（用户笔记）\n\t\t- TODO 下周报巡察办审核（用户自己的子任务）\n",
        encoding="utf-8")
    a = activity(report(runner, g), "rect.01")
    assert a["status"] == "done"
    assert a["file"] == "journals/2026_07_01.md"


def test_feedback_date_sets_rectification_deadline_and_colour(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    assert "rect.06" in [p["activity_id"] for p in group(report(runner, g))["pending_deadlines"]]
    edit(g / OVERVIEW, "反馈意见签收日::", "反馈意见签收日:: 2026-05-10")
    cases = [("2026-07-01", 40, "green"), ("2026-07-21", 20, "green"), ("2026-07-22", 19, "yellow"),
             ("2026-07-31", 10, "yellow"), ("2026-08-01", 9, "red"), ("2026-08-15", -5, "red")]
    for today, left, colour in cases:
        i = group(report(runner, g, today))
        d = next(d for d in i["deadlines"] if d["activity_id"] == "rect.06")
        assert (d["due"], d["days_left"], d["colour"], d["source"]) == ("2026-08-10", left, colour, "rule")
        assert d["rule"] == "反馈意见签收日3个月后"
        assert (d in i["overdue"]) == (left < 0)
        assert (d in i["due_soon"]) == (0 <= left < 20)
    # thresholds are configurable
    i = group(report(runner, g, "2026-07-01", "--yellow-days", "45", "--red-days", "30"))
    d = next(d for d in i["deadlines"] if d["activity_id"] == "rect.06")
    assert d["colour"] == "yellow"


def test_explicit_deadline_on_the_task_wins(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    edit(g / OVERVIEW, "反馈意见签收日::", "反馈意见签收日:: 2026-05-10")
    edit(g / RECT_PAGE, "  活动:: rect.06\n", "  DEADLINE: <2026-07-31 Fri>\n  活动:: rect.06\n")
    d = activity(report(runner, g), "rect.06")["deadline"]
    assert (d["due"], d["source"], d["days_left"], d["colour"]) == ("2026-07-31", "explicit", 6, "red")


def test_done_before_prerequisite_is_an_order_problem(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    problems = group(report(runner, g))["order_problems"]
    assert [p["activity_id"] for p in problems] == ["tr.03"]
    assert {b["id"] for b in problems[0]["blocking"]} == {"tr.02", "fb.05"}
    mark(g, "pages/巡察___2026年第一轮___某某集团有限公司___巡察移交.md", "巡察办统筹协调移交事项")
    mark(g, FB_PAGE, "向被巡察党组织反馈（反馈意见签收）")
    # fb.05 done while fb.04 is still DOING is itself an order problem …
    assert [p["activity_id"] for p in group(report(runner, g))["order_problems"]] == ["fb.05"]
    mark(g, FB_PAGE, "向被巡察党组织主要负责人反馈并约谈")
    assert group(report(runner, g))["order_problems"] == []


def test_duplicate_ids_and_template_blocks(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    # the template page holds a DONE prep.01 that never counts; a real duplicate is reported
    (g / "pages/杂记.md").write_text(
        f"- DONE 又写了一遍方案任务\n  活动:: prep.01\n  巡察:: [[{A}]]\n", encoding="utf-8")
    i = group(report(runner, g))
    dups = [x for x in i["issues"] if x["kind"] == "duplicate_activity"]
    assert len(dups) == 1 and "prep.01" in dups[0]["message"]
    assert not any("巡察任务模板" in x["file"] for x in i["issues"])


def test_ledgers_from_files(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    lg = group(report(runner, g))["ledgers"]
    assert lg["drafts"]["count"] == 3
    assert lg["drafts"]["by_status"] == {"审核中": 1, "已定稿": 2}
    assert lg["drafts"]["incomplete"] == [f"{A}/底稿/002"]
    recipients = [r["recipient"] for r in lg["transfers"]["by_recipient"]]
    assert recipients == ["干部人事部", "有关部门", "被巡察单位"]
    assert lg["rectifications"]["closed"] == 1
    assert lg["drafts"]["by_class"] == {"作风问题": 1, "党的领导弱化": 1, "廉洁纪律": 1}
    assert lg["drafts"]["unknown_classes"] == [f"{A}/底稿/003"]  # 作风问题 is not on the taxonomy
    rects = {x["title"]: x for x in lg["rectifications"]["items"]}
    assert rects["财务报销不规范"]["loop_gaps"] == ["已销号但缺少销号日期"]
    assert rects["会议记录缺失"]["immediate"] is True and rects["会议记录缺失"]["phase"] == "更新"
    assert lg["rectifications"]["rate_percent"] == 66  # 已完成 + 已销号 = 2 of 3
    transfers = {x["title"]: x for x in lg["transfers"]["items"]}
    assert transfers["资产处置不规范"]["limit"] == "2026-07-01"  # 移交日期 2026-04-01 + 3 months
    late = transfers["资产处置不规范"]
    assert late["limit_default"] is True and late["colour"] == "red"
    assert transfers["培训经费使用问题"]["colour"] is None  # fed back: no warning any more
    assert lg["report_problems"] == 3
    assert [u["title"] for u in lg["uncited_problems"]] == ["问题3：选人用人程序不规范"]
    # citing a 底稿 from the problem clears it
    edit(g / "pages/巡察___2026年第一轮___某某集团有限公司___巡察情况报告.md",
         "\t- 问题3：选人用人程序不规范\n", f"\t- 问题3：选人用人程序不规范\n\t  底稿:: [[{A}/底稿/003]]\n")
    assert group(report(runner, g))["ledgers"]["uncited_problems"] == []


def test_missing_and_empty_artifacts(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    found = group(report(runner, g))["missing_artifacts"]
    missing = {(m["activity_id"], m["artifact"]): m["reason"] for m in found}
    assert missing[("prep.03", "巡察通知")] == "empty"
    assert ("prep.01", "巡察工作方案") not in missing  # the page has content
    (g / "pages/巡察___2026年第一轮___某某集团有限公司___巡察通知.md").write_text(
        "- 关于对某某集团有限公司开展巡察的通知（已印发）\n", encoding="utf-8")
    missing = {(m["activity_id"], m["artifact"]) for m in group(report(runner, g))["missing_artifacts"]}
    assert ("prep.03", "巡察通知") not in missing


def test_unknown_inspection_option_is_an_input_error(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(g), "--inspection", "不存在的单位"])
    assert r.exit_code == 2
    assert "没有找到" in r.output
    r = runner.invoke(cli, ["report", str(g), "--today", "2026-13-01"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
