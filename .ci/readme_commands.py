"""Print README's two opening commands, one a line: install-and-run, then install-and-test.

.ci/run executes exactly these, so what CI proves is what README tells a newcomer to type.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def opening_commands(text: str) -> list[str]:
    """The first two command lines of README's first fenced shell block, comments removed."""
    m = re.search(r"^```(?:bash|sh|shell)\n(.*?)^```", text, re.S | re.M)
    if m is None:
        return []
    lines = [re.sub(r"\s+#\s.*$", "", line).strip() for line in m.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")][:2]


def main() -> int:
    commands = opening_commands(README.read_text("utf-8"))
    if len(commands) != 2:
        print("README.md must open with a shell block of two commands", file=sys.stderr)
        return 1
    print("\n".join(commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
