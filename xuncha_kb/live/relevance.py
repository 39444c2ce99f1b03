"""Which files of a graph can matter to inspections — the compact per-file index and its rules.

``watch`` keeps a :class:`~xuncha_kb.fs.cache.FileEntry` per file and parsed pages only for
*relevant* files, so progress is computed over a small graph.  The rule is a superset of what
``track.progress``, ``ledgers`` and ``sensitive`` read:

* a page is *core* when any page or block property key is non-ASCII (every inspection key in
  ``conventions`` is Chinese: 活动, 巡察, 阶段, 移交对象, 整改状态, 底稿, 密级 …) or is one of
  ``sensitive``/``xuncha-generated``, or its ``type::`` is an inspection page type (巡察,
  问题底稿, 巡察工作流程定义 … — every ``conventions.TYPE_*``);
* a page is *relevant* when it is core, lies in the namespace of a core page
  (``巡察/…/某某公司/问题清单``), or has a sensitive namespace segment.

A page left out still counts for confidentiality: a page tagged only ``tags:: 信访`` under an
innocent name is sensitive, and a report must hide every link to it.  So an entry also keeps the
page's own tags (:func:`tag_keys`; :func:`quick_tags` a superset from the raw text), and the
small graph carries them for the pages it left out (``Graph.left_out``, followed by
``Secrets.of_graph``).

:func:`entry_for` builds an entry from a parsed page; :func:`quick_entry` from a regex pass over
the raw text (the cold start), whose keys are a superset of the parser's.

An entry built from a parsed page also holds :data:`SENSITIVE_TAG_KEY` when the page or one of
its blocks carries a sensitive tag (``#信访`` …, see ``track/sensitive.py``), so that
``watch`` keeps such a page's diagnostics anonymous like those of a ``密级::`` page, across warm
starts too.  It is not a property key and plays no part in relevance.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from xuncha_kb.fs.cache import FileEntry
from xuncha_kb.logseq.head import bullet_head, property_keys
from xuncha_kb.logseq.inline import scan_inline
from xuncha_kb.logseq.properties import comma_names
from xuncha_kb.model import Diagnostic, GraphConfig, Page, page_key
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.sensitive import has_sensitive_tag, page_tags

PAGE_KINDS = ("page", "journal")
_ALWAYS_RELEVANT_KEYS = frozenset({cv.P_SENSITIVE, cv.P_GENERATED})
SENSITIVE_TAG_KEY = "tag=sensitive"
_QUICK_TYPE = re.compile(r"(?m)^[ \t]*(?:- )?type:: (.*)$", re.IGNORECASE)
_QUICK_TITLE = re.compile(r"(?m)^title:: (.*)$", re.IGNORECASE)
_QUICK_TAGS = re.compile(r"(?m)^[ \t]*tags:: (.*)$", re.IGNORECASE)


def _known_types() -> frozenset[str]:
    from xuncha_kb.workflow.syntax import DEFINITION_TYPE

    names = {v for k, v in vars(cv).items() if k.startswith("TYPE_") and isinstance(v, str)}
    return frozenset(page_key(n) for n in (*names, DEFINITION_TYPE))


_TYPES: frozenset[str] | None = None


def _type_names(raw: str) -> list[str]:
    """Every name a ``type::`` value may list: a superset of the trackers' readings (commas, and
    the definition loader's 、;； too)."""
    from xuncha_kb.workflow.syntax import split_list

    return comma_names(raw) + split_list(raw)


def _page_types(page: Page) -> list[str]:
    raw = page.properties.get(cv.P_TYPE, "")
    names = list(page.property_refs.get(cv.P_TYPE, ()))
    names.extend(_type_names(raw))
    return [page_key(n) for n in names if n]


def entry_for(page: Page | None, kind: str, st: os.stat_result | tuple[int, int],
              diags: Iterable[Diagnostic]) -> FileEntry:
    """The index entry of a freshly parsed file.

    ``keys`` holds every property key of the page and its blocks, plus ``type=<name>`` when the
    page's ``type::`` is one of the inspection page types (巡察, 巡察阶段, 问题底稿, …), and
    :data:`SENSITIVE_TAG_KEY` when the page or a block carries a sensitive tag.
    """
    keys: set[str] = set()
    if page is not None:
        keys.update(relevance_keys(page))
        if has_sensitive_tag(page):
            keys.add(SENSITIVE_TAG_KEY)
    if isinstance(st, os.stat_result):
        mtime_ns, size = st.st_mtime_ns, st.st_size
    else:
        mtime_ns, size = st
    tags = tag_keys(page) if page is not None else ()
    return FileEntry(mtime_ns, size, kind, page.name if page else "", frozenset(keys), tuple(diags), tags,
                     core=is_core_keys(keys))


def tag_keys(page: Page) -> tuple[str, ...]:
    """The page's own tags as page keys, sorted: what :func:`secret_reach` follows."""
    return _sorted_keys(page_tags(page))


def _sorted_keys(names: Iterable[str]) -> tuple[str, ...]:
    # interned: the same tag on thousands of pages is one string in memory and in the index file
    return tuple(sorted({sys.intern(page_key(n.strip())) for n in names if n.strip()}))


