"""``stats --json`` on the example graph equals Logseq's own parser (mldoc peer) — the example
graph grows as other parts of the project generate pages into it, so this keeps checking that
everything we write is read the way Logseq reads it.  Skips without node / the installed peer.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from xuncha_kb.cli import cli

pytestmark = pytest.mark.peer



def test_example_graph_stats_equal_the_peer(peer: Path, runner, example_graph: Path) -> None:
    out = subprocess.run(["node", str(peer / "mldoc_blocks.js"), str(example_graph), "--summary"],
                         capture_output=True, text=True, check=True, timeout=120)
    expected = json.loads(out.stdout)
    result = runner.invoke(cli, ["stats", str(example_graph), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert expected["errors"] == 0 and got["diagnostics"] == []
    assert got["other_pages"] == 0  # the peer only walks pages/ and journals/
    assert (got["pages"], got["journals"]) == (expected["pages"], expected["journals"])
    assert got["blocks"] == expected["blocks"]
    assert got["pre_blocks"] == expected["pre_blocks"]
    assert got["pages_with_properties"] == expected["pages_with_page_properties"]
    assert got["org_files"] == expected["org"]
    assert got["tasks"] == expected["tasks_by_marker"]
    assert got["priorities"] == expected["priorities"]
    assert (got["scheduled"], got["deadline"]) == (expected["scheduled"], expected["deadline"])
