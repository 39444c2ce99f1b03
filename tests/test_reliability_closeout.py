"""``close-out``: the 撤离/脱密 step — ledger check, record page, archive, purge by moving.

Deletes nothing without ``--purge-sensitive`` and confirmation, and even then only *moves*
pages into ``logseq/.recycle/`` (recoverable); writes through plan → apply; refuses on an
open 底稿 ledger, on a user's page in the record's place, on an existing archive.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH
from tests.test_reliability_badinput import tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.errors import WriteConflict

A = "巡察/2026年第一轮/某某集团有限公司"
PREFIX = "pages/巡察___2026年第一轮___某某集团有限公司"
RECORD = f"{PREFIX}___脱密处理记录.md"
TALK = f"{PREFIX}___谈话提纲.md"
DRAFT2 = f"{PREFIX}___底稿___002.md"
KNOW = f"{PREFIX}___巡察了解.md"
TODAY = ("--today", "2026-05-01")
BASE = ("close-out", "--inspection", "某某集团", *TODAY)


def close_ledger(g: Path) -> None:
    p = g / DRAFT2
    text = p.read_text(encoding="utf-8").replace("状态:: 审核中", "状态:: 已定稿")
    p.write_text(text.replace("编号:: 002", "编号:: 002\n定性:: 违反有关规定", 1), encoding="utf-8")


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    close_ledger(g)
    return g


def invoke(runner, g: Path, *extra: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, [BASE[0], str(g), *BASE[1:], *extra], input=input)


def test_dry_run_checks_and_writes_nothing(runner, graph: Path, tmp_path: Path) -> None:
    before = tree_hash(graph)
    r = invoke(runner, graph, "--dry-run", "--archive", str(tmp_path / "a.zip"), "--purge-sensitive")
    assert r.exit_code == 0, r.output
    assert "底稿台账：已闭合（2 份底稿" in r.output
    assert "谈话提纲" in r.output and "新建" in r.output and "--dry-run" in r.output
    assert tree_hash(graph) == before and not (tmp_path / "a.zip").exists()


def test_open_ledger_is_refused_with_every_open_draft(runner, tmp_path: Path) -> None:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    d3 = g / f"{PREFIX}___底稿___003.md"
    d3.write_text(f"type:: [[问题底稿]]\n巡察:: [[{A}]]\n密级:: 秘密\n编号:: X-秘-9\n\n- 正文\n",
                  encoding="utf-8")
    before = tree_hash(g)
    r = invoke(runner, g, "--json")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    open_ = {d["file"]: d for d in data["plan"]["ledger"]["open"]}
    assert set(open_) == {DRAFT2, d3.relative_to(g).as_posix()}
    assert open_[DRAFT2]["number"] == "002" and "定性" in open_[DRAFT2]["missing"]
    assert open_[d3.relative_to(g).as_posix()]["number"] == "（涉密底稿）"  # its 编号 is its text
    assert "X-秘-9" not in r.output
    assert "底稿台账尚未闭合：2 份" in r.stderr
    assert tree_hash(g) == before


def test_writes_the_record_page_through_plan_apply(runner, graph: Path) -> None:
    from xuncha_kb.fs.manifest import read_manifest
    from xuncha_kb.logseq.page import parse_text

    r = invoke(runner, graph)
    assert r.exit_code == 0, r.output
    text = (graph / RECORD).read_text(encoding="utf-8")
    parsed = parse_text(text, RECORD)
    assert parsed.diagnostics == ()
    assert parsed.properties["type"] == "[[脱密处理记录]]" and parsed.properties["处理日期"] == "2026-05-01"
    assert "底稿 2 份" in text and "涉密页面 1 个" in text and "其他页面中的涉密块 3 个" in text
    assert "TODO 组长确认脱密处理完成" in text
    entry = read_manifest(graph).get(RECORD)
    assert entry is not None and entry.kind == "closeout" and entry.inspection == A
    assert entry.hash == hashlib.sha256((graph / RECORD).read_bytes()).hexdigest()
    # a record is a record: a rerun (even another day, even after the user ticked a box) keeps it
    (graph / RECORD).write_text(text.replace("TODO 回收", "DONE 回收"), encoding="utf-8")
    kept = (graph / RECORD).read_bytes()
    r = runner.invoke(cli, ["close-out", str(graph), "--inspection", "某某集团", "--today", "2026-05-09"])
    assert r.exit_code == 0, r.output
    assert (graph / RECORD).read_bytes() == kept and "保留" in r.output


def test_record_page_satisfies_the_workflow_artifact(runner, graph: Path) -> None:
    p = graph / KNOW
    p.write_text(p.read_text(encoding="utf-8").replace("TODO 撤离驻地并做好相应脱密处理",
                                                       "DONE 撤离驻地并做好相应脱密处理"), encoding="utf-8")

    def missing() -> set[str]:
        r = runner.invoke(cli, ["report", str(graph), *TODAY, "--format", "json"])
        data = json.loads(r.output)
        return {m["artifact"] for i in data["inspections"] for m in i["missing_artifacts"]}

    assert "脱密处理记录" in missing()
    assert invoke(runner, graph).exit_code == 0
    assert "脱密处理记录" not in missing()


def test_archive_has_hash_manifest_and_withholds_sensitive(runner, graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "归档" / "某某集团.zip"
    r = invoke(runner, graph, "--archive", str(out))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        meta = json.loads(z.read("MANIFEST.json"))
        names = set(z.namelist()) - {"MANIFEST.json"}
        assert {f["path"] for f in meta["files"]} == names
        for f in meta["files"]:
            data = z.read(f["path"])
            assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"]
            if "withheld_blocks" not in f:  # untouched files are byte-identical to the graph
                assert data == (graph / f["path"]).read_bytes()
        assert RECORD in names and TALK not in names and meta["sensitive_excluded"] == 1
        assert "whiteboards/巡察___2026年第一轮___某某集团有限公司___流程总览.edn" in names
        assert not any(n.startswith("journals/") or "巡察办" in n for n in names)  # other pages stay out
        withheld = [f for f in meta["files"] if f.get("withheld_blocks")]
        assert sum(f["withheld_blocks"] for f in withheld) == 3
        for f in withheld:
            assert "（涉密内容，未归档）" in z.read(f["path"]).decode("utf-8")
    # refuses to overwrite an archive
    r = invoke(runner, graph, "--archive", str(out))
    assert r.exit_code == 4 and "归档文件已存在" in r.output


def test_archive_withholds_tagged_blocks_once_per_subtree(runner, graph: Path, tmp_path: Path) -> None:
    """The tag rule reaches the archive: a #信访 block is withheld with its children (a tagged
    or marked child inside it is not cut a second time); a page tagged 谈话 stays out."""
    with (graph / f"{PREFIX}___移交台账.md").open("a", encoding="utf-8") as fh:
        fh.write("- 反映的问题 ZQTAG1 #信访\n\t- 细节 ZQTAG2 #线索\n\t\t- 更细 ZQTAG3\n\t  密级:: 内部\n"
                 "- 公开的说明 ZQPUBLIC\n")
    (graph / f"{PREFIX}___会议纪要.md").write_text(f"tags:: 谈话\n巡察:: [[{A}]]\n\n- 内容 ZQTAG4\n",
                                                    encoding="utf-8")
    out = tmp_path / "归档.zip"
    r = invoke(runner, graph, "--archive", str(out))
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as z:
        meta = json.loads(z.read("MANIFEST.json"))
        ledger = z.read(f"{PREFIX}___移交台账.md").decode("utf-8")
        blob = b"".join(z.read(n) for n in z.namelist()).decode("utf-8")
    assert "ZQPUBLIC" in ledger and ledger.count("（涉密内容，未归档）") == 1
    assert not any(f"ZQTAG{n}" in blob for n in range(1, 5))
    assert meta["sensitive_excluded"] == 2  # the 谈话提纲 and the tagged 会议纪要


def test_purge_moves_to_recycle_and_loses_nothing(runner, graph: Path) -> None:
    talk_bytes = (graph / TALK).read_bytes()
    files_before = {k for k, v in tree_hash(graph).items() if v != "dir"}
    r = invoke(runner, graph, "--purge-sensitive", "--yes")
    assert r.exit_code == 0, r.output
    assert not (graph / TALK).exists()
    moved = graph / "logseq" / ".recycle" / TALK.replace("/", "_")
    assert moved.read_bytes() == talk_bytes
    files_after = {k for k, v in tree_hash(graph).items() if v != "dir"}
    assert files_before - files_after == {TALK}  # nothing else vanished
    assert "已移入 logseq/.recycle/" in (graph / RECORD).read_text(encoding="utf-8")
    # Logseq and xuncha-kb ignore the recycle folder; the report counts no sensitive page now
    r = runner.invoke(cli, ["report", str(graph), *TODAY, "--format", "json"])
    assert json.loads(r.output)["inspections"][0]["sensitive"]["pages"] == 0
    r = runner.invoke(cli, ["stats", str(graph), "--json"])
    assert ".recycle" not in r.output


def test_purge_needs_confirmation(runner, graph: Path, monkeypatch) -> None:
    import xuncha_kb.cli as cli_mod

    before = tree_hash(graph)
    r = invoke(runner, graph, "--purge-sensitive")  # not a terminal, no --yes
    assert r.exit_code == 2 and "--yes" in r.output
    monkeypatch.setattr(cli_mod.base, "stdin_is_tty", lambda: True)
    r = invoke(runner, graph, "--purge-sensitive", input="n\n")
    assert r.exit_code == 0 and "已取消" in r.output
    assert tree_hash(graph) == before
    r = invoke(runner, graph, "--purge-sensitive", input="y\n")
    assert r.exit_code == 0, r.output
    assert not (graph / TALK).exists()


def test_purge_refuses_when_a_sensitive_page_changed_since_read(graph: Path) -> None:
    from xuncha_kb.commands import closeout

    plan = closeout.plan_close_out(graph, "某某集团", dt.date(2026, 5, 1), purge=True)
    with (graph / TALK).open("a", encoding="utf-8") as fh:
        fh.write("- Logseq 刚保存的新内容\n")
    before = tree_hash(graph)
    with pytest.raises(WriteConflict):
        closeout.run_close_out(plan)
    assert tree_hash(graph) == before  # not even the record page was written


def test_purge_failure_loses_nothing(runner, graph: Path, monkeypatch) -> None:
    talk = (graph / TALK).read_bytes()

    def failing_rename(*a, **k):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "rename", failing_rename)
    r = invoke(runner, graph, "--purge-sensitive", "--yes")
    monkeypatch.undo()
    assert r.exit_code == 5 and "移动涉密页面失败" in r.output and "未移动任何文件" in r.output
    assert (graph / TALK).read_bytes() == talk
    # the record page was written first; a rerun completes the purge
    r = invoke(runner, graph, "--purge-sensitive", "--yes")
    assert r.exit_code == 0, r.output
    assert not (graph / TALK).exists()


def test_purge_drops_stale_temp_copies_of_the_page(runner, graph: Path) -> None:
    stale = graph / "pages" / f".{Path(TALK).name}.deadbeef.xuncha-tmp"
    stale.write_text("旧的谈话提纲副本", encoding="utf-8")
    other = graph / "pages" / ".别的页面.md.deadbeef.xuncha-tmp"
    other.write_text("x", encoding="utf-8")
    assert invoke(runner, graph, "--purge-sensitive", "--yes").exit_code == 0
    assert not stale.exists() and other.exists()


def test_recycle_names_never_collide() -> None:
    from xuncha_kb.fs.recycle import recycle_name

    taken = {"pages_a.md"}
    assert recycle_name("pages/a.md", taken) == "pages_a.1.md"
    taken.add("pages_a.1.md")
    assert recycle_name("pages/a.md", taken) == "pages_a.2.md"
    assert recycle_name("pages/b", set()) == "pages_b"


def test_ambiguous_or_unknown_inspection(runner, graph: Path) -> None:
    r = runner.invoke(cli, ["scaffold", str(graph), "--unit", "某某集团二公司", "--round", "2026年第二轮"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["close-out", str(graph), "--inspection", "某某集团", *TODAY])
    assert r.exit_code == 2 and "对应多个巡察" in r.output
    r = runner.invoke(cli, ["close-out", str(graph), "--inspection", A, *TODAY])
    assert r.exit_code == 0, r.output


def test_include_sensitive_needs_archive(runner, graph: Path) -> None:
    r = invoke(runner, graph, "--include-sensitive")
    assert r.exit_code == 2 and "--archive" in r.output


def test_disk_full_writing_the_archive(runner, graph: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "归档.zip"
    real = os.link

    def full(src, dst, *a, **k):
        if str(dst).endswith(".zip"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "link", full)
    r = invoke(runner, graph, "--archive", str(out))
    monkeypatch.undo()
    assert r.exit_code == 5 and "磁盘空间不足" in r.output
    assert not out.exists() and not any(p.name.endswith(".xuncha-tmp") for p in tmp_path.iterdir())
    assert (graph / RECORD).exists()  # written first; a rerun keeps it and writes the archive
    r = invoke(runner, graph, "--archive", str(out))
    assert r.exit_code == 0, r.output
    assert zipfile.ZipFile(out).testzip() is None
