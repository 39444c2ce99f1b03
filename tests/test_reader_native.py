"""The compiled reader (mypyc, built by setup.py when it can) and the pure-Python reader.

They are one reader built two ways, so: the same output on every file we have, and compiled
modules used only when they were built from the sources now on disk (``native.check``).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import CORPUS, ROOT
from xuncha_kb.logseq import native

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
MODULES = native.NATIVE_MODULES


def _fake_build(folder: Path, *, manifest: bool = True) -> Path:
    """A package folder as setup.py leaves it, with stand-in (invalid) extension files."""
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(
        "import os\nfrom xuncha_kb.logseq import native\n"
        "MODE = native.select(__name__, os.path.dirname(os.path.abspath(__file__)))\n", "utf-8")
    for m in MODULES:
        (folder / f"{m}.py").write_text(f"VALUE = {m!r}\n", "utf-8")
        (folder / f"{m}{SUFFIX}").write_bytes(b"not a shared object")
    (folder / f"{native.GROUP_MODULE}{SUFFIX}").write_bytes(b"not a shared object")
    if manifest:
        sources = {m: native.source_digest(folder / f"{m}.py") for m in MODULES}
        (folder / native.MANIFEST).write_text(json.dumps({"sources": sources}), "utf-8")
    return folder


@pytest.fixture(autouse=True)
def _no_pure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(native.PURE_ENV, raising=False)


def test_check_native_when_every_compiled_module_matches_its_source(tmp_path: Path) -> None:
    mode, reason, present = native.check(str(_fake_build(tmp_path / "pkg")))
    assert (mode, present) == ("native", True), reason


def test_check_pure_without_compiled_files(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    for m in MODULES:
        (folder / f"{m}.py").write_text("", "utf-8")
    assert native.check(str(folder))[::2] == ("pure", False)


def test_check_pure_when_a_source_was_edited_after_compiling(tmp_path: Path) -> None:
    folder = _fake_build(tmp_path / "pkg")
    with open(folder / "page.py", "a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    mode, reason, present = native.check(str(folder))
    assert (mode, present) == ("pure", True) and "page.py" in reason


def test_check_pure_when_the_build_is_incomplete_or_unrecorded(tmp_path: Path) -> None:
    incomplete = _fake_build(tmp_path / "a")
    (incomplete / f"{native.GROUP_MODULE}{SUFFIX}").unlink()
    mode, reason, _ = native.check(str(incomplete))
    assert mode == "pure" and native.GROUP_MODULE in reason
    unrecorded = _fake_build(tmp_path / "b", manifest=False)
    mode, reason, _ = native.check(str(unrecorded))
    assert mode == "pure" and native.MANIFEST in reason


def test_check_pure_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _fake_build(tmp_path / "pkg")
    monkeypatch.setenv(native.PURE_ENV, "1")
    mode, reason, _ = native.check(str(folder))
    assert mode == "pure" and native.PURE_ENV in reason


def _import_in_subprocess(parent: Path, package: str) -> subprocess.CompletedProcess[str]:
    code = (f"import {package} as p, {package}.page as m, {package}.outline as o\n"
            "print(p.MODE, m.VALUE, o.VALUE, m.__file__.endswith('.py'))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(parent), str(ROOT)])}
    env.pop(native.PURE_ENV, None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_edited_sources_win_over_stale_extensions(tmp_path: Path) -> None:
    """With a source edited after compiling, the .py files are imported — not the extensions
    (the stand-ins here would fail to load).  With matching sources the extensions are tried:
    the same stand-ins then fail, which shows the guard is what made the difference."""
    stale = _fake_build(tmp_path / "stale" / "fakepkg")
    with open(stale / "inline.py", "a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    proc = _import_in_subprocess(tmp_path / "stale", "fakepkg")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["pure", "page", "outline", "True"]

    fresh = _fake_build(tmp_path / "fresh" / "fakepkg")
    assert fresh.is_dir()
    proc = _import_in_subprocess(tmp_path / "fresh", "fakepkg")
    assert proc.returncode != 0 and "ImportError" in proc.stderr


# --- the two readers agree ----------------------------------------------------------------------

_TRICKY = [
    "- a", "-", "-x", "- ", "\t- tab child", "  - two spaces", "    - four", "   - three", "\t\t- deep",
    "# heading", "## heading two", "#tag line", "- ## bullet heading", "- TODO task", "- DONE [#A] done",
    "- LATER [#b] later", "- NOW [#C]", "- CANCELED x", "- CANCELLED y", "- WAIT w", "- todo lower",
    "  SCHEDULED: <2026-03-01 Sun>", "  DEADLINE: <2026-02-30 Mon 10:00 .+1w>", "  SCHEDULED: <2026-13-01>",
    "  key:: value", "  tags:: a, [[b c]], #d", "  id:: 6560a1b2-0000-4000-8000-000000000001",
    "key:: page property", "title:: 标题", "  note:: SCHEDULED: <2026-03-01 Sun>", "  owner:: 张三, 李四",
    "  ```python", "  ```", "```", "~~~", "  - not a block?", "  key:: in code?", "#+BEGIN_QUOTE",
    "#+END_QUOTE", "  #+BEGIN_SRC clojure", "  #+end_src", "$$", "  $$ x $$", "  :LOGBOOK:", "  :END:",
    "  CLOCK: [2026-03-01 Sun 10:00]", "  continuation [[ref]] ((6560a1b2-0000-4000-8000-000000000001))",
    "  {{query (task TODO)}} {{embed [[x]]}}", "", "   ", "\t", "---", "a: front", "中文 [[巡察/2026]] #标签",
    "- `[[not a ref]]` text", "  - [[a [[nested]]]]", "-\tTODO tab after bullet",
]


def _tricky_graph(folder: Path, files: int = 300, seed: int = 7) -> None:
    rng = random.Random(seed)
    pages = folder / "pages"
    pages.mkdir(parents=True)
    for i in range(files):
        lines = [rng.choice(_TRICKY) for _ in range(rng.randint(1, 40))]
        text = "\n".join(lines)
        if i % 17 == 0:
            text = text.replace("\n", "\r\n")
        if i % 23 == 0:
            text = "\ufeff" + text
        (pages / f"t{i:03d}.md").write_text(text, "utf-8", newline="")


_DUMP = """
import hashlib, json, os, sys
from xuncha_kb.logseq import native
from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import LAZY_BLOCK_FIELDS, GraphConfig
cfg = GraphConfig(separated_by_commas=frozenset({"owner"}))
out = {"mode": native.mode}
for root in sys.argv[1:]:
    for dp, _dirs, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith((".md", ".org")):
                continue
            path = os.path.join(dp, name)
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
            parsed = parse_text(text, path, "org" if name.endswith(".org") else "markdown", cfg)
            for top in parsed.blocks:
                for b in top.walk():
                    for field in LAZY_BLOCK_FIELDS:
                        getattr(b, field)
            out[path] = hashlib.sha256(repr(parsed).encode()).hexdigest()
