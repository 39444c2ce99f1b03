"""Cold full parse of a graph's page files: xuncha_kb's reader vs a minimal line parser.

    python bench/gen_graph.py /tmp/g10k                 # once: 10k pages + 2k journals
    python bench/bench_scan.py /tmp/g10k [--repeat 3] [--gc on|off|freeze] [--load-graph]

Phases (each timed with perf_counter, in this one process):
  read      list pages/ + journals/ (dot-files skipped), read bytes, decode UTF-8
  parse     xuncha_kb.logseq.page.parse_text on every file (full Block trees; the body-derived
            fields of most blocks are deferred to first access, see model.LAZY_BLOCK_FIELDS)
  force     read every deferred field of every block once (what a consumer reading all
            content/properties/refs pays on top of parse)
  minimal   a ~90-line line parser (indent tree, markers, properties, SCHEDULED/DEADLINE,
            fences) on the same texts, for comparison, under the same GC mode as parse
  minimal_gc_on   the same minimal parser with the cyclic GC left on, as such a script
            runs by default (xuncha_kb's scanner turns the GC off itself)
  load      (with --load-graph) xuncha_kb.fs.scan.load_graph(root), the whole scan incl. whiteboards
The reader's counts are checked against the generator's expected.json.  The report names
the reader that ran ("reader": native = the mypyc-compiled modules, pure = Python); set
XUNCHA_KB_PURE=1 to measure the pure-Python reader on an install that has both.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xuncha_kb.logseq import native
from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import LAZY_BLOCK_FIELDS, GraphConfig
from xuncha_kb.stats import BlockCounts

# ---------------------------------------------------------------- minimal line parser ----
_MIN_MARKER = re.compile(r"(TODO|DOING|DONE|LATER|NOW|WAITING|WAIT|CANCELED|CANCELLED|IN-PROGRESS) ")
_MIN_PROP = re.compile(r"([^\s:]+):: ?(.*)$")


def minimal_parse(text: str) -> tuple[dict[str, str], list[list[Any]]]:
    """Indentation → parent tree, marker, page/block properties, SCHEDULED/DEADLINE, fences.

    Block = [level, parent index, marker, props, scheduled, deadline, first line].
    """
    page_props: dict[str, str] = {}
    blocks: list[list[Any]] = []
    stack: list[tuple[int, int]] = []  # (indent, block index)
    cur: list[Any] | None = None
    in_fence = False
    for line in text.split("\n"):
        s = line.lstrip()
        if in_fence:
            if s.startswith("```"):
                in_fence = False
            continue
        if s.startswith("```"):
            in_fence = True
            continue
        if s.startswith("- ") or s == "-":
            indent = len(line) - len(s)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else -1
            level = len(stack) + 1
            first = s[2:]
            m = _MIN_MARKER.match(first)
            cur = [level, parent, m.group(1) if m else None, {}, None, None, first]
            stack.append((indent, len(blocks)))
            blocks.append(cur)
            continue
        if cur is None:
            m = _MIN_PROP.match(s)
            if m:
                page_props[m.group(1).lower()] = m.group(2)
            continue
        if s.startswith("SCHEDULED: <"):
            cur[4] = s[12:s.find(">")]
        elif s.startswith("DEADLINE: <"):
            cur[5] = s[11:s.find(">")]
        elif "::" in s:
            m = _MIN_PROP.match(s)
            if m:
                cur[3][m.group(1).lower()] = m.group(2)
    return page_props, blocks


# ------------------------------------------------------------------------------ phases ----
def list_files(root: Path) -> list[str]:
    out: list[str] = []
    for top in ("pages", "journals"):
        base = root / top
        if not base.is_dir():
            continue
        for entry in os.scandir(base):
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name.endswith((".md", ".org", ".markdown")):
                out.append(f"{top}/{entry.name}")
    out.sort()
    return out


def read_all(root: Path, files: list[str]) -> list[str]:
    texts = []
    for rel in files:
        with open(root / rel, "rb") as fh:
            texts.append(fh.read().decode("utf-8", errors="replace"))
    return texts


def parse_all(files: list[str], texts: list[str], config: GraphConfig) -> list[Any]:
    return [parse_text(t, rel, "org" if rel.endswith(".org") else "markdown", config)
            for rel, t in zip(files, texts, strict=True)]


def clear_reader_caches() -> None:
    """Empty the reader's memo tables (parsed timestamps, normalised keys)."""
    from xuncha_kb.logseq import properties, timestamps

    timestamps._CACHE.clear()
    properties._KEYS.clear()


def force(parsed: list[Any]) -> int:
    """Read every deferred field of every block (fills them); returns the number of blocks."""
    n = 0
    for p in parsed:
        for top in p.blocks:
            for b in top.walk():
                for name in LAZY_BLOCK_FIELDS:
                    getattr(b, name)
                n += 1
    return n


