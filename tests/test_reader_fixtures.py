"""Fixture files for the tricky Logseq rules: tests/fixtures/reader/cases/<name>.(md|org) and the
expected result in <name>.json (every block in file order, pre-block included).

Each expected block lists only the fields that matter for that case; fields left out are not
compared.  Regenerate a draft with ``python tests/test_reader_fixtures.py NAME`` and review it
by hand before committing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import Block, Timestamp

CASES = Path(__file__).resolve().parent / "fixtures" / "reader" / "cases"


def ts(t: Timestamp | None) -> str | None:
    if t is None:
        return None
    return " ".join(x for x in (t.date.isoformat(), t.time, t.repeater) if x)


def describe_block(b: Block) -> dict[str, Any]:
    return {
        "lines": [b.span.line, b.span.end_line],
        "level": b.level,
        "pre_block": b.pre_block,
        "bullet": b.bullet,
        "heading": b.heading,
        "marker": b.marker,
        "priority": b.priority,
        "title": b.title,
        "content": b.content,
        "scheduled": ts(b.scheduled),
        "deadline": ts(b.deadline),
        "properties": dict(b.properties),
        "property_refs": {k: list(v) for k, v in b.property_refs.items()},
        "refs": list(b.refs),
        "block_refs": list(b.block_refs),
        "macros": list(b.macros),
        "children": len(b.children),
    }


def describe(path: Path) -> dict[str, Any]:
    text = path.read_bytes().decode("utf-8")
    fmt = "org" if path.suffix == ".org" else "markdown"
    parsed = parse_text(text, path.name, fmt)
    return {
        "properties": dict(parsed.properties),
        "property_refs": {k: list(v) for k, v in parsed.property_refs.items()},
        "bom": parsed.bom,
        "crlf": parsed.crlf,
        "diagnostics": [[d.line, d.message] for d in parsed.diagnostics],
        "blocks": [describe_block(b) for top in parsed.blocks for b in top.walk()],
    }


def case_files() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix in (".md", ".org"))


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_fixture(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    got = describe(path)
    for key in ("properties", "property_refs", "bom", "crlf"):
        if key in expected:
            assert got[key] == expected[key], key
    if "diagnostics" in expected:
        assert [d[0] for d in got["diagnostics"]] == [d[0] for d in expected["diagnostics"]]
    assert len(got["blocks"]) == len(expected["blocks"]), [b["title"] for b in got["blocks"]]
    for i, (g, e) in enumerate(zip(got["blocks"], expected["blocks"], strict=True)):
        for k, v in e.items():
            assert g[k] == v, f"block {i} ({g['title']!r}) field {k}"


def test_every_case_has_expectations() -> None:
    files = case_files()
    assert len(files) >= 12
    assert all(p.with_suffix(".json").is_file() for p in files)


if __name__ == "__main__":  # draft generator for a new case (review the output by hand!)
    for name in sys.argv[1:]:
        p = CASES / name
        d = describe(p)
        for b in d["blocks"]:
            for k in ("pre_block", "bullet", "heading", "marker", "priority", "scheduled", "deadline",
                      "properties", "property_refs", "refs", "block_refs", "macros"):
                if b[k] in (None, False, {}, []) and not (k == "bullet" and b["bullet"] is False):
                    del b[k]
            if b.get("bullet") is True:
                del b["bullet"]
        out = json.dumps(d, ensure_ascii=False, indent=1) + "\n"
        p.with_suffix(".json").write_text(out, encoding="utf-8")
