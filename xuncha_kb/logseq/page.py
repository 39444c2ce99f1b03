"""Page text → ParsedText (page properties + block tree), the way Logseq reads a file.

Entry points:
- ``parse_text(text, file, fmt="markdown", config=None) -> ParsedText`` — one page/journal file
  (already decoded; the scanner handles bytes and invalid UTF-8).
- ``parse_block_content(content, file, line, fmt="markdown", config=None) -> Block`` — the text of
  one block without its bullet (whiteboard and export blocks).

Malformed input never raises; problems become ``Diagnostic``s (messages in Chinese).
This module holds the page-level rules: BOM, line ends, NUL and conflict markers, the pre-block
(front matter and page properties), and the block tree.  The rules are listed in docs/reader.md;
the outline lives in ``outline.py``, what one block holds in ``block.py``, inline rules in
``inline.py``, properties in ``properties.py``, timestamps in ``timestamps.py``, Org in ``org.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from xuncha_kb.logseq import outline
from xuncha_kb.logseq.block import Builder, new_block, new_span
from xuncha_kb.logseq.inline import dedupe, scan_inline
from xuncha_kb.logseq.properties import (
    EMPTY_PROP_REFS,
    EMPTY_PROPS,
    PROPERTY_RE,
    normalise_key,
    user_properties,
)
from xuncha_kb.model import Block, Diagnostic, GraphConfig, PageFormat

__all__ = ["ParsedText", "parse_block_content", "parse_text", "user_properties"]

EMPTY = EMPTY_PROPS
EMPTY_REFS = EMPTY_PROP_REFS


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one page file holds."""

    properties: Mapping[str, str]  # page properties (pre-block key:: lines / org #+KEY:), raw
    property_refs: Mapping[str, tuple[str, ...]]
    blocks: tuple[Block, ...]  # top level; the pre-block first (pre_block=True) if any
    bom: bool = False
    crlf: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()


def _keyword_set(config: GraphConfig | None, name: str) -> frozenset[str]:
    """A config set of keywords (``#{:a :b}``) as normalised property keys."""
    if config is None:
        return frozenset()
    value = config.raw.get(name) if config.raw else None
    if not isinstance(value, frozenset | set | tuple | list):
        return frozenset()
    return frozenset(normalise_key(str(k).lstrip(":")) for k in value if isinstance(k, str))


def ignored_keys(config: GraphConfig | None) -> frozenset[str]:
    """Keys whose values are never parsed for refs (config ``:ignored-page-references-keywords``)."""
    return _keyword_set(config, ":ignored-page-references-keywords")


def comma_keys(config: GraphConfig | None) -> frozenset[str]:
    """Keys that config ``:property/separated-by-commas`` adds to comma splitting."""
    if config is None or not config.separated_by_commas:
        return frozenset()
    return frozenset(normalise_key(k.lstrip(":")) for k in config.separated_by_commas)


_Keys = tuple[frozenset[str], frozenset[str]]
_NO_KEYS: _Keys = (frozenset(), frozenset())
#: (config, its keys) of the last call; replaced as one tuple, so threads never see a mix.
_last_keys: tuple[GraphConfig | None, _Keys] = (None, _NO_KEYS)


def _config_keys(config: GraphConfig | None) -> _Keys:
    """(comma_keys(config), ignored_keys(config)), remembered for the last config object (a scan
    passes the same config for every file; the tuple keeps it alive, so ``is`` is exact)."""
    global _last_keys
    if config is None:
        return _NO_KEYS
    last = _last_keys
    if last[0] is config:
        return last[1]
    keys = (comma_keys(config), ignored_keys(config))
    _last_keys = (config, keys)
    return keys


