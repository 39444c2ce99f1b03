"""Sync: bring scaffolded inspections up to date with the current workflow and milestone dates.

Three-way, per generated block, by the scaffold manifest:

* **base** — the hash of the block's text as xuncha-kb generated it (``manifest.json``
  ``blocks``: keyed by the task's ``id::`` or by ``xuncha-generated:: <key>``);
* **ours** — the block as the generator makes it *now* (current workflow, milestone dates
  read from the overview page, so ``DEADLINE:`` lines follow the dates staff filled in);
* **theirs** — the block as it is on disk.

A task block's text is split into what the generator owns (the title after the marker, the
``DEADLINE:`` line, the generated property lines, the ``子项`` child TODOs) and what the user
owns (the task marker and priority, ``SCHEDULED:``, ``:LOGBOOK:``, every other property or body
line, every other child block).  If the generator-owned part still hashes to *base*, it is
replaced by *ours* and every user-owned line is copied through byte for byte; otherwise the
user edited generated text and the block is left exactly as it is and reported as a conflict.
Other generated blocks (headings) are replaced only when they are entirely untouched
(``collapsed::`` aside).  An activity removed from the workflow: its block is deleted only if
completely untouched, otherwise marked ``xuncha-removed::``.  A new activity's block is
inserted after its predecessor.  Blocks are found by ``id::`` anywhere in the graph, so a
task a user moved to a journal is updated there, never duplicated.  Unkeyed blocks, page
properties that exist and files the user deleted are never touched.

The plan is carried out by ``fs.apply.apply`` (compare-and-swap against the bytes read, graph
lock, manifest).  Pure except :func:`plan_sync` (reads the graph) and :func:`run_sync`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xuncha_kb.fs.atomic import content_hash
from xuncha_kb.inspection import conventions as cv
from xuncha_kb.model import MARKERS, Block, Graph, GraphConfig
from xuncha_kb.workflow.model import Workflow

P_REMOVED = "xuncha-removed"
GENERATED_TASK_KEYS = frozenset({
    cv.P_ACTIVITY, cv.P_INSPECTION, cv.P_ACTOR, cv.P_PRODUCES, cv.P_DEPENDS, cv.P_DEADLINE_RULE,
    cv.P_SETS_MILESTONE, cv.P_SUBITEM, cv.P_SENSITIVE, cv.P_GENERATED, "id", P_REMOVED,
})
_PROP = re.compile(r"^([^\s:]+):: ?(.*)$")
_HEAD = re.compile(r"^(?P<indent>[\t ]*)- ?(?P<marker>(?:" + "|".join(sorted(MARKERS, key=len, reverse=True))
                   + r") )?(?P<prio>\[#[A-C]\] )?(?P<rest>.*)$")


# --- a page as top-level blocks with line ranges --------------------------------------------


@dataclass(frozen=True, slots=True)
class TopBlock:
    block: Block
    start: int  # 0-based index of the bullet line
    end: int  # exclusive; includes the subtree and any blank lines up to the next block
    key: str | None

    def lines(self, all_lines: Sequence[str]) -> list[str]:
        return list(all_lines[self.start:self.end])


@dataclass(frozen=True, slots=True)
class Layout:
    lines: tuple[str, ...]
    pre: tuple[int, int]  # line range of the pre-block (page properties)
    blocks: tuple[TopBlock, ...]


def block_key(b: Block) -> str | None:
    if "id" in b.properties and b.properties["id"].strip():
        return b.properties["id"].strip()
    gen = b.properties.get(cv.P_GENERATED)
    return f"generated:{gen.strip()}" if gen else None


def layout(text: str, file: str, config: GraphConfig | None = None) -> Layout:
    """Split a Markdown page into its pre-block and top-level blocks (line ranges)."""
    from xuncha_kb.logseq.page import parse_text

    parsed = parse_text(text, file, config=config)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tops = [b for b in parsed.blocks if not b.pre_block]
    starts = [b.span.line - 1 for b in tops]
    pre_end = starts[0] if starts else len(lines)
    out = []
    for i, b in enumerate(tops):
        end = starts[i + 1] if i + 1 < len(tops) else len(lines)
        out.append(TopBlock(b, starts[i], end, block_key(b)))
    return Layout(tuple(lines), (0, pre_end), tuple(out))


def _strip_blank_tail(lines: Sequence[str]) -> list[str]:
    out = list(lines)
    while out and not out[-1].strip():
        out.pop()
    return out


def text_hash(lines: Sequence[str]) -> str:
    return content_hash("\n".join(_strip_blank_tail(lines)) + "\n")


# --- classifying a task block's lines ------------------------------------------------------


@dataclass
class TaskParts:
    head: str
    deadline: list[str] = field(default_factory=list)
    scheduled: list[str] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # generated property lines
    user: list[str] = field(default_factory=list)  # everything else of the block's own lines
    subitems: list[list[str]] = field(default_factory=list)  # child blocks with 子项::
    children: list[tuple[bool, list[str]]] = field(default_factory=list)  # (is subitem, lines)


def _child_ranges(b: Block, start_line: int, end: int) -> list[tuple[Block, int, int]]:
    """0-based [start, end) ranges of ``b``'s direct children within the block's range."""
    starts = [c.span.line - 1 for c in b.children]
    return [(c, s, starts[i + 1] if i + 1 < len(starts) else end) for i, (c, s) in
            enumerate(zip(b.children, starts, strict=True))]


def task_parts(b: Block, lines: Sequence[str], start: int, end: int) -> TaskParts:
    """Split the lines of a task block (``lines[start:end]``) into generator- and user-owned parts."""
    own_end = b.children[0].span.line - 1 if b.children else end
    parts = TaskParts(head=lines[start])
    in_fence = in_drawer = False
    for line in lines[start + 1:own_end]:
        body = line.strip()
        if in_fence or in_drawer:
            parts.user.append(line)
            if body.startswith("```"):
                in_fence = False
            if body.upper() == ":END:":
                in_drawer = False
            continue
        if body.startswith("```"):
            in_fence = True
            parts.user.append(line)
        elif body.upper() == ":LOGBOOK:":
            in_drawer = True
            parts.user.append(line)
        elif body.startswith("DEADLINE:"):
            parts.deadline.append(line)
        elif body.startswith("SCHEDULED:"):
            parts.scheduled.append(line)
        elif (m := _PROP.match(body)) and m.group(1).lower() in GENERATED_TASK_KEYS:
            parts.generated.append(line)
        else:
            parts.user.append(line)
    for child, s, e in _child_ranges(b, start, end):
        is_sub = cv.P_SUBITEM in child.properties
        chunk = list(lines[s:e])
        parts.children.append((is_sub, chunk))
        if is_sub:
            parts.subitems.append(_strip_blank_tail(chunk))
    return parts


def _reset_head(head: str, marker: str = "TODO") -> str:
    """The head line as generated: the user's marker → the generated marker, priority dropped."""
    m = _HEAD.match(head)
    if not m or m.group("marker") is None:
        return head
    return f"{m.group('indent')}- {marker} {m.group('rest')}"


