"""The Logseq plugin in logseq-plugin/: ``npm ci && npm test && npm run build`` in a temp copy.

The plugin's own tests (node:test, a mocked ``logseq`` API) live in logseq-plugin/test/; this
runs them the way CI does.  Skips when npm is missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

PLUGIN = ROOT / "logseq-plugin"
NETWORK_ERRORS = ("ENOTFOUND", "ECONNREFUSED", "ETIMEDOUT", "EAI_AGAIN", "ECONNRESET", "network")


def _npm(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    assert npm is not None
    return subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def test_plugin_manifest_names_its_entry() -> None:
    pkg = json.loads((PLUGIN / "package.json").read_text("utf-8"))
    assert pkg["logseq"]["id"] == "xuncha-kb"
    assert (PLUGIN / pkg["logseq"]["main"]).is_file()
    assert "dist/index.js" in (PLUGIN / pkg["logseq"]["main"]).read_text("utf-8")
    assert (PLUGIN / "package-lock.json").is_file()
    assert {"test", "build"} <= set(pkg["scripts"])


@pytest.mark.slow
def test_npm_ci_test_and_build(tmp_path: Path) -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm / node not installed")
    work = tmp_path / "plugin"
    shutil.copytree(PLUGIN, work, ignore=shutil.ignore_patterns("node_modules", "dist", ".test-build"))
    try:
        ping = _npm(["ping"], work, 60)
    except subprocess.TimeoutExpired:
        pytest.skip("the npm registry did not answer")
    if ping.returncode != 0:
        pytest.skip(f"the npm registry is not reachable: {ping.stderr.strip()[-200:]}")
    ci = _npm(["ci", "--no-audit", "--no-fund"], work, 600)
    if ci.returncode != 0 and any(e in ci.stderr for e in NETWORK_ERRORS):
        pytest.skip(f"npm ci could not download: {ci.stderr.strip()[-200:]}")
    assert ci.returncode == 0, ci.stderr
    test = _npm(["test"], work, 300)
    assert test.returncode == 0, test.stdout + test.stderr
    assert "# fail 0" in test.stdout and "# pass" in test.stdout
    build = _npm(["run", "build"], work, 300)
    assert build.returncode == 0, build.stdout + build.stderr
    bundle = work / "dist" / "index.js"
    assert bundle.is_file() and bundle.stat().st_size > 10_000
    assert "xuncha-progress" in bundle.read_text("utf-8")