def _normalise(text: str, file: str, diags: list[Diagnostic]) -> tuple[str, bool, bool]:
    bom = False
    crlf = False
    if text.startswith("\ufeff"):
        bom = True
        text = text[1:]
        diags.append(Diagnostic(file, 1, "文件以 BOM（U+FEFF）开头，已忽略；Logseq 会因此丢失页面属性，"
                                         "建议去掉 BOM", "info"))
    if "\r" in text:
        crlf = "\r\n" in text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diags.append(Diagnostic(file, line, "文件包含 NUL 字符（可能已损坏），按普通字符读取"))
    if "<<<<<<<" in text:
        at = _conflict_marker_line(text)
        if at:
            diags.append(Diagnostic(file, at, "文件含有未解决的合并冲突标记（<<<<<<< ======= >>>>>>>），"
                                                "两个版本都按普通内容读取；请合并后删除这些标记"))
    return text, bom, crlf


def _conflict_marker_line(text: str) -> int | None:
    """Line of a git conflict (``<<<<<<<`` … ``=======`` … ``>>>>>>>`` at line starts), if any."""
    start = text.find("<<<<<<<")
    while start > 0 and text[start - 1] != "\n":
        start = text.find("<<<<<<<", start + 1)
    if start < 0:
        return None
    mid = text.find("\n=======", start)
    if mid < 0 or text.find("\n>>>>>>>", mid) < 0:
        return None
    return text.count("\n", 0, start) + 1


_NO_LINES: frozenset[int] = frozenset()

#: First characters that send a one-line block down the full path (heading, verbatim opener).
_SLOW_FIRST = frozenset("#`~$:")
_FRONT_RE = re.compile(r"([^\s:]+):[ \t]*(.*)$")


def front_matter(lines: list[str], first: int) -> tuple[dict[str, str], int]:
    """YAML-style front matter (``---`` / ``key: value`` lines / ``---``) at the very top.

    Returns (properties, index of the line after the closing ``---``); ({}, 0) when absent.
    mldoc accepts it only when every line between the fences is ``key: value``.
    """
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    props: dict[str, str] = {}
    for j in range(1, first):
        line = lines[j]
        if line.rstrip() == "---":
            return props, j + 1
        m = _FRONT_RE.match(line)
        if m is None:
            return {}, 0
        key = normalise_key(m.group(1))
        if key not in props:
            props[key] = m.group(2)
    return {}, 0


def _first_property_run(lines: list[str], lo: int, hi: int, skip: set[int] | frozenset[int]
                        ) -> tuple[dict[str, str], set[int]]:
    """The first contiguous run of ``key:: value`` lines in lines[lo:hi] (verbatim lines excluded)."""
    props: dict[str, str] = {}
    used: set[int] = set()
    started = False
    for j in range(lo, hi):
        line = lines[j]
        m = PROPERTY_RE.match(line.strip()) if "::" in line and j not in skip else None
        if m is None:
            if started:
                break
            continue
        started = True
        used.add(j)
        props.setdefault(normalise_key(m.group(1)), (m.group(2) or "").strip())
    return props, used


def _pre_block(b: Builder, head: str
               ) -> tuple[Block | None, Mapping[str, str], Mapping[str, tuple[str, ...]]]:
    """The pre-block: all text before the first block (``head``), if any is non-blank."""
    if not head.strip():
        return None, EMPTY, EMPTY_REFS
    lines = head.split("\n")
    first = len(lines)
    lo = 0
    while lo < first and not lines[lo].strip():
        lo += 1
    hi = first - 1
    while hi > lo and not lines[hi].strip():
        hi -= 1
    verbatim: set[int] | frozenset[int] = _NO_LINES
    code: set[int] | frozenset[int] = _NO_LINES
    if "```" in head or "~~~" in head or "#+" in head or "$$" in head or ":LOGBOOK:" in head:
        verbatim, code = outline.verbatim_lines(lines)
    front, after = front_matter(lines, first) if lo == 0 and head.startswith("---") else ({}, 0)
    props, used = _first_property_run(lines, max(lo, after), hi + 1, verbatim)
    if front:
        merged = dict(front)
        for k, v in props.items():
            merged.setdefault(k, v)
        props = merged
        used.update(range(0, after))
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    for j in range(lo, hi + 1):
        if j not in used and j not in code:
            line = lines[j]
            if "[[" in line or "#" in line or "((" in line or "{{" in line:
                scan_inline(line, refs, brefs, macs)
    prefs = b.prop_refs(props) if props else EMPTY_REFS
    pprops = props or EMPTY
    block = new_block(new_span(b.file, lo + 1 + b.offset, hi + 1 + b.offset), 1,
                      "\n".join(lines[lo:hi + 1]).strip(), "", None, None, None, None, pprops, prefs,
                      dedupe(refs), dedupe(brefs), tuple(macs), (), True, False, None)
    return block, pprops, prefs


