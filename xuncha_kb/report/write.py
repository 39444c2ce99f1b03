"""``report --write``: put the Markdown report page into the graph through plan → apply.

Mode ``update_generated``: the page is created, or replaced only while it still is exactly what
xuncha-kb last wrote (manifest hash).  A page the user edited, or an unrelated page of the same
name, is a conflict and nothing is written.  No other file is touched.
"""

from __future__ import annotations

from pathlib import Path

from xuncha_kb.fs.apply import ApplyResult, FileSpec, Plan, apply, plan_writes
from xuncha_kb.inspection.progress import Progress
from xuncha_kb.logseq.names import safe_title_to_relpath
from xuncha_kb.model import GraphConfig
from xuncha_kb.report.markdown import render_markdown, report_page_title


def plan_report_page(root: Path, config: GraphConfig, progress: Progress, only: str | None = None) -> Plan:
    title = report_page_title(progress, only)
    rel = safe_title_to_relpath(title, config, fmt="markdown")
    inspection = progress.inspections[0].name if only and len(progress.inspections) == 1 else None
    spec = FileSpec(rel, render_markdown(progress), inspection=inspection, kind="report")
    return plan_writes(root, [spec], mode="update_generated", title=title)


def write_report_page(root: Path, config: GraphConfig, progress: Progress,
                      only: str | None = None) -> tuple[Plan, ApplyResult]:
    plan = plan_report_page(root, config, progress, only)
    return plan, apply(plan, root)
