"""The writer: builder API output, refusal of unsafe specs, and render(parse(text)) == text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.logseq.render import (
    BlockSpec,
    PageSpec,
    RenderError,
    format_timestamp,
    render_block,
    render_blocks,
    render_page,
)


def test_page_layout_matches_logseq_writer() -> None:
    page = PageSpec("巡察/2026年第一轮/某公司/巡察准备",
                    {"type": "[[巡察阶段]]", "反馈意见签收日": ""},
                    [BlockSpec("制定巡察工作方案", marker="TODO", deadline=dt.date(2026, 3, 5),
                               properties={"活动": "prep.01", "id": "6a1f0c2e-0001-4e52-a830-bcae64a66a0d"},
                               children=(BlockSpec("第一行\n第二行"),))])
    assert render_page(page) == (
        "type:: [[巡察阶段]]\n"
        "反馈意见签收日::\n"
        "\n"
        "- TODO 制定巡察工作方案\n"
        "  DEADLINE: <2026-03-05 Thu>\n"
        "  活动:: prep.01\n"
        "  id:: 6a1f0c2e-0001-4e52-a830-bcae64a66a0d\n"
        "\t- 第一行\n"
        "\t  第二行\n"
    )


def test_properties_only_block_puts_first_property_on_bullet() -> None:
    text = render_block(BlockSpec("", properties={"type": "[[问题底稿]]", "编号": ""}), level=2)
    assert text == "\t- type:: [[问题底稿]]\n\t  编号::\n"
    parsed = parse_text("- x\n" + text, "pages/t.md")
    child = parsed.blocks[0].children[0]
    assert dict(child.properties) == {"type": "[[问题底稿]]", "编号": ""}


def test_timestamp_weekday_is_english_regardless_of_locale() -> None:
    assert format_timestamp(dt.date(2026, 6, 2)) == "<2026-06-02 Tue>"


@pytest.mark.parametrize("spec", [
    BlockSpec("x", properties={"坏 键": "v"}),
    BlockSpec("x", properties={"k": "two\nlines"}),
    BlockSpec("x\n- looks like a child"),
    BlockSpec("x\nk:: looks like a property"),
    BlockSpec("x\nDEADLINE: <2026-01-01 Thu>"),
    BlockSpec("TODO hidden marker"),
    BlockSpec("", marker="TODO"),
    BlockSpec("x", marker="todo"),
])
def test_unsafe_specs_are_refused(spec: BlockSpec) -> None:
    with pytest.raises(RenderError):
        render_block(spec)


def test_fenced_body_may_contain_bullets() -> None:
    spec = BlockSpec("代码\n```\n- 不是块\n```")
    parsed = parse_text(render_block(spec), "pages/t.md")
    assert len(parsed.blocks) == 1 and "- 不是块" in parsed.blocks[0].content


# --- property-based round trip -----------------------------------------------------------

_CHARS = st.sampled_from(list("巡察准备了解报告反馈移交整改问题清单底稿甲乙丙abcXYZ0123"))
_WORD = st.text(_CHARS, min_size=1, max_size=6)
_TEXT = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)
_REF_TEXT = st.one_of(_TEXT, _WORD.map(lambda w: f"[[{w}]]"), st.tuples(_TEXT, _WORD).map(
    lambda t: f"{t[0]} [[{t[1]}]]"))
_KEY = st.sampled_from(["活动", "责任", "产出", "巡察", "状态", "owner", "xuncha-generated", "编号"])
_PROPS = st.dictionaries(_KEY, st.one_of(st.just(""), _REF_TEXT), max_size=3).map(lambda d: tuple(d.items()))
_DATE = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))


def _blocks(depth: int) -> st.SearchStrategy[BlockSpec]:
    children = st.lists(_blocks(depth - 1), max_size=3) if depth > 0 else st.just([])
    return st.builds(
        BlockSpec,
        text=st.one_of(_REF_TEXT, st.tuples(_REF_TEXT, _TEXT).map(lambda t: f"{t[0]}\n{t[1]}")),
        marker=st.sampled_from([None, "TODO", "DOING", "DONE", "LATER", "NOW"]),
        deadline=st.one_of(st.none(), _DATE),
        scheduled=st.one_of(st.none(), _DATE),
        properties=_PROPS,
        children=children.map(tuple),
    )


_PAGES = st.builds(PageSpec, name=st.just("页"), properties=_PROPS,
                   blocks=st.lists(_blocks(2), min_size=1, max_size=4).map(tuple))


def _flatten(specs: tuple[BlockSpec, ...], level: int = 1) -> list[tuple]:
    out: list[tuple] = []
    for s in specs:
        out.append((level, s.marker, s.text.split("\n")[0], dict(s.properties),
                    s.deadline, s.scheduled))
        out.extend(_flatten(s.children, level + 1))
    return out


@settings(max_examples=150, deadline=None)
@given(_PAGES)
def test_round_trip(page: PageSpec) -> None:
    text = render_page(page)
    parsed = parse_text(text, "pages/p.md")
    assert parsed.diagnostics == ()
    assert not parsed.bom and not parsed.crlf
    # Our reader sees exactly what we meant to write …
    assert dict(parsed.properties) == dict(page.properties)
    got = []
    for top in parsed.blocks:
        for b in top.walk():
            if b.pre_block:
                continue
            got.append((b.level, b.marker, b.title, dict(b.properties),
                        b.deadline.date if b.deadline else None,
                        b.scheduled.date if b.scheduled else None))
    assert got == _flatten(page.blocks)
    # … and the block-level writer is the exact inverse of the reader.
    assert render_blocks(parsed.blocks) == text
