"""The bad-input catalog: every command, fed broken or hostile input, answers with a Chinese
message naming file:line and a documented exit code, and writes nothing.

One table, one test.  Each case builds its input in a private copy of ``examples/graph``
(big and odd files are generated here, never committed), runs one command through click's
CliRunner, and checks: the exit code, the message fragments, no Python traceback, no
exception other than the project's own, and — by hashing every file of the graph before and
after, ``.xuncha/`` included — that nothing in the graph was created, changed or removed.

Exit codes (``xuncha_kb/errors.py``): 0 ok (a broken page is a diagnostic, never a stop),
2 bad input, 3 not a graph / not found / no permission, 4 conflict, 5 write failed, 6 busy.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_GRAPH, ROOT, write_file
from xuncha_kb.cli import cli
from xuncha_kb.errors import XunchaError

OVERVIEW = "pages/巡察___2026年第一轮___某某集团有限公司.md"
DRAFT2 = "pages/巡察___2026年第一轮___某某集团有限公司___底稿___002.md"
DEFINITION = ROOT / "graph_templates" / "workflow" / "巡察工作流程定义.md"
TODAY = ("--today", "2026-03-10")


def tree_hash(root: Path) -> dict[str, str]:
    """Every file and link under ``root`` (hidden ones too) → a hash of its bytes / link target.

    Except the graph index (``.xuncha/index/``): xuncha-kb's own advisory cache, which any
    reading command may refresh; it is no note and never changes a result.
    """
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if rel == ".xuncha/index" or rel.startswith(".xuncha/index/"):
                continue
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            elif p.is_dir():
                out[rel] = "dir"
    return out


def definition_with(old: str, new: str) -> str:
    text = DEFINITION.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


# --- setups (graph, tmp) ---------------------------------------------------------------------

def nothing(g: Path, t: Path) -> None:
    pass


def config(text: str) -> Callable[[Path, Path], None]:
    return lambda g, t: write_file(g, "logseq/config.edn", text)


def page(rel: str, data: str | bytes) -> Callable[[Path, Path], None]:
    return lambda g, t: write_file(g, rel, data)


def deep_outline(g: Path, t: Path) -> None:
    write_file(g, "pages/深层.md", "".join("\t" * i + f"- 第{i}层\n" for i in range(10_000)))


def long_line(g: Path, t: Path) -> None:
    write_file(g, "pages/长行.md", "- " + "巡" * (10 * 1024 * 1024 // 3) + "\n- 下一块\n")


def defn(old: str, new: str) -> Callable[[Path, Path], None]:
    return lambda g, t: write_file(t, "def.md", definition_with(old, new))


def raw_file(rel: str, data: str | bytes) -> Callable[[Path, Path], None]:
    return lambda g, t: write_file(t, rel, data)


def link_outside(g: Path, t: Path) -> None:
    secret = t / "outside" / "机密.md"
    secret.parent.mkdir()
    secret.write_text("- 图谱之外的机密 OUTSIDE-MARKER-7f3\n", encoding="utf-8")
    (g / "pages" / "外链.md").symlink_to(secret)
    (g / "pages" / "外部目录").symlink_to(secret.parent, target_is_directory=True)


def link_loop(g: Path, t: Path) -> None:
    (g / "pages" / "环").mkdir()
    (g / "pages" / "环" / "回到上层").symlink_to(g / "pages", target_is_directory=True)
    (g / "pages" / "自指.md").symlink_to(g / "pages" / "自指.md")


def pages_dir_is_link_out(g: Path, t: Path) -> None:
    """pages/ itself points outside the graph: a scaffold must refuse to write through it."""
    outside = t / "elsewhere"
    outside.mkdir()
    shutil.rmtree(g / "pages")
    (g / "pages").symlink_to(outside, target_is_directory=True)


def close_ledger(g: Path) -> None:
    p = g / DRAFT2
    text = p.read_text(encoding="utf-8").replace("状态:: 审核中", "状态:: 已定稿")
    p.write_text(text.replace("编号:: 002", "编号:: 002\n定性:: 违反有关规定", 1), encoding="utf-8")


def closed_ledger(g: Path, t: Path) -> None:
    close_ledger(g)


def closed_ledger_and_archive_exists(g: Path, t: Path) -> None:
    close_ledger(g)
    (t / "归档.zip").write_bytes(b"not ours")


def closed_ledger_and_user_record(g: Path, t: Path) -> None:
    close_ledger(g)
    write_file(g, "pages/巡察___2026年第一轮___某某集团有限公司___脱密处理记录.md", "- 用户自己写的记录\n")


def user_report_page(g: Path, t: Path) -> None:
    write_file(g, "pages/巡察___进度报告.md", "- 用户自己建的同名页面\n")


def bad_overview_date(g: Path, t: Path) -> None:
    p = g / OVERVIEW
    p.write_text(p.read_text(encoding="utf-8").replace("进驻日:: 2026-03-02", "进驻日:: 2026-02-30"),
                 encoding="utf-8")


def dir_in_place_of_page(g: Path, t: Path) -> None:
    (g / "pages" / "巡察___2026年第二轮___甲公司___巡察准备.md").mkdir()


def graph_definition(text: str) -> Callable[[Path, Path], None]:
    return lambda g, t: write_file(g, "pages/巡察工作流程定义.md", text)


# --- the catalog -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path, Path], None]
    args: tuple[str, ...]  # "{g}" = the graph, "{t}" = a scratch folder outside it
    code: int
    fragments: tuple[str, ...] = ()  # all must appear in the combined output
    absent: tuple[str, ...] = ()  # must not appear


CYCLE = definition_with("前置:: prep.01", "前置:: prep.02")  # prep.02 after itself via prep.01 → cycle

CASES = [
    # config.edn: malformed EDN is a diagnostic naming file:line; Logseq's defaults are used.
    Case("config-unbalanced", config("{:hidden [\"a\"\n :x [1 2}\n"), ("stats", "{g}"), 0,
         ("logseq/config.edn:2", "EDN 语法错误")),
    Case("config-bad-tag", config("{:a #foo/bar 1}"), ("stats", "{g}"), 0,
         ("logseq/config.edn:1", "未知的 EDN 标签 #foo/bar")),
    Case("config-truncated", config("{:meta/version 1\n :hidden [\"/archived\""), ("stats", "{g}"), 0,
         ("logseq/config.edn:", "已按 Logseq 的默认设置读取图谱")),
    Case("config-10000-nesting", config("{:a " + "[" * 10_000 + "]" * 10_000 + "}"), ("stats", "{g}"), 0,
         ("logseq/config.edn:1", "嵌套层数过深")),
    Case("config-fn-form-is-data", config('{:default-queries (fn [] (spit "pwned" 1)) :unknown/key #{:a}}'),
         ("report", "{g}", *TODAY), 0, ("某某集团有限公司",)),
    Case("config-reader-eval", config("{:a #=(java.lang.System/exit 3)}"), ("stats", "{g}"), 0,
         ("logseq/config.edn:1", "EDN 语法错误")),
    Case("config-not-a-map", config("[:a :b]"), ("stats", "{g}"), 0, ("logseq/config.edn:1", "映射")),
    Case("config-bad-directory", config('{:pages-directory "../../etc"}'), ("stats", "{g}"), 0,
         ("logseq/config.edn:1", "不是图谱内的目录名")),
    # whiteboards
    Case("whiteboard-truncated", page("whiteboards/坏.edn", '{:blocks [{:block/uuid #uuid "6'),
         ("stats", "{g}"), 0, ("whiteboards/坏.edn:1", "白板文件无法解析")),
    Case("whiteboard-10000-nesting",
         page("whiteboards/深.edn", "{:blocks " + "[" * 10_000 + "]" * 10_000 + "}"),
         ("stats", "{g}"), 0, ("whiteboards/深.edn:1", "嵌套层数过深"), ("内部错误",)),
    Case("whiteboard-bad-uuid", page("whiteboards/坏.edn", '{:blocks [{:block/uuid #uuid "zz"}]}'),
         ("stats", "{g}"), 0, ("whiteboards/坏.edn:1",)),
    # Markdown pages: diagnostics, never a stop
    Case("md-nul-byte", page("pages/空字符.md", b"- a\n- b\x00c\n"), ("stats", "{g}"), 0,
         ("pages/空字符.md:2", "NUL")),
    Case("md-invalid-utf8", page("pages/乱码.md", b"- a\n- \xff\xfe b\n"), ("report", "{g}", *TODAY), 0),
    Case("md-invalid-utf8-stats", page("pages/乱码.md", b"- a\n- \xff\xfe b\n"), ("stats", "{g}"), 0,
         ("pages/乱码.md:2", "UTF-8")),
    Case("md-impossible-date", page("pages/日期.md", "- TODO 某事\n  DEADLINE: <2026-02-30 Mon>\n"),
         ("stats", "{g}"), 0, ("pages/日期.md:2", "2026-02-30")),
    Case("md-10000-nesting", deep_outline, ("report", "{g}", *TODAY, "--format", "json"), 0),
    Case("md-10000-nesting-html", deep_outline, ("report", "{g}", *TODAY, "--format", "html"), 0),
    Case("md-10mb-line", long_line, ("stats", "{g}"), 0, ("页面",)),
    Case("md-property-without-value", page("pages/空属性.md", "负责人::\n标签:: \n\n- 块\n  状态::\n"),
         ("report", "{g}", *TODAY, "--format", "md"), 0),
    Case("md-git-conflict-markers",
         page("pages/冲突.md", "- a\n<<<<<<< HEAD\n- b\n=======\n- c\n>>>>>>> x\n"),
         ("stats", "{g}"), 0, ("pages/冲突.md:2", "合并冲突标记")),
    Case("md-unknown-marker", page("pages/标记.md", "- FOOBAR 不是任务\n- TODOX 也不是\n- todo 小写\n"),
         ("stats", "{g}"), 0),
    Case("overview-impossible-date", bad_overview_date, ("report", "{g}", *TODAY), 0),
    # workflow definitions and extraction
    Case("workflow-cycle", raw_file("def.md", CYCLE), ("workflow", "check", "{t}/def.md"), 2,
         ("{t}/def.md:", "错误")),
    Case("workflow-dangling-predecessor", defn("前置:: prep.01", "前置:: nowhere.99"),
         ("workflow", "check", "{t}/def.md"), 2, ("{t}/def.md:", "nowhere.99")),
    Case("workflow-no-stages", raw_file("def.md", "- 只有一个块\n"), ("workflow", "check", "{t}/def.md"), 2,
         ("{t}/def.md:1", "没有阶段")),
    Case("workflow-invalid-utf8", raw_file("def.md", b"- \xff\n"), ("workflow", "check", "{t}/def.md"), 2,
         ("{t}/def.md:1", "UTF-8")),
    Case("workflow-extract-bad-edn", raw_file("bad.edn", "{:blocks ["),
         ("workflow", "extract", "{t}/bad.edn"), 2, ("{t}/bad.edn:1", "EDN 语法错误")),
    Case("workflow-extract-missing", nothing, ("workflow", "extract", "{t}/none.edn"), 2, ("找不到",)),
    Case("graph-definition-cycle", graph_definition(CYCLE), ("report", "{g}", *TODAY), 2,
         ("pages/巡察工作流程定义.md:",)),
    # hostile names for generated pages
    Case("unit-dotdot", nothing, ("scaffold", "{g}", "--unit", "../../etc", "--round", "2026年第二轮"), 2,
         ("../../etc",)),
    Case("unit-absolute", nothing, ("scaffold", "{g}", "--unit", "/etc/passwd", "--round", "2026年第二轮"), 2,
         ("/etc/passwd",)),
    Case("unit-dots-only", nothing, ("scaffold", "{g}", "--unit", "..", "--round", "2026年第二轮"), 2,
         ("图谱目录之外",)),
    Case("unit-300-chars", nothing, ("scaffold", "{g}", "--unit", "单" * 300, "--round", "2026年第二轮"), 2,
         ("255 字节",)),
    Case("unit-newline", nothing, ("scaffold", "{g}", "--unit", "甲\n乙", "--round", "2026年第二轮"), 2,
         ("控制字符",)),
    Case("round-dotdot", nothing, ("scaffold", "{g}", "--unit", "甲公司", "--round", ".."), 2, ("..",)),
    Case("scaffold-bad-date", nothing,
         ("scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮", "--entry", "2026-02-30"), 2,
         ("2026-02-30",)),
    Case("scaffold-target-is-a-folder", dir_in_place_of_page,
         ("scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮"), 4, ("文件夹",)),
    Case("scaffold-missing-unit", nothing, ("scaffold", "{g}", "--round", "2026年第二轮"), 2,
         ("被巡察单位",)),
    # symlinks
    Case("symlink-leaving-graph", link_outside, ("report", "{g}", *TODAY, "--format", "json"), 0, (),
         ("OUTSIDE-MARKER-7f3",)),
    Case("symlink-loop", link_loop, ("stats", "{g}"), 0),
    Case("pages-dir-links-outside", pages_dir_is_link_out,
         ("scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮"), 2, ("符号链接",)),
    # not a graph / bad options
    Case("graph-missing", nothing, ("stats", "{t}/没有这个目录"), 3, ("不存在",)),
    Case("graph-is-a-file", raw_file("file.txt", "x"), ("report", "{t}/file.txt"), 3, ("不是目录",)),
    Case("graph-not-logseq", raw_file("plain/readme.txt", "x"), ("stats", "{t}/plain"), 3,
         ("不是 Logseq 图谱",)),
    Case("report-impossible-today", nothing, ("report", "{g}", "--today", "2026-02-30"), 2, ("2026-02-30",)),
    Case("report-unknown-inspection", nothing, ("report", "{g}", *TODAY, "--inspection", "不存在的单位"), 2,
         ("不存在的单位",)),
    Case("report-dry-run-alone", nothing, ("report", "{g}", *TODAY, "--dry-run"), 2, ("--dry-run",)),
    Case("report-write-user-page", user_report_page, ("report", "{g}", *TODAY, "--write"), 4, ("冲突",)),
    Case("sync-invalid-utf8-page", page("pages/巡察___2026年第一轮___某某集团有限公司___巡察准备.md",
                                        b"type:: [[\xff]]\n- x\n"),
         ("sync", "{g}", *TODAY, "--dry-run"), 0,
         ("pages/巡察___2026年第一轮___某某集团有限公司___巡察准备.md:1", "UTF-8")),
    # close-out
    Case("closeout-no-inspection", nothing, ("close-out", "{g}"), 2, ("--inspection",)),
    Case("closeout-unknown", nothing, ("close-out", "{g}", "--inspection", "不存在的单位"), 2,
         ("不存在的单位",)),
    Case("closeout-ledger-open", nothing, ("close-out", "{g}", "--inspection", "某某集团", *TODAY), 2,
         (f"{DRAFT2}:", "底稿台账尚未闭合", "审核中", "定性")),
    Case("closeout-purge-unconfirmed", closed_ledger,
         ("close-out", "{g}", "--inspection", "某某集团", *TODAY, "--purge-sensitive"), 2, ("--yes",)),
    Case("closeout-archive-exists", closed_ledger_and_archive_exists,
         ("close-out", "{g}", "--inspection", "某某集团", *TODAY, "--archive", "{t}/归档.zip"), 4,
         ("归档文件已存在",)),
    Case("closeout-user-record-page", closed_ledger_and_user_record,
         ("close-out", "{g}", "--inspection", "某某集团", *TODAY), 4, ("不是 xuncha-kb 生成的",)),
    Case("closeout-hostile-title",
         page("pages/evil.md", "title:: 巡察/2026/../../../etc\ntype:: [[巡察]]\n\n- x\n"),
         ("close-out", "{g}", "--inspection", "etc", *TODAY), 2, ("“..”",)),
    Case("closeout-title-300-bytes",
         page("pages/long.md", "title:: 巡察/" + "长" * 120 + "\ntype:: [[巡察]]\n"),
         ("close-out", "{g}", "--inspection", "长长长", *TODAY), 2, ("255 字节",)),
    Case("closeout-yes-without-purge", closed_ledger,
         ("close-out", "{g}", "--inspection", "某某集团", "--yes"), 2, ("--purge-sensitive",)),
]


def _ids() -> list[str]:
    return [c.id for c in CASES]


def test_catalog_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len(set(_ids())) == len(CASES)
    commands = {c.args[0] if c.args[0] != "workflow" else " ".join(c.args[:2]) for c in CASES}
    wanted = {"stats", "report", "scaffold", "sync", "close-out", "workflow check", "workflow extract"}
    assert wanted <= commands


def run_case(case: Case, tmp_path: Path, runner) -> tuple[object, dict[str, str], dict[str, str], str, Path]:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    case.setup(graph, scratch)
    before = tree_hash(graph)
    args = [a.replace("{g}", str(graph)).replace("{t}", str(scratch)) for a in case.args]
    old = os.getcwd()
    os.chdir(scratch)  # a stray relative write (e.g. the ``spit`` in a config) would land here
    try:
        result = runner.invoke(cli, args, catch_exceptions=True)
    finally:
        os.chdir(old)
    return result, before, tree_hash(graph), str(scratch), graph


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_bad_input(case: Case, tmp_path: Path, runner) -> None:
    result, before, after, scratch, _ = run_case(case, tmp_path, runner)
    out = result.output  # stdout and stderr
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit | XunchaError), f"unexpected {exc!r}\n{out}"
    assert "Traceback" not in out
    assert result.exit_code == case.code, out[-2000:]
    for frag in case.fragments:
        assert frag.replace("{t}", scratch) in out, f"{frag!r} not in:\n{out[-2000:]}"
    for frag in case.absent:
        assert frag not in out
    if case.code != 0:
        assert "错误：" in out  # the one Chinese error line
    assert after == before, "the graph changed: " + ", ".join(
        sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)))
    assert not (Path(scratch) / "pwned").exists()


def test_config_fn_form_is_kept_as_data(tmp_path: Path) -> None:
    from xuncha_kb.logseq.config import read_config
    from xuncha_kb.logseq.edn import Symbol

    cfg, diags = read_config('{:default-queries (fn [] (spit "pwned" 1)) :unknown/key #{:a} :x/y 2}')
    form = cfg.raw[":default-queries"]
    assert isinstance(form, tuple) and form[0] == Symbol("fn") and isinstance(form[0], Symbol)
    assert form[2] == (Symbol("spit"), "pwned", 1)
    assert cfg.raw[":unknown/key"] == frozenset({":a"}) and cfg.raw[":x/y"] == 2
    assert diags == []  # unknown keys are kept, not complained about
    assert not Path("pwned").exists()
    hidden, _ = read_config('{:hidden (fn [] (spit "pwned" 1))}')
    assert hidden.hidden == ()  # a symbol is never taken for a path


def test_scaffold_names_never_reserved_or_escaping(tmp_path: Path, runner) -> None:
    """Windows-reserved unit names (CON, aux.txt) never become a bare reserved file name."""
    import json

    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    for unit in ("CON", "aux.txt", "NUL", "com1"):
        r = runner.invoke(cli, ["scaffold", str(graph), "--unit", unit, "--round", "2026年第二轮",
                                "--dry-run", "--json"])
        assert r.exit_code == 0, r.output
        for action in json.loads(r.stdout)["plan"]["actions"]:
            stem = Path(action["path"]).name.split(".")[0].lower()
            assert stem not in {"con", "aux", "nul", "prn", "com1", "lpt1"}
            assert action["path"].startswith(("pages/", "whiteboards/"))


# --- corrupt graph-local state (.xuncha/) -----------------------------------------------------

STATE_CORRUPTIONS = {
    "manifest-truncated": (".xuncha/manifest.json", b'{"format": 1, "files": {"pages/x.md": {"hash": '),
    "manifest-wrong-types": (".xuncha/manifest.json",
                             b'{"format": "x", "files": {"pages/a.md": {"hash": 5, "blocks": [1]}, '
                             b'"pages/b.md": {"hash": "abc", "blocks": {"k": 1}, "inspection": 7}}, '
                             b'"pending": 3}'),
    "manifest-binary": (".xuncha/manifest.json", b"\xff\xfe\x00garbage"),
    "events-garbage": (".xuncha/events.jsonl",
                       b'{"event":"stage_completed","inspection":5,"date":[1]}\n{"event":"stage_completed"}\n'
                       b'{"event":"stage_completed","inspection":"x","stage":"prep","date":"2026-02-30"}\n'
                       b'{"event": "x"\n\xff\xfe\n[1,2]\n'),
    "cache-garbage": (".xuncha/index/graph.idx", b"nonsense"),
}


@pytest.mark.parametrize("name", sorted(STATE_CORRUPTIONS))
def test_corrupt_state_files_never_break_a_command(name: str, tmp_path: Path, runner) -> None:
    """xuncha-kb's own state may be damaged (a crash, a sync tool, a hand edit): every command
    still works — at worst more cautiously (files it cannot vouch for count as the user's)."""
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    rel, data = STATE_CORRUPTIONS[name]
    write_file(graph, rel, data)
    before = tree_hash(graph)
    for args in (["stats", str(graph)], ["report", str(graph), *TODAY, "--format", "json"],
                 ["sync", str(graph), *TODAY, "--dry-run"], ["watch", str(graph), *TODAY, "--timeout", "0.3"],
                 ["close-out", str(graph), "--inspection", "某某集团", *TODAY, "--dry-run"]):
        r = runner.invoke(cli, args)
        assert r.exit_code in (0, 2), (args, r.output[-1500:])
        assert r.exception is None or isinstance(r.exception, SystemExit), (args, r.exception)
        assert "Traceback" not in r.output
    changed = {k for k in set(before) | set(tree_hash(graph)) if before.get(k) != tree_hash(graph).get(k)}
    assert {c for c in changed if not c.startswith(".xuncha/")} == set()  # only watch's own state may change
    r = runner.invoke(cli, ["scaffold", str(graph), "--unit", "乙公司", "--round", "2026年第二轮"])
    assert r.exit_code == 0, r.output


# --- permissions and read-only graphs ---------------------------------------------------------

def test_graph_without_permission(tmp_path: Path, runner, monkeypatch) -> None:
    """A graph folder we may not list: exit 3 and a Chinese message (simulated, as tests may run as root)."""
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    real = os.listdir

    def deny(path=".") -> list[str]:
        if Path(path).resolve() == graph.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", deny)
    for args in (["stats", str(graph)], ["report", str(graph), *TODAY]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 3, r.output
        assert "没有权限读取图谱目录" in r.output and "Traceback" not in r.output


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_graph_without_permission_for_real(tmp_path: Path, runner) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    graph.chmod(0)
    try:
        r = runner.invoke(cli, ["stats", str(graph)])
    finally:
        graph.chmod(0o755)
    assert r.exit_code == 3 and "权限" in r.output


def test_report_output_never_overwrites_a_note(tmp_path: Path, runner, monkeypatch) -> None:
    """``report -o`` pointed at an existing page, journal, whiteboard or config.edn of the graph
    (by absolute or relative path): exit 4, the file untouched.  New files and files outside
    the graph are written as asked."""
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    notes = [graph / "pages" / "巡察办.md", graph / "logseq" / "config.edn",
             *sorted((graph / "whiteboards").glob("*.edn"))[:1],
             *sorted((graph / "journals").glob("*.md"))[:1]]
    assert len(notes) == 4
    originals = {note: note.read_bytes() for note in notes}
    for note in notes:
        r = runner.invoke(cli, ["report", str(graph), *TODAY, "--format", "md", "-o", str(note)])
        assert r.exit_code == 4, (note, r.output)
        assert "-o 不会覆盖" in r.output
    monkeypatch.chdir(graph / "pages")
    r = runner.invoke(cli, ["report", str(graph), *TODAY, "-o", "巡察办.md"])
    assert r.exit_code == 4
    assert {note: note.read_bytes() for note in notes} == originals
    outside = tmp_path / "report.md"
    outside.write_text("旧内容", "utf-8")
    for target in (outside, graph / "pages" / "新报告.md"):
        r = runner.invoke(cli, ["report", str(graph), *TODAY, "--format", "md", "-o", str(target)])
        assert r.exit_code == 0, r.output
        assert "某某集团有限公司" in target.read_text("utf-8")


def test_unreadable_page_is_a_diagnostic(tmp_path: Path, runner, monkeypatch) -> None:
    """One page we may not read: a diagnostic naming it, the rest of the graph is read."""
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    locked = graph / "pages" / "巡察办.md"
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == locked.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    r = runner.invoke(cli, ["stats", str(graph)])
    assert r.exit_code == 0, r.output
    assert "pages/巡察办.md:1" in r.output and "无法读取文件" in r.output
    r = runner.invoke(cli, ["report", str(graph), *TODAY])
    assert r.exit_code == 0 and "某某集团有限公司" in r.output


def _read_only(graph: Path, monkeypatch) -> None:
    """Every attempt to create or change something inside ``graph`` fails with EROFS."""
    real_open, real_mkdir = os.open, os.mkdir
    root = str(graph.resolve())

    def inside(path) -> bool:
        return str(Path(path).resolve()).startswith(root)

    def ro_open(path, flags, *a, **k):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *a, **k)

    def ro_mkdir(path, *a, **k):
        if inside(path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *a, **k)

    monkeypatch.setattr(os, "open", ro_open)
    monkeypatch.setattr(os, "mkdir", ro_mkdir)


@pytest.mark.parametrize("args", [
    ["scaffold", "{g}", "--unit", "甲公司", "--round", "2026年第二轮"],
    ["report", "{g}", *TODAY, "--write"],
    ["sync", "{g}", *TODAY],
], ids=["scaffold", "report-write", "sync"])
def test_read_only_graph(args: list[str], tmp_path: Path, runner, monkeypatch) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    (graph / ".xuncha").mkdir(exist_ok=True)
    before = tree_hash(graph)
    _read_only(graph, monkeypatch)
    r = runner.invoke(cli, [a.replace("{g}", str(graph)) for a in args])
    monkeypatch.undo()
    if r.exit_code == 0:  # sync with nothing to change must not need to write
        assert "无变化" in r.output or "共修改 0" in r.output or "没有" in r.output, r.output
    else:
        assert r.exit_code == 5, r.output
        assert "错误：" in r.output and ("只读" in r.output or "锁文件" in r.output)
    assert "Traceback" not in r.output
    assert tree_hash(graph) == before


def test_closeout_read_only_graph(tmp_path: Path, runner, monkeypatch) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    close_ledger(graph)
    before = tree_hash(graph)
    _read_only(graph, monkeypatch)
    r = runner.invoke(cli, ["close-out", str(graph), "--inspection", "某某集团", *TODAY])
    monkeypatch.undo()
    assert r.exit_code == 5, r.output
    assert tree_hash(graph) == before


# --- a few through a real process: no traceback ever reaches stderr ---------------------------

def run_case_as_process(case: Any, tmp_path: Path, *, timeout: float
                        ) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, str]]:
    """Run a catalog case as ``python -m xuncha_kb`` in a fresh copy of the example graph (also
    used by the second catalog): the finished process, the graph, and its tree hash before."""
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    case.setup(graph, scratch)
    before = tree_hash(graph)
    args = [a.replace("{g}", str(graph)).replace("{t}", str(scratch)) for a in case.args]
    env = {k: v for k, v in os.environ.items() if k != "XUNCHA_GRAPH"} | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "xuncha_kb", *args], capture_output=True, text=True,
                          cwd=scratch, env=env, timeout=timeout)
    return proc, graph, before


