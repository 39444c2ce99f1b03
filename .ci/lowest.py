"""Print a pip constraints file that pins every runtime dependency to its declared lower bound.

CI installs the project a second time with these constraints, so the lower bounds written in
pyproject.toml are versions the test suite has actually passed on, not guesses.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    for requirement in project["dependencies"]:
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*>=\s*([0-9][A-Za-z0-9.]*)", requirement)
        if m is None:
            print(f"no lower bound in dependency {requirement!r}", file=sys.stderr)
            return 1
        print(f"{m.group(1)}=={m.group(2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
