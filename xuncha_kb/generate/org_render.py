"""A :class:`~xuncha_kb.logseq.render.PageSpec` written as an Org-mode page, for graphs with
``:preferred-format :org`` (pure).

The same blocks as the Markdown page, in Logseq's Org syntax: ``#+title:`` and one ``#+key:``
directive per page property before the first headline; each block a headline of as many
``*`` as its level (a ``## `` heading prefix is dropped: an Org headline is a heading);
``SCHEDULED:``/``DEADLINE:`` on the line after the headline; block properties in a
``:PROPERTIES:`` … ``:END:`` drawer; further lines of the text as body lines.
"""

from __future__ import annotations

import re

from xuncha_kb.logseq.render import (
    BlockSpec,
    PageSpec,
    RenderError,
    check_property,
    format_timestamp,
    head_line,
)

_HEADING = re.compile(r"^#{1,6} ")


def _headline(spec: BlockSpec, first: str, level: int) -> str:
    """The Org headline: stars, then the same marker/priority/title line as Markdown's bullet."""
    return f"{'*' * level} {head_line(spec, _HEADING.sub('', first))}".rstrip()


def _drawer(props: tuple[tuple[str, str], ...]) -> list[str]:
    if not props:
        return []
    lines = [":PROPERTIES:"]
    for k, v in props:
        check_property(k, v)
        lines.append(f":{k}: {v}".rstrip())
    return [*lines, ":END:"]


_STRUCTURE = ("#+", ":PROPERTIES:", ":END:", "SCHEDULED:", "DEADLINE:")


def _body_line(line: str) -> str:
    if line.startswith("*") or line.lstrip().startswith(_STRUCTURE):
        raise RenderError(f"body line would change the Org structure: {line!r}")
    return line


def org_block_lines(spec: BlockSpec, level: int = 1) -> list[str]:
    """The lines of one block and its children as Org headlines (level 1 = ``*``)."""
    if "\r" in spec.text:
        raise RenderError("carriage return in block text")
    first, *body = spec.text.split("\n")
    lines = [_headline(spec, first, level)]
    planning = []
    if spec.scheduled is not None:
        planning.append(f"SCHEDULED: {format_timestamp(spec.scheduled)}")
    if spec.deadline is not None:
        planning.append(f"DEADLINE: {format_timestamp(spec.deadline)}")
    lines.extend(planning)
    lines.extend(_drawer(spec.properties))
    lines.extend(_body_line(b) for b in body)
    for child in spec.children:
        lines.extend(org_block_lines(child, level + 1))
    return lines


def render_org_page(spec: PageSpec) -> str:
    """The full text of an Org page."""
    lines = [f"#+title: {spec.name}"]
    for k, v in spec.properties:
        check_property(k, v)
        lines.append(f"#+{k}: {v}".rstrip())
    if spec.blocks:
        lines.append("")
    for b in spec.blocks:
        lines.extend(org_block_lines(b))
    return "\n".join(lines) + "\n"
