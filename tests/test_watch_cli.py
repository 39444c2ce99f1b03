"""The ``watch`` command end to end: a real process, real files, SIGTERM; --write-report; errors."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.fs.eventlog import read_events

INSP = "巡察/2026年第一轮/某某公司"
PREFIX = "巡察___2026年第一轮___某某公司"
STAGE = f"pages/{PREFIX}___巡察准备.md"


def stage_text(m1: str) -> str:
    return (f"type:: [[巡察阶段]]\n巡察:: [[{INSP}]]\n阶段:: prep\n\n"
            f"- {m1} 制定巡察工作方案\n  活动:: prep.01\n  巡察:: [[{INSP}]]\n"
            f"\t- 用户笔记：方案初稿已交领导\n"
            f"- TODO 审批巡察工作方案\n  活动:: prep.02\n  巡察:: [[{INSP}]]\n")


def atomic_save(path: Path, text: str) -> None:
    tmp = path.parent / f".{path.name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    root = tmp_path / "g"
    (root / "logseq").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "journals").mkdir()
    (root / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}\n", encoding="utf-8")
    (root / "pages" / f"{PREFIX}.md").write_text(
        "type:: [[巡察]]\n被巡察单位:: [[某某公司]]\n轮次:: [[2026年第一轮]]\n"
        "进驻日:: 2026-03-20\n\n- 概况\n",
        encoding="utf-8")
    (root / STAGE).write_text(stage_text("TODO"), encoding="utf-8")
    return root


def _reader(stream, q: queue.Queue) -> None:  # type: ignore[no-untyped-def]
    for line in iter(stream.readline, ""):
        q.put(line.rstrip("\n"))
    q.put(None)


def _wait_for(q: queue.Queue, pred, timeout: float) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = q.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        if pred(line):
            return line
    raise AssertionError("expected output did not arrive in time")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics")
def test_watch_process_prints_json_events_and_stops_on_sigterm(graph: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xuncha_kb", "watch", str(graph), "--json", "--today", "2026-03-01"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
    out_q: queue.Queue = queue.Queue()
    err_q: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, out_q), daemon=True).start()
    threading.Thread(target=_reader, args=(proc.stderr, err_q), daemon=True).start()
    try:
        _wait_for(err_q, lambda s: "正在监视" in s, 30)
        atomic_save(graph / STAGE, stage_text("DONE"))
        line = _wait_for(out_q, lambda s: s.startswith("{"), 15)
        ev = json.loads(line)
        assert ev["event"] == "activity_done"
        assert (ev["inspection"], ev["stage"], ev["activity"]) == (INSP, "prep", "prep.01")
        assert ev["at"]
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=15)
        assert rc == 0
        _wait_for(err_q, lambda s: "已停止监视" in s, 5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    events = [e["event"] for e in read_events(graph).events]
    assert events[:2] == ["activity_done", "stage_started"]
    assert "用户笔记：方案初稿已交领导" in (graph / STAGE).read_text(encoding="utf-8")


WATCH = ("watch", "--write-report", "--timeout", "0.3")


def test_watch_write_report_creates_then_respects_user_edits(graph: Path, runner) -> None:  # type: ignore[no-untyped-def]
    res = runner.invoke(cli, [*WATCH, str(graph), "--today", "2026-03-01"])
    assert res.exit_code == 0, res.output
    report = graph / "pages" / "巡察___进度报告.md"
    text = report.read_text(encoding="utf-8")
    assert "xuncha-generated:: report" in text and INSP in text
    # a second run finds it up to date and does not rewrite it
    mtime = report.stat().st_mtime_ns
    res = runner.invoke(cli, [*WATCH, str(graph), "--today", "2026-03-01"])
    assert res.exit_code == 0 and report.stat().st_mtime_ns == mtime
    # a user edit is never overwritten
    report.write_text(text + "- 我的批注\n", encoding="utf-8")
    res = runner.invoke(cli, [*WATCH, str(graph), "--today", "2026-03-02"])
    assert res.exit_code == 0
    assert "未覆盖" in res.output
    assert report.read_text(encoding="utf-8").endswith("- 我的批注\n")


def test_watch_on_a_missing_graph_is_a_user_error(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    res = runner.invoke(cli, ["watch", str(tmp_path / "nope"), "--timeout", "0.1"])
    assert res.exit_code == 3
    assert "不存在" in res.output and "Traceback" not in res.output


def test_watch_bad_today_is_exit_2(graph: Path, runner) -> None:  # type: ignore[no-untyped-def]
    res = runner.invoke(cli, ["watch", str(graph), "--today", "2026-13-45", "--timeout", "0.1"])
    assert res.exit_code == 2


@pytest.mark.timeout(30)  # before the check, 1e308 killed the timer thread and watch never stopped
@pytest.mark.parametrize("value", ["-1", "-0.5", "nan", "inf", "1e308"])
def test_timeout_that_no_timer_can_wait_is_refused(example_graph: Path, runner, value: str) -> None:
    r = runner.invoke(cli, ["watch", str(example_graph), "--today", "2026-03-10", "--timeout", value])
    assert r.exit_code == 2, r.output
    assert "--timeout" in r.output and "不是有效的秒数" in r.output
    assert not (example_graph / ".xuncha" / "events.jsonl").exists()


def test_timeout_zero_stops_at_once(example_graph: Path, runner) -> None:
    r = runner.invoke(cli, ["watch", str(example_graph), "--today", "2026-03-10", "--timeout", "0"])
    assert r.exit_code == 0, r.output
    assert "已停止监视" in r.output


def test_watch_and_report_write_the_same_org_page_in_an_org_graph(graph: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """With ``:preferred-format :org`` both write the report page as Org, and the same one
    (watch once wrote Markdown text under an Org name, beside report --write's ``.md``)."""
    config = graph / "logseq" / "config.edn"
    text = config.read_text(encoding="utf-8").rstrip()
    assert text.endswith("}") and ":preferred-format" not in text
    config.write_text(text[:-1] + '\n :preferred-format "Org"}\n', encoding="utf-8")
    res = runner.invoke(cli, [*WATCH, str(graph), "--today", "2026-03-01"])
    assert res.exit_code == 0, res.output
    page = graph / "pages" / "巡察___进度报告.org"
    assert page.read_text(encoding="utf-8").startswith("#+title: 巡察/进度报告\n")
    assert not (graph / "pages" / "巡察___进度报告.md").exists()
    res = runner.invoke(cli, ["report", str(graph), "--today", "2026-03-01", "--write", "--dry-run"])
    assert res.exit_code == 0 and "巡察___进度报告.org" in res.output and "无变化" in res.output, res.output
