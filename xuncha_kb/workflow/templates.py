"""Find the shipped ``graph_templates/`` folder, installed or not.

In a wheel the folder is the package ``xuncha_kb.graph_templates`` (pyproject maps the
top-level ``graph_templates/`` there), found with ``importlib.resources``.  In a source
checkout or an editable install that package may not be importable, so we fall back to the
``graph_templates/`` folder beside the ``xuncha_kb`` package.  ``XUNCHA_TEMPLATES`` (a folder)
overrides both, for tests and for offices that keep their own copy.
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from xuncha_kb.errors import XunchaError

PACKAGE = "xuncha_kb.graph_templates"
ENV = "XUNCHA_TEMPLATES"
#: The shipped workflow definition, relative to the templates folder.
DEFAULT_DEFINITION = "workflow/巡察工作流程定义.md"


def templates_root() -> Traversable:
    """The templates folder as a ``Traversable`` (a ``Path`` outside a zip)."""
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    try:
        root = resources.files(PACKAGE)
        if root.joinpath(DEFAULT_DEFINITION).is_file():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    import xuncha_kb

    return Path(xuncha_kb.__file__).resolve().parent.parent / "graph_templates"


def read_template(relpath: str) -> str:
    """The text of one shipped template file (UTF-8)."""
    node = templates_root()
    for part in relpath.split("/"):
        node = node.joinpath(part)
    try:
        return node.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise XunchaError(f"安装不完整：找不到内置模板 {relpath}",
                          hint="重新安装 xuncha-kb，或设置环境变量 XUNCHA_TEMPLATES 指向模板目录。") from None
