"""Walking a graph: what is read, what is ignored, decoding, per-file errors, collisions."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from tests.conftest import write_file
from xuncha_kb.errors import GraphNotFound
from xuncha_kb.fs.listing import classify_path, is_hidden
from xuncha_kb.fs.scan import load_graph, read_page_file, read_whiteboard_file
from xuncha_kb.model import GraphConfig
from xuncha_kb.stats import graph_stats

TRI = GraphConfig(name_format="triple-lowbar", hidden=("/archived", "drafts"))


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    root = tmp_path / "g"
    write_file(root, "logseq/config.edn",
               '{:file/name-format :triple-lowbar :hidden ["/archived" "pages/draft"]}')
    write_file(root, "pages/巡察办___制度.md", "- TODO 起草制度\n")
    write_file(root, "pages/contents.md", "- 目录\n")
    write_file(root, "pages/titled.md", "title:: 真正的标题\n\n- x\n")
    write_file(root, "pages/sub/nested.md", "- 子目录中的页面\n")
    write_file(root, "pages/org page.org", "* DONE 整理\n")
    write_file(root, "pages/notes.markdown", "- markdown 扩展名\n")
    write_file(root, "journals/2026_03_01.md", "- DOING 现场检查\n")
    write_file(root, "journals/2026-03-02.md", "- 旧格式日志\n")
    write_file(root, "whiteboards/板.edn", '{:blocks () :pages ({:block/original-name "板"})}')
    write_file(root, "README.md", "- Logseq reads Markdown anywhere in the graph folder\n")
    # everything below must be ignored
    write_file(root, "pages/.bss.md", "- dot file\n")
    write_file(root, "pages/ignored.edn", "{:not :a-page}")
    write_file(root, "pages/draft-1.md", "- hidden by a :hidden prefix\n")
    write_file(root, "pages/readme.txt", "not a page")
    write_file(root, "pages/node_modules/x.md", "- npm\n")
    write_file(root, "pages/.git/y.md", "- git\n")
    write_file(root, "logseq/bak/pages/巡察办___制度/2026.md", "- backup\n")
    write_file(root, "logseq/version-files/a.md", "- version\n")
    write_file(root, ".recycle/pages/gone.md", "- deleted\n")
    write_file(root, "archived/pages/old.md", "- archived\n")
    write_file(root, "assets/highlights.edn", "{:a 1}")
    write_file(root, "logseq/custom.md", "- Logseq's own folder\n")
    write_file(root, "whiteboards/old.json", "{}")
    return root


def test_load_graph_reads_exactly_the_graph_files(graph: Path) -> None:
    g = load_graph(graph)
    assert [p.file for p in g.pages] == [
        "README.md", "journals/2026-03-02.md", "journals/2026_03_01.md", "pages/contents.md",
        "pages/notes.markdown", "pages/org page.org", "pages/sub/nested.md", "pages/titled.md",
        "pages/巡察办___制度.md",
    ]
    names = {p.file: p.name for p in g.pages}
    assert names["pages/巡察办___制度.md"] == "巡察办/制度"
    assert names["pages/contents.md"] == "Contents"
    assert names["pages/titled.md"] == "真正的标题"
    assert names["pages/sub/nested.md"] == "nested"
    assert names["README.md"] == "README"
    assert names["journals/2026_03_01.md"] == "Mar 1st, 2026"
    assert names["journals/2026-03-02.md"] == "Mar 2nd, 2026"
    kinds = {p.file: (p.kind, p.format, p.journal_day) for p in g.pages}
    assert kinds["journals/2026_03_01.md"] == ("journal", "markdown", 20260301)
    assert kinds["pages/org page.org"] == ("page", "org", None)
    assert [w.name for w in g.whiteboards] == ["板"]
    assert g.page("mar 1ST, 2026") is not None
    assert g.diagnostics == ()
    assert g.config.name_format == "triple-lowbar"


def test_hidden_can_be_disabled_for_peer_comparison(graph: Path) -> None:
    files = [p.file for p in load_graph(graph, apply_hidden=False).pages]
    assert "pages/draft-1.md" in files and "archived/pages/old.md" in files
    assert "pages/.bss.md" not in files and "logseq/bak/pages/巡察办___制度/2026.md" not in files


def test_is_hidden_is_a_plain_prefix_test() -> None:
    assert is_hidden("archived/x.md", ("/archived",))
    assert is_hidden("archived/x.md", ("archived",))
    assert is_hidden("pages/drafts-2.md", ("pages/drafts",))
    assert not is_hidden("pages/archived.md", ("/archived",))


@pytest.mark.parametrize(("rel", "kind"), [
    ("pages/a.md", "page"), ("pages/a.org", "page"), ("pages/deep/a.markdown", "page"),
    ("pages/a.MD", "page"), ("journals/2026_03_01.md", "journal"), ("whiteboards/x.edn", "whiteboard"),
    ("logseq/config.edn", "config"), ("pages/a.edn", "ignored"), ("pages/.a.md", "ignored"),
    (".recycle/pages/a.md", "ignored"), ("logseq/bak/pages/a.md", "ignored"), ("pages/a.txt", "ignored"),
    ("archived/pages/a.md", "ignored"), ("drafts/a.md", "ignored"), ("pages/node_modules/a.md", "ignored"),
    ("../pages/a.md", "ignored"), ("pages/../../x.md", "ignored"), ("assets/a.edn", "ignored"),
    ("version-files/pages/a.md", "ignored"), ("", "ignored"), ("logseq/custom.md", "ignored"),
    ("README.md", "page"), ("notes/a.org", "page"), ("whiteboards/a.md", "page"),
    ("journals/sub/2026_03_01.md", "journal"), ("whiteboards/a.json", "ignored"),
    ("pages/..odd.md", "page"),  # Logseq's dot rule needs a non-dot after the dot
])
def test_classify_path(rel: str, kind: str) -> None:
    assert classify_path(None, rel, TRI) == kind


def test_classify_path_follows_configured_directories() -> None:
    cfg = GraphConfig(pages_dir="notes", journals_dir="days", whiteboards_dir="boards")
    assert classify_path(None, "notes/a.md", cfg) == "page"
    assert classify_path(None, "days/2026_01_01.md", cfg) == "journal"
    assert classify_path(None, "boards/a.edn", cfg) == "whiteboard"
    assert classify_path(None, "whiteboards/a.edn", cfg) == "ignored"
    assert classify_path(None, "journals/2026_01_01.md", cfg) == "page"  # not the journals folder now


def test_invalid_utf8_is_replaced_and_reported(tmp_path: Path) -> None:
    write_file(tmp_path, "pages/ok.md", "- fine\n")
    write_file(tmp_path, "pages/bad.md", "- line one\n- line two \xff\xfe broken\n".encode("latin-1"))
    g = load_graph(tmp_path)
    bad = g.page("bad")
    assert bad is not None and "\ufffd" in bad.blocks[1].content
    [diag] = [d for d in g.diagnostics if d.file == "pages/bad.md"]
    assert diag.line == 2 and "UTF-8" in diag.message


def test_bom_and_crlf_are_handled(tmp_path: Path) -> None:
    write_file(tmp_path, "pages/bom.md", "\ufefftitle:: 带 BOM\r\n\r\n- a\r\n- b\r\n".encode())
    g = load_graph(tmp_path)
    page = g.page("带 BOM")
    assert page is not None and page.bom and page.crlf
    assert [b.content for b in page.blocks if not b.pre_block] == ["a", "b"]


def test_parser_crash_becomes_a_diagnostic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import xuncha_kb.logseq.page as page_mod

    write_file(tmp_path, "pages/a.md", "- a\n")
    write_file(tmp_path, "pages/boom.md", "- boom\n")
    real = page_mod.parse_text

    def flaky(text: str, file: str, *args: object, **kwargs: object) -> object:
        if file.endswith("boom.md"):
            raise RuntimeError("synthetic failure")
        return real(text, file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(page_mod, "parse_text", flaky)
    g = load_graph(tmp_path)
    assert [p.file for p in g.pages] == ["pages/a.md"]
    [diag] = g.diagnostics
    assert diag.file == "pages/boom.md" and diag.severity == "error" and "synthetic failure" in diag.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read unreadable files")
def test_unreadable_file_is_a_diagnostic(tmp_path: Path) -> None:
    path = write_file(tmp_path, "pages/secret.md", "- x\n")
    write_file(tmp_path, "pages/ok.md", "- y\n")
    path.chmod(0)
    try:
        g = load_graph(tmp_path)
    finally:
        path.chmod(0o644)
    assert [p.file for p in g.pages] == ["pages/ok.md"]
    assert g.diagnostics[0].file == "pages/secret.md"


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_file(outside, "secret.md", "- outside the graph\n")
    root = tmp_path / "g"
    write_file(root, "pages/real.md", "- real\n")
    (root / "pages" / "link.md").symlink_to(outside / "secret.md")
    (root / "pages" / "linkdir").symlink_to(outside, target_is_directory=True)
    (root / "pages" / "loop").symlink_to(root / "pages", target_is_directory=True)
    g = load_graph(root)
    assert [p.file for p in g.pages] == ["pages/real.md"]
    page, diags = read_page_file(root, "pages/link.md", g.config)
    assert page is None and diags and diags[0].severity == "info"


def test_case_insensitive_name_collisions_are_reported(tmp_path: Path) -> None:
    write_file(tmp_path, "pages/Report.md", "- a\n")
    write_file(tmp_path, "pages/report.md", "- b\n")
    write_file(tmp_path, "pages/other.md", "title:: REPORT\n\n- c\n")
    g = load_graph(tmp_path)
    collisions = [d for d in g.diagnostics if "重名" in d.message]
    assert sorted(d.file for d in collisions) == ["pages/other.md", "pages/report.md"]
    assert all("pages/Report.md" in d.message for d in collisions)
    assert g.page("report").file == "pages/Report.md"  # type: ignore[union-attr]


def test_broken_config_falls_back_and_the_scan_goes_on(tmp_path: Path) -> None:
    write_file(tmp_path, "logseq/config.edn", "{:file/name-format :triple-lowbar\n :hidden [\n")
    write_file(tmp_path, "pages/a___b.md", "- x\n")
    g = load_graph(tmp_path)
    assert g.config.name_format == "legacy"
    assert g.pages[0].name == "a___b"  # legacy reading: not a namespace
    assert g.diagnostics[0].file == "logseq/config.edn" and g.diagnostics[0].line == 2


def test_malformed_whiteboard_does_not_stop_the_scan(tmp_path: Path) -> None:
    write_file(tmp_path, "whiteboards/坏.edn", "{:blocks (\n{:block/content \"x\"\n")
    write_file(tmp_path, "pages/a.md", "- x\n")
    g = load_graph(tmp_path)
    assert len(g.pages) == 1 and [w.name for w in g.whiteboards] == ["坏"]
    assert g.diagnostics[0].file == "whiteboards/坏.edn" and g.diagnostics[0].line == 2


def test_journal_ness_follows_the_name_not_the_folder(tmp_path: Path) -> None:
    write_file(tmp_path, "journals/notes.md", "- x\n")
    write_file(tmp_path, "journals/2026_03_03.md", "title:: 会议纪要\n\n- x\n")  # title:: wins: not a journal
    write_file(tmp_path, "pages/2026-03-04.md", "- a page named like a date is a journal\n")
    write_file(tmp_path, "pages/会议.md", "title:: Mar 5th, 2026\n\n- so is a page titled like one\n")
    g = load_graph(tmp_path)
    got = {p.file: (p.name, p.kind, p.journal_day) for p in g.pages}
    assert got == {
        "journals/notes.md": ("notes", "page", None),
        "journals/2026_03_03.md": ("会议纪要", "page", None),
        "pages/2026-03-04.md": ("Mar 4th, 2026", "journal", 20260304),
        "pages/会议.md": ("Mar 5th, 2026", "journal", 20260305),
    }
    assert [(d.file, d.severity) for d in g.diagnostics] == [("journals/2026_03_03.md", "info"),
                                                             ("journals/notes.md", "info")]
    assert "title::" in g.diagnostics[0].message and "不是日期" in g.diagnostics[1].message
    s = graph_stats(g)
    assert (s["pages"], s["journals"]) == (2, 2)  # counted by folder, like the peers


def test_journal_named_like_a_journal_file_collides(tmp_path: Path) -> None:
    write_file(tmp_path, "journals/2026_03_01.md", "- a\n")
    write_file(tmp_path, "pages/Mar 1st, 2026.md", "- b\n")
    g = load_graph(tmp_path)
    [diag] = g.diagnostics
    assert diag.file == "pages/Mar 1st, 2026.md" and "journals/2026_03_01.md" in diag.message


def test_configured_journal_formats(tmp_path: Path) -> None:
    write_file(tmp_path, "logseq/config.edn",
          '{:journal/file-name-format "yyyy-MM-dd" :journal/page-title-format "yyyy年MM月dd日"}')
    write_file(tmp_path, "journals/2026-03-05.md", "- x\n")
    g = load_graph(tmp_path)
    assert g.pages[0].name == "2026年03月05日" and g.pages[0].journal_day == 20260305


@pytest.mark.parametrize("make", ["missing", "file", "empty"])
def test_not_a_graph(tmp_path: Path, make: str) -> None:
    target = tmp_path / "x"
    if make == "file":
        target.write_text("hi")
    elif make == "empty":
        target.mkdir()
        (target / "notes").mkdir()
    with pytest.raises(GraphNotFound) as info:
        load_graph(target)
    assert info.value.exit_code == 3
    assert str(target) in info.value.message
    assert any("\u4e00" <= c <= "\u9fff" for c in info.value.message)


def test_gc_state_is_restored(graph: Path) -> None:
    assert gc.isenabled()
    load_graph(graph)
    assert gc.isenabled()
    gc.disable()
    try:
        load_graph(graph)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_progress_callback(graph: Path) -> None:
    calls: list[tuple[int, int]] = []
    load_graph(graph, progress=lambda done, total: calls.append((done, total)))
    total = calls[0][1]
    assert total == 10  # 9 pages/journals + 1 whiteboard
    assert calls == [(i, total) for i in range(total + 1)]


def test_read_page_file_for_incremental_reads(graph: Path) -> None:
    g = load_graph(graph)
    page, diags = read_page_file(graph, "pages/巡察办___制度.md", g.config)
    assert page is not None and diags == []
    assert page == g.page("巡察办/制度")
    assert read_page_file(graph, "pages/ignored.edn", g.config) == (None, [])
    assert read_page_file(graph, "pages/missing.md", g.config) == (None, [])
    assert read_page_file(graph, "../outside.md", g.config) == (None, [])
    board, _ = read_whiteboard_file(graph, "whiteboards/板.edn", g.config)
    assert board is not None and board.name == "板"


def test_example_graph(example_graph: Path) -> None:
    g = load_graph(example_graph)
    assert g.diagnostics == ()
    assert g.config.name_format == "triple-lowbar"
    assert g.page("巡察办/制度/保密要求") is not None
    assert g.page("干部名册").format == "org"  # type: ignore[union-attr]
    seed = next(w for w in g.whiteboards if w.name == "巡察工作流程")
    assert seed.file == "whiteboards/巡察工作流程.edn" and len(seed.shapes) == 1 and len(seed.blocks) == 2
    assert sum(1 for p in g.pages if p.kind == "journal") >= 3


def test_absolute_paths_are_taken_relative_to_the_root(graph: Path, tmp_path: Path) -> None:
    cfg = load_graph(graph).config
    assert classify_path(graph, graph / "pages" / "contents.md", cfg) == "page"
    assert classify_path(graph, str(graph / "journals" / "2026_03_01.md"), cfg) == "journal"
    assert classify_path(graph, tmp_path / "elsewhere" / "pages" / "x.md", cfg) == "ignored"
    page, _ = read_page_file(graph, graph / "pages" / "titled.md", cfg)
    assert page is not None and page.file == "pages/titled.md"


def test_whiteboard_named_like_a_page_is_a_collision(tmp_path: Path) -> None:
    write_file(tmp_path, "pages/流程.md", "- x\n")
    write_file(tmp_path, "whiteboards/流程.edn", '{:blocks () :pages ({:block/original-name "流程"})}')
    g = load_graph(tmp_path)
    [diag] = g.diagnostics
    assert diag.file == "whiteboards/流程.edn" and "pages/流程.md" in diag.message


def test_unlistable_folder_is_a_diagnostic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_file(tmp_path, "pages/ok.md", "- y\n")
    write_file(tmp_path, "pages/locked/secret.md", "- x\n")
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    g = load_graph(tmp_path)
    assert [p.file for p in g.pages] == ["pages/ok.md"]
    [diag] = g.diagnostics
    assert diag.file == "pages/locked" and diag.severity == "error" and "Permission denied" in diag.message


def test_freeze_moves_the_graph_out_of_the_collector(graph: Path) -> None:
    gc.unfreeze()
    before = gc.get_freeze_count()
    load_graph(graph)
    assert gc.get_freeze_count() == before  # default: nothing frozen (safe for long-running processes)
    try:
        load_graph(graph, freeze=True)
        assert gc.get_freeze_count() > before
        assert gc.isenabled()
    finally:
        gc.unfreeze()
