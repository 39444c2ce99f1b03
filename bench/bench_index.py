"""Whole-process times and peak memory of ``stats --json`` and ``report``: cold, warm, one changed.

    python bench/gen_graph.py /tmp/g10k                       # or --pages 1000 / --pages 100000
    python bench/bench_index.py /tmp/g10k --add-inspection --runs 3 [--baseline OLD_PYTHON]

Each case runs the command a user runs (``python -m xuncha_kb …``) under ``/usr/bin/time``
and keeps the run with the least CPU time (user + system) of ``--runs`` runs, with its wall
time and peak RSS (whole process; CPU is the figure that other load on a shared machine
moves least):

* ``cold``: ``--no-cache`` (the index neither read nor written);
* ``build``: the index deleted first (a cold run that writes it);
* ``warm``: nothing changed since the last run;
* ``one changed``: one ordinary page appended to before each run.

``--baseline`` names the Python of another install (e.g. the previous release) whose
``stats --json`` and ``report`` are timed the same way, in the same sitting.
``--add-inspection`` copies one inspection (tests/fixtures/progress) into the graph first,
so ``report`` has something to compute.  The bench edits the graph: use a private copy.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "progress" / "graph"
TODAY = "2026-07-25"


def add_inspection(graph: Path) -> None:
    shutil.copy(FIXTURE / "logseq" / "config.edn", graph / "logseq" / "config.edn")
    for f in (FIXTURE / "pages").glob("*.md"):
        shutil.copy(f, graph / "pages" / f.name)


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """(CPU seconds user + system, wall seconds, peak RSS MB) of one whole process."""
    # run outside any checkout: ``python -m`` puts the working folder first on sys.path
    out = subprocess.run(["/usr/bin/time", "-f", "XKBTIME %U %S %e %M", *cmd], capture_output=True, text=True,
                         cwd="/")
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    line = [ln for ln in out.stderr.splitlines() if ln.startswith("XKBTIME ")][-1]
    _, user, system, wall, rss = line.split()
    return float(user) + float(system), float(wall), int(rss) / 1024


def best(cmd: list[str], runs: int, before: object = None) -> tuple[float, float, float]:
    results = []
    for _ in range(runs):
        if callable(before):
            before()
        results.append(timed(cmd))
    return min(results)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("graph", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cold-runs", type=int, help="runs of the slow cases (default: --runs)")
    ap.add_argument("--baseline", help="python of another install to time the same way")
    ap.add_argument("--add-inspection", action="store_true")
    ap.add_argument("--only", choices=["stats", "report"])
    ap.add_argument("--skip-build", action="store_true", help="skip the build case (as slow as cold)")
    args = ap.parse_args()
    graph: Path = args.graph
    if args.add_inspection:
        add_inspection(graph)
    index = graph / ".xuncha" / "index"
    victim = sorted((graph / "pages").glob("*.md"))[len(list((graph / "pages").glob("*.md"))) // 2]
    counter = [0]

    def change() -> None:
        counter[0] += 1
        with victim.open("a", encoding="utf-8") as fh:
            fh.write(f"\n- 改动 {counter[0]}\n")

    def drop() -> None:
        shutil.rmtree(index, ignore_errors=True)

    commands = {"stats": ["stats", str(graph), "--json"],
                "report": ["report", str(graph), "--today", TODAY, "--format", "json"]}
    rows = []
    slow = args.cold_runs or args.runs
    for name, argv in commands.items():
        if args.only and name != args.only:
            continue
        me = [sys.executable, "-m", "xuncha_kb", *argv]
        if args.baseline:
            rows.append((name, "baseline", best([args.baseline, "-m", "xuncha_kb", *argv], slow)))
        rows.append((name, "cold (--no-cache)", best([*me, "--no-cache"], slow)))
        if not args.skip_build:
            rows.append((name, "build (no index yet)", best(me, slow, drop)))
        timed(me)
        rows.append((name, "warm", best(me, args.runs)))
        rows.append((name, "one changed", best(me, args.runs, change)))
        for row in rows[-(2 + bool(args.baseline) + (not args.skip_build) + 1):]:
            show(row)


def show(row: tuple[str, str, tuple[float, float, float]]) -> None:
    name, case, (cpu, wall, rss) = row
    print(f"{name:7} {case:22} CPU {cpu:7.2f} s  wall {wall:7.2f} s  peak RSS {rss:6.0f} MB", flush=True)


if __name__ == "__main__":
    main()