def _subitem_normal(chunk: Sequence[str]) -> list[str]:
    """A 子项 child as generated: its head (marker reset) and its generated property lines."""
    out = [_reset_head(chunk[0])]
    for line in chunk[1:]:
        body = line.strip()
        if body.startswith("- "):
            break  # the user's notes under a 子项
        m = _PROP.match(body)
        if m and m.group(1).lower() in GENERATED_TASK_KEYS:
            out.append(line)
    return out


def task_normal_form(parts: TaskParts) -> list[str]:
    """What the generator-owned part of a task looks like, to compare with the manifest's base."""
    out = [_reset_head(parts.head), *parts.deadline, *parts.generated]
    for sub in parts.subitems:
        out.extend(_subitem_normal(sub))
    return out


def merge_task(theirs: TaskParts, ours: TaskParts) -> list[str]:
    """Ours for every generator-owned line; theirs for the marker and every user-owned line."""
    tm, om = _HEAD.match(theirs.head), _HEAD.match(ours.head)
    head = theirs.head
    if tm and om:
        head = f"{tm.group('indent')}- {tm.group('marker') or ''}{tm.group('prio') or ''}{om.group('rest')}"
    out = [head, *theirs.scheduled, *ours.deadline, *ours.generated, *theirs.user]
    have = {_HEAD.match(s[0]).group("rest") for s in theirs.subitems if _HEAD.match(s[0])}  # type: ignore[union-attr]
    new_subs = [s for s in ours.subitems if (m := _HEAD.match(s[0])) and m.group("rest") not in have]
    placed = not new_subs
    last_sub = max((i for i, (is_sub, _) in enumerate(theirs.children) if is_sub), default=-1)
    if last_sub < 0 and new_subs:
        for s in new_subs:
            out.extend(s)
        placed = True
    for i, (_, chunk) in enumerate(theirs.children):
        out.extend(chunk)
        if i == last_sub and not placed:
            for s in new_subs:
                out.extend(s)
            placed = True
    return out


