"""SCHEDULED and DEADLINE on one planning line (Org's usual form, also read in Markdown), and the
timestamp shapes Logseq's parser (mldoc 1.6, the peer) accepts: both dates read as Logseq reads
them, by the pure and the compiled reader alike.  Expected values were taken from the peer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# (planning line, scheduled, deadline) as the peer reads them: "date[ time][ repeater]" or None.
CASES = [
    ("SCHEDULED: <2026-01-01 Thu> DEADLINE: <2026-02-01 Sun>", "2026-01-01", "2026-02-01"),
    ("DEADLINE: <2026-02-01 Sun> SCHEDULED: <2026-01-01 Thu>", "2026-01-01", "2026-02-01"),
    ("CLOSED: [2026-01-05 Mon] SCHEDULED: <2026-01-01 Thu> DEADLINE: <2026-02-01 Sun>", "2026-01-01", "2026-02-01"),  # noqa: E501
    ("SCHEDULED: <2026-01-01 Thu .+1w> DEADLINE: <2026-02-01 Sun 10:00>", "2026-01-01 .+1w", "2026-02-01 10:00"),  # noqa: E501
    ("SCHEDULED: <2026-01-01 Thu>\tDEADLINE:\t<2026-02-01 Sun>", "2026-01-01", "2026-02-01"),
    ("SCHEDULED: <2026-01-01 Thu 10:00-11:00> DEADLINE: <2026-02-01 Sun>", "2026-01-01 10:00", "2026-02-01"),
    ("SCHEDULED: <2026-01-01 Thu 9:5> DEADLINE: <2026-02-01 Sun 6:30pm>", "2026-01-01 09:05", "2026-02-01 06:30"),  # noqa: E501
    ("SCHEDULED: <2026-01-01 Thursday> DEADLINE: <2026-02-01 Sun ++2d>", "2026-01-01", "2026-02-01 ++2d"),
    ("SCHEDULED: <2026-01-01 周四> DEADLINE: <2026-02-01 Sun>", None, "2026-02-01"),
    ("SCHEDULED: <2026-01-01 Thu > DEADLINE: <2026-02-01  Sun>", None, None),
    ("SCHEDULED: <2026-01-01 Thu>--<2026-01-02 Fri> DEADLINE: <2026-02-01 Sun>", None, "2026-02-01"),
    ("SCHEDULED: [2026-01-01 Thu] DEADLINE: [2026-02-01 Sun]", "2026-01-01", "2026-02-01"),
]

_READ = """
import json, sys
from xuncha_kb.logseq import native
from xuncha_kb.logseq.page import parse_text
def show(ts):
    return None if ts is None else " ".join(x for x in (ts.date.isoformat(), ts.time, ts.repeater) if x)
text, fmt = sys.stdin.read(), sys.argv[1]
blocks = [b for b in parse_text(text, "pages/p." + ("org" if fmt == "org" else "md"), fmt).blocks
          if not b.pre_block]
print(json.dumps([native.mode, [[show(b.scheduled), show(b.deadline)] for b in blocks]]))
"""


def _page(fmt: str) -> str:
    if fmt == "org":
        return "".join(f"* TODO t{i}\n{line}\n" for i, (line, _, _) in enumerate(CASES))
    return "".join(f"- TODO t{i}\n  {line}\n" for i, (line, _, _) in enumerate(CASES))


def _read(fmt: str, pure: bool) -> tuple[str, list[list[str | None]]]:
    env = {**os.environ, "XUNCHA_KB_PURE": "1" if pure else ""}
    out = subprocess.run([sys.executable, "-c", _READ, fmt], input=_page(fmt), capture_output=True,
                         text=True, env=env, check=True).stdout
    mode, dates = json.loads(out)
    return mode, dates


@pytest.mark.parametrize("fmt", ["org", "markdown"])
@pytest.mark.parametrize("pure", [True, False], ids=["pure", "compiled-if-built"])
def test_both_dates_of_a_planning_line_are_read_as_logseq_reads_them(fmt: str, pure: bool) -> None:
    mode, dates = _read(fmt, pure)
    assert mode == "pure" or not pure
    for (line, scheduled, deadline), got in zip(CASES, dates, strict=True):
        assert got == [scheduled, deadline], line


@pytest.mark.peer
@pytest.mark.parametrize("fmt", ["org", "markdown"])
def test_the_cases_are_what_the_peer_reads(peer: Path, tmp_path: Path, fmt: str) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / ("p.org" if fmt == "org" else "p.md")).write_text(_page(fmt), encoding="utf-8")
    out = subprocess.run(["node", str(peer / "mldoc_blocks.js"), str(tmp_path)], capture_output=True,
                         text=True, check=True).stdout
    (page,) = [json.loads(line) for line in out.splitlines()]

    def date_only(raw: str | None) -> str | None:  # the peer prints the weekday as written
        if raw is None:
            return None
        date, _wday, *rest = raw.split(" ")
        return " ".join([date, *rest])

    got = [[date_only(b["scheduled"]), date_only(b["deadline"])] for b in page["blocks"]]
    assert got == [[s, d] for _, s, d in CASES]
