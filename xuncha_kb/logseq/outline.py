"""Markdown outline: lines → raw blocks (where each block starts and ends) → a parent tree.

Rules (Logseq 0.10.x / mldoc, see docs/reader.md §outline):
- A block starts at a line whose text after indentation is ``-`` followed by a space/tab or the
  end of the line, or a Markdown heading ``#…`` followed by a space/tab or the end of the line
  (a heading without a bullet: ``bullet=False``).  ``*``/``+`` list items and ``1.`` are text.
- Indentation width counts every tab or space as one column (as mldoc does).  The tree is built
  with a column stack: deeper = child, equal = sibling, shallower = pop; a column between two
  open columns makes the block a sibling of the deeper one (Logseq's ``with-parent-and-left``).
- Everything else is a continuation line of the current block (or pre-block text before the
  first block), whatever its indentation.
- Verbatim regions — ``` / ~~~ fences, ``#+BEGIN_X … #+END_X``, ``$$ … $$``,
  ``:LOGBOOK: … :END:`` — hold their lines as content: ``- x`` and ``key:: v`` inside them are
  not blocks or properties.  A region only counts when it is closed somewhere later in the file
  (mldoc treats an unclosed opener as plain text).

No recursion anywhere: 10,000-level nesting is fine.
"""

from __future__ import annotations

import re
from typing import Final

_HEADING_LINE_RE = re.compile(r"#+(?:[ \t]|$)")

#: Raw block: (first line index, indent width, bullet?, text after the bullet, last non-blank line
#: index (inclusive), parent raw-block index (-1 = page), depth)
RawBlock = tuple[int, int, bool, str, int, int, int]

_FENCE = 1
_BEGIN = 2
_MATH = 3
_LOGBOOK = 4
_QUOTE_LIKE = 5  # #+BEGIN_QUOTE/NOTE/TIP/…: not blocks or properties, but refs inside count

#: ``#+BEGIN_X`` names whose content is scanned for refs (mldoc parses it inline), unlike
#: SRC/EXAMPLE/EXPORT/COMMENT.
PROSE_BLOCKS: frozenset[str] = frozenset(
    {"QUOTE", "NOTE", "TIP", "IMPORTANT", "CAUTION", "WARNING", "PINNED", "CENTER", "VERSE", "QUERY"}
)


def _opener(s: str) -> tuple[int, str] | None:
    """Does stripped line ``s`` open a verbatim region?  (kind, closing key)."""
    c = s[:1]
    if c == "`":
        if s.startswith("```"):
            return _FENCE, "```"
    elif c == "~":
        if s.startswith("~~~"):
            return _FENCE, "~~~"
    elif c == "#":
        if s[1:8].upper() == "+BEGIN_":
            name = s[8:].split(None, 1)
            if name:
                upper = name[0].upper()
                return (_QUOTE_LIKE if upper in PROSE_BLOCKS else _BEGIN), "#+END_" + upper
    elif c == "$":
        if s.startswith("$$") and "$$" not in s[2:]:
            return _MATH, "$$"
    elif c == ":" and s.rstrip() == ":LOGBOOK:":
        return _LOGBOOK, ":END:"
    return None


def _is_closer(kind: int, key: str, line: str) -> bool:
    s = line.strip()
    if kind == _FENCE:
        return s.startswith(key) and not s.lstrip(key[0])
    if kind in (_BEGIN, _QUOTE_LIKE):
        return s.upper().startswith(key)
    if kind == _MATH:
        return "$$" in s
    return s == key


class _Closers:
    """Finds the closing line of a verbatim region; remembers failed searches (no O(n²))."""

    __slots__ = ("failed", "lines")

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.failed: dict[tuple[int, str], int] = {}

    def find(self, kind: int, key: str, start: int) -> int:
        """Index of the closing line after ``start``, or -1."""
        fkey = (kind, key)
        failed_from = self.failed.get(fkey)
        if failed_from is not None and start >= failed_from:
            return -1
        lines = self.lines
        probe = key[0]
        for j in range(start + 1, len(lines)):
            line = lines[j]
            if probe in line and _is_closer(kind, key, line):
                return j
        self.failed[fkey] = start if failed_from is None else min(start, failed_from)
        return -1


def _mark(kind: int, i: int, close: int, verbatim: set[int], code: set[int]) -> None:
    region = range(i + 1, close + 1)
    verbatim.update(region)
    code.add(i)
    if kind != _QUOTE_LIKE:
        code.update(region)
    else:
        code.add(close)


def _region(s: str, i: int, closers: _Closers, verbatim: set[int], code: set[int]) -> int:
    """If ``s`` (line ``i`` without its indentation, or a bullet's text) opens a verbatim region
    that is closed later, mark the region and return its closing line; otherwise -1."""
    op = _opener(s)
    if op is None:
        return -1
    close = closers.find(op[0], op[1], i)
    if close <= i:
        return -1
    _mark(op[0], i, close, verbatim, code)
    return close


#: What a line starts (:func:`_line_kind`): a bullet block, a heading block, or neither.
_CONTINUATION: Final = 0
_BULLET: Final = 1
_HEADING: Final = 2