# --- per-block decisions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockNote:
    """One thing sync did (or refused to do) to one block."""

    action: str  # added | updated | removed | marked | conflict | moved-away
    file: str
    key: str
    label: str
    reason: str = ""


def _is_task(b: Block) -> bool:
    return cv.P_ACTIVITY in b.properties


def _label(b: Block) -> str:
    act = b.properties.get(cv.P_ACTIVITY)
    return f"{act} {b.title}".strip() if act else b.title


def merge_block(theirs_block: Block, t_lines: Sequence[str], t_start: int, t_end: int,
                ours_lines: Sequence[str] | None, ours_block: Block | None, o_start: int, o_end: int,
                base: str | None) -> tuple[list[str], str | None]:
    """New lines for one keyed block, and what happened (None = nothing to do, "conflict", …)."""
    theirs_text = list(t_lines[t_start:t_end])
    tail = theirs_text[len(_strip_blank_tail(theirs_text)):]
    if ours_lines is None or ours_block is None:
        return theirs_text, None
    ours_text = _strip_blank_tail(ours_lines[o_start:o_end])
    if _strip_blank_tail(theirs_text) == ours_text:
        return theirs_text, None
    if _is_task(theirs_block) and _is_task(ours_block):
        tp = task_parts(theirs_block, t_lines, t_start, t_end)
        op = task_parts(ours_block, ours_lines, o_start, o_end)
        if base is None or text_hash(task_normal_form(tp)) != base:
            return theirs_text, "conflict"
        merged = merge_task(tp, op)
        same = _strip_blank_tail(merged) == _strip_blank_tail(theirs_text)
        return merged + tail, (None if same else "updated")
    # a generated heading: replace only if untouched (its collapsed state is the user's)
    plain = [ln for ln in _strip_blank_tail(theirs_text) if not _is_collapsed(ln)]
    untouched = base is not None and base in (text_hash(_strip_blank_tail(theirs_text)), text_hash(plain))
    if not untouched:
        return theirs_text, "conflict"
    new = [ln for ln in ours_text if not _is_collapsed(ln)]
    if any(_is_collapsed(ln) for ln in theirs_text[:1 + len(theirs_block.content.splitlines())]):
        col = next(ln for ln in theirs_text if _is_collapsed(ln))
        new.insert(_props_end(new), col)
    return new + tail, "updated"


def _is_collapsed(line: str) -> bool:
    return line.strip().lower().startswith("collapsed::")


def _props_end(lines: Sequence[str]) -> int:
    """Index just after the first block's head and property lines."""
    i = 1
    while i < len(lines) and _PROP.match(lines[i].strip()) and not lines[i].lstrip().startswith("- "):
        i += 1
    return i


def mark_removed(theirs_block: Block, t_lines: Sequence[str], start: int, end: int, today: dt.date
                 ) -> list[str]:
    text = list(t_lines[start:end])
    if P_REMOVED in theirs_block.properties:
        return text
    parts = task_parts(theirs_block, t_lines, start, end)
    at = 1 + len(parts.scheduled) + len(parts.deadline)
    own_end = (theirs_block.children[0].span.line - 1 - start) if theirs_block.children else \
        len(_strip_blank_tail(text))
    for i in range(1, own_end):
        if text[i].strip() in parts.generated:
            at = i + 1
    m = _HEAD.match(text[0])
    indent = (m.group("indent") if m else "") + "  "
    text.insert(at, f"{indent}{P_REMOVED}:: 工作流程中已没有此活动（{today.isoformat()} 同步），可确认后删除")
    return text


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    path: str
    content: str | None  # new text (None: leave as is)
    base_hash: str | None  # hash of the bytes read (None: a new file)
    blocks: Mapping[str, str]  # manifest block hashes after the sync
    inspection: str
    kind: str
    notes: tuple[BlockNote, ...] = ()


