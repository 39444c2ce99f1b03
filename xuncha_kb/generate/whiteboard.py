"""The overview whiteboard of an inspection: one box per stage, arrows in workflow order.

Written as Logseq writes a whiteboard file (docs/logseq-format.md §7): an EDN map
``{:blocks (shape blocks…) :pages (the whiteboard page)}`` in Logseq's "one entry per line"
style.  Each stage is a ``box`` shape labelled with the stage name, its activity count and
the stage page's name; consecutive stages are joined by ``line`` shapes whose two handles are
bound (``:bindings`` on the page) to the boxes, so Logseq draws connected arrows and the
project's whiteboard reader resolves ``from → to``.

Everything is deterministic: shape ids are uuid5 values derived from ``seed`` (the inspection
name), timestamps come from the entry date (or a fixed day), so a rerun is byte-identical.
Ids always start with a letter because binding ids become EDN keywords (``:<id>``), and a
keyword may not start with a digit in strict EDN readers.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from collections.abc import Sequence
from typing import Any

from xuncha_kb.workflow.model import Stage

_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://xuncha-kb.invalid/whiteboard")
_BOX_W, _BOX_H, _GAP, _X0, _Y0 = 240.0, 120.0, 100.0, 80.0, 240.0
_PER_ROW = 4
_FALLBACK_DAY = _dt.date(2026, 1, 1)


class Keyword(str):
    """An EDN keyword (rendered ``:name``)."""


class Uuid(str):
    """An EDN ``#uuid "…"`` literal."""


class EdnList(tuple[Any, ...]):
    """An EDN list ``( … )`` (a plain tuple/list becomes a vector ``[ … ]``)."""


def _id(seed: str, what: str) -> str:
    """A uuid5 for ``what`` whose first character is a letter."""
    salt = 0
    while True:
        u = str(uuid.uuid5(_NS, f"{seed}\x1f{what}\x1f{salt}"))
        if u[0].isalpha():
            return u
        salt += 1


