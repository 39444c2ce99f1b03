"""Where things are in EDN text: line lookups, a top-level map's value lines, a collection's
element offsets.

Split from :mod:`xuncha_kb.logseq.edn` (which reads the values); nothing here parses values.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from xuncha_kb.logseq.edn import _STRUCTURE, _unescape


class LineIndex:
    """Offset → line lookups in O(log n) for one text."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        self._starts.extend(m.end() for m in re.finditer("\n", text))

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos)


def element_offsets(text: str, key: str) -> list[int]:
    """Start offsets of the elements of the collection stored under top-level map ``key``.

    ``key`` is written as in the file (``":blocks"``).  Used to give whiteboard blocks and
    export pages a line number; returns ``[]`` when the structure is not as expected.
    """
    depth = 0
    want_value = False
    coll_depth = -1
    offsets: list[int] = []
    key_re = re.compile(re.escape(key) + r"(?=[\s,(\[{\"#])")
    pos = 0
    n = len(text)
    tokens = _STRUCTURE
    while pos < n:
        m = tokens.search(text, pos)
        gap_end = m.start() if m else n
        if depth == 1 and not want_value and coll_depth < 0:
            want_value = key_re.search(text, pos, gap_end) is not None
        inside = coll_depth >= 0 and depth == coll_depth
        if inside:
            _atom_offsets(text, pos, gap_end, offsets)
        if not m:
            break
        tok = m.group()
        if tok in ("(", "[", "{", "#{"):
            if inside:
                offsets.append(m.start())
            depth += 1
            if want_value and depth == 2:
                coll_depth = 2
                want_value = False
        elif tok in (")", "]", "}"):
            depth -= 1
            if coll_depth >= 0 and depth < coll_depth:
                return offsets
        elif tok[0] == '"' and inside:
            offsets.append(m.start())
        pos = m.end()
    return offsets


def _atom_offsets(text: str, start: int, end: int, offsets: list[int]) -> None:
    """Append the offsets of the atoms in ``text[start:end]`` (rare: entries are maps)."""
    for am in re.finditer(r"[^\s,]+", text[start:end]):
        offsets.append(start + am.start())


# Where each entry of the top-level map is: a small reader of forms that tracks token positions
# and nothing else (values come from :func:`loads`).  Strings, comments and char literals are
# tokens of their own, so a key mentioned in a comment or inside a string is never mistaken for
# the key; ``#_`` discards the next form and ``#tag`` prefixes it, as in the EDN spec.
_POS_TOKEN = re.compile(
    r'(?P<ws>[\s,]+|;[^\n]*)'
    r'|(?P<str>"[^"\\]*(?:\\.[^"\\]*)*"?)'
    r'|(?P<char>\\(?:newline|space|tab|return|formfeed|backspace|u[0-9a-fA-F]{4}|.))'
    r'|(?P<open>[(\[{]|#\{)'
    r'|(?P<close>[)\]}])'
    r'|(?P<discard>#_)'
    r'|(?P<tag>#[^\s,()\[\]{}"\\;#_][^\s,()\[\]{}"\\;]*)'
    r'|(?P<atom>[^\s,()\[\]{}"\\;]+)'
    r'|(?P<other>.)',
    re.S,
)
_Token = tuple[str, int, str]  # (kind, offset, text)


def _pos_tokens(text: str) -> list[_Token]:
    return [(m.lastgroup or "other", m.start(), m.group()) for m in _POS_TOKEN.finditer(text)
            if m.lastgroup != "ws"]


def _skip_form(toks: list[_Token], i: int) -> int:
    """Index just after the form starting at ``toks[i]`` (its tag and discard prefixes included)."""
    n = len(toks)
    need = 1
    while i < n and need:
        kind = toks[i][0]
        i += 1
        if kind == "discard":
            need += 1  # ``#_ x y``: x is dropped, y is the form
            continue
        if kind == "tag":
            continue  # ``#tag x``: the tag belongs to x
        if kind == "close":
            return i - 1  # the enclosing collection ends: no form here
        if kind == "open":
            depth = 1
            while i < n and depth:
                k = toks[i][0]
                depth += (k == "open") - (k == "close")
                i += 1
        need -= 1
    return i


def _next_element(toks: list[_Token], i: int) -> tuple[int, int] | None:
    """(first token, index after) of the next element of a collection at ``i``; None at its end."""
    n = len(toks)
    while i < n and toks[i][0] == "discard":
        i = _skip_form(toks, i + 1)
    if i >= n or toks[i][0] == "close":
        return None
    end = _skip_form(toks, i)
    return (i, end) if end > i else None


def _key_of(tok: _Token) -> Any:
    kind, _, raw = tok
    if kind == "atom":
        return raw
    if kind == "str" and len(raw) >= 2 and raw.endswith('"'):
        body = raw[1:-1]
        return _unescape(body) if "\\" in body else body
    return None


def map_value_lines(text: str) -> dict[Any, int]:
    """Top-level map key → 1-based line where its *value* starts (``{:a\n 1}`` → ``{":a": 2}``).

    Keys are given as :func:`loads` gives them (keywords as ``":a/b"``, strings unescaped);
    keys that are collections are left out.  For text that is not a map, or is malformed, it
    returns what it could find and never raises.  A repeated key keeps its last line, as
    ``loads`` keeps its last value.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as loads() reads it
    toks = _pos_tokens(text)
    first = _next_element(toks, 0)
    if first is None or toks[first[0]][2] != "{":
        return {}
    lines = LineIndex(text)
    out: dict[Any, int] = {}
    i = first[0] + 1
    while (key := _next_element(toks, i)) is not None:
        value = _next_element(toks, key[1])
        if value is None:
            break
        name = _key_of(toks[key[0]]) if key[1] - key[0] == 1 else None
        if name is not None:
            out[name] = lines.line(toks[value[0]][1])
        i = value[1]
    return out
