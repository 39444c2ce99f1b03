"""sync on an Org graph (``:preferred-format :org``): the same three-way merge as on Markdown —
generated parts of a task headline follow the workflow, the user's marker, SCHEDULED line,
body lines and child headlines are copied byte for byte, an edited title is a conflict."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import write_file
from tests.test_sync_graph import changed_workflow
from xuncha_kb.cli import cli
from xuncha_kb.commands.scaffold import plan_inspection
from xuncha_kb.commands.sync import apply_sync, plan_sync
from xuncha_kb.fs.apply import apply
from xuncha_kb.generate.facts import InspectionFacts
from xuncha_kb.workflow.write import render_definition

PREFIX = "巡察___2026年第一轮___某某公司"
TODAY = dt.date(2026, 3, 1)
SCHEDULED = "SCHEDULED: <2026-02-25 Wed>"
BODY = "这一行是用户直接写在任务里的说明"
CHILD = "** 用户笔记：方案初稿 2 月 20 日已交领导审阅"
USER_PROP = ":备注: 需要会签"
LOGBOOK = ":LOGBOOK:\nCLOCK: [2026-02-26 Thu 09:00:00]--[2026-02-26 Thu 10:30:00] =>  01:30:00\n:END:"


def _graph(tmp_path: Path, fmt: str, workflow: str = "todo") -> Path:
    root = tmp_path / fmt
    (root / "logseq").mkdir(parents=True)
    (root / "journals").mkdir()
    config = (f"{{:file/name-format :triple-lowbar :preferred-workflow :{workflow}"
              f" :preferred-format :{fmt}}}\n")
    (root / "logseq" / "config.edn").write_text(config, encoding="utf-8")
    facts = InspectionFacts("某某公司", "2026年第一轮", "张三", ("李四", "王五"), dt.date(2026, 3, 2))
    apply(plan_inspection(root, facts).plan, root)
    return root


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return _graph(tmp_path, "org")


def _prep(root: Path, ext: str = "org") -> Path:
    return root / "pages" / f"{PREFIX}___巡察准备.{ext}"


def _pages(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "pages").iterdir())}


def _task(text: str, activity: str, star: str = "* ") -> str:
    """The lines of the top-level headline carrying ``:活动: <activity>``."""
    blocks = re.split(rf"\n(?={re.escape(star)})", text)
    return next(b for b in blocks if f"\n:活动: {activity}\n" in b + "\n")


def _user_edits(root: Path) -> None:
    """prep.01: DONE, SCHEDULED, a body line and a child headline (all the user's)."""
    page = _prep(root)
    text = page.read_text(encoding="utf-8")
    b1 = _task(text, "prep.01")
    head, rest = b1.split("\n", 1)
    rest = rest.replace("\n:id: ", f"\n{USER_PROP}\n:id: ", 1)  # the user's property, in the drawer
    new = f"{head.replace('* TODO ', '* DONE ', 1)}\n{SCHEDULED}\n{rest}\n{LOGBOOK}\n{BODY}\n{CHILD}"
    text = text.replace(b1, new)
    b6 = _task(text, "prep.06")  # removed from the changed workflow; the user wrote under it
    text = text.replace(b6, b6 + "\n" + CHILD)
    write_file(root, str(page.relative_to(root)), text)


def test_sync_right_after_scaffold_is_a_no_op(org: Path) -> None:
    plan = plan_sync(org, today=TODAY)
    # as on Markdown: only the whiteboard's stage states (a deadline is overdue on TODAY)
    assert [f.path for f in plan.writes] == [f"whiteboards/{PREFIX}___流程总览.edn"], plan.render()
    assert not plan.conflicts and not any("Org" in n for n in plan.notes)
    before = _pages(org)
    apply_sync(plan, org)
    assert _pages(org) == before
    assert not plan_sync(org, today=TODAY).writes


def test_workflow_change_updates_titles_and_keeps_the_users_lines(org: Path) -> None:
    _user_edits(org)
    edited = _task(_prep(org).read_text(encoding="utf-8"), "prep.01")
    plan = plan_sync(org, today=TODAY, workflow=changed_workflow())
    assert not plan.conflicts, plan.render()
    apply_sync(plan, org)
    text = _prep(org).read_text(encoding="utf-8")
    b1 = _task(text, "prep.01")
    lines = b1.split("\n")
    assert lines[0] == "* DONE 制定巡察工作方案（修订稿）"  # ours title, the user's marker
    assert lines[1] == SCHEDULED and BODY in lines and CHILD in lines
    # byte for byte the user's block, but for the title after the marker
    assert b1 == edited.replace("* DONE 制定巡察工作方案\n", "* DONE 制定巡察工作方案（修订稿）\n", 1)
    assert USER_PROP in lines and LOGBOOK in b1
    assert "* TODO 征求纪检部门意见" in text  # the new activity, inserted
    assert text.index(":活动: prep.02\n") < text.index(":活动: prep.02a\n") < text.index(":活动: prep.03\n")
    assert ":活动: prep.05" not in text  # removed from the workflow, untouched: deleted
    b6 = _task(text, "prep.06").split("\n")  # removed, but the user wrote under it: marked
    assert b6[-1] == CHILD and b6[b6.index(":END:") - 1].startswith(":xuncha-removed: 工作流程中已没有此活动")
    from xuncha_kb.logseq.page import parse_text

    assert parse_text(text, _prep(org).name, "org").diagnostics == ()
    again = plan_sync(org, today=TODAY, workflow=changed_workflow())
    assert not again.writes and not again.conflicts, again.render()


def test_a_now_graph_deletes_the_untouched_removed_task_and_marks_the_noted_one(tmp_path: Path) -> None:
    """LATER tasks (``:preferred-workflow :now``) are hashed as the TODO graph's: untouched, a
    removed activity's headline goes; with the user's child headline it stays, marked."""
    root = _graph(tmp_path, "org", "now")
    text = _prep(root).read_text(encoding="utf-8")
    b6 = _task(text, "prep.06")
    assert b6.startswith("* LATER ")
    write_file(root, str(_prep(root).relative_to(root)), text.replace(b6, b6 + "\n" + CHILD))
    plan = plan_sync(root, today=TODAY, workflow=changed_workflow())
    assert not plan.conflicts, plan.render()
    apply_sync(plan, root)
    text = _prep(root).read_text(encoding="utf-8")
    assert ":活动: prep.05" not in text
    lines = _task(text, "prep.06").split("\n")
    assert lines[0].startswith("* LATER ") and lines[-1] == CHILD
    assert lines[lines.index(":END:") - 1].startswith(":xuncha-removed: ")


def test_an_edited_title_is_a_conflict_and_the_file_stays(org: Path) -> None:
    page = _prep(org)
    text = page.read_text(encoding="utf-8")
    text = text.replace("* TODO 制定巡察工作方案\n", "* TODO 制定巡察工作方案（组长改过）\n", 1)
    write_file(org, str(page.relative_to(org)), text)
    before = page.read_bytes()
    plan = plan_sync(org, today=TODAY, workflow=changed_workflow())
    assert len(plan.conflicts) == 1, plan.render()
    mine = next(f for f in plan.files if f.path.endswith("巡察准备.org"))
    assert any(n.action == "conflict" for n in mine.notes)
    apply_sync(plan, org)
    after = page.read_text(encoding="utf-8")
    assert _task(after, "prep.01") == _task(before.decode("utf-8"), "prep.01")  # left exactly as it was
    assert "* TODO 征求纪检部门意见" in after  # the rest of the page still syncs


def _progress(root: Path) -> Any:
    from xuncha_kb.commands.report import compute_report
    from xuncha_kb.track.deadlines import Thresholds

    (insp,) = compute_report(root, TODAY, thresholds=Thresholds(), only="某某公司").progress.inspections
    return ([(s.id, s.status, s.percent, tuple((a.id, a.status) for a in s.activities)) for s in insp.stages],
            [(d.activity_id, d.due) for d in insp.deadlines])


def test_progress_after_sync_equals_markdown(tmp_path: Path) -> None:
    roots = {"org": _graph(tmp_path, "org"), "markdown": _graph(tmp_path, "markdown")}
    for ext, root in roots.items():
        suffix, star = ("org", "* ") if ext == "org" else ("md", "- ")
        write_file(root, "pages/巡察工作流程定义.md", render_definition(changed_workflow()))
        page = _prep(root, suffix)
        text = page.read_text(encoding="utf-8")
        text = text.replace(f"{star}TODO 制定巡察工作方案", f"{star}DONE 制定巡察工作方案", 1)
        write_file(root, str(page.relative_to(root)), text)
        plan = plan_sync(root, today=TODAY)
        assert not plan.conflicts, plan.render()
        apply_sync(plan, root)
    mine, theirs = _progress(roots["markdown"]), _progress(roots["org"])
    assert mine == theirs
    acts = dict(mine[0][0][3])
    assert acts["prep.01"] == "done" and "prep.02a" in acts and "prep.05" not in acts


def test_dry_run_writes_nothing(org: Path) -> None:
    write_file(org, "pages/巡察工作流程定义.md", render_definition(changed_workflow()))
    _user_edits(org)
    before = _pages(org)
    manifest = (org / "logseq" / "xuncha-kb" / "manifest.json")
    mbefore = manifest.read_bytes() if manifest.exists() else None
    res = CliRunner().invoke(cli, ["sync", str(org), "--dry-run", "--today", TODAY.isoformat()])
    assert res.exit_code == 0, res.output
    assert "新增 prep.02a 征求纪检部门意见" in res.output and "--dry-run" in res.output
    assert _pages(org) == before
    assert (manifest.read_bytes() if manifest.exists() else None) == mbefore


def test_milestone_date_in_an_org_directive_recomputes_deadlines(org: Path) -> None:
    overview = org / "pages" / f"{PREFIX}.org"
    ov = overview.read_text(encoding="utf-8")
    ov_new = re.sub(r"^#\+反馈意见签收日:.*$", "#+反馈意见签收日: 2026-05-10", ov, flags=re.M)
    assert ov_new != ov
    write_file(org, str(overview.relative_to(org)), ov_new)
    rect = org / "pages" / f"{PREFIX}___巡察整改.org"
    assert "DEADLINE:" not in _task(rect.read_text(encoding="utf-8"), "rect.05")
    plan = plan_sync(org, today=TODAY)
    assert not plan.conflicts, plan.render()
    apply_sync(plan, org)
    b2 = _task(rect.read_text(encoding="utf-8"), "rect.05").split("\n")
    assert re.fullmatch(r"DEADLINE: <2026-0[6-8]-\d\d \w\w\w>", b2[1])  # on the line after the headline
    after = overview.read_text(encoding="utf-8")
    assert after.split("\n\n", 1)[0] == ov_new.split("\n\n", 1)[0]  # the directives the user filled in
    assert not plan_sync(org, today=TODAY).writes


def test_subitem_children_keep_the_users_marker_and_notes(org: Path) -> None:
    import dataclasses as dc

    from xuncha_kb.workflow.load import default_workflow

    wf = default_workflow()
    stages = list(wf.stages)
    s = next(n for n, st in enumerate(stages) if st.id == "prep")
    acts = list(stages[s].activities)
    i = next(n for n, a in enumerate(acts) if a.id == "prep.11")
    acts[i] = dc.replace(acts[i], name="熟悉资料并形成三项清单")
    stages[s] = dc.replace(stages[s], activities=tuple(acts))
    wf = dc.replace(wf, stages=tuple(stages))
    page = _prep(org)
    text = page.read_text(encoding="utf-8")
    note = "*** 用户笔记：清单初稿已完成"
    sub = "** TODO 问题清单："
    text = text.replace(sub, sub.replace("TODO", "DONE"), 1)
    text = text.replace(":子项: true\n:END:\n", f":子项: true\n:END:\n{note}\n", 1)
    write_file(org, str(page.relative_to(org)), text)
    edited = _task(text, "prep.11")
    plan = plan_sync(org, today=TODAY, workflow=wf)
    assert not plan.conflicts, plan.render()
    apply_sync(plan, org)
    after = _task(page.read_text(encoding="utf-8"), "prep.11")
    old_head, new_head = "* TODO 熟悉被巡察单位提交资料并形成三项清单\n", "* TODO 熟悉资料并形成三项清单\n"
    assert after == edited.replace(old_head, new_head, 1)
    assert "** DONE 问题清单：" in after and note in after


def test_renamed_stage_is_merged_into_its_existing_org_page(org: Path) -> None:
    import dataclasses as dc

    from xuncha_kb.workflow.load import default_workflow

    wf = default_workflow()
    wf = dc.replace(wf, stages=tuple(dc.replace(st, name="巡察准备工作") if st.id == "prep" else st
                                     for st in wf.stages))
    before = set(_pages(org))
    plan = plan_sync(org, today=TODAY, workflow=wf)
    assert not plan.conflicts, plan.render()
    assert not [f.path for f in plan.writes if f.path.endswith("巡察准备工作.org")]  # found by #+阶段: prep
    apply_sync(plan, org)
    assert set(_pages(org)) == before


def test_org_manifest_with_the_old_markdown_hashes_still_merges_tasks(org: Path) -> None:
    """Org inspections scaffolded before Org sync recorded each task's hash of its Markdown lines."""
    import json

    md = _graph(org.parent, "markdown")
    path = org / ".xuncha" / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    md_files = json.loads((md / ".xuncha" / "manifest.json").read_text(encoding="utf-8"))["files"]
    rel = f"pages/{PREFIX}___巡察准备"
    md_blocks = md_files[rel + ".md"]["blocks"]
    assert data["files"][rel + ".org"]["blocks"]["d0d53178-8e87-5d9e-9f25-b530c1789508"] != \
        md_blocks["d0d53178-8e87-5d9e-9f25-b530c1789508"]
    data["files"][rel + ".org"]["blocks"] = md_blocks  # as an older scaffold recorded them
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _user_edits(org)
    plan = plan_sync(org, today=TODAY, workflow=changed_workflow())
    mine = next(f for f in plan.files if f.path == rel + ".org")
    conflicts = [n.key for n in mine.notes if n.action == "conflict"]
    assert "d0d53178-8e87-5d9e-9f25-b530c1789508" not in conflicts  # the task merges
    assert all(k.startswith("generated:") for k in conflicts)  # only old heading hashes conflict
    before = _prep(org).read_text(encoding="utf-8")
    apply_sync(plan, org)
    after = _prep(org).read_text(encoding="utf-8")
    assert "* DONE 制定巡察工作方案（修订稿）\n" + SCHEDULED in after
    assert _task(after, "prep.02") == _task(before, "prep.02")


def test_the_org_plan_is_the_markdown_plan(tmp_path: Path) -> None:
    """Same edits, same workflow change: the same notes file by file (whiteboard included)."""
    plans = {}
    for fmt, star in (("org", "* "), ("markdown", "- ")):
        root = _graph(tmp_path, fmt)
        page = _prep(root, "org" if fmt == "org" else "md")
        text = page.read_text(encoding="utf-8")
        for act in ("制定巡察工作方案", "审批巡察工作方案", "发布巡察通知"):
            text = text.replace(f"{star}TODO {act}\n", f"{star}DONE {act}\n", 1)
        write_file(root, str(page.relative_to(root)), text)
        plan = plan_sync(root, today=TODAY, workflow=changed_workflow())
        plans[fmt] = sorted((f.path.rsplit(".", 1)[0], tuple((n.action, n.key, n.label) for n in f.notes))
                            for f in plan.writes)
    assert plans["org"] == plans["markdown"]
    assert any(p.startswith("whiteboards/") for p, _ in plans["org"])
