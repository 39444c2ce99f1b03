"""Golden outputs of ``xuncha-kb report`` (text, md, json) on the progress fixture graph.

Regenerate after an intended change with
``XUNCHA_REGEN_GOLDEN=1 python -m pytest tests/test_report_golden.py`` and review the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

GRAPH = FIXTURES / "progress" / "graph"
GOLDEN = Path(__file__).parent / "golden" / "report"
TODAY = "2026-07-25"


@pytest.fixture
def fixture_graph(tmp_path: Path) -> Path:
    dest = tmp_path / "graph"
    shutil.copytree(GRAPH, dest)
    return dest


CASES = [
    ("portfolio.txt", ["--format", "text"]),
    ("portfolio.md", ["--format", "md"]),
    ("portfolio.json", ["--format", "json"]),
    ("group.txt", ["--format", "text", "--inspection", "某某集团有限公司"]),
    ("group-redacted.txt", ["--format", "text", "--inspection", "某某集团有限公司", "--redact", "names"]),
]


@pytest.mark.parametrize("name,args", CASES, ids=[c[0] for c in CASES])
def test_golden(runner, fixture_graph: Path, name: str, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    result = runner.invoke(cli, ["report", str(fixture_graph), "--today", TODAY, *args])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / name
    if os.environ.get("XUNCHA_REGEN_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.output, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden}; run with XUNCHA_REGEN_GOLDEN=1"
    assert result.output == golden.read_text(encoding="utf-8")


def test_output_does_not_depend_on_the_real_date(runner, fixture_graph: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    a = runner.invoke(cli, ["report", str(fixture_graph), "--today", TODAY, "--format", "json"]).output
    b = runner.invoke(cli, ["report", str(fixture_graph), "--today", "2026-08-20", "--format", "json"]).output
    assert a != b  # --today really drives the computation
    again = runner.invoke(cli, ["report", str(fixture_graph), "--today", TODAY, "--format", "json"]).output
    assert a == again
