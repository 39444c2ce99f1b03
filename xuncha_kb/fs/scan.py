"""Walk a Logseq graph on disk and read it into a :class:`Graph` (logseq-format §1).

The edge between the file system and the pure readers in ``xuncha_kb.logseq``:

* which files are part of the graph: ``fs/listing.py``;
* bytes → text (invalid UTF-8 is replaced and reported with its line);
* per-file problems become Diagnostics; a scan never stops because of one file;
* page-name collisions (case-insensitive, as Logseq's page identity) are reported.

The cyclic GC is paused during the scan (it more than doubles the time of a large scan, see
performance-baselines §2) and restored afterwards.
"""

from __future__ import annotations

import gc
import os
import posixpath
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from xuncha_kb.errors import GraphNotFound
from xuncha_kb.fs.layout import first_problem, layout_diagnostics
from xuncha_kb.fs.listing import PAGE_EXTENSIONS, PathKind, classify_path, graph_relative, list_graph_files
from xuncha_kb.logseq.config import CONFIG_FILE, read_config
from xuncha_kb.logseq.names import journal_day_from_file, page_identity
from xuncha_kb.model import Diagnostic, Graph, GraphConfig, Page, Whiteboard, page_key

Progress = Callable[[int, int], None]
GRAPH_MARKERS = ("logseq", "pages", "journals")


# --- the graph root --------------------------------------------------------------------------------

def graph_root(root: str | os.PathLike[str]) -> Path:
    """``root`` as a Path if it looks like a Logseq graph; otherwise :class:`GraphNotFound`."""
    path = Path(root)
    shown = str(root)
    hint = "请指定 Logseq 图谱的根目录（含 pages/、journals/ 或 logseq/ 的目录），或设置环境变量 XUNCHA_GRAPH"
    try:
        if not path.exists():
            raise GraphNotFound(f"图谱目录“{shown}”不存在", hint=hint)
        if not path.is_dir():
            raise GraphNotFound(f"“{shown}”不是目录，无法作为 Logseq 图谱读取", hint=hint)
        if not any((path / m).is_dir() for m in GRAPH_MARKERS):
            raise GraphNotFound(f"“{shown}”不是 Logseq 图谱：其中没有 pages/、journals/ 或 logseq/ 目录",
                                hint=hint)
        os.listdir(path)
    except PermissionError:
        raise GraphNotFound(f"没有权限读取图谱目录“{shown}”", hint="请检查目录权限") from None
    except OSError as exc:  # a name over the system's limit, a symlink loop, an I/O error …
        raise GraphNotFound(f"无法访问图谱目录“{shown}”：{exc.strerror or exc}", hint=hint) from None
    return path


def read_graph_config(root: Path) -> tuple[GraphConfig, list[Diagnostic]]:
    """Read ``logseq/config.edn`` and check the folders it names (``fs.layout``).

    A missing config means Logseq's defaults.  The diagnostics come in file order: the
    config's own first, then one per graph folder that is not a folder (``pages`` a file …).
    """
    config, diags = _read_config_file(root)
    return config, diags + layout_diagnostics(root, config)