print(json.dumps(out))
"""


def _dump(roots: list[Path], *, pure: bool) -> dict[str, str]:
    env = {**os.environ}
    env.pop(native.PURE_ENV, None)
    if pure:
        env[native.PURE_ENV] = "1"
    proc = subprocess.run([sys.executable, "-c", _DUMP, *map(str, roots)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, str] = json.loads(proc.stdout)
    return result


@pytest.mark.slow
@pytest.mark.skipif(native.mode != "native", reason="no compiled reader here (a pure-Python install)")
def test_compiled_and_pure_readers_agree(tmp_path: Path) -> None:
    """Every field of every block (deferred ones forced), page properties and diagnostics:
    fixtures, the example graph, a generated bench graph, random tricky pages, the corpora."""
    from tests.test_reader_bench_gen import load_generator

    load_generator().generate(tmp_path / "bench", pages=60, seed=3)
    _tricky_graph(tmp_path / "tricky")
    roots = [ROOT / "tests" / "fixtures", ROOT / "examples" / "graph", tmp_path / "bench",
             tmp_path / "tricky"]
    if CORPUS.is_dir():
        roots.append(CORPUS)
    compiled = _dump(roots, pure=False)
    pure = _dump(roots, pure=True)
    assert compiled.pop("mode") == "native" and pure.pop("mode") == "pure"
    assert len(compiled) > 400
    differ = sorted(k for k in compiled if compiled[k] != pure.get(k))
    assert not differ and compiled.keys() == pure.keys(), differ[:10]


# --- and on random pages (hypothesis), in one process ------------------------------------------

_PURE_PACKAGE = "_xuncha_pure_reader"


def _pure_page_module(folder: Path) -> ModuleType:
    """The four compiled modules loaded again from their sources as a separate package (their
    imports of each other rewritten), so both readers run side by side in this process."""
    package = folder / _PURE_PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    names = "|".join(MODULES)
    for m in MODULES:
        text = (ROOT / "xuncha_kb" / "logseq" / f"{m}.py").read_text("utf-8")
        text = re.sub(rf"from xuncha_kb\.logseq import ({names})\b", rf"from {_PURE_PACKAGE} import \1", text)
        text = re.sub(rf"from xuncha_kb\.logseq\.({names}) import", rf"from {_PURE_PACKAGE}.\1 import", text)
        (package / f"{m}.py").write_text(text, "utf-8")
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module(f"{_PURE_PACKAGE}.page")
    finally:
        sys.path.remove(str(folder))
    assert module.__file__ is not None and module.__file__.endswith(".py")
    return module


def _forced_repr(parsed: Any) -> str:
    from xuncha_kb.model import LAZY_BLOCK_FIELDS

    for top in parsed.blocks:
        for b in top.walk():
            for field in LAZY_BLOCK_FIELDS:
                getattr(b, field)
    return repr(parsed)


@pytest.mark.skipif(native.mode != "native", reason="no compiled reader here (a pure-Python install)")
def test_compiled_and_pure_readers_agree_on_random_pages(tmp_path_factory: pytest.TempPathFactory) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from xuncha_kb.logseq import page as compiled

    assert not (compiled.__file__ or "").endswith(".py")
    pure = _pure_page_module(tmp_path_factory.mktemp("pure"))
    line = st.one_of(st.sampled_from(_TRICKY),
                     st.text(st.sampled_from(list(" \t-#:[]()`~$*<>{}!TODOLATER巡察中文a1")), max_size=30))
    page = st.lists(line, min_size=1, max_size=25).map("\n".join)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(page, st.sampled_from(["markdown", "org"]))
    def agree(text: str, fmt: str) -> None:
        expected = _forced_repr(pure.parse_text(text, "p.md", fmt))
        assert _forced_repr(compiled.parse_text(text, "p.md", fmt)) == expected

    agree()
