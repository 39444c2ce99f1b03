"""``report``: read the graph, compute where every inspection stands, and hand the result to
one renderer — to stdout, to a file the user names (``-o``), or as a page in the graph
(``--write``, through plan → apply).

``report --write`` mode is ``update_generated``: the page is created, or replaced only while it
still is exactly what xuncha-kb last wrote (manifest hash).  A page the user edited, or an
unrelated page of the same name, is a conflict and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xuncha_kb.errors import InputError
from xuncha_kb.filespec import FileSpec
from xuncha_kb.fs.apply import Plan, plan_writes
from xuncha_kb.fs.output import Payload
from xuncha_kb.model import Graph, GraphConfig, PageFormat
from xuncha_kb.track.deadlines import Thresholds
from xuncha_kb.track.progress_model import Progress

#: What each report format is, for the output rules of ``fs/output.py``.
PAYLOADS = {"md": Payload.PAGE, "xlsx": Payload.BINARY}


@dataclass(frozen=True, slots=True)
class Report:
    """A computed report: the graph's settings (for writing), the progress to render, and the
    small graph it was computed from (``doc`` reads its clue blocks from it)."""

    root: Path
    config: GraphConfig
    progress: Progress
    only: str | None
    graph: Graph


def compute_report(root: Path, today: dt.date, *, thresholds: Thresholds, only: str | None = None,
                   redact: str = "none", use_cache: bool = True) -> Report:
    """Read the pages that can matter to inspections (through the graph index), compute
    progress with the stage completion dates from watch's event log, and redact names if asked."""
    from xuncha_kb.commands.graph_index import relevant_graph
    from xuncha_kb.fs.eventlog import read_events
    from xuncha_kb.live.events import stage_completion_dates
    from xuncha_kb.track.progress import compute_progress, with_completion_dates
    from xuncha_kb.workflow.load import active_workflow

    g = relevant_graph(root, use_cache=use_cache)
    progress = compute_progress(g, active_workflow(g), today, thresholds=thresholds, only=only)
    progress = with_completion_dates(progress, stage_completion_dates(read_events(root).events))
    if only and not progress.inspections:
        raise InputError(f"没有找到名为“{only}”的巡察", hint="运行 xuncha-kb report 查看图谱中的全部巡察。")
    if redact == "names":
        from xuncha_kb.track.redact import redact_names

        progress = redact_names(progress)
    return Report(root, g.config, progress, only, g)


def report_page_format(config: GraphConfig, title: str, root: Path | None = None) -> PageFormat:
    """The report page's format: the graph's ``:preferred-format``, unless the page already
    exists in the other format under ``root`` (a graph that switched keeps its one page: two
    files of the same name would collide in Logseq)."""
    from xuncha_kb.logseq.names import safe_title_to_relpath

    preferred: PageFormat = "org" if config.preferred_format == "org" else "markdown"
    other: PageFormat = "markdown" if preferred == "org" else "org"
    if root is not None and not (root / safe_title_to_relpath(title, config, fmt=preferred)).exists() \
            and (root / safe_title_to_relpath(title, config, fmt=other)).is_file():
        return other
    return preferred


def report_page_spec(config: GraphConfig, progress: Progress, only: str | None = None,
                     root: Path | None = None) -> tuple[str, FileSpec]:
    """The report page's title and file, in the graph's preferred format (Markdown or Org;
    see ``report_page_format``): what ``report --write`` and ``watch --write-report`` both write."""
    from xuncha_kb.logseq.names import safe_title_to_relpath
    from xuncha_kb.report.markdown import render_markdown, render_org, report_page_title

    title = report_page_title(progress, only)
    fmt = report_page_format(config, title, root)
    rel = safe_title_to_relpath(title, config, fmt=fmt)
    text = render_org(progress, title) if fmt == "org" else render_markdown(progress)
    inspection = progress.inspections[0].name if only and len(progress.inspections) == 1 else None
    return title, FileSpec(rel, text, inspection=inspection, kind="report")


def plan_report_page(root: Path, config: GraphConfig, progress: Progress, only: str | None = None) -> Plan:
    """The plan that puts the report page (Markdown or Org) into the graph."""
    title, spec = report_page_spec(config, progress, only, root)
    return plan_writes(root, [spec], mode="update_generated", title=title)


def write_report_file(report: Report, fmt: str, output: Path) -> None:
    """Render ``fmt`` into the file the user named, under the output rules of ``fs/output.py``."""
    from xuncha_kb.fs.output import check_output, write_output
    from xuncha_kb.report import render

    target = check_output(output, PAYLOADS.get(fmt, Payload.TEXT), graph=report.root, config=report.config)
    write_output(target, render(report.progress, fmt))


def write_page_text(report: Report, *, dry_run: bool) -> str:
    """``--write``: plan the report page and apply it (or, with ``dry_run``, only plan it); the
    text that says what was (or would be) written."""
    plan = plan_report_page(report.root, report.config, report.progress, report.only)
    if dry_run:
        return plan.render()
    from xuncha_kb.fs.apply import apply

    return apply(plan, report.root).render()


def to_stdout(report: Report, fmt: str, colour: bool | None, echo: Callable[[str | bytes], None]) -> None:
    """Render ``fmt`` to stdout: xlsx only into a pipe or file, text in colour on a terminal
    (unless ``NO_COLOR`` or ``colour`` says otherwise); ``echo`` prints text without a newline."""
    import os
    import sys

    progress = report.progress
    if fmt == "xlsx":
        if sys.stdout.isatty():
            raise InputError("xlsx 是二进制文件，不能输出到终端",
                             hint="请用 -o 指定文件，例如 -o 台账.xlsx。")
        from xuncha_kb.report.xlsx import render_xlsx

        sys.stdout.flush()
        sys.stdout.buffer.write(render_xlsx(progress))
        sys.stdout.buffer.flush()
        return
    if fmt == "text":
        from xuncha_kb.report.text import print_report, render_text

        stream = sys.stdout
        use_colour = (stream.isatty() and not os.environ.get("NO_COLOR")) if colour is None else colour
        if use_colour:
            print_report(progress, stream, colour=True)
        else:
            echo(render_text(progress))
        return
    from xuncha_kb.report import render

    echo(render(progress, fmt))


def run_report(root: Path, today: str | None, *, only: str | None, redact: str, yellow_days: int,
               red_days: int, fmt: str, output: Path | None, write_page: bool, dry_run: bool,
               colour: bool | None, no_cache: bool,
               echo: Callable[[str | bytes], None], say: Callable[[str], None],
               notice: Callable[[str], None]) -> None:
    """``report``: compute, then write the page (``--write``), the file (``-o``) or stdout.
    ``echo`` prints without a newline, ``say`` with one, ``notice`` to stderr."""
    from xuncha_kb.track.deadlines import parse_today

    report = compute_report(root, parse_today(today), only=only, redact=redact, use_cache=not no_cache,
                            thresholds=Thresholds(yellow_days=yellow_days, red_days=red_days))
    if dry_run and not write_page:
        raise InputError("--dry-run 只能与 --write 一起使用")
    if write_page:
        say(write_page_text(report, dry_run=dry_run))
    if output is not None:
        write_report_file(report, fmt, output)
        notice(f"已写入 {output}")
    elif not write_page:
        to_stdout(report, fmt, colour, echo)
