"""Output sweep: run every command of one ``xuncha-kb`` build on fresh copies of a graph.

# not a timed test -- it is a comparison tool (issue 13: "every command's output
# byte-identical before and after").

    python bench/output_sweep.py XUNCHA_KB_EXE OUT_DIR [--graph examples/graph] [--seed FILE]
                                 [--only NAME_PREFIX] [--exact NAME] [--pure] [--list]

Run it once per build (for example the old and the new commit, each installed in its own
venv) with the same --graph, then compare the two output folders with ``diff -r``. A build
may also be a checkout run as ``PYTHONPATH=CHECKOUT python -m xuncha_kb`` through a small
wrapper script; every command (and each --help probe) runs in an empty cwd, so the checkout
on PYTHONPATH is the one imported. Graph index entries (.xuncha/index) appear only in builds
that have the index; filter those lines when comparing with a build from before it.

For every run the sweep copies the graph into a fresh temporary folder, runs the command
with fixed options (``--today 2026-07-25``, fixed scaffold facts, ``--no-color``) and writes
one file ``OUT_DIR/<run name>.txt`` holding the exit code, stdout, stderr and every file the
command added, changed or removed in the graph copy and in the run's output folder (the
bytes, as text when they are UTF-8; zip files member by member).

Options a build does not offer (``--no-cache``, ``workflow extract --graph``) are dropped
from that build's command line; ``OUT_DIR/_options.txt`` lists which were offered, so the
run files of two builds keep the same names and the same logical command line.

Normalised (the only things that must differ from one run to the next):
  * the temporary folder's path, written as <GRAPH> (the graph copy), <OUT> (the run's
    output folder) and <TMP> (their parent);
  * the content of the graph index cache (``.xuncha/index/*``): its stamps hold inode
    numbers and ctimes, so only the file names are recorded;
  * the lock file ``.xuncha/lock`` (it holds the writer's pid): only its presence;
  * inside xlsx files, the members' zip date_time and docProps/core.xml's dcterms:created /
    dcterms:modified (openpyxl writes the wall clock there). Other zips (close-out
    archives) keep their member times.
Every copied file gets the same fixed mtime (2026-07-25 00:00 UTC) so nothing that reads
mtimes sees the copy time. Commands with no date option (scaffold, stats) still use the
real clock; run both builds on the same day.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = Path("/work/shared/seed/000_d771ac59c96ea753.txt")
TODAY = "2026-07-25"
#: Each run that offers it is also made with ``--no-cache`` (its name gets this tag).
CACHE_MODES: tuple[tuple[tuple[str, ...], str], ...] = (((), ""), (("--no-cache",), "-nocache"))
FIXED_MTIME = 1784937600  # 2026-07-25T00:00:00Z
INSPECTION = "某某集团"
SCAFFOLD_FACTS = ("--unit", "测试单位", "--round", "2026年第二轮", "--leader", "张三",
                  "--members", "李四,王五", "--entry", "2026-08-01", "--exit", "2026-09-15")
DEFINITION_PAGE = "pages/巡察工作流程定义.md"
WHITEBOARD = "whiteboards/巡察工作流程.edn"
TIMEOUT = 300

# Optional options: dropped from a build's argv when its --help does not list them.
OPTIONAL = ("--no-cache", "--graph")


@dataclasses.dataclass(frozen=True)
class Step:
    """One command line. ``argv`` may use the placeholders {GRAPH}, {OUT}, {SEED}."""

    argv: tuple[str, ...]
    stdin: str = ""


@dataclasses.dataclass(frozen=True)
class Run:
    """A named run: ``prepare`` steps (recorded too), then ``steps``, on one fresh graph copy."""

    name: str
    steps: tuple[Step, ...]
    edit: Callable[[Path], None] | None = None  # applied to the copy after the first step
    empty_graph: bool = False


def s(*argv: str, stdin: str = "") -> Step:
    return Step(tuple(argv), stdin)


# --- the runs --------------------------------------------------------------------------------

def _rename_activity(graph: Path) -> None:
    """A definition change: rename one activity and drop one line of the definition page."""
    page = graph / DEFINITION_PAGE
    text = page.read_text(encoding="utf-8")
    changed = text.replace("发布巡察通知", "印发巡察通知", 1)
    if changed == text:  # fall back to any first activity line
        changed = re.sub(r"(\n\t+- )(\S)", r"\1修订\2", text, count=1)
    page.write_bytes(changed.encode("utf-8"))
    os.utime(page, (FIXED_MTIME + 60, FIXED_MTIME + 60))


def _help_runs(commands: Sequence[tuple[str, ...]]) -> list[Run]:
    runs = [Run("help-top", (s("--help"),)), Run("version", (s("--version"),))]
    for cmd in commands:
        runs.append(Run("help-" + "-".join(cmd), (s(*cmd, "--help"),)))
    return runs


def _stats_runs() -> list[Run]:
    runs = []
    for cache, tag in CACHE_MODES:
        runs.append(Run("stats" + tag, (s("stats", "{GRAPH}", *cache),)))
        runs.append(Run("stats-json" + tag, (s("stats", "--json", "{GRAPH}", *cache),)))
    # second run on the same copy: a warm index must print the same
    runs.append(Run("stats-json-twice", (s("stats", "--json", "{GRAPH}"), s("stats", "--json", "{GRAPH}"))))
    runs.append(Run("stats-empty-graph", (s("stats", "--json", "{GRAPH}"),), empty_graph=True))
    return runs


def _report_runs() -> list[Run]:
    base = ("report", "{GRAPH}", "--today", TODAY, "--no-color")
    runs = []
    for cache, tag in CACHE_MODES:
        for fmt in ("text", "md", "json", "html"):
            runs.append(Run(f"report-{fmt}{tag}", (s(*base, "--format", fmt, *cache),)))
        runs.append(Run(f"report-xlsx{tag}", (s(*base, "--format", "xlsx", "-o", "{OUT}/r.xlsx", *cache),)))
        runs.append(Run(f"report-write{tag}", (s(*base, "--write", *cache),)))
    for fmt in ("text", "md", "json", "html"):
        runs.append(Run(f"report-{fmt}-to-file", (s(*base, "--format", fmt, "-o", "{OUT}/r." + fmt),)))
    runs += [
        Run("report-write-dry-run", (s(*base, "--write", "--dry-run"),)),
        Run("report-write-twice", (s(*base, "--write"), s(*base, "--write"))),
        Run("report-redact-text", (s(*base, "--redact", "names"),)),
        Run("report-redact-json", (s(*base, "--redact", "names", "--format", "json"),)),
        Run("report-inspection", (s(*base, "--inspection", INSPECTION),)),
        Run("report-inspection-unknown", (s(*base, "--inspection", "不存在的单位"),)),
        Run("report-thresholds", (s(*base, "--yellow-days", "60", "--red-days", "30"),)),
        Run("report-later-date", (s("report", "{GRAPH}", "--today", "2027-03-01", "--no-color"),)),
        Run("report-empty-graph", (s(*base, "--format", "json"),), empty_graph=True),
        Run("report-json-twice", (s(*base, "--format", "json"), s(*base, "--format", "json"))),
    ]
    return runs


def _scaffold_runs() -> list[Run]:
    sc = ("scaffold", "{GRAPH}", *SCAFFOLD_FACTS)
    plan = ("scaffold-plan", "{GRAPH}", "--year", "2026")
    runs = []
    for cache, tag in CACHE_MODES:
        runs += [
            Run("scaffold-dry-run" + tag, (s(*sc, "--dry-run", *cache),)),
            Run("scaffold" + tag, (s(*sc, *cache),)),
            Run("scaffold-plan" + tag, (s(*plan, *cache),)),
        ]
    runs += [
        Run("scaffold-json-dry-run", (s(*sc, "--dry-run", "--json"),)),
        Run("scaffold-json", (s(*sc, "--json"),)),
        Run("scaffold-twice", (s(*sc), s(*sc))),
        Run("scaffold-rerun-other-facts", (s(*sc), s(*sc[:-2], "--exit", "2026-09-30"))),
        Run("scaffold-then-stats-report", (s(*sc), s("stats", "--json", "{GRAPH}"),
                                           s("report", "{GRAPH}", "--today", TODAY, "--no-color"))),
        Run("scaffold-then-sync", (s(*sc), s("sync", "{GRAPH}", "--today", TODAY))),
        Run("scaffold-minimal", (s("scaffold", "{GRAPH}", "--unit", "最小单位", "--round", "2026年第三轮"),)),
        Run("scaffold-missing-unit", (s("scaffold", "{GRAPH}", "--round", "2026年第三轮"),)),
        Run("scaffold-existing", (s("scaffold", "{GRAPH}", "--unit", "某某集团有限公司",
                                    "--round", "2026年第一轮",
                                    "--dry-run"),)),
        Run("scaffold-empty-graph", (s(*sc),), empty_graph=True),
        Run("scaffold-plan-dry-run", (s(*plan, "--dry-run"),)),
        Run("scaffold-plan-json", (s(*plan, "--json"),)),
        Run("scaffold-plan-twice", (s(*plan), s(*plan))),
    ]
    return runs


def _sync_runs() -> list[Run]:
    sync = ("sync", "{GRAPH}", "--today", TODAY)
    extract = ("workflow", "extract", "{GRAPH}/" + WHITEBOARD, "-o", "{GRAPH}/" + DEFINITION_PAGE)
    runs = []
    for cache, tag in CACHE_MODES:
        runs += [
            Run("sync-dry-run" + tag, (s(*sync, "--dry-run", *cache),)),
            Run("sync" + tag, (s(*sync, *cache),)),
            Run("sync-after-definition-change" + tag,
                (s(*extract), s(*sync, "--dry-run", *cache), s(*sync, *cache), s(*sync, "--dry-run", *cache)),
                edit=_rename_activity),
        ]
    runs += [
        Run("sync-json-dry-run", (s(*sync, "--dry-run", "--json"),)),
        Run("sync-json", (s(*sync, "--json"),)),
        Run("sync-later-date", (s("sync", "{GRAPH}", "--today", "2027-03-01"),)),
        Run("sync-adopt-extracted-definition", (s(*extract), s(*sync, "--json"))),
        Run("sync-after-definition-change-json", (s(*extract), s(*sync, "--json")), edit=_rename_activity),
    ]
    return runs


def _workflow_runs() -> list[Run]:
    wf = "{GRAPH}/" + WHITEBOARD
    fixtures = ROOT / "tests" / "fixtures" / "workflow"
    runs = [
        Run("workflow-show", (s("workflow", "show", "{GRAPH}"),)),
        Run("workflow-show-json", (s("workflow", "show", "--json", "{GRAPH}"),)),
        Run("workflow-show-nocache", (s("workflow", "show", "{GRAPH}", "--no-cache"),)),
        Run("workflow-show-empty-graph", (s("workflow", "show", "{GRAPH}"),), empty_graph=True),
        Run("workflow-extract-whiteboard", (s("workflow", "extract", wf),)),
        Run("workflow-extract-whiteboard-json", (s("workflow", "extract", "--json", wf),)),
        Run("workflow-extract-seed", (s("workflow", "extract", "{SEED}"),)),
        Run("workflow-extract-seed-json", (s("workflow", "extract", "--json", "{SEED}"),)),
        Run("workflow-extract-seed-edn", (s("workflow", "extract", "{OUT}/seed.edn"),)),
        Run("workflow-extract-seed-edn-json", (s("workflow", "extract", "--json", "{OUT}/seed.edn"),)),
        Run("workflow-extract-seed-page", (s("workflow", "extract", "{OUT}/seed.edn", "-o", "{OUT}/def.md"),
                                           s("workflow", "check", "{OUT}/def.md"))),
        Run("workflow-extract-dry-run", (s("workflow", "extract", wf, "-o", "{GRAPH}/" + DEFINITION_PAGE,
                                           "--dry-run"),)),
        Run("workflow-extract-write", (s("workflow", "extract", wf, "-o", "{GRAPH}/" + DEFINITION_PAGE),
                                       s("workflow", "show", "{GRAPH}"),
                                       s("workflow", "check", "{GRAPH}/" + DEFINITION_PAGE))),
        Run("workflow-extract-exists", (s("workflow", "extract", wf, "-o", "{GRAPH}/" + DEFINITION_PAGE),
                                        s("workflow", "extract", wf, "-o", "{GRAPH}/" + DEFINITION_PAGE),
                                        s("workflow", "extract", wf, "-o", "{GRAPH}/" + DEFINITION_PAGE,
                                          "--force"))),
        Run("workflow-check-whiteboard", (s("workflow", "check", wf),)),
        Run("workflow-check-missing", (s("workflow", "check", "{OUT}/none.md"),)),
    ]
    for fixture in sorted(fixtures.glob("*")):
        if fixture.is_file() and not fixture.name.startswith("diff-"):
            for verb in ("extract", "check"):
                step = s("workflow", verb, str(fixture))
                runs.append(Run(f"workflow-{verb}-fixture-{fixture.name}", (step,)))
    return runs


def _closeout_runs() -> list[Run]:
    co = ("close-out", "{GRAPH}", "--inspection", INSPECTION, "--today", TODAY)
    runs = []
    for cache, tag in CACHE_MODES:
        runs += [
            Run("close-out-dry-run" + tag, (s(*co, "--dry-run", *cache),)),
            Run("close-out" + tag, (s(*co, *cache),)),
        ]
    runs += [
        Run("close-out-json-dry-run", (s(*co, "--dry-run", "--json"),)),
        Run("close-out-json", (s(*co, "--json"),)),
        Run("close-out-archive", (s(*co, "--archive", "{OUT}/a.zip"),)),
        Run("close-out-archive-sensitive", (s(*co, "--archive", "{OUT}/a.zip", "--include-sensitive"),)),
        Run("close-out-archive-dry-run", (s(*co, "--archive", "{OUT}/a.zip", "--dry-run"),)),
        Run("close-out-purge-dry-run", (s(*co, "--purge-sensitive", "--dry-run"),)),
        Run("close-out-purge-no", (s(*co, "--purge-sensitive", stdin="n\n"),)),
        Run("close-out-purge-yes", (s(*co, "--purge-sensitive", "--yes"),)),
        Run("close-out-twice", (s(*co), s(*co))),
        Run("close-out-unknown",
            (s("close-out", "{GRAPH}", "--inspection", "不存在的单位", "--today", TODAY),)),
        Run("close-out-missing-inspection", (s("close-out", "{GRAPH}", "--today", TODAY),)),
    ]
    return runs


def all_runs() -> list[Run]:
    helps = [("stats",), ("report",), ("scaffold",), ("scaffold-plan",), ("sync",), ("close-out",),
             ("workflow",), ("workflow", "extract"), ("workflow", "show"), ("workflow", "check")]
    return (_help_runs(helps) + _stats_runs() + _report_runs() + _scaffold_runs() + _sync_runs()
            + _workflow_runs() + _closeout_runs())


# --- running ---------------------------------------------------------------------------------

class Build:
    """One executable, with the optional options each of its commands offers."""

    def __init__(self, exe: str, env: dict[str, str]) -> None:
        self.exe, self.env = exe, env
        self._offered: dict[tuple[str, ...], frozenset[str]] = {}

    def offered(self, cmd: tuple[str, ...]) -> frozenset[str]:
        if cmd not in self._offered:
            # An empty cwd: `python -m xuncha_kb` wrappers would import a checkout found in the cwd.
            with tempfile.TemporaryDirectory(prefix="xsweep-help-") as cwd:
                proc = subprocess.run([self.exe, *cmd, "--help"], capture_output=True, env=self.env, cwd=cwd,
                                      stdin=subprocess.DEVNULL, timeout=TIMEOUT)
            out = proc.stdout.decode("utf-8", "replace")
            listed = (o for o in OPTIONAL if re.search(r"(^|\s)" + re.escape(o) + r"\b", out))
            self._offered[cmd] = frozenset(listed)
        return self._offered[cmd]

    def argv(self, step: Step) -> list[str]:
        cmd = tuple(step.argv[:2]) if step.argv[0] == "workflow" else tuple(step.argv[:1])
        if step.argv[0].startswith("-"):
            return list(step.argv)
        keep = self.offered(cmd)
        out: list[str] = []
        skip = False
        for i, a in enumerate(step.argv):
            if skip:
                skip = False
                continue
            if a in OPTIONAL and a not in keep:
                skip = a == "--graph" and i + 1 < len(step.argv)
                continue
            out.append(a)
        return out

    def options_report(self) -> str:
        rows = sorted(self._offered.items())
        return "".join(f"{' '.join(c)}: {' '.join(sorted(v)) or '-'}\n" for c, v in rows)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and directory (None) under root, by relative path."""
    found: dict[str, bytes | None] = {}
    if not root.exists():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = Path(dirpath, d)
            found[p.relative_to(root).as_posix() + "/"] = None
        for f in filenames:
            p = Path(dirpath, f)
            rel = p.relative_to(root).as_posix()
            found[rel] = b"<symlink>" if p.is_symlink() else p.read_bytes()
    return found


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def describe_zip(data: bytes) -> str:
    lines = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xlsx = "xl/workbook.xml" in zf.namelist()
        for info in zf.infolist():
            body = zf.read(info)
            when = str(info.date_time)
            if xlsx:
                when = "<normalised>"
            if xlsx and info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\1<normalised>\2", body)
            lines.append(f"  member {info.filename} date_time={when} size={len(body)}"
                         f" sha256={hashlib.sha256(body).hexdigest()}")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                continue
            lines += ["    | " + ln for ln in text.splitlines()]
    return "\n".join(lines)


