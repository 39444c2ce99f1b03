"""Ledgers from the graph: 底稿 pages, 移交 items, 整改 items, report problems citing no 底稿."""

from __future__ import annotations

import datetime as dt

from tests.test_progress_helpers import INSP, blk, graph, mini_workflow, overview, page
from xuncha_kb.track.progress import compute_progress
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER

TODAY = dt.date(2026, 7, 25)
FULL = {"type": "[[问题底稿]]", "编号": "DG-001", "名称": "违规发放补贴", "来源": "查阅资料",
        "问题概要": "2025年违规发放补贴", "证据": "[[凭证]]", "定性": "违反中央八项规定精神",
        "状态": "已定稿", "承办人": "[[李四]]", "副组长审核": "[[赵六]]", "组长审批": "[[张三]]"}


def ledgers(*pages):  # type: ignore[no-untyped-def]
    return compute_progress(graph(overview(), *pages), mini_workflow(), TODAY).inspections[0].ledgers


def draft(n: str, **props: str):  # type: ignore[no-untyped-def]
    return page(f"{INSP}/底稿/{n}", props={**FULL, **props})


def test_draft_ledger_counts_status_fields_and_signoff() -> None:
    lg = ledgers(draft("001"), draft("002", 编号="DG-002", 状态="审核中", 证据="", 组长审批=""),
                 draft("003", 编号="DG-003", 状态="审核中"))
    d = lg.drafts
    assert d.count == 3
    assert d.by_status == (("审核中", 2), ("已定稿", 1))
    [bad] = d.incomplete
    assert bad.number == "DG-002" and bad.missing == ("证据",) and bad.unsigned == ("组长审批",)
    assert d.one_matter_problems == ()


def test_one_matter_rule_duplicate_numbers_and_several_matters() -> None:
    lg = ledgers(draft("001"), draft("002"),  # same 编号 DG-001 twice
                 draft("003", 编号="DG-003", 问题概要="1、超标准接待；2、违规报销；3、公车私用"))
    d = lg.drafts
    assert d.duplicate_numbers == (("DG-001", (f"{INSP}/底稿/001", f"{INSP}/底稿/002")),)
    assert set(d.one_matter_problems) == {f"{INSP}/底稿/001", f"{INSP}/底稿/002", f"{INSP}/底稿/003"}


def test_transfer_ledger_by_recipient() -> None:
    tl = page(f"{INSP}/移交台账",
              blk("选人用人问题", props={"移交对象": "[[干部人事部]]", "移交状态": "已移交"}),
              blk("合同管理问题", props={"移交对象": "[[被巡察单位]]"}),
              blk("干部档案问题", props={"移交对象": "[[干部人事部]]", "移交状态": "已反馈"}),
              blk("线索A", props={"移交对象": "[[纪检部]]", "sensitive": "true"}),
              blk("模板行", blk("示例", props={"移交对象": "[[纪检部]]"}), props={"template": "移交"}))
    t = ledgers(tl).transfers
    assert t.count == 4  # the template row never counts; the sensitive one is counted
    assert t.by_recipient == (  # the sensitive one is never counted under its recipient
        ("干部人事部", 2, (("已反馈", 1), ("已移交", 1))),
        ("被巡察单位", 1, (("待移交", 1),)),
        (SENSITIVE_PLACEHOLDER, 1, (("涉密（仅计数）", 1),)),
    )
    assert "线索A" not in [i.title for i in t.items]


def test_rectification_ledger_status_closed_and_colours() -> None:
    rl = page(f"{INSP}/整改台账",
              blk("问题一 整改", props={"整改状态": "已销号", "责任人": "[[财务部]]",
                                        "整改时限": "2026-06-30"}),
              blk("问题二 整改", props={"整改状态": "整改中", "整改时限": "2026-08-01"}),
              blk("问题三 整改", props={"整改状态": "整改中", "整改时限": "2026-09-30"}),
              blk("问题四 整改", props={"整改状态": "长期整改"}))
    r = ledgers(rl).rectifications
    assert r.count == 4 and r.closed == 1
    assert r.by_status == (("已销号", 1), ("整改中", 2), ("长期整改", 1))
    colours = {i.title: i.colour for i in r.items}
    assert colours == {"问题一 整改": None, "问题二 整改": "red", "问题三 整改": "green", "问题四 整改": None}


def test_report_problems_that_cite_no_draft() -> None:
    report = page(f"{INSP}/巡察情况报告",
                  blk("一、发现的主要问题"),
                  blk("问题1：落实主体责任不到位", blk("见 [[" + INSP + "/底稿/001]]")),
                  blk("问题2：选人用人不规范"),
                  blk("采购管理薄弱", props={"问题": "true", "底稿": f"[[{INSP}/底稿/002]]"}),
                  blk("问题3：信访反映的情况", props={"sensitive": "true"}))
    lg = ledgers(report, draft("001"))
    assert lg.report_problems == 4
    assert [u.title for u in lg.uncited_problems] == ["问题2：选人用人不规范"]
    assert lg.uncited_sensitive == 1


def test_sensitive_draft_is_counted_not_listed() -> None:
    lg = ledgers(draft("001"), draft("002", 编号="DG-002", 密级="秘密", 名称="不应出现的名称"))
    assert lg.drafts.count == 2 and lg.drafts.sensitive_count == 1
    assert [i.number for i in lg.drafts.items] == ["DG-001"]
