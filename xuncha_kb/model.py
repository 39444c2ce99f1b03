"""The graph model: frozen dataclasses, built by the readers in ``xuncha_kb.logseq``.

Nothing here reads files.  Every block and diagnostic knows the graph-relative file it came
from and its 1-based line, so messages and reports can point at ``pages/foo.md:12``.

Property values are kept as the raw text Logseq shows (``properties``); parsed refs of a
property value are in ``property_refs``.  Keys are normalised the way Logseq does it
(lower case, ``_`` and spaces → ``-``).
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

PageKind = Literal["page", "journal"]
PageFormat = Literal["markdown", "org"]
Severity = Literal["error", "warning", "info"]

#: A value read from EDN (``logseq/config.edn``, whiteboards, exports), converted to plain
#: Python by ``logseq.edn.to_python``: str (keywords as ``":a/b"``), int, float, bool, None,
#: tuples, frozensets, dicts, ``Symbol``, dates.  Readers narrow it with ``isinstance``.
EdnValue: TypeAlias = object
#: What the JSON outputs are built from (``json.dumps`` takes it as it is).
JsonValue: TypeAlias = "str | int | float | bool | Sequence[JsonValue] | Mapping[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"

#: Task markers Logseq recognises (first word of a block, case-sensitive), in the order
#: ``xuncha-kb stats`` lists them.  The one list: every other marker set derives from it.
MARKER_ORDER: tuple[str, ...] = (
    "TODO", "DOING", "LATER", "NOW", "IN-PROGRESS", "WAIT", "WAITING", "DONE", "CANCELED", "CANCELLED",
)
MARKERS: frozenset[str] = frozenset(MARKER_ORDER)
DONE_MARKERS: frozenset[str] = frozenset({"DONE"})
CANCELLED_MARKERS: frozenset[str] = frozenset({"CANCELED", "CANCELLED"})
ACTIVE_MARKERS: frozenset[str] = frozenset({"DOING", "NOW", "IN-PROGRESS"})
WAITING_MARKERS: frozenset[str] = frozenset({"WAIT", "WAITING"})
#: A task that is finished one way or the other; every other marker is open.
CLOSED_MARKERS: frozenset[str] = DONE_MARKERS | CANCELLED_MARKERS
OPEN_MARKERS: frozenset[str] = MARKERS - CLOSED_MARKERS
#: The open markers a generated ``{{query (task …)}}`` names, in its order (Logseq's own
#: aliases WAIT and IN-PROGRESS are left out of the query text).
QUERY_OPEN_MARKERS: tuple[str, ...] = ("TODO", "DOING", "NOW", "LATER", "WAITING")


def page_key(name: str) -> str:
    """Logseq's page identity: NFC-normalised, lower-cased title (``:block/name``)."""
    return unicodedata.normalize("NFC", name).lower()


@dataclass(frozen=True, slots=True)
class Span:
    """Where something came from: graph-relative POSIX path and 1-based lines (inclusive)."""

    file: str
    line: int
    end_line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found while reading; the scan goes on."""

    file: str
    line: int
    message: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def as_dict(self) -> JsonObject:
        return {"file": self.file, "line": self.line, "message": self.message, "severity": self.severity}


@dataclass(frozen=True, slots=True)
class Timestamp:
    """An org-style timestamp ``<2026-03-01 Sun 10:00 .+1w>`` as used by SCHEDULED/DEADLINE."""

    date: _dt.date
    time: str | None = None  # "HH:MM"
    repeater: str | None = None  # "+1d", "++1w", ".+1m"
    raw: str = ""  # the text between < and >

    @property
    def day(self) -> int:
        """Logseq's integer form, e.g. 20260301."""
        return self.date.year * 10000 + self.date.month * 100 + self.date.day


#: Block fields a reader may leave unset and fill on first access (see ``_LazyFields``).
LAZY_BLOCK_FIELDS: tuple[str, ...] = (
    "content", "properties", "property_refs", "refs", "block_refs", "macros")


