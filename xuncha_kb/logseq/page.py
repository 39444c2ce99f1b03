"""Page text → ParsedText (page properties + block tree), the way Logseq reads a file.

Entry points:
- ``parse_text(text, file, fmt="markdown", config=None) -> ParsedText`` — one page/journal file
  (already decoded; the scanner handles bytes and invalid UTF-8).
- ``parse_block_content(content, file, line, fmt="markdown", config=None) -> Block`` — the text of
  one block without its bullet (whiteboard and export blocks).

Malformed input never raises; problems become ``Diagnostic``s (messages in Chinese).
The rules are listed in docs/reader.md; the outline lives in ``outline.py``, inline rules in
``inline.py``, properties in ``properties.py``, timestamps in ``timestamps.py``, Org in ``org.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from xuncha_kb.logseq import outline
from xuncha_kb.logseq.inline import (
    MARKER_RE,
    PRIORITY_RE,
    dedupe,
    scan_inline,
    split_heading,
)
from xuncha_kb.logseq.properties import PROPERTY_RE, normalise_key, user_properties, value_refs
from xuncha_kb.logseq.timestamps import PLANNING_RE, BadDate, parse_timestamp_body
from xuncha_kb.model import Block, Diagnostic, GraphConfig, PageFormat, Span, Timestamp

__all__ = ["ParsedText", "parse_block_content", "parse_text", "user_properties"]

EMPTY: Mapping[str, str] = MappingProxyType({})
EMPTY_REFS: Mapping[str, tuple[str, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one page file holds."""

    properties: Mapping[str, str]  # page properties (pre-block key:: lines / org #+KEY:), raw
    property_refs: Mapping[str, tuple[str, ...]]
    blocks: tuple[Block, ...]  # top level; the pre-block first (pre_block=True) if any
    bom: bool = False
    crlf: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()


def comma_keys(config: GraphConfig | None) -> frozenset[str]:
    """Keys that config ``:property/separated-by-commas`` adds to comma splitting."""
    if config is None or not config.separated_by_commas:
        return frozenset()
    return frozenset(normalise_key(k.lstrip(":")) for k in config.separated_by_commas)


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
    return text, bom, crlf


class _BlockBuilder:
    """Turns one raw block (its lines) into the fields of a Block.  Shared by md pages and
    single-block content."""

    __slots__ = ("code", "comma", "diags", "file", "lines", "offset", "verbatim")

    def __init__(self, lines: list[str], verbatim: set[int], code: set[int], file: str,
                 comma: frozenset[str], diags: list[Diagnostic], offset: int = 0) -> None:
        self.code = code
        self.offset = offset  # added to 1-based line numbers (block content inside another file)
        self.lines = lines
        self.verbatim = verbatim
        self.file = file
        self.comma = comma
        self.diags = diags

    def properties(self, first: str | None, start: int, end: int
                   ) -> tuple[Mapping[str, str], Mapping[str, tuple[str, ...]], set[int]]:
        """The first contiguous run of property lines (``first`` = the bullet line's text when it
        may itself be a property line).  Returns props, refs, and the line indices used."""
        lines = self.lines
        verbatim = self.verbatim
        props: dict[str, str] = {}
        used: set[int] = set()
        started = False
        if first is not None and "::" in first:
            m = PROPERTY_RE.match(first.strip())
            if m is not None:
                started = True
                props[normalise_key(m.group(1))] = (m.group(2) or "").strip()
                used.add(start - 1)
        for j in range(start, end):
            line = lines[j]
            if "::" not in line or j in verbatim:
                if started:
                    break
                continue
            m = PROPERTY_RE.match(line.strip())
            if m is None:
                if started:
                    break
                continue
            started = True
            used.add(j)
            key = normalise_key(m.group(1))
            if key not in props:
                props[key] = (m.group(2) or "").strip()
        if not props:
            return EMPTY, EMPTY_REFS, used
        refs: dict[str, tuple[str, ...]] = {}
        comma = self.comma
        for k, v in props.items():
            r = value_refs(k, v, comma)
            if r:
                refs[k] = r
        return props, (refs or EMPTY_REFS), used

    def build(self, start: int, indent_text: str, bullet: bool, text: str, end: int,
              level: int, children: tuple[Block, ...]) -> Block:
        lines = self.lines
        verbatim = self.verbatim
        # trailing blank lines belong to nobody
        last = end - 1
        while last > start and not lines[last].strip():
            last -= 1
        heading: int | None = None
        marker: str | None = None
        priority: str | None = None
        title = text
        if text:
            c = text[0]
            if c == "#":
                heading, title = split_heading(text)
            if title[:1].isupper():
                m = MARKER_RE.match(title)
                if m is not None:
                    marker = m.group(1)
                    title = title[m.end():]
            if title.startswith("[#"):
                m = PRIORITY_RE.match(title)
                if m is not None:
                    priority = m.group(1)
                    title = title[m.end():]
        scheduled: Timestamp | None = None
        deadline: Timestamp | None = None
        refs: list[str] = []
        brefs: list[str] = []
        macs: list[str] = []
        props: Mapping[str, str] = EMPTY
        prefs: Mapping[str, tuple[str, ...]] = EMPTY_REFS
        first_is_prop = bool(text) and "::" in text and PROPERTY_RE.match(text.strip()) is not None
        if last > start:
            body = lines[start + 1:last + 1]
            prefix = indent_text + "  " if bullet else indent_text
            plen = len(prefix)
            parts = [text]
            for line in body:
                if line.startswith(prefix):
                    parts.append(line[plen:])
                else:
                    parts.append(line.lstrip(" \t"))
            content = "\n".join(parts)
            props, prefs, used = self.properties(text if first_is_prop else None, start + 1, last + 1)
            code = self.code
            for j in range(start + 1, last + 1):
                if j in used:
                    continue
                line = lines[j]
                if j in verbatim:
                    if j not in code:
                        scan_inline(line, refs, brefs, macs)
                    continue
                if "SCHEDULED:" in line or "DEADLINE:" in line:
                    for pm in PLANNING_RE.finditer(line):
                        ts = self._timestamp(pm.group(2), j)
                        if ts is None:
                            continue
                        if pm.group(1) == "SCHEDULED":
                            if scheduled is None:
                                scheduled = ts
                        elif deadline is None:
                            deadline = ts
                if j not in code:
                    scan_inline(line, refs, brefs, macs)
        else:
            content = text
            if first_is_prop:
                props, prefs, _ = self.properties(text, start + 1, start + 1)
        if first_is_prop or start in self.code:  # property line / opens a code region
            title = ""
        else:
            scan_inline(title, refs, brefs, macs)
        if not heading and bullet is False:
            heading = 1
        return Block(
            span=Span(self.file, start + 1 + self.offset, last + 1 + self.offset),
            level=level,
            content=content.rstrip(),
            title=title.strip(),
            marker=marker,
            priority=priority,
            scheduled=scheduled,
            deadline=deadline,
            properties=props,
            property_refs=prefs,
            refs=dedupe(refs),
            block_refs=dedupe(brefs),
            macros=tuple(macs),
            children=children,
            bullet=bullet,
            heading=heading,
        )

    def _timestamp(self, body: str, j: int) -> Timestamp | None:
        try:
            return parse_timestamp_body(body)
        except BadDate as exc:
            self.diags.append(Diagnostic(self.file, j + 1 + self.offset,
                                         f"日期不存在：{exc}，已忽略该 SCHEDULED/DEADLINE"))
            return None


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


