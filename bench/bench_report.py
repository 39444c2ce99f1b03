"""Time ``compute_progress`` and each renderer on a large synthetic graph with many inspections.

    python bench/bench_report.py [--pages 10000] [--inspections 20]

Generates a graph with ``bench/gen_graph.py`` in a temporary folder, adds N copies of the
progress fixture inspection (tests/fixtures/progress/graph, renamed per copy), reads it once
with ``load_graph`` and times the compute and render steps (best of 3).  Numbers go to
docs/progress.md by hand.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "progress" / "graph"
UNIT = "某某集团有限公司"


def build(dest: Path, pages: int, inspections: int) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_graph.py"), str(dest), "--pages", str(pages)],
                   check=True, capture_output=True)
    shutil.copy(FIXTURE / "logseq" / "config.edn", dest / "logseq" / "config.edn")
    for n in range(inspections):
        unit = f"单位{n:03d}"
        for f in (FIXTURE / "pages").glob(f"*{UNIT}*.md"):
            text = f.read_text(encoding="utf-8").replace(UNIT, unit)
            (dest / "pages" / f.name.replace(UNIT, unit)).write_text(text, encoding="utf-8")


def best(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--inspections", type=int, default=20)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import datetime as dt

    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.report import render
    from xuncha_kb.track.progress import compute_progress
    from xuncha_kb.workflow.load import default_workflow

    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "graph"
        build(dest, args.pages, args.inspections)
        t0 = time.perf_counter()
        graph = load_graph(dest)
        load_s = time.perf_counter() - t0
        wf = default_workflow()
        today = dt.date(2026, 7, 25)
        progress = compute_progress(graph, wf, today)
        print(f"graph: {len(graph.pages)} pages, {sum(1 for _ in graph.blocks())} blocks, "
              f"{len(progress.inspections)} inspections; load_graph {load_s:.2f} s")
        print(f"compute_progress: {best(lambda: compute_progress(graph, wf, today)):.3f} s")
        for fmt in ("text", "md", "json", "html", "xlsx"):
            print(f"render {fmt}: {best(lambda fmt=fmt: render(progress, fmt)):.3f} s")  # type: ignore[misc]


if __name__ == "__main__":
    main()
