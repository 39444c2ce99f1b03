"""The bad-input catalog, round two: every command's options fed hostile values, and graphs
whose layout is hostile.

Same rules as ``test_reliability_badinput.py`` (one table, one test): a private copy of
``examples/graph``, one command through click's CliRunner, then the exit code, the Chinese
message fragments (with file:line where there is one), no traceback, no exception other than
the project's own, and — every file of the graph hashed before and after, ``.xuncha/``
included — nothing created, changed or removed.  Two refinements:

* ``click=True``: click itself rejects the value (its own English usage message, which this
  file does not check): only exit 2, no traceback and nothing written are asserted;
* ``state=True``: a command that ran (watch, a scaffold with nothing to write) may update its
  own state under ``.xuncha/`` (cache, lock); every other file must still be untouched.

Output targets (``-o``, ``--output``, ``--archive``) are covered elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH, write_file
from tests.test_reliability_badinput import (
    DEFINITION,
    OVERVIEW,
    TODAY,
    config,
    defn,
    nothing,
    raw_file,
    run_case_as_process,
    tree_hash,
)
from xuncha_kb.cli import cli
from xuncha_kb.errors import XunchaError

LONG = "长" * 300  # 300 characters, 900 bytes
LONG_SEGMENT = "图" * 100  # one path segment of 300 bytes: over the usual 255-byte limit
NEW = ("--unit", "甲公司", "--round", "2026年第二轮")  # an inspection that does not exist yet
OLD = ("--unit", "某某集团有限公司", "--round", "2026年第一轮")  # the sample inspection (组长 张三)


# --- setups (graph, scratch) ------------------------------------------------------------------

def _replace(g: Path, folder: str) -> Path:
    target = g / folder
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    return target


def folder_as_file(folder: str) -> Callable[[Path, Path], None]:
    return lambda g, t: _replace(g, folder).write_text("x\n", encoding="utf-8")


def folder_as_fifo(folder: str) -> Callable[[Path, Path], None]:
    return lambda g, t: os.mkfifo(_replace(g, folder))


def folder_as_link_to_file(folder: str) -> Callable[[Path, Path], None]:
    def setup(g: Path, t: Path) -> None:
        (t / "a-file").write_text("x\n", encoding="utf-8")
        _replace(g, folder).symlink_to(t / "a-file")
    return setup


def folder_as_dangling_link(folder: str) -> Callable[[Path, Path], None]:
    return lambda g, t: _replace(g, folder).symlink_to(t / "nowhere")


def fifo(name: str) -> Callable[[Path, Path], None]:
    return lambda g, t: os.mkfifo(t / name)


def overview_entry(day: str) -> Callable[[Path, Path], None]:
    def setup(g: Path, t: Path) -> None:
        p = g / OVERVIEW
        p.write_text(p.read_text(encoding="utf-8").replace("进驻日:: 2026-03-02", f"进驻日:: {day}"),
                     encoding="utf-8")
    return setup


def config_value_after_comment(g: Path, t: Path) -> None:
    """A comment mentioning the key comes first; the bad value is on line 6."""
    write_file(g, "logseq/config.edn", ';; :preferred-workflow 可以是 :now 或 :todo\n'
               '{:meta/version 1\n :note ":preferred-workflow :todo"\n :nested {:preferred-workflow :now}\n'
               ' :preferred-workflow\n   :sometimes}\n')


def with_line(old: str) -> int:
    """1-based line of ``old`` (a whole line) in the shipped definition."""
    return DEFINITION.read_text(encoding="utf-8").split("\n").index(old.rstrip("\n")) + 1


# --- the catalog -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path, Path], None]
    args: tuple[str, ...]  # "{g}" = the graph, "{t}" = a scratch folder outside it (the cwd)
    code: int
    fragments: tuple[str, ...] = ()  # all must appear in the combined output
    absent: tuple[str, ...] = ()  # none may appear
    click: bool = False  # click itself rejects the value: only the exit code is checked
    state: bool = False  # the command may update .xuncha/ (watch); nothing else may change
    env: Mapping[str, str] = field(default_factory=dict)


ACT = "\t  活动id:: prep.02\n"
STAGE = "  阶段id:: prep\n"
ROLE = "\t  角色id:: dangwei\n"
WF_ID = "流程id:: xuncha\n"
LAYOUT = ("不是文件夹", "提示：")

CASES = [
    # --- the graph argument -------------------------------------------------------------------
    Case("graph-empty-string", nothing, ("stats", ""), 3, ("不是 Logseq 图谱",)),
    Case("graph-whitespace", nothing, ("stats", " "), 3, ("不存在",)),
    Case("graph-nul", nothing, ("stats", "图\x00谱"), 3, ("图\\x00谱", "不存在"), ("\x00",)),
    Case("graph-escape-sequence", nothing, ("report", "\x1b[31m红", *TODAY), 3,
         ("\\x1b[31m红",), ("\x1b",)),
    Case("graph-name-over-limit", nothing, ("stats", "{t}/" + LONG_SEGMENT), 3, ("无法访问图谱目录",)),
    Case("graph-is-a-fifo", fifo("g.fifo"), ("stats", "{t}/g.fifo"), 3, ("不是目录",)),
    Case("graph-dotdot-missing", nothing, ("sync", "{t}/../没有/../../这个图谱", *TODAY), 3,
         ("不存在",)),
    Case("graph-is-its-pages-folder", nothing, ("sync", "{g}/pages", *TODAY), 3,
         ("不是 Logseq 图谱",)),
    Case("graph-env-is-a-file", raw_file("note.txt", "x"), ("stats",), 3, ("不是目录",),
         env={"XUNCHA_GRAPH": "{t}/note.txt"}),
    # --- graph layout: the configured folders are not folders (stats reports, writers refuse) ----
    Case("stats-pages-is-a-file", folder_as_file("pages"), ("stats", "{g}"), 0,
         ("pages:1: ", "不是文件夹", "普通文件"), ("问题        无",)),
    Case("stats-journals-is-a-fifo", folder_as_fifo("journals"), ("stats", "{g}"), 0,
         ("journals:1: ", "命名管道")),
    Case("stats-whiteboards-dangling-link", folder_as_dangling_link("whiteboards"), ("stats", "{g}"), 0,
         ("whiteboards:1: ", "失效的符号链接")),
    Case("stats-logseq-link-to-a-file", folder_as_link_to_file("logseq"), ("stats", "{g}", "--json"), 0,
         ('"file": "logseq"', "符号链接")),
    Case("stats-configured-pages-folder-is-a-file",
         lambda g, t: (config('{:pages-directory "notes"}')(g, t), write_file(g, "notes", "x")),
         ("stats", "{g}"), 0, ("notes:1: ", "不是文件夹")),
    Case("scaffold-pages-is-a-file", folder_as_file("pages"), ("scaffold", "{g}", *NEW), 3,
         ("错误：pages: ", *LAYOUT), ("Traceback",)),
    Case("scaffold-pages-is-a-fifo", folder_as_fifo("pages"), ("scaffold", "{g}", *NEW, "--dry-run"), 3,
         ("错误：pages: ", "命名管道", *LAYOUT)),
    Case("scaffold-whiteboards-link-to-a-file", folder_as_link_to_file("whiteboards"),
         ("scaffold", "{g}", *NEW), 3, ("错误：whiteboards: ", *LAYOUT)),
    Case("scaffold-plan-pages-is-a-file", folder_as_file("pages"),
         ("scaffold-plan", "{g}", "--year", "2027"), 3, ("错误：pages: ", *LAYOUT)),
    Case("report-write-pages-is-a-file", folder_as_file("pages"),
         ("report", "{g}", *TODAY, "--write"), 3, ("错误：pages: ", *LAYOUT)),
    Case("sync-pages-is-a-file", folder_as_file("pages"), ("sync", "{g}", *TODAY), 3,
         ("错误：pages: ", *LAYOUT), ("已是最新",)),
    Case("sync-whiteboards-is-a-fifo", folder_as_fifo("whiteboards"),
         ("sync", "{g}", *TODAY, "--dry-run"), 3, ("错误：whiteboards: ", "命名管道")),
    Case("closeout-pages-is-a-file", folder_as_file("pages"),
         ("close-out", "{g}", "--inspection", "某某集团", *TODAY), 3,
         ("错误：pages: ", *LAYOUT), ("没有找到",)),
    Case("watch-write-report-pages-is-a-file", folder_as_file("pages"),
         ("watch", "{g}", *TODAY, "--timeout", "0.2", "--write-report"), 0,
         ("报告页未更新", "不是文件夹"), state=True),
    Case("config-value-diagnostic-at-its-line", config_value_after_comment, ("stats", "{g}"), 0,
         ("logseq/config.edn:6: ", ":preferred-workflow")),
    # --- report -------------------------------------------------------------------------------
    Case("report-today-empty", nothing, ("report", "{g}", "--today", ""), 2,
         ("--today 的日期", "YYYY-MM-DD")),
    Case("report-today-whitespace", nothing, ("report", "{g}", "--today", "   "), 2, ("无法识别",)),
    Case("report-today-nul", nothing, ("report", "{g}", "--today", "2026-03-10\x00"), 2,
         ("2026-03-10\\x00",), ("\x00",)),
    Case("report-today-year-zero", nothing, ("report", "{g}", "--today", "0000-01-01"), 2,
         ("0000-01-01",)),
    Case("report-today-five-digit-year", nothing, ("report", "{g}", "--today", "99999-01-01"), 2,
         ("99999-01-01",)),
    Case("report-today-year-one", nothing, ("report", "{g}", "--today", "0001-01-01"), 2,
         ("超出合理范围",)),
    Case("report-today-year-9999-html", nothing,
         ("report", "{g}", "--today", "9999-12-31", "--format", "html"), 2, ("超出合理范围", "1900–2999")),
    Case("report-today-basic-iso", nothing, ("report", "{g}", "--today", "20260310"), 2,
         ("“20260310”无法识别",)),
    Case("report-inspection-empty", nothing, ("report", "{g}", *TODAY, "--inspection", ""), 2,
         ("--inspection 的值为空",), ("某某集团有限公司",)),
    Case("report-inspection-whitespace", nothing, ("report", "{g}", *TODAY, "--inspection", " \t"), 2,
         ("--inspection 的值为空",)),
    Case("report-inspection-nul", nothing, ("report", "{g}", *TODAY, "--inspection", "某\x00"), 2,
         ("没有找到名为“某\\x00”的巡察",)),
    Case("report-inspection-dotdot", nothing, ("report", "{g}", *TODAY, "--inspection", "../../etc"), 2,
         ("没有找到名为“../../etc”的巡察",)),
    Case("report-inspection-300-chars", nothing, ("report", "{g}", *TODAY, "--inspection", LONG), 2,
         ("没有找到名为",)),
    Case("report-yellow-days-negative", nothing, ("report", "{g}", *TODAY, "--yellow-days", "-1"), 2,
         click=True),
    Case("report-red-days-not-a-number", nothing, ("report", "{g}", *TODAY, "--red-days", "十"), 2,
         click=True),
    Case("report-red-days-empty", nothing, ("report", "{g}", *TODAY, "--red-days", ""), 2, click=True),
    Case("report-red-above-yellow", nothing,
         ("report", "{g}", *TODAY, "--red-days", "30", "--yellow-days", "5"), 2, ("预警阈值无效",)),
    Case("report-yellow-days-huge", nothing,
         ("report", "{g}", *TODAY, "--yellow-days", "1" + "0" * 30, "--format", "json"), 0,
         ('"yellow_days"',)),
    Case("report-format-unknown", nothing, ("report", "{g}", *TODAY, "--format", "pdf"), 2, click=True),
    Case("report-redact-unknown", nothing, ("report", "{g}", *TODAY, "--redact", "all"), 2, click=True),
    Case("report-page-date-year-9999", overview_entry("9999-12-31"),
         ("report", "{g}", *TODAY, "--format", "html"), 0, ("某某集团有限公司",)),
    Case("report-page-date-year-1", overview_entry("0001-01-01"),
         ("report", "{g}", *TODAY, "--format", "md"), 0, ("某某集团有限公司",)),
    # --- workflow show / extract / check ------------------------------------------------------
    Case("show-graph-name-over-limit", nothing, ("workflow", "show", "{t}/" + LONG_SEGMENT), 3,
         ("无法访问图谱目录",)),
    Case("show-graph-is-a-fifo", fifo("g.fifo"), ("workflow", "show", "{t}/g.fifo"), 3, ("不是目录",)),
    Case("show-a-page-that-is-no-definition", nothing, ("workflow", "show", "{g}/pages/巡察办.md"), 2,
         ("pages/巡察办.md:", "没有阶段")),
    Case("extract-fifo", fifo("board.edn"), ("workflow", "extract", "{t}/board.edn"), 2,
         ("{t}/board.edn: ", "命名管道", "不是普通文件")),
    Case("extract-device", nothing, ("workflow", "extract", "/dev/null"), 2, ("/dev/null: ", "设备文件")),
    Case("extract-empty-path", nothing, ("workflow", "extract", ""), 2, ("文件夹",)),
    Case("extract-nul-in-path", nothing, ("workflow", "extract", "a\x00.edn"), 2, click=True),
    Case("extract-a-folder", nothing, ("workflow", "extract", "{t}"), 2, click=True),
    Case("extract-name-over-limit", nothing, ("workflow", "extract", "{t}/" + LONG_SEGMENT + ".md"), 2,
         ("路径过长",)),
    Case("extract-config-edn", nothing, ("workflow", "extract", "{g}/logseq/config.edn"), 2,
         ("logseq/config.edn:1: ", "缺少 blocks")),
    Case("check-fifo", fifo("def.md"), ("workflow", "check", "{t}/def.md"), 2,
         ("{t}/def.md: ", "命名管道")),
    Case("check-nul-in-path", nothing, ("workflow", "check", "def\x00.md"), 2, click=True),
    Case("check-name-over-limit", nothing, ("workflow", "check", "{t}/" + LONG_SEGMENT + ".md"), 2,
         ("路径过长",)),
    Case("check-activity-id-with-page-ref", defn(ACT, "\t  活动id:: prep[[x]]02\n"),
         ("workflow", "check", "{t}/def.md"), 2,
         (f"{{t}}/def.md:{with_line(ACT)}: ", "prep[[x]]02", "页面引用")),
    Case("check-stage-id-block-ref", defn(STAGE, "  阶段id:: ((6a0d2b1e-0000-4000-8000-000000000001))\n"),
         ("workflow", "check", "{t}/def.md"), 2, (f"{{t}}/def.md:{with_line(STAGE)}: ", "块引用")),
    Case("check-role-id-upper-case", defn(ROLE, "\t  角色id:: DangWei\n"),
         ("workflow", "check", "{t}/def.md"), 2, (f"{{t}}/def.md:{with_line(ROLE)}: ", "可改为 dangwei")),
    Case("check-activity-id-300-chars", defn(ACT, "\t  活动id:: p" + "x" * 300 + "\n"),
         ("workflow", "check", "{t}/def.md"), 2,
         (f"{{t}}/def.md:{with_line(ACT)}: ", "长度不能超过 64")),
    Case("check-workflow-id-with-space", defn(WF_ID, "流程id:: xun cha\n"),
         ("workflow", "check", "{t}/def.md"), 2, ("{t}/def.md:2: ", "流程 id「xun cha」")),
    # --- scaffold -----------------------------------------------------------------------------
    Case("scaffold-graph-is-a-fifo", fifo("g.fifo"), ("scaffold", "{t}/g.fifo", *NEW), 3, ("不是目录",)),
    Case("scaffold-graph-name-over-limit", nothing, ("scaffold", "{t}/" + LONG_SEGMENT, *NEW), 3,
         ("无法访问图谱目录",)),
    Case("scaffold-unit-whitespace", nothing,
         ("scaffold", "{g}", "--unit", " \t ", "--round", "2026年第二轮"), 2, ("被巡察单位不能为空",)),
    Case("scaffold-unit-nul", nothing,
         ("scaffold", "{g}", "--unit", "甲\x00公司", "--round", "2026年第二轮"), 2, ("控制字符",), ("\x00",)),
    Case("scaffold-unit-zero-width-space", nothing,
         ("scaffold", "{g}", "--unit", "甲\u200b公司", "--round", "2026年第二轮"), 2,
         ("U+200B", "看不见的字符")),
    Case("scaffold-unit-bidi-override", nothing,
         ("scaffold", "{g}", "--unit", "甲\u202e公司", "--round", "2026年第二轮"), 2,
         ("U+202E",), ("\u202e",)),
    Case("scaffold-round-absolute", nothing, ("scaffold", "{g}", "--unit", "甲公司", "--round", "/etc"), 2,
         ("“/”",)),
    Case("scaffold-round-property", nothing,
         ("scaffold", "{g}", "--unit", "甲公司", "--round", "轮次::1"), 2, ("块引用或属性",)),
    Case("scaffold-leader-300-chars", nothing, ("scaffold", "{g}", *NEW, "--leader", LONG), 2,
         ("组长姓名不能作为页面名称", "--leader")),
    Case("scaffold-leader-page-ref", nothing, ("scaffold", "{g}", *NEW, "--leader", "张[[三]]"), 2,
         ("组长姓名", "“[”")),
    Case("scaffold-members-namespace", nothing, ("scaffold", "{g}", *NEW, "--members", "李四,王/五"), 2,
         ("组员姓名“王/五”",)),
    Case("scaffold-members-300-chars", nothing, ("scaffold", "{g}", *NEW, "--members", "李四," + LONG), 2,
         ("--members",)),
    Case("scaffold-exit-impossible", nothing, ("scaffold", "{g}", *NEW, "--exit", "2026-02-30"), 2,
         ("--exit 的日期“2026-02-30”无法识别",)),
    Case("scaffold-entry-year-zero", nothing, ("scaffold", "{g}", *NEW, "--entry", "0000-01-01"), 2,
         ("--entry", "0000-01-01")),
    Case("scaffold-entry-five-digit-year", nothing, ("scaffold", "{g}", *NEW, "--entry", "99999-01-01"), 2,
         ("--entry", "99999-01-01")),
    Case("scaffold-entry-year-9999", nothing, ("scaffold", "{g}", *NEW, "--entry", "9999-12-31"), 2,
         ("--entry 的日期 9999-12-31 超出合理范围",)),
    Case("scaffold-entry-with-time", nothing, ("scaffold", "{g}", *NEW, "--entry", "2026-04-01T09:00"), 2,
         ("--entry",)),
    Case("scaffold-entry-full-width-digits", nothing,
         ("scaffold", "{g}", *NEW, "--entry", "２０２６-０４-０１"), 2, ("--entry",)),
    Case("scaffold-exit-before-entry", nothing,
         ("scaffold", "{g}", *NEW, "--entry", "2026-05-01", "--exit", "2026-04-01"), 2, ("早于",)),
    Case("scaffold-workflow-fifo", fifo("def.md"), ("scaffold", "{g}", *NEW, "--workflow", "{t}/def.md"), 2,
         ("{t}/def.md: ", "命名管道")),
    Case("scaffold-workflow-empty-path", nothing, ("scaffold", "{g}", *NEW, "--workflow", ""), 2,
         ("文件夹",)),
    Case("scaffold-workflow-nul", nothing, ("scaffold", "{g}", *NEW, "--workflow", "d\x00.md"), 2,
         click=True),
    Case("scaffold-workflow-bad-id", defn(ACT, "\t  活动id:: prep((x))02\n"),
         ("scaffold", "{g}", *NEW, "--workflow", "{t}/def.md"), 2, (f"{{t}}/def.md:{with_line(ACT)}: ",)),
    Case("scaffold-rerun-other-leader", nothing, ("scaffold", "{g}", *OLD, "--leader", "王五"), 4,
         ("组长：概览页上为“张三”，本次 --leader 为“王五”", "组长::", "提示：")),
    Case("scaffold-rerun-other-entry", nothing, ("scaffold", "{g}", *OLD, "--entry", "2026-03-05"), 4,
         ("进驻日：概览页上为“2026-03-02”", "“2026-03-05”", "xuncha-kb sync")),
    Case("scaffold-rerun-other-facts-dry-run", nothing,
         ("scaffold", "{g}", *OLD, "--members", "李四,赵六", "--dry-run"), 0,
         ("冲突", "组员", "“李四、赵六”")),
    Case("scaffold-rerun-same-facts", nothing,
         ("scaffold", "{g}", *OLD, "--leader", "张三", "--entry", "2026-03-02"), 0, ("保留",), ("冲突",),
         state=True),  # the (empty) apply takes the graph lock: .xuncha/lock
    # --- scaffold-plan ------------------------------------------------------------------------
    Case("plan-year-negative", nothing, ("scaffold-plan", "{g}", "--year", "-1"), 2, ("年度 -1 不合理",)),
    Case("plan-year-zero", nothing, ("scaffold-plan", "{g}", "--year", "0"), 2, ("年度 0 不合理",)),
    Case("plan-year-huge", nothing, ("scaffold-plan", "{g}", "--year", "9" * 30), 2, ("不合理",)),
    Case("plan-year-not-a-number", nothing, ("scaffold-plan", "{g}", "--year", "二〇二六"), 2, click=True),
    Case("plan-year-fraction", nothing, ("scaffold-plan", "{g}", "--year", "2026.5"), 2, click=True),
    Case("plan-year-empty", nothing, ("scaffold-plan", "{g}", "--year", ""), 2, click=True),
    Case("plan-workflow-fifo", fifo("def.md"),
         ("scaffold-plan", "{g}", "--year", "2027", "--workflow", "{t}/def.md"), 2, ("命名管道",)),
    # --- sync ---------------------------------------------------------------------------------
    Case("sync-today-impossible", nothing, ("sync", "{g}", "--today", "2026-02-30"), 2, ("2026-02-30",)),
    Case("sync-today-nul", nothing, ("sync", "{g}", "--today", "\x00", "--dry-run"), 2, ("\\x00",)),
    Case("sync-today-1899", nothing, ("sync", "{g}", "--today", "1899-12-31"), 2, ("超出合理范围",)),
    Case("sync-today-iso-week", nothing, ("sync", "{g}", "--today", "2026-W11-2", "--json"), 2,
         ("2026-W11-2",)),
    Case("sync-graph-is-a-fifo", fifo("g.fifo"), ("sync", "{t}/g.fifo"), 3, ("不是目录",)),
    Case("sync-page-date-year-9999", overview_entry("9999-12-31"), ("sync", "{g}", *TODAY, "--dry-run"), 0,
         ("--dry-run",)),
    # --- watch --------------------------------------------------------------------------------
    Case("watch-timeout-negative", nothing, ("watch", "{g}", *TODAY, "--timeout", "-1"), 2,
         ("不是有效的秒数",)),
    Case("watch-timeout-nan", nothing, ("watch", "{g}", *TODAY, "--timeout", "nan"), 2, ("--timeout",)),
    Case("watch-timeout-infinite", nothing, ("watch", "{g}", *TODAY, "--timeout", "inf"), 2,
         ("--timeout",)),
    Case("watch-timeout-beyond-any-timer", nothing, ("watch", "{g}", *TODAY, "--timeout", "1e308"), 2,
         ("不是有效的秒数",)),
    Case("watch-timeout-not-a-number", nothing, ("watch", "{g}", *TODAY, "--timeout", "一分钟"), 2,
         click=True),
    Case("watch-today-impossible", nothing, ("watch", "{g}", "--today", "2026-13-01", "--timeout", "0.2"),
         2, ("2026-13-01",)),
    Case("watch-today-year-3000", nothing, ("watch", "{g}", "--today", "3000-01-01", "--timeout", "0.2"),
         2, ("超出合理范围",)),
    Case("watch-graph-is-a-fifo", fifo("g.fifo"), ("watch", "{t}/g.fifo", "--timeout", "0.2"), 3,
         ("不是目录",)),
    Case("watch-graph-name-over-limit", nothing, ("watch", "{t}/" + LONG_SEGMENT, "--timeout", "0.2"), 3,
         ("无法访问图谱目录",)),
    Case("watch-page-date-year-1", overview_entry("0001-01-01"),
         ("watch", "{g}", *TODAY, "--timeout", "0.3"), 0, ("已停止监视",), state=True),
    # --- close-out ----------------------------------------------------------------------------
    Case("closeout-inspection-empty", nothing, ("close-out", "{g}", "--inspection", ""), 2, ("缺少",)),
    Case("closeout-inspection-whitespace", nothing, ("close-out", "{g}", "--inspection", "  "), 2,
         ("缺少",)),
    Case("closeout-inspection-nul", nothing, ("close-out", "{g}", "--inspection", "\x00"), 2,
         ("没有找到名为“\\x00”的巡察",)),
    Case("closeout-inspection-dotdot", nothing, ("close-out", "{g}", "--inspection", "../"), 2,
         ("没有找到名为“../”",)),
    Case("closeout-inspection-absolute", nothing, ("close-out", "{g}", "--inspection", "/etc/passwd"), 2,
         ("没有找到名为“/etc/passwd”",)),
    Case("closeout-inspection-300-chars", nothing, ("close-out", "{g}", "--inspection", LONG), 2,
         ("没有找到名为",)),
    Case("closeout-today-impossible", nothing,
         ("close-out", "{g}", "--inspection", "某某", "--today", "2026-02-30"), 2, ("2026-02-30",)),
    Case("closeout-today-year-one", nothing,
         ("close-out", "{g}", "--inspection", "某某", "--today", "0001-01-01", "--dry-run"), 2,
         ("超出合理范围",)),
    Case("closeout-include-sensitive-alone", nothing,
         ("close-out", "{g}", "--inspection", "某某", "--include-sensitive"), 2, ("--include-sensitive",)),
    Case("closeout-graph-is-a-fifo", fifo("g.fifo"), ("close-out", "{t}/g.fifo", "--inspection", "某某"), 3,
         ("不是目录",)),
]


def _ids() -> list[str]:
    return [c.id for c in CASES]


def _command(case: Case) -> str:
    return " ".join(case.args[:2]) if case.args[0] == "workflow" else case.args[0]


def test_catalog_covers_every_command() -> None:
    assert len(CASES) >= 40
    assert len(set(_ids())) == len(CASES)
    wanted = {"stats", "report", "workflow show", "workflow extract", "workflow check", "scaffold",
              "scaffold-plan", "sync", "watch", "close-out"}
    assert {_command(c) for c in CASES} == wanted
    for command in wanted:  # a few hostile values per command, not a token case
        assert sum(_command(c) == command for c in CASES) >= 3, command


def _fill(text: str, graph: Path, scratch: Path) -> str:
    return text.replace("{g}", str(graph)).replace("{t}", str(scratch))


def _outside_state(tree: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tree.items() if k != ".xuncha" and not k.startswith(".xuncha/")}


@pytest.mark.timeout(60)  # a FIFO that gets opened would block: fail instead of hanging
@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_hostile_option(case: Case, tmp_path: Path, runner) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, graph)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    case.setup(graph, scratch)
    before = tree_hash(graph)
    scratch_before = sorted(os.listdir(scratch))
    args = [_fill(a, graph, scratch) for a in case.args]
    env = {"XUNCHA_GRAPH": None, **{k: _fill(v, graph, scratch) for k, v in case.env.items()}}
    old = os.getcwd()
    os.chdir(scratch)  # "" and relative paths resolve here, outside the graph
    try:
        result = runner.invoke(cli, args, env=env, catch_exceptions=True)
    finally:
        os.chdir(old)
    after = tree_hash(graph)
    out = result.output
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit | XunchaError), f"unexpected {exc!r}\n{out[-2000:]}"
    assert "Traceback" not in out
    assert result.exit_code == case.code, out[-2000:]
    if not case.click:
        for frag in case.fragments:
            assert _fill(frag, graph, scratch) in out, f"{frag!r} not in:\n{out[-2000:]}"
        for frag in case.absent:
            assert frag not in out, f"{frag!r} in:\n{out[-2000:]}"
        if case.code != 0:
            assert "错误：" in out  # the one Chinese error line
    if case.state:
        assert _outside_state(after) == _outside_state(before)
    else:
        assert after == before, "the graph changed: " + ", ".join(
            sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)))
    assert sorted(os.listdir(scratch)) == scratch_before  # nothing landed in the cwd either


# --- a few through a real process: no traceback ever reaches stderr ---------------------------

@pytest.mark.parametrize("name", ["scaffold-pages-is-a-file", "check-fifo", "scaffold-rerun-other-entry",
                                  "watch-timeout-beyond-any-timer", "graph-name-over-limit",
                                  "check-activity-id-with-page-ref"])
def test_subprocess_has_no_traceback(name: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == name)
    p, graph, before = run_case_as_process(case, tmp_path, timeout=60)
    assert p.returncode == case.code, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.startswith("错误：")
    assert tree_hash(graph) == before
