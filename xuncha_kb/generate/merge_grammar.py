"""The line grammar sync's merge needs of a page format: Markdown (``- `` bullets, ``key:: value``
property lines) or Org (``*`` headlines, ``:PROPERTIES:`` … ``:END:`` drawers, ``#+key:``
page directives), chosen by the file's extension (pure).

``generate/merge.py`` is written against :class:`Grammar`: how to read a task block's head,
which of its lines are generator-owned, how the generated part looks (to hash it against the
manifest's base, which ``generate/pages._block_hashes`` records in the page's own format) and
where a new property line goes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from xuncha_kb.model import MARKERS, Block, PageFormat
from xuncha_kb.track import conventions as cv

P_REMOVED = "xuncha-removed"
GENERATED_TASK_KEYS = frozenset({
    cv.P_ACTIVITY, cv.P_INSPECTION, cv.P_ACTOR, cv.P_PRODUCES, cv.P_DEPENDS, cv.P_DEADLINE_RULE,
    cv.P_SETS_MILESTONE, cv.P_SUBITEM, cv.P_SENSITIVE, cv.P_GENERATED, "id", P_REMOVED,
})
_MARKER = r"(?P<marker>(?:" + "|".join(sorted(MARKERS, key=len, reverse=True)) + r") )?(?P<prio>\[#[A-C]\] )?"
_ORG_DRAWER_OPEN, _ORG_DRAWER_CLOSE = ":PROPERTIES:", ":END:"


def strip_blank_tail(lines: Sequence[str]) -> list[str]:
    out = list(lines)
    while out and not out[-1].strip():
        out.pop()
    return out


@dataclass
class TaskParts:
    head: str
    deadline: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # generated property lines
    user: list[str] = field(default_factory=list)  # everything else of the block's own lines
    subitems: list[list[str]] = field(default_factory=list)  # child blocks with 子项
    children: list[tuple[bool, list[str]]] = field(default_factory=list)  # (is subitem, lines)
    drawer_lines: list[str] = field(default_factory=list)  # Org: the properties drawer's lines
    drawer: tuple[str, str] | None = None  # Org: the drawer's own open/close lines, as on disk


def _child_ranges(b: Block, end: int) -> list[tuple[Block, int, int]]:
    """0-based [start, end) ranges of ``b``'s direct children within the block's range."""
    starts = [c.span.line - 1 for c in b.children]
    return [(c, s, starts[i + 1] if i + 1 < len(starts) else end) for i, (c, s) in
            enumerate(zip(b.children, starts, strict=True))]


@dataclass(frozen=True)
class Grammar:
    """One page format's lines, as the merge sees them."""

    fmt: PageFormat
    head_re: re.Pattern[str]  # groups: indent (bullet indent / stars), marker, prio, rest
    prop_re: re.Pattern[str]  # a block property line (stripped); group 1 = key
    page_prop_re: re.Pattern[str]  # a page property line; group 1 = key
    fence: tuple[str, str]  # start/end of verbatim text (lower-cased prefixes)

    # --- heads ---------------------------------------------------------------------------

    def make_head(self, indent: str, marker_prio: str, rest: str) -> str:
        return f"{indent} {marker_prio}{rest}" if self.fmt == "org" else f"{indent}- {marker_prio}{rest}"

    def reset_head(self, head: str, marker: str = "TODO") -> str:
        """The head line as generated: the user's marker → the generated marker, priority dropped."""
        m = self.head_re.match(head)
        if not m or m.group("marker") is None:
            return head
        return self.make_head(m.group("indent"), f"{marker} ", m.group("rest"))

    def hashed_form(self, lines: Sequence[str], written: str) -> list[str]:
        """A generated block's lines as the manifest hashes them: ``written`` — the marker the
        generator writes (``pages.task_marker``: LATER in a ``:now`` graph) — as TODO on every
        head, so a base does not depend on the graph's workflow; every other line as it is."""
        if written == "TODO":
            return list(lines)
        out = []
        for line in lines:
            m = self.head_re.match(line)
            if m and m.group("marker") == f"{written} " and m.group("prio") is None:
                line = self.make_head(m.group("indent"), "TODO ", m.group("rest"))
            out.append(line)
        return out

    def as_written(self, lines: Sequence[str], written: str) -> bool:
        """Whether no head carries the TODO that :meth:`hashed_form` makes of ``written``: in a
        graph whose generator writes LATER, a TODO is the user's own change (two blocks that
        hash alike may differ in just that)."""
        if written == "TODO":
            return True
        for line in lines:
            m = self.head_re.match(line)
            if m and m.group("marker") == "TODO " and m.group("prio") is None:
                return False
        return True

    def is_child_start(self, line: str) -> bool:
        return line.startswith("*") if self.fmt == "org" else line.lstrip().startswith("- ")

    def prop_key(self, line: str) -> str | None:
        body = line.strip()
        if body.upper() in (_ORG_DRAWER_OPEN, _ORG_DRAWER_CLOSE, ":LOGBOOK:"):
            return None
        m = self.prop_re.match(body)
        return m.group(1).lower() if m else None

    def page_prop_key(self, line: str) -> str | None:
        m = self.page_prop_re.match(line.strip())
        return m.group(1).lower() if m else None

    def prop_line(self, key: str, value: str, head: str) -> str:
        if self.fmt == "org":
            return f":{key}: {value}"
        m = self.head_re.match(head)
        return f"{(m.group('indent') if m else '')}  {key}:: {value}"

    # --- a task block's parts ------------------------------------------------------------

    def task_parts(self, b: Block, lines: Sequence[str], start: int, end: int) -> TaskParts:
        """Split the lines of a task block (``lines[start:end]``) into generator- and user-owned parts."""
        own_end = b.children[0].span.line - 1 if b.children else end
        parts = TaskParts(head=lines[start])
        own = self._take_drawer(list(lines[start + 1:own_end]), parts)
        verbatim = in_drawer = False
        for line in own:
            body = line.strip()
            if verbatim or in_drawer:
                parts.user.append(line)
                verbatim = verbatim and not body.lower().startswith(self.fence[1])
                in_drawer = in_drawer and body.upper() != ":END:"
            elif body.lower().startswith(self.fence[0]) or body.upper() == ":LOGBOOK:":
                verbatim, in_drawer = body.lower().startswith(self.fence[0]), body.upper() == ":LOGBOOK:"
                parts.user.append(line)
            elif body.startswith("DEADLINE:"):
                parts.deadline.append(line)
            elif body.startswith("SCHEDULED:"):
                parts.scheduled.append(line)
            elif self.fmt == "markdown" and self.prop_key(line) in GENERATED_TASK_KEYS:
                parts.generated.append(line)
            else:
                parts.user.append(line)
        for child, s, e in _child_ranges(b, end):
            is_sub = cv.P_SUBITEM in child.properties
            chunk = list(lines[s:e])
            parts.children.append((is_sub, chunk))
            if is_sub:
                parts.subitems.append(strip_blank_tail(chunk))
        return parts

    def _take_drawer(self, own: list[str], parts: TaskParts) -> list[str]:
        """Org: move the properties drawer right after the planning lines into ``parts``; the
        other lines.  (A drawer elsewhere, or unclosed, stays the user's.)"""
        if self.fmt != "org":
            return own
        i = 0
        while i < len(own) and own[i].strip().startswith(("SCHEDULED:", "DEADLINE:")):
            i += 1
        if i >= len(own) or own[i].strip().upper() != _ORG_DRAWER_OPEN:
            return own
        j = next((k for k in range(i + 1, len(own)) if own[k].strip().upper() == _ORG_DRAWER_CLOSE), None)
        if j is None:
            return own
        parts.drawer = (own[i], own[j])
        parts.drawer_lines = own[i + 1:j]
        parts.generated = [ln for ln in parts.drawer_lines if self.prop_key(ln) in GENERATED_TASK_KEYS]
        return own[:i] + own[j + 1:]

    def props_section(self, generated: Sequence[str], parts: TaskParts) -> list[str]:
        """The property lines of a task: ``generated`` in place of the generated lines of
        ``parts`` (key by key; new keys after the last), the user's drawer lines where they are."""
        if self.fmt == "markdown":
            return list(generated)
        ours = {self.prop_key(ln): ln for ln in generated}
        out: list[str] = []
        last = 0  # just after the last generated line written
        for line in parts.drawer_lines:
            key = self.prop_key(line)
            if key not in GENERATED_TASK_KEYS:
                out.append(line)
            elif key in ours:  # each generated line in its place, as ours has it now
                out.append(ours.pop(key))
                last = len(out)
        out[last:last] = ours.values()  # generated lines theirs lacks
        if not out:
            return []
        opened, closed = parts.drawer or (_ORG_DRAWER_OPEN, _ORG_DRAWER_CLOSE)
        return [opened, *out, closed]

    def normal_props(self, generated: Sequence[str]) -> list[str]:
        """The generated property lines as the generator writes them (drawer lines included)."""
        if self.fmt == "markdown" or not generated:
            return list(generated)
        return [_ORG_DRAWER_OPEN, *generated, _ORG_DRAWER_CLOSE]

    def subitem_normal(self, chunk: Sequence[str]) -> list[str]:
        """A 子项 child as generated: its head (marker reset) and its generated property lines."""
        gen = []
        for line in chunk[1:]:
            if self.is_child_start(line):
                break  # the user's notes under a 子项
            if self.prop_key(line) in GENERATED_TASK_KEYS:
                gen.append(line)
        return [self.reset_head(chunk[0]), *self.normal_props(gen)]

    def legacy_form(self, normal: Sequence[str]) -> list[str]:
        """Org: a task's normal form written as Markdown lines — what scaffold hashed Org tasks
        as before it hashed the Org lines, so those manifests' bases still match."""
        out: list[str] = []
        indent = ""
        for line in normal:
            if (m := self.head_re.match(line)) and self.fmt == "org":
                indent = "\t" * (len(m.group("indent")) - 1)
                out.append(f"{indent}- {line[len(m.group('indent')) + 1:]}".rstrip())
            elif line in (_ORG_DRAWER_OPEN, _ORG_DRAWER_CLOSE):
                continue
            elif (p := self.prop_re.match(line)) and not line.startswith(("SCHEDULED:", "DEADLINE:")):
                out.append(f"{indent}  {p.group(1)}:: {p.group(2)}".rstrip())
            else:
                out.append(f"{indent}  {line}")
        return out

    def prop_insert_at(self, lines: Sequence[str]) -> int:
        """Where a new property line goes in a block's lines (head first)."""
        i = 1
        if self.fmt == "org":
            while i < len(lines) and lines[i].strip().startswith(("SCHEDULED:", "DEADLINE:")):
                i += 1
            if i < len(lines) and lines[i].strip().upper() == _ORG_DRAWER_OPEN:
                while i < len(lines) and lines[i].strip().upper() != _ORG_DRAWER_CLOSE:
                    i += 1
            return i
        while i < len(lines) and self.prop_key(lines[i]) and not self.is_child_start(lines[i]):
            i += 1
        return i


MARKDOWN = Grammar("markdown", re.compile(r"^(?P<indent>[\t ]*)- ?" + _MARKER + r"(?P<rest>.*)$"),
                   re.compile(r"^([^\s:]+):: ?(.*)$"), re.compile(r"^([^\s:]+):: ?(.*)$"), ("```", "```"))
ORG = Grammar("org", re.compile(r"^(?P<indent>\*+) " + _MARKER + r"(?P<rest>.*)$"),
              re.compile(r"^:([^\s:]+): ?(.*)$"), re.compile(r"^#\+([^\s:]+): ?(.*)$"),
              ("#+begin_", "#+end_"))


def page_property(content: str, path: str, key: str) -> str | None:
    """A page property of a generated page's text (``key:: v``, or ``#+key: v`` on Org), stripped."""
    prop = rf"#\+{re.escape(key)}:" if path.lower().endswith(".org") else rf"{re.escape(key)}::"
    m = re.search(rf"^{prop} (.+)$", content, re.M)
    return m.group(1).strip() if m else None


def grammar_for(path: str) -> Grammar:
    """The grammar of a page file, by its extension."""
    return ORG if path.lower().endswith(".org") else MARKDOWN
