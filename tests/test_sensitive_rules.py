"""track/sensitive.py: which pages and blocks are sensitive, and which quoted text names one.

Pages are parsed from Markdown with the real reader, so tags and links are found the way the
rest of xuncha-kb finds them.
"""

from __future__ import annotations

import pytest

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import Page
from xuncha_kb.track.sensitive import (
    NO_SECRETS,
    SENSITIVE_PLACEHOLDER,
    Secrets,
    walk_context,
)

I = "巡察/2026年第一轮/某某集团有限公司"  # noqa: E741


def md(name: str, text: str) -> Page:
    file = "pages/" + name.replace("/", "___") + ".md"
    parsed = parse_text(text, file)
    return Page(name=name, file=file, properties=parsed.properties, property_refs=parsed.property_refs,
                blocks=parsed.blocks)


def flags(page: Page, secrets: Secrets = NO_SECRETS) -> dict[str, bool]:
    return {c.block.title: c.sensitive for c in walk_context(page, secrets=secrets) if not c.block.pre_block}


@pytest.mark.parametrize("tag", ["#信访", "#谈话", "#线索", "#[[谈话]]", "#信访举报", "#信访."])
def test_a_sensitive_tag_makes_the_block_and_its_children_sensitive(tag: str) -> None:
    p = md("笔记", f"- 公开\n- 反映的问题 {tag}\n\t- 子块\n\t\t- 孙块\n- 之后\n")
    assert flags(p) == {"公开": False, f"反映的问题 {tag}": True, "子块": True, "孙块": True, "之后": False}


@pytest.mark.parametrize("props", ["tags:: 信访", "tags:: 普通, 谈话", "类别:: #线索", "标签:: #[[信访]]"])
def test_a_sensitive_tag_in_a_property_makes_the_block_sensitive(props: str) -> None:
    p = md("笔记", f"- 事项\n  {props}\n\t- 子块\n- 其他\n  类别:: 普通\n")
    assert flags(p) == {"事项": True, "子块": True, "其他": False}


@pytest.mark.parametrize("text", [
    "- 见 [[信访]] 的说明", "- 写在 `#信访` 代码里", "- 网址 https://example.com/#信访", "- 信访工作制度",
    "- 引用 [[巡察/某/信访/张三]]", "- 标签 #普通",
])
def test_links_code_urls_and_other_tags_do_not_make_a_block_sensitive(text: str) -> None:
    p = md("笔记", text + "\n")
    assert not any(flags(p).values())


def test_page_tags_make_the_page_sensitive() -> None:
    tagged = md("普通页", "tags:: 谈话\n\n- 内容\n")
    assert NO_SECRETS.page_is_sensitive(tagged)
    assert flags(tagged) == {"内容": True}
    assert not NO_SECRETS.page_is_sensitive(md("普通页", "tags:: 普通\n\n- 内容\n"))


def test_a_tag_naming_a_page_marked_sensitive_counts_through_the_graph() -> None:
    secret = md("某专案", "密级:: 秘密\n\n- 材料\n")
    chained = md("某专案汇总", "tags:: 某专案\n\n- 汇总\n")  # sensitive because its tag page is
    note = md("笔记", "- 关于 #某专案汇总 的事项\n- 关于 [[某专案]] 的事项\n- 无关\n")
    secrets = Secrets.of([secret, chained, note])
    assert secrets.page_is_sensitive(chained) and not secrets.page_is_sensitive(note)
    tagged, linked = "关于 #某专案汇总 的事项", "关于 [[某专案]] 的事项"
    assert flags(note, secrets) == {tagged: True, linked: False, "无关": False}
    assert flags(note) == {tagged: False, linked: False, "无关": False}  # unknown without the graph


@pytest.mark.parametrize("text", [
    f"[[{I}/信访/张三]]", f"见 [[{I}/谈话记录/张三]] 的记录", f"{{{{embed [[{I}/线索/张三]]}}}}",
    f"#[[{I}/线索/张三]]", "#信访", "[[信访]]",
])
def test_text_that_refers_to_a_sensitive_page_is_replaced(text: str) -> None:
    assert NO_SECRETS.text(text) == SENSITIVE_PLACEHOLDER


@pytest.mark.parametrize("text", ["问题一：选人用人不规范", f"见 [[{I}/底稿/001]]", "查阅资料、个别谈话",
                                  f"{I}/线索/张三"])
def test_ordinary_text_is_quoted_as_it_is(text: str) -> None:
    # a plain namespaced name in *free text* is not a reference; in a property value it is
    assert NO_SECRETS.text(text) == text


def test_property_values_that_name_a_sensitive_page() -> None:
    secret = md("某专案", "密级:: 秘密\n")
    item = md("台账", f"- 事项\n  移交对象:: {I}/线索/张三\n  来源:: 查阅资料、个别谈话\n  责任人:: 某专案\n"
                      f"  底稿:: [[{I}/底稿/001]], [[{I}/信访/李四]], [[{I}/谈话/王五]]\n  定性:: [[违规]]\n")
    b = next(c.block for c in walk_context(item) if not c.block.pre_block)
    s = Secrets.of([secret, item])
    value = lambda key: s.value(b.properties, b.property_refs, key)  # noqa: E731
    assert value("移交对象") == SENSITIVE_PLACEHOLDER  # a namespaced name with a 线索 segment
    assert value("来源") == "查阅资料、个别谈话"  # words, not a page name
    assert value("责任人") == SENSITIVE_PLACEHOLDER  # the name of a page marked 密级::
    assert value("定性") == "违规"
    assert value("缺失") is None
    assert s.names(b.properties, b.property_refs, "底稿") == (f"{I}/底稿/001", SENSITIVE_PLACEHOLDER)
    # without the graph, the marked page is not known: only names are
    assert NO_SECRETS.value(b.properties, b.property_refs, "责任人") == "某专案"


def test_inherited_flag_tells_the_marked_block_from_its_descendants() -> None:
    p = md("笔记", "- 父块\n  密级:: 内部\n\t- 子块 #信访\n\t\t- 孙块\n- 公开 #线索\n")
    seen = {c.block.title: (c.sensitive, c.inherited) for c in walk_context(p) if not c.block.pre_block}
    assert seen == {"父块": (True, False), "子块 #信访": (True, True), "孙块": (True, True),
                    "公开 #线索": (True, False)}
