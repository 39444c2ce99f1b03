"""Crashes and concurrency: nothing is ever lost or half-written.

* kill -9 at random moments during scaffold / sync / report --write / close-out (real
  processes, seeded): every file is afterwards either its old or its new version, leftover
  temp files are hidden from Logseq and removed by the next run, and a rerun completes the job.
* A page changed by the user (or Logseq) between xuncha-kb's read and its write is detected
  (exit 4), kept as the user has it, and nothing else is written.
* Two xuncha-kb processes on one graph: the graph lock (exit 6 on timeout), or safe
  interleaving — no lost update.
* Disk full / write errors in the middle of applying: exit 5, a clear message, every file old
  or new, and a rerun completes.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH, ROOT
from tests.test_reliability_badinput import tree_hash
from xuncha_kb.cli import cli
from xuncha_kb.fs.atomic import is_temp_name

TODAY = ("--today", "2026-05-01")
UNIT = ("--unit", "乙公司", "--round", "2026年第二轮")
NEW_OVERVIEW = "pages/巡察___2026年第二轮___乙公司.md"
STAGE_PREP = "pages/巡察___2026年第二轮___乙公司___巡察准备.md"
DRAFT2 = "pages/巡察___2026年第一轮___某某集团有限公司___底稿___002.md"
REPORT_PAGE = "pages/巡察___进度报告.md"
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
       "XUNCHA_LOCK_TIMEOUT": "5"}

# A slow disk: every fsync / link / replace takes a little while, so a kill lands mid-apply.
SLOW_RUNNER = """
import os, sys, time
delay = float(os.environ.get("XUNCHA_TEST_SLOW", "0"))
if delay:
    for _name in ("fsync", "link", "replace", "rename"):
        _real = getattr(os, _name)
        def _slow(*a, _real=_real, **k):
            time.sleep(delay)
            return _real(*a, **k)
        setattr(os, _name, _slow)
