"""``list_graph_files`` decides per folder; it must equal asking ``classify_path`` about every file.

The reference below is the walk as it was before the per-folder rules: the same pruning of
folders, then ``classify_path`` for each regular file.  Random trees (graph folders, nested
folders, dot names, ``..`` names, backslashes, odd extensions in any case, symlinks) under
random configs (moved or nested graph folders, ``:hidden`` patterns cut from the tree's own
paths) must list the same files with the same kinds, with and without ``:hidden``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import write_file
from xuncha_kb.fs import listing
from xuncha_kb.fs.listing import PathKind, classify_path, is_dot_name, is_hidden, list_graph_files
from xuncha_kb.model import GraphConfig


def reference_list(root: Path, config: GraphConfig, *, apply_hidden: bool = True
                   ) -> list[tuple[str, PathKind]]:
    """The straightforward walk: prune folders, then classify_path per regular file."""
    found: list[tuple[str, PathKind]] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(root / rel_dir if rel_dir else root) as it:
            entries = list(it)
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if is_dot_name(name) or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if name in listing.IGNORED_DIR_NAMES or rel == "logseq" \
                        or (apply_hidden and is_hidden(rel + "/", config.hidden)):
                    continue
                stack.append(rel)
            elif entry.is_file(follow_symlinks=False):
                kind = classify_path(root, rel, config, apply_hidden=apply_hidden)
                if kind in ("page", "journal", "whiteboard"):
                    found.append((rel, kind))
    found.sort()
    return found


FOLDERS = ["pages", "journals", "whiteboards", "logseq", "days", "boards", "sub", "Pages", "JOURNALS",
           "node_modules", "version-files", ".git", ".recycle", "..odd", "draft", "archived", "a\\b",
           "..\\up", "journals.md", "日志"]
STEMS = ["a", "2026_03_01", "README", "draft-1", ".bss", "..x", "config", "node_modules", "x\\y", "..\\z",
         "q\\", "页面", "a.b", ".", "", "logseq"]
EXTENSIONS = [".md", ".MD", ".Md", ".markdown", ".MARKDOWN", ".org", ".Org", ".edn", ".EDN", ".txt", "",
              ".md.bak", ".json", ".md "]

names = st.builds(lambda s, e: s + e, st.sampled_from(STEMS), st.sampled_from(EXTENSIONS)).filter(
    lambda n: n not in ("", ".", ".."))
paths = st.tuples(st.lists(st.sampled_from(FOLDERS), max_size=3), names)
graph_dirs = st.sampled_from(["journals", "days", "/journals/", "pages/sub", "whiteboards", "boards",
                              "a\\b", "", "sub/days", "journals.md"])


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str]], GraphConfig]:
    files = ["/".join([*d, n]) for d, n in draw(st.lists(paths, min_size=1, max_size=25))]
    links = draw(st.lists(st.tuples(st.sampled_from(["pages/link.md", "link.md", "pages/linkdir",
                                                     "journals/l.md", "whiteboards/l.edn"]),
                                    st.sampled_from([*files, "pages", "."])), max_size=3))
    patterns: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        base = draw(st.sampled_from([*files, "pages/", "/", "", "logseq", "journals/2026"]))
        cut = base[:draw(st.integers(0, len(base)))]
        patterns.append(draw(st.sampled_from(["", "/"])) + cut)
    config = GraphConfig(hidden=tuple(patterns), journals_dir=draw(graph_dirs),
                         whiteboards_dir=draw(graph_dirs))
    return files, links, config


def build(root: Path, files: list[str], links: list[tuple[str, str]]) -> None:
    root.mkdir()
    (root / "logseq").mkdir()
    (root / "logseq" / "config.edn").write_text("{}", encoding="utf-8")
    for rel in files:
        try:
            write_file(root, rel, "- x\n")
        except OSError:  # a name already taken by a folder (or a file where a folder should be)
            pass
    for rel, target in links:
        link = root / rel
        if os.path.lexists(link):
            continue
        try:
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(root / target)
        except OSError:
            pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trees())
def test_list_graph_files_equals_classify_path_per_file(
        tmp_path: Path, tree: tuple[list[str], list[tuple[str, str]], GraphConfig]) -> None:
    files, links, config = tree
    root = Path(tempfile.mkdtemp(dir=tmp_path)) / "g"
    build(root, files, links)
    for apply_hidden in (True, False):
        expected = reference_list(root, config, apply_hidden=apply_hidden)
        assert list_graph_files(root, config, apply_hidden=apply_hidden) == expected


def test_the_rules_that_are_decided_per_folder(tmp_path: Path) -> None:
    """Fixed cases of the per-folder rules, so a failure here names the rule."""
    root = tmp_path / "g"
    for rel in ["pages/a.MD", "pages/b.Org", "pages/..odd.md", "pages/.dot.md", "pages/c.edn",
                "pages/drafts-1.md", "pages/draftsman/x.md", "journals/sub/2026_03_01.md",
                "journalsx/2026_03_01.md", "whiteboards/w.EDN", "whiteboards/deep/w.edn",
                "whiteboardsx/w.edn", "a\\b.md", "x\\y/z.md", "README.md", "logseq/custom.md"]:
        write_file(root, rel, "- x\n")
    (root / "pages" / "link.md").symlink_to(root / "README.md")
    config = GraphConfig(hidden=("pages/drafts", "/README"))
    assert list_graph_files(root, config) == [
        ("a\\b.md", "page"), ("journals/sub/2026_03_01.md", "journal"), ("journalsx/2026_03_01.md", "page"),
        ("pages/..odd.md", "page"), ("pages/a.MD", "page"), ("pages/b.Org", "page"),
        ("whiteboards/deep/w.edn", "whiteboard"),
        ("whiteboards/w.EDN", "whiteboard"), ("x\\y/z.md", "page"),
    ]
    assert list_graph_files(root, config) == reference_list(root, config)
    everything = list_graph_files(root, config, apply_hidden=False)
    assert ("pages/drafts-1.md", "page") in everything and ("pages/draftsman/x.md", "page") in everything
