"""Deferred Block fields (model.LAZY_BLOCK_FIELDS): readers may fill refs/block_refs/macros/
property_refs on first access.  Callers must not be able to tell."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Iterator

import pytest

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import LAZY_BLOCK_FIELDS, Block, Span

TEXT = (
    "- TODO a [[x]] #t ((677b79bc-f3eb-4e52-a830-bcae64a66a0d)) {{query y}}\n"
    "  owner:: [[Alice]], Bob\n"
    "  body [[z]]\n"
    "\t- ```\n\t  [[not a ref]]\n\t  ```\n\t  after [[w]]\n"
    "- plain\n"
)


def _blocks(text: str = TEXT) -> list[Block]:
    return [b for t in parse_text(text, "p.md").blocks for b in t.walk()]


def _is_deferred(b: Block) -> bool:
    try:
        object.__getattribute__(b, "_lazy")
    except AttributeError:
        return False
    return True


def test_deferred_fields_have_the_parsed_values() -> None:
    first, fence, plain = _blocks()
    assert _is_deferred(first) and _is_deferred(fence)
    assert not _is_deferred(plain)  # nothing to defer: filled at once
    assert first.content == ("TODO a [[x]] #t ((677b79bc-f3eb-4e52-a830-bcae64a66a0d)) {{query y}}\n"
                             "owner:: [[Alice]], Bob\nbody [[z]]")
    assert first.properties == {"owner": "[[Alice]], Bob"}
    assert first.refs == ("x", "t", "z")  # title first, then the body
    assert first.block_refs == ("677b79bc-f3eb-4e52-a830-bcae64a66a0d",)
    assert first.macros == ("query",)
    assert first.property_refs == {"owner": ("Alice",)}  # owner is not comma-split by default
    assert not _is_deferred(first)  # the thunk ran once and was dropped
    assert fence.refs == ("w",)
    assert plain.refs == () and plain.property_refs == {}


@pytest.mark.parametrize("how", ["eq", "repr", "replace", "asdict", "pickle", "copy"])
def test_every_way_of_reading_a_block_sees_the_same_values(how: str) -> None:
    lazy = _blocks()[0]
    forced = _blocks()[0]
    expected = {name: getattr(forced, name) for name in LAZY_BLOCK_FIELDS}
    eager = Block(**{f.name: getattr(forced, f.name) for f in dataclasses.fields(Block)})
    if how == "eq":
        assert lazy == eager and eager == lazy
    elif how == "repr":
        assert repr(lazy) == repr(eager)
    elif how == "replace":
        moved = dataclasses.replace(lazy, span=Span("q.md", 3, 3))
        assert {n: getattr(moved, n) for n in LAZY_BLOCK_FIELDS} == expected
    elif how == "asdict":
        assert dataclasses.asdict(lazy) == dataclasses.asdict(eager)
    elif how == "pickle":
        assert pickle.loads(pickle.dumps(lazy)) == eager
    else:
        assert copy.deepcopy(lazy) == eager and copy.copy(lazy) == eager
    assert {n: getattr(lazy, n) for n in LAZY_BLOCK_FIELDS} == expected


def test_deferred_blocks_stay_frozen_and_unknown_names_still_fail() -> None:
    b = _blocks()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.refs = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        b.no_such_field  # noqa: B018
    with pytest.raises(AttributeError):
        Block(Span("p.md", 1), 1, "x", "x").no_such_field  # noqa: B018


def test_timestamp_problems_are_reported_at_parse_time() -> None:
    """Blocks whose body may produce a diagnostic are never deferred."""
    parsed = parse_text("- a\n  SCHEDULED: <2026-02-30 Mon>\n  k:: [[v]]\n- b\n  k:: v", "p.md")
    assert [d.line for d in parsed.diagnostics] == [2]
    a, b = parsed.blocks
    assert a.scheduled is None and a.properties == {"k": "[[v]]"} and a.property_refs == {"k": ("v",)}
    assert _is_deferred(b) and b.content == "b\nk:: v" and b.properties == {"k": "v"}


def test_properties_of_a_block_without_double_colon_need_no_thunk() -> None:
    """A deferred block whose text has no ``::`` has its (empty) properties set at parse time,
    so property-only consumers (progress, ledgers, relevance) never run the thunk."""
    one_line, multi, with_props = _blocks("- a [[x]]\n- b #t\n  more [[y]]\n- c [[z]]\n  k:: v\n")
    for b in (one_line, multi):
        assert b.properties == {} and b.property_refs == {} and _is_deferred(b)
        assert b.refs  # the rest is still computed on first access
        assert not _is_deferred(b)
    assert with_props.properties == {"k": "v"} and not _is_deferred(with_props)


def test_properties_read_first_equal_the_forced_values(tmp_path) -> None:
    """Whatever a reader sets before first access (the empty properties above) is what the
    thunk computes: checked on every block of a generated graph with every feature."""
    from tests.test_reader_bench_gen import load_generator

    load_generator().generate(tmp_path, pages=40, seed=5)
    checked = 0
    for path in sorted((tmp_path / "pages").glob("*.md")):
        for b in (b for t in parse_text(path.read_text("utf-8"), "p.md").blocks for b in t.walk()):
            first = (b.properties, b.property_refs)
            assert first == (b.properties, b.property_refs)
            fields = {n: getattr(b, n) for n in LAZY_BLOCK_FIELDS}  # forces the rest
            assert first == (fields["properties"], fields["property_refs"])
            checked += 1
    assert checked > 1000


def test_each_bad_date_is_reported_once_and_in_line_order() -> None:
    """A dated body whose later planning line also holds ``::`` goes to the full rules; the
    dates read before that was known must not be reported twice."""
    text = ("- a\n  SCHEDULED: <2026-02-30 Mon>\n  x:: DEADLINE: <2026-03-01 Sun>\n"
            "- b\n  DEADLINE: <2026-02-31 Tue>\n  SCHEDULED: <2026-03-02 Mon>\n")
    parsed = parse_text(text, "p.md")
    assert [d.line for d in parsed.diagnostics] == [2, 5]
    a, b = parsed.blocks
    assert a.scheduled is None and b.deadline is None and b.scheduled is not None


def _all_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for b in blocks:
        yield b
        yield from _all_blocks(b.children)


@pytest.mark.parametrize("needle", ["#", "ags::", "信访", "谈话", "线索", "::"])
def test_raw_text_never_misses_what_content_holds(needle: str) -> None:
    """``Block.raw_text`` (read before a deferred body is parsed) holds every substring that
    the parsed content and properties hold: the sensitivity check may skip a block on it."""
    from tests.conftest import EXAMPLE_GRAPH, FIXTURES
    from xuncha_kb.logseq.page import parse_text

    files = [*EXAMPLE_GRAPH.rglob("*.md"), *FIXTURES.rglob("*.md")]
    checked = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for block in _all_blocks(parse_text(text, path.name).blocks):
            raw = block.raw_text()  # before any deferred field is read
            if raw is None:
                continue
            props = block.properties.items()
            held = needle in block.content or any(needle in k or needle in v for k, v in props)
            assert not held or needle in raw, (path, block.span.line)
            checked += 1
    assert checked > 500
