"""The fast EDN reader equals edn_format (converted to plain Python) wherever it answers.

``edn.loads`` uses the fast reader and falls back to edn_format for anything unusual; these
tests prove the two agree on the seed, the corpus boards and configs, the example graph,
hand-picked edge cases and random values printed by edn_format itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_GRAPH, SEED
from xuncha_kb.logseq import edn


def slow(text: str) -> Any:
    import edn_format

    return edn.to_python(edn_format.loads(text, write_ply_tables=False))


def canon(x: Any) -> Any:
    """A comparable form that keeps types (1 vs 1.0 vs True, str vs Symbol) and dict order."""
    if isinstance(x, dict):
        return ("dict", [(canon(k), canon(v)) for k, v in x.items()])
    if isinstance(x, frozenset):
        return ("frozenset", sorted(repr(canon(e)) for e in x))
    if isinstance(x, tuple):
        return ("tuple", [canon(e) for e in x])
    return (type(x).__name__, x)


def same(a: Any, b: Any) -> bool:
    return a == b and canon(a) == canon(b)


def corpus_files(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("*/whiteboards/*.edn")) + sorted(corpus.glob("*/logseq/config.edn"))
    assert len(files) >= 4
    return files


def test_seed_fast_equals_edn_format(shared: Path) -> None:
    text = SEED.read_text("utf-8")
    assert same(edn.fast_loads(text), slow(text))


def test_corpus_fast_equals_edn_format(corpus: Path) -> None:
    for path in corpus_files(corpus):
        text = path.read_text("utf-8")
        assert same(edn.fast_loads(text), slow(text)), path


def test_example_graph_fast_equals_edn_format() -> None:
    for path in [*sorted(EXAMPLE_GRAPH.glob("whiteboards/*.edn")), EXAMPLE_GRAPH / "logseq" / "config.edn"]:
        text = path.read_text("utf-8")
        assert same(edn.fast_loads(text), slow(text)), path


@pytest.mark.parametrize("text", [
    '{:a "tab\\there" :b "quote \\" and backslash \\\\" :c "\\u00e9"}',
    '[1 -2 +3 0 1.5 -0.25 nil true false]',
    '(fn [r] (sort-by (fn [h] (get h :block/priority "Z")) r))',
    '{:query [:find (pull ?h [*]) :where [?h :block/marker ?m] [(>= ?d ?start)] [(contains? #{"NOW"} ?m)]]}',
    '#{1 2 #{3}} ; trailing comment',
    '{[1 2] :vector-key {:a 1} :map-key}',
    '#uuid "677B79BC-F3EB-4E52-A830-BCAE64A66A0D"',
    '{:a, 1,, :b 2}',
    '(- + / a/b ->x <=)',
    '{:名字 "巡察" :tags #{"巡察" "2026"}}',
])
def test_fast_cases(text: str) -> None:
    assert same(edn.fast_loads(text), slow(text))


@pytest.mark.parametrize("text", [
    "\\c", '#inst "2020-01-01T00:00:00Z"', "#_ 1 2", "^:meta [1]", "1/2", "12N", "1.5M", "1e5",
    "#foo 1", '{:a 1} {:b 2}', "{:a}", "[1 2", "(1 2]", '"unterminated', "", "  ", "#uuid \"nope\"",
    "'quoted", "0x1F", "#{{:a 1} {:b 2}}",
])
def test_fast_path_declines_and_loads_still_matches_edn_format(text: str) -> None:
    with pytest.raises(edn._Fallback):
        edn.fast_loads(text)
    try:
        expected = slow(text)
    except Exception:
        with pytest.raises(edn.EdnError):
            edn.loads(text)
    else:
        assert same(edn.loads(text), expected)


def test_crlf_text_is_read() -> None:
    assert edn.loads('{:a 1\r\n :b "x"}\r\n') == {":a": 1, ":b": "x"}


def test_nesting_depth_limit() -> None:
    depth = edn.MAX_DEPTH
    value = edn.loads("[" * depth + "]" * depth)
    for _ in range(depth - 1):
        value = value[0]
    assert value == ()
    text = "{:a 1\n :b " + "[" * 20_000 + "]" * 20_000 + "}"
    with pytest.raises(edn.EdnError) as info:
        edn.loads(text)
    assert info.value.line == 2 and "嵌套层数过深" in info.value.message


def _edn_values() -> st.SearchStrategy[Any]:
    import edn_format

    part = st.builds(lambda a, b: a + b, st.sampled_from("abxyz"), st.text("abz09-?!*", max_size=5))
    names = st.one_of(part, st.builds(lambda a, b: f"{a}/{b}", part, part))
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-10**12, 10**12),
        st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: "e" not in repr(f)),
        st.text(max_size=12), names.map(edn_format.Keyword), names.map(edn_format.Symbol),
        st.uuids(),
    )
    # keys/set members of one kind each, so no two draws collapse (True == 1, 1 == 1.0)
    hashable = st.one_of(st.text(max_size=5), names.map(edn_format.Keyword))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(tuple),
            st.lists(inner, max_size=4).map(edn_format.ImmutableList),
            st.dictionaries(hashable, inner, max_size=4).map(edn_format.ImmutableDict),
            st.frozensets(hashable, max_size=4),
        ),
        max_leaves=20,
    )


EDN_VALUES = _edn_values()


@settings(max_examples=120, deadline=None)
@given(EDN_VALUES)
def test_random_values_printed_by_edn_format(value: Any) -> None:
    import edn_format

    text = edn_format.dumps(value)
    try:
        fast = edn.fast_loads(text)
    except edn._Fallback:
        return  # declined (e.g. a float printed with an exponent): loads uses edn_format
    assert same(fast, slow(text)), text
