"""Which files belong to a Logseq graph (logseq-format §1), judged by path alone.

Like Logseq, every ``.md`` ``.markdown`` ``.org`` file in the graph folder is a page (a
journal under ``journals/``), not only those under ``pages/`` — that is why graphs list a root
``README.md`` in ``:hidden``; ``whiteboards/*.edn`` are whiteboards; directories as
configured.  Never read: a path with a segment starting with ``.`` (``.recycle``, ``.git``,
``.xuncha``, ``pages/.x.md``), ``node_modules``, ``version-files``, anything under ``logseq/``
but the config, config ``:hidden`` paths, symlinks, ``.edn`` files outside ``whiteboards/``.

:func:`classify_path` answers for one path (the file need not exist: the watcher asks about
deleted files too); :func:`list_graph_files` walks the folder.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from operator import itemgetter
from pathlib import Path
from typing import Literal, NamedTuple

from xuncha_kb.logseq.config import CONFIG_FILE
from xuncha_kb.model import Diagnostic, GraphConfig, PageFormat

PathKind = Literal["page", "journal", "whiteboard", "config", "ignored"]

PAGE_EXTENSIONS: dict[str, PageFormat] = {".md": "markdown", ".markdown": "markdown", ".org": "org"}
IGNORED_DIR_NAMES = frozenset({"node_modules", "version-files"})


# --- what belongs to the graph ------------------------------------------------------------------

def is_hidden(relpath: str, patterns: tuple[str, ...]) -> bool:
    """Logseq's ``hidden?``: ``"/" + path`` starts with ``"/" + pattern`` (a plain prefix test)."""
    path = "/" + relpath.lstrip("/")
    for pattern in patterns:
        p = pattern if pattern.startswith("/") else "/" + pattern
        if path.startswith(p):
            return True
    return False


def graph_relative(relpath: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> str:
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
    rel = graph_relative(relpath, root)
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
