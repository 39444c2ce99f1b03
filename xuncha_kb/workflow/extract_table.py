"""Rule 1 for tables: a Markdown table of a workflow document → stage and activity lines.

Offices often keep their process as a table: one row per activity, a column naming the stage
(repeated or left empty under the first row of the stage), a column with the activity, and
perhaps columns for who does it and by when.  The header row says which column is which
(``阶段``/``环节``; ``活动``/``事项``/``工作``/``内容``/``步骤``; ``责任``/``负责``/``主体``/
``承办``; ``时限``/``期限``/``时间``).  Each new stage value becomes an all-bold line (a stage
header for rule 2); each row becomes the line ``<actor><activity>，<time limit>`` so that the
sentence rules read its actor and deadline as they would in prose.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

_COLUMNS = {
    "stage": ("阶段", "环节"),
    "activity": ("活动", "事项", "工作", "内容", "步骤"),
    "actor": ("责任", "负责", "主体", "承办"),
    "limit": ("时限", "期限", "时间"),
}


def _roles(header: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, cell in enumerate(header):
        for role, words in _COLUMNS.items():
            if role not in out and any(w in cell for w in words):
                out[role] = i
                break
    return out


def table_rows(tokens: Sequence[Any], start: int) -> tuple[list[tuple[int, list[str]]], int]:
    """The rows (file line offset, cell texts) of the table opening at ``tokens[start]``, and
    the index just after it."""
    rows: list[tuple[int, list[str]]] = []
    cells: list[str] = []
    line = 0
    i = start
    while i < len(tokens) and tokens[i].type != "table_close":
        tok = tokens[i]
        if tok.type == "tr_open":
            cells, line = [], (tok.map[0] if tok.map else line)
        elif tok.type == "inline":
            cells.append(tok.content.replace("**", "").strip())
        elif tok.type == "tr_close":
            rows.append((line, cells))
        i += 1
    return rows, i + 1


def table_texts(rows: Sequence[tuple[int, list[str]]],
                emit: Callable[[str, bool, int], None]) -> None:
    """Call ``emit(text, is_stage, line offset)`` for each stage header and activity row."""
    if not rows:
        return
    roles = _roles(rows[0][1])
    act = roles.get("activity", 1 if "stage" in roles else 0)
    stage: str | None = None

    def cell(cells: list[str], role: str) -> str:
        i = roles.get(role)
        return cells[i] if i is not None and i < len(cells) else ""

    for line, cells in rows[1:]:
        s = cell(cells, "stage")
        if s and s != stage:
            stage = s
            emit(s, True, line)
        name = cells[act] if act < len(cells) else ""
        if not name:
            continue
        limit = cell(cells, "limit")
        emit(cell(cells, "actor") + name + (f"，{limit}" if limit else ""), False, line)