def count(parsed: list[Any]) -> dict[str, Any]:
    """The reader's counts in expected.json's terms (stats' block rules plus ids and refs)."""
    counts = BlockCounts()
    ids = refs = 0
    for p in parsed:
        counts.add(p.blocks)
        for top in p.blocks:
            for b in top.walk():
                if not b.pre_block:
                    ids += "id" in b.properties
                    refs += len(b.refs)
    return {"blocks": counts.blocks, "pre_blocks": counts.pre_blocks, "scheduled": counts.scheduled,
            "deadline": counts.deadline, "ids": ids, "refs": refs,
            "markers": dict(sorted(counts.tasks.items()))}


CPU: dict[str, list[float]] = {}


def timed(fn: Any, gc_mode: str, name: str = "") -> tuple[float, Any]:
    """Wall time of ``fn()`` (CPU time recorded in CPU[name]) with the chosen GC mode."""
    gc.collect()
    if gc_mode == "off":
        gc.disable()
    elif gc_mode == "freeze":
        gc.disable()
        gc.freeze()
    c0 = time.process_time()
    t0 = time.perf_counter()
    result = fn()
    dt = time.perf_counter() - t0
    CPU.setdefault(name, []).append(time.process_time() - c0)
    gc.enable()
    if gc_mode == "freeze":
        gc.unfreeze()
    return dt, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("graph", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gc", choices=["on", "off", "freeze"], default="freeze")
    ap.add_argument("--load-graph", action="store_true")
    ap.add_argument("--skip-minimal", action="store_true")
    args = ap.parse_args()
    root: Path = args.graph
    config = GraphConfig(separated_by_commas=frozenset({"owner"}))
    phases = ("read", "parse", "force", "minimal", "minimal_gc_on", "load")
    results: dict[str, list[float]] = {name: [] for name in phases}
    parsed: list[Any] = []
    minimal_blocks = 0
    files: list[str] = []
    nbytes = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        files = list_files(root)
        texts = read_all(root, files)
        results["read"].append(time.perf_counter() - t0)
        nbytes = sum(len(t.encode("utf-8")) for t in texts)
        clear_reader_caches()  # every repeat is a cold parse, not only the first
        dt, parsed = timed(lambda f=files, t=texts: parse_all(f, t, config), args.gc, "parse")
        results["parse"].append(dt)
        dt, _ = timed(lambda p=parsed: force(p), args.gc, "force")
        results["force"].append(dt)
        if not args.skip_minimal:
            dt, mins = timed(lambda t=texts: [minimal_parse(x) for x in t], args.gc, "minimal")
            results["minimal"].append(dt)
            minimal_blocks = sum(len(b) for _, b in mins)
            del mins
            dt, mins = timed(lambda t=texts: [minimal_parse(x) for x in t], "on", "minimal_gc_on")
            results["minimal_gc_on"].append(dt)
            del mins
        if args.load_graph:
            from xuncha_kb.fs.scan import load_graph

            dt, _graph = timed(lambda: load_graph(root), args.gc, "load")
            results["load"].append(dt)
            del _graph
        parsed_counts = count(parsed)
        del texts
    got = parsed_counts
    blocks = got["blocks"]
    report: dict[str, Any] = {
        "python": sys.version.split()[0], "reader": native.mode, "gc": args.gc, "repeat": args.repeat,
        "files": len(files), "MB": round(nbytes / 1e6, 1), "blocks": blocks,
        "minimal_parser_blocks": minimal_blocks,
    }
    for k, v in results.items():
        if v:
            report[f"{k}_s_first"] = round(v[0], 3)
            report[f"{k}_s_min"] = round(min(v), 3)
            report[f"{k}_s_median"] = round(statistics.median(v), 3)
        if CPU.get(k):
            report[f"{k}_cpu_s_min"] = round(min(CPU[k]), 3)
    report["load_average_1m"] = round(os.getloadavg()[0], 2)
    report["parse_blocks_per_s"] = int(blocks / min(results["parse"]))
    expected_path = root / "expected.json"
    if expected_path.is_file():
        exp = json.loads(expected_path.read_text(encoding="utf-8"))
        keys = ("blocks", "pre_blocks", "scheduled", "deadline", "ids", "refs", "markers")
        mismatches = {k: (got.get(k, 0), exp.get(k)) for k in keys if got.get(k, 0) != exp.get(k, 0)}
        report["matches_expected_json"] = not mismatches
        if mismatches:
            report["mismatches"] = mismatches
    print(json.dumps(report, indent=1))
    return 0 if report.get("matches_expected_json", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
