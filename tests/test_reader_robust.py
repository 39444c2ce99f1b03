"""The parser never raises and keeps its structure consistent, whatever the input."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuncha_kb.logseq.page import ParsedText, parse_block_content, parse_text
from xuncha_kb.logseq.properties import HIDDEN_KEYS, normalise_key, user_properties, value_refs
from xuncha_kb.model import Block, GraphConfig

FRAGMENTS = [
    "- ", "-", "  ", "\t", "# ", "## ", "* ", "TODO ", "DONE", "NOW ", "[#A] ", "key:: value",
    "k::", "tags:: a, [[b]]", "SCHEDULED: <2026-03-01 Sun>", "DEADLINE: <2026-02-30 Mon 10:00 .+1w>",
    "```", "~~~", "#+BEGIN_QUERY", "#+END_QUERY", "$$", ":LOGBOOK:", ":END:", ":PROPERTIES:",
    "[[a [[b]]]]", "#tag", "((677b79bc-f3eb-4e52-a830-bcae64a66a0d))", "{{embed [[x]]}}", "{{",
    "巡察", "\x00", "\r", "\ufeff", "---", "title: x", "#+TITLE: t", "*** ", "`code`", " ", "x",
]

lines_st = st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join), max_size=40)
text_st = st.one_of(lines_st.map("\n".join), st.text(max_size=300))


def check_structure(parsed: ParsedText, n_lines: int) -> None:
    flat: list[Block] = []
    for top in parsed.blocks:
        assert top.level == 1
        stack = [top]
        while stack:
            b = stack.pop()
            flat.append(b)
            for c in b.children:
                assert c.level == b.level + 1
            stack.extend(reversed(b.children))
    assert [b for t in parsed.blocks for b in t.walk()] == flat
    assert sum(1 for b in flat if b.pre_block) <= 1
    if any(b.pre_block for b in flat):
        assert flat[0].pre_block
    prev_end = 0
    for b in flat:
        assert 1 <= b.span.line <= b.span.end_line <= max(n_lines, 1)
        assert b.span.line > prev_end, "blocks overlap or are out of file order"
        prev_end = b.span.end_line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_st)
def test_markdown_never_raises_and_spans_are_consistent(text: str) -> None:
    parsed = parse_text(text, "pages/x.md")
    norm = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    check_structure(parsed, norm.count("\n") + 1)
    for d in parsed.diagnostics:
        assert d.file == "pages/x.md" and d.line >= 1 and d.message


@settings(max_examples=200, deadline=None)
@given(text_st)
def test_org_never_raises_and_spans_are_consistent(text: str) -> None:
    parsed = parse_text(text, "pages/x.org", "org")
    norm = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    check_structure(parsed, norm.count("\n") + 1)


@settings(max_examples=200, deadline=None)
@given(text_st, st.integers(min_value=1, max_value=500))
def test_block_content_never_raises(text: str, line: int) -> None:
    b = parse_block_content(text, "whiteboards/w.edn", line)
    assert b.span.line == line and b.span.end_line >= line
    assert b.children == ()


def test_ten_thousand_levels_of_nesting() -> None:
    depth = 10_000
    text = "\n".join("\t" * i + f"- level {i + 1}" for i in range(depth))
    parsed = parse_text(text, "pages/deep.md")
    assert len(parsed.blocks) == 1
    deepest = list(parsed.blocks[0].walk())[-1]
    assert deepest.level == depth and deepest.title == f"level {depth}"
    assert deepest.span.line == depth


def test_ten_megabyte_single_line() -> None:
    big = "x" * (10 * 1024 * 1024)
    parsed = parse_text(f"- TODO {big} [[巡察]] #tag key:: v", "pages/big.md")
    (b,) = parsed.blocks
    assert b.marker == "TODO" and b.refs == ("巡察", "tag") and len(b.content) > 10_000_000


def test_nul_bytes_are_reported_not_fatal() -> None:
    parsed = parse_text("- a\x00b\n- TODO c", "pages/nul.md")
    assert [b.title for b in parsed.blocks] == ["a\x00b", "c"]
    assert [d.line for d in parsed.diagnostics] == [1]
    assert "NUL" in parsed.diagnostics[0].message


def test_impossible_date_is_a_diagnostic() -> None:
    parsed = parse_text("- TODO x\n  SCHEDULED: <2026-02-30 Mon>\n  DEADLINE: <2026-03-02 Mon>", "p.md")
    (b,) = parsed.blocks
    assert b.scheduled is None and b.deadline is not None and b.deadline.date == dt.date(2026, 3, 2)
    assert [(d.line, "2026-02-30" in d.message) for d in parsed.diagnostics] == [(2, True)]


def test_block_content_parses_like_a_page_block() -> None:
    content = ("### TODO [#B] 现场检查 [[Unit-7]]\nSCHEDULED: <2026-03-01 Sun 10:00>\n"
               "id:: 677b79bc-f3eb-4e52-a830-bcae64a66a0d\n- not a child")
    b = parse_block_content(content, "whiteboards/w.edn", 12)
    assert (b.heading, b.marker, b.priority, b.title) == (3, "TODO", "B", "现场检查 [[Unit-7]]")
    assert b.scheduled is not None and b.scheduled.time == "10:00"
    assert b.uuid == "677b79bc-f3eb-4e52-a830-bcae64a66a0d"
    assert b.refs == ("Unit-7",) and b.span.line == 12 and b.span.end_line == 15
    assert b.content == content


def test_property_keys_and_hidden_keys() -> None:
    assert normalise_key("Custom_ID") == "id" and normalise_key("Owner_Name") == "owner-name"
    props = {"id": "x", "collapsed": "true", "type": "inspection", "heading": "2"}
    assert user_properties(props) == {"type": "inspection"}
    assert "logseq.order-list-type" in HIDDEN_KEYS


def test_comma_keys_from_config() -> None:
    assert value_refs("owner", "[[Alice]], Bob") == ("Alice",)
    assert value_refs("owner", "[[Alice]], Bob", frozenset({"owner"})) == ("Alice", "Bob")
    cfg = GraphConfig(separated_by_commas=frozenset({":owner"}))
    parsed = parse_text("owner:: [[Alice]]， Bob\n- a", "p.md", config=cfg)
    assert parsed.property_refs == {"owner": ("Alice", "Bob")}
    assert value_refs("tags", '"a, b"') == ()
    assert value_refs("id", "[[x]]") == ()


def test_fast_constructed_blocks_are_real_frozen_blocks() -> None:
    import dataclasses

    import pytest

    from xuncha_kb.logseq.construct import fast_constructor as _fast_constructor

    parsed = parse_text("- TODO a [[x]]\n\t- b\n  id:: 677b79bc-f3eb-4e52-a830-bcae64a66a0d", "p.md")
    for b in (b for t in parsed.blocks for b in t.walk()):
        assert type(b) is Block
        assert b == Block(**{f.name: getattr(b, f.name) for f in dataclasses.fields(Block)})
        with pytest.raises(dataclasses.FrozenInstanceError):
            b.level = 9  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int
        b: str = "x"

    make = _fast_constructor(NoSlots, ("a",))
    assert make(1) == NoSlots(1)  # falls back to the normal constructor


def test_ignored_page_references_keywords() -> None:
    cfg = GraphConfig(raw={":ignored-page-references-keywords": frozenset({":author"})})
    parsed = parse_text("author:: [[Alice]]\ntype:: [[x]]\n- a\n  author:: [[Bob]]", "p.md", config=cfg)
    assert parsed.property_refs == {"type": ("x",)}
    assert parsed.blocks[1].properties == {"author": "[[Bob]]"} and parsed.blocks[1].property_refs == {}
    org = parse_text("#+AUTHOR: [[Alice]]\n* a", "p.org", "org", config=cfg)
    assert org.properties == {"author": "[[Alice]]"} and org.property_refs == {}


def test_long_pathological_lines_stay_linear() -> None:
    """Inputs that would make a backtracking regex quadratic (each finishes in milliseconds; a
    quadratic regex would take minutes here)."""
    cases = [
        ("- " + "a" * 200_000 + "://x #t", "markdown", ("t",)),
        ("* " + "(=a " * 50_000 + "#t", "org", ("t",)),
        ("- " + "`a " * 100_000 + "#t", "markdown", ("t",)),
        ("- " + "[[a " * 100_000 + "#t", "markdown", ("t",)),
        ("- " + "[a](" * 100_000 + " #t", "markdown", ("t",)),
        ("- " + "{{a " * 100_000, "markdown", ()),
        ("- x\n  " + "SCHEDULED: <2026" * 50_000, "markdown", ()),
        ("- x\n  " + "k:: " * 100_000, "markdown", ()),
    ]
    for text, fmt, refs in cases:
        (b,) = parse_text(text, "p", fmt).blocks  # type: ignore[arg-type]
        assert b.refs[-1:] == refs


def test_shared_empty_properties_are_read_only_plain_dicts() -> None:
    import json

    import pytest

    a, b = parse_text("- a\n- b", "p.md").blocks
    assert a.properties is b.properties and a.properties == {} and json.dumps(a.properties) == "{}"
    with pytest.raises(TypeError):
        a.properties["x"] = "y"  # type: ignore[index]
    assert b.properties == {}
