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
_BRACKETS_RE = re.compile(r"\[\[|\]\]")
_TAG_RE = re.compile(r"(?:^|(?<=[\s,，(]))#(?:\[\[|([^\s,.!?\"'()\[\]{}<>;`#，。！？、]+))")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_BLOCK_REF_RE = re.compile(r"\(\((" + _UUID + r")\)\)")
_MACRO_RE = re.compile(r"\{\{([^\s{}]+)")


def split_marker(title: str) -> tuple[str | None, str]:
    """``TODO x`` → ("TODO", "x"); no marker → (None, title)."""
    if title[:1].isupper():
        m = MARKER_RE.match(title)
        if m is not None:
            return m.group(1), title[m.end():]
    return None, title


def split_priority(title: str) -> tuple[str | None, str]:
    """``[#A] x`` → ("A", "x")."""
    if title.startswith("[#"):
        m = PRIORITY_RE.match(title)
        if m is not None:
            return m.group(1), title[m.end():]
    return None, title


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


def page_refs(text: str, out: list[str]) -> None:
    """Append ``[[page]]`` refs of ``text`` to ``out``; nested ``[[a [[b]]]]`` gives both."""
    if "[[" not in text:
        return
    stack: list[int] = []
    for m in _BRACKETS_RE.finditer(text):
        if m.group() == "[[":
            stack.append(m.end())
        elif stack:
            start = stack.pop()
            name = text[start:m.start()].strip()
            if name:
                out.append(name)


def tags(text: str, out: list[str]) -> None:
    """Append ``#tag`` names (``#[[multi word]]`` is found by page_refs)."""
    if "#" not in text:
        return
    for m in _TAG_RE.finditer(text):
        name = m.group(1)
        if name:
            out.append(name)


def block_refs(text: str, out: list[str]) -> None:
    if "((" not in text:
        return
    out.extend(m.group(1).lower() for m in _BLOCK_REF_RE.finditer(text))


def macros(text: str, out: list[str]) -> None:
    if "{{" not in text:
        return
    out.extend(m.group(1) for m in _MACRO_RE.finditer(text))


def scan_inline(text: str, refs: list[str], brefs: list[str], macs: list[str]) -> None:
    """All inline refs of one line (inline code removed first)."""
    if "`" in text:
        text = _CODE_RE.sub(" ", text)
    if "[[" in text:
        page_refs(text, refs)
    if "#" in text:
        tags(text, refs)
    if "((" in text:
        block_refs(text, brefs)
    if "{{" in text:
        macros(text, macs)


def dedupe(items: list[str]) -> tuple[str, ...]:
    """Keep the first occurrence of each item, in order."""
    if len(items) < 2:
        return tuple(items)
    return tuple(dict.fromkeys(items))
