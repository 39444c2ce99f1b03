"""One key rule: what xuncha-kb looks up is what the reader stores (logseq/properties.py)."""

from __future__ import annotations

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.logseq.properties import normalise_key
from xuncha_kb.track import deadlines, discover, sensitive
from xuncha_kb.workflow.model import Milestone

PAGE = "Owner_Name:: 张三\nCustom_ID:: abc\n组长:: [[李四]]\n反馈 意见:: 2026-03-01\n\n- x\n"


def test_track_uses_the_reader_key_rule() -> None:
    assert not hasattr(discover, "normalise_key") or discover.normalise_key is normalise_key
    assert sensitive.normalise_key is normalise_key


def test_lookups_find_what_the_reader_stored() -> None:
    parsed = parse_text(PAGE, "pages/x.md")
    props, refs = parsed.properties, parsed.property_refs
    # any spelling of a key finds the stored form; surrounding blanks are stripped by the caller
    for key in ("owner-name", "Owner_Name", "OWNER NAME", " owner_name\t"):
        assert discover.prop_text(props, key) == "张三"
    assert discover.prop_names(props, refs, " 组长 ") == ("李四",)
    # custom-id is id, for the reader and for the lookups alike
    assert normalise_key("Custom_ID") == "id"
    assert discover.prop_text(props, "custom-id") == discover.prop_text(props, "id")


def test_milestone_dates_use_the_same_keys() -> None:
    props = {normalise_key("反馈_意见"): "2026-03-01"}
    dates = deadlines.milestone_dates((Milestone(id="m1", name=" 反馈 意见 "),), props)
    assert str(dates["m1"]) == "2026-03-01"


def test_one_list_rule_for_property_values() -> None:
    from xuncha_kb.logseq.properties import LIST_SEPARATORS_RE, bare_name, comma_names, listed_names

    assert listed_names("[[张三]]、#李四 #[[王 五]]") == ("张三", "李四", "王 五")
    six = ("张三", "李四", "王五", "赵六", "钱七", "孙八")
    assert listed_names("张三、李四；王五, 赵六，钱七;孙八") == six
    assert listed_names(" , ") == ()
    assert comma_names("[[巡察]], #巡察阶段，, 问题底稿 ") == ["巡察", "巡察阶段", "问题底稿"]
    assert comma_names("a、b") == ["a、b"]
    assert bare_name(" #[[x]] ") == "x"
    assert LIST_SEPARATORS_RE.split("a,b，c、d;e；f") == list("abcdef")
    props = {"组员": "张三、[[李四]]"}
    assert discover.prop_names(props, {}, "组员") == ("李四",)
    assert discover.prop_names({"组员": "张三、李四"}, {}, "组员") == ("张三", "李四")