from xuncha_kb.cli import cli
cli(args=sys.argv[1:], prog_name="xuncha-kb")
"""


def ignore_state(rel: str) -> bool:
    """Paths whose bytes legitimately vary: the lock file (holder pid) and temp files."""
    return rel in (".xuncha/lock",) or is_temp_name(rel.rsplit("/", 1)[-1])


def snapshot(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_hash(root).items() if not ignore_state(k) and v != "dir"}


MANIFEST = ".xuncha/manifest.json"


def manifest_files(g: Path) -> dict[str, dict]:
    import json

    p = g / MANIFEST
    return json.loads(p.read_text(encoding="utf-8"))["files"] if p.exists() else {}


def assert_old_or_new(g: Path, old: dict[str, str], new: dict[str, str], label: str = "",
                      old_manifest: dict[str, dict] | None = None) -> None:
    """Every file is its old or its new version.  The manifest may be in between (it records
    exactly the files written so far): every entry it gained must match the file on disk."""
    old_manifest = old_manifest or {}
    state = snapshot(g)
    for rel in set(state) | set(old) | set(new):
        if rel == MANIFEST or rel.endswith(".zip"):
            continue
        assert state.get(rel) in (old.get(rel), new.get(rel)), f"{rel} is neither old nor new {label}"
    for rel, entry in manifest_files(g).items():
        if old_manifest.get(rel) != entry:
            assert state.get(rel) == entry["hash"], f"manifest vouches for a file not as recorded: {rel}"


def temp_leftovers(root: Path) -> list[str]:
    return sorted(k for k in tree_hash(root) if is_temp_name(k.rsplit("/", 1)[-1]))


def run(args: list[str], cwd: Path, slow: float = 0.0, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**ENV, "XUNCHA_TEST_SLOW": str(slow)}
    return subprocess.run([sys.executable, "-c", SLOW_RUNNER, *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def close_ledger(g: Path) -> None:
    p = g / DRAFT2
    text = p.read_text(encoding="utf-8").replace("状态:: 审核中", "状态:: 已定稿")
    p.write_text(text.replace("编号:: 002", "编号:: 002\n定性:: 违反有关规定", 1), encoding="utf-8")


def base_scaffold(g: Path) -> None:
    """Nothing extra: scaffold adds a second inspection to the example graph."""


def base_sync(g: Path) -> None:
    """A scaffolded inspection whose 进驻日 then moved: sync rewrites deadlines in several files."""
    r = run(["scaffold", str(g), *UNIT, "--entry", "2026-05-06"], g.parent)
    assert r.returncode == 0, r.stderr
    p = g / NEW_OVERVIEW
    p.write_text(p.read_text(encoding="utf-8").replace("进驻日:: 2026-05-06", "进驻日:: 2026-05-13"),
                 encoding="utf-8")


def base_closeout(g: Path) -> None:
    close_ledger(g)


SCENARIOS = {
    "scaffold": (base_scaffold, ["scaffold", "{g}", *UNIT, "--entry", "2026-05-06"]),
    "sync": (base_sync, ["sync", "{g}", *TODAY]),
    "report-write": (base_scaffold, ["report", "{g}", *TODAY, "--write"]),
    "close-out": (base_closeout, ["close-out", "{g}", "--inspection", "某某集团", *TODAY,
                                  "--archive", "{t}/归档.zip"]),
}


def prepared(tmp: Path, name: str, setup) -> Path:
    g = tmp / name / "graph"
    g.parent.mkdir(parents=True)
    shutil.copytree(EXAMPLE_GRAPH, g)
    setup(g)
    (g / ".xuncha" / "lock").unlink(missing_ok=True)  # so its appearance marks "writing starts"
    return g


def expand(args: list[str], g: Path) -> list[str]:
    return [a.replace("{g}", str(g)).replace("{t}", str(g.parent)) for a in args]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_kill_9_leaves_every_file_old_or_new(scenario: str, tmp_path: Path) -> None:
    setup, args = SCENARIOS[scenario]
    # The clean run gives the "new" state; its base the "old" state.
    clean = prepared(tmp_path, "clean", setup)
    old = snapshot(clean)
    old_manifest = manifest_files(clean)
    r = run(expand(args, clean), clean.parent)
    assert r.returncode == 0, r.stderr
    new = snapshot(clean)
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
    assert changed, "the scenario must change something"

    rng = random.Random(f"kill-9-{scenario}")
    delay = 0.01
    env = {**ENV, "XUNCHA_TEST_SLOW": str(delay)}

    def start(g: Path) -> tuple[subprocess.Popen, float]:
        """Start the command on a slow disk; return once it takes the graph lock (writing starts)."""
        proc = subprocess.Popen([sys.executable, "-c", SLOW_RUNNER, *expand(args, g)], cwd=g.parent, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (g / ".xuncha" / "lock").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        return proc, time.monotonic()

    # How long the writing takes on this machine: kills are spread over exactly that window.
    timing = prepared(tmp_path, "timing", setup)
    proc, t0 = start(timing)
    proc.wait(timeout=120)
    window = time.monotonic() - t0
    for i in range(5):
        g = prepared(tmp_path, f"run{i}", setup)
        assert snapshot(g) == old
        proc, _ = start(g)
        time.sleep(rng.uniform(0, window))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert_old_or_new(g, old, new, f"(run {i})", old_manifest)
        zips = [p for p in g.parent.iterdir() if p.suffix == ".zip"]
        for z in zips:  # an archive is there only when complete
            import zipfile

            assert zipfile.ZipFile(z).testzip() is None
        # Leftover temp files are hidden dot-files that no reader picks up ...
        leftovers = temp_leftovers(g)
        for t in leftovers:
            assert Path(t).name.startswith(".") and t.endswith(".xuncha-tmp")
        if leftovers:
            from xuncha_kb.fs.scan import load_graph

            seen = {p.file for p in load_graph(g).pages} | {b.file for b in load_graph(g).whiteboards}
            assert not seen & set(leftovers)
        # ... and the rerun completes the job.
        for z in zips:
            z.unlink()  # close-out refuses to overwrite an archive (by design): start it over
        again = run(expand(args, g), g.parent)
        assert again.returncode == 0, again.stderr
        assert snapshot(g) == new, f"rerun after kill {i} did not give the clean result"


def test_sync_is_idempotent_when_deadlines_move(tmp_path: Path, runner) -> None:
    g = _scaffolded(tmp_path, runner)
    assert runner.invoke(cli, ["sync", str(g), *TODAY]).exit_code == 0
    first = snapshot(g)
    r = runner.invoke(cli, ["sync", str(g), *TODAY])
    assert r.exit_code == 0, r.output
    assert snapshot(g) == first, r.output


def test_stale_temp_files_are_swept_by_the_next_write(tmp_path: Path, runner) -> None:
    """Temp files of a dead process are removed by the next run that writes there (the manifest's
    folder included); a temp file of a live process is never touched."""
    import subprocess as sp

    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    dead = sp.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [g / d / f".x.md.{dead.pid}-deadbeef.xuncha-tmp" for d in ("pages", "whiteboards", ".xuncha")]
    live = g / "pages" / f".y.md.{os.getpid()}-cafebabe.xuncha-tmp"
    for p in [*stale, live]:
        p.write_text("旧内容", encoding="utf-8")
    r = runner.invoke(cli, ["scaffold", str(g), *UNIT])
    assert r.exit_code == 0, r.output
    assert [p for p in stale if p.exists()] == []
    assert live.exists()


# --- read-then-write races ------------------------------------------------------------------

USER_TEXT = "- 用户刚刚在 Logseq 里写的内容\n"


def _race_hook(monkeypatch, target: Path, text: str = USER_TEXT) -> list[bool]:
    """Make ``target`` change right after planning, just before apply takes the lock."""
    import contextlib

    import xuncha_kb.fs.apply as apply_mod

    real = apply_mod.graph_lock
    fired: list[bool] = []

    @contextlib.contextmanager
    def racing_lock(root, timeout=10.0):
        if not fired:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            fired.append(True)
        with real(root, timeout=timeout) as p:
            yield p

    monkeypatch.setattr(apply_mod, "graph_lock", racing_lock)
    return fired


def _scaffolded(tmp_path: Path, runner) -> Path:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    r = runner.invoke(cli, ["scaffold", str(g), *UNIT, "--entry", "2026-05-06"])
    assert r.exit_code == 0, r.output
    p = g / NEW_OVERVIEW
    p.write_text(p.read_text(encoding="utf-8").replace("进驻日:: 2026-05-06", "进驻日:: 2026-05-13"),
                 encoding="utf-8")
    return g


def _assert_conflict(r, g: Path, target: Path, before: dict[str, str]) -> None:
    assert r.exit_code == 4, r.output
    assert "错误：" in r.output and "Traceback" not in r.output
    assert target.read_text(encoding="utf-8") == USER_TEXT  # the user's version survives
    after = snapshot(g)
    rel = target.relative_to(g).as_posix()
    diff = {k for k in set(before) | set(after) if before.get(k) != after.get(k)} - {rel}
    assert diff == set(), f"other files were written: {sorted(diff)}"


def test_race_scaffold_target_created_by_user(tmp_path: Path, runner, monkeypatch) -> None:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    target = g / STAGE_PREP
    before = snapshot(g)
    fired = _race_hook(monkeypatch, target)
    r = runner.invoke(cli, ["scaffold", str(g), *UNIT])
    assert fired
    _assert_conflict(r, g, target, before)


def test_race_sync_page_edited_by_user(tmp_path: Path, runner, monkeypatch) -> None:
    g = _scaffolded(tmp_path, runner)
    target = g / STAGE_PREP
    before = snapshot(g)
    fired = _race_hook(monkeypatch, target)
    r = runner.invoke(cli, ["sync", str(g), *TODAY])
    assert fired
    _assert_conflict(r, g, target, before)
    monkeypatch.undo()
    # Once the user is done, a rerun works from the user's version and keeps it.
    r = runner.invoke(cli, ["sync", str(g), *TODAY])
    assert r.exit_code == 0, r.output
    assert "用户刚刚在 Logseq 里写的内容" in target.read_text(encoding="utf-8")


def test_race_report_page_edited_by_user(tmp_path: Path, runner, monkeypatch) -> None:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    r = runner.invoke(cli, ["report", str(g), "--today", "2026-03-10", "--write"])
    assert r.exit_code == 0, r.output
    target = g / REPORT_PAGE
    assert target.is_file()
    before = snapshot(g)
    fired = _race_hook(monkeypatch, target)
    r = runner.invoke(cli, ["report", str(g), "--today", "2026-03-11", "--write"])
    assert fired
    _assert_conflict(r, g, target, before)


def test_race_closeout_record_created_by_user(tmp_path: Path, runner, monkeypatch) -> None:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    close_ledger(g)
    target = g / "pages/巡察___2026年第一轮___某某集团有限公司___脱密处理记录.md"
    before = snapshot(g)
    fired = _race_hook(monkeypatch, target)
    r = runner.invoke(cli, ["close-out", str(g), "--inspection", "某某集团", *TODAY])
    assert fired
    _assert_conflict(r, g, target, before)


def test_race_at_the_last_moment_mid_apply(tmp_path: Path, runner, monkeypatch) -> None:
    """The change lands after the preflight, right before one file's swap: that file is the
    user's, files written before it are new, later ones old — each file whole."""
    import xuncha_kb.fs.atomic as atomic_mod

    g = _scaffolded(tmp_path, runner)
    old = snapshot(g)
    old_manifest = manifest_files(g)
    clean = tmp_path / "clean"
    shutil.copytree(g, clean)
    assert runner.invoke(cli, ["sync", str(clean), *TODAY]).exit_code == 0
    new = snapshot(clean)
    changed = sorted(k for k in set(old) | set(new)
                     if old.get(k) != new.get(k) and not k.startswith(".xuncha"))
    assert len(changed) >= 2
    victim = g / changed[1]
    real = atomic_mod.temp_path_for
    calls: list[Path] = []

    def sneaky(path: Path) -> Path:
        calls.append(path)
        if Path(path).resolve() == victim.resolve():
            victim.write_text(USER_TEXT, encoding="utf-8")
        return real(path)

    monkeypatch.setattr(atomic_mod, "temp_path_for", sneaky)
    r = runner.invoke(cli, ["sync", str(g), *TODAY])
    monkeypatch.undo()
    assert r.exit_code == 4, r.output
    assert victim.read_text(encoding="utf-8") == USER_TEXT
    state = snapshot(g)
    for rel in changed:
        if rel != changed[1]:
            assert state.get(rel) in (old.get(rel), new.get(rel))
    assert_old_or_new(g, {**old, changed[1]: state[changed[1]]}, new, old_manifest=old_manifest)
    assert temp_leftovers(g) == []


