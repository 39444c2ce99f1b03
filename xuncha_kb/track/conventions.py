"""How an inspection lives in a graph: page names and property keys.

The one place where scaffold (which writes these pages), progress (which reads them) and
sync (which keeps them up to date) agree on names.  Property keys are Chinese because staff
read and edit them in Logseq; Logseq lower-cases keys, which leaves Chinese unchanged.

An inspection ``巡察/2026年第一轮/某某公司``:

* overview page ``巡察/2026年第一轮/某某公司`` with page properties
  ``type:: [[巡察]]``, ``被巡察单位::``, ``轮次::``, ``组长::``, ``组员::``, ``工作流程::``
  and one property per milestone, keyed by the milestone's name (``进驻日:: 2026-03-02``);
* one page per stage ``…/巡察准备`` (``type:: [[巡察阶段]]``, ``巡察::``, ``阶段:: prep``);
* each activity is a task block anywhere in the graph with ``活动:: prep.01`` and
  ``巡察:: [[巡察/2026年第一轮/某某公司]]`` (and ``责任::``, ``产出::``, ``前置::``, ``id::``);
* list and ledger pages ``…/问题清单``, ``…/问题底稿台账``, ``…/移交台账``, ``…/整改台账``;
  底稿 pages ``…/底稿/001`` carry ``type:: [[问题底稿]]``.
"""

from __future__ import annotations

# --- page types (value of type::) -------------------------------------------------------
TYPE_INSPECTION = "巡察"
TYPE_STAGE = "巡察阶段"
TYPE_ANNUAL_PLAN = "巡察年度计划"
TYPE_DRAFT = "问题底稿"  # one 底稿 (working paper) page, 一事一底稿
TYPE_DRAFT_LEDGER = "问题底稿台账"
TYPE_TRANSFER_LEDGER = "移交台账"
TYPE_RECT_LEDGER = "整改台账"
TYPE_CHECKLIST = "巡察清单"
TYPE_REPORT = "巡察进度报告"

# --- property keys ----------------------------------------------------------------------
P_TYPE = "type"
P_UNIT = "被巡察单位"
P_ROUND = "轮次"
P_YEAR = "年度"
P_LEADER = "组长"
P_MEMBERS = "组员"
P_WORKFLOW = "工作流程"
P_INSPECTION = "巡察"  # on stage pages, task blocks, ledgers: [[overview page]]
P_STAGE = "阶段"  # stage id on stage pages
P_ACTIVITY = "活动"  # activity id on task blocks
P_ACTOR = "责任"
P_PRODUCES = "产出"
P_DEPENDS = "前置"
P_GENERATED = "xuncha-generated"  # marks blocks that xuncha-kb regenerates
P_SENSITIVE = "sensitive"
P_SECRET_LEVEL = "密级"

# 底稿 (working paper) fields; required ones are linted by the ledger checks.
DRAFT_CLASS = "问题类别"  # one class of the 巡察问题分类 page (三大问题, 六大纪律)
DRAFT_FIELDS = ("编号", "名称", "编制日期", "来源", DRAFT_CLASS, "问题概要", "证据", "定性", "责任主体",
                "政策依据")
DRAFT_REQUIRED = ("编号", "来源", "问题概要", "证据", "定性")
DRAFT_SIGNOFF = ("承办人", "副组长审核", "组长审批")  # 三审
DRAFT_STATUS = "状态"  # 起草 / 审核中 / 已定稿 / 已移交

# 移交 items: blocks on the 移交台账 page (or anywhere) with 移交对象::
TRANSFER_TO = "移交对象"  # 纪检部 / 干部人事部 / 被巡察单位 / 有关部门
TRANSFER_STATUS = "移交状态"  # 待移交 / 已移交 / 已反馈
TRANSFER_DATE = "移交日期"
TRANSFER_LIMIT = "办理时限"  # default: 移交日期 + TRANSFER_LIMIT_DEFAULT
TRANSFER_RESULT = "办理结果"
TRANSFER_FEEDBACK = "反馈日期"
TRANSFER_LIMIT_DEFAULT = "P3M"  # the receiving department reports back within 3 months

