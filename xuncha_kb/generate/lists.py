"""The 三项清单 (问题清单, 提问清单, 谈话提纲) and the three ledgers (问题底稿台账, 移交台账,
整改台账) of one inspection, as pages (pure).

Each page opens with a generated 说明 block; the ledgers carry Logseq templates for one 底稿,
移交事项 or 整改事项, which hold no task markers so progress never counts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from xuncha_kb.generate.facts import find_milestone
from xuncha_kb.generate.pages import InspectionContext, heading, produced_pages, ref, rule_text
from xuncha_kb.logseq.render import BlockSpec, PageSpec
from xuncha_kb.track import conventions as cv


def list_pages(ctx: InspectionContext) -> list[PageSpec]:
    """The three lists, then the three ledgers (scaffold_inspection relies on this order)."""
    return [_issue_list(ctx), _question_list(ctx), _interview_outline(ctx),
            _draft_ledger(ctx), _transfer_ledger(ctx), _rect_ledger(ctx)]


def _list_page(ctx: InspectionContext, leaf: str, guide: Sequence[str], sections: Sequence[BlockSpec],
               extra_props: Sequence[tuple[str, str]] = ()) -> PageSpec:
    props = [(cv.P_TYPE, ref(cv.TYPE_CHECKLIST)), (cv.P_INSPECTION, ref(ctx.name)), (cv.P_LIST, leaf),
             *extra_props]
    producer = next((a for s in ctx.stages for a in s.activities
                     if ctx.sub(leaf) in produced_pages(ctx, a)), None)
    if producer is not None:
        props.append((cv.P_FROM_ACTIVITY, f"(({ctx.ids[producer.id]}))"))
    blocks = [heading("说明", [BlockSpec(g) for g in guide], gen=f"guide:{leaf}"), *sections]
    return PageSpec(ctx.sub(leaf), tuple(props), tuple(blocks))


def _template(name: str, title: str, body: BlockSpec) -> BlockSpec:
    """A Logseq template whose copies are ``body`` (the parent itself is not copied)."""
    return BlockSpec(title, properties=(("template", name), ("template-including-parent", "false")),
                     children=(body,))


def _issue_list(ctx: InspectionContext) -> PageSpec:
    """问题清单: the questions and doubts found in the pre-inspection documents."""
    return _list_page(ctx, cv.PAGE_ISSUE_LIST, [
        "熟悉被巡察单位提交的巡前备查资料，对有疑问的问题逐条记录，梳理形成问题清单。",
        "一个问题或疑点一个块；可加属性 来源::（资料名称、页码）和 核实方式::（查阅、谈话、调研）。",
        f"问题清单是提问清单和谈话提纲的基础：{ref(ctx.sub(cv.PAGE_QUESTION_LIST))}、{ref(ctx.sub(cv.PAGE_INTERVIEW_OUTLINE))}。",
    ], [heading("问题与疑点")])


def _question_list(ctx: InspectionContext) -> PageSpec:
    """提问清单: what to ask at the entry meeting."""
    return _list_page(ctx, cv.PAGE_QUESTION_LIST, [
        "研读被巡察单位的汇报材料，结合问题清单，形成准备在进场汇报会上提出的问题。",
        "一个问题一个块；会上得到的回答写在该问题下面的子块里。",
    ], [heading("进场汇报会提问")])


def _interview_outline(ctx: InspectionContext) -> PageSpec:
    """谈话提纲 with 谈话人名单 (sensitive: reports only count it)."""
    person = BlockSpec("谈话对象姓名", properties=(("职务", ""), ("谈话类别", "必谈"), ("谈话时间", ""),
                                             ("谈话人", ""), ("记录人", "")))
    return _list_page(ctx, cv.PAGE_INTERVIEW_OUTLINE, [
        "根据问题清单和提问清单，拟定进场会后的谈话人名单，并形成谈话提纲。",
        "本页涉密：xuncha-kb 的报告只统计数量，从不引用本页内容。谈话记录请建在本页之下的子页面。",
        "谈话类别：必谈 / 点谈 / 自愿谈。",
    ], [
        heading(cv.PAGE_INTERVIEWEE_LIST),
        heading("谈话提纲", [BlockSpec("共性问题"), BlockSpec("个性问题")]),
        _template(f"谈话对象（{ctx.facts.round}·{ctx.facts.unit}）", "谈话对象模板（用 /Template 插入）",
                  person),
    ], extra_props=((cv.P_SENSITIVE, "true"), (cv.P_SECRET_LEVEL, "内部")))


def _draft_ledger(ctx: InspectionContext) -> PageSpec:
    """问题底稿台账: one 底稿 page per issue, a template for it and a query over them."""
    insp = ctx.name
    draft_props = ((cv.P_TYPE, ref(cv.TYPE_DRAFT)), (cv.P_INSPECTION, ref(insp)),
                   *((k, cv.DRAFT_DEFAULTS.get(k, "")) for k in cv.DRAFT_FIELDS),
                   (cv.DRAFT_STATUS, cv.DRAFT_DEFAULTS.get(cv.DRAFT_STATUS, "")),
                   *((k, "") for k in cv.DRAFT_SIGNOFF))
    draft_body = BlockSpec("", properties=draft_props)
    draft_template = BlockSpec(
        "问题底稿模板（新建底稿页面后，在第一个块输入 /Template 选择本模板）",
        properties=(("template", f"问题底稿（{ctx.facts.round}·{ctx.facts.unit}）"),
                    ("template-including-parent", "false")),
        children=(draft_body, BlockSpec("## 问题事实"), BlockSpec("## 证据材料"), BlockSpec("## 定性依据")))
    draft_query = (f'{{{{query (and (page-property type {cv.TYPE_DRAFT}) '
                   f'(page-property {cv.P_INSPECTION} "{insp}"))}}}}')
    return PageSpec(ctx.sub(cv.PAGE_DRAFT_LEDGER), (
        (cv.P_TYPE, ref(cv.TYPE_DRAFT_LEDGER)), (cv.P_INSPECTION, ref(insp))), (
        heading("说明", [
            BlockSpec("一事一底稿：每个问题单独一页底稿，成熟一个编制一个，最终形成封闭的问题底稿台账。"),
            BlockSpec(f"新建底稿：新建页面 {ref(ctx.sub(cv.PAGE_DRAFTS_NS + '/001'))}（按编号顺延），"
                      "在第一个块输入 /Template，选择下面的问题底稿模板，然后逐项填写。"),
            BlockSpec("必填：" + "、".join(cv.DRAFT_REQUIRED) + "；三审：" + " → ".join(cv.DRAFT_SIGNOFF)
                      + "，审核人填写姓名和日期。"),
            BlockSpec("状态：" + " / ".join(cv.DRAFT_STATUSES) + "。"),
            BlockSpec(f"{cv.DRAFT_CLASS}：从 {ref(cv.PAGE_TAXONOMY)} 中选一项（默认分类为三大问题："
                      "党的领导弱化 / 党的建设缺失 / 全面从严治党不力；问题线索按六大纪律）。"
                      "该页不存在时使用内置默认分类；"
                      "在图谱中建立该页即可增删类别，报告按该页统计。"),
        ], gen="guide:底稿"),
        heading("底稿一览", [
            BlockSpec(draft_query, properties=(("query-properties", "[:page :编号 :问题概要 :定性 :状态]"),)),
            BlockSpec(f"全部底稿页面：{{{{namespace {ctx.sub(cv.PAGE_DRAFTS_NS)}}}}}"),
        ], gen="draft-query"),
        draft_template,
    ))


def _transfer_ledger(ctx: InspectionContext) -> PageSpec:
    """移交台账: what is handed over to whom."""
    insp = ctx.name
    transfer_item = BlockSpec("移交事项（一句话概括）", properties=(
        (cv.TRANSFER_TO, ""), (cv.TRANSFER_STATUS, "待移交"), (cv.TRANSFER_DATE, ""), (cv.TRANSFER_LIMIT, ""),
        (cv.TRANSFER_RESULT, ""), (cv.TRANSFER_FEEDBACK, ""), (cv.CITES_DRAFT, ""),
        (cv.P_INSPECTION, ref(insp))))
    return PageSpec(ctx.sub(cv.PAGE_TRANSFER_LEDGER), (
        (cv.P_TYPE, ref(cv.TYPE_TRANSFER_LEDGER)), (cv.P_INSPECTION, ref(insp))), (
        heading("说明", [
            BlockSpec("每项移交一个块，写明 移交对象::（纪检部 / 干部人事部 / 被巡察单位 / 有关部门）、"
                      "移交状态::（待移交 / 已移交 / 已反馈）、移交日期:: 和所依据的 底稿::。"),
            BlockSpec(f"{cv.TRANSFER_LIMIT}::（YYYY-MM-DD）不填时按 {cv.TRANSFER_DATE} 后 3 个月计算"
                      "（接收部门应在 3 个月内反馈办理情况），临近或逾期时报告预警；"
                      f"收到反馈后填写 {cv.TRANSFER_RESULT}:: 和 {cv.TRANSFER_FEEDBACK}::，"
                      "并把 移交状态:: 改为 已反馈。"),
            BlockSpec("问题线索移交纪检部的条目请加 密级:: 内部 —— 报告只计数，不引用内容。"),
        ], gen="guide:移交"),
        *(heading(f"向{who}移交") for who in ("被巡察单位", "纪检部", "干部人事部", "有关部门")),
        _template(f"移交事项（{ctx.facts.round}·{ctx.facts.unit}）", "移交事项模板（用 /Template 插入）",
                  transfer_item),
    ))


def _rect_ledger(ctx: InspectionContext) -> PageSpec:
    """整改台账: the rectification items and the deadlines anchored on 反馈意见签收日."""
    insp = ctx.name
    fb = find_milestone(ctx.workflow, (("feedback_signed",), (cv.MILESTONE_FEEDBACK,)))
    rect_rules = [a for s in ctx.stages for a in s.activities
                  if a.deadline and fb is not None and a.deadline.anchor == fb.id]
    rect_guide = [BlockSpec(f"{a.name}：{rule_text(ctx.workflow, a)}。截止日在 {ref(insp)} 填写 "
                            f"{fb.name if fb else cv.MILESTONE_FEEDBACK} 后确定。") for a in rect_rules]
    rect_item = BlockSpec("整改问题（一句话概括）", properties=(
        (cv.RECT_MEASURE, ""), (cv.RECT_UNIT, ""), (cv.RECT_OWNER, ""), (cv.RECT_DUE, ""),
        (cv.RECT_IMMEDIATE, "否"), (cv.RECT_STATUS, "未启动"), (cv.RECT_EVIDENCE, ""),
        (cv.RECT_REVIEWER, ""), (cv.RECT_CLOSED_ON, ""), (cv.RECT_DRAFT, ""),
        (cv.P_INSPECTION, ref(insp))))
    return PageSpec(ctx.sub(cv.PAGE_RECT_LEDGER), (
        (cv.P_TYPE, ref(cv.TYPE_RECT_LEDGER)), (cv.P_INSPECTION, ref(insp))), (
        heading("说明", [
            *rect_guide,
            BlockSpec("反馈意见中的每个问题一个块（建账）：整改措施::、责任单位::、责任人::、"
                      "整改时限::（YYYY-MM-DD）、立行立改::（是 / 否）、整改状态::（"
                      + " / ".join(cv.RECT_STATUSES) + "）、佐证材料::、底稿::。"),
            BlockSpec("整改推进中随时更新 整改状态:: 和 佐证材料::（更新）；审核通过后改为 已销号，并填写 "
                      "销号审核人:: 和 销号日期::（销号）。"
                      "报告统计整改率（已完成和已销号的占比）并提示缺项。"),
        ], gen="guide:整改"),
        heading("整改事项"),
        _template(f"整改事项（{ctx.facts.round}·{ctx.facts.unit}）", "整改事项模板（用 /Template 插入）",
                  rect_item),
    ))
