"""logseq/config.edn → GraphConfig, and the EDN → plain Python conversion underneath it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_GRAPH
from xuncha_kb.logseq import edn, edn_positions
from xuncha_kb.logseq.config import read_config
from xuncha_kb.model import GraphConfig

# --- edn ---------------------------------------------------------------------------------------


def test_edn_plain_python_values() -> None:
    data = edn.loads(
        '{:a/b :kw :s "x\\ny" :n nil :t true :i 42 :f 1.5 :v [1 [2]] :l (1 2) :set #{:x :y}'
        ' :u #uuid "677B79BC-F3EB-4E52-A830-BCAE64A66A0D" :c \\z :inst #inst "2020-01-01T00:00:00Z"'
        ' :m {[1 2] 3} :fn (fn [r] (sort-by :k r))}'
    )
    assert data[":a/b"] == ":kw"
    assert data[":s"] == "x\ny"
    assert data[":n"] is None and data[":t"] is True and data[":i"] == 42 and data[":f"] == 1.5
    assert data[":v"] == (1, (2,)) and data[":l"] == (1, 2)
    assert data[":set"] == frozenset({":x", ":y"})
    assert data[":u"] == "677b79bc-f3eb-4e52-a830-bcae64a66a0d"
    assert data[":c"] == "z"
    assert data[":inst"] == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert data[":m"] == {(1, 2): 3}
    fn = data[":fn"]
    assert isinstance(fn[0], edn.Symbol) and fn[0] == "fn"  # data, not evaluated
    assert fn[2][1] == ":k"


def test_edn_unhashable_set_members_become_tuple() -> None:
    assert edn.loads("#{{:a 1}}") == ({":a": 1},)


@pytest.mark.parametrize(("text", "line"), [
    ("{:a 1\n :b [1 2\n", 2),      # unclosed vector opened on line 2
    ("{:a 1}\n)", 2),               # stray closer
    ('{:a 1\n\n :b "x}', 3),        # unterminated string
    ("{:a 1\n :b #foo 2}", 2),     # unknown tag
    ("{:a 1\n :b}", 2),            # odd map — best effort: the last line
])
def test_edn_errors_carry_a_line(text: str, line: int) -> None:
    with pytest.raises(edn.EdnError) as info:
        edn.loads(text)
    assert info.value.line == line
    assert "EDN" in info.value.message


def test_element_offsets_of_top_level_collection() -> None:
    text = '{:x "(:blocks [" ; comment (\n :blocks ({:a 1}\n {:b "}"}\n #{1}) :pages ({:c 2})}'
    offs = edn_positions.element_offsets(text, ":blocks")
    assert [text[o] for o in offs] == ["{", "{", "#"]
    assert [edn.line_of(text, o) for o in offs] == [2, 3, 4]
    assert [edn.line_of(text, o) for o in edn_positions.element_offsets(text, ":pages")] == [4]
    assert edn_positions.element_offsets(text, ":missing") == []


# --- config ---------------------------------------------------------------------------------------


def test_defaults_when_empty() -> None:
    cfg, diags = read_config("", "logseq/config.edn")
    assert cfg == GraphConfig() and diags == []
    assert cfg.name_format == "legacy"  # no :file/name-format means the legacy format


def test_all_interpreted_keys() -> None:
    text = """{:file/name-format :triple-lowbar
 :hidden ["/archived" "drafts"]
 :pages-directory "notes" :journals-directory "days" :whiteboards-directory "boards"
 :journal/file-name-format "yyyy-MM-dd"
 :journal/page-title-format "yyyy年MM月dd日"
 :preferred-format :ORG
 :preferred-workflow :todo
 :property/separated-by-commas #{:owner :Team_Lead}
 :property-pages/enabled? false
 :unknown/key {:anything [1 2 3]}
 :query/result-transforms {:sort (fn [result] (sort-by (fn [h] (get h :block/priority "Z")) result))}}"""
    cfg, diags = read_config(text, "logseq/config.edn")
    assert diags == []
    assert cfg.name_format == "triple-lowbar"
    assert cfg.hidden == ("/archived", "drafts")
    assert (cfg.pages_dir, cfg.journals_dir, cfg.whiteboards_dir) == ("notes", "days", "boards")
    assert cfg.journal_file_format == "yyyy-MM-dd"
    assert cfg.journal_title_format == "yyyy年MM月dd日"
    assert cfg.preferred_format == "org"
    assert cfg.preferred_workflow == "todo"
    assert cfg.separated_by_commas == frozenset({"owner", "team-lead"})
    assert cfg.property_pages_enabled is False
    assert cfg.raw[":unknown/key"] == {":anything": (1, 2, 3)}


@pytest.mark.parametrize(("value", "expected"), [
    ('"Markdown"', "markdown"), ('"markdown"', "markdown"), (":markdown", "markdown"),
    ('"Org"', "org"), (":org", "org"), ('"ORG"', "org"),
])
def test_preferred_format_any_spelling(value: str, expected: str) -> None:
    cfg, diags = read_config("{:preferred-format " + value + "}", "logseq/config.edn")
    assert cfg.preferred_format == expected and diags == []


def test_old_date_formatter_key() -> None:
    cfg, _ = read_config('{:date-formatter "yyyy-MM-dd"}', "logseq/config.edn")
    assert cfg.journal_title_format == "yyyy-MM-dd"


def test_broken_config_falls_back_with_warning_and_line() -> None:
    text = '{:file/name-format :triple-lowbar\n :hidden ["a"\n :preferred-format "Org"}\n'
    cfg, diags = read_config(text, "logseq/config.edn")
    assert cfg == GraphConfig()
    assert len(diags) == 1
    d = diags[0]
    assert d.file == "logseq/config.edn" and d.severity == "warning"
    assert d.line in (2, 3)
    assert "默认" in d.message


def test_config_not_a_map() -> None:
    cfg, diags = read_config("[1 2 3]", "logseq/config.edn")
    assert cfg == GraphConfig() and diags and diags[0].line == 1


def test_bad_values_warn_and_keep_defaults() -> None:
    text = '{:preferred-workflow :sometimes\n :pages-directory "../outside"\n :hidden 5}'
    cfg, diags = read_config(text, "logseq/config.edn")
    assert cfg.preferred_workflow == "now" and cfg.pages_dir == "pages" and cfg.hidden == ()
    assert sorted(d.line for d in diags) == [1, 2, 3]


def test_example_graph_config() -> None:
    cfg, diags = read_config((EXAMPLE_GRAPH / "logseq" / "config.edn").read_text("utf-8"))
    assert diags == []
    assert cfg.name_format == "triple-lowbar"
    assert cfg.preferred_workflow == "todo"


@pytest.mark.parametrize("graph", ["logseq__docs", "logseq__logseq__exporter-test-graph"])
def test_corpus_configs(corpus: Path, graph: str) -> None:
    cfg, diags = read_config((corpus / graph / "logseq" / "config.edn").read_text("utf-8"))
    assert diags == []
    assert cfg.name_format == "triple-lowbar"
    assert cfg.hidden  # both corpus graphs hide something


@pytest.mark.parametrize("text", ["0/0", "{:a 1/0}", '#uuid "zz"', "{:a #=(java.lang.System/exit 3)}"])
def test_edn_library_errors_of_any_kind_become_edn_errors(text: str) -> None:
    with pytest.raises(edn.EdnError) as info:
        edn.loads(text)
    assert info.value.line == 1


@pytest.mark.parametrize(("key", "value"), [
    (":journal/page-title-format", "日志"), (":journal/file-name-format", "MM-dd"),
    (":date-formatter", "yyyy"),
])
def test_date_formats_that_lose_the_date_are_refused(key: str, value: str) -> None:
    cfg, diags = read_config(f'{{:a 1\n {key} "{value}"}}', "logseq/config.edn")
    assert (cfg.journal_title_format, cfg.journal_file_format) == ("MMM do, yyyy", "yyyy_MM_dd")
    assert [d.line for d in diags] == [2] and value in diags[0].message


# --- every config value diagnostic points at the value's own line ---------------------------------


def test_bad_value_on_line_60_is_reported_at_line_60() -> None:
    """The issue's reproduction: a comment on line 2 mentions the key; the value is on line 60."""
    text = (EXAMPLE_GRAPH / "logseq" / "config.edn").read_text("utf-8")
    assert text.split("\n")[1].count(":file/name-format") == 1  # the comment that fooled the text search
    text = text.replace(":file/name-format :triple-lowbar}", ":file/name-format 42}")
    lines = text.split("\n")
    assert lines[59] == " :file/name-format 42}"
    cfg, diags = read_config(text, "logseq/config.edn")
    assert cfg.name_format == "legacy"
    assert [(d.line, ":file/name-format" in d.message) for d in diags] == [(60, True)]