class _LazyFields:
    """Base of :class:`Block` that lets a reader defer the body-derived fields.

    A reader may build a Block without setting the fields in ``LAZY_BLOCK_FIELDS`` and put a
    thunk in the hidden ``_lazy`` slot instead: ``(fn, args)`` where ``fn(*args)`` returns the
    values of those fields, in that order.  The first read of any of them (attribute access,
    ``==``, ``repr``, ``dataclasses.replace``/``asdict``, pickling) runs the thunk once and
    stores the values in their slots; from then on they are plain slot reads.  Callers cannot
    tell the difference: a Block built by ``Block(...)`` never has a thunk, and the values are
    the ones the reader would have computed eagerly.  Most consumers never read the content,
    properties or refs of most blocks, so a full-graph scan skips that work.
    """

    __slots__ = ("_lazy",)

    def raw_text(self) -> str | None:
        """The text the block's ``content`` and properties come from, without running a pending
        thunk: ``content`` itself once computed, else the reader's raw pieces joined (the
        deferred fields only drop whitespace and markup from them).  None when a thunk holds
        anything else than text, lists or maps of text, or plain settings: then ask ``content``.
        A substring absent from ``raw_text()`` is absent from ``content`` and the properties.
        """
        try:
            _fn, args = object.__getattribute__(self, "_lazy")
        except AttributeError:
            content: str = object.__getattribute__(self, "content")
            return content
        pieces: list[str] = []
        for arg in args:
            if isinstance(arg, str):
                pieces.append(arg)
            elif isinstance(arg, list | tuple | dict):
                items = (*arg.keys(), *arg.values()) if isinstance(arg, dict) else arg
                if not all(isinstance(x, str) for x in items):
                    return None
                pieces.extend(items)
            elif not (arg is None or isinstance(arg, int | frozenset)):
                return None  # settings (counts, flags, the config's key sets) are skipped
        return "\n".join(pieces)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. for a slot that is still unset.
        if name in LAZY_BLOCK_FIELDS:
            try:
                fn, args = object.__getattribute__(self, "_lazy")
            except AttributeError:
                pass
            else:
                values = fn(*args)
                for field_name, value in zip(LAZY_BLOCK_FIELDS, values, strict=True):
                    object.__setattr__(self, field_name, value)
                object.__delattr__(self, "_lazy")
                return object.__getattribute__(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class Block(_LazyFields):
    """One outline block (a bullet, an org headline, a ``# heading`` line, or the pre-block)."""

    span: Span
    level: int
    content: str  # block text without the bullet, continuation indentation removed
    title: str  # first line without marker and priority
    marker: str | None = None
    priority: str | None = None
    scheduled: Timestamp | None = None
    deadline: Timestamp | None = None
    properties: Mapping[str, str] = field(default_factory=dict)  # raw values
    property_refs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    refs: tuple[str, ...] = ()  # page refs and tags in the text, original case
    block_refs: tuple[str, ...] = ()  # uuids of ((block refs))
    macros: tuple[str, ...] = ()  # macro names, e.g. "query", "embed"
    children: tuple[Block, ...] = ()
    pre_block: bool = False
    bullet: bool = True
    heading: int | None = None

    @property
    def uuid(self) -> str | None:
        return self.properties.get("id")

    def walk(self) -> Iterator[Block]:
        """This block and all its descendants, depth first, in file order."""
        stack = [self]
        while stack:
            b = stack.pop()
            yield b
            stack.extend(reversed(b.children))


@dataclass(frozen=True, slots=True)
class Page:
    """A page or journal file."""

    name: str  # original-case title (title:: wins over the file name)
    file: str  # graph-relative POSIX path
    kind: PageKind = "page"
    format: PageFormat = "markdown"
    properties: Mapping[str, str] = field(default_factory=dict)  # page (pre-block) properties, raw
    property_refs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()  # top level; the pre-block, if any, first with pre_block=True
    journal_day: int | None = None  # 20260301 for journals
    bom: bool = False
    crlf: bool = False

    @property
    def key(self) -> str:
        return page_key(self.name)

    @property
    def namespace(self) -> tuple[str, ...]:
        return tuple(p for p in self.name.split("/") if p)

    def walk(self) -> Iterator[Block]:
        """Every block of the page (pre-block included), depth first, in file order."""
        for b in self.blocks:
            yield from b.walk()


@dataclass(frozen=True, slots=True)
class Shape:
    """A tldraw shape on a whiteboard."""

    id: str
    type: str  # box, ellipse, line, text, logseq-portal, image, …
    index: int = 0  # position in the file
    parent_id: str | None = None
    point: tuple[float, float] | None = None
    size: tuple[float, float] | None = None
    text: str | None = None  # text shapes
    label: str | None = None  # box/line labels
    page_id: str | None = None  # portals: block uuid or page name
    block_type: str | None = None  # portals: "B" or "P"
    content: str = ""  # what Logseq derives as the shape block's content
    props: Mapping[str, EdnValue] = field(default_factory=dict)  # the raw shape map, keys as strings


@dataclass(frozen=True, slots=True)
class Connector:
    """A line/arrow shape with its bindings resolved: ``from_id`` → ``to_id`` (shape ids)."""

    id: str
    from_id: str | None
    to_id: str | None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Whiteboard:
    """A ``whiteboards/*.edn`` file."""

    name: str
    file: str
    uuid: str | None = None
    shapes: tuple[Shape, ...] = ()
    connectors: tuple[Connector, ...] = ()
    blocks: tuple[Block, ...] = ()  # ordinary (non-shape) blocks as a tree, in left/parent order
    properties: Mapping[str, EdnValue] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return page_key(self.name)

    def walk(self) -> Iterator[Block]:
        for b in self.blocks:
            yield from b.walk()


NameFormat = Literal["triple-lowbar", "legacy"]


@dataclass(frozen=True, slots=True)
class GraphConfig:
    """The parts of ``logseq/config.edn`` that change how files are read or written."""

    name_format: NameFormat = "legacy"
    hidden: tuple[str, ...] = ()
    pages_dir: str = "pages"
    journals_dir: str = "journals"
    whiteboards_dir: str = "whiteboards"
    journal_file_format: str = "yyyy_MM_dd"
    journal_title_format: str = "MMM do, yyyy"
    preferred_format: PageFormat = "markdown"
    preferred_workflow: Literal["now", "todo"] = "now"
    separated_by_commas: frozenset[str] = frozenset()
    property_pages_enabled: bool = True
    raw: Mapping[str, EdnValue] = field(default_factory=dict)  # every key as read, keywords as ":a/b" strings


#: A page a reader left out of a partial graph, as far as sensitivity goes: its key, its own
#: tags (page keys) and whether its file name has a sensitive segment (``track/sensitive.py``).
LeftOut = tuple[str, tuple[str, ...], bool]


@dataclass(frozen=True)
class Graph:
    """A whole graph as read from disk — or the part of it a command needs (the relevant pages),
    with ``left_out`` saying what the rest means for confidentiality."""

    root: Path
    config: GraphConfig
    pages: tuple[Page, ...] = ()  # pages and journals, sorted by file
    whiteboards: tuple[Whiteboard, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    left_out: tuple[LeftOut, ...] = ()  # pages not in ``pages`` that have tags or a sensitive file name
    _by_key: dict[str, Page] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Page] = {}
        for p in self.pages:
            index.setdefault(p.key, p)
        object.__setattr__(self, "_by_key", index)

    def page(self, name: str) -> Page | None:
        """Look a page up by name, case-insensitively (Logseq's identity)."""
        return self._by_key.get(page_key(name))

    def blocks(self) -> Iterator[tuple[Page, Block]]:
        for p in self.pages:
            for b in p.walk():
                yield p, b
