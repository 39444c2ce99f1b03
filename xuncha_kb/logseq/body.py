"""Block-body rules: a block's lines after the first — its property run, SCHEDULED/DEADLINE
lines, verbatim regions — and the deferred fields (content, properties, refs, macros; see
``model.LAZY_BLOCK_FIELDS``) computed from them on first access.  ``block.py`` decides what is
read now and what is deferred; the outline (``outline.py``) where a block's lines end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from xuncha_kb.logseq import outline
from xuncha_kb.logseq.inline import dedupe, scan_inline
from xuncha_kb.logseq.properties import (
    COMMA_KEYS,
    EMPTY_PROP_REFS,
    EMPTY_PROPS,
    PROPERTY_IN_TEXT_RE,
    PROPERTY_LINE_RE,
    normalise_key,
    value_refs,
)
from xuncha_kb.logseq.timestamps import PLANNING_RE
from xuncha_kb.model import Timestamp

__all__ = ["body_lines", "body_properties", "dedent", "deferred_body", "deferred_fields", "deferred_title",
           "deferred_verbatim", "first_dates", "no_stamp", "prop_refs"]

EMPTY = EMPTY_PROPS
EMPTY_REFS = EMPTY_PROP_REFS


def prop_refs(props: Mapping[str, str], comma: frozenset[str], ignored: frozenset[str]
               ) -> Mapping[str, tuple[str, ...]]:
    """Refs of property values (keys in config ``:ignored-page-references-keywords`` skipped)."""
    refs: dict[str, tuple[str, ...]] = {}
    for k, v in props.items():
        if ("[[" in v or "#" in v or k in COMMA_KEYS or k in comma) and k not in ignored:
            r = value_refs(k, v, comma)
            if r:
                refs[k] = r
    return refs or EMPTY_REFS


def deferred_fields(content: str, pieces: list[str], props: dict[str, str], comma: frozenset[str],
                     ignored: frozenset[str]) -> tuple[Any, ...]:
    """The deferred Block fields (``model.LAZY_BLOCK_FIELDS``) of a block with this ``content``
    and ``props``, whose text ``pieces`` are scanned for refs, in file order."""
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    for piece in pieces:
        scan_inline(piece, refs, brefs, macs)
    return (content, props or EMPTY, prop_refs(props, comma, ignored) if props else EMPTY_REFS,
            dedupe(refs) if refs else (), dedupe(brefs) if brefs else (), tuple(macs) if macs else ())


def deferred_title(content: str, title: str) -> tuple[Any, ...]:
    """The deferred fields of a one-line block without properties."""
    refs: list[str] = []
    brefs: list[str] = []
    macs: list[str] = []
    scan_inline(title, refs, brefs, macs)
    return (content, EMPTY, EMPTY_REFS, dedupe(refs) if refs else (), dedupe(brefs) if brefs else (),
            tuple(macs) if macs else ())


def dedent(joined: str, prefix: str, body: list[str]) -> str:
    """The body lines (``joined`` = ``"\n" + "\n".join(body)``) without the block's continuation
    indentation ``prefix`` (``"\n"`` + the bullet's indentation + two spaces); a line without
    the exact prefix loses all its leading whitespace."""
    if joined.count(prefix) == len(body):  # every line carries the exact prefix
        return joined.replace(prefix, "\n")
    plen = len(prefix) - 1
    pre = prefix[1:]
    return "".join(["\n" + (ln[plen:] if ln.startswith(pre) else ln.lstrip(" \t")) for ln in body])


def body_properties(rest: str, nbody: int, props: dict[str, str], run: int) -> tuple[str, int, int]:
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


def deferred_body(text: str, prefix: str, body: list[str], props: dict[str, str] | None, run: int,
                   title: str | None, comma: frozenset[str], ignored: frozenset[str]) -> tuple[Any, ...]:
    """The deferred fields of a multi-line block without verbatim regions or timestamps
    (``props``: the first line's property, ``title``: the title if it is scanned for refs).
    Only what the file already holds is kept until then (the body lines, no joined copy)."""
    if props is None:
        props = {}
    pieces = [title] if title is not None else []
    rest = dedent("\n" + "\n".join(body), prefix, body)
    other = body_properties(rest, len(body), props, run)[0]
    if "[[" in other or "#" in other or "((" in other or "{{" in other:
        pieces.append(other)
    return deferred_fields((text + rest).rstrip(), pieces, props, comma, ignored)




def body_lines(lines: list[str], verbatim: set[int], code: set[int], props: dict[str, str], run: int,
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
    return first_dates(stamps)


def first_dates(stamps: Iterable[tuple[str, Timestamp | None]]) -> tuple[Timestamp | None, Timestamp | None]:
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


def no_stamp(body: str, j: int) -> None:
    """For bodies known to hold no SCHEDULED:/DEADLINE: (never called there)."""
    return None


def deferred_verbatim(text: str, prefix: str, body: list[str], props: dict[str, str] | None, run: int,
                       title: str | None, comma: frozenset[str], ignored: frozenset[str]) -> tuple[Any, ...]:
    """The deferred fields of a multi-line block whose body holds verbatim regions but no
    timestamps, and whose first line opens none: the line-by-line body rules, run on first
    access."""
    if props is None:
        props = {}
    pieces = [title] if title is not None else []
    content = text + dedent("\n" + "\n".join(body), prefix, body)
    lines = content.split("\n")
    verbatim, code = outline.verbatim_lines(lines)
    body_lines(lines, verbatim, code, props, run, pieces, no_stamp)
    return deferred_fields(content.rstrip(), pieces, props, comma, ignored)