@pytest.mark.parametrize("name", ["config-10000-nesting", "md-10000-nesting", "unit-dotdot",
                                  "closeout-ledger-open", "workflow-invalid-utf8", "graph-missing"])
def test_subprocess_has_no_traceback(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == name)
    p, _, _ = run_case_as_process(case, tmp_path, timeout=120)
    assert p.returncode == case.code, p.stderr
    assert "Traceback" not in p.stderr and "Error:" not in p.stderr.replace("错误：", "")
    if case.code:
        assert p.stderr.startswith("错误：")


# --- 50 MB inputs (generated once per session) ------------------------------------------------

@pytest.fixture(scope="session")
def huge_graph(tmp_path_factory) -> Path:
    graph = tmp_path_factory.mktemp("huge") / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    blob = "A" * (50 * 1024 * 1024)
    # A whiteboard with a 50 MB embedded image that was cut off mid-string.
    write_file(graph, "whiteboards/大图.edn", '{:blocks [] :pages [{:block/name "x" :data "' + blob)
    return graph


@pytest.mark.slow
def test_50mb_truncated_whiteboard(huge_graph: Path, runner) -> None:
    before = tree_hash(huge_graph)
    r = runner.invoke(cli, ["stats", str(huge_graph)])
    assert r.exit_code == 0, r.output
    assert "whiteboards/大图.edn:1" in r.output and "白板文件无法解析" in r.output
    assert tree_hash(huge_graph) == before