@dataclass(frozen=True)
class SyncPlan:
    files: tuple[FileResult, ...] = ()
    notes: tuple[str, ...] = ()  # inspection-level notes (Chinese)

    @property
    def conflicts(self) -> tuple[BlockNote, ...]:
        return tuple(n for f in self.files for n in f.notes if n.action == "conflict")

    @property
    def writes(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.content is not None)

    def render(self) -> str:
        lines = []
        labels = {"added": "新增", "updated": "更新", "removed": "删除", "marked": "标记为已移除",
                  "conflict": "冲突（保持原样）", "moved-away": "移到其他页面"}
        for f in self.files:
            if f.content is None and not f.notes:
                continue
            verb = "不变" if f.content is None else ("新建" if f.base_hash is None else "修改")
            lines.append(f"{verb} {f.path}")
            for n in f.notes:
                why = f"：{n.reason}" if n.reason else ""
                lines.append(f"  {labels.get(n.action, n.action)} {n.label}{why}")
        lines.extend(self.notes)
        c = len(self.conflicts)
        lines.append(f"共修改 {len(self.writes)} 个文件；{c} 处冲突保持用户的内容不变。" if self.writes or c
                     else "已是最新：没有需要同步的内容。")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [{"path": f.path, "action": ("create" if f.base_hash is None else "update")
                       if f.content is not None else "unchanged",
                       "notes": [{"action": n.action, "key": n.key, "label": n.label, "reason": n.reason}
                                 for n in f.notes]} for f in self.files],
            "notes": list(self.notes),
            "conflicts": len(self.conflicts),
            "writes": len(self.writes),
        }


def sync_page(path: str, theirs: str | None, ours: str | None, *, base_blocks: Mapping[str, str],
              ours_blocks: Mapping[str, str], removed_keys: Iterable[str], elsewhere: Iterable[str],
              today: dt.date, inspection: str, kind: str, config: GraphConfig | None = None) -> FileResult:
    """Three-way merge of one page file (pure).

    ``removed_keys``: task ids no longer in the workflow; ``elsewhere``: keys of ours that live
    in another file (the user moved them, or the stage changed) and must not be inserted here.
    """
    if theirs is None:
        return FileResult(path, ours, None, dict(ours_blocks), inspection, kind,
                          (BlockNote("added", path, "", "整页"),) if ours else ())
    t = layout(theirs, path, config)
    o = layout(ours, path, config) if ours is not None else Layout((), (0, 0), ())
    o_by_key = {b.key: b for b in o.blocks if b.key}
    removed = set(removed_keys)
    skip_insert = set(elsewhere)
    out: list[str] = list(t.lines[t.pre[0]:t.pre[1]])
    out = _add_missing_page_props(out, list(o.lines[o.pre[0]:o.pre[1]]))
    notes: list[BlockNote] = []
    blocks = dict(base_blocks)
    present: set[str] = set()
    emitted: dict[str, int] = {}  # ours key → index in ``out`` just after it
    for tb in t.blocks:
        key = tb.key
        if key is None or (key not in o_by_key and key not in removed):
            out.extend(t.lines[tb.start:tb.end])
            continue
        present.add(key)
        if key in removed:
            untouched = key in base_blocks and text_hash(t.lines[tb.start:tb.end]) == base_blocks[key]
            if untouched:
                notes.append(BlockNote("removed", path, key, _label(tb.block)))
                blocks.pop(key, None)
                continue
            new = mark_removed(tb.block, t.lines, tb.start, tb.end, today)
            if new != list(t.lines[tb.start:tb.end]):
                notes.append(BlockNote("marked", path, key, _label(tb.block), "用户修改过或写了笔记，未删除"))
            out.extend(new)
            continue
        ob = o_by_key[key]
        new, what = merge_block(tb.block, t.lines, tb.start, tb.end, o.lines, ob.block, ob.start, ob.end,
                                base_blocks.get(key))
        out.extend(new)
        emitted[key] = len(out)
        if what == "conflict":
            notes.append(BlockNote("conflict", path, key, _label(tb.block), "生成的内容被用户修改过"))
        else:
            blocks[key] = ours_blocks.get(key, blocks.get(key, ""))
            if what:
                notes.append(BlockNote(what, path, key, _label(ob.block)))
    # insert ours blocks that are missing (new activities), each after its predecessor
    for i, ob in enumerate(o.blocks):
        if not ob.key or ob.key in present or ob.key in skip_insert:
            continue
        text = _strip_blank_tail(o.lines[ob.start:ob.end])
        prev = next((emitted[p.key] for p in reversed(o.blocks[:i]) if p.key in emitted), None)
        at = prev if prev is not None else len(out)
        if at > 0 and not out[at - 1].strip() and at == len(out):
            at -= 1
        out[at:at] = text
        for k in list(emitted):
            if emitted[k] >= at and k != ob.key:
                emitted[k] += len(text)
        emitted[ob.key] = at + len(text)
        blocks[ob.key] = ours_blocks.get(ob.key, text_hash(text))
        notes.append(BlockNote("added", path, ob.key, _label(ob.block)))
    new_text = "\n".join(out) + "\n" if out else ""
    if theirs.endswith("\n") is False and new_text.endswith("\n") and new_text[:-1] == theirs:
        new_text = theirs
    changed = new_text != theirs
    return FileResult(path, new_text if changed else None, content_hash(theirs), blocks, inspection, kind,
                      tuple(notes))


