"""One exception root for every error a user can cause.

Each error carries its exit code and a message in Chinese that names the file (and line,
where there is one) and says what to do next.  ``cli.py`` turns them into a message on
stderr and the exit code in exactly one place; no user error ever shows a traceback.

Exit codes (documented in README):
    0  success
    1  unexpected internal error (a bug: please report it)
    2  bad input: bad option value, a named file missing or malformed, invalid workflow definition
    3  the graph path is missing, not a Logseq graph, or cannot be read; or a folder of the
       graph that must be written (pages/ …) is not a folder
    4  conflict: a file changed by the user would have been overwritten (nothing written)
    5  write failed (disk full, read-only graph …); the graph is left consistent
    6  busy: another xuncha-kb process holds the graph lock
"""

from __future__ import annotations

from typing import ClassVar


class XunchaError(Exception):
    """Root of all user-facing errors."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint

    def render(self) -> str:
        """The one-line (or two-line) message shown to the user.

        Control characters that came in with a hostile value (a NUL or an ESC sequence in a
        path or a name) are shown escaped, never sent to the terminal; line breaks of
        multi-line messages are kept.
        """
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        text = f"错误：{where}{self.message}"
        if self.hint:
            text += f"\n提示：{self.hint}"
        return printable(text)


def printable(text: str) -> str:
    """``text`` with every control character but the line break (C0 and C1), lone surrogate and
    bidi override written as an escape (``\\x00``, ``\\u202e``)."""
    return "".join(repr(c)[1:-1] if _unprintable(c) else c for c in text)


def _unprintable(c: str) -> bool:
    n = ord(c)
    return c != "\n" and (n < 32 or 0x7F <= n <= 0x9F or 0xD800 <= n <= 0xDFFF
                           or 0x202A <= n <= 0x202E or 0x2066 <= n <= 0x2069)


class InputError(XunchaError):
    """Bad input the user can fix: an option value, a malformed file, a broken definition."""

    exit_code = 2


class WorkflowError(InputError):
    """A workflow definition that does not load or does not validate."""


class GraphNotFound(XunchaError):
    """The path is not a Logseq graph, does not exist, or cannot be read."""

    exit_code = 3


class GraphLayoutError(GraphNotFound):
    """A folder of the graph (``pages/``, ``whiteboards/`` …) is not a folder — a file, a FIFO,
    a symlink to a file — so the graph cannot be read or written there (exit 3, like a path
    that is not a graph)."""


class WriteConflict(XunchaError):
    """A file changed since xuncha-kb read or generated it; nothing was overwritten."""

    exit_code = 4


class WriteFailed(XunchaError):
    """Writing failed part-way (disk full, read-only graph); the graph stays consistent."""

    exit_code = 5


class GraphBusy(XunchaError):
    """Another xuncha-kb process is writing to the same graph."""

    exit_code = 6
