"""Scaffold timings: pure generation, self-check, plan and apply (atomic writes + fsync).

    python bench/bench_scaffold.py [--repeat 5] [--graph /tmp/g1k]

Phases (median of --repeat runs, perf_counter):
  generate   scaffold_inspection(default workflow, facts) — pure, no disk
  selfcheck  parse every generated file back (page reader + whiteboard reader)
  plan       plan_inspection on a fresh copy: read graph + workflow + generate + self-check + plan
  apply      apply(plan): 14 files, each temp+fsync+link, manifest, under the lock
  rerun      plan_inspection again on the same graph (everything Unchanged)
Graphs: an empty folder, a copy of examples/graph, and --graph (e.g. bench/gen_graph.py output).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xuncha_kb.commands.scaffold import check_generated, plan_inspection
from xuncha_kb.fs.apply import apply
from xuncha_kb.generate.facts import make_facts
from xuncha_kb.generate.inspection import scaffold_inspection
from xuncha_kb.model import GraphConfig
from xuncha_kb.workflow.load import default_workflow

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--graph", type=Path, action="append", default=[])
    args = ap.parse_args()
    wf = default_workflow()
    facts = make_facts("某某集团有限公司", "2026年第一轮", leader="张三", members="李四,王五",
                       entry="2026-03-02", exit="2026-04-10")
    cfg = GraphConfig(name_format="triple-lowbar")
    sc = scaffold_inspection(wf, facts, cfg)
    size = sum(len(f.content.encode()) for f in sc.files)
    print(f"files {len(sc.files)}, bytes {size}, activities {sc.activity_count}")
    print(f"generate   {_median_ms(lambda: scaffold_inspection(wf, facts, cfg), args.repeat * 4):8.1f} ms")
    print(f"selfcheck  {_median_ms(lambda: check_generated(sc, cfg), args.repeat * 4):8.1f} ms")
    sources: list[tuple[str, Path | None]] = [("empty", None),
                                              ("examples/graph", ROOT / "examples" / "graph")]
    sources += [(str(g), g) for g in args.graph]
    for label, src in sources:
        plan_t, apply_t, rerun_t = [], [], []
        for i in range(args.repeat):
            work = Path(tempfile.mkdtemp()) / "g"
            if src is None:
                work.mkdir()
            else:
                shutil.copytree(src, work)
            f = make_facts(f"测试单位{i}", "2026年第九轮", entry="2026-09-01")
            t = time.perf_counter()
            run = plan_inspection(work, f)
            plan_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            apply(run.plan, work)
            apply_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            again = plan_inspection(work, f)
            rerun_t.append(time.perf_counter() - t)
            assert not again.plan.changes_anything
            shutil.rmtree(work.parent)
        med = [statistics.median(x) * 1000 for x in (plan_t, apply_t, rerun_t)]
        print(f"{label:<16} plan {med[0]:8.1f} ms   apply {med[1]:8.1f} ms   rerun {med[2]:8.1f} ms")


if __name__ == "__main__":
    main()
