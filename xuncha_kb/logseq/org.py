"""Org-mode pages: headlines ``*`` (level = number of stars), drawers, ``#+KEY:`` directives.

Rules (mldoc Org mode, see docs/reader.md §org):
- A block starts at a line ``*``…``*`` at column 0 followed by a space/tab or the end of the line.
- Page properties: ``#+KEY: value`` directives before the first headline, and/or a
  ``:PROPERTIES:`` drawer at the top (before the first headline).
- Block properties: the first ``:PROPERTIES:`` … ``:END:`` drawer of the block, lines
  ``:key: value``.  Same markers, priorities, SCHEDULED/DEADLINE and refs as Markdown.
- ``#+BEGIN_X`` … ``#+END_X`` and ``:LOGBOOK:`` drawers are verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from xuncha_kb.logseq import outline
from xuncha_kb.logseq.inline import MARKER_RE, PRIORITY_RE, dedupe, scan_inline
from xuncha_kb.logseq.properties import EMPTY_PROP_REFS, EMPTY_PROPS, normalise_key, value_refs
from xuncha_kb.logseq.timestamps import PLANNING_RE, BadDate, parse_timestamp_body
from xuncha_kb.model import Block, Diagnostic, Span, Timestamp

_HEADLINE_RE = re.compile(r"(\*+)(?:[ \t]+|$)")
_DIRECTIVE_RE = re.compile(r"#\+([^\s:]+):[ \t]*(.*)$")
_DRAWER_PROP_RE = re.compile(r":([^\s:]+):(?:[ \t]+(.*)|[ \t]*)$")

_EMPTY = EMPTY_PROPS
_EMPTY_REFS = EMPTY_PROP_REFS


def _refs_of(props: dict[str, str], comma: frozenset[str], ignored: frozenset[str] = frozenset()
             ) -> Mapping[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for k, v in props.items():
        if k in ignored:
            continue
        r = value_refs(k, v, comma)
        if r:
            out[k] = r
    return out or _EMPTY_REFS


def _drawer(lines: list[str], start: int, end: int, head_opens: bool = False
            ) -> tuple[dict[str, str], set[int]] | None:
    """The first ``:PROPERTIES:`` drawer in lines[start:end]: (props, line indices used).
    ``head_opens``: the headline text itself is ``:PROPERTIES:`` (``**** :PROPERTIES:``)."""
    for j in range(start, end):
        if (head_opens and j == start) or lines[j].strip().upper() == ":PROPERTIES:":
            props: dict[str, str] = {}
            used = {j}
            for k in range(j + 1, end):
                s = lines[k].strip()
                used.add(k)
                if s.upper() == ":END:":
                    return props, used
                m = _DRAWER_PROP_RE.match(s)
                if m is not None:
                    key = normalise_key(m.group(1))
                    if key not in props:
                        props[key] = (m.group(2) or "").strip()
            return None
    return None


class _Org:
    __slots__ = ("code", "comma", "diags", "file", "ignored", "lines", "offset", "verbatim")

    def __init__(self, lines: list[str], file: str, comma: frozenset[str], diags: list[Diagnostic],
                 offset: int = 0, ignored: frozenset[str] = frozenset()) -> None:
        self.ignored = ignored
        self.lines = lines
        self.file = file
        self.comma = comma
        self.diags = diags
        self.offset = offset
        self.verbatim, self.code = outline.verbatim_lines(lines)

    def block(self, start: int, text: str, end: int, level: int, children: tuple[Block, ...]) -> Block:
        lines = self.lines
        last = end - 1
        while last > start and not lines[last].strip():
            last -= 1
        marker, priority, title = _headline_text(text)
        props: Mapping[str, str] = _EMPTY
        prefs: Mapping[str, tuple[str, ...]] = _EMPTY_REFS
        used: set[int] = set()
        head_opens = title.strip().upper() == ":PROPERTIES:"
        if head_opens:
            title = ""
            found = _drawer(lines, start, last + 1, head_opens=True)
        else:
            found = _drawer(lines, start + 1, last + 1)
        if found is not None and found[0]:
            props, used = found[0], found[1]
            prefs = _refs_of(found[0], self.comma, self.ignored)
        elif found is not None:
            used = found[1]
        refs: list[str] = []
        brefs: list[str] = []
        macs: list[str] = []
        scan_inline(title, refs, brefs, macs, org=True)
        scheduled, deadline = self._body(start, last, used, refs, brefs, macs)
        content = "\n".join([text, *lines[start + 1:last + 1]]).rstrip()
        return Block(
            span=Span(self.file, start + 1 + self.offset, last + 1 + self.offset),
            level=level,
            content=content,
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
        )

    def _body(self, start: int, last: int, used: set[int], refs: list[str], brefs: list[str],
              macs: list[str]) -> tuple[Timestamp | None, Timestamp | None]:
        """(scheduled, deadline) of the lines after the headline up to ``last`` (drawer lines in
        ``used`` skipped); their refs and macros go to ``refs``, ``brefs``, ``macs``."""
        scheduled: Timestamp | None = None
        deadline: Timestamp | None = None
        for j in range(start + 1, last + 1):
            if j in used:
                continue
            line = self.lines[j]
            if j in self.verbatim:
                if j not in self.code:
                    scan_inline(line, refs, brefs, macs, org=True)
                continue
            if "SCHEDULED:" in line or "DEADLINE:" in line:
                for kind, ts in self._planning(line, j):
                    if kind == "SCHEDULED":
                        scheduled = scheduled or ts
                    else:
                        deadline = deadline or ts
            if j not in self.code:
                scan_inline(line, refs, brefs, macs, org=True)
        return scheduled, deadline

    def _planning(self, line: str, j: int) -> list[tuple[str, Timestamp]]:
        """The valid (kind, timestamp) pairs of planning line ``j``; a bad date becomes a
        diagnostic."""
        out: list[tuple[str, Timestamp]] = []
        for tm in PLANNING_RE.finditer(line):
            try:
                ts = parse_timestamp_body(tm.group(2))
            except BadDate as exc:
                self.diags.append(Diagnostic(self.file, j + 1 + self.offset,
                                             f"日期不存在：{exc}，已忽略该 SCHEDULED/DEADLINE"))
                continue
            if ts is not None:
                out.append((tm.group(1), ts))
        return out


def _headline_text(text: str) -> tuple[str | None, str | None, str]:
    """(task marker, priority, title) of a headline's text."""
    marker = priority = None
    title = text
    m = MARKER_RE.match(title)
    if m is not None:
        marker = m.group(1)
        title = title[m.end():]
    pm = PRIORITY_RE.match(title)
    if pm is not None:
        priority = pm.group(1)
        title = title[pm.end():]
    return marker, priority, title