def _diagnostic_line(d: Diagnostic) -> int:
    return d.line


def _tree(builder: Builder, lines: list[str], raws: list[outline.RawBlock]) -> list[Block]:
    """The top-level blocks, last to first, each holding its children (built last to first, so
    every block's children exist when it is made; no recursion)."""
    count = len(raws)
    kids: list[list[Block] | None] = [None] * count
    top: list[Block] = []
    for idx in range(count - 1, -1, -1):
        line0, indent, bullet, btext, last, parent, depth = raws[idx]
        mine = kids[idx]
        if mine is not None:
            mine.reverse()
            children: tuple[Block, ...] = tuple(mine)
        else:
            children = ()
        if last == line0 and bullet and "::" not in btext and (not btext or btext[0] not in _SLOW_FIRST):
            # fast path: a one-line bullet that is not a heading, property or verbatim opener
            block = builder.line(line0, depth, btext, children)
        else:
            block = builder.block(line0, lines[line0][:indent], bullet, btext,
                                  lines[line0 + 1:last + 1] if last > line0 else None, depth, children)
        if parent < 0:
            top.append(block)
        else:
            plist = kids[parent]
            if plist is None:
                kids[parent] = [block]
            else:
                plist.append(block)
    return top


def parse_text(text: str, file: str, fmt: PageFormat = "markdown",
               config: GraphConfig | None = None) -> ParsedText:
    """Parse one page file's text.  Never raises on bad input."""
    diags: list[Diagnostic] = []
    text, bom, crlf = _normalise(text, file, diags)
    if fmt == "org":
        from xuncha_kb.logseq import org

        comma, ignored = _config_keys(config)
        props, prefs, blocks = org.parse_org(text, file, comma, diags, ignored)
        return ParsedText(props, prefs, blocks, bom, crlf, tuple(diags))
    lines = text.split("\n")
    first, raws, _verbatim, _code = outline.scan(lines)
    comma, ignored = _config_keys(config)
    builder = Builder(file, comma, diags, 0, ignored)
    pre, props, prefs = _pre_block(builder, "\n".join(lines[:first]) if first else "")
    top = _tree(builder, lines, raws)
    if pre is not None:
        top.append(pre)
    top.reverse()
    if len(diags) > 1:
        diags.sort(key=_diagnostic_line)  # blocks are built last to first
    return ParsedText(props, prefs, tuple(top), bom, crlf, tuple(diags))


def parse_block_content(content: str, file: str, line: int, fmt: PageFormat = "markdown",
                        config: GraphConfig | None = None) -> Block:
    """Parse one block's text (no leading bullet), e.g. a whiteboard block's ``:block/content``.

    ``line`` is the 1-based line the content starts at (for spans and diagnostics).
    """
    diags: list[Diagnostic] = []
    text, _bom, _crlf = _normalise(content, file, diags)
    if fmt == "org":
        from xuncha_kb.logseq import org

        return org.parse_org_block_content(text, file, line, comma_keys(config), ignored_keys(config))
    first, _, rest = text.partition("\n")
    rest = rest.rstrip(" \t\n")
    builder = Builder(file, comma_keys(config), diags, max(line, 1) - 1, ignored_keys(config))
    return builder.block(0, "", True, first, rest.split("\n") if rest else None, 1, ())
