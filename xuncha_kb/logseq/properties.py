"""``key:: value`` properties: line recognition, key normalisation, value → refs.

Rules (Logseq 0.10.x, mldoc; see docs/reader.md §properties):
- A property line is ``key::`` + (spaces + value | end of line) after optional indentation;
  the key has no whitespace and no ``:``.  ``k::v`` (no space) is not a property.
- Keys are lower-cased, ``_`` and spaces become ``-``; ``custom-id`` becomes ``id``.
  The first occurrence of a key wins.
- Values are kept raw (stripped).  ``tags``/``alias``/``aliases`` and the keys in config
  ``:property/separated-by-commas`` are split on ``,`` and ``，``; every part is a ref.  For other
  keys only ``[[refs]]``, ``#tags`` and ``#[[multi word]]`` are refs.  Quoted values
  (``"…"``) and ``id`` are never parsed for refs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from xuncha_kb.logseq import inline

#: One property line (after stripping indentation).  Group 1 = key, group 2 = value.
PROPERTY_RE = re.compile(r"([^\s:][^\s:]*)::(?:[ \t]+(.*)|)$")
#: The same on an unstripped line (leading/trailing whitespace allowed; strip the value).
PROPERTY_LINE_RE = re.compile(r"\s*([^\s:][^\s:]*)::(?:[ \t]+(.*)|\s*)$")
#: The same for each line of a multi-line text whose lines all start with ``\n`` (the match
#: takes the newline before the line, not the one after it, so a run of property lines gives
#: matches that touch).
PROPERTY_IN_TEXT_RE = re.compile(r"\n[^\S\n]*([^\s:][^\s:]*)::(?:[ \t]+([^\n]*)|[^\S\n]*)(?=\n|\Z)")

#: Keys Logseq maintains itself; never user data [GP property.cljs].
HIDDEN_KEYS: frozenset[str] = frozenset(
    {
        "id", "custom-id", "heading", "collapsed", "created-at", "updated-at", "last-modified-at",
        "query-table", "query-properties", "query-sort-by", "query-sort-desc", "ls-type", "hl-type",
        "hl-page", "hl-stamp", "hl-color", "logseq.macro-name", "logseq.macro-arguments",
        "logseq.order-list-type", "logseq.tldraw.page", "logseq.tldraw.shape", "todo", "doing",
        "now", "later", "done", "background-color",
    }
)

#: Keys whose values are comma-separated lists of page names.
COMMA_KEYS: frozenset[str] = frozenset({"tags", "alias", "aliases"})

#: Keys whose values are never parsed for refs.
NO_REF_KEYS: frozenset[str] = frozenset({"id", "custom-id"})

_COMMA_RE = re.compile(r"[,，]")


class _EmptyMapping(dict[str, Any]):
    """A shared, read-only empty ``properties``/``property_refs`` value: a real (JSON-serialisable)
    dict whose mutating methods raise, so no block can change what all blocks share."""

    __slots__ = ()

    def _readonly(self, *args: object, **kwargs: object) -> None:
        raise TypeError("block properties are read-only")

    __setitem__ = __delitem__ = __ior__ = _readonly  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]


#: The empty properties / property_refs shared by every block without properties.
EMPTY_PROPS: Mapping[str, str] = _EmptyMapping()
EMPTY_PROP_REFS: Mapping[str, tuple[str, ...]] = _EmptyMapping()

_KEYS: dict[str, str] = {}


def normalise_key(key: str) -> str:
    """Logseq's key form: lower case, ``_`` and spaces → ``-``, ``custom-id`` → ``id``."""
    k = _KEYS.get(key)
    if k is None:
        k = key.lower().replace("_", "-").replace(" ", "-")
        if k == "custom-id":
            k = "id"
        if len(_KEYS) < 4096:
            _KEYS[key] = k
    return k


def match_property(stripped: str) -> tuple[str, str] | None:
    """(normalised key, raw value) when ``stripped`` (no indentation) is a property line."""
    if "::" not in stripped:
        return None
    m = PROPERTY_RE.match(stripped)
    if m is None:
        return None
    return normalise_key(m.group(1)), (m.group(2) or "").strip()


_SPLIT_TOKEN_RE = re.compile(r"\[\[|\]\]|[,，]")


def _split_commas(value: str) -> list[str]:
    """Split on ``,``/``，`` outside ``[[…]]`` (an unmatched ``]]`` is plain text)."""
    if "[[" not in value:
        return _COMMA_RE.split(value)
    parts: list[str] = []
    depth = 0
    start = 0
    for m in _SPLIT_TOKEN_RE.finditer(value):
        token = m.group()
        if token == "[[":
            depth += 1
        elif token == "]]":
            if depth:
                depth -= 1
        elif depth == 0:
            parts.append(value[start:m.start()])
            start = m.end()
    parts.append(value[start:])
    return parts


def _ref_of_part(part: str) -> str:
    p = part.strip()
    if p.startswith("#[[") and p.endswith("]]"):
        return p[3:-2].strip()
    if p.startswith("[[") and p.endswith("]]"):
        return p[2:-2].strip()
    if p.startswith("#"):
        return p[1:].strip()
    return p


def value_refs(key: str, value: str, comma_keys: Iterable[str] = ()) -> tuple[str, ...]:
    """Page names a property value refers to (original case, in order, no duplicates)."""
    if not value or key in NO_REF_KEYS:
        return ()
    is_comma = key in COMMA_KEYS or key in comma_keys
    if not is_comma and "[[" not in value and "#" not in value:
        return ()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return ()
    out: list[str] = []
    if is_comma:
        for part in _split_commas(value):
            name = _ref_of_part(part)
            if name:
                out.append(name)
    else:
        text = inline.strip_code(value)
        inline.page_refs(text, out)
        inline.tags(text, out)
    return inline.dedupe(out)


def user_properties(props: Mapping[str, str]) -> dict[str, str]:
    """The properties a person wrote: Logseq's hidden/maintained keys dropped."""
    return {k: v for k, v in props.items() if k not in HIDDEN_KEYS}


#: The separators of a list a person types into a property value (``组员:: 张三、李四；王五``).
LIST_SEPARATORS_RE = re.compile(r"[,，、;；]")
_NAME_REF_RE = re.compile(r"\[\[([^\[\]]+)\]\]|#\[\[([^\[\]]+)\]\]|#(\S+)")


def bare_name(part: str) -> str:
    """One listed name without the blanks and ``[[``/``]]``/``#`` around it."""
    return part.strip().strip("[]#").strip()


def listed_names(raw: str) -> tuple[str, ...]:
    """The names a raw property value lists: its ``[[refs]]``/``#tags`` if it has any, else its
    plain parts between :data:`LIST_SEPARATORS_RE` (original case, in order, blanks dropped).

    For values the reader did not split (``value_refs`` is empty for them)."""
    names = [m.group(1) or m.group(2) or m.group(3) for m in _NAME_REF_RE.finditer(raw)]
    if names:
        return tuple(n.strip() for n in names if n and n.strip())
    return tuple(p.strip() for p in LIST_SEPARATORS_RE.split(raw) if p.strip())


def comma_names(raw: str) -> list[str]:
    """Every ``,``/``，``-separated part of a value as a :func:`bare_name`, empty ones dropped: a
    loose reading (a superset of ``value_refs`` for a comma key) for quick relevance checks."""
    return [n for n in map(bare_name, _COMMA_RE.split(raw)) if n]
