"""The head of a page file: the text before its first block, read cheaply.

Two consumers want the page properties without parsing the whole page:

* ``scaffold`` indexes every page of a graph by name and definition type, and parses only
  :func:`pre_block_text` — the lines before the first line that could start a block (a bullet
  ``-``/``*``, a heading or tag ``#`` in Markdown; a ``*`` headline in Org).  The page
  properties always lie inside it.
* ``live`` (the watch cold start) decides from the raw text whether a file can matter.  It
  needs a *superset* of the parser's pre-block, so :func:`bullet_head` cuts only at the first
  top-level ``- `` bullet; it always contains :func:`pre_block_text`.  :func:`property_keys`
  is the matching quick scan for the keys of every ``key::`` line of a file.
"""

from __future__ import annotations

import re

from xuncha_kb.model import PageFormat

_KEY_HEAD = re.compile(r"[ \t]*(?:- )?([^\s:#`\[][^\s:]*)")


def pre_block_text(text: str, fmt: PageFormat = "markdown") -> str:
    """The part of a page before its first block (where page properties live)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if fmt == "org":
            if line.startswith("*"):
                return "\n".join(lines[:i])
        elif stripped.startswith(("- ", "#", "* ")) or stripped in ("-", "*"):
            return "\n".join(lines[:i])
    return text


def bullet_head(text: str) -> str:
    """The Markdown text before the first top-level ``- `` bullet: a superset of the pre-block."""
    if text.startswith("- "):
        return ""
    cut = text.find("\n- ")
    return text if cut < 0 else text[:cut]


def property_keys(text: str) -> set[str]:
    """Keys of every ``key:: value`` line (page, block, or first line of a bullet), normalised.

    Finds each ``::`` and looks back to the line start: much faster than a multiline regex
    over the whole text, since most lines have no ``::`` at all.
    """
    keys: set[str] = set()
    find, rfind = text.find, text.rfind
    i = find("::")
    while i != -1:
        after = text[i + 2:i + 3]
        if after in ("", " ", "\t", "\n", "\r"):
            m = _KEY_HEAD.fullmatch(text, rfind("\n", 0, i) + 1, i)
            if m:
                keys.add(m.group(1).lower().replace("_", "-"))
        i = find("::", i + 2)
    return keys