def _add_missing_page_props(pre: list[str], ours_pre: list[str]) -> list[str]:
    """Append generated page properties that the page lacks (e.g. a new milestone date key)."""
    have = {m.group(1).lower() for ln in pre if (m := _PROP.match(ln.strip()))}
    missing = [ln for ln in ours_pre if (m := _PROP.match(ln.strip())) and m.group(1).lower() not in have]
    if not missing or not pre:
        return pre
    last = max((i for i, ln in enumerate(pre) if _PROP.match(ln.strip())), default=len(pre) - 1)
    return pre[:last + 1] + missing + pre[last + 1:]


# --- the whole graph ------------------------------------------------------------------------


def milestone_dates_of(workflow: Workflow, props: Mapping[str, str]) -> dict[str, dt.date]:
    from xuncha_kb.inspection.deadlines import milestone_dates

    return {k: v for k, v in milestone_dates(workflow.milestones, props).items() if v is not None}


def generate(workflow: Workflow, graph: Graph, inspection: str) -> Any:
    """Ours: the inspection's files as the generator makes them now (all milestone dates known)."""
    from xuncha_kb.inspection import scaffold as sc
    from xuncha_kb.inspection.discover import inspection_from_page
    from xuncha_kb.inspection.whiteboard_gen import stage_whiteboard

    page = graph.page(inspection)
    ref = inspection_from_page(page) if page is not None else None
    if page is None or ref is None:
        return None
    dates = milestone_dates_of(workflow, page.properties)
    entry = next((d for mid, d in dates.items() if mid in sc.ENTRY_MILESTONE[0]), None)
    exit_ = next((d for mid, d in dates.items() if mid in sc.EXIT_MILESTONE[0]), None)
    facts = sc.InspectionFacts(unit=ref.unit, round=ref.round, leader=ref.leader[0] if ref.leader else None,
                               members=ref.members, entry=entry, exit=exit_)
    config = graph.config
    stages = workflow.per_inspection_stages()
    name = page.name
    ids = {a.id: sc.activity_uuid(name, a.id) for s in stages for a in s.activities}
    ctx = sc._Ctx(workflow, facts, config, name, stages, dates, ids)
    files = [sc._page_file(sc._overview(ctx), "overview", config)]
    files.extend(sc._page_file(sc._stage_page(ctx, i), "stage", config) for i in range(len(stages)))
    files.extend(sc._page_file(p, "list" if i < 3 else "ledger", config)
                 for i, p in enumerate(sc._lists(ctx)))
    wb_title = ctx.sub(cv.PAGE_WHITEBOARD)
    files.append(sc.GeneratedFile(wb_title, sc.whiteboard_relpath(wb_title, config), "whiteboard",
                                  stage_whiteboard(wb_title, [(ctx.stage_page(s), s) for s in stages],
                                                   seed=name, created=facts.entry)))
    return sc.Scaffold(name, tuple(files), sum(len(s.activities) for s in stages))


# --- the overview whiteboard: stage boxes show each stage's state ---------------------------

