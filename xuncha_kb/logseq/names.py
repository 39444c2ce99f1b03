"""Page titles ↔ file names, and journal dates ↔ file names and titles (logseq-format §4, §5).

Two file-name formats exist:

* ``triple-lowbar`` (``:file/name-format :triple-lowbar``, every graph made since 0.8.9):
  ``/`` ↔ ``___``; ``: * ? " < > | # \\`` and ``%XX`` look-alikes are percent-encoded; the
  reader decodes each ``%XX`` token on its own.
* ``legacy`` (no ``:file/name-format``): the writer percent-encodes reserved characters and
  ``/``; the reader turns every ``.`` of the body into ``/`` before percent-decoding.

Journals are recognised by their file name, parsed with the configured
``:journal/file-name-format`` (falling back to ``yyyy_MM_dd`` and ``yyyy-MM-dd``), and titled
with ``:journal/page-title-format`` (default ``MMM do, yyyy`` → ``Mar 1st, 2026``).

All functions are pure; nothing here touches the file system.
"""

from __future__ import annotations

import datetime as _dt
import functools
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote, unquote

from xuncha_kb.errors import InputError
from xuncha_kb.model import GraphConfig, NameFormat

# --- titles -------------------------------------------------------------------------------

#: Characters Logseq percent-encodes in triple-lowbar file names (FS ``multiplatform-reserved-chars``).
RESERVED_CHARS = ':*?"<>|#\\'
_RESERVED_RUN = re.compile("[" + re.escape(RESERVED_CHARS) + "]+")
_URL_ENCODED = re.compile(r"%[0-9a-fA-F]{2}")
_LONE_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
#: Windows refuses these file bodies whatever the extension.
WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
#: What legacy graphs percent-encode when writing a title as a file name (logseq-format §4.3).
LEGACY_RESERVED = '/:*?"<>|#%\\'


def normalize_title(title: str) -> str:
    """Logseq's ``page-name-sanity``: NFC, no leading/trailing ``/``, no empty namespace parts."""
    title = unicodedata.normalize("NFC", title)
    if "/" in title:
        title = "/".join(p for p in title.split("/") if p)
    return title


