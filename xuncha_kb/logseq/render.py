"""Model → Logseq Markdown: the writer, the inverse of the outline reader.

Writer rules (docs/logseq-format.md §10), exactly as Logseq itself writes a page:

* page properties first, one ``key:: value`` per line without a bullet, then one blank line;
* one block per ``- `` bullet, one TAB per level below the top;
* continuation lines of a block indented by ``TAB * (level-1) + two spaces``;
* after a block's first line: ``SCHEDULED:``/``DEADLINE:`` lines, then its properties, then
  any further body lines;
* ``\\n`` line endings, no BOM, a final newline.

Two entry points:

* the builder API — ``PageSpec`` / ``BlockSpec`` → ``render_page`` — which scaffold and the
  report writer use.  It refuses input Logseq would read back differently (a property value
  with a newline, a body line that would turn into a block or a property, an invalid key),
  so whatever it renders parses back to the same blocks and properties;
* ``render_blocks`` — parsed ``Block`` s (from ``logseq.page.parse_text``) → text, for
  rewriting a page while keeping every line the user wrote.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from xuncha_kb.model import MARKERS, Block, Timestamp

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_KEY_RE = re.compile(r"^[^\s:/\[\]{}()\"',;#`~^@][^\s:\[\]{}()\"',;`~^@]*$")
_PROPERTY_LINE_RE = re.compile(r"^[^\s:]+:: ")
_PLANNING_RE = re.compile(r"^(SCHEDULED|DEADLINE): ")

Props = tuple[tuple[str, str], ...]


def _props(value: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Props:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """A block to write.  ``text`` is the title line (without marker), plus optional body lines."""

    text: str
    marker: str | None = None
    priority: str | None = None  # "A" / "B" / "C"
    scheduled: _dt.date | Timestamp | None = None
    deadline: _dt.date | Timestamp | None = None
    properties: Props = ()  # ordered (key, raw value) pairs
    children: tuple[BlockSpec, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", _props(self.properties))
        object.__setattr__(self, "children", tuple(self.children))

    def walk(self) -> Iterable[BlockSpec]:
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page to write: ``name`` is its title (the file name is the caller's business)."""

    name: str
    properties: Props = ()
    blocks: tuple[BlockSpec, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)  # free use by generators (not rendered)

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", _props(self.properties))
        object.__setattr__(self, "blocks", tuple(self.blocks))

    def walk(self) -> Iterable[BlockSpec]:
        for b in self.blocks:
            yield from b.walk()


class RenderError(ValueError):
    """The spec cannot be written so that Logseq reads it back the same way (a programming error)."""


def format_timestamp(value: _dt.date | Timestamp) -> str:
    """``<2026-03-05 Thu>`` (English weekday, as Logseq writes it), with time/repeater if any."""
    ts = value if isinstance(value, Timestamp) else Timestamp(date=value)
    s = f"{ts.date.isoformat()} {_WEEKDAYS[ts.date.weekday()]}"
    if ts.time:
        s += f" {ts.time}"
    if ts.repeater:
        s += f" {ts.repeater}"
    return f"<{s}>"


def check_property(key: str, value: str) -> None:
    if not _KEY_RE.match(key) or key.endswith(":"):
        raise RenderError(f"invalid property key {key!r}")
    if "\n" in value or "\r" in value:
        raise RenderError(f"property {key!r} value has a line break")


def property_lines(props: Props) -> list[str]:
    out = []
    for k, v in props:
        check_property(k, v)
        out.append(f"{k}:: {v}".rstrip() if v == "" else f"{k}:: {v}")
    return out


def _check_body_line(line: str) -> None:
    stripped = line.lstrip(" \t")
    if stripped.startswith("- ") or stripped == "-":
        raise RenderError(f"body line would become a block: {line!r}")
    if _PROPERTY_LINE_RE.match(stripped) or _PLANNING_RE.match(stripped):
        raise RenderError(f"body line would become a property or planning line: {line!r}")


def block_lines(spec: BlockSpec, level: int = 1) -> list[str]:
    """The lines of one block and its children at ``level`` (1 = top)."""
    indent = "\t" * (level - 1)
    cont = indent + "  "
    first, *body = spec.text.split("\n")
    if "\r" in spec.text:
        raise RenderError("carriage return in block text")
    head = head_line(spec, first)
    props = property_lines(spec.properties)
    planning = _planning_lines(spec)
    if head == "" and props and not planning and not body:
        # A properties-only block (e.g. a page-properties template): the first property sits
        # on the bullet line, as Logseq writes it.
        lines = [f"{indent}- {props[0]}"]
        props = props[1:]
    else:
        lines = [f"{indent}- {head}".rstrip()]
        lines.extend(cont + p for p in planning)
    lines.extend(cont + p for p in props)
    in_fence = False
    for line in body:
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence:
            _check_body_line(line)
        lines.append(cont + line if line else "")
    for child in spec.children:
        lines.extend(block_lines(child, level + 1))
    return lines


def head_line(spec: BlockSpec, first: str) -> str:
    """The bullet line's text: marker, priority, title (refusing what would read back otherwise)."""
    if spec.marker is not None and spec.marker not in MARKERS:
        raise RenderError(f"unknown task marker {spec.marker!r}")
    head = first
    if spec.priority:
        head = f"[#{spec.priority}] {head}"
    if spec.marker:
        if not first.strip():
            raise RenderError("a task needs a title")
        head = f"{spec.marker} {head}"
    elif first.split(" ", 1)[0] in MARKERS and " " in first:
        raise RenderError(f"title starts with a task marker but marker is None: {first!r}")
    return head


def _planning_lines(spec: BlockSpec) -> list[str]:
    planning = []
    if spec.scheduled is not None:
        planning.append(f"SCHEDULED: {format_timestamp(spec.scheduled)}")
    if spec.deadline is not None:
        planning.append(f"DEADLINE: {format_timestamp(spec.deadline)}")
    return planning


def render_page(spec: PageSpec) -> str:
    """The full file text of a page."""
    lines = property_lines(spec.properties)
    if lines and spec.blocks:
        lines.append("")
    for b in spec.blocks:
        lines.extend(block_lines(b))
    return "\n".join(lines) + "\n" if lines else ""


def render_block(spec: BlockSpec, level: int = 1) -> str:
    """One block (and its children) as text, e.g. to hash a generated block for the manifest."""
    return "\n".join(block_lines(spec, level)) + "\n"


# --- parsed blocks → text (round trip) ----------------------------------------------------

def render_blocks(blocks: Sequence[Block]) -> str:
    """Parsed blocks (pre-block included) back to file text, the way Logseq writes them.

    For text that Logseq itself wrote (tabs, ``- `` bullets, properties right after the
    title), ``render_blocks(parse_text(t).blocks) == t``.
    """
    lines: list[str] = []
    for b in blocks:
        if b.pre_block:
            lines.extend(b.content.split("\n"))
            lines.append("")
            continue
        _parsed_lines(b, lines)
    return "\n".join(lines) + "\n" if lines else ""


def _parsed_lines(block: Block, out: list[str]) -> None:
    level = max(block.level, 1)
    indent = "\t" * (level - 1)
    first, *rest = block.content.split("\n")
    if block.bullet:
        out.append(f"{indent}- {first}".rstrip() if first == "" else f"{indent}- {first}")
        cont = indent + "  "
    else:
        out.append(first)
        cont = ""
    out.extend(cont + line for line in rest)
    for c in block.children:
        _parsed_lines(c, out)