def _line_kind(s: str) -> int:
    """Does the non-blank line ``s`` (without its indentation) start a block?"""
    c = s[0]
    if c == "-":
        # "-x" is text; "-", "- x" and "-\tx" are bullets
        return _BULLET if s[1:2] in " \t" else _CONTINUATION  # ("" is in every string)
    if c == "#" and _HEADING_LINE_RE.match(s) is not None:
        return _HEADING
    return _CONTINUATION


class _Columns:
    """The column stack that places blocks in the tree (Logseq ``with-parent-and-left``):
    parallel lists of open columns' indent, block index and depth."""

    __slots__ = ("dep", "idx", "ind")

    def __init__(self) -> None:
        self.ind: list[int] = []
        self.idx: list[int] = []
        self.dep: list[int] = []

    def place(self, indent: int, idx: int) -> tuple[int, int]:
        """(parent raw-block index or -1, depth) of block ``idx`` at column ``indent``."""
        st_ind = self.ind
        st_idx = self.idx
        st_dep = self.dep
        popped_ind = -1
        popped_dep = 0
        while st_ind and st_ind[-1] > indent:
            popped_ind = st_ind.pop()
            st_idx.pop()
            popped_dep = st_dep.pop()
        if st_ind and st_ind[-1] == indent:
            st_idx[-1] = idx
            return (st_idx[-2] if len(st_idx) > 1 else -1), st_dep[-1]
        parent = st_idx[-1] if st_idx else -1
        if popped_ind >= 0:
            # between two open columns: a sibling of the deeper one, taking its column
            depth = popped_dep
            indent = popped_ind
        else:
            depth = st_dep[-1] + 1 if st_dep else 1
        st_ind.append(indent)
        st_idx.append(idx)
        st_dep.append(depth)
        return parent, depth


def scan(lines: list[str]) -> tuple[int, list[RawBlock], set[int], set[int]]:
    """Split lines into raw blocks and place them in the tree, in one pass.

    Returns (index of the first block's line — i.e. the end of the pre-block —, raw blocks,
    indices of lines inside verbatim regions (closing lines included), indices of lines not to
    scan for refs (code: openers, fences' content, closers)).

    A raw block is ``(first line, indent width, bullet?, text after the bullet, last non-blank
    line (inclusive), parent raw-block index or -1, depth)``.
    """
    raws: list[RawBlock] = []
    verbatim: set[int] = set()
    code: set[int] = set()
    closers = _Closers(lines)
    columns = _Columns()
    n = len(lines)
    first = n
    cur_start = -1
    cur_indent = cur_last = 0
    cur_parent = -1
    cur_depth = 1
    cur_bullet = True
    cur_text = ""
    i = 0
    while i < n:
        line = lines[i]
        s = line.lstrip(" \t")
        if not s:
            i += 1
            continue
        kind = _line_kind(s)
        if kind == _CONTINUATION:
            cur_last = i
            text = s
        else:  # a new block starts at line i
            if cur_start >= 0:
                raws.append((cur_start, cur_indent, cur_bullet, cur_text, cur_last, cur_parent, cur_depth))
            elif first == n:
                first = i
            cur_indent = len(line) - len(s)
            cur_parent, cur_depth = columns.place(cur_indent, len(raws))
            cur_start = cur_last = i
            cur_bullet = kind == _BULLET
            cur_text = text = s[2:] if cur_bullet else s
        if text and text[0] in "`~#$:":
            close = _region(text, i, closers, verbatim, code)
            if close > 0:
                cur_last = close
                i = close + 1
                continue
        i += 1
    if cur_start >= 0:
        raws.append((cur_start, cur_indent, cur_bullet, cur_text, cur_last, cur_parent, cur_depth))
    return first, raws, verbatim, code


def parents(indents: list[int]) -> list[int]:
    """Parent index (-1 = page) and depth for each block from its indent width.

    Returns a flat list ``[parent0, depth0, parent1, depth1, …]``.
    """
    out: list[int] = []
    stack: list[tuple[int, int, int]] = []  # (indent, block index, depth)
    for idx, ind in enumerate(indents):
        popped: tuple[int, int, int] | None = None
        while stack and stack[-1][0] > ind:
            popped = stack.pop()
        if stack and stack[-1][0] == ind:
            top = stack.pop()
            parent = stack[-1][1] if stack else -1
            depth = top[2]
            stack.append((ind, idx, depth))
        elif popped is not None:
            # between two open columns: sibling of the deeper one, taking its column
            parent = stack[-1][1] if stack else -1
            depth = popped[2]
            stack.append((popped[0], idx, depth))
        else:
            parent = stack[-1][1] if stack else -1
            depth = stack[-1][2] + 1 if stack else 1
            stack.append((ind, idx, depth))
        out.append(parent)
        out.append(depth)
    return out


def verbatim_lines(lines: list[str]) -> tuple[set[int], set[int]]:
    """(verbatim, code) line indices of text without block splitting (one block's content, or
    an Org page); the first line may open a region."""
    verbatim: set[int] = set()
    code: set[int] = set()
    closers = _Closers(lines)
    i = 0
    n = len(lines)
    while i < n:
        s = lines[i].lstrip(" \t")
        if s[:1] and s[0] in "`~#$:":
            close = _region(s, i, closers, verbatim, code)
            if close > 0:
                i = close + 1
                continue
        i += 1
    return verbatim, code
