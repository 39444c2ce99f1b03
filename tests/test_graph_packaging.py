"""The wheel ships graph_templates/ as the package data ``xuncha_kb.graph_templates``.

The build runs on a copy of the project in tmp_path, so it never leaves ``build/`` or
``*.egg-info`` in the working tree.  With the ``wheel`` package installed the build runs
without isolation (offline); otherwise pip builds in an isolated environment from the
configured package index (the same way ``pip install -e .`` does).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from xuncha_kb.logseq import native


def _build_wheel(tmp_path: Path, env: dict[str, str] | None = None) -> set[str]:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py"):
        shutil.copy2(ROOT / name, src / name)
    # compiled modules of an editable install stay behind: the wheel gets its own build
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", native.MANIFEST)
    shutil.copytree(ROOT / "xuncha_kb", src / "xuncha_kb", ignore=ignore)
    shutil.copytree(ROOT / "graph_templates", src / "graph_templates", ignore=ignore)
    out = tmp_path / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out)]
    if importlib.util.find_spec("wheel") is not None:
        cmd += ["--no-build-isolation"]
    proc = subprocess.run([*cmd, str(src)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0 and "No matching distribution" in proc.stdout + proc.stderr:
        pytest.skip("build backend not available offline")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [wheel] = list(out.glob("xuncha_kb-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        if f"xuncha_kb/logseq/{native.MANIFEST}" in names:
            (tmp_path / native.MANIFEST).write_bytes(zf.read(f"xuncha_kb/logseq/{native.MANIFEST}"))
    return names


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    folder = tmp_path_factory.mktemp("wheel")
    return folder, _build_wheel(folder)


@pytest.fixture(scope="module")
def wheel_names(wheel_build: tuple[Path, set[str]]) -> set[str]:
    return wheel_build[1]


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


def _compiled(names: set[str]) -> set[str]:
    return {n for n in names if n.startswith("xuncha_kb/") and n.endswith(".so")}


@pytest.mark.slow
def test_wheel_compiled_reader_is_complete_and_recorded(wheel_build: tuple[Path, set[str]]) -> None:
    """Where the build could compile, the wheel holds every compiled module of the group and
    the record of the sources they were built from (what ``native.check`` trusts)."""
    folder, names = wheel_build
    compiled = _compiled(names)
    if not compiled:
        pytest.skip("no C compiler or mypyc in this environment: the wheel is pure Python")
    stems = {n.rsplit("/", 1)[1].split(".", 1)[0] for n in compiled}
    assert stems == {*native.NATIVE_MODULES, native.GROUP_MODULE}
    assert all(n.startswith("xuncha_kb/logseq/") for n in compiled)
    record = json.loads((folder / native.MANIFEST).read_text("utf-8"))["sources"]
    logseq = ROOT / "xuncha_kb" / "logseq"
    assert record == {m: native.source_digest(logseq / f"{m}.py") for m in native.NATIVE_MODULES}


@pytest.mark.slow
def test_wheel_builds_pure_when_compiling_fails(tmp_path: Path) -> None:
    """No working C compiler: the install still succeeds, as pure Python, with no half build."""
    names = _build_wheel(tmp_path, env={"CC": "false", "CXX": "false", "LDSHARED": "false"})
    assert not _compiled(names)
    assert f"xuncha_kb/logseq/{native.MANIFEST}" not in names
    assert "xuncha_kb/logseq/page.py" in names
