"""Org-style timestamps in SCHEDULED/DEADLINE lines: ``<2026-03-01 Sun 10:00 .+1w>``.

Rules (checked against mldoc 1.6, the peer parser; see docs/reader.md):
- ``SCHEDULED:`` / ``DEADLINE:`` (upper case) followed by spaces or tabs, then an active
  ``<…>`` or inactive ``[…]`` timestamp; anywhere in a body line, never in the block's title;
  both may share one line (Org's single planning line).  A range ``<…>--<…>`` is not one.
- Date ``Y-M-D`` (ASCII digits), one space or tab, a weekday of ASCII letters (required, not
  validated), then the end or one space/tab and more: a time ``H:MM`` (any text after it, e.g.
  ``-11:00`` or ``pm``, is ignored), and/or a repeater ``+Nu``, ``++Nu``, ``.+Nu`` (u in h d w m y).
- A date that does not exist (2026-02-30) is reported, not parsed.
"""

from __future__ import annotations

import datetime as _dt
import re

from xuncha_kb.logseq.construct import fast_constructor
from xuncha_kb.model import Timestamp

_new_timestamp = fast_constructor(Timestamp, ("date", "time", "repeater", "raw"))

#: ``KIND: <body>`` anywhere in a line.  Group 1 = kind, group 2 = body between the brackets.
PLANNING_RE = re.compile(r"(SCHEDULED|DEADLINE):[ \t]+[<\[]([^<>\[\]\n]*)[>\]](?!--[<\[])")

_BODY_RE = re.compile(
    r"([0-9]+)-([0-9]+)-([0-9]+)[ \t]([A-Za-z]+)"
    r"(?:$|[ \t](?=\S)(?:([0-9]+):([0-9]+))?.*?(?:(?<=[ \t])(\.\+|\+\+|\+)([0-9]+)([hdwmy]))?)"
)


class BadDate(ValueError):
    """A timestamp whose date does not exist (e.g. 2026-02-30)."""


_CACHE: dict[str, Timestamp | str | None] = {}


def parse_timestamp_body(body: str) -> Timestamp | None:
    """Parse the text between ``<`` and ``>``; None when it is not a timestamp.

    Raises BadDate when the shape is right but the date is impossible.  Results are cached
    (graphs repeat the same dates; Timestamp is immutable).
    """
    hit = _CACHE.get(body, _CACHE)
    if hit is not _CACHE:
        if isinstance(hit, str):
            raise BadDate(hit)
        return hit  # type: ignore[return-value]
    if len(_CACHE) > 32768:  # ~200 bytes an entry; a large graph has >10k distinct stamps
        _CACHE.clear()
    try:
        ts = _parse(body)
    except BadDate as exc:
        _CACHE[body] = str(exc)
        raise
    _CACHE[body] = ts
    return ts


def _parse(body: str) -> Timestamp | None:
    m = _BODY_RE.fullmatch(body)
    if m is None:
        return None
    y, mo, d, _wday, hh, mm, rkind, rnum, runit = m.groups()
    try:
        date = _dt.date(int(y), int(mo), int(d))
    except ValueError as exc:
        raise BadDate(f"{y}-{mo}-{d}") from exc
    time = None if hh is None else f"{int(hh):02d}:{int(mm):02d}"
    repeater = None if rkind is None else rkind + rnum + runit
    return _new_timestamp(date, time, repeater, body.strip())


def format_timestamp(ts: Timestamp) -> str:
    """``2026-03-01 Sun [HH:MM] [.+1w]`` (weekday recomputed in English)."""
    s = f"{ts.date.isoformat()} {ts.date.strftime('%a')}"
    if ts.time:
        s += f" {ts.time}"
    if ts.repeater:
        s += f" {ts.repeater}"
    return s