# 整改 items: blocks on the 整改台账 page (or anywhere) with 整改状态::
RECT_STATUS = "整改状态"  # 未启动 / 整改中 / 已完成 / 已销号 / 长期整改
RECT_OWNER = "责任人"
RECT_DUE = "整改时限"
RECT_DRAFT = "底稿"  # the 底稿 a problem cites
RECT_MEASURE = "整改措施"
RECT_UNIT = "责任单位"
RECT_IMMEDIATE = "立行立改"  # 是 / 否: fixed during the stay itself
RECT_EVIDENCE = "佐证材料"
RECT_REVIEWER = "销号审核人"
RECT_CLOSED_ON = "销号日期"
RECT_STATUSES = ("未启动", "整改中", "已完成", "已销号", "长期整改")

# The problem classes: an editable page of the graph; a shipped default when absent.
PAGE_TAXONOMY = "巡察问题分类"

# Reference to a 底稿 from a report problem or a ledger item.
CITES_DRAFT = "底稿"

# --- page names under an inspection's namespace -----------------------------------------
NS_ROOT = "巡察"
PAGE_ISSUE_LIST = "问题清单"
PAGE_QUESTION_LIST = "提问清单"
PAGE_INTERVIEW_OUTLINE = "谈话提纲"  # holds 谈话人名单 too; sensitive
PAGE_DRAFT_LEDGER = "问题底稿台账"
PAGE_TRANSFER_LEDGER = "移交台账"
PAGE_RECT_LEDGER = "整改台账"
PAGE_DRAFTS_NS = "底稿"
PAGE_REPORT = "进度报告"

# Namespace segments whose pages are sensitive even without a property.
SENSITIVE_SEGMENTS = ("信访", "谈话", "线索")


def inspection_page_name(round_name: str, unit: str) -> str:
    """``巡察/2026年第一轮/某某公司`` — the overview page of one inspection."""
    return f"{NS_ROOT}/{round_name}/{unit}"


def sub_page_name(inspection: str, leaf: str) -> str:
    """A page under an inspection's namespace, e.g. its stage or ledger pages."""
    return f"{inspection}/{leaf}"


def annual_plan_page_name(year: int) -> str:
    return f"{NS_ROOT}/{year}年度计划"


# --- added by progress (reports) --------------------------------------------------------
P_DEPUTY = "副组长"  # overview page: deputy leader(s); registered names for --redact names
P_PEOPLE = "人员"  # overview page or a block: a register of personal names (redacted in reports)
TYPE_INSPECTION_REPORT = "巡察情况报告"  # the report page whose problems must cite 底稿
PAGE_INSPECTION_REPORT = "巡察情况报告"
P_PROBLEM = "问题"  # marks a problem block on the report page (or a #问题 tag / 问题一… title)
PAGE_PROGRESS_REPORT = "巡察/进度报告"  # portfolio report page written by `report --write`


# --- added by scaffold (generated pages) ------------------------------------------------
# Milestone names the scaffold command line fills (--entry, --exit) or leaves empty.
MILESTONE_ENTRY = "进驻日"
MILESTONE_EXIT = "撤离日"
MILESTONE_FEEDBACK = "反馈意见签收日"
PAGE_INTERVIEWEE_LIST = "谈话人名单"  # a section (heading) of the 谈话提纲 page, not a page
PAGE_WHITEBOARD = "流程总览"  # whiteboard ``I/流程总览``: one box per stage, arrows in order
P_STAGE_NAME = "阶段名称"  # stage pages: the stage's Chinese name (阶段:: holds the id)
P_ORDER = "顺序"  # stage pages: 1-based position in the workflow
P_LIST = "清单"  # list pages (type 巡察清单): which list, e.g. 问题清单
P_FROM_ACTIVITY = "来源活动"  # list pages: ((uuid)) of the task that produces the list
P_DEADLINE_RULE = "期限规则"  # task blocks: the rule in words, e.g. "反馈意见签收日 3个月后（硬性期限）"
P_SETS_MILESTONE = "里程碑"  # task blocks: which overview date to fill in when the task is done
P_SUBITEM = "子项"  # child TODOs of a task (e.g. the 三项清单 under prep.11); not activities
# Annual plan page: tasks carry 活动:: and 年度计划:: [[巡察/2026年度计划]] but *no* 巡察::,
# so progress must not ask which inspection an annual-scope activity belongs to.
P_ANNUAL_PLAN = "年度计划"
DRAFT_STATUSES = ("起草", "审核中", "已定稿", "已移交")
DRAFT_DEFAULTS = {DRAFT_STATUS: "起草"}  # values pre-filled by the 底稿 template
