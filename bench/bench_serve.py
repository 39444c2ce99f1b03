"""How long a save takes to reach the dashboard: from writing a page to the server-sent event
that carries the new state.

    python bench/bench_serve.py [--rounds 20]

Copies examples/graph to a temporary folder, starts the dashboard on a free loopback port
(read-only, real watchdog source), opens the event stream and toggles one task between TODO
and DONE; for each save it waits for the ``report`` event in which that task has the new
status.  Prints median and worst latency.  Numbers go to docs/serve.md by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xuncha_kb.serve.run import Dashboard, ServeOptions  # noqa: E402

KNOW = "pages/巡察___2026年第一轮___某某集团有限公司___巡察了解.md"
TASK = "形成封闭问题底稿台账"


def status_of(doc: dict[str, object], activity: str) -> str:
    for insp in doc["inspections"]:  # type: ignore[attr-defined]
        for stage in insp["stages"]:
            for a in stage["activities"]:
                if a["id"] == activity:
                    return str(a["status"])
    raise KeyError(activity)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        graph = Path(tmp) / "graph"
        shutil.copytree(ROOT / "examples" / "graph", graph)
        board = Dashboard(graph, ServeOptions(port=0, today=dt.date(2026, 5, 20))).start(print)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", board.port, timeout=30)
            host = {"Host": f"127.0.0.1:{board.port}"}
            conn.request("GET", f"/api/events?token={board.token}", headers=host)
            res = conn.getresponse()
            stream = res.fp

            def next_doc() -> dict[str, object]:
                while True:
                    line = stream.readline().decode("utf-8")
                    if line.startswith("data: "):
                        return dict(json.loads(line[6:]))

            next_doc()  # the current state
            page = graph / KNOW
            took: list[float] = []
            for n in range(args.rounds):
                old, new = ("TODO", "DONE") if n % 2 == 0 else ("DONE", "TODO")
                text = page.read_text("utf-8").replace(f"{old} {TASK}", f"{new} {TASK}")
                start = time.perf_counter()
                page.write_text(text, "utf-8")
                want = "done" if new == "DONE" else "not_started"
                while status_of(next_doc(), "know.08") != want:
                    pass
                took.append(time.perf_counter() - start)
                time.sleep(0.3)
            conn.close()
        finally:
            board.close()
    ms = sorted(t * 1000 for t in took)
    print(f"{len(ms)} saves: median {statistics.median(ms):.0f} ms, best {ms[0]:.0f} ms, "
          f"worst {ms[-1]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
