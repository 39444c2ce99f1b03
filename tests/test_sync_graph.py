"""sync on a scaffolded graph: workflow changes and milestone dates vs. user edits (three-way)."""

from __future__ import annotations

import dataclasses as dc
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from tests.conftest import write_file
from xuncha_kb.cli import cli
from xuncha_kb.commands.scaffold import plan_inspection
from xuncha_kb.commands.sync import P_REMOVED, apply_sync, plan_sync
from xuncha_kb.fs.apply import apply
from xuncha_kb.fs.manifest import read_manifest
from xuncha_kb.generate.facts import InspectionFacts
from xuncha_kb.workflow.load import default_workflow
from xuncha_kb.workflow.model import Activity, DeadlineRule, Workflow

INSP = "巡察/2026年第一轮/某某公司"
PREFIX = "巡察___2026年第一轮___某某公司"
OVERVIEW = f"pages/{PREFIX}.md"
PREP = f"pages/{PREFIX}___巡察准备.md"
WB = f"whiteboards/{PREFIX}___流程总览.edn"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    root = tmp_path / "g"
    (root / "logseq").mkdir(parents=True)
    (root / "journals").mkdir()
    config = "{:file/name-format :triple-lowbar :preferred-workflow :todo}\n"  # the tests edit TODO tasks
    (root / "logseq" / "config.edn").write_text(config, encoding="utf-8")
    facts = InspectionFacts("某某公司", "2026年第一轮", "张三", ("李四", "王五"), dt.date(2026, 3, 2))
    run = plan_inspection(root, facts)
    apply(run.plan, root)
    return root


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def block_of(text: str, activity: str) -> str:
    """The lines of the top-level task block carrying ``活动:: <activity>``."""
    blocks = re.split(r"\n(?=- )", text)
    return next(b for b in blocks if f"\n  活动:: {activity}\n" in b + "\n")


def changed_workflow() -> Workflow:
    """prep.01 renamed, prep.02a added after prep.02, prep.05 and prep.06 removed, prep.03 rule changed."""
    wf = default_workflow()
    stages = list(wf.stages)
    i = next(n for n, s in enumerate(stages) if s.id == "prep")
    acts = list(stages[i].activities)
    acts[0] = dc.replace(acts[0], name="制定巡察工作方案（修订稿）")
    acts[2] = dc.replace(acts[2], deadline=DeadlineRule("entry_date", "-P15D"))
    new = Activity("prep.02a", "征求纪检部门意见", actor=acts[1].actor, depends_on=("prep.02",))
    acts.insert(2, new)
    acts = [a for a in acts if a.id not in ("prep.05", "prep.06")]
    acts = [dc.replace(a, depends_on=tuple(dict.fromkeys(
        "prep.02" if d in ("prep.05", "prep.06") else d for d in a.depends_on))) for a in acts]
    stages[i] = dc.replace(stages[i], activities=tuple(acts))
    return dc.replace(wf, stages=tuple(stages))


USER_LINES = {
    "note under prep.01": "\t- 用户笔记：方案初稿 2 月 20 日已交领导审阅",
    "deeper note": "\t\t- 领导批示：同意，按期印发",
    "body line": "  这一行是用户直接写在任务里的说明",
    "user property": "  备注:: 需要会签",
    "scheduled": "  SCHEDULED: <2026-02-25 Wed>",
    "logbook start": "  :LOGBOOK:",
    "logbook clock": "  CLOCK: [2026-02-26 Thu 09:00:00]--[2026-02-26 Thu 10:30:00] =>  01:30:00",
    "logbook end": "  :END:",
    "note under removed": "\t- 用户笔记：已向相关部门发函",
    "block at end": "- 用户自己加的块，不属于任何活动",
    "block child": "\t- 它的子块",
}


def make_user_edits(root: Path) -> None:
    t = read(root, PREP)
    u = USER_LINES
    # prep.01: notes as child blocks (two levels)
    b1 = block_of(t, "prep.01")
    t = t.replace(b1, b1 + "\n" + u["note under prep.01"] + "\n" + u["deeper note"])
    # prep.02: done, with a body line and a user property
    b2 = block_of(t, "prep.02")
    b2_new = b2.replace("- TODO ", "- DONE ", 1).replace("\n  活动::", f"\n{u['user property']}\n  活动::", 1)
    b2_new += "\n" + u["body line"]
    t = t.replace(b2, b2_new)
    # prep.04: SCHEDULED, priority, LOGBOOK (Logseq time tracking), DOING
    b4 = block_of(t, "prep.04")
    head, rest = b4.split("\n", 1)
    b4_new = head.replace("- TODO ", "- DOING [#A] ") + "\n" + u["scheduled"] + "\n" + u["logbook start"] + \
        "\n" + u["logbook clock"] + "\n" + u["logbook end"] + "\n" + rest
    t = t.replace(b4, b4_new)
    # prep.06 (to be removed from the workflow): the user wrote under it
    b6 = block_of(t, "prep.06")
    t = t.replace(b6, b6 + "\n" + u["note under removed"])
    # prep.08: the user changed a generated property → conflict
    b8 = block_of(t, "prep.08")
    t = t.replace(b8, b8.replace("责任:: [[巡察组]]", "责任:: [[张三]]"))
    t = t.rstrip("\n") + "\n" + u["block at end"] + "\n" + u["block child"] + "\n"
    write_file(root, PREP, t)


