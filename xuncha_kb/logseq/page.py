"""Page text → ParsedText (page properties + block tree), the way Logseq reads a file.

Entry points:
- ``parse_text(text, file, fmt="markdown", config=None) -> ParsedText`` — one page/journal file
  (already decoded; the scanner handles bytes and invalid UTF-8).
- ``parse_block_content(content, file, line, fmt="markdown", config=None) -> Block`` — the text of
  one block without its bullet (whiteboard and export blocks).

Malformed input never raises; problems become ``Diagnostic``s (messages in Chinese).
The rules are listed in docs/reader.md; the outline lives in ``outline.py``, inline rules in
``inline.py``, properties in ``properties.py``, timestamps in ``timestamps.py``, Org in ``org.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from xuncha_kb.logseq import outline
from xuncha_kb.logseq.construct import fast_constructor
from xuncha_kb.logseq.inline import (
    MARKER_RE,
    PRIORITY_RE,
    dedupe,
    scan_inline,
    split_heading,
)
from xuncha_kb.logseq.properties import (
    COMMA_KEYS,
    EMPTY_PROP_REFS,
    EMPTY_PROPS,
    PROPERTY_IN_TEXT_RE,
    PROPERTY_LINE_RE,
    PROPERTY_RE,
    normalise_key,
    user_properties,
    value_refs,
)
from xuncha_kb.logseq.timestamps import PLANNING_RE, BadDate, parse_timestamp_body
from xuncha_kb.model import LAZY_BLOCK_FIELDS, Block, Diagnostic, GraphConfig, PageFormat, Span, Timestamp

__all__ = ["ParsedText", "parse_block_content", "parse_text", "user_properties"]

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


def _prop_refs(props: Mapping[str, str], comma: frozenset[str], ignored: frozenset[str]
               ) -> Mapping[str, tuple[str, ...]]:
    """Refs of property values (keys in config ``:ignored-page-references-keywords`` skipped)."""
    refs: dict[str, tuple[str, ...]] = {}
    for k, v in props.items():
        if ("[[" in v or "#" in v or k in COMMA_KEYS or k in comma) and k not in ignored:
            r = value_refs(k, v, comma)
            if r:
                refs[k] = r
    return refs or EMPTY_REFS


def _deferred_fields(content: str, pieces: list[str], props: dict[str, str], comma: frozenset[str],
                     ignored: frozenset[str]) -> tuple[Any, ...]:
    """The deferred Block fields (``model.LAZY_BLOCK_FIELDS``) of a block with this ``content``
    and ``props``, whose text ``pieces`` are scanned for refs, in file order."""
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    for piece in pieces:
        scan_inline(piece, refs, brefs, macs)
    return (content, props or EMPTY, _prop_refs(props, comma, ignored) if props else EMPTY_REFS,
            dedupe(refs) if refs else (), dedupe(brefs) if brefs else (), tuple(macs) if macs else ())


def _deferred_title(content: str, title: str) -> tuple[Any, ...]:
    """The deferred fields of a one-line block without properties."""
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    scan_inline(title, refs, brefs, macs)
    return (content, EMPTY, EMPTY_REFS, dedupe(refs) if refs else (), dedupe(brefs) if brefs else (),
            tuple(macs) if macs else ())


def _dedent(joined: str, prefix: str, body: list[str]) -> str:
    """The body lines (``joined`` = ``"\n" + "\n".join(body)``) without the block's continuation
    indentation ``prefix`` (``"\n"`` + the bullet's indentation + two spaces); a line without
    the exact prefix loses all its leading whitespace."""
    if joined.count(prefix) == len(body):  # every line carries the exact prefix
        return joined.replace(prefix, "\n")
    plen = len(prefix) - 1
    pre = prefix[1:]
    return "".join(["\n" + (ln[plen:] if ln.startswith(pre) else ln.lstrip(" \t")) for ln in body])


def _body_properties(rest: str, nbody: int, props: dict[str, str], run: int) -> tuple[str, int, int]:
    """Read the body's property run (``rest`` = dedented body lines, each after a ``"\n"``) into
    ``props`` (first key wins; ``run == 1`` when the first line was a property, so a run at the
    body's top continues it).  Returns (the body without the run, run start, run end) — offsets
    in ``rest``."""
    other = rest
    run_start = run_end = 0
    found: list[tuple[str, str]] | None = None
    if "::" in rest:
        found = PROPERTY_IN_TEXT_RE.findall(rest)
        if len(found) == nbody:  # every body line is a property: one run
            for k, v in found:
                key = normalise_key(k)
                if key not in props:
                    props[key] = v.strip()
            found = None
            other = ""
    if found:
        run_start = run_end = 0 if run == 1 else -1
        for pm in PROPERTY_IN_TEXT_RE.finditer(rest):
            if run_end < 0:
                run_start = pm.start()
            elif pm.start() != run_end:
                break
            run_end = pm.end()
            key = normalise_key(pm.group(1))
            if key not in props:
                props[key] = (pm.group(2) or "").strip()
        if run_end > run_start:
            other = rest[:run_start] + rest[run_end:]
    return other, run_start, run_end


def _deferred_body(text: str, prefix: str, body: list[str], props: dict[str, str] | None, run: int,
                   title: str | None, comma: frozenset[str], ignored: frozenset[str]) -> tuple[Any, ...]:
    """The deferred fields of a multi-line block without verbatim regions or timestamps
    (``props``: the first line's property, ``title``: the title if it is scanned for refs).
    Only what the file already holds is kept until then (the body lines, no joined copy)."""
    if props is None:
        props = {}
    pieces = [title] if title is not None else []
    rest = _dedent("\n" + "\n".join(body), prefix, body)
    other = _body_properties(rest, len(body), props, run)[0]
    if "[[" in other or "#" in other or "((" in other or "{{" in other:
        pieces.append(other)
    return _deferred_fields((text + rest).rstrip(), pieces, props, comma, ignored)


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What one page file holds."""

    properties: Mapping[str, str]  # page properties (pre-block key:: lines / org #+KEY:), raw
    property_refs: Mapping[str, tuple[str, ...]]
    blocks: tuple[Block, ...]  # top level; the pre-block first (pre_block=True) if any
    bom: bool = False
    crlf: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()


def _keyword_set(config: GraphConfig | None, name: str) -> frozenset[str]:
    """A config set of keywords (``#{:a :b}``) as normalised property keys."""
    if config is None:
        return frozenset()
    value = config.raw.get(name) if config.raw else None
    if not isinstance(value, frozenset | set | tuple | list):
        return frozenset()
    return frozenset(normalise_key(str(k).lstrip(":")) for k in value if isinstance(k, str))


def ignored_keys(config: GraphConfig | None) -> frozenset[str]:
    """Keys whose values are never parsed for refs (config ``:ignored-page-references-keywords``)."""
    return _keyword_set(config, ":ignored-page-references-keywords")


def comma_keys(config: GraphConfig | None) -> frozenset[str]:
    """Keys that config ``:property/separated-by-commas`` adds to comma splitting."""
    if config is None or not config.separated_by_commas:
        return frozenset()
    return frozenset(normalise_key(k.lstrip(":")) for k in config.separated_by_commas)


_Keys = tuple[frozenset[str], frozenset[str]]
_NO_KEYS: _Keys = (frozenset(), frozenset())
#: (config, its keys) of the last call; replaced as one tuple, so threads never see a mix.
_last_keys: tuple[GraphConfig | None, _Keys] = (None, _NO_KEYS)


def _config_keys(config: GraphConfig | None) -> _Keys:
    """(comma_keys(config), ignored_keys(config)), remembered for the last config object (a scan
    passes the same config for every file; the tuple keeps it alive, so ``is`` is exact)."""
    global _last_keys
    if config is None:
        return _NO_KEYS
    last = _last_keys
    if last[0] is config:
        return last[1]
    keys = (comma_keys(config), ignored_keys(config))
    _last_keys = (config, keys)
    return keys


def _normalise(text: str, file: str, diags: list[Diagnostic]) -> tuple[str, bool, bool]:
    bom = False
    crlf = False
    if text.startswith("\ufeff"):
        bom = True
        text = text[1:]
        diags.append(Diagnostic(file, 1, "文件以 BOM（U+FEFF）开头，已忽略；Logseq 会因此丢失页面属性，"
                                         "建议去掉 BOM", "info"))
    if "\r" in text:
        crlf = "\r\n" in text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diags.append(Diagnostic(file, line, "文件包含 NUL 字符（可能已损坏），按普通字符读取"))
    if "<<<<<<<" in text:
        at = _conflict_marker_line(text)
        if at:
            diags.append(Diagnostic(file, at, "文件含有未解决的合并冲突标记（<<<<<<< ======= >>>>>>>），"
                                                "两个版本都按普通内容读取；请合并后删除这些标记"))
    return text, bom, crlf


def _conflict_marker_line(text: str) -> int | None:
    """Line of a git conflict (``<<<<<<<`` … ``=======`` … ``>>>>>>>`` at line starts), if any."""
    start = text.find("<<<<<<<")
    while start > 0 and text[start - 1] != "\n":
        start = text.find("<<<<<<<", start + 1)
    if start < 0:
        return None
    mid = text.find("\n=======", start)
    if mid < 0 or text.find("\n>>>>>>>", mid) < 0:
        return None
    return text.count("\n", 0, start) + 1


_NO_LINES: frozenset[int] = frozenset()
#: First characters of a first line that may open a verbatim region (for the block's own rules,
#: which strip the line first, a leading space or tab counts too): such blocks are built eagerly.
_FIRST_LINE_SLOW = frozenset(" \t`~#$:")


def _body_lines(lines: list[str], verbatim: set[int], code: set[int], props: dict[str, str], run: int,
                pieces: list[str], stamp: Callable[[str, int], Timestamp | None]
                ) -> tuple[Timestamp | None, Timestamp | None]:
    """Line-by-line body rules for blocks holding verbatim regions (``lines[0]`` is the first
    line).  Fills ``props`` and ``pieces`` (lines to scan for refs); returns (scheduled,
    deadline), each read by ``stamp(text between the brackets, line index)``."""
    stamps: list[tuple[str, Timestamp | None]] = []
    for j in range(1, len(lines)):
        line = lines[j]
        if j in verbatim:
            if run == 1:
                run = 2
            if j not in code and ("[[" in line or "#" in line or "((" in line or "{{" in line):
                pieces.append(line)
            continue
        if run != 2 and "::" in line:
            m = PROPERTY_LINE_RE.match(line)
            if m is not None:
                run = 1
                key = normalise_key(m.group(1))
                if key not in props:
                    props[key] = (m.group(2) or "").strip()
                continue
        if run == 1:
            run = 2
        if "SCHEDULED:" in line or "DEADLINE:" in line:
            stamps.extend((pm.group(1), stamp(pm.group(2), j)) for pm in PLANNING_RE.finditer(line))
        if j not in code and ("[[" in line or "#" in line or "((" in line or "{{" in line):
            pieces.append(line)
    return _first_dates(stamps)


def _first_dates(stamps: Iterable[tuple[str, Timestamp | None]]) -> tuple[Timestamp | None, Timestamp | None]:
    """(scheduled, deadline) from ``(kind, timestamp)`` pairs in file order: the first valid
    one of each kind wins (every pair is read, so every bad date gets its diagnostic)."""
    scheduled: Timestamp | None = None
    deadline: Timestamp | None = None
    for kind, ts in stamps:
        if ts is None:
            continue
        if kind == "SCHEDULED":
            if scheduled is None:
                scheduled = ts
        elif deadline is None:
            deadline = ts
    return scheduled, deadline


def _no_stamp(body: str, j: int) -> None:
    """For bodies known to hold no SCHEDULED:/DEADLINE: (never called there)."""
    return None


def _deferred_verbatim(text: str, prefix: str, body: list[str], props: dict[str, str] | None, run: int,
                       title: str | None, comma: frozenset[str], ignored: frozenset[str]) -> tuple[Any, ...]:
    """The deferred fields of a multi-line block whose body holds verbatim regions but no
    timestamps, and whose first line opens none: the line-by-line body rules, run on first
    access."""
    if props is None:
        props = {}
    pieces = [title] if title is not None else []
    content = text + _dedent("\n" + "\n".join(body), prefix, body)
    lines = content.split("\n")
    verbatim, code = outline.verbatim_lines(lines)
    _body_lines(lines, verbatim, code, props, run, pieces, _no_stamp)
    return _deferred_fields(content.rstrip(), pieces, props, comma, ignored)


class _Builder:
    """Builds Blocks of one file (or one block's content).  Shared by pages and single blocks."""

    __slots__ = ("comma", "diags", "file", "ignored", "offset")

    def __init__(self, file: str, comma: frozenset[str], diags: list[Diagnostic], offset: int = 0,
                 ignored: frozenset[str] = frozenset()) -> None:
        self.ignored = ignored  # config :ignored-page-references-keywords
        self.file = file
        self.comma = comma
        self.diags = diags
        self.offset = offset  # added to line numbers (block content inside another file)

    def prop_refs(self, props: dict[str, str]) -> Mapping[str, tuple[str, ...]]:
        return _prop_refs(props, self.comma, self.ignored)

    def block(self, line0: int, indent_text: str, bullet: bool, text: str, body: list[str] | None,
              level: int, children: tuple[Block, ...]) -> Block:
        """One block: first line ``text`` (after the bullet) at 0-based line ``line0``, then the raw
        ``body`` lines (trailing blank lines removed), or None for a one-line block."""
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
        scheduled: Timestamp | None = None
        deadline: Timestamp | None = None
        pieces: list[str] = []  # text to scan for refs (deferred), in file order
        props: dict[str, str] = {}
        run = 0  # property run: 0 not started, 1 in it, 2 over
        first_is_prop = False
        if "::" in text:
            m = PROPERTY_RE.match(text.strip())
            if m is not None:
                first_is_prop = True
                run = 1
                props[normalise_key(m.group(1))] = (m.group(2) or "").strip()
        if first_is_prop:
            title = ""
        elif (("[" in title and "[[" in title) or "#" in title or ("(" in title and "((" in title)
              or ("{" in title and "{{" in title)):  # one-character probes first: cheaper
            pieces.append(title)
        if body is None:
            nlines = 1
            content = text.rstrip()
        else:
            nlines = len(body) + 1
            prefix = "\n" + indent_text + "  " if bullet else "\n" + indent_text
            joined = "\n" + "\n".join(body)
            # (one-character tests first: "L" is in both SCHEDULED: and DEADLINE:)
            planning = "L" in joined and ("SCHEDULED:" in joined or "DEADLINE:" in joined)
            if text[:1] not in _FIRST_LINE_SLOW:
                # The first line opens no verbatim region, so the body alone decides content,
                # properties and refs.  Without SCHEDULED:/DEADLINE: the body can produce no
                # diagnostic and no eager field: all of it is deferred to first access.  With
                # them, the dates are read here when no verbatim region or property line can
                # hide them; the rest is still deferred.
                verbatim = (("`" in joined and "```" in joined) or ("~" in joined and "~~~" in joined)
                            or ("#" in joined and "#+" in joined) or ("$" in joined and "$$" in joined)
                            or (":" in joined and ":LOGBOOK:" in joined))
                dates: tuple[Timestamp | None, Timestamp | None] | None = (None, None)
                if planning:
                    dates = None if verbatim else self._plain_dates(joined, line0)
                if dates is not None:
                    scheduled, deadline = dates
                    off = self.offset + line0 + 1
                    if not heading and bullet is False:
                        heading = 1
                    props_possible = bool(props) or (":" in joined and "::" in joined)
                    make = new_lazy_block if props_possible else new_lazy_block_no_props
                    return make(
                        new_span(self.file, off, off + nlines - 1), level, title.strip(), marker, priority,
                        scheduled, deadline, children, False, bullet, heading,
                        (_deferred_verbatim if verbatim else _deferred_body,
                         (text, prefix, body, props or None, run, pieces[0] if pieces else None,
                          self.comma, self.ignored)))
            rest = _dedent(joined, prefix, body)
            content = text + rest
            opener = (text[:1] in ("`", "~", "#", "$", ":") and text != "") or (
                "```" in rest or "~~~" in rest or "#+" in rest or "$$" in rest or ":LOGBOOK:" in rest)
            if opener:
                lines = content.split("\n")
                verbatim_set, code = outline.verbatim_lines(lines)
                if 0 in code:  # the first line opens a code region: no title, no title refs
                    title = ""
                    pieces.clear()
                scheduled, deadline = _body_lines(lines, verbatim_set, code, props, run, pieces,
                                                  self._stamp_at(line0))
            else:
                other, run_start, run_end = _body_properties(rest, nlines - 1, props, run)
                if "SCHEDULED:" in other or "DEADLINE:" in other:
                    # positions in ``other`` → lines of ``rest`` (the property run was cut out)
                    shift = run_end - run_start
                    scheduled, deadline = _first_dates(
                        (pm.group(1), self._timestamp(pm.group(2), line0 + rest.count(
                            "\n", 0, pm.start() + (shift if pm.start() >= run_start else 0) + 1)))
                        for pm in PLANNING_RE.finditer(other))
                if "[[" in other or "#" in other or "((" in other or "{{" in other:
                    pieces.append(other)
            content = content.rstrip()
        if not heading and bullet is False:
            heading = 1
        off = self.offset + line0 + 1
        if pieces or props:
            return new_lazy_block(
                new_span(self.file, off, off + nlines - 1), level, title.strip(),
                marker, priority, scheduled, deadline, children, False, bullet, heading,
                (_deferred_fields, (content, pieces, props, self.comma, self.ignored)))
        return new_block(
            new_span(self.file, off, off + nlines - 1), level, content, title.strip(),
            marker, priority, scheduled, deadline, EMPTY, EMPTY_REFS, (), (), (),
            children, False, bullet, heading,
        )

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
        return _first_dates((pm.group(1), self._timestamp(
            pm.group(2), line0 + joined.count("\n", 0, pm.start() + 1))) for pm in matches)

    def _timestamp(self, body: str, j: int) -> Timestamp | None:
        try:
            return parse_timestamp_body(body)
        except BadDate as exc:
            self.diags.append(Diagnostic(self.file, j + 1 + self.offset,
                                         f"日期不存在：{exc}，已忽略该 SCHEDULED/DEADLINE"))
            return None


#: First characters that send a one-line block down the full path (heading, verbatim opener).
_SLOW_FIRST = frozenset("#`~$:")
_FRONT_RE = re.compile(r"([^\s:]+):[ \t]*(.*)$")


def front_matter(lines: list[str], first: int) -> tuple[dict[str, str], int]:
    """YAML-style front matter (``---`` / ``key: value`` lines / ``---``) at the very top.

    Returns (properties, index of the line after the closing ``---``); ({}, 0) when absent.
    mldoc accepts it only when every line between the fences is ``key: value``.
    """
    if not lines or lines[0].rstrip() != "---":
        return {}, 0
    props: dict[str, str] = {}
    for j in range(1, first):
        line = lines[j]
        if line.rstrip() == "---":
            return props, j + 1
        m = _FRONT_RE.match(line)
        if m is None:
            return {}, 0
        key = normalise_key(m.group(1))
        if key not in props:
            props[key] = m.group(2)
    return {}, 0


def _first_property_run(lines: list[str], lo: int, hi: int, skip: set[int] | frozenset[int]
                        ) -> tuple[dict[str, str], set[int]]:
    """The first contiguous run of ``key:: value`` lines in lines[lo:hi] (verbatim lines excluded)."""
    props: dict[str, str] = {}
    used: set[int] = set()
    started = False
    for j in range(lo, hi):
        line = lines[j]
        m = PROPERTY_RE.match(line.strip()) if "::" in line and j not in skip else None
        if m is None:
            if started:
                break
            continue
        started = True
        used.add(j)
        props.setdefault(normalise_key(m.group(1)), (m.group(2) or "").strip())
    return props, used


def _pre_block(b: _Builder, head: str
               ) -> tuple[Block | None, Mapping[str, str], Mapping[str, tuple[str, ...]]]:
    """The pre-block: all text before the first block (``head``), if any is non-blank."""
    if not head.strip():
        return None, EMPTY, EMPTY_REFS
    lines = head.split("\n")
    first = len(lines)
    lo = 0
    while lo < first and not lines[lo].strip():
        lo += 1
    hi = first - 1
    while hi > lo and not lines[hi].strip():
        hi -= 1
    verbatim: set[int] | frozenset[int] = _NO_LINES
    code: set[int] | frozenset[int] = _NO_LINES
    if "```" in head or "~~~" in head or "#+" in head or "$$" in head or ":LOGBOOK:" in head:
        verbatim, code = outline.verbatim_lines(lines)
    front, after = front_matter(lines, first) if lo == 0 and head.startswith("---") else ({}, 0)
    props, used = _first_property_run(lines, max(lo, after), hi + 1, verbatim)
    if front:
        merged = dict(front)
        for k, v in props.items():
            merged.setdefault(k, v)
        props = merged
        used.update(range(0, after))
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    for j in range(lo, hi + 1):
        if j not in used and j not in code:
            line = lines[j]
            if "[[" in line or "#" in line or "((" in line or "{{" in line:
                scan_inline(line, refs, brefs, macs)
    prefs = b.prop_refs(props) if props else EMPTY_REFS
    pprops = props or EMPTY
    block = new_block(new_span(b.file, lo + 1 + b.offset, hi + 1 + b.offset), 1,
                      "\n".join(lines[lo:hi + 1]).strip(), "", None, None, None, None, pprops, prefs,
                      dedupe(refs), dedupe(brefs), tuple(macs), (), True, False, None)
    return block, pprops, prefs


def _diagnostic_line(d: Diagnostic) -> int:
    return d.line


def parse_text(text: str, file: str, fmt: PageFormat = "markdown",
               config: GraphConfig | None = None) -> ParsedText:
    """Parse one page file's text.  Never raises on bad input."""
    diags: list[Diagnostic] = []
    text, bom, crlf = _normalise(text, file, diags)
    if fmt == "org":
        from xuncha_kb.logseq import org

        comma, ignored = _config_keys(config)
        props, prefs, blocks = org.parse_org(text, file, comma, diags, ignored)
        return ParsedText(props, prefs, blocks, bom, crlf, tuple(diags))
    lines = text.split("\n")
    first, raws, _verbatim, _code = outline.scan(lines)
    comma, ignored = _config_keys(config)
    builder = _Builder(file, comma, diags, 0, ignored)
    pre, props, prefs = _pre_block(builder, "\n".join(lines[:first]) if first else "")
    count = len(raws)
    kids: list[list[Block] | None] = [None] * count
    top: list[Block] = []
    build = builder.block
    marker_match = MARKER_RE.match
    priority_match = PRIORITY_RE.match
    make_line, make_lazy_line, span = new_line_block, new_lazy_line_block, new_span
    for idx in range(count - 1, -1, -1):
        line0, indent, bullet, btext, last, parent, depth = raws[idx]
        mine = kids[idx]
        if mine is not None:
            mine.reverse()
            children: tuple[Block, ...] = tuple(mine)
        else:
            children = ()
        if last == line0 and bullet and "::" not in btext and (not btext or btext[0] not in _SLOW_FIRST):
            # fast path: a one-line bullet that is not a heading, property or verbatim opener
            marker = priority = None
            title = btext
            if btext[:1].isupper():
                m = marker_match(btext)
                if m is not None:
                    marker = m.group(1)
                    title = btext[m.end():]
            if title.startswith("[#"):
                m = priority_match(title)
                if m is not None:
                    priority = m.group(1)
                    title = title[m.end():]
            ln = line0 + 1
            if not (("[" in title and "[[" in title) or "#" in title or ("(" in title and "((" in title)
                    or ("{" in title and "{{" in title)):
                content = btext.rstrip()
                block = make_line(span(file, ln, ln), depth, content,
                                  content if title is btext and btext[:1] not in " \t" else title.strip(),
                                  marker, priority, children)
            else:
                block = make_lazy_line(span(file, ln, ln), depth, title.strip(), marker, priority, children,
                                       (_deferred_title, (btext.rstrip(), title)))
        else:
            block = build(line0, lines[line0][:indent], bullet, btext,
                          lines[line0 + 1:last + 1] if last > line0 else None, depth, children)
        if parent < 0:
            top.append(block)
        else:
            plist = kids[parent]
            if plist is None:
                kids[parent] = [block]
            else:
                plist.append(block)
    if pre is not None:
        top.append(pre)
    top.reverse()
    if len(diags) > 1:
        diags.sort(key=_diagnostic_line)  # blocks are built last to first
    return ParsedText(props, prefs, tuple(top), bom, crlf, tuple(diags))


def parse_block_content(content: str, file: str, line: int, fmt: PageFormat = "markdown",
                        config: GraphConfig | None = None) -> Block:
    """Parse one block's text (no leading bullet), e.g. a whiteboard block's ``:block/content``.

    ``line`` is the 1-based line the content starts at (for spans and diagnostics).
    """
    diags: list[Diagnostic] = []
    text, _bom, _crlf = _normalise(content, file, diags)
    if fmt == "org":
        from xuncha_kb.logseq import org

        return org.parse_org_block_content(text, file, line, comma_keys(config), ignored_keys(config))
    first, _, rest = text.partition("\n")
    rest = rest.rstrip(" \t\n")
    builder = _Builder(file, comma_keys(config), diags, max(line, 1) - 1, ignored_keys(config))
    return builder.block(0, "", True, first, rest.split("\n") if rest else None, 1, ())
