"""Shared helpers (no tests here) for the scaffold tests: a small hand-built workflow and graph readers."""

from __future__ import annotations

from pathlib import Path

from xuncha_kb.workflow.model import Activity, Artifact, DeadlineRule, Milestone, Role, Stage, Workflow


def small_workflow() -> Workflow:
    """Three stages (one annual), deadlines on a known and an unknown milestone, subitems."""
    return Workflow(
        id="test", name="测试流程",
        roles=(Role("xunchaban", "巡察办"), Role("xunchazu", "巡察组"), Role("zhuanyuan", "巡察专员"),
               Role("beixuncha", "被巡察单位党组织")),
        milestones=(Milestone("plan_published", "年度计划发布日", "plan.01"),
                    Milestone("entry_date", "进驻日", "prep.03"),
                    Milestone("feedback_signed", "反馈意见签收日", "rect.01")),
        artifacts=(Artifact("work_plan", "巡察工作方案"), Artifact("issue_list", "问题清单"),
                   Artifact("question_list", "提问清单"), Artifact("interviewee_list", "谈话人名单", True),
                   Artifact("interview_outline", "谈话提纲", True), Artifact("rect_report", "整改情况报告")),
        stages=(
            Stage("plan", "巡察计划", scope="annual", activities=(
                Activity("plan.01", "制定巡察年度计划", actor="xunchaban"),)),
            Stage("prep", "巡察准备", activities=(
                Activity("prep.01", "制定巡察工作方案", actor="xunchaban", produces=("work_plan",),
                         depends_on=("plan.01",),
                         deadline=DeadlineRule("entry_date", "-P10D", kind="soft")),
                Activity("prep.02", "熟悉被巡察单位提交资料并形成三项清单", actor="zhuanyuan",
                         produces=("issue_list", "question_list", "interviewee_list", "interview_outline"),
                         depends_on=("prep.01",), subitems=("问题清单", "提问清单", "谈话提纲")),
                Activity("prep.03", "巡察进驻", actor="xunchazu", depends_on=("prep.02",),
                         sets_milestone="entry_date"),
            )),
            Stage("rect", "巡察整改", activities=(
                Activity("rect.01", "向被巡察党组织反馈", actor="xunchazu", depends_on=("prep.03",),
                         sets_milestone="feedback_signed"),
                Activity("rect.02", "报送整改情况报告", actor="beixuncha", produces=("rect_report",),
                         depends_on=("rect.01",), deadline=DeadlineRule("feedback_signed", "P3M")),
                Activity("rect.03", "受理信访举报", actor="xunchazu", depends_on=("rect.01",),
                         sensitive=True),
            )),
        ),
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden state included) → bytes; the graph index under
    ``.xuncha/index/`` excepted: an advisory cache, brought up to date by every read."""
    return {rel: p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not (rel := p.relative_to(root).as_posix()).startswith(".xuncha/index/")}