def test_fresh_scaffold_needs_no_page_changes(graph: Path) -> None:
    plan = plan_sync(graph, today=TODAY)
    assert [f.path for f in plan.writes] == [WB]  # only the stage states on the whiteboard
    assert plan.conflicts == ()
    apply_sync(plan, graph)
    again = plan_sync(graph, today=TODAY)
    assert again.writes == ()


def test_workflow_change_keeps_every_user_line(graph: Path) -> None:
    make_user_edits(graph)
    before = read(graph, PREP)
    plan = plan_sync(graph, today=TODAY, workflow=changed_workflow())
    apply_sync(plan, graph)
    after = read(graph, PREP)

    # every user line is still there, byte for byte, exactly once
    for name, line in USER_LINES.items():
        assert after.count(line + "\n") == before.count(line + "\n") == 1, name
    # task states untouched
    assert block_of(after, "prep.02").startswith("- DONE 审批巡察工作方案")
    assert block_of(after, "prep.04").startswith("- DOING [#A] ")
    # generated parts updated around the user's lines
    b1 = block_of(after, "prep.01")
    assert b1.startswith("- TODO 制定巡察工作方案（修订稿）")
    assert USER_LINES["note under prep.01"] in b1 and USER_LINES["deeper note"] in b1
    b3 = block_of(after, "prep.03")
    assert "DEADLINE: <2026-02-15 Sun>" in b3 and "进驻日 15天前" in b3
    # the new activity sits right after its predecessor
    order = re.findall(r"活动:: (\S+)", after)
    assert order[:4] == ["prep.01", "prep.02", "prep.02a", "prep.03"]
    # removed: deleted when untouched, marked when the user wrote under it
    assert "活动:: prep.05" not in after
    b6 = block_of(after, "prep.06")
    assert f"{P_REMOVED}::" in b6 and USER_LINES["note under removed"] in b6
    # the user's edit of a generated property is a conflict, left byte for byte
    assert block_of(after, "prep.08") == block_of(before, "prep.08")
    assert [n.key for n in plan.conflicts] == [re.search(r"id:: (\S+)", block_of(before, "prep.08"))[1]]
    assert after.endswith(USER_LINES["block at end"] + "\n" + USER_LINES["block child"] + "\n")

    # a second sync changes nothing and reports the same conflict
    again = plan_sync(graph, today=TODAY, workflow=changed_workflow())
    assert [f.path for f in again.writes] == []
    assert len(again.conflicts) == 1


def test_milestone_date_filled_in_recomputes_deadlines(graph: Path) -> None:
    ov = read(graph, OVERVIEW)
    assert "反馈意见签收日::" in ov
    ov_new = re.sub(r"^反馈意见签收日::.*$", "反馈意见签收日:: 2026-05-10", ov, flags=re.M)
    write_file(graph, OVERVIEW, ov_new)
    rect = f"pages/{PREFIX}___巡察整改.md"
    assert "DEADLINE:" not in block_of(read(graph, rect), "rect.02")
    plan = plan_sync(graph, today=TODAY)
    apply_sync(plan, graph)
    rect_after = read(graph, rect)
    assert re.search(r"DEADLINE: <2026-0[6-8]-\d\d \w\w\w>", rect_after)
    after_ov = read(graph, OVERVIEW)
    # the page properties the user filled in are untouched
    props = lambda t: t.split("\n\n", 1)[0]  # noqa: E731
    assert props(after_ov) == props(ov_new)


def test_task_moved_to_a_journal_is_updated_there_not_duplicated(graph: Path) -> None:
    t = read(graph, PREP)
    b1 = block_of(t, "prep.01")
    write_file(graph, PREP, t.replace(b1 + "\n", ""))
    journal = "journals/2026_02_20.md"
    write_file(graph, journal, "- 今天的工作\n" + b1.replace("- TODO", "- DONE", 1) + "\n")
    plan = plan_sync(graph, today=TODAY, workflow=changed_workflow())
    apply_sync(plan, graph)
    assert "活动:: prep.01" not in read(graph, PREP)
    j = read(graph, journal)
    assert j.startswith("- 今天的工作\n- DONE 制定巡察工作方案（修订稿）\n")


def test_deleted_generated_page_stays_deleted(graph: Path) -> None:
    (graph / f"pages/{PREFIX}___问题清单.md").unlink()
    plan = plan_sync(graph, today=TODAY)
    assert f"pages/{PREFIX}___问题清单.md" not in [f.path for f in plan.writes]
    assert any("保持删除" in n for n in plan.notes)


