"""Walk a Logseq graph on disk and read it into a :class:`Graph` (logseq-format §1).

The edge between the file system and the pure readers in ``xuncha_kb.logseq``:

* which files are part of the graph (:func:`classify_path`).  Like Logseq, every ``.md``
  ``.markdown`` ``.org`` file in the graph folder is a page (a journal under ``journals/``),
  not only those under ``pages/`` — that is why graphs list a root ``README.md`` in
  ``:hidden``; ``whiteboards/*.edn`` are whiteboards; directories as configured.  Never read:
  a path with a segment starting with ``.`` (``.recycle``, ``.git``, ``.xuncha``,
  ``pages/.x.md``), ``node_modules``, ``version-files``, anything under ``logseq/`` but the
  config, config ``:hidden`` paths, symlinks, ``.edn`` files outside ``whiteboards/``;
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
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Literal, NamedTuple

from xuncha_kb.errors import GraphNotFound
from xuncha_kb.fs.layout import first_problem, layout_diagnostics
from xuncha_kb.logseq.config import CONFIG_FILE, read_config
from xuncha_kb.logseq.names import journal_day_from_file, page_identity
from xuncha_kb.model import Diagnostic, Graph, GraphConfig, Page, PageFormat, Whiteboard, page_key

PathKind = Literal["page", "journal", "whiteboard", "config", "ignored"]
Progress = Callable[[int, int], None]

PAGE_EXTENSIONS: dict[str, PageFormat] = {".md": "markdown", ".markdown": "markdown", ".org": "org"}
IGNORED_DIR_NAMES = frozenset({"node_modules", "version-files"})
GRAPH_MARKERS = ("logseq", "pages", "journals")


# --- what belongs to the graph ------------------------------------------------------------------

def is_hidden(relpath: str, patterns: tuple[str, ...]) -> bool:
    """Logseq's ``hidden?``: ``"/" + path`` starts with ``"/" + pattern`` (a plain prefix test)."""
    path = "/" + relpath.lstrip("/")
    for pattern in patterns:
        p = pattern if pattern.startswith("/") else "/" + pattern
        if path.startswith(p):
            return True
    return False


