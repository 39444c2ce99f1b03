"""The benchmark generator's expected.json must equal what the parser counts (each checks the
other), at a small size."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import GraphConfig

ROOT = Path(__file__).resolve().parent.parent


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_graph", ROOT / "bench" / "gen_graph.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def count(graph: Path) -> dict[str, Any]:
    cfg = GraphConfig(separated_by_commas=frozenset({"owner"}))
    c: Counter[str] = Counter()
    markers: Counter[str] = Counter()
    priorities: Counter[str] = Counter()
    depths: Counter[str] = Counter()
    for top in ("pages", "journals"):
        for path in sorted((graph / top).iterdir()):
            if path.name.startswith(".") or path.suffix not in (".md", ".org"):
                continue
            c["files"] += 1
            parsed = parse_text(path.read_bytes().decode("utf-8"), f"{top}/{path.name}",
                                "org" if path.suffix == ".org" else "markdown", cfg)
            c["bom_files"] += parsed.bom
            c["crlf_files"] += parsed.crlf
            if parsed.properties:
                c["pages_with_properties"] += 1
            for b in (b for t in parsed.blocks for b in t.walk()):
                if b.pre_block:
                    c["pre_blocks"] += 1
                    continue
                c["blocks"] += 1
                depths[str(b.level)] += 1
                if b.marker:
                    markers[b.marker] += 1
                if b.priority:
                    priorities[b.priority] += 1
                c["scheduled"] += b.scheduled is not None
                c["deadline"] += b.deadline is not None
                c["blocks_with_properties"] += bool(b.properties)
                c["ids"] += "id" in b.properties
                c["owner_properties"] += "owner" in b.properties
                c["refs"] += len(b.refs)
                c["block_refs"] += len(b.block_refs)
                c["macros"] += len(b.macros)
                if "owner" in b.properties:
                    assert len(b.property_refs["owner"]) == 2  # config :property/separated-by-commas
    return {**c, "markers": dict(markers), "priorities": dict(priorities), "depths": dict(depths)}


@pytest.mark.parametrize("seed", [1, 7])
def test_generator_counts_equal_parser_counts(tmp_path: Path, seed: int) -> None:
    gen = load_generator()
    expected = gen.generate(tmp_path, pages=60, seed=seed)
    assert json.loads((tmp_path / "expected.json").read_text(encoding="utf-8")) == expected
    got = count(tmp_path)
    assert expected["blocks"] > 1000
    for key, value in got.items():
        assert value == expected.get(key, 0), key
    for key in ("blocks", "markers", "scheduled", "deadline", "ids", "refs", "pre_blocks"):
        assert key in got
