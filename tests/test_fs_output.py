"""Output targets the user names (``report -o``, ``workflow extract -o``, ``close-out --archive``):
hostile paths are refused with a Chinese message and the documented exit code, nothing in the
graph is created, changed or removed, and no device, FIFO, socket, folder or link is replaced.

One table, one test, like the bad-input catalog; a few cases that need a second process (a FIFO
with a reader) or a simulated OS failure are tests of their own below it.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_reliability_badinput import DRAFT2, TODAY, close_ledger, tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.fs.output import Payload, check_output

SEED_PAGE = "pages/巡察___2026年第一轮___某某集团有限公司.md"
EXTRACT_SOURCE = "pages/巡察___2026年第一轮___某某集团有限公司.md"  # any Markdown page reads as a document


# --- setups: (graph, scratch) -> the -o path to use ------------------------------------------------

def in_graph(rel: str) -> Callable[[Path, Path], str]:
    return lambda g, t: str(g / rel)


def outside(rel: str) -> Callable[[Path, Path], str]:
    return lambda g, t: str(t / rel)


def fixed(path: str) -> Callable[[Path, Path], str]:
    return lambda g, t: path


def a_socket(g: Path, t: Path) -> str:
    path = t / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket file stays
    return str(path)


def a_lone_fifo(g: Path, t: Path) -> str:
    path = t / "pipe"
    os.mkfifo(path)
    return str(path)


def link_to(target: Callable[[Path, Path], str], name: str = "link.out") -> Callable[[Path, Path], str]:
    def make(g: Path, t: Path) -> str:
        link = t / name
        link.symlink_to(target(g, t))
        return str(link)
    return make


def link_in_graph_to_outside(g: Path, t: Path) -> str:
    (t / "outside.html").write_text("old", encoding="utf-8")
    (g / "报告链接.html").symlink_to(t / "outside.html")
    return str(g / "报告链接.html")


def file_as_parent(g: Path, t: Path) -> str:
    (t / "plain").write_text("x", encoding="utf-8")
    return str(t / "plain" / "x.html")


def graph_root(g: Path, t: Path) -> str:
    return str(g)


@dataclass(frozen=True)
class Case:
    id: str
    target: Callable[[Path, Path], str]
    args: tuple[str, ...]  # the command; "{g}" = the graph; the target follows the output option
    code: int
    fragments: tuple[str, ...] = ()
    graph_changes: bool = False  # a successful write inside the graph


REPORT = ("report", "{g}", *TODAY)


def report(fmt: str) -> tuple[str, ...]:
    return (*REPORT, "--format", fmt, "-o")


EXTRACT = ("workflow", "extract", "{g}/" + EXTRACT_SOURCE, "-o")
ARCHIVE = ("close-out", "{g}", "--inspection", "某某集团有限公司", *TODAY, "--archive")

CASES = [
    # A binary or non-page format is refused inside the graph's note folders (exit 2).
    Case("xlsx-named-md-in-pages", in_graph("pages/x.md"), report("xlsx"), 2,
         ("pages/", "二进制文件", "--write")),
    Case("xlsx-in-pages", in_graph("pages/台账.xlsx"), report("xlsx"), 2, ("二进制文件",)),
    Case("html-in-pages", in_graph("pages/x.html"), report("html"), 2, ("非页面格式",)),
    Case("json-in-journals", in_graph("journals/x.json"), report("json"), 2, ("journals/",)),
    Case("text-named-md-in-pages", in_graph("pages/进度.md"), report("text"), 2, ("非页面格式",)),
    Case("md-without-md-suffix-in-pages", in_graph("pages/进度.txt"), report("md"), 2, (".md",)),
    Case("md-in-subfolder-of-pages", in_graph("pages/子目录/x.xlsx"), report("xlsx"), 2, ("pages/",)),
    Case("md-in-whiteboards", in_graph("whiteboards/x.md"), report("md"), 2, ("白板",)),
    Case("edn-in-whiteboards", in_graph("whiteboards/x.edn"), report("json"), 2, ("白板",)),
    Case("xlsx-named-md-at-graph-root", in_graph("台账.md"), report("xlsx"), 2, ("页面的扩展名",)),
    Case("html-named-org-at-graph-root", in_graph("报告.org"), report("html"), 2, ("页面的扩展名",)),
    # Files the tool or Logseq keeps are never a target.
    Case("manifest", in_graph(".xuncha/manifest.json"), report("json"), 2, (".xuncha/",)),
    Case("new-file-in-state-dir", in_graph(".xuncha/x.json"), report("json"), 2, (".xuncha/",)),
    Case("events-log", in_graph(".xuncha/events.jsonl"), report("json"), 2, (".xuncha/",)),
    Case("logseq-custom-css", in_graph("logseq/custom.css"), report("html"), 2, ("Logseq 自己的文件夹",)),
    Case("logseq-recycle", in_graph("logseq/.recycle/x.html"), report("html"), 2, ("Logseq 自己的文件夹",)),
    Case("config-edn-is-a-note", in_graph("logseq/config.edn"), report("md"), 4, ("笔记文件",)),
    Case("existing-page", in_graph(SEED_PAGE), report("md"), 4, ("笔记文件", "--write")),
    Case("existing-draft", in_graph(DRAFT2), report("md"), 4, ("笔记文件",)),
    # Never a folder, socket, or a path through a file.
    Case("folder-outside", outside("."), report("html"), 2, ("文件夹",)),
    Case("graph-root", graph_root, report("html"), 2, ("文件夹",)),
    Case("pages-folder", in_graph("pages"), report("md"), 2, ("文件夹",)),
    Case("socket", a_socket, report("json"), 2, ("套接字",)),
    Case("file-as-parent", file_as_parent, report("html"), 2, ("不是文件夹",)),
    # Devices are written into, never replaced; a failed write is exit 5.
    Case("dev-full", fixed("/dev/full"), report("html"), 5, ("磁盘空间不足",)),
    Case("dev-null", fixed("/dev/null"), report("xlsx"), 0),
    Case("fifo-without-reader", a_lone_fifo, report("json"), 5, ("管道",)),
    # Symlinks are followed; the rules hold for what they point at.
    Case("link-to-page", link_to(in_graph(SEED_PAGE)), report("md"), 4, ("笔记文件",)),
    Case("link-to-pages-folder-file", link_to(in_graph("pages/新.xlsx")), report("xlsx"), 2, ("pages/",)),
    Case("link-to-manifest", link_to(in_graph(".xuncha/manifest.json")), report("json"), 2, (".xuncha/",)),
    Case("link-to-folder", link_to(outside(".")), report("html"), 2, ("文件夹",)),
    Case("link-to-dev-full", link_to(fixed("/dev/full")), report("json"), 5, ("磁盘空间不足",)),
    Case("link-in-graph-to-outside", link_in_graph_to_outside, report("html"), 0, graph_changes=False),
    # Allowed: new files outside the note folders, Markdown into pages/.
    Case("md-into-pages", in_graph("pages/本办进度报告.md"), report("md"), 0, graph_changes=True),
    Case("xlsx-at-graph-root", in_graph("台账.xlsx"), report("xlsx"), 0, graph_changes=True),
    Case("html-outside", outside("进度.html"), report("html"), 0),
    Case("html-new-folder-outside", outside("新目录/进度.html"), report("html"), 0),
    # workflow extract -o writes a page: the same rules.
    Case("extract-into-state-dir", in_graph(".xuncha/流程.md"), EXTRACT, 2, (".xuncha/",)),
    Case("extract-into-whiteboards", in_graph("whiteboards/流程.md"), EXTRACT, 2, ("白板",)),
    Case("extract-non-md-into-pages", in_graph("pages/流程.txt"), EXTRACT, 2, (".md",)),
    Case("extract-over-a-page", in_graph(SEED_PAGE), EXTRACT, 4, ("笔记文件",)),
    Case("extract-folder", in_graph("pages"), EXTRACT, 2, ("文件夹",)),
    Case("extract-socket", a_socket, EXTRACT, 2, ("套接字",)),
    Case("extract-dev-full", fixed("/dev/full"), EXTRACT, 5, ("磁盘空间不足",)),
    Case("extract-into-logseq", in_graph("logseq/流程.md"), EXTRACT, 2, ("Logseq 自己的文件夹",)),
    Case("extract-into-pages", in_graph("pages/本办巡察流程.md"), EXTRACT, 0, graph_changes=True),
    # close-out --archive: a zip is binary.
    Case("archive-into-pages", in_graph("pages/归档.zip"), ARCHIVE, 2, ("二进制文件",)),
    Case("archive-named-md", in_graph("归档.md"), ARCHIVE, 2, ("页面的扩展名",)),
    Case("archive-into-state-dir", in_graph(".xuncha/归档.zip"), ARCHIVE, 2, (".xuncha/",)),
    Case("archive-folder", outside("."), ARCHIVE, 2, ("文件夹",)),
    Case("archive-socket", a_socket, ARCHIVE, 2, ("套接字",)),
    Case("archive-over-dev-null", fixed("/dev/null"), ARCHIVE, 4, ("已存在",)),
]


def _kind(path: str) -> tuple[int, str | None]:
    st = os.lstat(path)
    return stat.S_IFMT(st.st_mode), os.readlink(path) if stat.S_ISLNK(st.st_mode) else None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_output_target(case: Case, example_graph: Path, tmp_path: Path) -> None:
    g = example_graph
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if case.args is ARCHIVE:
        close_ledger(g)
    target = case.target(g, scratch)
    before = tree_hash(g)
    kind_before = _kind(target) if os.path.lexists(target) else None
    args = [a.replace("{g}", str(g)) for a in case.args] + [target]
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    out = result.output
    assert result.exit_code == case.code, out
    assert "Traceback" not in out, out
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    for fragment in case.fragments:
        assert fragment in out, (fragment, out)
    if case.code != 0:
        assert "错误：" in out and target in out, out  # the message names the path the user gave
    if kind_before is not None and kind_before[0] != stat.S_IFREG:
        assert _kind(target) == kind_before, "a device, FIFO, socket, folder or link was replaced"
    after = tree_hash(g)
    if case.graph_changes:
        assert set(after) - set(before), "the allowed write did not happen"
        assert {k: v for k, v in after.items() if k in before} == before, "a file of the graph changed"
    elif case.args is ARCHIVE and case.code == 0:
        pass
    else:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        changed.discard(".xuncha/events.jsonl")  # never written by these commands; listed if it were
        assert not changed, f"the graph changed: {sorted(changed)}"


def test_catalog_size() -> None:
    assert len(CASES) >= 45


def test_link_out_of_graph_is_followed_and_kept(example_graph: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.html"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    r = CliRunner().invoke(cli, [*[a.replace("{g}", str(example_graph)) for a in REPORT], "--format", "html",
                                 "-o", str(link)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_fifo_with_a_reader_receives_the_report(example_graph: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there before the command starts
    done = threading.Event()

    def read() -> None:
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                threading.Event().wait(0.005)
                continue
            if chunk:
                received.append(chunk)
            elif done.is_set():
                return
            else:
                threading.Event().wait(0.005)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    r = CliRunner().invoke(cli, ["report", str(example_graph), *TODAY, "--format", "json", "-o", str(fifo)])
    done.set()
    reader.join(5)
    while True:  # what a slow reader thread left in the pipe
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        received.append(chunk)
    os.close(fd)
    assert r.exit_code == 0, r.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert b'"inspections"' in b"".join(received)


@pytest.mark.parametrize("err, code, words", [(errno.ENOSPC, 5, "磁盘空间不足"), (errno.EROFS, 5, "只读"),
                                              (errno.EACCES, 5, "没有写入权限")])
def test_failed_write_keeps_the_old_file(example_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         err: int, code: int, words: str) -> None:
    target = tmp_path / "进度.html"
    target.write_text("the user's previous report", encoding="utf-8")

    def failing_fsync(fd: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr("xuncha_kb.fs.atomic.os.fsync", failing_fsync)
    r = CliRunner().invoke(cli, ["report", str(example_graph), *TODAY, "--format", "html", "-o", str(target)])
    assert r.exit_code == code, r.output
    assert words in r.output and str(target) in r.output
    assert target.read_text(encoding="utf-8") == "the user's previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph", "进度.html"]  # no temp file left


def test_check_output_finds_another_graph(tmp_path: Path) -> None:
    """The rules hold for any graph the target lies in, not only the one the command read."""
    other = tmp_path / "另一个图谱"
    (other / "pages").mkdir(parents=True)
    with pytest.raises(Exception) as info:
        check_output(other / "pages" / "x.xlsx", Payload.BINARY)
    assert getattr(info.value, "exit_code", None) == 2
    assert check_output(other / "x.xlsx", Payload.BINARY).in_place is False


def test_atomic_write_never_replaces_a_special_file(tmp_path: Path) -> None:
    """The shared writer itself refuses, whoever calls it (scaffold, sync, report --write)."""
    from xuncha_kb.errors import WriteConflict
    from xuncha_kb.fs.atomic import atomic_write

    fifo = tmp_path / "page.md"
    os.mkfifo(fifo)
    (tmp_path / "real.md").write_text("note", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "real.md")
    for path in (fifo, link):
        with pytest.raises(WriteConflict):
            atomic_write(path, "x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink()
    assert (tmp_path / "real.md").read_text(encoding="utf-8") == "note"


def test_report_write_refuses_a_fifo_at_the_report_page(example_graph: Path) -> None:
    page = example_graph / "pages" / "巡察___进度报告.md"
    os.mkfifo(page)
    r = CliRunner().invoke(cli, ["report", str(example_graph), *TODAY, "--write"])
    assert r.exit_code == 4, r.output
    assert "Traceback" not in r.output and stat.S_ISFIFO(os.lstat(page).st_mode)


def test_nul_in_output_path_is_a_message_not_a_traceback(example_graph: Path) -> None:
    before = tree_hash(example_graph)
    r = CliRunner().invoke(cli, ["report", str(example_graph), *TODAY, "-o", "x\x00y.html"])
    assert r.exit_code == 2, r.output
    assert "NUL" in r.output and "Traceback" not in r.output
    assert tree_hash(example_graph) == before


def test_archive_dated_before_1980_is_written(example_graph: Path, tmp_path: Path) -> None:
    """zip cannot store dates before 1980: the members get 1980-01-01, the manifest the real day,
    and nothing crashes half-way (the record page used to be written before the zip failed)."""
    import json
    import zipfile

    close_ledger(example_graph)
    out = tmp_path / "归档.zip"
    r = CliRunner().invoke(cli, ["close-out", str(example_graph), "--inspection", "某某集团有限公司",
                                 "--today", "1975-06-01", "--archive", str(out)])
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("MANIFEST.json"))
        assert all(i.date_time[:3] == (1980, 1, 1) for i in zf.infolist())
    assert manifest["date"] == "1975-06-01"
