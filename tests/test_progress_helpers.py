"""Builders for progress/report tests (model objects made directly) and tests of the pure helpers.

Other ``test_progress_*`` / ``test_report_*`` modules import the builders from here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from xuncha_kb.errors import InputError
from xuncha_kb.model import Block, Graph, GraphConfig, Page, Span, Timestamp
from xuncha_kb.track.deadlines import (
    Thresholds,
    add_offset,
    colour_for,
    describe_offset,
    parse_date,
    parse_today,
)
from xuncha_kb.track.sensitive import name_is_sensitive, page_is_sensitive, walk_context
from xuncha_kb.workflow.model import Activity, Artifact, DeadlineRule, Milestone, Role, Stage, Workflow

INSP = "巡察/2026年第一轮/某某集团有限公司"
INSP2 = "巡察/2026年第一轮/某某物流公司"
_lines = itertools.count(1)


def blk(title: str, *children: Block, marker: str | None = None, props: dict[str, str] | None = None,
        deadline: dt.date | None = None, file: str = "pages/x.md", refs: tuple[str, ...] = (),
        pre_block: bool = False) -> Block:
    props = dict(props or {})
    lines = [f"{marker} {title}" if marker else title]
    lines += [f"{k}:: {v}" for k, v in props.items()]
    prefs = {k: tuple(_refs_of(v)) for k, v in props.items() if _refs_of(v)}
    return Block(
        span=Span(file, next(_lines)), level=1, content="\n".join(lines), title=title, marker=marker,
        deadline=Timestamp(deadline, raw=deadline.isoformat()) if deadline else None,
        properties=props, property_refs=prefs, refs=refs or tuple(_refs_of(title)),
        children=children, pre_block=pre_block,
    )


def _refs_of(text: str) -> list[str]:
    import re

    return re.findall(r"\[\[([^\[\]]+)\]\]", text)


def task(act: str, marker: str = "TODO", title: str | None = None, insp: str | None = INSP,
         *children: Block, **extra: str) -> Block:
    props = {"活动": act}
    if insp:
        props["巡察"] = f"[[{insp}]]"
    props.update(extra)
    return blk(title or f"任务 {act}", *children, marker=marker, props=props)


def page(name: str, *blocks: Block, props: dict[str, str] | None = None, kind: str = "page") -> Page:
    props = dict(props or {})
    prefs = {k: tuple(_refs_of(v)) for k, v in props.items() if _refs_of(v)}
    file = ("journals/" if kind == "journal" else "pages/") + name.replace("/", "___") + ".md"
    allb: list[Block] = []
    if props:
        text = "\n".join(f"{k}:: {v}" for k, v in props.items())
        allb.append(Block(span=Span(file, 1), level=0, content=text, title="", properties=props,
                          property_refs=prefs, pre_block=True, bullet=False))
    allb.extend(_refile(b, file) for b in blocks)
    return Page(name=name, file=file, kind=kind, properties=props, property_refs=prefs,  # type: ignore[arg-type]
                blocks=tuple(allb))


def _refile(b: Block, file: str) -> Block:
    from dataclasses import replace

    return replace(b, span=Span(file, b.span.line), children=tuple(_refile(c, file) for c in b.children))


def overview(name: str = INSP, **props: str) -> Page:
    unit = name.rsplit("/", 1)[-1]
    base = {"type": "[[巡察]]", "被巡察单位": f"[[{unit}]]", "轮次": "[[2026年第一轮]]",
            "组长": "[[张三]]", "组员": "[[李四]], [[王五]]", "进驻日": "2026-03-02"}
    base.update(props)
    return page(name, props=base)


def graph(*pages: Page) -> Graph:
    ordered = tuple(sorted(pages, key=lambda p: p.file))
    return Graph(root=Path("/nonexistent"), config=GraphConfig(), pages=ordered)


def mini_workflow() -> Workflow:
    """Two per-inspection stages and an annual one; a 3-month rule on 反馈意见签收日."""
    return Workflow(
        id="test", name="测试流程",
        roles=(Role("xunchaban", "巡察办"), Role("xunchazu", "巡察组")),
        milestones=(Milestone("entry_date", "进驻日", "prep.03"),
                    Milestone("feedback_signed", "反馈意见签收日", "fb.02")),
        artifacts=(Artifact("work_plan", "巡察工作方案"), Artifact("interview_records", "个别谈话记录", True),
                   Artifact("rect_report", "整改情况报告")),
        stages=(
            Stage("plan", "巡察计划", (Activity("plan.01", "制定年度计划"),), scope="annual"),
            Stage("prep", "巡察准备", (
                Activity("prep.01", "制定巡察工作方案", "xunchaban", ("work_plan",), ("plan.01",)),
                Activity("prep.02", "审批巡察工作方案", None, (), ("prep.01",)),
                Activity("prep.03", "巡察进驻", "xunchazu", (), ("prep.02",),
                         deadline=DeadlineRule("entry_date", "P0D")),
            )),
            Stage("fb", "巡察反馈", (
                Activity("fb.01", "个别谈话", "xunchazu", ("interview_records",), ("prep.03",),
                         sensitive=True),
                Activity("fb.02", "反馈意见签收", None, (), ("fb.01",)),
                Activity("fb.03", "报送整改情况报告", None, ("rect_report",), ("fb.02",),
                         deadline=DeadlineRule("feedback_signed", "P3M")),
                Activity("fb.04", "中期督导", None, (), ("fb.02",),
                         deadline=DeadlineRule("feedback_signed", "P45D", kind="soft")),
            )),
        ),
    )


# --- tests of the pure helpers ------------------------------------------------------------

@pytest.mark.parametrize("raw,expected", [
    ("2026-03-02", dt.date(2026, 3, 2)),
    ("[[2026-03-02]]", dt.date(2026, 3, 2)),
    ("2026/3/2", dt.date(2026, 3, 2)),
    ("2026年3月2日", dt.date(2026, 3, 2)),
    ("[[Mar 2nd, 2026]]", dt.date(2026, 3, 2)),
    ("20260302", dt.date(2026, 3, 2)),
    ("", None), ("待定", None), ("2026-02-30", None),
])
def test_parse_date(raw: str, expected: dt.date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("start,offset,expected", [
    (dt.date(2026, 5, 10), "P3M", dt.date(2026, 8, 10)),
    (dt.date(2026, 11, 30), "P3M", dt.date(2027, 2, 28)),  # month end clamps
    (dt.date(2027, 11, 30), "P3M", dt.date(2028, 2, 29)),  # leap year
    (dt.date(2026, 3, 2), "-P10D", dt.date(2026, 2, 20)),
    (dt.date(2026, 3, 2), "P2W", dt.date(2026, 3, 16)),
    (dt.date(2026, 3, 2), "P1Y1M1D", dt.date(2027, 4, 3)),
])
def test_add_offset(start: dt.date, offset: str, expected: dt.date) -> None:
    assert add_offset(start, offset) == expected


def test_bad_offset_and_today_are_input_errors() -> None:
    with pytest.raises(InputError):
        add_offset(dt.date(2026, 1, 1), "3 months")
    with pytest.raises(InputError):
        parse_today("2026/13/01")
    assert parse_today("2026-06-01") == dt.date(2026, 6, 1)


def test_describe_offset() -> None:
    assert describe_offset("P3M") == "3个月后"
    assert describe_offset("-P10D") == "10天前"


@pytest.mark.parametrize("left,colour", [(30, "green"), (20, "green"), (19, "yellow"), (10, "yellow"),
                                         (9, "red"), (0, "red"), (-5, "red")])
def test_three_colour_default_thresholds(left: int, colour: str) -> None:
    assert colour_for(left) == colour


def test_thresholds_configurable_and_validated() -> None:
    th = Thresholds(yellow_days=30, red_days=5)
    assert colour_for(25, th) == "yellow"
    assert colour_for(6, th) == "yellow"
    assert colour_for(4, th) == "red"
    with pytest.raises(InputError):
        Thresholds(yellow_days=5, red_days=10)


def test_sensitivity_by_namespace_property_and_inheritance() -> None:
    assert name_is_sensitive("巡察/2026年第一轮/某公司/信访举报/001")
    assert name_is_sensitive("巡察___2026年第一轮___谈话记录")
    assert not name_is_sensitive("巡察/2026年第一轮/某公司/问题清单")
    assert page_is_sensitive(page("普通页", props={"密级": "秘密"}))
    assert page_is_sensitive(page("普通页", props={"sensitive": "true"}))
    assert not page_is_sensitive(page("普通页", props={"sensitive": "false"}))
    p = page("笔记", blk("公开"), blk("机密父块", blk("孩子", blk("孙子")), props={"sensitive": "true"}),
             blk("模板", task("prep.01"), props={"template": "t"}))
    flags = {c.block.title: (c.sensitive, c.in_template) for c in walk_context(p)}
    assert flags["公开"] == (False, False)
    assert flags["机密父块"] == (True, False)
    assert flags["孙子"] == (True, False)
    assert flags["任务 prep.01"] == (False, True)
