"""logseq/head.py: the text before the first block, read without a full parse."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xuncha_kb.logseq.head import bullet_head, pre_block_text, property_keys
from xuncha_kb.logseq.page import parse_text

FRAGMENTS = ["- ", "-", "* ", "*", "# ", "#tag", "  - ", "title:: T", "type:: [[巡察]]", "x", " ", "\t",
             "Owner_Name:: a", "k::v", "```", "* head"]
text_st = st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join), max_size=12).map("\n".join)


def test_pre_block_text_markdown() -> None:
    assert pre_block_text("title:: T\ntype:: x\n\n- a\n- b") == "title:: T\ntype:: x\n"
    assert pre_block_text("title:: T\n# heading\ntype:: x") == "title:: T"
    assert pre_block_text("title:: T\n  * b") == "title:: T"
    assert pre_block_text("title:: T\n-") == "title:: T"
    assert pre_block_text("- a\ntitle:: T") == ""
    assert pre_block_text("title:: T\ntype:: x") == "title:: T\ntype:: x"


def test_pre_block_text_org() -> None:
    assert pre_block_text("#+TITLE: T\n#+type: x\n* a\n** b", "org") == "#+TITLE: T\n#+type: x"
    assert pre_block_text(" * not a headline\n* a", "org") == " * not a headline"


def test_bullet_head() -> None:
    assert bullet_head("- a\ntitle:: T") == ""
    assert bullet_head("title:: T\n# heading\ntype:: x\n- a") == "title:: T\n# heading\ntype:: x"
    assert bullet_head("title:: T\n  - nested") == "title:: T\n  - nested"
    assert bullet_head("title:: T") == "title:: T"


@given(text_st)
def test_bullet_head_contains_pre_block_text(text: str) -> None:
    assert bullet_head(text).startswith(pre_block_text(text))


def test_head_gives_the_page_properties() -> None:
    for text in ("title:: T\ntype:: [[巡察]]\n\n- a\n  b:: c", "title:: T\n# h\ntype:: x", "- a\ntitle:: T",
                 "#+TITLE: T\n* a"):
        assert parse_text(pre_block_text(text), "pages/x.md").properties == \
            parse_text(text, "pages/x.md").properties


def test_property_keys() -> None:
    text = "title:: T\nOwner_Name:: a\n- TODO x\n  巡察:: [[y]]\n- k::v\n- 产出::\n```\nin-code:: z\n```"
    assert property_keys(text) == {"title", "owner-name", "巡察", "产出", "in-code"}
