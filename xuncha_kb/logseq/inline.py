"""Inline rules of a block's text: markers, priorities, headings, refs, tags, block refs, macros.

Each Logseq rule is one small named function or regex here (see docs/reader.md).
"""

from __future__ import annotations

import re

from xuncha_kb.model import MARKERS

#: A task marker is the first word of the title, case-sensitive, followed by a space
#: (``DONE`` alone is not a task; ``TODO\\tx`` is not either).
MARKER_RE = re.compile(r"(" + "|".join(sorted(MARKERS, key=len, reverse=True)) + r") +")

#: Priority ``[#A]`` right at the start of the title (after the marker, if any).
PRIORITY_RE = re.compile(r"\[#([A-Za-z])\][ \t]*")

#: Markdown heading inside a bullet: ``- ## Usage``.
HEADING_RE = re.compile(r"(#+)(?:[ \t]+|$)")

_CODE_RE = re.compile(r"``[^`\n]*``|`[^`\n]*`")
_ORG_CODE_RE = re.compile(r"(?<![^\s(])([~=])[^\s~=](?:[^\n]*?[^\s])?\1")
_BRACKETS_RE = re.compile(r"\[\[|\]\]")
_SIMPLE_REF_RE = re.compile(r"\[\[([^\[\]\n]*)\]\]")
#: ``#tag``: up to whitespace or one of ``, ; : ' " ! ? #`` (mldoc keeps ``)``, ``]``, full-width
#: punctuation and inner dots; trailing dots are not part of the tag).
_TAG_RE = re.compile(r"#(?<!\\#)([^\s,;:'\"!?#]+)")  # '#' first: sre searches for it fast
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_BLOCK_REF_RE = re.compile(r"\(\((" + _UUID + r")\)\)")
_MACRO_FULL_RE = re.compile(r"\{\{([^\s{}]+)([^{}\n]*?)\}\}")
_MD_LINK_RE = re.compile(r"\[[^\[\]\n]*\]\([^()\n]*\)")  # an image's "!" is no tag char anyway
#: A URL; matches only start at a word start (linear even on a 10 MB line of letters).
_URL_RE = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s)\]>]+")


def split_heading(text: str) -> tuple[int | None, str]:
    """``## x`` → (2, "x"); no heading → (None, text)."""
    if text.startswith("#"):
        m = HEADING_RE.match(text)
        if m is not None:
            return len(m.group(1)), text[m.end():]
    return None, text


def strip_code(text: str) -> str:
    """Remove inline code spans (refs inside them do not count)."""
    if "`" not in text:
        return text
    return _CODE_RE.sub(" ", text)


def _page_ref_spans(text: str, out: list[str]) -> list[tuple[int, int]]:
    """Append page names of ``[[…]]`` (nested ``[[a [[b]]]]`` gives both) and return the spans of
    the outermost refs.  Org links ``[[url][label]]`` are not page refs."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for m in _BRACKETS_RE.finditer(text):
        if m.group() == "[[":
            stack.append(m.end())
        elif stack:
            start = stack.pop()
            name = text[start:m.start()].strip()
            if name and "][" not in name:
                out.append(name)
            if not stack:
                spans.append((start - 2, m.end()))
    return spans


def page_refs(text: str, out: list[str]) -> None:
    """Append ``[[page]]`` refs of ``text`` to ``out``; nested ``[[a [[b]]]]`` gives both."""
    if "[[" in text:
        _page_ref_spans(text, out)


def tags(text: str, out: list[str]) -> None:
    """Append ``#tag`` names (``#[[multi word]]`` is found by page_refs)."""
    if "#" not in text:
        return
    for m in _TAG_RE.finditer(text):
        name = m.group(1).rstrip(".")
        if name.endswith("**"):  # **bold #tag**
            name = name.rstrip("*")
        if name and not name.startswith("[["):
            out.append(name)


def block_refs(text: str, out: list[str]) -> None:
    if "((" not in text:
        return
    out.extend(m.group(1).lower() for m in _BLOCK_REF_RE.finditer(text))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    parts: list[str] = []
    pos = 0
    for a, b in spans:
        parts.append(text[pos:a])
        parts.append(" ")
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def scan_inline(text: str, refs: list[str], brefs: list[str], macs: list[str], org: bool = False) -> None:
    """All inline refs of one line (or of several lines: nothing here spans a newline).

    Inline code is removed first; macros are recorded by name and their arguments are not refs,
    except ``{{embed [[page]]}}`` / ``{{embed ((uuid))}}``; tags inside URLs and ``[[…]]`` do not
    count.
    """
    if "`" in text:
        text = _CODE_RE.sub(" ", text)
    if org and ("~" in text or "=" in text) and len(text) < 100_000:  # lazy regex: bound the input
        text = _ORG_CODE_RE.sub(" ", text)
    if "{{" in text:
        text = _cut_macros(text, refs, brefs, macs)
    if "((" in text:
        block_refs(text, brefs)
    if "[[" in text:
        text = _cut_page_refs(text, refs)
    if "#" in text:
        if "](" in text:
            text = _MD_LINK_RE.sub(" ", text)
        if "://" in text:
            text = _URL_RE.sub(" ", text)
        tags(text, refs)


def _cut_macros(text: str, refs: list[str], brefs: list[str], macs: list[str]) -> str:
    """Record the macros of ``text`` (and an embed's ref) and return it without them."""
    for m in _MACRO_FULL_RE.finditer(text):
        name = m.group(1)
        macs.append(name)
        if name == "embed":
            args = m.group(2)
            _page_ref_spans(args, refs)
            block_refs(args, brefs)
    return _MACRO_FULL_RE.sub(" ", text)


def _cut_page_refs(text: str, refs: list[str]) -> str:
    """Record the ``[[page]]`` refs of ``text``; return it with them blanked where a tag could
    still be found (tags inside ``[[…]]`` do not count)."""
    simple = _SIMPLE_REF_RE.findall(text)
    if len(simple) == text.count("[["):  # no nesting, no stray brackets: the common case
        for name in simple:
            name = name.strip()
            if name and "][" not in name:
                refs.append(name)
        return _SIMPLE_REF_RE.sub(" ", text) if "#" in text else text
    if "\n" in text:  # refs never span lines: pair brackets line by line
        parts = []
        for ln in text.split("\n"):
            spans = _page_ref_spans(ln, refs) if "[[" in ln else None
            parts.append(_blank(ln, spans) if spans else ln)
        return "\n".join(parts)
    spans = _page_ref_spans(text, refs)
    return _blank(text, spans) if spans else text


def dedupe(items: list[str]) -> tuple[str, ...]:
    """Keep the first occurrence of each item, in order."""
    if len(items) < 2:
        return tuple(items)
    return tuple(dict.fromkeys(items))
