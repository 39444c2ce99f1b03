"""Nothing leaked: sensitive text never leaves the graph; file names never carry personal names.

Extends ``tests/test_report_confidentiality.py`` (which plants markers in 信访/谈话/线索 pages,
a ``密级::`` 底稿 and ``sensitive::`` blocks and greps every report format) to the outputs that
file does not cover: ``watch --json`` events and ``events.jsonl``, ``sync``, ``close-out``
(terminal, JSON, the 脱密处理记录 page, the zip archive), ``--redact names`` in xlsx and the
written page, and the names of every file xuncha-kb creates.

Markers MARK01/06/08/18 sit in page *titles*: the 巡察组 may see sensitive page names on the
terminal (close-out lists them), never any other marker, which sit in page *text*.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH, ROOT
from tests.test_report_confidentiality import MARK, A, secret_graph  # noqa: F401  (fixture)
from xuncha_kb.cli import cli

TITLE_MARKS = {f"{MARK}{n}" for n in ("01", "06", "08", "18")}
TEXT_MARKS = {f"{MARK}{n:02d}" for n in range(2, 18)} - TITLE_MARKS
TODAY = ("--today", "2026-07-25")
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def no_text_marks(out: str | bytes, where: str) -> None:
    data = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
    leaked = sorted(m for m in TEXT_MARKS if m in data)
    assert not leaked, f"{where} quotes sensitive text: {leaked}"


def no_marks_at_all(out: str | bytes, where: str) -> None:
    data = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
    assert MARK not in data, f"{where} contains a sensitive marker"


def close_ledger(g: Path) -> None:
    """Give every 底稿 of the fixture a final status and the required fields."""
    from xuncha_kb.track import conventions as cv

    for p in (g / "pages").glob("*底稿___*.md"):
        lines = p.read_text(encoding="utf-8").split("\n")
        head = [ln for ln in lines if "::" in ln and not ln.startswith(("-", "\t", " "))]
        body = lines[len(head):]
        props = {ln.split("::", 1)[0].strip(): ln for ln in head}
        for key in cv.DRAFT_REQUIRED:
            if key not in props or not props[key].split("::", 1)[1].strip():
                props[key] = f"{key}:: 已填写"
        props["状态"] = "状态:: 已定稿"
        p.write_text("\n".join(list(props.values()) + body), encoding="utf-8")


# --- close-out -------------------------------------------------------------------------------

def test_close_out_never_quotes_sensitive_text(runner, secret_graph: Path, tmp_path: Path) -> None:  # noqa: F811
    # An open ledger: the refusal lists the open 底稿 — the sensitive one without its 编号 (text).
    r = runner.invoke(cli, ["close-out", str(secret_graph), "--inspection", "某某集团有限公司", *TODAY])
    assert r.exit_code == 2, r.output
    assert "涉密底稿" in r.output
    no_text_marks(r.output, "close-out refusal")
    close_ledger(secret_graph)
    archive = tmp_path / "归档.zip"
    for extra in (["--dry-run"], ["--dry-run", "--json"]):
        r = runner.invoke(cli, ["close-out", str(secret_graph), "--inspection", "某某集团有限公司", *TODAY,
                                "--archive", str(archive), *extra])
        assert r.exit_code == 0, r.output
        no_text_marks(r.output, f"close-out {extra}")
    assert not archive.exists()
    r = runner.invoke(cli, ["close-out", str(secret_graph), "--inspection", "某某集团有限公司", *TODAY,
                            "--archive", str(archive), "--json"])
    assert r.exit_code == 0, r.output
    no_text_marks(r.output, "close-out --json")
    data = json.loads(r.output)
    names = {s["name"] for s in data["plan"]["sensitive"]["pages"]}
    assert any(f"{MARK}01" in n for n in names) and any(f"{MARK}06" in n for n in names)
    record = next((secret_graph / "pages").glob("*脱密处理记录.md"))
    no_marks_at_all(record.read_text(encoding="utf-8"), "the 脱密处理记录 page")
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            no_marks_at_all(name, f"archive entry name {name}")
            no_marks_at_all(z.read(name), f"archive entry {name}")
        assert any("底稿" in n for n in z.namelist())


def test_archive_with_include_sensitive_does_carry_them(runner, secret_graph: Path, tmp_path: Path) -> None:  # noqa: F811
    """The grep above can fail: opting in puts the sensitive pages into the archive."""
    close_ledger(secret_graph)
    archive = tmp_path / "全部.zip"
    r = runner.invoke(cli, ["close-out", str(secret_graph), "--inspection", "某某集团有限公司", *TODAY,
                            "--archive", str(archive), "--include-sensitive"])
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(archive) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    assert f"{MARK}02".encode() in blob and f"{MARK}13".encode() in blob


# --- watch events and sync -------------------------------------------------------------------

@pytest.mark.slow
def test_watch_json_events_never_quote_sensitive_text(secret_graph: Path, tmp_path: Path) -> None:  # noqa: F811
    g = secret_graph
    proc = subprocess.Popen([sys.executable, "-m", "xuncha_kb", "watch", str(g), "--json", *TODAY,
                             "--timeout", "8"], cwd=tmp_path, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2.0)
        pages = g / "pages"
        xf = next(pages.glob(f"*信访举报___{MARK}01.md"))
        # a sensitive task is completed, a sensitive task reopened/added, a sensitive parse problem
        text = xf.read_text(encoding="utf-8").replace(f"TODO 未知活动 {MARK}04", f"DONE 未知活动 {MARK}04")
        xf.write_text(text + f"- DONE 又一次受理 {MARK}05\n  活动:: know.04\n  DEADLINE: <2026-02-30 Mon>\n",
                      encoding="utf-8")
        talk = next(pages.glob(f"*谈话记录___{MARK}06.md"))
        added = f"- 新的谈话 {MARK}07\n  SCHEDULED: <2026-13-01>\n"
        talk.write_text(talk.read_text(encoding="utf-8") + added, encoding="utf-8")
        # ... and a non-sensitive change, so the test proves events do flow
        prep = next(p for p in sorted(pages.glob("巡察___*.md"))
                    if "- TODO " in p.read_text(encoding="utf-8") and MARK not in p.name)
        text = prep.read_text(encoding="utf-8")
        prep.write_text(text.replace("- TODO ", "- DONE ", 1), encoding="utf-8")
        time.sleep(3.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    assert out.strip(), "no events at all: the test would prove nothing"
    no_text_marks(out, "watch --json stdout")
    no_text_marks(err, "watch stderr")
    log = g / ".xuncha" / "events.jsonl"
    assert log.exists()
    no_text_marks(log.read_text(encoding="utf-8"), "events.jsonl")


def test_sync_output_never_quotes_sensitive_text(runner, tmp_path: Path) -> None:
    """A scaffolded inspection whose 谈话提纲 (sensitive) holds notes: sync's plan, notes and JSON
    mention the page at most, never its text."""
    import shutil

    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    r = runner.invoke(cli, ["scaffold", str(g), "--unit", "乙公司", "--round", "2026年第二轮",
                            "--entry", "2026-05-06"])
    assert r.exit_code == 0, r.output
    talk = next((g / "pages").glob("*乙公司___谈话提纲.md"))
    talk.write_text(talk.read_text(encoding="utf-8") + f"- 谈话要点 {MARK}07\n\t- 细节 {MARK}09\n",
                    encoding="utf-8")
    ov = next((g / "pages").glob("*2026年第二轮___乙公司.md"))
    ov.write_text(ov.read_text(encoding="utf-8").replace("进驻日:: 2026-05-06", "进驻日:: 2026-05-13"),
                  encoding="utf-8")
    for extra in ([], ["--json"]):
        r = runner.invoke(cli, ["sync", str(g), *TODAY, "--dry-run", *extra])
        assert r.exit_code == 0, r.output
        no_marks_at_all(r.output, f"sync {extra}")


SYNC_EDITS = {
    "link": f"[[{A}/信访/NAME4D]]",
    "embed": f"{{{{embed [[{A}/谈话/NAME4D]]}}}}",
    "tag": "NAME4D #线索",
    "hash-link": f"#[[{A}/线索/NAME4D]]",
}


@pytest.mark.parametrize("edit", sorted(SYNC_EDITS))
def test_sync_conflict_line_never_quotes_a_sensitive_reference(runner, example_graph: Path,  # type: ignore[no-untyped-def]
                                                               edit: str) -> None:
    """Defect 4: a task title the user edited to link (or embed, or tag) a sensitive page was
    printed whole as a sync conflict line, in text and --json."""
    stage = example_graph / "pages" / f"{A.replace('/', '___')}___巡察准备.md"
    text = stage.read_text(encoding="utf-8")
    title = "- DONE 制定巡察工作方案"
    stage.write_text(text.replace(f"{title}\n", f"{title} {SYNC_EDITS[edit]}\n", 1), encoding="utf-8")
    for extra in ([], ["--json"]):
        r = runner.invoke(cli, ["sync", str(example_graph), "--today", "2026-04-01", "--dry-run", *extra])
        assert r.exit_code == 0, r.output
        assert "NAME4D" not in r.output, f"sync {extra} quotes a sensitive page name"
        assert "冲突" in r.output or '"conflict"' in r.output  # the conflict is still reported


# --- --redact names in every exported format --------------------------------------------------

NAMES = ("张三", "李四", "王五", "ZQXNAME")


def test_redact_names_in_xlsx_and_written_page(runner, secret_graph: Path, tmp_path: Path) -> None:  # noqa: F811
    from openpyxl import load_workbook

    out = tmp_path / "台账.xlsx"
    r = runner.invoke(cli, ["report", str(secret_graph), *TODAY, "--format", "xlsx", "-o", str(out),
                            "--redact", "names"])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out, read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert cells
    for name in NAMES:
        assert not any(name in c for c in cells), name
    no_marks_at_all("\n".join(cells), "xlsx cells")
    r = runner.invoke(cli, ["report", str(secret_graph), *TODAY, "--write", "--redact", "names"])
    assert r.exit_code == 0, r.output
    page = (secret_graph / "pages" / "巡察___进度报告.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert name not in page, name
    # without --redact the names are there (so the check above can fail)
    r = runner.invoke(cli, ["report", str(secret_graph), *TODAY, "--format", "md"])
    assert "张三" in r.output


# --- file names never carry registered personal names -----------------------------------------

def test_generated_file_names_carry_no_personal_names(runner, tmp_path: Path) -> None:
    import shutil

    from tests.test_reliability_badinput import tree_hash

    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    people = ("赵六", "钱七", "孙八")
    before = set(tree_hash(g))
    steps = [
        ["scaffold", str(g), "--unit", "丙公司", "--round", "2026年第三轮", "--leader", people[0],
         "--members", ",".join(people[1:]), "--entry", "2026-09-01"],
        ["scaffold-plan", str(g), "--year", "2027"],
        ["report", str(g), *TODAY, "--write"],
        ["report", str(g), *TODAY, "--write", "--inspection", "丙公司"],
        ["sync", str(g), *TODAY],
    ]
    for args in steps:
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, (args, r.output)
    # close the example inspection's ledger and close it out with an archive
    d2 = g / "pages" / "巡察___2026年第一轮___某某集团有限公司___底稿___002.md"
    d2.write_text(d2.read_text(encoding="utf-8").replace("状态:: 审核中", "状态:: 已定稿")
                  .replace("编号:: 002", "编号:: 002\n定性:: 违规"), encoding="utf-8")
    r = runner.invoke(cli, ["close-out", str(g), "--inspection", "某某集团", *TODAY,
                            "--archive", str(tmp_path / "归档.zip")])
    assert r.exit_code == 0, r.output
    created = set(tree_hash(g)) - before
    assert any("丙公司" in c for c in created) and any("脱密处理记录" in c for c in created)
    registered = set(people) | {"张三", "李四", "王五"}  # the example overview's 组长/组员
    for rel in created:
        for name in registered:
            assert name not in rel, f"{rel} carries the personal name {name}"
    with zipfile.ZipFile(tmp_path / "归档.zip") as z:
        for entry in z.namelist():
            assert not any(n in entry for n in registered), entry
