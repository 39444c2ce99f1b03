"""EDN text → plain Python values.

Logseq stores ``logseq/config.edn``, whiteboards and graph exports as EDN.  This module is the
one place that talks to ``edn_format`` (imported lazily: it costs 50–85 ms).  Everything
returned is plain Python so the rest of the package never sees ``edn_format`` types:

=====================  =========================================================
EDN                    Python
=====================  =========================================================
keyword ``:a/b``       ``":a/b"`` (a str with the leading colon)
symbol ``fn``          :class:`Symbol` (a str subclass, so ``(fn …)`` stays data)
``#uuid "…"``          the uuid as a lower-case ``str``
``#inst "…"``          ``datetime.datetime``
other tags ``#x v``    an :class:`EdnError` (Logseq never writes them)
list ``( )``/vector    ``tuple``
set ``#{ }``           ``frozenset`` (a ``tuple`` if an element is unhashable)
map ``{ }``            ``dict`` (unhashable keys become tuples of their items)
char ``\\c``            ``str``
=====================  =========================================================

Nothing is ever evaluated.  Errors become :class:`EdnError` with the 1-based line of the
problem, so callers can turn them into a Diagnostic that names ``file:line``.
"""

from __future__ import annotations

import re
import uuid as _uuid
from collections.abc import Mapping
from typing import Any


class Symbol(str):
    """An EDN symbol such as ``fn`` or ``pprint``: data, never evaluated."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Symbol({str.__repr__(self)})"


class EdnError(ValueError):
    """Text that is not valid EDN; ``line`` is 1-based (best effort)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def loads(text: str) -> Any:
    """Parse one EDN value from ``text`` into plain Python (see the module table).

    Well-formed Logseq data (whiteboards, configs) goes through :func:`fast_loads`, about 5×
    faster than edn_format and proven equal to it on the corpus boards and the seed
    (tests/test_graph_edn_fast.py); anything it does not handle — and every error — goes
    through edn_format, which also supplies the error messages and lines.
    """
    if "\r" in text:
        # edn_format only treats space, tab, newline and comma as whitespace; a config saved
        # with Windows line endings must not become "broken".
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return fast_loads(text)
    except _Fallback:
        pass
    try:
        return to_python(_raw_loads(text))
    except RecursionError:
        # Thousands of nested brackets: the converter (and the parser) are recursive.
        raise EdnError(_TOO_DEEP, _deep_nesting_line(text)) from None


#: Deeper nesting is refused: no Logseq file nests beyond a few dozen levels, and the code that
#: walks converted values (and edn_format itself) is recursive.
MAX_DEPTH = 500
_TOO_DEEP = "EDN 嵌套层数过深（括号嵌套数千层），无法读取；文件可能已损坏"


def _deep_nesting_line(text: str, limit: int = MAX_DEPTH) -> int:
    """Line where bracket nesting first goes deeper than ``limit`` (1 if it never does)."""
    depth = 0
    for m in _STRUCTURE.finditer(text):
        tok = m.group()
        if tok in ("(", "[", "{", "#{"):
            depth += 1
            if depth > limit:
                return line_of(text, m.start())
        elif tok in (")", "]", "}"):
            depth -= 1
    return 1


def _raw_loads(text: str) -> Any:
    import edn_format

    try:
        return edn_format.loads(text, write_ply_tables=False)
    except edn_format.EDNDecodeError as exc:
        raise EdnError(_describe(exc, text), _error_line(exc, text)) from None
    except NotImplementedError as exc:  # edn_format's way of saying "unknown tag"
        m = re.search(r"tag (?:ImmutableDict\()?([^\s)]+)", str(exc))
        tag = m.group(1) if m else "?"
        pos = text.find("#" + tag)
        raise EdnError(f"未知的 EDN 标签 #{tag}", line_of(text, pos) if pos >= 0 else 1) from None
    except RecursionError:
        raise
    except Exception as exc:
        # edn_format raises plain errors for some malformed literals: bad uuid (ValueError),
        # "0/0" (ZeroDivisionError), odd tokens (TypeError/IndexError/AttributeError).
        raise EdnError(f"EDN 解析失败：{exc}", _balance_error_line(text)) from None