STAGE_FILL = {"已完成": "green", "进行中": "yellow", "未开始": ""}
_EDN_STR = r'"(?:[^"\\]|\\.)*"'


def edn_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


@dataclass(frozen=True, slots=True)
class StageLook:
    page: str  # the stage page name the box refers to
    position: int  # 1-based
    name: str
    label: str
    fill: str


def stage_looks(inspection: Any, stage_pages: Mapping[str, str],
                completed: Mapping[tuple[str, str], str] | None = None) -> list[StageLook]:
    """Label and colour for each stage box, from an ``InspectionProgress``."""
    looks = []
    for i, st in enumerate(inspection.stages, 1):
        page = stage_pages.get(st.id)
        if page is None:
            continue
        overdue = any(a.deadline is not None and not a.deadline.closed and a.deadline.days_left < 0
                      for a in st.activities)
        state = st.state
        label = f"{i}. {st.name}\n{st.done}/{st.total} {state}"
        when = (completed or {}).get((inspection.name, st.id))
        if state == "已完成" and when:
            label += f"（{when}）"
        elif overdue:
            label += "（有逾期）"
        fill = "red" if overdue and state != "已完成" else STAGE_FILL.get(state, "")
        looks.append(StageLook(page, i, st.name, label, fill))
    return looks


def refresh_whiteboard(text: str, file: str, looks: Sequence[StageLook],
                       config: GraphConfig | None = None) -> tuple[str, list[str]]:
    """Set label and fill/stroke of the stage boxes; everything else stays byte for byte.

    A box is ours when it is a ``box`` whose refs name a stage page and whose label still
    starts with ``N. <stage name>`` (our format); a box whose label the user rewrote is left
    alone and reported.  Returns (new text, notes).
    """
    from xuncha_kb.logseq.whiteboard import parse_whiteboard

    board, _ = parse_whiteboard(text, file, config)
    by_page = {lk.page.lower(): lk for lk in looks}
    notes: list[str] = []
    out = text
    for shape in board.shapes:
        if shape.type != "box":
            continue
        refs = shape.props.get("refs") or shape.props.get(":refs") or ()
        refs = [str(r) for r in refs] if isinstance(refs, list | tuple) else []
        look = next((by_page[r.lower()] for r in refs if r.lower() in by_page), None)
        if look is None:
            continue
        label = shape.label or ""
        if not re.match(rf"^\d+\. {re.escape(look.name)}(\n|$)", label):
            notes.append(f"白板上“{look.name}”阶段框的文字被修改过，未更新")
            continue
        at = out.find(f':id "{shape.id}"')
        if at < 0:
            continue
        nxt = out.find(":logseq.tldraw.shape", at)
        end = nxt if nxt >= 0 else len(out)
        region = out[at:end]
        new = region
        for key, value in (("label", look.label), ("fill", look.fill), ("stroke", look.fill)):
            repl = f":{key} {edn_str(value)}"
            new = re.sub(f":{key} " + _EDN_STR, lambda _m, r=repl: r, new, count=1)  # type: ignore[misc]
        out = out[:at] + new + out[end:]
    return out, notes


# --- planning a sync over a graph ------------------------------------------------------------