def test_whiteboard_shows_stage_state_and_respects_user_labels(graph: Path) -> None:
    t = read(graph, PREP)
    write_file(graph, PREP, t.replace("- TODO ", "- DONE "))
    plan = plan_sync(graph, today=TODAY)
    apply_sync(plan, graph)
    wb = read(graph, WB)
    assert ':label "1. 巡察准备\\n13/13 已完成"' in wb
    assert ':fill "green"' in wb and ':label "2. 巡察了解\\n0/10 未开始"' in wb
    # the user relabels a box: left alone
    wb2 = wb.replace('"2. 巡察了解\\n0/10 未开始"', '"了解阶段（张三负责）"')
    write_file(graph, WB, wb2)
    t2 = read(graph, f"pages/{PREFIX}___巡察了解.md")
    write_file(graph, f"pages/{PREFIX}___巡察了解.md", t2.replace("- TODO ", "- DONE ", 1))
    plan = plan_sync(graph, today=TODAY)
    apply_sync(plan, graph)
    assert '"了解阶段（张三负责）"' in read(graph, WB)
    assert any("被修改过" in n for n in plan.notes)


def test_manifest_records_new_bases(graph: Path) -> None:
    make_user_edits(graph)
    plan = plan_sync(graph, today=TODAY, workflow=changed_workflow())
    apply_sync(plan, graph)
    entry = read_manifest(graph).get(PREP)
    assert entry is not None
    ids = dict(re.findall(r"活动:: (\S+)\n(?:.*\n)*?  id:: (\S+)", read(graph, PREP)))
    assert ids["prep.02a"] in entry.blocks  # the inserted block has a base for the next sync
    assert entry.hash != ""


def test_cli_sync_dry_run_and_json(graph: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.workflow.write import render_definition

    write_file(graph, "pages/巡察工作流程定义.md", render_definition(changed_workflow()))
    make_user_edits(graph)
    before = read(graph, PREP)
    res = runner.invoke(cli, ["sync", str(graph), "--dry-run", "--today", "2026-03-01"])
    assert res.exit_code == 0, res.output
    assert "新增 prep.02a 征求纪检部门意见" in res.output and "冲突" in res.output
    assert read(graph, PREP) == before  # dry run wrote nothing
    res = runner.invoke(cli, ["sync", str(graph), "--json", "--today", "2026-03-01"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["plan"]["conflicts"] == 1 and PREP in data["result"]["updated"]
    assert "活动:: prep.02a" in read(graph, PREP)
    res = runner.invoke(cli, ["sync", str(graph), "--today", "2026-03-01"])
    assert "共修改 0 个文件；1 处冲突" in res.output  # nothing left to do; the conflict stays reported


def test_sync_is_idempotent_when_moved_dates_change_stage_colours(graph: Path) -> None:
    """The whiteboard is coloured from the pages as sync leaves them, so a rerun changes nothing."""
    ov = read(graph, OVERVIEW)
    write_file(graph, OVERVIEW, ov.replace("进驻日:: 2026-03-02", "进驻日:: 2026-02-20"))
    first = plan_sync(graph, today=dt.date(2026, 2, 15))
    apply_sync(first, graph)
    assert "有逾期" in read(graph, WB) or ':fill "red"' in read(graph, WB)
    again = plan_sync(graph, today=dt.date(2026, 2, 15))
    assert again.writes == ()


def test_rerun_records_files_a_failed_run_wrote_but_did_not_record(graph: Path, tmp_path: Path) -> None:
    import shutil

    clean = tmp_path / "clean"
    shutil.copytree(graph, clean)
    wf = changed_workflow()
    apply_sync(plan_sync(clean, today=TODAY, workflow=wf), clean)
    # a run that wrote the pages and then died before recording them in the manifest
    plan = plan_sync(graph, today=TODAY, workflow=wf)
    for f in plan.writes:
        write_file(graph, f.path, f.content or "")
    rerun = plan_sync(graph, today=TODAY, workflow=wf)
    assert rerun.writes == ()
    apply_sync(rerun, graph)
    got = read_manifest(graph).entries
    want = read_manifest(clean).entries
    assert {p: (e.hash, dict(e.blocks)) for p, e in got.items()} == \
        {p: (e.hash, dict(e.blocks)) for p, e in want.items()}


def test_blocks_the_user_deleted_stay_deleted(graph: Path) -> None:
    t = read(graph, PREP)
    b3 = block_of(t, "prep.03")
    heading = t[t.index("- ## 巡察准备"):t.index("- TODO 制定巡察工作方案")]
    write_file(graph, PREP, t.replace(b3 + "\n", "").replace(heading, ""))
    plan = plan_sync(graph, today=TODAY, workflow=changed_workflow())
    apply_sync(plan, graph)
    after = read(graph, PREP)
    assert "活动:: prep.03" not in after and "xuncha-generated:: stage-intro:prep" not in after
    assert "活动:: prep.02a" in after  # a genuinely new activity is still added
    assert any("保持删除" in n for n in plan.notes)
