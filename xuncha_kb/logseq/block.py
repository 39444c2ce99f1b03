"""Block-body rules: one block's first line and body lines → a ``Block``.

The outline (``outline.py``) says where each block starts and ends; this module reads what a
block holds — heading, task marker, priority, its property run, SCHEDULED/DEADLINE, verbatim
regions, and the text scanned for refs — and builds the ``Block``.  Fields that only the body
decides (content, properties, refs, macros) are deferred to first access where no diagnostic
can come from them (``model.LAZY_BLOCK_FIELDS``).  Page-level rules (pre-block, front matter,
page properties, the tree) are in ``page.py``.  Never raises on bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from xuncha_kb.logseq import outline
from xuncha_kb.logseq.body import (
    body_lines,
    body_properties,
    dedent,
    deferred_body,
    deferred_fields,
    deferred_title,
    deferred_verbatim,
    first_dates,
    prop_refs,
)
from xuncha_kb.logseq.construct import fast_constructor
from xuncha_kb.logseq.inline import MARKER_RE, PRIORITY_RE, split_heading
from xuncha_kb.logseq.properties import (
    EMPTY_PROP_REFS,
    EMPTY_PROPS,
    PROPERTY_RE,
    normalise_key,
)
from xuncha_kb.logseq.timestamps import PLANNING_RE, BadDate, parse_timestamp_body
from xuncha_kb.model import LAZY_BLOCK_FIELDS, Block, Diagnostic, Span, Timestamp

__all__ = ["Builder", "new_block", "new_span", "prop_refs"]

EMPTY = EMPTY_PROPS
EMPTY_REFS = EMPTY_PROP_REFS

#: The Block fields parse_text fills, in the order ``new_block`` takes them.
_BLOCK_ARGS = ("span", "level", "content", "title", "marker", "priority", "scheduled", "deadline",
               "properties", "property_refs", "refs", "block_refs", "macros", "children", "pre_block",
               "bullet", "heading")


new_block: Callable[..., Block] = fast_constructor(Block, _BLOCK_ARGS)
new_span: Callable[[str, int, int], Span] = fast_constructor(Span, ("file", "line", "end_line"))
#: Like ``new_block`` but property_refs/refs/block_refs/macros come from the thunk passed last.
new_lazy_block: Callable[..., Block] = fast_constructor(
    Block, (*(a for a in _BLOCK_ARGS if a not in LAZY_BLOCK_FIELDS), "_lazy"), LAZY_BLOCK_FIELDS)
#: Blocks whose text has no ``::`` have no properties.  Deferred ones get these two fields now
#: too (the thunk returns the same empty values), so a consumer that only looks at properties
#: (progress, ledgers, relevance) never runs the thunk.
_NO_PROPS = {"properties": EMPTY_PROPS, "property_refs": EMPTY_PROP_REFS}
#: One-line bullets (most blocks of a graph): the fewest arguments, the rest fixed.
new_line_block: Callable[..., Block] = fast_constructor(
    Block, ("span", "level", "content", "title", "marker", "priority", "children"), fixed=_NO_PROPS)
new_lazy_line_block: Callable[..., Block] = fast_constructor(
    Block, ("span", "level", "title", "marker", "priority", "children", "_lazy"), LAZY_BLOCK_FIELDS,
    fixed=_NO_PROPS)
new_lazy_block_no_props: Callable[..., Block] = fast_constructor(
    Block, (*(a for a in _BLOCK_ARGS if a not in LAZY_BLOCK_FIELDS), "_lazy"), LAZY_BLOCK_FIELDS,
    fixed=_NO_PROPS)


#: First characters of a first line that may open a verbatim region (for the block's own rules,
#: which strip the line first, a leading space or tab counts too): such blocks are built eagerly.
_FIRST_LINE_SLOW = frozenset(" \t`~#$:")


_Dates = tuple[Timestamp | None, Timestamp | None]


def _has_ref_probe(s: str) -> bool:
    """Might ``s`` hold a ref, tag or macro?  (one-character probes first: cheaper)"""
    return (("[" in s and "[[" in s) or "#" in s or ("(" in s and "((" in s)
            or ("{" in s and "{{" in s))


def _first_line(text: str) -> tuple[int | None, str | None, str | None, str]:
    """(heading level, task marker, priority, title) of a block's first line."""
    heading: int | None = None
    marker: str | None = None
    priority: str | None = None
    title = text
    if text:
        if text[0] == "#":
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
    return heading, marker, priority, title