# (key, bad value) for every key read_config complains about
BAD_VALUES = [
    (":file/name-format", "42"),
    (":hidden", "5"),
    (":pages-directory", '"../out"'),
    (":journals-directory", "7"),
    (":whiteboards-directory", '""'),
    (":journal/file-name-format", '"MM-dd"'),
    (":journal/page-title-format", "12"),
    (":date-formatter", '"yyyy"'),
    (":preferred-format", ":docx"),
    (":preferred-workflow", ":sometimes"),
    (":property/separated-by-commas", '"owner"'),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES, ids=[k for k, _ in BAD_VALUES])
def test_each_config_diagnostic_points_at_the_value(key: str, value: str) -> None:
    quoted = value.replace('"', '\\"')
    text = (f';; {key} is explained here: {key} "decoy"\n'
            f'{{:meta/version 1\n'
            f' :decoy "{key} {quoted}"\n'
            f' :nested {{{key} "fine"}}\n'
            f' #_ {key} #_ 99\n'
            f' {key}\n'
            f'   {value}\n'
            f' :after 1}}\n')
    _, diags = read_config(text, "logseq/config.edn")
    assert [d.line for d in diags] == [7], [str(d) for d in diags]
    assert key in diags[0].message


def test_value_lines_survive_crlf_and_tags() -> None:
    text = ('{:a #uuid "677b79bc-f3eb-4e52-a830-bcae64a66a0d"\r\n :c \\z :d #inst "2020-01-01T00:00:00Z"'
            ' :preferred-workflow\r :never\r\n :hidden 5}')
    _, diags = read_config(text, "logseq/config.edn")
    assert sorted(d.line for d in diags) == [3, 4]


