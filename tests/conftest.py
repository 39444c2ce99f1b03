"""Shared fixtures: the example graph copied into tmp_path, the shared folder, the CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The xlsx report is written with openpyxl's own XML writer (see report/xlsx.py); fix that before
# any test imports openpyxl, so that greps of the xlsx parts see UTF-8 text in every test order.
os.environ.setdefault("OPENPYXL_LXML", "False")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_GRAPH = ROOT / "examples" / "graph"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("XUNCHA_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seed" / "000_d771ac59c96ea753.txt"
CORPUS = SHARED / "corpus"


def write_file(root: Path, rel: str, data: str | bytes) -> Path:
    """Write ``data`` (UTF-8 text or bytes) to ``root/rel``, making folders as needed."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


@pytest.fixture
def example_graph(tmp_path: Path) -> Path:
    """A private copy of examples/graph that a test may change freely."""
    dest = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, dest)
    return dest


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not available")
    return CORPUS


def _installed_peer() -> Path | None:
    """An npm-installed copy of ../shared/peer (Logseq's own parser, mldoc): $XUNCHA_PEER_DIR
    (.ci/run prepares one) or /tmp/xuncha-peer."""
    for c in (os.environ.get("XUNCHA_PEER_DIR", ""), "/tmp/xuncha-peer"):
        if c and (Path(c) / "mldoc_blocks.js").is_file() and (Path(c) / "node_modules" / "mldoc").is_dir():
            return Path(c)
    return None


@pytest.fixture(scope="session")
def peer() -> Path:
    """The installed peer parser; tests that need it skip cleanly without node or the peer."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    found = _installed_peer()
    if found is None:
        pytest.skip("peer parser not installed (set XUNCHA_PEER_DIR)")
    return found


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


def _hypothesis_profiles() -> None:
    """CI replays the same examples on every run (a red CI must be reproducible);
    local runs keep exploring new random examples."""
    try:
        from hypothesis import settings
    except ImportError:  # pragma: no cover - hypothesis is a test dependency
        return
    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


_hypothesis_profiles()
