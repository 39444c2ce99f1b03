"""Golden files: the exact bytes of every generated file for a fixed workflow and fixed facts.

Regenerate after an intended change with ``XUNCHA_REGEN_GOLDEN=1 python -m pytest
tests/test_scaffold_golden.py`` and review the diff like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_scaffold_support import small_workflow
from xuncha_kb.generate.annual import scaffold_annual_plan
from xuncha_kb.generate.facts import make_facts
from xuncha_kb.generate.inspection import scaffold_inspection
from xuncha_kb.model import GraphConfig

GOLDEN = Path(__file__).parent / "golden" / "scaffold"
REGEN = os.environ.get("XUNCHA_REGEN_GOLDEN") == "1"
TRI = GraphConfig(name_format="triple-lowbar", preferred_workflow="todo")  # the goldens are TODO pages


def _generated() -> dict[str, str]:
    facts = make_facts("某某集团有限公司", "2026年第一轮", leader="张三", members="李四,王五",
                       entry="2026-03-02", exit="2026-04-10")
    files = list(scaffold_inspection(small_workflow(), facts, TRI).files)
    files += scaffold_annual_plan(small_workflow(), 2026, TRI).files
    return {f.path.split("/", 1)[1]: f.content for f in files}


CASES = sorted(_generated())


def test_golden_set_is_complete() -> None:
    if REGEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in _generated().items():
            (GOLDEN / name).write_bytes(text.encode("utf-8"))
    assert sorted(p.name for p in GOLDEN.iterdir()) == CASES


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    expected = (GOLDEN / name).read_bytes()
    assert _generated()[name].encode("utf-8") == expected
    assert b"\r" not in expected and not expected.startswith(b"\xef\xbb\xbf") and expected.endswith(b"\n")