def plan_sync(root: Path, *, today: dt.date, graph: Graph | None = None,
              workflow: Workflow | None = None) -> SyncPlan:
    """Read the graph and the manifest; return what sync would change (nothing is written)."""
    from xuncha_kb.fs.eventlog import read_events
    from xuncha_kb.fs.manifest import read_manifest
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.inspection.events import stage_completion_dates
    from xuncha_kb.inspection.progress import compute_progress
    from xuncha_kb.workflow.load import active_workflow

    root = Path(root)
    graph = graph or load_graph(root)
    workflow = workflow or active_workflow(graph)
    manifest = read_manifest(root)
    progress = compute_progress(graph, workflow, today)
    by_name = {i.name.lower(): i for i in progress.inspections}
    completed = stage_completion_dates(read_events(root).events)
    id_files: dict[str, str] = {}
    for page in graph.pages:
        for b in page.walk():
            uid = b.properties.get("id")
            if uid:
                id_files.setdefault(uid.strip(), page.file)
    kinds = ("overview", "stage", "list", "ledger", "whiteboard")
    inspections = sorted({e.inspection for e in manifest.entries.values()
                          if e.inspection and e.kind in kinds})
    files: list[FileResult] = []
    notes: list[str] = []
    for insp in inspections:
        scaffold = generate(workflow, graph, insp)
        if scaffold is None:
            notes.append(f"巡察“{insp}”的概览页不存在或不是 type:: 巡察，已跳过")
            continue
        entries = {e.path: e for e in manifest.for_inspection(insp)}
        base: dict[str, str] = {}
        for e in entries.values():
            base.update(e.blocks)
        # A renamed stage keeps its existing page: ours is merged into it.
        redirect = _stage_redirects(graph, insp, scaffold, config=graph.config)
        ours_text: dict[str, tuple[str, Any]] = {}
        for f in scaffold.files:
            ours_text[redirect.get(f.path, f.path)] = (f.content, f)
        ours_key_file: dict[str, str] = {}
        for path, (_, f) in ours_text.items():
            for k in f.blocks:
                ours_key_file[k] = path
        global_ours: dict[str, tuple[Layout, TopBlock]] = {}
        for path, (gen_text, _f) in ours_text.items():
            if path.endswith(".edn"):
                continue
            lay = layout(gen_text, path, graph.config)
            for tb in lay.blocks:
                if tb.key and not tb.key.startswith("generated:"):
                    global_ours[tb.key] = (lay, tb)
        ours_hashes = {k: h for _, f in ours_text.values() for k, h in f.blocks.items()}
        removed = {k for k in base if not k.startswith("generated:") and k not in ours_key_file}
        targets = set(ours_text) | {p for p in entries if not p.endswith(".edn")}
        targets |= {id_files[k] for k in (set(ours_key_file) | removed) if k in id_files}
        insp_progress = by_name.get(insp.lower())
        for path in sorted(targets):
            disk = root / path
            try:
                theirs = disk.read_text(encoding="utf-8") if disk.is_file() else None
            except UnicodeDecodeError as exc:
                # Rewriting it would turn the user's bad bytes into U+FFFD: leave the file alone.
                line = exc.object[:exc.start].count(b"\n") + 1
                notes.append(f"{path}:{line}: 文件不是有效的 UTF-8 编码，未同步该文件；"
                             "请用 UTF-8 重新保存后再运行")
                continue
            content: str | None = None
            gen: Any = None
            if path in ours_text:
                content, gen = ours_text[path]
            if path.endswith(".edn"):
                if gen is not None:
                    files.append(_whiteboard_result(path, theirs, content or "", entries, insp, insp_progress,
                                                    scaffold, redirect, completed, graph.config, notes))
                continue
            if theirs is None and path in entries:
                notes.append(f"{path} 曾由 xuncha-kb 生成、之后被删除；保持删除，不重建")
                continue
            elsewhere = {k for k in (gen.blocks if gen else {}) if k in id_files and id_files[k] != path}
            files.append(_sync_file(path, theirs, content, gen, base, ours_hashes, removed, elsewhere,
                                    global_ours, today, insp, graph.config, entries))
    return SyncPlan(tuple(files), tuple(notes))


def _stage_redirects(graph: Graph, insp: str, scaffold: Any, *, config: GraphConfig) -> dict[str, str]:
    """Ours stage-page path → the existing page of the same stage id, when the names differ."""
    from xuncha_kb.model import page_key

    existing: dict[str, str] = {}
    for page in graph.pages:
        sid = page.properties.get(cv.P_STAGE)
        owner = [r for r in page.property_refs.get(cv.P_INSPECTION, ()) if page_key(r) == page_key(insp)]
        if sid and owner:
            existing.setdefault(sid.strip(), page.file)
    out = {}
    for f in scaffold.files:
        if f.kind != "stage":
            continue
        m = re.search(rf"^{re.escape(cv.P_STAGE)}:: (.+)$", f.content, re.M)
        sid = m.group(1).strip() if m else None
        if sid and sid in existing and existing[sid] != f.path:
            out[f.path] = existing[sid]
    return out