@pytest.mark.slow
def test_50mb_config(tmp_path: Path, runner) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    write_file(graph, "logseq/config.edn", '{:meta/version 1\n :default-templates {:journals "'
          + "x" * (50 * 1024 * 1024) + '"}\n :hidden [}')
    before = tree_hash(graph)
    r = runner.invoke(cli, ["report", str(graph), *TODAY])
    assert r.exit_code == 0, r.output
    assert "logseq/config.edn:" not in r.output or "错误" not in r.output  # report output is the report
    r = runner.invoke(cli, ["stats", str(graph)])
    assert "logseq/config.edn:3" in r.output and "EDN 语法错误" in r.output
    assert tree_hash(graph) == before


# --- git conflict markers ---------------------------------------------------------------------

def test_git_conflict_markers_are_reported(tmp_path: Path, runner) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    write_file(graph, "pages/冲突.md", "- 共同\n<<<<<<< HEAD\n- 我的\n=======\n- 他的\n>>>>>>> branch\n")
    before = tree_hash(graph)
    r = runner.invoke(cli, ["stats", str(graph)])
    assert r.exit_code == 0
    assert "pages/冲突.md:2" in r.output and "冲突" in r.output.split("pages/冲突.md:2", 1)[1][:80]
    assert tree_hash(graph) == before
