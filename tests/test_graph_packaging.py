"""The wheel ships graph_templates/ as the package data ``xuncha_kb.graph_templates``.

The build runs on a copy of the project in tmp_path, so it never leaves ``build/`` or
``*.egg-info`` in the working tree.  With the ``wheel`` package installed the build runs
without isolation (offline); otherwise pip builds in an isolated environment from the
configured package index (the same way ``pip install -e .`` does).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _build_wheel(tmp_path: Path) -> set[str]:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "xuncha_kb", src / "xuncha_kb", ignore=ignore)
    shutil.copytree(ROOT / "graph_templates", src / "graph_templates", ignore=ignore)
    out = tmp_path / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out)]
    if importlib.util.find_spec("wheel") is not None:
        cmd += ["--no-build-isolation"]
    proc = subprocess.run([*cmd, str(src)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "No matching distribution" in proc.stdout + proc.stderr:
        pytest.skip("build backend not available offline")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [wheel] = list(out.glob("xuncha_kb-*.whl"))
    return set(zipfile.ZipFile(wheel).namelist())


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_wheel_contains_graph_templates(wheel_names: set[str]) -> None:
    templates = _files(ROOT / "graph_templates")
    assert templates, "graph_templates/ is empty"
    for rel in templates:
        assert f"xuncha_kb/graph_templates/{rel}" in wheel_names


@pytest.mark.slow
def test_wheel_contains_every_module(wheel_names: set[str]) -> None:
    names = wheel_names
    for rel in _files(ROOT / "xuncha_kb"):
        if rel.endswith(".py") or rel == "py.typed":
            assert f"xuncha_kb/{rel}" in names
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
