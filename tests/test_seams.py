"""No ``Any`` at the package seams (docs/architecture.md): what one package hands another is typed.

A *seam* is a name that a module of one layer imports from a module of another layer (see
``tests/test_architecture.py`` for the layers) — ``from xuncha_kb.track.progress import
compute_progress`` in ``report/``, or ``fsindex.Record`` after ``from xuncha_kb.fs import index as
fsindex``.  Its signature must not mention ``typing.Any``: for a function its parameters and return;
for a class its annotated fields and the signatures of its public methods and ``__init__``; for a
module-level name its annotation or the type alias it defines.  ``Any`` inside a package (private
helpers, local variables) is allowed: the package checks it itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.test_architecture import layer, modules


def _mentions_any(node: ast.AST | None) -> bool:
    if node is None:
        return False
    for n in ast.walk(node):
        if (isinstance(n, ast.Name) and n.id == "Any") or (isinstance(n, ast.Attribute) and n.attr == "Any"):
            return True
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            try:
                inner = ast.parse(n.value, mode="eval")
            except SyntaxError:
                continue
            if _mentions_any(inner):
                return True
    return False


def _signature_has_any(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    a = fn.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *(x for x in (a.vararg, a.kwarg) if x)]
    return any(_mentions_any(p.annotation) for p in params) or _mentions_any(fn.returns)


def _class_has_any(cls: ast.ClassDef) -> bool:
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and _mentions_any(node.annotation):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                (not node.name.startswith("_") or node.name == "__init__") and _signature_has_any(node):
            return True
    return False


def typed_badly(tree: ast.Module) -> set[str]:
    """The module-level names of ``tree`` whose signature or type mentions ``Any``."""
    bad: set[str] = set()
    for node in tree.body:
        if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _signature_has_any(node)) or \
                (isinstance(node, ast.ClassDef) and _class_has_any(node)):
            bad.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                (_mentions_any(node.annotation) or
                 ("TypeAlias" in ast.unparse(node.annotation) and _mentions_any(node.value))):
            bad.add(node.target.id)
        elif isinstance(node, ast.Assign) and _mentions_any(node.value) and \
                isinstance(node.value, ast.Subscript | ast.BinOp | ast.Name | ast.Attribute):
            bad.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return bad


def seams(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, str, int]]:
    """(defining module, name, line) for every name ``name`` takes from a module of another layer."""
    tree = ast.parse(path.read_text("utf-8"))
    aliases: dict[str, str] = {}  # local name → imported module (``from x import mod as m``)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xuncha_kb"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in known:
                    aliases[alias.asname or alias.name] = sub
                elif layer(node.module) != layer(name):
                    yield node.module, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            target = aliases[node.value.id]
            if layer(target) != layer(name):
                yield target, node.attr, node.lineno


def test_no_any_at_package_seams() -> None:
    mods = modules()
    bad = {name: typed_badly(ast.parse(p.read_text("utf-8"))) for name, p in mods.items()}
    found = sorted({f"{mods[user].relative_to(Path(mods[user]).parents[len(user.split('.')) - 1])}:{line}: "
                    f"{target}.{attr}" for user, p in mods.items()
                    for target, attr, line in seams(user, p, set(mods)) if attr in bad.get(target, ())})
    assert not found, "Any in a signature that another package uses:\n" + "\n".join(found)


def test_the_check_sees_any_in_each_kind_of_definition() -> None:
    tree = ast.parse(
        "from typing import Any\n"
        "def f(x: Any) -> int: ...\n"
        "def g() -> 'dict[str, Any]': ...\n"
        "def ok(x: int) -> int: ...\n"
        "class C:\n    field: list[Any]\n"
        "class D:\n    def public(self, **kw: Any) -> None: ...\n"
        "    def _private(self, x: Any) -> None: ...\n"
        "class E:\n    def _private(self, x: Any) -> None: ...\n"
        "Alias = dict[str, Any]\n"
        "Named: TypeAlias = 'tuple[Any, ...]'\n"
        "value: Any = 1\n")
    assert typed_badly(tree) == {"f", "g", "C", "D", "Alias", "Named", "value"}
