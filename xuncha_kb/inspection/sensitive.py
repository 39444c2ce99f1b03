"""What a report may never quote: sensitive pages and blocks.

A page is sensitive when a segment of its namespace contains 信访, 谈话 or 线索
(``巡察/2026年第一轮/某公司/谈话记录/张三``), or when its page properties carry ``密级::`` (any
value) or a true-ish ``sensitive::``.  A block is sensitive when it carries one of those
properties, when its page is sensitive, or when any ancestor is; sensitivity is inherited by
every descendant.  Reports only *count* sensitive things — no text, no page name, no file path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from xuncha_kb.inspection.conventions import P_SECRET_LEVEL, P_SENSITIVE, SENSITIVE_SEGMENTS
from xuncha_kb.model import Block, Page

#: Values of ``sensitive::`` that mean "not sensitive".
FALSE_VALUES = frozenset({"", "false", "no", "0", "否", "无", "none", "nil"})

#: Shown instead of a sensitive page's name or file.
SENSITIVE_PLACEHOLDER = "（涉密内容，仅计数）"


def name_is_sensitive(name: str) -> bool:
    """True when a namespace segment of a page name contains 信访/谈话/线索."""
    segments = [s for s in name.replace("___", "/").split("/") if s]
    return any(word in seg for seg in segments for word in SENSITIVE_SEGMENTS)


def properties_are_sensitive(props: Mapping[str, str]) -> bool:
    """``密级::`` with any non-empty value, or a true-ish ``sensitive::``."""
    level = props.get(P_SECRET_LEVEL)
    if level is not None and level.strip() and level.strip().lower() not in FALSE_VALUES:
        return True
    flag = props.get(P_SENSITIVE)
    return flag is not None and flag.strip().lower() not in FALSE_VALUES


def page_is_sensitive(page: Page) -> bool:
    if name_is_sensitive(page.name) or name_is_sensitive(page.file.rsplit("/", 1)[-1]):
        return True
    if properties_are_sensitive(page.properties):
        return True
    return any(b.pre_block and properties_are_sensitive(b.properties) for b in page.blocks)


@dataclass(frozen=True, slots=True)
class BlockContext:
    """A block with what its ancestors say about it."""

    block: Block
    ancestors: tuple[Block, ...]
    sensitive: bool  # the block, an ancestor or the page is sensitive
    in_template: bool  # the block or an ancestor carries ``template::``


def walk_context(page: Page, *, page_sensitive: bool | None = None) -> Iterator[BlockContext]:
    """Every block of a page, depth first in file order, with inherited sensitivity/template flags."""
    base = page_is_sensitive(page) if page_sensitive is None else page_sensitive

    # An explicit stack, not recursion: a 10,000-level outline must not hit the recursion limit.
    stack: list[tuple[Block, tuple[Block, ...], bool, bool]] = [
        (top, (), base, False) for top in reversed(page.blocks)]
    while stack:
        block, ancestors, sens, tmpl = stack.pop()
        sens = sens or properties_are_sensitive(block.properties)
        tmpl = tmpl or "template" in block.properties
        yield BlockContext(block, ancestors, sens, tmpl)
        if block.children:
            below = (*ancestors, block)
            stack.extend((child, below, sens, tmpl) for child in reversed(block.children))


def page_has_any_key(page: Page, keys: frozenset[str]) -> bool:
    """Cheap pre-filter: does any block of the page carry one of these property keys?"""
    return any(not keys.isdisjoint(b.properties) for b in page.walk() if b.properties)


def sensitive_pages(pages: tuple[Page, ...] | list[Page]) -> list[Page]:
    return [p for p in pages if page_is_sensitive(p)]
