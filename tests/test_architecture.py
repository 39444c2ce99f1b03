"""The rules of docs/architecture.md, checked on the code: who may import whom, no import cycle,
and no file-system change outside ``fs/``.

Imports are read from the source with ``ast`` — every ``import`` and ``from … import`` of a
``xuncha_kb`` module, also those inside functions and under ``TYPE_CHECKING`` (a lazy import is
still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "xuncha_kb"

#: The layers, lowest first.  A module may import its own layer and the layers listed for it.
BASE = {"xuncha_kb", "xuncha_kb.errors", "xuncha_kb.model", "xuncha_kb.filespec", "xuncha_kb.cli_text",
        "xuncha_kb.inputfile"}
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "logseq": {"base"},
    "workflow": {"base", "logseq"},
    "stats": {"base", "logseq"},
    "track": {"base", "logseq", "workflow"},
    "generate": {"base", "logseq", "workflow", "track"},
    "live": {"base", "logseq", "workflow", "track", "generate", "fs"},  # reads through fs; never writes
    "report": {"base", "logseq", "workflow", "track"},
    "fs": {"base", "logseq"},
    "commands": {"base", "logseq", "workflow", "stats", "track", "generate", "live", "report", "fs"},
    "serve": {"base", "logseq", "workflow", "stats", "track", "generate", "live", "report", "fs", "commands"},
    "cli": {"base", "logseq", "workflow", "stats", "track", "generate", "live", "report", "fs", "commands",
            "serve"},
}


def layer(module: str) -> str:
    if module == "xuncha_kb.__main__":
        return "cli"
    if module in BASE:
        return "base"
    part = module.split(".")[1]
    return part if part in ALLOWED else "base"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """(imported xuncha_kb module, line) for every import in the file."""
    tree = ast.parse(path.read_text("utf-8"))
    known = modules()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("xuncha_kb"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xuncha_kb"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub if sub in known else node.module), node.lineno


def test_layers() -> None:
    wrong = []
    for name, path in modules().items():
        mine = layer(name)
        for target, line in imports_of(path):
            theirs = layer(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {mine} imports {target} ({theirs})")
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph = {name: {t for t, _ in imports_of(path) if t != name} for name, path in modules().items()}
    # A package's __init__ is imported by its modules' imports; only module-to-module edges count.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_only_cli_imports_click_and_only_fs_watch_imports_watchdog() -> None:
    wrong = []
    for name, path in modules().items():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for n in names:
                top = n.split(".")[0]
                if (top == "click" and layer(name) != "cli") or \
                        (top == "watchdog" and name != "xuncha_kb.fs.watch"):
                    wrong.append(f"{name}:{node.lineno}: {n}")
    assert not wrong, wrong


# --- no file-system change outside fs/ -----------------------------------------------------------

_CHANGING_FUNCTIONS = {
    ("os", "rename"), ("os", "replace"), ("os", "unlink"), ("os", "remove"), ("os", "rmdir"),
    ("os", "mkdir"), ("os", "makedirs"), ("os", "link"), ("os", "symlink"), ("os", "truncate"),
    ("os", "removedirs"), ("os", "renames"), ("shutil", "move"), ("shutil", "rmtree"), ("shutil", "copy"),
    ("shutil", "copy2"), ("shutil", "copyfile"), ("shutil", "copytree"),
}
_CHANGING_METHODS = {"write_text", "write_bytes", "mkdir", "unlink", "rename", "rmdir", "touch", "symlink_to",
                     "hardlink_to"}
_WRITE_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}


def _mode_writes(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else \
        next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and \
        any(c in mode.value for c in "wax+")


def changes_to_files(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and (f.value.id, f.attr) in \
                _CHANGING_FUNCTIONS:
            yield f"{node.lineno}: {f.value.id}.{f.attr}"
        elif isinstance(f, ast.Attribute) and f.attr in _CHANGING_METHODS:
            yield f"{node.lineno}: .{f.attr}()"
        elif isinstance(f, ast.Name) and f.id == "open" and _mode_writes(node):
            yield f"{node.lineno}: open(…, write mode)"
        elif isinstance(f, ast.Attribute) and f.attr == "open" and _mode_writes(node):
            yield f"{node.lineno}: .open(…, write mode)"
        elif isinstance(f, ast.Attribute) and f.attr == "open" and isinstance(f.value, ast.Name) and \
                f.value.id == "os" and any(isinstance(n, ast.Attribute) and n.attr in _WRITE_FLAGS
                                           for n in ast.walk(node)):
            yield f"{node.lineno}: os.open(…, write flags)"
        elif isinstance(f, ast.Attribute) and f.attr == "ZipFile" and _mode_writes(node):
            yield f"{node.lineno}: ZipFile(…, write mode)"


def test_nothing_outside_fs_changes_a_file() -> None:
    found = [f"{p.relative_to(ROOT)}:{hit}" for name, p in modules().items()
             if not name.startswith("xuncha_kb.fs") for hit in changes_to_files(p)]
    assert not found, "file-system changes outside xuncha_kb/fs/:\n" + "\n".join(found)


@pytest.mark.parametrize("snippet", [
    "import os\nos.rename('a', 'b')\n", "from pathlib import Path\nPath('a').write_text('x')\n",
    "open('a', 'w')\n", "import os\nos.open('a', os.O_WRONLY)\n", "import shutil\nshutil.rmtree('a')\n",
    "import zipfile\nzipfile.ZipFile('a.zip', 'w')\n", "from pathlib import Path\nPath('a').mkdir()\n",
])
def test_the_grep_finds_each_kind_of_change(tmp_path: Path, snippet: str) -> None:
    p = tmp_path / "m.py"
    p.write_text(snippet, encoding="utf-8")
    assert list(changes_to_files(p))


def test_the_grep_leaves_reading_alone(tmp_path: Path) -> None:
    p = tmp_path / "m.py"
    p.write_text("import os\nopen('a').read()\nopen('a', 'rb')\nos.open('a', os.O_RDONLY)\n"
                 "'x'.replace('a', 'b')\n", encoding="utf-8")
    assert list(changes_to_files(p)) == []


# --- sizes: a module a newcomer can read, a function that fits on a screen --------------------

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def oversized(path: Path) -> Iterator[str]:
    """What in ``path`` is over the limits of docs/architecture.md (rule 6)."""
    text = path.read_text("utf-8")
    lines = len(text.splitlines())
    if lines > MAX_MODULE_LINES:
        yield f"{lines} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{node.lineno}: {node.name} is {length} lines"


def test_no_module_or_function_over_the_size_limits() -> None:
    found = [f"{p.relative_to(ROOT)}: {hit}" for p in modules().values() for hit in oversized(p)]
    assert not found, "over the size limits:\n" + "\n".join(found)


def test_the_size_check_finds_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    def source(body_lines: int, blank: int) -> str:
        return "def f() -> None:\n" + "".join(f"    x{i} = {i}\n" for i in range(body_lines)) + "\n" * blank

    p = tmp_path / "m.py"
    p.write_text(source(MAX_FUNCTION_LINES, MAX_MODULE_LINES - MAX_FUNCTION_LINES), encoding="utf-8")
    assert sorted(oversized(p)) == ["1: f is 81 lines", "401 lines"]
    p.write_text(source(MAX_FUNCTION_LINES - 1, MAX_MODULE_LINES - MAX_FUNCTION_LINES), encoding="utf-8")
    assert list(oversized(p)) == []


def test_ruff_keeps_the_complexity_limit() -> None:
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]
    lint = conf["ruff"]["lint"]
    assert "C90" in lint["select"] and lint["mccabe"]["max-complexity"] <= 12
    exempt = [f for f, rules in lint.get("per-file-ignores", {}).items() if "C901" in rules]
    assert not [f for f in exempt if f.startswith("xuncha_kb")], exempt
    assert conf["mypy"]["strict"] is True and conf["mypy"]["packages"] == ["xuncha_kb"]