def _sync_file(path: str, theirs: str | None, ours: str | None, gen: Any, base: Mapping[str, str],
               ours_hashes: Mapping[str, str], removed: set[str], elsewhere: set[str],
               global_ours: Mapping[str, tuple[Layout, TopBlock]], today: dt.date, insp: str,
               config: GraphConfig, entries: Mapping[str, Any]) -> FileResult:
    kind = gen.kind if gen is not None else (entries[path].kind if path in entries else "page")
    if theirs is None:
        return sync_page(path, None, ours, base_blocks={}, ours_blocks=gen.blocks if gen else {},
                         removed_keys=(), elsewhere=elsewhere, today=today, inspection=insp, kind=kind,
                         config=config) if ours is not None else \
            FileResult(path, None, None, {}, insp, kind)
    # keys of ours that live in this file although ours puts them elsewhere: merge in place
    t = layout(theirs, path, config)
    here = {tb.key for tb in t.blocks if tb.key}
    extra = {k: v for k, v in global_ours.items() if k in here and (gen is None or k not in gen.blocks)}
    merged_ours = ours
    if extra:
        merged_ours = _with_blocks(ours or "", extra)
    own_blocks = dict(gen.blocks) if gen else {}
    own_blocks.update({k: ours_hashes[k] for k in extra if k in ours_hashes})
    return sync_page(path, theirs, merged_ours, base_blocks={k: v for k, v in base.items() if k in here},
                     ours_blocks=own_blocks, removed_keys=removed & here, elsewhere=elsewhere | set(extra),
                     today=today, inspection=insp, kind=kind, config=config)


def _with_blocks(ours: str, extra: Mapping[str, tuple[Layout, TopBlock]]) -> str:
    """Ours text with some blocks of other ours pages appended (so they can be merged here)."""
    lines = ours.rstrip("\n").split("\n") if ours else []
    for lay, tb in extra.values():
        lines.extend(_strip_blank_tail(lay.lines[tb.start:tb.end]))
    return "\n".join(lines) + "\n"


def _whiteboard_result(path: str, theirs: str | None, ours: str, entries: Mapping[str, Any], insp: str,
                       insp_progress: Any, scaffold: Any, redirect: Mapping[str, str],
                       completed: Mapping[tuple[str, str], str], config: GraphConfig,
                       notes: list[str]) -> FileResult:
    if theirs is None and path in entries:
        notes.append(f"{path} 曾由 xuncha-kb 生成、之后被删除；保持删除，不重建")
        return FileResult(path, None, None, {}, insp, "whiteboard")
    stage_pages = {}
    for f in scaffold.files:
        if f.kind == "stage":
            m = re.search(rf"^{re.escape(cv.P_STAGE)}:: (.+)$", f.content, re.M)
            if m:
                stage_pages[m.group(1).strip()] = f.title
    looks = stage_looks(insp_progress, stage_pages, completed) if insp_progress is not None else []
    source = theirs if theirs is not None else ours
    new, wb_notes = refresh_whiteboard(source, path, looks, config)
    notes.extend(wb_notes)
    if theirs is None:
        return FileResult(path, new, None, {}, insp, "whiteboard",
                          (BlockNote("added", path, "", "流程总览白板"),))
    if new == theirs:
        return FileResult(path, None, content_hash(theirs), {}, insp, "whiteboard")
    return FileResult(path, new, content_hash(theirs), {}, insp, "whiteboard",
                      (BlockNote("updated", path, "", "流程总览白板的阶段状态"),))


def apply_sync(plan: SyncPlan, root: Path) -> Any:
    """Write the plan through ``fs.apply`` (compare-and-swap on the bytes read, graph lock, manifest)."""
    from xuncha_kb.fs.apply import Create, Plan, Update, apply

    actions: list[Create | Update] = []
    for f in plan.writes:
        assert f.content is not None
        if f.base_hash is None:
            actions.append(Create(f.path, f.content, inspection=f.inspection, kind=f.kind, blocks=f.blocks))
        else:
            actions.append(Update(f.path, f.content, base_hash=f.base_hash, inspection=f.inspection,
                                  kind=f.kind, blocks=f.blocks))
    return apply(Plan(tuple(actions), "sync"), root)


def run_sync(root: Path, *, today: dt.date, dry_run: bool) -> tuple[SyncPlan, Any]:
    """The ``sync`` command: plan, and unless ``dry_run`` apply.  Returns (plan, apply result or None)."""
    from xuncha_kb.fs.scan import graph_root

    root = graph_root(root)
    plan = plan_sync(root, today=today)
    if dry_run or not plan.writes:
        return plan, None
    return plan, apply_sync(plan, root)
