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
from functools import cache
from typing import TypedDict, TypeVar

from xuncha_kb.model import MARKER_ORDER, Block, Diagnostic, Graph, GraphConfig, Page, Whiteboard

_K = TypeVar("_K")


class DiagnosticRow(TypedDict):
    file: str
    line: int
    message: str
    severity: str


class GraphStats(TypedDict):
    """The ``stats --json`` object, in its key order."""

    graph: str
    name_format: str
    pages: int
    journals: int
    other_pages: int
    org_files: int
    pages_with_properties: int
    blocks: int
    pre_blocks: int
    max_depth: int
    tasks: dict[str, int]
    tasks_total: int
    scheduled: int
    deadline: int
    priorities: dict[str, int]
    whiteboards: int
    whiteboard_shapes: int
    whiteboard_shape_types: dict[str, int]
    whiteboard_connectors: int
    whiteboard_blocks: int
    diagnostics: list[DiagnosticRow]


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


#: One page file's counts: format, has page properties, blocks, pre-blocks, max depth,
#: scheduled, deadline, (marker, n) pairs, (priority, n) pairs.  Plain values, so the graph
#: index can store them.
Pairs = tuple[tuple[str, int], ...]
PageCounts = tuple[str, bool, int, int, int, int, int, Pairs, Pairs]
#: One whiteboard's counts: (shape type, n) pairs, connectors, blocks.
BoardCounts = tuple[Pairs, int, int]


def page_counts(page: Page) -> PageCounts:
    c = BlockCounts()
    c.add(page.blocks)
    return (page.format, bool(page.properties), c.blocks, c.pre_blocks, c.max_depth, c.scheduled,
            c.deadline, tuple(c.tasks.items()), tuple(c.priorities.items()))


def board_counts(board: Whiteboard) -> BoardCounts:
    shapes = Counter(s.type for s in board.shapes)
    return (tuple(shapes.items()), len(board.connectors), sum(1 for _ in board.walk()))


def graph_stats(graph: Graph) -> GraphStats:
    """The ``stats --json`` object: counts, per-marker tasks, priorities, diagnostics."""
    return stats_from_counts(str(graph.root), graph.config, [(p.file, page_counts(p)) for p in graph.pages],
                             [board_counts(b) for b in graph.whiteboards], graph.diagnostics)


_SUMS = ("pages", "journals", "other_pages", "org_files", "pages_with_properties", "blocks", "pre_blocks",
         "scheduled", "deadline", "whiteboards", "whiteboard_connectors", "whiteboard_blocks")


#: :class:`Totals` as plain values (sums, depths, tasks, priorities, shapes), for the index.
TotalsPlain = tuple[dict[str, int], dict[int, int], dict[str, int], dict[str, int], dict[str, int]]


@dataclass
class Totals:
    """The sums behind ``stats``, kept so that a file's counts can be added *and taken away*
    (the graph index brings them up to date from the files that changed)."""

    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_SUMS, 0))
    depths: Counter[int] = field(default_factory=Counter)  # max depth → pages (max of the keys)
    tasks: Counter[str] = field(default_factory=Counter)
    priorities: Counter[str] = field(default_factory=Counter)
    shapes: Counter[str] = field(default_factory=Counter)

    def add_page(self, file: str, counts: PageCounts, config: GraphConfig, sign: int = 1) -> None:
        fmt, props, b, p, d, sch, dl, t, pr = counts
        s = self.sums
        journals, pages = _folder_prefixes(config.journals_dir, config.pages_dir)
        # by folder (the peers' scope); Page.kind follows the name (a date-named page is a journal)
        if file.startswith(journals):
            s["journals"] += sign
        elif file.startswith(pages):
            s["pages"] += sign
        else:
            s["other_pages"] += sign
        s["org_files"] += sign * (fmt == "org")
        s["pages_with_properties"] += sign * props
        s["blocks"] += sign * b
        s["pre_blocks"] += sign * p
        s["scheduled"] += sign * sch
        s["deadline"] += sign * dl
        _bump(self.depths, ((d, 1),), sign)
        _bump(self.tasks, t, sign)
        _bump(self.priorities, pr, sign)

    def add_board(self, counts: BoardCounts, sign: int = 1) -> None:
        kinds, conn, bb = counts
        self.sums["whiteboards"] += sign
        self.sums["whiteboard_connectors"] += sign * conn
        self.sums["whiteboard_blocks"] += sign * bb
        _bump(self.shapes, kinds, sign)

    def to_plain(self) -> TotalsPlain:
        return (dict(self.sums), dict(self.depths), dict(self.tasks), dict(self.priorities),
                dict(self.shapes))

    @staticmethod
    def from_plain(value: TotalsPlain) -> Totals:
        sums, depths, tasks, priorities, shapes = value
        return Totals(dict(sums), Counter(depths), Counter(tasks), Counter(priorities), Counter(shapes))


@cache
def _folder_prefixes(journals_dir: str, pages_dir: str) -> tuple[str, str]:
    """The prefixes of files in the journals and pages folders (asked once per page)."""
    return journals_dir.strip("/") + "/", pages_dir.strip("/") + "/"


def _bump(counter: Counter[_K], pairs: Iterable[tuple[_K, int]], sign: int) -> None:
    for key, n in pairs:
        left = counter[key] + sign * n
        if left:
            counter[key] = left
        else:
            del counter[key]


def stats_from_counts(root: str, config: GraphConfig, pages: Iterable[tuple[str, PageCounts]],
                      boards: Iterable[BoardCounts], diagnostics: Iterable[Diagnostic]) -> GraphStats:
    """:func:`graph_stats` from per-file counts (what the graph index keeps)."""
    totals = Totals()
    for file, counts in pages:
        totals.add_page(file, counts, config)
    for board in boards:
        totals.add_board(board)
    return stats_from_totals(root, config, totals, diagnostics)


def stats_from_totals(root: str, config: GraphConfig, totals: Totals,
                      diagnostics: Iterable[Diagnostic]) -> GraphStats:
    s = totals.sums
    tasks, shapes = totals.tasks, totals.shapes
    return {
        "graph": root,
        "name_format": config.name_format,
        "pages": s["pages"],
        "journals": s["journals"],
        "other_pages": s["other_pages"],
        "org_files": s["org_files"],
        "pages_with_properties": s["pages_with_properties"],
        "blocks": s["blocks"],
        "pre_blocks": s["pre_blocks"],
        "max_depth": max((d for d, n in totals.depths.items() if n > 0), default=0),
        "tasks": dict(sorted(tasks.items(), key=lambda kv: _marker_rank(kv[0]))),
        "tasks_total": sum(tasks.values()),
        "scheduled": s["scheduled"],
        "deadline": s["deadline"],
        "priorities": dict(sorted(totals.priorities.items())),
        "whiteboards": s["whiteboards"],
        "whiteboard_shapes": sum(shapes.values()),
        "whiteboard_shape_types": dict(sorted(shapes.items())),
        "whiteboard_connectors": s["whiteboard_connectors"],
        "whiteboard_blocks": s["whiteboard_blocks"],
        "diagnostics": [DiagnosticRow(file=d.file, line=d.line, message=d.message, severity=d.severity)
                        for d in diagnostics],
    }


def _marker_rank(marker: str) -> tuple[int, str]:
    return (MARKER_ORDER.index(marker) if marker in MARKER_ORDER else len(MARKER_ORDER), marker)


def summary_lines(stats: GraphStats) -> list[tuple[str, str]]:
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
