"""Watch benchmarks on a large graph: ready time (cold / warm), one-page reprocess, save → event.

    python bench/gen_graph.py /tmp/g10k                  # once: 10k pages + 2k journals
    python bench/bench_watch.py /tmp/g10k [--saves 40] [--repeat 3]

The graph gets one scaffolded inspection (``巡察/2026年第一轮/基准测试单位``) if it has none.
Phases:
  ready-cold   LiveGraph.start() with the .xuncha/index graph index deleted (walk, regex index of
               every file, full parse of the inspection pages, progress)
  ready-warm   the same with the index cache in place (stat every file, parse the few pages
               that matter)
  process      live.apply() after one page was saved: an inspection page (progress is
               recomputed) and an unrelated page (index only)
  save→event   a real `xuncha-kb watch --json` process; the bench flips a task marker with an
               atomic save (temp file + rename) and times until the JSON event line arrives
               (includes the 150 ms debounce window)
  burst        1,000 new pages written as fast as possible plus one task flip (a `git pull`):
               time from the last write to the event, and how many events came out
Times are wall clock (perf_counter); CPU time (process_time) is shown for the in-process phases
because a shared machine's load inflates wall time.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xuncha_kb.fs.watch import Change
from xuncha_kb.live.state import LiveGraph

UNIT, ROUND = "基准测试单位", "2026年第一轮"
PREFIX = f"巡察___{ROUND}___{UNIT}"


def ensure_inspection(root: Path) -> Path:
    import datetime as dt

    from xuncha_kb.commands.scaffold import plan_inspection
    from xuncha_kb.fs.apply import apply
    from xuncha_kb.generate.facts import InspectionFacts

    stage = root / "pages" / f"{PREFIX}___巡察准备.md"
    if not stage.exists():
        apply(plan_inspection(root, InspectionFacts(UNIT, ROUND, entry=dt.date(2026, 3, 2))).plan, root)
    return stage


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def atomic_save(path: Path, text: str) -> None:
    tmp = path.parent / f".{path.name}.bench-tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def flip(path: Path) -> None:
    """Mark the open task done (TODO or LATER), or open it again with the marker the graph's
    tasks are written with (LATER in a ``:now`` graph such as gen_graph's)."""
    task = "制定巡察工作方案"
    text = path.read_text(encoding="utf-8")
    for marker in ("TODO", "LATER"):
        if f"\n- {marker} {task}" in text:
            text = text.replace(f"\n- {marker} {task}", f"\n- DONE {task}", 1)
            break
    else:
        text = text.replace(f"\n- DONE {task}", f"\n- {open_marker(path.parent.parent)} {task}", 1)
    atomic_save(path, text)


@functools.cache
def open_marker(root: Path) -> str:
    """The open-task marker the scaffold writes in this graph (read once: flips are timed)."""
    from xuncha_kb.fs.scan import read_graph_config
    from xuncha_kb.generate.pages import task_marker

    return task_marker(read_graph_config(root)[0])


def bench_ready(root: Path, repeat: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for mode in ("cold", "warm"):
        walls, cpus, stats = [], [], {}
        for _ in range(repeat):
            if mode == "cold":
                shutil.rmtree(root / ".xuncha" / "index", ignore_errors=True)
            t, c = time.perf_counter(), time.process_time()
            lg = LiveGraph(root).start()
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            stats = lg.stats
        out[mode] = {"wall_median_s": statistics.median(walls), "wall_min_s": min(walls),
                     "cpu_median_s": statistics.median(cpus), "stats": stats}
    return out


def bench_process(root: Path, stage: Path, n: int) -> dict[str, object]:
    lg = LiveGraph(root).start()
    rel_stage = stage.relative_to(root).as_posix()
    plain = sorted((root / "pages").glob("*.md"))[len(list((root / "pages").glob("*.md"))) // 2]
    rel_plain = plain.relative_to(root).as_posix()
    out: dict[str, object] = {}
    for label, path, rel in (("inspection page", stage, rel_stage), ("unrelated page", plain, rel_plain)):
        walls, cpus = [], []
        for i in range(n):
            if path == stage:
                flip(path)
            else:
                atomic_save(path, path.read_text(encoding="utf-8") + f"- bench {i}\n")
            t, c = time.perf_counter(), time.process_time()
            lg.apply({Change(rel)})
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        out[label] = {"p50_ms": 1000 * pct(walls, 0.5), "p95_ms": 1000 * pct(walls, 0.95),
                      "cpu_p50_ms": 1000 * pct(cpus, 0.5)}
    return out


def bench_latency(root: Path, stage: Path, saves: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "xuncha_kb", "watch", str(root), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            env=env)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    ready = threading.Event()

    def pump(stream, tag: str) -> None:  # type: ignore[no-untyped-def]
        for line in iter(stream.readline, ""):
            if tag == "err" and "正在监视" in line:
                ready.set()
            if tag == "out":
                lines.put((time.perf_counter(), line))

    threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True).start()
    threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True).start()
    if not ready.wait(120):
        proc.kill()
        raise SystemExit("watch did not start")
    startup = time.perf_counter() - t0
    latencies = []
    try:
        for _ in range(saves):
            time.sleep(0.4)  # let the previous burst settle
            while not lines.empty():
                lines.get_nowait()
            t = time.perf_counter()
            flip(stage)
            got_at, line = lines.get(timeout=10)
            assert json.loads(line)["event"] in ("activity_done", "activity_reopened"), line
            latencies.append(got_at - t)
        # a burst like a `git pull`: 1,000 new pages, then one task flipped at the end
        time.sleep(0.5)
        while not lines.empty():
            lines.get_nowait()
        burst_dir = root / "pages"
        t_start = time.perf_counter()
        for i in range(1000):
            atomic_save(burst_dir / f"burst-{i:04d}.md", f"- 拉取的笔记 {i}\n")
        flip(stage)
        t_end = time.perf_counter()
        got_at, line = lines.get(timeout=30)
        time.sleep(1.0)
        extra = lines.qsize()
        burst = {"files": 1001, "write_s": t_end - t_start, "end_to_event_ms": 1000 * (got_at - t_end),
                 "events": 1 + extra, "event": json.loads(line)["event"]}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for p in (root / "pages").glob("burst-*.md"):
            p.unlink()
    return {"process_start_to_ready_s": startup, "n": len(latencies),
            "p50_ms": 1000 * pct(latencies, 0.5), "p95_ms": 1000 * pct(latencies, 0.95),
            "max_ms": 1000 * max(latencies), "burst": burst}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("graph", type=Path)
    ap.add_argument("--saves", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--process", type=int, default=30)
    ap.add_argument("--latency-only", action="store_true", help="only the save → event phase")
    args = ap.parse_args()
    root = args.graph
    if not (root / "pages").is_dir():
        from gen_graph import generate  # type: ignore[import-not-found]

        generate(root)
    stage = ensure_inspection(root)
    open_marker(root)  # read before any flip is timed
    result = {
        "files": sum(1 for _ in (root / "pages").glob("*")) + sum(1 for _ in (root / "journals").glob("*")),
        "load_avg": os.getloadavg(),
    }
    if not args.latency_only:
        result["ready"] = bench_ready(root, args.repeat)
        result["process"] = bench_process(root, stage, args.process)
    result["save_to_event"] = bench_latency(root, stage, args.saves)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