def _decode_token(token: str) -> str:
    """One ``%XX`` on its own; a byte that is not a whole UTF-8 character stays as written."""
    try:
        return bytes.fromhex(token[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return token


def decode_percent_tokens(text: str) -> str:
    """Logseq's triple-lowbar decoding: each ``%XX`` token separately, in a single pass.

    ``a%3F%`` → ``a?%`` (a lone ``%`` does not spoil the rest), ``%252F`` → ``%2F``, and
    ``%E4%B8%AD`` stays as written (no token is a character by itself).
    """
    if "%" not in text:
        return text
    return _URL_ENCODED.sub(lambda m: _decode_token(m.group()), text)


def safe_decode(text: str) -> str | None:
    """JavaScript ``decodeURIComponent`` of the whole text: ``None`` when any escape is malformed."""
    if "%" not in text:
        return text
    if _LONE_PERCENT.search(text):
        return None
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def _encode_component(run: str) -> str:
    # encodeURIComponent of reserved characters, plus "*" which it leaves alone.
    return quote(run, safe="").replace("*", "%2A")


def _tri_lb_body(title: str, *, encode_every_percent: bool) -> str:
    if encode_every_percent:
        body = title.replace("%", "%25")
    else:
        body = _URL_ENCODED.sub(lambda m: "%25" + m.group()[1:], title)
    if body in WINDOWS_RESERVED or body.endswith("."):
        body += "/"  # becomes "___": decodes to an empty namespace part, which is dropped
    body = body.replace("___", "%5F%5F%5F").replace("_/", "%5F/").replace("/_", "/%5F")
    body = body.replace("/", "___")
    body = _RESERVED_RUN.sub(lambda m: _encode_component(m.group()), body)
    if body.startswith("."):
        body = "%2E" + body[1:]
    return body


def title_to_file_body(title: str, name_format: NameFormat = "triple-lowbar") -> str:
    """The file name body (no extension) Logseq writes for page ``title``.

    Follows Logseq's writer.  As a guard, should that output ever not read back as the same
    title, every ``%`` is encoded instead (Logseq reads that back correctly too); the
    round-trip property tests have found no such title.
    """
    title = normalize_title(title)
    if name_format == "legacy":
        body = "".join(quote(c, safe="") if c in LEGACY_RESERVED else c for c in title)
        # The legacy reader turns "." into "/", so a literal dot must be escaped to survive.
        body = body.replace(".", "%2E")
        return body
    body = _tri_lb_body(title, encode_every_percent=False)
    if file_body_to_title(body, "triple-lowbar") != title:
        body = _tri_lb_body(title, encode_every_percent=True)
    return body


def file_body_to_title(body: str, name_format: NameFormat = "triple-lowbar") -> str:
    """The page title Logseq derives from a file name body (logseq-format §4.2/§4.3)."""
    if name_format == "legacy":
        dotted = body.replace(".", "/")
        decoded = safe_decode(dotted)
        title = decoded if decoded is not None else dotted
    else:
        title = decode_percent_tokens(body.replace("___", "/"))
    return normalize_title(title)


def page_name_from_file(relpath: str, properties: Mapping[str, str] | None, config: GraphConfig) -> str:
    """A page file's title: ``title::`` wins, ``pages/contents.md`` is "Contents", else the file name.

    ``relpath`` is graph-relative POSIX.  Journals are handled by :func:`journal_page_name`.
    """
    if properties:
        title = properties.get("title", "").strip()
        if title:
            return title
    stem, _ext = posixpath.splitext(posixpath.basename(relpath))
    if relpath.lower().startswith(config.pages_dir.lower().rstrip("/") + "/contents."):
        return "Contents"
    return file_body_to_title(stem, config.name_format)


def page_identity(relpath: str, properties: Mapping[str, str] | None, config: GraphConfig,
                  *, in_journals_dir: bool = False) -> tuple[str, int | None]:
    """``(title, journal_day)`` of a page file, the way Logseq names it.

    The name comes from :func:`page_name_from_file`; then, as in Logseq's
    ``convert-page-if-journal``, a name that parses as a date (page-title format, then
    ``MMM do, yyyy``, ``yyyy-MM-dd``, ``yyyy_MM_dd``) makes the page a journal, titled with the
    page-title format — wherever the file lives.  A file in the journals folder without
    ``title::`` is also tried with ``:journal/file-name-format``.  Journal-ness follows the
    name, not the folder: ``journals/notes.md`` is an ordinary page.
    """
    name = page_name_from_file(relpath, properties, config)
    day = journal_day_from_name(name, config.journal_title_format)
    has_title = bool(properties and properties.get("title", "").strip())
    if day is None and in_journals_dir and not has_title:
        stem = posixpath.splitext(posixpath.basename(relpath))[0]
        day = journal_day_from_file(stem, config.journal_file_format)
    if day is not None:
        return journal_title(day, config.journal_title_format), day
    return name, None


# --- safe paths for new pages ---------------------------------------------------------------

#: Most file systems refuse file names longer than this many bytes.
MAX_FILE_NAME_BYTES = 255


def safe_title_to_relpath(title: str, config: GraphConfig | None = None, *, fmt: str | None = None) -> str:
    """Graph-relative path (``pages/<body>.md``) for a new page titled ``title``.

    Raises :class:`InputError` for titles that cannot become a file inside the graph: empty,
    NUL or control characters, ``.``/``..`` namespace parts, or a file name over 255 bytes.
    The encoding itself never yields ``/`` or a leading dot, so the result stays in ``pages/``.
    """
    config = config or GraphConfig(name_format="triple-lowbar")
    if any(ord(c) < 32 or c == "\x7f" for c in title):
        raise InputError(f"页面名称“{title!r}”含有控制字符（如换行、NUL），不能作为文件名",
                         hint="请去掉页面名称中的控制字符后重试")
    norm = normalize_title(title)
    if not norm.strip():
        raise InputError("页面名称为空，无法生成文件名", hint="请提供一个非空的页面名称")
    parts = norm.split("/")
    if any(p.strip() in (".", "..") for p in parts):
        raise InputError(f"页面名称“{title}”含有“.”或“..”路径段，可能指向图谱之外",
                         hint="请改用不含“..”的页面名称")
    body = title_to_file_body(norm, config.name_format)
    ext = "org" if (fmt or config.preferred_format) == "org" else "md"
    name = f"{body}.{ext}"
    if "/" in body or "\\" in body or body.startswith(".") or "\x00" in body:
        raise InputError(f"页面名称“{title}”无法安全地转换为图谱内的文件名")
    size = len(name.encode("utf-8"))
    if size > MAX_FILE_NAME_BYTES:
        raise InputError(
            f"页面名称“{title[:40]}…”对应的文件名长 {size} 字节，超过文件系统上限 {MAX_FILE_NAME_BYTES} 字节",
            hint="请缩短页面名称（中文每个字占 3 字节）",
        )
    return posixpath.join(config.pages_dir.strip("/") or "pages", name)


# --- journal dates ----------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Longest first, so "MMMM" wins over "MMM" over "MM" over "M".
_TOKEN = re.compile(r"'[^']*'|yyyy|yy|MMMM|MMM|MM|M|do|dd|d|EEEE|EEE|EE|E")
FALLBACK_JOURNAL_FILE_FORMATS = ("yyyy_MM_dd", "yyyy-MM-dd")


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def format_date(date: _dt.date, fmt: str) -> str:
    """Format ``date`` with a Logseq (date-fns style) pattern such as ``MMM do, yyyy``."""
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(fmt):
        out.append(fmt[pos:m.start()])
        tok = m.group()
        out.append(_format_token(date, tok))
        pos = m.end()
    out.append(fmt[pos:])
    return "".join(out)


def _format_token(date: _dt.date, tok: str) -> str:
    if tok.startswith("'"):
        return tok[1:-1] or "'"
    match tok:
        case "yyyy":
            return f"{date.year:04d}"
        case "yy":
            return f"{date.year % 100:02d}"
        case "MMMM":
            return _MONTHS[date.month - 1]
        case "MMM":
            return _MONTHS[date.month - 1][:3]
        case "MM":
            return f"{date.month:02d}"
        case "M":
            return str(date.month)
        case "do":
            return ordinal(date.day)
        case "dd":
            return f"{date.day:02d}"
        case "d":
            return str(date.day)
        case "EEEE":
            return _WEEKDAYS[date.weekday()]
        case _:  # E, EE, EEE
            return _WEEKDAYS[date.weekday()][:3]


@functools.lru_cache(maxsize=64)
def _date_regex(fmt: str) -> re.Pattern[str]:
    parts: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(fmt):
        parts.append(re.escape(fmt[pos:m.start()]))
        tok = m.group()
        if tok.startswith("'"):
            parts.append(re.escape(tok[1:-1] or "'"))
        else:
            parts.append(_TOKEN_RE[tok])
        pos = m.end()
    parts.append(re.escape(fmt[pos:]))
    return re.compile("".join(parts), re.IGNORECASE)


_TOKEN_RE = {
    "yyyy": r"(?P<year>\d{4})",
    "yy": r"(?P<yy>\d{2})",
    "MMMM": r"(?P<monthname>[A-Za-z]+)",
    "MMM": r"(?P<monthabbr>[A-Za-z]{3})",
    "MM": r"(?P<month>\d{2})",
    "M": r"(?P<month>\d{1,2})",
    "do": r"(?P<day>\d{1,2})(?:st|nd|rd|th)",
    "dd": r"(?P<day>\d{2})",
    "d": r"(?P<day>\d{1,2})",
    "EEEE": r"(?:[A-Za-z]+)",
    "EEE": r"(?:[A-Za-z]{3})",
    "EE": r"(?:[A-Za-z]{3})",
    "E": r"(?:[A-Za-z]{3})",
}


def parse_date(text: str, fmt: str) -> _dt.date | None:
    """Parse ``text`` written in Logseq date pattern ``fmt``; ``None`` if it does not match."""
    try:
        rx = _date_regex(fmt)
    except re.error:  # a pattern repeating a field (e.g. "d … d") — not a usable format
        return None
    m = rx.fullmatch(text.strip())
    if not m:
        return None
    g = m.groupdict()
    try:
        if g.get("year"):
            year = int(g["year"])
        elif g.get("yy"):
            year = 2000 + int(g["yy"])
        else:
            return None
        if g.get("month"):
            month = int(g["month"])
        elif g.get("monthname"):
            month = _month_from_name(g["monthname"], full=True)
        elif g.get("monthabbr"):
            month = _month_from_name(g["monthabbr"], full=False)
        else:
            return None
        return _dt.date(year, month, int(g["day"]))
    except (ValueError, KeyError, TypeError):
        return None


def _month_from_name(name: str, *, full: bool) -> int:
    low = name.lower()
    for i, month in enumerate(_MONTHS, 1):
        if (month.lower() == low) if full else (month[:3].lower() == low):
            return i
    raise ValueError(name)


def date_to_day(date: _dt.date) -> int:
    """Logseq's ``:block/journal-day`` integer, e.g. 20260301."""
    return date.year * 10000 + date.month * 100 + date.day


def day_to_date(day: int) -> _dt.date:
    return _dt.date(day // 10000, day // 100 % 100, day % 100)


def journal_day_from_file(body: str, fmt: str = "yyyy_MM_dd") -> int | None:
    """``2026_03_01`` → 20260301 using the configured file-name format, then the two fallbacks."""
    for f in (fmt, *FALLBACK_JOURNAL_FILE_FORMATS):
        date = parse_date(body, f)
        if date is not None:
            return date_to_day(date)
    return None


#: Logseq's ``safe-journal-title-formatters``: the configured title format, then these.
FALLBACK_JOURNAL_TITLE_FORMATS = ("MMM do, yyyy", "yyyy-MM-dd", "yyyy_MM_dd")


def journal_day_from_name(name: str, fmt: str = "MMM do, yyyy") -> int | None:
    """The journal day a page *name* denotes, as Logseq decides it (``[[2026-03-01]]`` too).

    Tries the page-title format, then ``MMM do, yyyy``, ``yyyy-MM-dd`` and ``yyyy_MM_dd``.
    Use this to resolve a reference or a page name to a journal.
    """
    if not name or not name.strip():
        return None
    for f in dict.fromkeys((fmt, *FALLBACK_JOURNAL_TITLE_FORMATS)):
        date = parse_date(name, f)
        if date is not None:
            return date_to_day(date)
    return None


def journal_title(date: _dt.date | int, fmt: str = "MMM do, yyyy") -> str:
    """The journal page title for ``date`` (a date or a 20260301-style int)."""
    if isinstance(date, int):
        date = day_to_date(date)
    return format_date(date, fmt)


def journal_file_body(date: _dt.date | int, fmt: str = "yyyy_MM_dd") -> str:
    """The journal file name body for ``date``: ``2026_03_01`` by default."""
    if isinstance(date, int):
        date = day_to_date(date)
    return format_date(date, fmt)


def journal_relpath(date: _dt.date | int, config: GraphConfig | None = None, fmt: str | None = None) -> str:
    """Graph-relative path of the journal file for ``date``."""
    config = config or GraphConfig(name_format="triple-lowbar")
    ext = "org" if (fmt or config.preferred_format) == "org" else "md"
    body = journal_file_body(date, config.journal_file_format)
    return posixpath.join(config.journals_dir.strip("/") or "journals", f"{body}.{ext}")
