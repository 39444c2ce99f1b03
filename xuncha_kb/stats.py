"""Counts over a graph, as Logseq's own parser would count them (``xuncha-kb stats``).

Pure: a :class:`Graph` in, a plain dict out.  The numbers use the same scope as the peer
counts in ``shared/corpus/peer-counts.md``: page and journal files (not whiteboards) for
blocks and tasks; ``blocks`` excludes pre-blocks (the text before a page's first bullet).
``pages`` counts files under the pages folder; Markdown/Org files elsewhere in the graph
(Logseq reads those too, unless ``:hidden``) are counted in ``other_pages`` and their blocks
are included in ``blocks``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xuncha_kb.model import MARKER_ORDER, Block, Graph


@dataclass
class BlockCounts:
    """Block counts by Logseq's rules: pre-blocks apart from ``blocks``, markers as written.

    The one place these rules live: ``stats``, the corpus tests and the scan bench all count
    through it.
    """

    blocks: int = 0
    pre_blocks: int = 0
    max_depth: int = 0
    scheduled: int = 0
    deadline: int = 0
    tasks: Counter[str] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)

    def add(self, tops: Iterable[Block]) -> None:
        """Count these top-level blocks and all their descendants (any order: these are counts;
        a plain stack instead of ``Block.walk`` keeps a 450k-block graph to a fraction of a
        second)."""
        blocks = pre = scheduled = deadline = 0
        depth = self.max_depth
        tasks: dict[str, int] = {}
        priorities: dict[str, int] = {}
        stack = list(tops)
        pop, extend = stack.pop, stack.extend
        while stack:
            block = pop()
            children = block.children
            if children:
                extend(children)
            if block.pre_block:
                pre += 1
                continue
            blocks += 1
            if block.level > depth:
                depth = block.level
            marker = block.marker
            if marker:
                tasks[marker] = tasks.get(marker, 0) + 1
            if block.priority:
                priorities[block.priority] = priorities.get(block.priority, 0) + 1
            if block.scheduled is not None:
                scheduled += 1
            if block.deadline is not None:
                deadline += 1
        self.blocks += blocks
        self.pre_blocks += pre
        self.max_depth = depth
        self.scheduled += scheduled
        self.deadline += deadline
        self.tasks.update(tasks)
        self.priorities.update(priorities)


def graph_stats(graph: Graph) -> dict[str, Any]:
    """The ``stats --json`` object: counts, per-marker tasks, priorities, diagnostics."""
    pages = journals = other_pages = org_files = page_properties = 0
    counts = BlockCounts()
    pages_prefix = graph.config.pages_dir.strip("/") + "/"
    journals_prefix = graph.config.journals_dir.strip("/") + "/"
    for page in graph.pages:
        # by folder (the peers' scope); Page.kind follows the name (a date-named page is a journal)
        if page.file.startswith(journals_prefix):
            journals += 1
        elif page.file.startswith(pages_prefix):
            pages += 1
        else:
            other_pages += 1
        if page.format == "org":
            org_files += 1
        if page.properties:
            page_properties += 1
        counts.add(page.blocks)
    tasks, priorities = counts.tasks, counts.priorities
    shapes = Counter(s.type for wb in graph.whiteboards for s in wb.shapes)
    return {
        "graph": str(graph.root),
        "name_format": graph.config.name_format,
        "pages": pages,
        "journals": journals,
        "other_pages": other_pages,
        "org_files": org_files,
        "pages_with_properties": page_properties,
        "blocks": counts.blocks,
        "pre_blocks": counts.pre_blocks,
        "max_depth": counts.max_depth,
        "tasks": dict(sorted(tasks.items(), key=lambda kv: _marker_rank(kv[0]))),
        "tasks_total": sum(tasks.values()),
        "scheduled": counts.scheduled,
        "deadline": counts.deadline,
        "priorities": dict(sorted(priorities.items())),
        "whiteboards": len(graph.whiteboards),
        "whiteboard_shapes": sum(shapes.values()),
        "whiteboard_shape_types": dict(sorted(shapes.items())),
        "whiteboard_connectors": sum(len(wb.connectors) for wb in graph.whiteboards),
        "whiteboard_blocks": sum(1 for wb in graph.whiteboards for _ in wb.walk()),
        "diagnostics": [{"file": d.file, "line": d.line, "message": d.message, "severity": d.severity}
                        for d in graph.diagnostics],
    }


def _marker_rank(marker: str) -> tuple[int, str]:
    return (MARKER_ORDER.index(marker) if marker in MARKER_ORDER else len(MARKER_ORDER), marker)


def summary_lines(stats: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows of the Chinese text summary, in display order."""
    tasks = stats["tasks"]
    task_text = "，".join(f"{m} {n}" for m, n in tasks.items()) or "无"
    prio_text = "，".join(f"[#{p}] {n}" for p, n in stats["priorities"].items()) or "无"
    shape_text = "，".join(f"{t} {n}" for t, n in stats["whiteboard_shape_types"].items())
    rows = [
        ("图谱", stats["graph"]),
        ("文件名格式", "triple-lowbar（新版）" if stats["name_format"] == "triple-lowbar"
         else "legacy（旧版）"),
        ("页面", f"{stats['pages']} 个"),
        ("日志", f"{stats['journals']} 篇"),
        *([("其他页面", f"{stats['other_pages']} 个（pages/ 与 journals/ 之外的 Markdown/Org 文件）")]
          if stats["other_pages"] else []),
        ("文件格式", f"Org 文件 {stats['org_files']} 个，其余为 Markdown；"
                     f"{stats['pages_with_properties']} 个文件带页面属性"),
        ("块", f"{stats['blocks']} 个，另有页面属性块 {stats['pre_blocks']} 个；"
               f"大纲最深 {stats['max_depth']} 层"),
        ("任务", f"{stats['tasks_total']} 个：{task_text}"),
        ("计划/截止", f"SCHEDULED {stats['scheduled']} 个，DEADLINE {stats['deadline']} 个"),
        ("优先级", prio_text),
        ("白板", f"{stats['whiteboards']} 个，图形 {stats['whiteboard_shapes']} 个"
                 + (f"（{shape_text}）" if shape_text else "")
                 + f"，连线 {stats['whiteboard_connectors']} 条，块 {stats['whiteboard_blocks']} 个"),
        ("问题", f"{len(stats['diagnostics'])} 条" if stats["diagnostics"] else "无"),
    ]
    return rows