def _str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def dumps(value: Any, *, top: bool = False) -> str:
    """A small EDN writer for the value types a whiteboard uses.

    Maps put one entry per line (Logseq's style); nested collections stay on their lines.
    """
    if isinstance(value, Keyword):
        return f":{value}"
    if isinstance(value, Uuid):
        return f"#uuid {_str(value)}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nil"
    if isinstance(value, str):
        return _str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dict):
        inner = "\n".join(f"{dumps(k)} {dumps(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, EdnList):
        sep = "\n" if top else " "
        return "(" + sep.join(dumps(v) for v in value) + ")"
    if isinstance(value, list | tuple):
        return "[" + " ".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as EDN")


def _k(name: str) -> Keyword:
    return Keyword(name)


def _common(shape_id: str, page_id: str, kind: str, index: int, point: tuple[float, float]) -> dict[Any, Any]:
    return {
        _k("id"): shape_id, _k("type"): kind, _k("parentId"): page_id,
        _k("point"): [point[0], point[1]], _k("index"): index, _k("nonce"): index + 1,
        _k("scale"): [1, 1], _k("rotation"): 0, _k("opacity"): 1, _k("isLocked"): False,
        _k("stroke"): "", _k("fill"): "", _k("noFill"): False, _k("strokeType"): "line",
        _k("strokeWidth"): 2, _k("fontSize"): 20, _k("fontWeight"): 400, _k("italic"): False,
        _k("scaleLevel"): "md",
    }


def _position(i: int) -> tuple[float, float]:
    row, col = divmod(i, _PER_ROW)
    if row % 2:  # snake back on odd rows so arrows stay short
        col = _PER_ROW - 1 - col
    return (_X0 + col * (_BOX_W + _GAP), _Y0 + row * (_BOX_H + _GAP))


NOT_STARTED = "未开始"  # report.labels.STAGE_LABEL["not_started"]: what sync writes on an untouched stage
OVERDUE_NOTE = "（有逾期）"
OVERDUE_FILL = "red"


def stage_look(position: int, stage: Stage, overdue: bool) -> tuple[str, str]:
    """(label, fill) of a fresh stage box — every activity still open — exactly as sync's
    refresh labels it, so the board scaffold writes is current from the start."""
    label = f"{position}. {stage.name}\n0/{len(stage.activities)} {NOT_STARTED}"
    return (label + OVERDUE_NOTE, OVERDUE_FILL) if overdue else (label, "")


def stage_whiteboard(title: str, stages: Sequence[tuple[str, Stage]], *, seed: str,
                     created: _dt.date | None = None, overdue: frozenset[str] = frozenset()) -> str:
    """EDN text of a whiteboard titled ``title`` with one box per ``(stage page, stage)``;
    the stages in ``overdue`` (ids) show red with 有逾期, as sync shows them."""
    page_id = _id(seed, "page")
    day = created or _FALLBACK_DAY
    stamp = int(_dt.datetime(day.year, day.month, day.day, tzinfo=_dt.UTC).timestamp() * 1000)
    shapes: list[dict[Any, Any]] = []
    bindings: dict[Any, Any] = {}
    title_id = _id(seed, "title")
    heading = _common(title_id, page_id, "text", 0, (_X0, _Y0 - 140))
    heading.update({_k("text"): f"{title}\n（阶段页面：{'、'.join(s.name for _, s in stages)}）",
                    _k("size"): [4 * _BOX_W, 80], _k("fontSize"): 28, _k("isAutoResizing"): True,
                    _k("padding"): 4, _k("lineHeight"): 1.2})
    shapes.append(heading)
    box_ids: list[str] = []
    for i, (page_name, stage) in enumerate(stages):
        box_id = _id(seed, f"stage:{stage.id}")
        box_ids.append(box_id)
        box = _common(box_id, page_id, "box", len(shapes), _position(i))
        label, fill = stage_look(i + 1, stage, stage.id in overdue)
        box.update({_k("size"): [_BOX_W, _BOX_H], _k("borderRadius"): 8, _k("label"): label,
                    _k("fill"): fill, _k("stroke"): fill, _k("refs"): [page_name]})
        shapes.append(box)
    for i in range(len(box_ids) - 1):
        line_id = _id(seed, f"arrow:{i}")
        start_b, end_b = _id(seed, f"bind:{i}:start"), _id(seed, f"bind:{i}:end")
        (x1, y1), (x2, y2) = _position(i), _position(i + 1)
        sx, sy = x1 + _BOX_W / 2, y1 + _BOX_H / 2
        ex, ey = x2 + _BOX_W / 2, y2 + _BOX_H / 2
        line = _common(line_id, page_id, "line", len(shapes), (min(sx, ex), min(sy, ey)))
        line.update({
            _k("handles"): {
                _k("start"): {_k("id"): "start", _k("canBind"): True,
                              _k("point"): [sx - min(sx, ex), sy - min(sy, ey)], _k("bindingId"): start_b},
                _k("end"): {_k("id"): "end", _k("canBind"): True,
                            _k("point"): [ex - min(sx, ex), ey - min(sy, ey)], _k("bindingId"): end_b},
            },
            _k("decorations"): {_k("end"): "arrow"}, _k("label"): "",
        })
        shapes.append(line)
        for b_id, target, handle in ((start_b, box_ids[i], "start"), (end_b, box_ids[i + 1], "end")):
            bindings[_k(b_id)] = {_k("id"): b_id, _k("type"): "line", _k("fromId"): line_id,
                                  _k("toId"): target, _k("handleId"): handle,
                                  _k("point"): [0.5, 0.5], _k("distance"): 4}
    blocks = EdnList({
        _k("block/properties"): {_k("ls-type"): _k("whiteboard-shape"), _k("logseq.tldraw.shape"): s},
        _k("block/created-at"): stamp, _k("block/updated-at"): stamp,
    } for s in shapes)
    page = {
        _k("block/uuid"): Uuid(page_id),
        _k("block/properties"): {
            _k("ls-type"): _k("whiteboard-page"),
            _k("logseq.tldraw.page"): {
                _k("id"): page_id, _k("name"): title, _k("bindings"): bindings, _k("nonce"): 1,
                _k("assets"): [], _k("shapes-index"): EdnList(s[_k("id")] for s in shapes),
            },
        },
        _k("block/journal?"): False, _k("block/updated-at"): stamp, _k("block/created-at"): stamp,
        _k("block/type"): "whiteboard", _k("block/name"): title.lower(), _k("block/original-name"): title,
    }
    return "{:blocks " + dumps(blocks, top=True) + "\n:pages (" + dumps(page) + ")}\n"