class Builder:
    """Builds Blocks of one file (or one block's content).  Shared by pages and single blocks."""

    __slots__ = ("comma", "diags", "file", "ignored", "lazy_line_block", "line_block", "marker_match",
                 "offset", "priority_match", "span")

    def __init__(self, file: str, comma: frozenset[str], diags: list[Diagnostic], offset: int = 0,
                 ignored: frozenset[str] = frozenset()) -> None:
        self.ignored = ignored  # config :ignored-page-references-keywords
        self.file = file
        self.comma = comma
        self.diags = diags
        self.offset = offset  # added to line numbers (block content inside another file)
        # What :meth:`line` calls for most blocks of a graph, read once per file (attributes
        # are cheaper to reach than module globals, in the compiled reader too).
        self.line_block = new_line_block
        self.lazy_line_block = new_lazy_line_block
        self.span = new_span
        self.marker_match = MARKER_RE.match
        self.priority_match = PRIORITY_RE.match

    def line(self, line0: int, level: int, text: str, children: tuple[Block, ...]) -> Block:
        """A one-line bullet at 0-based line ``line0`` whose ``text`` is no heading, property or
        verbatim opener (most blocks of a graph): the fewest fields set, refs deferred."""
        marker = priority = None
        title = text
        if text[:1].isupper():
            m = self.marker_match(text)
            if m is not None:
                marker = m.group(1)
                title = text[m.end():]
        if title.startswith("[#"):
            m = self.priority_match(title)
            if m is not None:
                priority = m.group(1)
                title = title[m.end():]
        ln = line0 + 1
        if not (("[" in title and "[[" in title) or "#" in title or ("(" in title and "((" in title)
                or ("{" in title and "{{" in title)):
            content = text.rstrip()
            return self.line_block(self.span(self.file, ln, ln), level, content,
                                   content if title is text and text[:1] not in " \t" else title.strip(),
                                   marker, priority, children)
        return self.lazy_line_block(self.span(self.file, ln, ln), level, title.strip(), marker, priority,
                                    children, (deferred_title, (text.rstrip(), title)))

    def prop_refs(self, props: dict[str, str]) -> Mapping[str, tuple[str, ...]]:
        return prop_refs(props, self.comma, self.ignored)

    def block(self, line0: int, indent_text: str, bullet: bool, text: str, body: list[str] | None,
              level: int, children: tuple[Block, ...]) -> Block:
        """One block: first line ``text`` (after the bullet) at 0-based line ``line0``, then the raw
        ``body`` lines (trailing blank lines removed), or None for a one-line block."""
        heading, marker, priority, title = _first_line(text)
        pieces: list[str] = []  # text to scan for refs (deferred), in file order
        props: dict[str, str] = {}
        run = 0  # property run: 0 not started, 1 in it, 2 over
        if "::" in text:
            m = PROPERTY_RE.match(text.strip())
            if m is not None:
                run = 1
                props[normalise_key(m.group(1))] = (m.group(2) or "").strip()
        if run == 1:  # the first line is a property: no title
            title = ""
        elif _has_ref_probe(title):
            pieces.append(title)
        if not heading and bullet is False:
            heading = 1
        off = self.offset + line0 + 1
        span = new_span(self.file, off, off + (len(body) if body is not None else 0))
        if body is None:
            return self._made(span, level, text.rstrip(), title, marker, priority, (None, None), children,
                              bullet, heading, pieces, props)
        prefix = "\n" + indent_text + "  " if bullet else "\n" + indent_text
        joined = "\n" + "\n".join(body)
        if text[:1] not in _FIRST_LINE_SLOW:
            lazy = self._deferred(span, level, title, marker, priority, children, bullet, heading,
                                  (text, prefix, body, props or None, run, pieces[0] if pieces else None,
                                   self.comma, self.ignored), joined, line0)
            if lazy is not None:
                return lazy
        content, title, dates = self._body(text, prefix, joined, body, props, run, pieces, title, line0)
        return self._made(span, level, content, title, marker, priority, dates, children, bullet, heading,
                          pieces, props)

    def _made(self, span: Span, level: int, content: str, title: str, marker: str | None,
              priority: str | None, dates: _Dates, children: tuple[Block, ...], bullet: bool,
              heading: int | None, pieces: list[str], props: dict[str, str]) -> Block:
        """The block, its ref scan deferred when there is anything to scan."""
        scheduled, deadline = dates
        if pieces or props:
            return new_lazy_block(
                span, level, title.strip(), marker, priority, scheduled, deadline, children, False, bullet,
                heading, (deferred_fields, (content, pieces, props, self.comma, self.ignored)))
        return new_block(
            span, level, content, title.strip(), marker, priority, scheduled, deadline, EMPTY, EMPTY_REFS,
            (), (), (), children, False, bullet, heading,
        )

    def _deferred(self, span: Span, level: int, title: str, marker: str | None, priority: str | None,
                  children: tuple[Block, ...], bullet: bool, heading: int | None,
                  thunk_args: tuple[Any, ...], joined: str, line0: int) -> Block | None:
        """The block with its whole body deferred, or None when the full rules must run now.

        The first line opens no verbatim region, so the body alone decides content, properties
        and refs.  Without SCHEDULED:/DEADLINE: the body can produce no diagnostic and no eager
        field: all of it is deferred to first access.  With them, the dates are read here when no
        verbatim region or property line can hide them; the rest is still deferred."""
        # (one-character tests first: "L" is in both SCHEDULED: and DEADLINE:)
        planning = "L" in joined and ("SCHEDULED:" in joined or "DEADLINE:" in joined)
        verbatim = (("`" in joined and "```" in joined) or ("~" in joined and "~~~" in joined)
                    or ("#" in joined and "#+" in joined) or ("$" in joined and "$$" in joined)
                    or (":" in joined and ":LOGBOOK:" in joined))
        dates: _Dates | None = (None, None)
        if planning:
            dates = None if verbatim else self._plain_dates(joined, line0)
        if dates is None:
            return None
        props_possible = thunk_args[3] is not None or (":" in joined and "::" in joined)
        make = new_lazy_block if props_possible else new_lazy_block_no_props
        return make(span, level, title.strip(), marker, priority, dates[0], dates[1], children, False,
                    bullet, heading, (deferred_verbatim if verbatim else deferred_body, thunk_args))

    def _body(self, text: str, prefix: str, joined: str, body: list[str], props: dict[str, str], run: int,
              pieces: list[str], title: str, line0: int) -> tuple[str, str, _Dates]:
        """The full body rules, now: (content, title, (scheduled, deadline)); fills ``props``
        and ``pieces``."""
        rest = dedent(joined, prefix, body)
        content = text + rest
        dates: _Dates = (None, None)
        if (text[:1] in ("`", "~", "#", "$", ":") and text != "") or (
                "```" in rest or "~~~" in rest or "#+" in rest or "$$" in rest or ":LOGBOOK:" in rest):
            lines = content.split("\n")
            verbatim_set, code = outline.verbatim_lines(lines)
            if 0 in code:  # the first line opens a code region: no title, no title refs
                title = ""
                pieces.clear()
            dates = body_lines(lines, verbatim_set, code, props, run, pieces, self._stamp_at(line0))
        else:
            other, run_start, run_end = body_properties(rest, len(body), props, run)
            if "SCHEDULED:" in other or "DEADLINE:" in other:
                dates = self._cut_dates(other, rest, run_start, run_end, line0)
            if "[[" in other or "#" in other or "((" in other or "{{" in other:
                pieces.append(other)
        return content.rstrip(), title, dates

    def _cut_dates(self, other: str, rest: str, run_start: int, run_end: int, line0: int) -> _Dates:
        """(scheduled, deadline) of ``other``: ``rest`` with its property run [run_start,
        run_end) cut out (positions in ``other`` → lines of ``rest``)."""
        shift = run_end - run_start
        return first_dates(
            (pm.group(1), self._timestamp(pm.group(2), line0 + rest.count(
                "\n", 0, pm.start() + (shift if pm.start() >= run_start else 0) + 1)))
            for pm in PLANNING_RE.finditer(other))

    def _stamp_at(self, line0: int) -> Callable[[str, int], Timestamp | None]:
        """``stamp(body, j)``: the timestamp of body line ``j`` of the block at ``line0``."""
        return lambda body, j: self._timestamp(body, line0 + j)

    def _plain_dates(self, joined: str, line0: int
                     ) -> tuple[Timestamp | None, Timestamp | None] | None:
        """(scheduled, deadline) of a body without verbatim regions, or None when a planning
        line also holds ``::`` (it may belong to the property run: the full rules decide, and
        no timestamp has been read yet, so no diagnostic is made twice)."""
        matches = list(PLANNING_RE.finditer(joined))
        for pm in matches:
            pos = pm.start()
            start = joined.rfind("\n", 0, pos)
            end = joined.find("\n", pos)
            if "::" in (joined[start:end] if end >= 0 else joined[start:]):
                return None
        return first_dates((pm.group(1), self._timestamp(
            pm.group(2), line0 + joined.count("\n", 0, pm.start() + 1))) for pm in matches)

    def _timestamp(self, body: str, j: int) -> Timestamp | None:
        try:
            return parse_timestamp_body(body)
        except BadDate as exc:
            self.diags.append(Diagnostic(self.file, j + 1 + self.offset,
                                         f"日期不存在：{exc}，已忽略该 SCHEDULED/DEADLINE"))
            return None