def _describe(exc: Exception, text: str) -> str:
    arg = exc.args[0] if exc.args else ""
    if hasattr(arg, "value") and hasattr(arg, "lexpos"):
        return f"EDN 语法错误：意外的 {arg.value!r}"
    msg = str(arg)
    if msg == "EOF Reached":
        return "EDN 语法错误：文件在括号或字符串闭合之前结束"
    if msg.startswith("Illegal character"):
        return "EDN 语法错误：非法字符 " + msg.split("'")[1] if "'" in msg else "EDN 语法错误：非法字符"
    if "Even number" in msg:
        return "EDN 语法错误：映射 {…} 中的键和值个数不成对"
    return f"EDN 语法错误：{msg}"


def _error_line(exc: Exception, text: str) -> int:
    arg = exc.args[0] if exc.args else ""
    pos = getattr(arg, "lexpos", None)
    if isinstance(pos, int):
        return line_of(text, pos)
    m = re.search(r"lexpos (\d+)", str(arg))
    if m:
        return line_of(text, int(m.group(1)))
    return _balance_error_line(text)


def _balance_error_line(text: str) -> int:
    """Best guess of where the structure breaks: the first unbalanced bracket, else the end."""
    stack: list[tuple[str, int]] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for m in _STRUCTURE.finditer(text):
        tok = m.group()
        if tok in "([{":
            stack.append((tok, m.start()))
        elif tok in ")]}":
            if not stack or stack[-1][0] != pairs[tok]:
                return line_of(text, m.start())
            stack.pop()
        elif tok.startswith('"') and (len(tok) < 2 or not tok.endswith('"') or tok.endswith('\\"')):
            return line_of(text, m.start())
    if stack:
        return line_of(text, stack[-1][1])
    return max(1, text.count("\n", 0, len(text.rstrip())) + 1)


def line_of(text: str, pos: int) -> int:
    """1-based line of character offset ``pos``."""
    return text.count("\n", 0, max(0, pos)) + 1


def to_python(value: Any) -> Any:
    """Convert an ``edn_format`` value tree into plain Python (see the module table)."""
    from edn_format import Char, ImmutableList, Keyword
    from edn_format import Symbol as EdnSymbol

    def conv(v: Any) -> Any:
        # Order matters: Keyword/Symbol/Char before str; bool before int is irrelevant here.
        if v is None or isinstance(v, bool | int | float):
            return v
        if isinstance(v, Char):
            return str(v)
        if isinstance(v, str):
            return v
        if isinstance(v, Keyword):
            return ":" + v.name
        if isinstance(v, EdnSymbol):
            return Symbol(v.name)
        if isinstance(v, _uuid.UUID):
            return str(v)
        if isinstance(v, Mapping):
            return {_hashable(conv(k)): conv(x) for k, x in v.items()}
        if isinstance(v, frozenset | set):
            items = [conv(x) for x in v]
            try:
                return frozenset(items)
            except TypeError:
                return tuple(items)
        if isinstance(v, list | tuple | ImmutableList):
            return tuple(conv(x) for x in v)
        return v  # datetime (#inst), Decimal, Fraction

    return conv(value)


def _hashable(v: Any) -> Any:
    if isinstance(v, dict):
        return tuple((k, _hashable(x)) for k, x in v.items())
    if isinstance(v, tuple):
        return tuple(_hashable(x) for x in v)
    return v