def _read_config_file(root: Path) -> tuple[GraphConfig, list[Diagnostic]]:
    path = root / CONFIG_FILE
    if not path.is_file() or path.is_symlink():
        return GraphConfig(), _config_not_a_file(root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"无法读取配置文件（{exc.strerror}），已按默认设置读取图谱"
        return GraphConfig(), [Diagnostic(CONFIG_FILE, 1, message)]
    text, diags = decode_bytes(data, CONFIG_FILE)
    config, more = read_config(text, CONFIG_FILE)
    return config, diags + more


def _config_not_a_file(root: Path) -> list[Diagnostic]:
    """Why an existing ``logseq/config.edn`` was not read (a folder, a FIFO, a symlink)."""
    if first_problem(root, "logseq") is not None:
        return []  # the logseq folder itself is reported by layout_diagnostics
    path = root / CONFIG_FILE
    if not os.path.lexists(path):
        return []
    what = "是符号链接（不经由符号链接读取）" if path.is_symlink() else "不是普通文件"
    return [Diagnostic(CONFIG_FILE, 1, f"配置文件{what}，已按 Logseq 的默认设置读取图谱", "warning")]


# --- reading files ----------------------------------------------------------------------------------

def decode_bytes(data: bytes, file: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 → text; invalid bytes become U+FFFD and one warning naming the first bad line."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start:exc.start + 4].hex(" ")
        return data.decode("utf-8", errors="replace"), [Diagnostic(
            file, line, f"文件不是有效的 UTF-8 编码（首个无效字节 {bad}），无效字节已替换为 “\ufffd”；"
                        "请用 UTF-8 重新保存该文件")]


def _read_text(root: Path, rel: str, *, check_link: bool = True) -> tuple[str | None, list[Diagnostic]]:
    path = root / rel
    try:
        if check_link and path.is_symlink():
            return None, [Diagnostic(rel, 1, "符号链接不会被读取（Logseq 同样忽略）", "info")]
        data = path.read_bytes()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [Diagnostic(rel, 1, f"无法读取文件：{exc.strerror or exc}", "error")]
    return decode_bytes(data, rel)


def page_from_text(text: str, rel: str, kind: PathKind, config: GraphConfig
                   ) -> tuple[Page, list[Diagnostic]]:
    """Parse one page or journal file's text into a :class:`Page` (name, kind, journal day).

    ``kind`` is where the file lives; ``Page.kind`` is what Logseq makes of its name (a page
    named like a date is a journal, see :func:`names.page_identity`).
    """
    from xuncha_kb.logseq.page import parse_text

    fmt = PAGE_EXTENSIONS.get(posixpath.splitext(rel)[1].lower(), "markdown")
    diags: list[Diagnostic] = []
    parsed = parse_text(text, rel, fmt, config)
    diags.extend(parsed.diagnostics)
    name, journal_day = page_identity(rel, parsed.properties, config, in_journals_dir=kind == "journal")
    if kind == "journal" and journal_day is None:
        stem = posixpath.splitext(posixpath.basename(rel))[0]
        if journal_day_from_file(stem, config.journal_file_format) is not None:
            message = f"日志文件有 title:: 属性，Logseq 把它当作普通页面“{name}”，而不是当天的日志"
        else:
            message = (f"日志目录中的文件“{stem}”不是日期（日期格式 {config.journal_file_format}），"
                       "Logseq 把它当作普通页面")
        diags.append(Diagnostic(rel, 1, message, "info"))
    page = Page(
        name=name,
        file=rel,
        kind="journal" if journal_day is not None else "page",
        format=fmt,
        properties=parsed.properties,
        property_refs=parsed.property_refs,
        blocks=parsed.blocks,
        journal_day=journal_day,
        bom=parsed.bom,
        crlf=parsed.crlf,
    )
    return page, diags


def read_page_file(root: str | os.PathLike[str], relpath: str | os.PathLike[str], config: GraphConfig
                   ) -> tuple[Page | None, list[Diagnostic]]:
    """Read one page or journal file (used for incremental re-reads).

    Returns ``(None, diags)`` when the path is not a page/journal of the graph, is a symlink,
    no longer exists, or cannot be read.  Never raises for file content.
    """
    rel = graph_relative(relpath, root)
    kind = classify_path(root, rel, config)
    if kind not in ("page", "journal"):
        return None, []
    return _read_known_page(Path(root), rel, kind, config)


def read_whiteboard_file(root: str | os.PathLike[str], relpath: str | os.PathLike[str], config: GraphConfig
                         ) -> tuple[Whiteboard | None, list[Diagnostic]]:
    """Read one ``whiteboards/*.edn`` file; ``(None, diags)`` if it is not one or cannot be read."""
    from xuncha_kb.logseq.whiteboard import parse_whiteboard

    rel = graph_relative(relpath, root)
    if classify_path(root, rel, config) != "whiteboard":
        return None, []
    text, diags = _read_text(Path(root), rel)
    if text is None:
        return None, diags
    try:
        board, more = parse_whiteboard(text, rel, config)
    except Exception as exc:
        return None, [*diags, _internal(rel, exc)]
    return board, diags + more


def _internal(rel: str, exc: Exception) -> Diagnostic:
    return Diagnostic(rel, 1, f"读取时发生内部错误（{type(exc).__name__}: {exc}），已跳过此文件；"
                              "这是 xuncha-kb 的缺陷，请报告", "error")


# --- the whole graph ------------------------------------------------------------------------------

def load_graph(root: str | os.PathLike[str], progress: Progress | None = None, *,
               apply_hidden: bool = True, freeze: bool = False) -> Graph:
    """Read a whole graph.  Raises :class:`GraphNotFound` if ``root`` is not a Logseq graph.

    ``progress(done, total)`` is called once before reading (``done == 0``) and after each
    file.  ``apply_hidden=False`` reads config ``:hidden`` paths too (as Logseq's peers do
    when counting).  ``freeze=True`` moves everything allocated so far into the GC's permanent
    generation (``gc.freeze()``), so later collections never walk the parsed graph again —
    1–1.5 s saved on a 10k-page graph.  Use it in one-shot commands only: frozen objects are
    never freed, so a long-running process (``watch``) that reloads graphs must not.
    """
    base = graph_root(root)
    config, diags = read_graph_config(base)
    files = list_graph_files(base, config, apply_hidden=apply_hidden, errors=diags)
    total = len(files)
    if progress:
        progress(0, total)
    pages: list[Page] = []
    boards: list[Whiteboard] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for done, (rel, kind) in enumerate(files, 1):
            if kind == "whiteboard":
                board, more = read_whiteboard_file(base, rel, config)
                if board is not None:
                    boards.append(board)
            else:
                # list_graph_files already skipped symlinks: no second lstat per file
                page, more = _read_known_page(base, rel, kind, config, check_link=False)
                if page is not None:
                    pages.append(page)
            diags.extend(more)
            if progress:
                progress(done, total)
    finally:
        if freeze:
            gc.freeze()
        if gc_was_enabled:
            gc.enable()
    diags.extend(name_collisions(pages, boards))
    return Graph(root=base, config=config, pages=tuple(pages), whiteboards=tuple(boards),
                 diagnostics=tuple(diags))


def _read_known_page(base: Path, rel: str, kind: PathKind, config: GraphConfig, *, check_link: bool = True
                     ) -> tuple[Page | None, list[Diagnostic]]:
    text, diags = _read_text(base, rel, check_link=check_link)
    if text is None:
        return None, diags
    try:
        page, more = page_from_text(text, rel, kind, config)
    except Exception as exc:  # a parser bug must never stop a scan
        return None, [*diags, _internal(rel, exc)]
    return page, diags + more


def name_collisions(pages: Sequence[Page], whiteboards: Sequence[Whiteboard] = ()) -> list[Diagnostic]:
    """One warning per file whose page name (case-insensitively) is already taken by an earlier file.

    Whiteboards are pages to Logseq too; they are checked after the page files.
    """
    return name_collisions_of([*((p.name, p.file) for p in pages), *((w.name, w.file) for w in whiteboards)])


def name_collisions_of(named: Sequence[tuple[str, str]]) -> list[Diagnostic]:
    """:func:`name_collisions` over ``(name, file)`` pairs, pages first, then whiteboards."""
    return name_collisions_keyed((name, page_key(name), file) for name, file in named)


def name_collisions_keyed(named: Iterable[tuple[str, str, str]]) -> list[Diagnostic]:
    """:func:`name_collisions_of` over ``(name, page key, file)`` rows whose keys are known."""
    first: dict[str, tuple[str, str]] = {}
    out: list[Diagnostic] = []
    for name, key, file in named:
        other = first.get(key)
        if other is None:
            first[key] = (name, file)
            continue
        out.append(Diagnostic(file, 1, f"页面名“{name}”与 {other[1]} 的页面“{other[0]}”重名"
                                       "（不区分大小写），Logseq 只会保留其中一个；请重命名或合并"))
    return out


def parse_file_bytes(rel: str, kind: PathKind, data: bytes, config: GraphConfig
                     ) -> tuple[Page | Whiteboard | None, list[Diagnostic], str]:
    """One file's bytes as the whole-graph scan reads them (a parser failure is a diagnostic),
    and the decoded text."""
    text, diags = decode_bytes(data, rel)
    try:
        if kind == "whiteboard":
            from xuncha_kb.logseq.whiteboard import parse_whiteboard

            board, more = parse_whiteboard(text, rel, config)
            return board, diags + more, text
        page, more = page_from_text(text, rel, kind, config)
    except Exception as exc:  # a parser bug must never stop a scan
        return None, [*diags, _internal(rel, exc)], text
    return page, diags + more, text