def test_map_value_lines() -> None:
    text = ('{:a 1 ;; :b 0\n :b "x\\"\n :c" :c\n [1 2\n 3] #_ :gone #_ :gone-too :d\n'
            ' #foo/bar {:e 1} "str key" \\c}')
    lines = edn_positions.map_value_lines(text)
    assert lines == {":a": 1, ":b": 2, ":c": 4, ":d": 6, "str key": 6}
    assert edn_positions.map_value_lines("[1 2]") == {}
    assert edn_positions.map_value_lines("{:a") == {}  # never raises; a key without a value has no line


_VALUES = st.sampled_from(['1', '"a\\"b"', ':k', '[1\n 2]', '#{:x}', '{:a\n {:b 1}}', '#uuid "6"', '\\c',
                           '"; not a comment"', '(fn [x]\n x)', '#_ 1 2', '#inst "2020"', 'nil'])
_GAPS = st.sampled_from([" ", "\n", " ;; :k0 in a comment\n", ",", "\r\n", " #_ :k1 "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_GAPS, _GAPS, _VALUES), min_size=1, max_size=8))
def test_map_value_lines_match_construction(entries: list[tuple[str, str, str]]) -> None:
    parts, expected = ["{"], {}
    for n, (before, between, value) in enumerate(entries):
        parts += [before, f":k{n}", between]
        expected[f":k{n}"] = "".join(parts).replace("\r\n", "\n").count("\n") + 1
        parts.append(value)
    text = "".join(parts) + "}"
    assert edn_positions.map_value_lines(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]()#_:;"\\ \nab1,', max_size=60))
def test_map_value_lines_never_raises(text: str) -> None:
    assert isinstance(edn_positions.map_value_lines(text), dict)
