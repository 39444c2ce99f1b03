"""Sync's refresh of an inspection's overview whiteboard: each stage box shows its stage's
state (label and colour); every other byte of the board stays as it is."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xuncha_kb.filespec import content_hash
from xuncha_kb.generate.merge_grammar import page_property
from xuncha_kb.generate.sync_plan import BlockNote, FileResult
from xuncha_kb.model import GraphConfig
from xuncha_kb.report.labels import STAGE_LABEL
from xuncha_kb.track import conventions as cv

STAGE_FILL = {"done": "green", "in_progress": "yellow", "not_started": ""}
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
        state = st.status
        label = f"{i}. {st.name}\n{st.done}/{st.total} {STAGE_LABEL[state]}"
        when = (completed or {}).get((inspection.name, st.id))
        if state == "done" and when:
            label += f"（{when}）"
        elif overdue:
            label += "（有逾期）"
        fill = "red" if overdue and state != "done" else STAGE_FILL.get(state, "")
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


def whiteboard_result(path: str, theirs: str | None, ours: str, entries: Mapping[str, Any], insp: str,
                       insp_progress: Any, scaffold: Any, redirect: Mapping[str, str],
                       completed: Mapping[tuple[str, str], str], config: GraphConfig,
                       notes: list[str]) -> FileResult:
    if theirs is None and path in entries:
        notes.append(f"{path} 曾由 xuncha-kb 生成、之后被删除；保持删除，不重建")
        return FileResult(path, None, None, {}, insp, "whiteboard")
    stage_pages = {}
    for f in scaffold.files:
        if f.kind == "stage":
            sid = page_property(f.content, f.path, cv.P_STAGE)  # Org: ``#+阶段:``
            if sid:
                stage_pages[sid] = f.title
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