def _norm_rel(relpath: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> str:
    """Graph-relative POSIX form; an absolute path is taken relative to ``root`` (``../…`` if outside)."""
    raw = os.fspath(relpath)
    if root is not None and os.path.isabs(raw):
        raw = os.path.relpath(raw, os.fspath(root))
    rel = raw.replace("\\", "/")
    rel = posixpath.normpath(rel) if rel else rel
    return rel.lstrip("/") if rel != "." else ""


def is_dot_name(name: str) -> bool:
    """Logseq's hidden-file rule (``/\\.[^.]+``): a name starting with one dot, e.g. ``.git``, ``.bss.md``.

    ``..x.md`` is not hidden to Logseq (and is read as the page ``..x``).
    """
    return len(name) > 1 and name[0] == "." and name[1] != "."


def _under(rel: str, directory: str) -> bool:
    d = directory.strip("/")
    return bool(d) and rel.startswith(d + "/")


def classify_path(root: str | os.PathLike[str] | None, relpath: str | os.PathLike[str],
                  config: GraphConfig, *, apply_hidden: bool = True) -> PathKind:
    """What a graph-relative path is to Logseq, judged from the path alone.

    The file does not have to exist (the watcher asks about deleted files too).  ``root`` is
    only used to make an absolute ``relpath`` relative (a path outside the graph is ignored).
    """
    rel = _norm_rel(relpath, root)
    if not rel or rel.startswith("../") or rel == "..":
        return "ignored"
    segments = rel.split("/")
    if any(is_dot_name(s) or s in IGNORED_DIR_NAMES for s in segments):
        return "ignored"
    if rel == CONFIG_FILE:
        return "config"
    if segments[0] == "logseq":  # Logseq's own folder: bak/, version-files, custom.css …
        return "ignored"
    if apply_hidden and is_hidden(rel, config.hidden):
        return "ignored"
    ext = posixpath.splitext(rel)[1].lower()
    if ext in PAGE_EXTENSIONS:
        return "journal" if _under(rel, config.journals_dir) else "page"
    if ext == ".edn" and _under(rel, config.whiteboards_dir):
        return "whiteboard"
    return "ignored"


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


def list_graph_files(root: Path, config: GraphConfig, *, apply_hidden: bool = True,
                     errors: list[Diagnostic] | None = None) -> list[tuple[str, PathKind]]:
    """Every page, journal and whiteboard file of the graph, sorted by relative path.

    Walks the whole graph folder, pruning ignored folders (dot-folders, ``node_modules``,
    ``version-files``, ``logseq/``, ``:hidden``).  Symlinks (to files or directories) are
    never followed, so nothing outside the graph is read and link loops cannot occur.
    A folder that cannot be listed is skipped with a warning appended to ``errors``.

    The result is exactly :func:`classify_path` of every regular file met, but what it would
    decide is worked out once per folder (:class:`_FolderRule`), so a file costs one
    extension lookup and, with ``:hidden`` patterns reaching into the folder, one prefix test.
    """
    found: list[tuple[str, PathKind]] = []
    hidden = _hidden_prefixes(config.hidden) if apply_hidden else ()
    journals = config.journals_dir.strip("/")
    boards = config.whiteboards_dir.strip("/")
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as it:
                entries = list(it)
        except OSError as exc:
            if errors is not None:
                errors.append(Diagnostic(rel_dir or ".", 1, f"无法读取文件夹（{exc.strerror or exc}），"
                                                            "其中的页面未被读取；请检查权限", "error"))
            continue
        prefix = rel_dir + "/" if rel_dir else ""
        rule = _FolderRule.of(prefix, hidden, journals, boards)
        _list_folder(root, config, apply_hidden, prefix, entries, rule, found, stack)
    found.sort(key=itemgetter(0))  # paths are unique: the order of the pairs, at half the cost
    return found


def _list_folder(root: Path, config: GraphConfig, apply_hidden: bool, prefix: str,
                 entries: list[os.DirEntry[str]], rule: _FolderRule,
                 found: list[tuple[str, PathKind]], subfolders: list[str]) -> None:
    """One folder's graph files onto ``found``, the folders to walk onto ``subfolders``."""
    append = found.append
    kinds = rule.kinds
    hidden_names = rule.hidden_names
    for entry in entries:
        name = entry.name
        if is_dot_name(name):
            continue
        if rule.exact and "\\" not in name:
            if name[0] == ".":  # ``..x.md``: splitext skips leading dots
                ext = posixpath.splitext(name)[1]
            else:
                dot = name.rfind(".")
                ext = name[dot:] if dot > 0 else ""
            kind = kinds.get(ext.lower())
            # a regular file, not a symlink, is exactly what is_file(follow_symlinks=False) says
            if kind is not None and not (hidden_names and name.startswith(hidden_names)) \
                    and entry.is_file(follow_symlinks=False):
                append((prefix + name, kind))
                continue
        elif entry.is_file(follow_symlinks=False):  # a backslash: classify_path's own normalisation
            kind = classify_path(root, prefix + name, config, apply_hidden=apply_hidden)
            if kind in ("page", "journal", "whiteboard"):
                append((prefix + name, kind))
            continue
        # is_dir(follow_symlinks=False) is False for a symlink to a folder: never followed
        if entry.is_dir(follow_symlinks=False):
            rel = prefix + name
            if name in IGNORED_DIR_NAMES or rel == "logseq" \
                    or (apply_hidden and is_hidden(rel + "/", config.hidden)):
                continue
            subfolders.append(rel)


def _hidden_prefixes(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """The ``:hidden`` patterns as the absolute prefixes :func:`is_hidden` tests against."""
    return tuple(p if p.startswith("/") else "/" + p for p in patterns)


class _FolderRule(NamedTuple):
    """What :func:`classify_path` makes of a regular file in one folder, by its name alone.

    ``kinds``: lower-cased extension → kind (empty if every file there is ignored);
    ``hidden_names``: name prefixes a ``:hidden`` pattern hides; ``exact``: False when the
    folder path holds a backslash (classify_path turns it into ``/``, so each file is asked).
    """

    kinds: Mapping[str, PathKind]
    hidden_names: tuple[str, ...]
    exact: bool

    @staticmethod
    def of(prefix: str, hidden: tuple[str, ...], journals: str, boards: str) -> _FolderRule:
        """The rule for the folder ``prefix`` (graph-relative, ``""`` or ending in ``/``).

        A file's path is ``prefix + name`` with no ``/`` in ``name``, so a prefix test
        against it is decided by ``prefix`` when the tested prefix is not longer than it
        (and a longer one can only match inside ``name``).
        """
        if "\\" in prefix:
            return _FolderRule({}, (), False)
        absolute = "/" + prefix  # is_hidden's form of the folder
        names: list[str] = []
        for p in hidden:
            if absolute.startswith(p):
                # every file here is hidden (only the root can get here: the walk prunes a
                # hidden folder; a "" name prefix would say the same, one test per file later)
                return _FolderRule({}, (), True)
            if p.startswith(absolute):
                names.append(p[len(absolute):])
        kind: PathKind = "journal" if journals and prefix.startswith(journals + "/") else "page"
        kinds: dict[str, PathKind] = dict.fromkeys(PAGE_EXTENSIONS, kind)
        if boards and prefix.startswith(boards + "/"):
            kinds[".edn"] = "whiteboard"
        return _FolderRule(kinds, tuple(names), True)


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
    rel = _norm_rel(relpath, root)
    kind = classify_path(root, rel, config)
    if kind not in ("page", "journal"):
        return None, []
    return _read_known_page(Path(root), rel, kind, config)


def read_whiteboard_file(root: str | os.PathLike[str], relpath: str | os.PathLike[str], config: GraphConfig
                         ) -> tuple[Whiteboard | None, list[Diagnostic]]:
    """Read one ``whiteboards/*.edn`` file; ``(None, diags)`` if it is not one or cannot be read."""
    from xuncha_kb.logseq.whiteboard import parse_whiteboard

    rel = _norm_rel(relpath, root)
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
    first: dict[str, tuple[str, str]] = {}
    out: list[Diagnostic] = []
    for name, file in named:
        key = page_key(name)
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
