"""``Secrets`` decides from a block's raw text, before parsing it, whether it may carry a
sensitive tag; with many marked pages it looks at each ``#`` and ``tags::`` line instead of
searching for every name.  The shortcut may say "maybe" too often, never "no" wrongly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.track.sensitive import Secrets, tag_names

MARKED = [f"来信{i}" for i in range(30)] + [f"Note {i}" for i in range(30)] + ["a.b", "x,y"]
OTHER = ["普通", "Note", "来信", "重点", "note 7x"]


def _name(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(MARKED + OTHER))
    return name.upper() if draw(st.booleans()) else name


@st.composite
def piece(draw: st.DrawFn) -> str:
    name = _name(draw)
    kind = draw(st.sampled_from(["word", "tag", "tag2", "link"]))
    if kind == "tag":
        return f"#{name}" + draw(st.sampled_from(["", ".", ",", " ", "!"]))
    if kind == "tag2":
        return f"#[[{draw(st.sampled_from(['', ' ']))}{name}]]"
    return f"[[{name}]]" if kind == "link" else name


@st.composite
def block(draw: st.DrawFn) -> str:
    text = "- " + " ".join(draw(st.lists(piece(), min_size=1, max_size=5)))
    if draw(st.booleans()):
        text += f"\n  tags:: {_name(draw)}, [[{_name(draw)}]]"
    if draw(st.booleans()):
        text += f"\n  备注:: 见 {draw(piece())}"
    return text + "\n"


SECRETS = Secrets(frozenset(n.lower() for n in MARKED))


@settings(max_examples=400)
@given(text=block())
def test_the_raw_text_shortcut_never_misses_a_sensitive_tag(text: str) -> None:
    b = parse_text(text, "pages/x.md").blocks[0]
    tagged = tag_names(b.content, b.refs, b.properties, b.property_refs, SECRETS.ref_is_sensitive)
    if tagged:
        assert SECRETS._may_tag_sensitively(text), (text, tagged)


def test_the_shortcut_says_no_for_a_block_without_marked_tags() -> None:
    assert not SECRETS._may_tag_sensitively("- 普通内容 #重点 [[来信3]] 提到来信3\n")
    assert SECRETS._may_tag_sensitively("- 普通内容 #来信3\n")
