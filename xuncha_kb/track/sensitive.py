"""What a report may never quote: sensitive pages and blocks, and text that names them.

Two rules, one for whole items and one for quoted text.

**Sensitive items are only counted** — no text, no page name, no file path:

* A page is sensitive when a namespace segment of its name contains 信访, 谈话 or 线索
  (``巡察/2026年第一轮/某公司/谈话记录/张三``); when its page properties carry ``密级::`` (any
  value) or a true-ish ``sensitive::``; or when it is *tagged* with a sensitive page (a page
  ``tags::`` value or a ``#tag`` in a page property).
* A block is sensitive when it carries one of those properties; when it is tagged with a
  sensitive page — ``#信访``, ``#[[谈话]]``, ``tags:: 线索``, a ``#tag`` in one of its property
  values, or a tag naming a page that is itself sensitive by name or by its properties; when its
  page is sensitive; or when any ancestor is.  Sensitivity is inherited by every descendant.

**Text that names a sensitive page is replaced by** :data:`SENSITIVE_PLACEHOLDER`: a title, a
property value or a name quoted from a block that is *not* sensitive is replaced whole when it
refers to a sensitive page by ``[[link]]``, ``#tag``, ``{{embed [[…]]}}``, or by naming it as a
plain value — a namespaced name with a 信访/谈话/线索 segment (``巡察/…/线索/某人``) or the name
of a page that is sensitive by its properties or tags.  The item itself is still listed.

Why a tag makes the block sensitive but a link only hides the text: a tag classifies the block's
own content (``- 反映某某问题 #信访`` *is* petition material), while a link is how ordinary
blocks point at sensitive pages — every generated 谈话 task says ``产出:: [[…/谈话提纲]]``, and
hiding those tasks' locations would make the report useless without protecting anything more
than hiding the link's text does.

Every reader asks these questions of one :class:`Secrets` built from the whole graph
(``Secrets.of_graph(graph)``), so that a link or tag to a page marked ``密级::`` under an
innocent name is recognised too; :data:`NO_SECRETS` answers from page names alone.  A graph
that holds only the relevant pages (``commands/graph_index.py``, ``watch``) carries the tags
and file names of the pages it left out (``Graph.left_out``), and ``of_graph`` follows them,
so it marks exactly what the whole graph marks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from xuncha_kb.logseq.inline import scan_inline
from xuncha_kb.logseq.properties import LIST_SEPARATORS_RE, bare_name, normalise_key
from xuncha_kb.model import Block, Graph, Page, page_key
from xuncha_kb.track.conventions import P_SECRET_LEVEL, P_SENSITIVE, SENSITIVE_SEGMENTS
from xuncha_kb.track.discover import prop_names, prop_text


def tag_closure(tagged: Iterable[tuple[str, Iterable[str]]], seeds: set[str]) -> set[str]:
    """``seeds`` and the key of every page of ``tagged`` — ``(page key, its tag keys)`` — that is
    tagged with one of them, with a page sensitive by its name, or with a page so added."""
    by_tag: dict[str, list[str]] = {}
    for key, tags in tagged:
        for t in tags:
            by_tag.setdefault(t, []).append(key)
    marked = set(seeds)
    todo = [t for t in by_tag if t in marked or name_is_sensitive(t)]
    while todo:
        for key in by_tag.pop(todo.pop(), ()):
            if key not in marked:
                marked.add(key)
                todo.append(key)
    return marked


def file_name_is_sensitive(rel: str) -> bool:
    """A file whose name has a sensitive segment (``谈话记录___张三.md``): its page is
    sensitive whatever its ``title::`` says."""
    return _SENSITIVE_WORD.search(rel) is not None and name_is_sensitive(rel.rsplit("/", 1)[-1])


#: Values of ``sensitive::`` that mean "not sensitive".
FALSE_VALUES = frozenset({"", "false", "no", "0", "否", "无", "none", "nil"})

#: Shown instead of a sensitive page's name or file, and instead of text that names one.
SENSITIVE_PLACEHOLDER = "（涉密内容，仅计数）"

P_TAGS = "tags"
_SENSITIVE_WORD = re.compile("|".join(map(re.escape, SENSITIVE_SEGMENTS)))
_TAG_END = r"(?![^\s,;:'\"!?#])"  # what ends a ``#tag`` (inline._TAG_RE's character class)


def name_is_sensitive(name: str) -> bool:
    """True when a namespace segment of a page name contains 信访/谈话/线索."""
    if _SENSITIVE_WORD.search(name) is None:
        return False  # the common case, without splitting
    segments = [s for s in name.replace("___", "/").split("/") if s]
    return any(word in seg for seg in segments for word in SENSITIVE_SEGMENTS)


#: The kinds a confidential summary counts, with their unit: 谈话 N 人次, 信访 N 件, 线索 N 件.
KIND_UNITS = (("谈话", "人次"), ("信访", "件"), ("线索", "件"))
OTHER_KIND = "其他"
_OUTLINE_LEAF = "谈话提纲"  # the outline with its 谈话人名单 is not a talk: it counts under 其他


def sensitive_kind(name: str, props: Mapping[str, str]) -> str:
    """谈话 / 信访 / 线索 / 其他 for a sensitive page (its name) or block (name ""): the
    ``sensitive::`` value first, then the namespace segments."""
    mark = props.get(P_SENSITIVE, "")
    for kind, _ in KIND_UNITS:
        if kind in mark:
            return kind
    segments = [x for x in name.replace("___", "/").split("/") if x]
    if segments and segments[-1] == _OUTLINE_LEAF:
        return OTHER_KIND
    for kind, _ in KIND_UNITS:
        if any(kind in seg for seg in segments):
            return kind
    return OTHER_KIND


def properties_are_sensitive(props: Mapping[str, str]) -> bool:
    """``密级::`` with any non-empty value, or a true-ish ``sensitive::``."""
    level = props.get(P_SECRET_LEVEL)
    if level is not None and level.strip() and level.strip().lower() not in FALSE_VALUES:
        return True
    flag = props.get(P_SENSITIVE)
    return flag is not None and flag.strip().lower() not in FALSE_VALUES


@functools.lru_cache(maxsize=4096)
def _tag_pattern(name: str) -> re.Pattern[str]:
    n = re.escape(name.strip())
    return re.compile(rf"#\[\[\s*{n}\s*\]\]|#{n}\.*{_TAG_END}", re.IGNORECASE)


def _is_tag_in(text: str, name: str) -> bool:
    """Does ``text`` write ``name`` as a tag (``#name`` or ``#[[name]]``)?"""
    return "#" in text and _tag_pattern(name).search(text) is not None


def _any_name(_name: str) -> bool:
    return True


def tag_names(content: str, refs: Iterable[str], props: Mapping[str, str],
              prop_refs: Mapping[str, tuple[str, ...]], keep: Callable[[str], bool] = _any_name) -> list[str]:
    """The tags of a block (or of a page: its pre-block) that ``keep`` accepts: refs written as
    ``#tag`` in the text or in a property value, and every value of ``tags::``.  ``keep`` runs
    first, so asking only for sensitive tags costs no regex on ordinary refs."""
    out = [r for r in refs if keep(r) and _is_tag_in(content, r)]
    for key, names in prop_refs.items():
        out.extend(n for n in names if keep(n) and (key == P_TAGS or _is_tag_in(props.get(key, ""), n)))
    return out


def _block_tags(block: Block, keep: Callable[[str], bool] = _any_name) -> list[str]:
    if not block.refs and not block.property_refs:
        return []
    if "#" not in block.content and P_TAGS not in block.property_refs:
        return []  # no tag can be written without a '#' or a tags:: property
    return tag_names(block.content, block.refs, block.properties, block.property_refs, keep)


def page_tags(page: Page, keep: Callable[[str], bool] = _any_name) -> list[str]:
    """The page's own tags (``tags::`` values, ``#tag`` in a page property) that ``keep`` accepts."""
    if not page.property_refs:
        return []  # tags of a page live in its properties (the pre-block)
    out = tag_names("", (), page.properties, page.property_refs, keep)
    for b in page.blocks:
        if b.pre_block:
            out.extend(_block_tags(b, keep))
    return out


def _page_marked(page: Page) -> bool:
    """Sensitive by its name, file name or page properties (tags aside)."""
    if name_is_sensitive(page.name) or file_name_is_sensitive(page.file):
        return True
    if properties_are_sensitive(page.properties):
        return True
    return any(b.pre_block and properties_are_sensitive(b.properties) for b in page.blocks)


#: Up to this many marked pages, a block's raw text is searched for each of their names before
#: its body is parsed for tags; with more, each ``#`` is looked at instead (:func:`_tags_a_key`).
_MARKED_SCAN_LIMIT = 40


@functools.lru_cache(maxsize=8)
def _key_lengths(marked: frozenset[str]) -> tuple[int, ...]:
    return tuple(sorted({len(k) for k in marked}))


def _tags_a_key(keyed: str, marked: frozenset[str]) -> bool:
    """Could the keyed raw text of a block tag one of ``marked``?  A superset: true when a marked
    key starts right after a ``#`` (or ``#[[`` and spaces), or appears on a ``tags::`` line."""
    lengths = _key_lengths(marked)
    i = keyed.find("#")
    while i != -1:
        j = i + 1
        if keyed.startswith("[[", j):
            j += 2
            while j < len(keyed) and keyed[j] in " \t":
                j += 1
        if any(keyed[j:j + n] in marked for n in lengths):
            return True
        i = keyed.find("#", i + 1)
    if "ags::" in keyed:
        for line in keyed.splitlines():
            if "ags::" in line and any(k in line for k in marked):
                return True
    return False


@dataclass(frozen=True, slots=True)
class Secrets:
    """The sensitive pages of one graph and the questions every reader asks of them.

    ``marked`` holds the keys of pages that are sensitive for a reason their *name* does not
    show (``密级::``/``sensitive::`` page properties, a sensitive tag, a sensitive file name);
    pages sensitive by name are recognised from the name alone, even when they do not exist.
    """

    marked: frozenset[str] = frozenset()

    @classmethod
    def of(cls, pages: Iterable[Page]) -> Secrets:
        pages = list(pages)
        marked = {p.key for p in pages if _page_marked(p) and not name_is_sensitive(p.name)}
        tagged = [(p, tags) for p in pages if p.key not in marked and (tags := page_tags(p))]
        # a page tagged with a page that is sensitive because it is tagged: go round until stable
        changed = True
        while changed and tagged:
            changed = False
            rest = []
            for p, tags in tagged:
                if any(name_is_sensitive(t) or page_key(t) in marked for t in tags):
                    marked.add(p.key)
                    changed = True
                else:
                    rest.append((p, tags))
            tagged = rest
        return cls(frozenset(marked))

    @classmethod
    def of_graph(cls, graph: Graph) -> Secrets:
        """:meth:`of` the graph's pages, then what the pages it left out add: a page with a
        sensitive file name, and every page whose tags lead (directly or through other tagged
        pages, kept or left out) to a marked page or to one sensitive by its name."""
        base = cls.of(graph.pages)
        if not graph.left_out:
            return base
        seeds = set(base.marked)
        seeds.update(key for key, _tags, secret_file in graph.left_out
                     if secret_file and not name_is_sensitive(key))
        tagged: list[tuple[str, Iterable[str]]] = [(key, tags) for key, tags, _f in graph.left_out if tags]
        tagged.extend((p.key, [page_key(t.strip()) for t in tags]) for p in graph.pages
                      if p.key not in seeds and (tags := page_tags(p)))
        return cls(frozenset(tag_closure(tagged, seeds)))

    # -- pages and blocks -------------------------------------------------------------------

    def ref_is_sensitive(self, name: str) -> bool:
        """A page named by a ``[[link]]`` or ``#tag``: sensitive by its name or its marks."""
        return name_is_sensitive(name) or (bool(self.marked) and page_key(name.strip()) in self.marked)

    def page_is_sensitive(self, page: Page) -> bool:
        if page.key in self.marked or _page_marked(page):
            return True
        return bool(page_tags(page, self.ref_is_sensitive))

    def block_is_marked(self, block: Block) -> bool:
        """The block's *own* marks: ``密级::``/``sensitive::`` or a sensitive tag (not inherited)."""
        if properties_are_sensitive(block.properties):
            return True
        raw = block.raw_text()
        if raw is not None and not self._may_tag_sensitively(raw):
            return False  # decided from the raw text, without parsing a deferred body
        return bool(_block_tags(block, self.ref_is_sensitive))

    def _may_tag_sensitively(self, raw: str) -> bool:
        """Could this raw block text hold a sensitive tag?  Only if it has a tag at all ('#' or a
        tags:: property) and names a sensitive page: a sensitive word, or a marked page's name."""
        if "#" not in raw and "ags::" not in raw:
            return False
        if any(word in raw for word in SENSITIVE_SEGMENTS):
            return True
        keyed = page_key(raw)  # a tag names its page as written: its key is in the keyed text
        if len(self.marked) > _MARKED_SCAN_LIMIT:
            return _tags_a_key(keyed, self.marked)
        return any(key in keyed for key in self.marked)

    # -- quoted text --------------------------------------------------------------------------

    def _names_page(self, plain: str) -> bool:
        """A plain value naming a sensitive page: a namespaced name with a 信访/谈话/线索 segment,
        or the name of a page marked sensitive."""
        p = bare_name(plain)
        if not p:
            return False
        return ("/" in p and name_is_sensitive(p)) or page_key(p) in self.marked

    def mentions(self, text: str, *, plain: bool = False) -> bool:
        """Does quoted text refer to a sensitive page by ``[[link]]``, ``#tag`` or embed?  With
        ``plain`` (a property value) also by naming one as plain text, whole or comma-separated."""
        if not text:
            return False
        refs: list[str] = []
        scan_inline(text, refs, [], [])
        if any(self.ref_is_sensitive(r) for r in refs):
            return True
        if not plain:
            return False
        parts = LIST_SEPARATORS_RE.split(text)
        return self._names_page(text) or any(self._names_page(part) for part in parts)

    def text(self, text: str) -> str:
        """Free text (a title, a message) as it may be quoted: the placeholder when it refers to a
        sensitive page."""
        return SENSITIVE_PLACEHOLDER if self.mentions(text) else text

    def value(self, props: Mapping[str, str], refs: Mapping[str, tuple[str, ...]], key: str) -> str | None:
        """A property value as it may be quoted (``[[ ]]`` removed; None when absent or blank), or
        the placeholder when the value refers to or names a sensitive page."""
        text = prop_text(props, key)
        if text is None:
            return None
        k = normalise_key(key.strip())
        linked = any(self.ref_is_sensitive(r) for r in refs.get(k, ()))
        return SENSITIVE_PLACEHOLDER if linked or self.mentions(props.get(k, ""), plain=True) else text

    def names(self, props: Mapping[str, str], refs: Mapping[str, tuple[str, ...]],
              key: str) -> tuple[str, ...]:
        """The page names (or words) a property lists, each sensitive one replaced by the
        placeholder (listed once)."""
        k = normalise_key(key.strip())
        raw = props.get(k, "")
        linked = set(refs.get(k, ()))
        out: list[str] = []
        for n in prop_names(props, refs, key):
            is_ref = n in linked or f"[[{n}]]" in raw or f"#{n}" in raw
            secret = self.ref_is_sensitive(n) if is_ref else self._names_page(n)
            shown = SENSITIVE_PLACEHOLDER if secret else n
            if shown not in out:
                out.append(shown)
        return tuple(out)


#: Answers from page names alone (no graph at hand).
NO_SECRETS = Secrets()


def page_is_sensitive(page: Page, secrets: Secrets = NO_SECRETS) -> bool:
    return secrets.page_is_sensitive(page)


@dataclass(frozen=True, slots=True)
class BlockContext:
    """A block with what its ancestors say about it."""

    block: Block
    ancestors: tuple[Block, ...]
    sensitive: bool  # the block, an ancestor or the page is sensitive
    in_template: bool  # the block or an ancestor carries ``template::``
    inherited: bool = False  # sensitive because of an ancestor or the page (not only itself)


def walk_context(page: Page, *, page_sensitive: bool | None = None,
                 secrets: Secrets = NO_SECRETS) -> Iterator[BlockContext]:
    """Every block of a page, depth first in file order, with inherited sensitivity/template flags."""
    base = secrets.page_is_sensitive(page) if page_sensitive is None else page_sensitive

    # An explicit stack, not recursion: a 10,000-level outline must not hit the recursion limit.
    stack: list[tuple[Block, tuple[Block, ...], bool, bool]] = [
        (top, (), base, False) for top in reversed(page.blocks)]
    while stack:
        block, ancestors, above, tmpl = stack.pop()
        sens = above or secrets.block_is_marked(block)
        tmpl = tmpl or "template" in block.properties
        yield BlockContext(block, ancestors, sens, tmpl, above)
        if block.children:
            below = (*ancestors, block)
            stack.extend((child, below, sens, tmpl) for child in reversed(block.children))


def has_sensitive_tag(page: Page, secrets: Secrets = NO_SECRETS) -> bool:
    """Does the page, or any block of it, carry a sensitive tag (the tag rule alone)?"""
    keep = secrets.ref_is_sensitive
    return bool(page_tags(page, keep)) or any(_block_tags(b, keep) for b in page.walk())


def page_has_any_key(page: Page, keys: frozenset[str]) -> bool:
    """Cheap pre-filter: does any block of the page carry one of these property keys?"""
    return any(not keys.isdisjoint(b.properties) for b in page.walk() if b.properties)


def sensitive_pages(pages: tuple[Page, ...] | list[Page], secrets: Secrets | None = None) -> list[Page]:
    s = secrets if secrets is not None else Secrets.of(pages)
    return [p for p in pages if s.page_is_sensitive(p)]