def relevance_keys(page: Page) -> set[str]:
    """Every property key of the page and its blocks, plus ``type=<name>`` for an inspection
    page type: what relevance is decided from."""
    keys: set[str] = set(page.properties)
    for b in page.walk():
        if b.properties:
            keys.update(b.properties)
    return _with_types(keys, page)


def _with_types(keys: set[str], page: Page) -> set[str]:
    global _TYPES
    if cv.P_TYPE in page.properties:
        if _TYPES is None:
            _TYPES = _known_types()
        keys.update(f"type={t}" for t in _page_types(page) if t in _TYPES)
    return keys


def scan_keys(page: Page, text: str, has_diagnostics: bool) -> set[str]:
    """The keys of :func:`entry_for` for the graph index, without reading every block's
    properties: for plain Markdown the quick scan's superset (as :func:`quick_entry`), which
    is all relevance needs; :data:`SENSITIVE_TAG_KEY` only where there are diagnostics to
    keep anonymous (the one thing it is used for)."""
    if page.format == "markdown" and not text.startswith(("\ufeff", "---")):
        keys = _with_types(property_keys(text) | set(page.properties), page)
    else:
        keys = relevance_keys(page)
    if has_diagnostics and has_sensitive_tag(page):
        keys.add(SENSITIVE_TAG_KEY)
    return keys


def is_core_entry(entry: FileEntry) -> bool:
    """A page whose own properties tie it to inspections (see the module docstring)."""
    return entry.core


def is_core_keys(keys: Iterable[str]) -> bool:
    # a plain loop, not any() over a generator: asked once per page of a warm 100k ``report``
    for k in keys:  # noqa: SIM110 (see above)
        if not k.isascii() or k in _ALWAYS_RELEVANT_KEYS or k.startswith("type="):
            return True
    return False


#: Pages the tracker looks up by name although they carry no inspection properties.
_READ_BY_NAME = frozenset({page_key(cv.PAGE_TAXONOMY)})


def is_relevant_name(kind: str, name: str, core: bool, core_names: set[str]) -> bool:
    """:func:`is_relevant` from the parts of an entry."""
    if kind not in PAGE_KINDS:
        return False
    if core or page_key(name) in _READ_BY_NAME:
        return True
    if "/" not in name:
        return False
    if any(seg in name for seg in cv.SENSITIVE_SEGMENTS):
        return True
    return any(p in core_names for p in namespace_prefixes(name))


def namespace_prefixes(name: str) -> Iterable[str]:
    """The keys of every namespace a page name lies in (``a/b/c`` → ``a``, ``a/b``)."""
    key = page_key(name)
    parts = key.split("/")
    for i in range(1, len(parts)):
        yield "/".join(parts[:i])


def is_relevant(entry: FileEntry, core_names: set[str]) -> bool:
    return is_relevant_name(entry.kind, entry.name, is_core_entry(entry), core_names)



def quick_entry(root: Path, relpath: str, kind: str, st: os.stat_result,
                config: GraphConfig) -> FileEntry | None:
    """An index entry from a regex pass over the raw text, without building blocks.

    Only for plain UTF-8 Markdown without BOM or front matter (anything else: None, and
    the caller parses the file).  Its ``keys`` are a superset of the parser's (property
    lines inside code fences count too), so relevance decided from it is safe; its
    ``diagnostics`` are empty — the file is parsed in full as soon as it matters or changes.
    """
    from xuncha_kb.fs.listing import PAGE_EXTENSIONS
    from xuncha_kb.logseq.names import page_identity

    if PAGE_EXTENSIONS.get(posixpath.splitext(relpath)[1].lower()) != "markdown":
        return None
    try:
        with open(os.path.join(root, relpath), "rb") as fh:
            text = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if text.startswith(("\ufeff", "---")):
        return None
    keys = property_keys(text)
    pre = bullet_head(text)  # a superset of the parser's pre-block, where page properties are
    if cv.P_TYPE in keys:
        global _TYPES
        if _TYPES is None:
            _TYPES = _known_types()
        for raw in _QUICK_TYPE.findall(pre):
            names = _type_names(raw)
            keys.update(f"type={page_key(n)}" for n in names if n and page_key(n) in _TYPES)
    title = _QUICK_TITLE.search(pre)
    props = {"title": title.group(1).strip()} if title else None
    name, _day = page_identity(relpath, props, config, in_journals_dir=kind == "journal")
    return FileEntry(st.st_mtime_ns, st.st_size, kind, name, frozenset(keys), (), quick_tags(pre), quick=True,
                     core=is_core_keys(keys))


def quick_tags(pre: str) -> tuple[str, ...]:
    """A superset of the page's own tags from the text before its first bullet: every
    ``[[link]]`` and ``#tag`` in it, and every name a ``tags::`` line lists."""
    if "[[" not in pre and "#" not in pre and "ags::" not in pre:
        return ()
    names: list[str] = []
    scan_inline(pre, names, [], [])
    for raw in _QUICK_TAGS.findall(pre):
        names.extend(comma_names(raw))
    return _sorted_keys(names)