def strip_colons(value: Any) -> Any:
    """Keys ``":a"`` → ``"a"`` in every nested dict (for JSON-like data such as tldraw shapes)."""
    if isinstance(value, dict):
        return {(k[1:] if isinstance(k, str) and k.startswith(":") else k): strip_colons(v)
                for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(strip_colons(v) for v in value)
    return value


# --- positions -------------------------------------------------------------------------
# Strings (skipped whole, so big base64 data URIs cost one regex step), comments, char
# literals, and the brackets; everything else is irrelevant for structure.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|;[^\n]*|\\.|#\{|[()\[\]{}]', re.S)


# --- fast path ---------------------------------------------------------------------------------
# A small iterative reader for the EDN that Logseq writes: maps, lists, vectors, sets, strings,
# keywords, symbols, integers, decimal floats, nil/true/false, #uuid.  Anything else (chars,
# #inst and other tags, #_, metadata, ratios, N/M suffixes, exponents, malformed input) raises
# _Fallback and the caller uses edn_format instead.  No recursion; nesting deeper than
# MAX_DEPTH is an EdnError (as it is through edn_format).


class _Fallback(Exception):
    pass


_SYM_CHARS = r"\w.*+!\-?$%&=:#<>@"
_FAST_TOKEN = re.compile(
    r'(?P<ws>[\s,]+|;[^\n]*)'
    r'|(?P<str>"[^"\\]*(?:\\.[^"\\]*)*")'
    r'|(?P<open>[(\[{]|#\{)'
    r'|(?P<close>[)\]}])'
    r'|(?P<uuid>#uuid[\s,]*"(?P<uuidval>[^"\\]*)")'
    r'|(?P<atom>[^\s,()\[\]{}"\\;^#][^\s,()\[\]{}"\\;^]*)'
    r'|(?P<other>.)',
    re.S,
)
_INT = re.compile(r"[+-]?(?:0|[1-9]\d*)")
_FLOAT = re.compile(r"[+-]?\d+\.\d+")
_NAME = rf"[{_SYM_CHARS}]+(?:/[{_SYM_CHARS}]+)?"
_KEYWORD = re.compile(rf":{_NAME}")
_SYM_START = r"(?:[^\W\d]|[*!?$%&=<>@.])"
_SYMBOL = re.compile(
    rf"{_SYM_START}[{_SYM_CHARS}]*(?:/[{_SYM_CHARS}]+)?"
    rf"|[+-](?:(?:{_SYM_START}|[+-])[{_SYM_CHARS}]*(?:/[{_SYM_CHARS}]+)?)?"
    r"|/"
)
# The same escapes edn_format decodes (Python-style), decoded the same way.
_ESCAPE = re.compile(r"""(\\U........|\\u....|\\x..|\\[0-7]{1,3}|\\N\{[^}]+\}|\\[\\'"abfnrtv])""")
_CLOSERS = {"(": ")", "[": "]", "{": "}", "#{": "}"}


def _unescape(body: str) -> str:
    import codecs

    return _ESCAPE.sub(lambda m: codecs.decode(m.group(0), "unicode-escape"), body)


def _atom(tok: str) -> Any:
    if tok == "nil":
        return None
    if tok == "true":
        return True
    if tok == "false":
        return False
    c = tok[0]
    if c == ":":
        if _KEYWORD.fullmatch(tok):
            return tok
        raise _Fallback
    if c.isdigit() or (c in "+-" and len(tok) > 1 and tok[1].isdigit()):
        if _INT.fullmatch(tok):
            return int(tok)
        if _FLOAT.fullmatch(tok):
            return float(tok)
        raise _Fallback
    if _SYMBOL.fullmatch(tok) and "//" not in tok:
        return Symbol(tok)
    raise _Fallback


def _close(kind: str, items: list[Any]) -> Any:
    if kind == "{":
        if len(items) % 2:
            raise _Fallback
        it = iter(items)
        return {_hashable(k): v for k, v in zip(it, it, strict=True)}
    if kind == "#{":
        try:
            return frozenset(items)
        except TypeError:
            raise _Fallback from None  # unhashable members: keep edn_format's order for the tuple
    return tuple(items)


def _uuid_str(raw: str) -> str:
    try:
        return str(_uuid.UUID(raw))
    except ValueError:
        raise _Fallback from None


def _set_top(result: list[Any], value: Any) -> None:
    if result:
        raise _Fallback  # more than one top-level value: let edn_format decide
    result.append(value)


def fast_loads(text: str) -> Any:
    """Read well-formed Logseq EDN quickly; raises ``_Fallback`` for anything unusual.

    Nesting deeper than :data:`MAX_DEPTH` raises :class:`EdnError` with the line where it happens.
    """
    stack: list[tuple[str, list[Any]]] = []
    result: list[Any] = []
    for m in _FAST_TOKEN.finditer(text):
        group = m.lastgroup
        if group == "ws":
            continue
        if group == "str":
            s = m.group()[1:-1]
            value: Any = _unescape(s) if "\\" in s else s
        elif group == "atom":
            value = _atom(m.group())
        elif group == "open":
            stack.append((m.group(), []))
            if len(stack) > MAX_DEPTH:
                raise EdnError(_TOO_DEEP, line_of(text, m.start()))
            continue
        elif group == "close":
            if not stack or _CLOSERS[stack[-1][0]] != m.group():
                raise _Fallback
            kind, items = stack.pop()
            value = _close(kind, items)
        elif group == "uuid":
            value = _uuid_str(m.group("uuidval"))
        else:
            raise _Fallback
        if stack:
            stack[-1][1].append(value)
        else:
            _set_top(result, value)
    if stack or not result:
        raise _Fallback
    return result[0]