def describe_file(rel: str, data: bytes | None, norm: Callable[[str], str]) -> str:
    if data is None:
        return ""
    if rel.startswith(".xuncha/index/"):
        return "  (graph index cache: content not compared, it holds inode/ctime stamps)"
    if rel == ".xuncha/lock" and data.strip().isdigit():
        return "  (lock file: holds the writer's pid, content not compared)"
    head = f"  {len(data)} bytes sha256={hashlib.sha256(data).hexdigest()}"
    if data[:4] == b"PK\x03\x04":
        try:
            return "  zip\n" + describe_zip(data)
        except zipfile.BadZipFile:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return head + " (binary)"
    if norm(text) != text:
        head += " (paths normalised in the text below; sha256 is of the raw bytes)"
        head = head.replace(hashlib.sha256(data).hexdigest(), "<raw>")
    return head + "\n" + "\n".join("  | " + ln for ln in norm(text).split("\n"))


def tree_changes(before: dict[str, bytes | None], after: dict[str, bytes | None],
                 label: str, norm: Callable[[str], str]) -> list[str]:
    out = []
    for rel in sorted(set(before) | set(after)):
        b, a = before.get(rel, b"<absent>"), after.get(rel, b"<absent>")
        if rel not in after:
            out.append(f"removed {label}/{rel}")
        elif rel not in before:
            out.append(f"added {label}/{rel}\n" + describe_file(rel, a, norm))
        elif a != b:
            out.append(f"changed {label}/{rel}\n" + describe_file(rel, a, norm))
    return out


