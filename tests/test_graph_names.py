"""Page titles ↔ file names (triple-lowbar and legacy) and journal dates (logseq-format §4, §5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xuncha_kb.errors import InputError
from xuncha_kb.logseq.names import (
    file_body_to_title,
    format_date,
    journal_day_from_file,
    journal_day_from_name,
    journal_file_body,
    journal_relpath,
    journal_title,
    normalize_title,
    ordinal,
    page_identity,
    page_name_from_file,
    parse_date,
    safe_title_to_relpath,
    title_to_file_body,
)
from xuncha_kb.model import GraphConfig

TRI = GraphConfig(name_format="triple-lowbar")
LEGACY = GraphConfig(name_format="legacy")


# --- examples from the format notes and the corpus ---------------------------------------------

@pytest.mark.parametrize(("title", "body"), [
    ("巡察/2026/Unit-7", "巡察___2026___Unit-7"),
    ("New to Logseq?", "New to Logseq%3F"),
    ("std::ref", "std%3A%3Aref"),
    ("Docker: Up & Running, 3rd Edition", "Docker%3A Up & Running, 3rd Edition"),
    ("a*b", "a%2Ab"),
    ('say "hi" <x> | #y \\', "say %22hi%22 %3Cx%3E %7C %23y %5C"),
    (".bss", "%2Ebss"),
    ("%41 literal", "%2541 literal"),
    ("100%", "100%"),
    ("CON", "CON___"),
    ("ends.", "ends.___"),
    ("a___b", "a%5F%5F%5Fb"),
    ("x_/y", "x%5F___y"),
    ("x/_y", "x___%5Fy"),
    ("Whiteboard/Action Bar/Arrow head toggle", "Whiteboard___Action Bar___Arrow head toggle"),
])
def test_triple_lowbar_title_to_body(title: str, body: str) -> None:
    assert title_to_file_body(title, "triple-lowbar") == body
    assert file_body_to_title(body, "triple-lowbar") == title


@pytest.mark.parametrize(("body", "title"), [
    ("Tweet___This 1 Tiny Time Managem...___", "Tweet/This 1 Tiny Time Managem..."),
    ("Changelog_07_09", "Changelog_07_09"),
    ("n1___x___y", "n1/x/y"),
    ("a.b.c", "a.b.c"),  # dots are literal in triple-lowbar bodies
    ("bad %zz escape %3F", "bad %zz escape ?"),  # each %XX token is decoded on its own
    ("a%3F%", "a?%"),
    ("%252F", "%2F"),  # a single pass
    ("%E4%B8%AD", "%E4%B8%AD"),  # no token is a whole character: kept as written
    ("a____x", "a/_x"),  # "___" is replaced left to right
])
def test_triple_lowbar_body_to_title(body: str, title: str) -> None:
    assert file_body_to_title(body, "triple-lowbar") == title


@pytest.mark.parametrize(("body", "title"), [
    ("a.b.c", "a/b/c"),
    ("x___y", "x___y"),  # not a namespace in legacy graphs
    ("a%2Fb", "a/b"),
    ("New to Logseq%3F", "New to Logseq?"),
    ("100%", "100%"),
])
def test_legacy_body_to_title(body: str, title: str) -> None:
    assert file_body_to_title(body, "legacy") == title


def test_legacy_writer_escapes_dots_and_slashes() -> None:
    assert title_to_file_body("a/b", "legacy") == "a%2Fb"
    assert title_to_file_body("v1.2", "legacy") == "v1%2E2"
    assert file_body_to_title("v1%2E2", "legacy") == "v1.2"


def test_lone_percent_next_to_escape_round_trips() -> None:
    body = title_to_file_body("a?%", "triple-lowbar")
    assert body == "a%3F%"  # exactly what Logseq writes
    assert file_body_to_title(body) == "a?%"


def test_normalize_title() -> None:
    assert normalize_title("/a//b/") == "a/b"
    assert normalize_title("e\u0301") == "\u00e9"


def test_page_name_rules() -> None:
    assert page_name_from_file("pages/contents.md", {}, TRI) == "Contents"
    assert page_name_from_file("pages/巡察办___制度.md", {}, TRI) == "巡察办/制度"
    assert page_name_from_file("pages/x.md", {"title": "标题优先"}, TRI) == "标题优先"
    assert page_name_from_file("pages/a.b.md", {}, LEGACY) == "a/b"
    assert page_name_from_file("pages/sub/deep.md", {"title": "  "}, TRI) == "deep"


# --- round trips (hypothesis) ------------------------------------------------------------------

_PIECES = [*'ab_/.%:*?"<>|#\\ 巡察1F5é-', "CON", "%2F", "%5F", "___", "%41", "..", "LPT1"]
titles = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).map("".join).map(normalize_title) \
    .filter(bool)


@settings(max_examples=200, deadline=None)
@given(titles)
def test_triple_lowbar_round_trip(title: str) -> None:
    body = title_to_file_body(title, "triple-lowbar")
    assert "/" not in body and not body.startswith(".")
    assert file_body_to_title(body, "triple-lowbar") == title


@settings(max_examples=200, deadline=None)
@given(titles)
def test_legacy_round_trip(title: str) -> None:
    body = title_to_file_body(title, "legacy")
    assert "/" not in body and "." not in body
    assert file_body_to_title(body, "legacy") == title


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30).map(normalize_title).filter(
    lambda t: t.strip() and all(ord(c) >= 32 and c != "\x7f" for c in t)
    and not any(p.strip() in (".", "..") for p in t.split("/"))))
def test_safe_relpath_round_trip_any_text(title: str) -> None:
    try:
        rel = safe_title_to_relpath(title, TRI)
    except InputError:
        assert len(title_to_file_body(title).encode()) + 3 > 255
        return
    folder, name = rel.split("/", 1)
    assert folder == "pages" and "/" not in name and not name.startswith(".")
    assert file_body_to_title(Path(name).stem, "triple-lowbar") == title


# --- unsafe titles -------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["", "   ", "a\x00b", "行\n换", "../etc/passwd", "a/../../b", "x/./y",
                                   "长" * 100])
def test_safe_title_to_relpath_refuses(title: str) -> None:
    with pytest.raises(InputError) as info:
        safe_title_to_relpath(title, TRI)
    assert any("\u4e00" <= c <= "\u9fff" for c in info.value.message)  # a Chinese message


def test_safe_title_to_relpath_encodes_instead_of_escaping() -> None:
    assert safe_title_to_relpath("/etc/passwd", TRI) == "pages/etc___passwd.md"
    assert safe_title_to_relpath("..hidden", TRI) == "pages/%2E.hidden.md"
    assert safe_title_to_relpath("C:\\x", TRI) == "pages/C%3A%5Cx.md"
    assert safe_title_to_relpath("巡察办/制度", TRI, fmt="org") == "pages/巡察办___制度.org"
    assert safe_title_to_relpath("a/b", LEGACY) == "pages/a%2Fb.md"
    assert safe_title_to_relpath("长" * 80, TRI) == "pages/" + "长" * 80 + ".md"  # 243 bytes: fits


# --- journals ------------------------------------------------------------------------------------

def test_journal_file_and_title_defaults() -> None:
    assert journal_day_from_file("2026_03_01") == 20260301
    assert journal_day_from_file("2026-03-01") == 20260301  # legacy fallback
    assert journal_day_from_file("2026_02_30") is None
    assert journal_day_from_file("notes") is None
    assert journal_title(20260301) == "Mar 1st, 2026"
    assert journal_title(dt.date(2026, 3, 22)) == "Mar 22nd, 2026"
    assert journal_day_from_name("Mar 1st, 2026") == 20260301
    assert journal_day_from_name("mar 1st, 2026") == 20260301
    assert journal_file_body(20260301) == "2026_03_01"
    assert journal_relpath(20260301, TRI) == "journals/2026_03_01.md"


@pytest.mark.parametrize(("fmt", "text"), [
    ("MMM do, yyyy", "Mar 3rd, 2026"),
    ("MMMM do, yyyy", "March 3rd, 2026"),
    ("do MMM yyyy", "3rd Mar 2026"),
    ("E, dd-MM-yyyy", "Tue, 03-03-2026"),
    ("EEEE, dd.MM.yyyy", "Tuesday, 03.03.2026"),
    ("EEE, MM/dd/yyyy", "Tue, 03/03/2026"),
    ("yyyy-MM-dd EEEE", "2026-03-03 Tuesday"),
    ("yyyyMMdd", "20260303"),
    ("yyyy年MM月dd日", "2026年03月03日"),
    ("MM_dd_yyyy", "03_03_2026"),
    ("yyyy/MM/dd", "2026/03/03"),
])
def test_journal_formats_both_ways(fmt: str, text: str) -> None:
    assert journal_title(20260303, fmt) == text
    assert parse_date(text, fmt) == dt.date(2026, 3, 3)


def test_journal_day_from_name_uses_logseq_fallback_formats() -> None:
    assert journal_day_from_name("Mar 1st, 2026") == 20260301
    assert journal_day_from_name("2026-03-01", "yyyy年MM月dd日") == 20260301
    assert journal_day_from_name("2026_03_01", "yyyy年MM月dd日") == 20260301
    assert journal_day_from_name("2026年03月01日", "yyyy年MM月dd日") == 20260301
    assert journal_day_from_name("巡察办") is None and journal_day_from_name("") is None


def test_page_identity() -> None:
    day = ("Mar 1st, 2026", 20260301)
    assert page_identity("journals/2026_03_01.md", {}, TRI, in_journals_dir=True) == day
    cfg = GraphConfig(journal_file_format="MM_dd_yyyy", journal_title_format="yyyy年MM月dd日")
    assert page_identity("journals/03_01_2026.md", {}, cfg, in_journals_dir=True) == ("2026年03月01日",
                                                                                        20260301)
    assert page_identity("pages/03_01_2026.md", {}, cfg) == ("03_01_2026", None)  # file format: journals only
    assert page_identity("pages/x.md", {"title": "2026-03-01"}, TRI) == ("Mar 1st, 2026", 20260301)


def test_configured_file_format_wins() -> None:
    assert journal_day_from_file("03_05_2026", "MM_dd_yyyy") == 20260305
    assert journal_day_from_file("2026_03_05", "MM_dd_yyyy") == 20260305  # fallback


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                         (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"),
                                         (31, "31st")])
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
       st.sampled_from(["MMM do, yyyy", "yyyy_MM_dd", "yyyy-MM-dd", "EEEE, dd.MM.yyyy", "do MMMM yyyy"]))
def test_date_round_trip(date: dt.date, fmt: str) -> None:
    assert parse_date(format_date(date, fmt), fmt) == date