def _headlines(lines: list[str], verbatim: set[int]) -> list[tuple[int, int, str]]:
    """(line index, stars, text) of every headline outside verbatim regions."""
    heads: list[tuple[int, int, str]] = []
    for i, line in enumerate(lines):
        if line[:1] == "*" and i not in verbatim:
            m = _HEADLINE_RE.match(line)
            if m is not None:
                heads.append((i, len(m.group(1)), line[m.end():]))
    return heads


def _page_properties(lines: list[str], first: int, verbatim: set[int]) -> dict[str, str]:
    """Page properties: a top drawer and ``#+KEY:`` directives before the first headline."""
    page_props: dict[str, str] = {}
    used: set[int] = set()
    found = _drawer(lines, 0, first)
    if found is not None:
        page_props.update(found[0])
        used = found[1]
    for j in range(first):
        if j in used or j in verbatim:
            continue
        m = _DIRECTIVE_RE.match(lines[j])
        if m is not None and not m.group(1).upper().startswith(("BEGIN_", "END_")):
            key = normalise_key(m.group(1))
            page_props.setdefault(key, m.group(2).strip())
    return page_props


def _pre_block(lines: list[str], first: int, file: str, props: Mapping[str, str],
               prefs: Mapping[str, tuple[str, ...]]) -> Block | None:
    """The text before the first headline, if any is non-blank."""
    lo = 0
    while lo < first and not lines[lo].strip():
        lo += 1
    if lo >= first:
        return None
    hi = first - 1
    while hi > lo and not lines[hi].strip():
        hi -= 1
    return Block(
        span=Span(file, lo + 1, hi + 1),
        level=1,
        content="\n".join(lines[lo:hi + 1]).strip(),
        title="",
        properties=props,
        property_refs=prefs,
        pre_block=True,
        bullet=False,
    )


def _tree(org: _Org, heads: list[tuple[int, int, str]]) -> list[Block]:
    """The top-level blocks, last to first, each holding its children (no recursion)."""
    tree = outline.parents([h[1] for h in heads])
    n = len(heads)
    kids: list[list[Block] | None] = [None] * n
    blocks: list[Block] = []
    for idx in range(n - 1, -1, -1):
        start, _stars, htext = heads[idx]
        end = heads[idx + 1][0] if idx + 1 < n else len(org.lines)
        mine = kids[idx]
        children: tuple[Block, ...] = ()
        if mine is not None:
            mine.reverse()
            children = tuple(mine)
        b = org.block(start, htext, end, tree[2 * idx + 1], children)
        parent = tree[2 * idx]
        if parent < 0:
            blocks.append(b)
        else:
            plist = kids[parent]
            if plist is None:
                kids[parent] = [b]
            else:
                plist.append(b)
    return blocks


def parse_org(text: str, file: str, comma: frozenset[str], diags: list[Diagnostic],
              ignored: frozenset[str] = frozenset()
              ) -> tuple[Mapping[str, str], Mapping[str, tuple[str, ...]], tuple[Block, ...]]:
    """Page properties, their refs, and the top-level blocks of an Org page."""
    lines = text.split("\n")
    org = _Org(lines, file, comma, diags, 0, ignored)
    heads = _headlines(lines, org.verbatim)
    first = heads[0][0] if heads else len(lines)
    page_props = _page_properties(lines, first, org.verbatim)
    props: Mapping[str, str] = page_props or _EMPTY
    prefs = _refs_of(page_props, comma, ignored) if page_props else _EMPTY_REFS
    pre = _pre_block(lines, first, file, props, prefs)
    blocks = _tree(org, heads)
    if pre is not None:
        blocks.append(pre)
    blocks.reverse()
    return props, prefs, tuple(blocks)


def parse_org_block_content(text: str, file: str, line: int, comma: frozenset[str],
                            ignored: frozenset[str] = frozenset()) -> Block:
    """One Org block's text (headline stars removed)."""
    lines = text.split("\n")
    org = _Org(lines, file, comma, [], max(line, 1) - 1, ignored)
    return org.block(0, lines[0], len(lines), 1, ())