def prepare(graph_src: Path, dest: Path, empty: bool) -> None:
    if empty:
        dest.mkdir()
    else:
        shutil.copytree(graph_src, dest, symlinks=True)
        idx = dest / ".xuncha" / "index"
        if idx.exists():
            shutil.rmtree(idx)
    for p in [dest, *dest.rglob("*")]:
        os.utime(p, (FIXED_MTIME, FIXED_MTIME), follow_symlinks=False)


def run_one(build: Build, run: Run, graph_src: Path, seed: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="xsweep-") as tmp:
        root = Path(tmp)
        graph, out, cwd = root / "graph", root / "out", root / "cwd"
        prepare(graph_src, graph, run.empty_graph)
        out.mkdir()
        cwd.mkdir()
        if seed.exists():
            shutil.copyfile(seed, out / "seed.edn")
            os.utime(out / "seed.edn", (FIXED_MTIME, FIXED_MTIME))

        def norm(text: str) -> str:
            for real, name in ((graph, "<GRAPH>"), (out, "<OUT>"), (root, "<TMP>")):
                for form in {str(real), os.path.realpath(real)}:
                    text = text.replace(form, name)
            return text

        report = [f"run {run.name}"]
        for n, step in enumerate(run.steps, 1):
            before_g, before_o = snapshot(graph), snapshot(out)
            argv = [a.replace("{GRAPH}", str(graph)).replace("{OUT}", str(out)).replace("{SEED}", str(seed))
                    for a in build.argv(step)]
            logical = [a.replace("{SEED}", "<SEED>").replace("{GRAPH}", "<GRAPH>").replace("{OUT}", "<OUT>")
                       for a in step.argv]
            proc = subprocess.run([build.exe, *argv], cwd=cwd, env=build.env, input=step.stdin.encode(),
                                  capture_output=True, timeout=TIMEOUT)
            report.append(f"=== step {n}: xuncha-kb {' '.join(logical)}")
            report.append(f"--- exit {proc.returncode}")
            for label, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
                report.append(f"--- {label} ({len(data)} bytes)")
                report.append(norm(data.decode("utf-8", "backslashreplace")))
            report.append("--- files")
            report += tree_changes(before_g, snapshot(graph), "<GRAPH>", norm)
            report += tree_changes(before_o, snapshot(out), "<OUT>", norm)
            if n == 1 and run.edit is not None:
                run.edit(graph)
                report.append("--- (definition page edited by the sweep)")
        return "\n".join(report) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exe", help="the xuncha-kb executable to sweep")
    ap.add_argument("out", type=Path, help="output folder (one file per run)")
    ap.add_argument("--graph", type=Path, default=ROOT / "examples" / "graph")
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed whiteboard export to extract")
    ap.add_argument("--only", action="append", default=[], help="run names starting with this (repeatable)")
    ap.add_argument("--exact", action="append", default=[], help="this run name only (repeatable)")
    ap.add_argument("--pure", action="store_true", help="set XUNCHA_KB_PURE=1 (pure-Python reader)")
    ap.add_argument("--list", action="store_true", help="list the run names and stop")
    args = ap.parse_args(argv)
    runs = [r for r in all_runs() if (not args.only and not args.exact) or r.name in args.exact
            or any(r.name.startswith(p) for p in args.only)]
    if args.list:
        print("\n".join(r.name for r in runs))
        return 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNCHA")}
    env.update(TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8", COLUMNS="100", NO_COLOR="1",
               PYTHONIOENCODING="utf-8")
    if args.pure:
        env["XUNCHA_KB_PURE"] = "1"
    build = Build(args.exe, env)
    args.out.mkdir(parents=True, exist_ok=True)
    for r in runs:
        text = run_one(build, r, args.graph.resolve(), args.seed.resolve())
        (args.out / (r.name + ".txt")).write_text(text, encoding="utf-8")
        print(r.name, file=sys.stderr)
    (args.out / "_options.txt").write_text(build.options_report(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