def _pre_block(b: _BlockBuilder, lines: list[str], first: int
               ) -> tuple[Block | None, Mapping[str, str], Mapping[str, tuple[str, ...]]]:
    lo = 0
    while lo < first and not lines[lo].strip():
        lo += 1
    if lo >= first:
        return None, EMPTY, EMPTY_REFS
    hi = first - 1
    while hi > lo and not lines[hi].strip():
        hi -= 1
    front, after = front_matter(lines, first) if lo == 0 else ({}, 0)
    props, prefs, used = b.properties(None, max(lo, after), hi + 1)
    if front:
        merged = dict(front)
        for k, v in props.items():
            merged.setdefault(k, v)
        props = merged
        prefs = {k: r for k, v in merged.items() if (r := value_refs(k, v, b.comma))} or EMPTY_REFS
        used.update(range(0, after))
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    for j in range(lo, hi + 1):
        if j not in used and j not in b.code:
            scan_inline(lines[j], refs, brefs, macs)
    content = "\n".join(lines[lo:hi + 1]).strip()
    block = Block(
        span=Span(b.file, lo + 1, hi + 1),
        level=1,
        content=content,
        title="",
        properties=props,
        property_refs=prefs,
        refs=dedupe(refs),
        block_refs=dedupe(brefs),
        macros=tuple(macs),
        pre_block=True,
        bullet=False,
    )
    return block, props, prefs


def parse_text(text: str, file: str, fmt: PageFormat = "markdown",
               config: GraphConfig | None = None) -> ParsedText:
    """Parse one page file's text.  Never raises on bad input."""
    diags: list[Diagnostic] = []
    text, bom, crlf = _normalise(text, file, diags)
    if fmt == "org":
        from xuncha_kb.logseq import org

        props, prefs, blocks = org.parse_org(text, file, comma_keys(config), diags)
        return ParsedText(props, prefs, blocks, bom, crlf, tuple(diags))
    lines = text.split("\n")
    first, raws, verbatim, code = outline.scan(lines)
    builder = _BlockBuilder(lines, verbatim, code, file, comma_keys(config), diags)
    pre, props, prefs = _pre_block(builder, lines, first)
    tree = outline.parents([r[1] for r in raws])
    count = len(raws)
    kids: list[list[Block] | None] = [None] * count
    top: list[Block] = []
    build = builder.build
    for idx in range(count - 1, -1, -1):
        start, indent, bullet, btext, end = raws[idx]
        mine = kids[idx]
        if mine is not None:
            mine.reverse()
            children: tuple[Block, ...] = tuple(mine)
            kids[idx] = None
        else:
            children = ()
        block = build(start, lines[start][:indent], bullet, btext, end, tree[2 * idx + 1], children)
        parent = tree[2 * idx]
        if parent < 0:
            top.append(block)
        else:
            plist = kids[parent]
            if plist is None:
                kids[parent] = [block]
            else:
                plist.append(block)
    if pre is not None:
        top.append(pre)
    top.reverse()
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

        return org.parse_org_block_content(text, file, line, comma_keys(config))
    lines = text.split("\n")
    verbatim, code = outline.verbatim_lines(lines)
    builder = _BlockBuilder(lines, verbatim, code, file, comma_keys(config), diags, max(line, 1) - 1)
    return builder.build(0, "", True, lines[0], len(lines), 1, ())