# --- two processes on one graph -------------------------------------------------------------

def test_lock_held_by_another_process_gives_exit_6(tmp_path: Path) -> None:
    from xuncha_kb.fs.lock import graph_lock

    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    before = snapshot(g)
    env = {**ENV, "XUNCHA_LOCK_TIMEOUT": "0.3"}
    with graph_lock(g, timeout=1):
        for args in (["scaffold", str(g), *UNIT], ["report", str(g), *TODAY, "--write"]):
            p = subprocess.run([sys.executable, "-m", "xuncha_kb", *args], capture_output=True, text=True,
                               env=env, cwd=tmp_path, timeout=60)
            assert p.returncode == 6, p.stderr
            assert "另一个 xuncha-kb 进程正在写入该图谱" in p.stderr and "Traceback" not in p.stderr
    assert snapshot(g) == before


@pytest.mark.slow
def test_two_scaffolds_at_once_no_partial_no_loss(tmp_path: Path) -> None:
    """Two processes scaffold the same inspection at the same time: one writes, the other finds
    the files (unchanged) or waits/conflicts — never a half file, never a lost file."""
    clean = tmp_path / "clean"
    shutil.copytree(EXAMPLE_GRAPH, clean)
    assert run(["scaffold", str(clean), *UNIT], tmp_path).returncode == 0
    new = snapshot(clean)
    for i in range(3):
        g = tmp_path / f"g{i}"
        shutil.copytree(EXAMPLE_GRAPH, g)
        env = {**ENV, "XUNCHA_TEST_SLOW": "0.005"}
        procs = [subprocess.Popen([sys.executable, "-c", SLOW_RUNNER, "scaffold", str(g), *UNIT],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
                 for _ in range(2)]
        codes = [p.wait(timeout=120) for p in procs]
        errs = [p.stderr.read() for p in procs if p.stderr]
        for p in procs:
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        assert 0 in codes and set(codes) <= {0, 4, 6}, (codes, errs)
        assert all("Traceback" not in e for e in errs)
        assert snapshot(g) == new


@pytest.mark.slow
def test_watch_write_report_and_manual_sync_lose_no_update(tmp_path: Path) -> None:
    """``watch --write-report`` runs while the user edits pages and runs ``sync`` by hand.
    Every user edit and every sync change ends up on disk; the report page follows."""
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    base_sync(g)
    watch = subprocess.Popen([sys.executable, "-m", "xuncha_kb", "watch", str(g), "--write-report", *TODAY,
                              "--timeout", "12", "--json"], cwd=tmp_path, env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # let it start and read the graph
        stage = g / STAGE_PREP
        for _ in range(3):
            # The user ticks one more task (Logseq writes the file in place).
            text = stage.read_text(encoding="utf-8")
            assert "- TODO " in text
            stage.write_text(text.replace("- TODO ", "- DONE ", 1), encoding="utf-8")
            time.sleep(0.3)
            # ... and runs sync by hand; a conflict (the user was faster) is retried.
            for _attempt in range(5):
                s = run(["sync", str(g), *TODAY], tmp_path, timeout=60)
                assert s.returncode in (0, 4, 6), s.stderr
                assert "Traceback" not in s.stderr
                if s.returncode == 0:
                    break
                time.sleep(0.3)
            else:
                pytest.fail("sync never succeeded: " + s.stderr)
        # The watcher catches up: its report page ends up exactly what report --write makes now.
        page = g / REPORT_PAGE
        up_to_date = False
        for _ in range(10):
            time.sleep(0.5)
            if page.exists():
                dry = run(["report", str(g), *TODAY, "--write", "--dry-run"], tmp_path, timeout=60)
                assert dry.returncode == 0, dry.stderr
                if "无变化" in dry.stdout:
                    up_to_date = True
                    break
    finally:
        watch.send_signal(signal.SIGTERM)
        _out, err = watch.communicate(timeout=30)
    assert up_to_date, "the report page written by watch never caught up with the graph"
    assert "Traceback" not in err
    final = stage.read_text(encoding="utf-8")
    assert final.count("- DONE ") >= 3  # no user edit lost
    # No sync change lost: a further sync has nothing left to do.
    again = run(["sync", str(g), *TODAY, "--dry-run", "--json"], tmp_path)
    assert again.returncode == 0, again.stderr
    import json

    plan = json.loads(again.stdout)["plan"]
    assert not plan.get("writes") and not plan.get("changes"), plan
    assert temp_leftovers(g) == []


# --- disk full and write errors -------------------------------------------------------------

def _fail_after(monkeypatch, name: str, n: int, err: int = errno.ENOSPC) -> list[int]:
    real = getattr(os, name)
    count = [0]

    def failing(*a, **k):
        count[0] += 1
        if count[0] > n:
            raise OSError(err, os.strerror(err))
        return real(*a, **k)

    monkeypatch.setattr(os, name, failing)
    return count


@pytest.mark.parametrize("fail_on,after", [("fsync", 0), ("fsync", 7), ("link", 3), ("replace", 0)])
def test_disk_full_during_scaffold(fail_on: str, after: int, tmp_path: Path, runner, monkeypatch) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(EXAMPLE_GRAPH, clean)
    assert runner.invoke(cli, ["scaffold", str(clean), *UNIT]).exit_code == 0
    new = snapshot(clean)
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    old = snapshot(g)
    old_manifest = manifest_files(g)
    _fail_after(monkeypatch, fail_on, after)
    r = runner.invoke(cli, ["scaffold", str(g), *UNIT])
    monkeypatch.undo()
    if fail_on == "replace" and r.exit_code == 0:
        pass  # create-only writes use link, not replace; only the manifest replace failed → see below
    else:
        assert r.exit_code == 5, r.output
        assert "磁盘空间不足" in r.output and "Traceback" not in r.output
    assert_old_or_new(g, old, new, old_manifest=old_manifest)
    assert temp_leftovers(g) == []
    # The disk has room again: a rerun completes the job.
    r = runner.invoke(cli, ["scaffold", str(g), *UNIT])
    assert r.exit_code == 0, r.output
    assert snapshot(g) == new


@pytest.mark.parametrize("after", [0, 2])
def test_disk_full_during_sync(after: int, tmp_path: Path, runner, monkeypatch) -> None:
    g = _scaffolded(tmp_path, runner)
    clean = tmp_path / "clean"
    shutil.copytree(g, clean)
    assert runner.invoke(cli, ["sync", str(clean), *TODAY]).exit_code == 0
    new = snapshot(clean)
    old = snapshot(g)
    old_manifest = manifest_files(g)
    _fail_after(monkeypatch, "replace", after)
    r = runner.invoke(cli, ["sync", str(g), *TODAY])
    monkeypatch.undo()
    assert r.exit_code == 5, r.output
    assert "磁盘空间不足" in r.output
    assert_old_or_new(g, old, new, old_manifest=old_manifest)
    assert temp_leftovers(g) == []
    r = runner.invoke(cli, ["sync", str(g), *TODAY])
    assert r.exit_code == 0, r.output
    assert snapshot(g) == new


def test_manifest_repaired_by_rerun_after_failed_sync(tmp_path: Path, runner, monkeypatch) -> None:
    g = _scaffolded(tmp_path, runner)
    clean = tmp_path / "clean"
    shutil.copytree(g, clean)
    assert runner.invoke(cli, ["sync", str(clean), *TODAY]).exit_code == 0
    _fail_after(monkeypatch, "replace", 2)
    assert runner.invoke(cli, ["sync", str(g), *TODAY]).exit_code == 5
    monkeypatch.undo()
    assert runner.invoke(cli, ["sync", str(g), *TODAY]).exit_code == 0
    assert manifest_files(g) == manifest_files(clean)


def test_report_page_still_ours_after_the_manifest_write_failed(tmp_path: Path, runner, monkeypatch) -> None:
    """The page is written but recording it fails (disk full): the next ``report --write`` still
    knows the page as its own (write-ahead note in the manifest) and updates it."""
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    _fail_after(monkeypatch, "replace", 1)  # the write-ahead note succeeds, the final record fails
    # --no-cache: the graph index is not written, so the replaces counted are the page's own
    r = runner.invoke(cli, ["report", str(g), "--today", "2026-03-10", "--write", "--no-cache"])
    monkeypatch.undo()
    assert r.exit_code == 5 and "磁盘空间不足" in r.output
    assert (g / REPORT_PAGE).is_file()
    r = runner.invoke(cli, ["report", str(g), "--today", "2026-03-12", "--write"])
    assert r.exit_code == 0, r.output
    assert "更新 1 个文件" in r.output and "2026-03-12" in (g / REPORT_PAGE).read_text(encoding="utf-8")


def test_disk_full_writing_report_output_file(tmp_path: Path, runner, monkeypatch) -> None:
    out = tmp_path / "报告.html"
    out.write_text("旧的报告", encoding="utf-8")
    _fail_after(monkeypatch, "fsync", 0)
    r = runner.invoke(cli, ["report", str(EXAMPLE_GRAPH), *TODAY, "--format", "html", "-o", str(out)])
    monkeypatch.undo()
    assert r.exit_code == 5 and "磁盘空间不足" in r.output
    assert out.read_text(encoding="utf-8") == "旧的报告"
    assert temp_leftovers(tmp_path) == []
