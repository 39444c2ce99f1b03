"""Rules 1 and 2 of ``extract.py``: a workflow document's blocks → its lines (from markdown-it
tokens, never raw Markdown), and which of those lines open a stage."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from xuncha_kb.model import MARKERS, Span
from xuncha_kb.workflow.wording import NUMBERING, ORDINAL_STAGE, short_title


@dataclass(frozen=True, slots=True)
class SourceBlock:
    """One block's Markdown text.  ``exact_lines``: content line i is file line ``line + i``."""

    text: str
    depth: int = 0
    file: str = "<text>"
    line: int = 1
    exact_lines: bool = True
    new_document: bool = False  # a page boundary: close any open stage
    document: str | None = None  # the page / whiteboard the block belongs to


# --- 1. lines from markdown-it tokens --------------------------------------------------


@dataclass(slots=True)
class Line:
    text: str  # plain text, emphasis markers removed
    bold: list[str]  # bold runs in order
    all_bold: bool
    heading: int | None
    level: int  # block depth + list depth
    block: int  # index of the source block
    item: int | None  # list item identity (None outside lists)
    span: Span


_PROP_LINE = re.compile(r"^[^\s:：\[\]]+::(?:\s|$)")
_MARKER = re.compile(r"^(?:" + "|".join(map(re.escape, sorted(MARKERS, key=len, reverse=True))) + r")\s+")
_REFS = re.compile(r"\[\[([^\[\]]*)\]\]")


def _clean(text: str) -> str:
    t = text.replace("**", "").replace("__", "")
    t = _REFS.sub(r"\1", t)
    t = _MARKER.sub("", t.strip())
    return t.strip()


def _inline_lines(children: Sequence[Any]) -> Iterator[tuple[str, list[str], bool]]:
    """Split one inline token's children at line breaks: (text, bold runs, all bold?)."""
    text: list[str] = []
    bold: list[str] = []
    run: list[str] = []
    depth = 0
    plain_outside = False

    def flush() -> tuple[str, list[str], bool]:
        joined = "".join(text)
        all_bold = bool(bold) and not plain_outside
        return joined, list(bold), all_bold

    for c in children:
        if c.type in ("softbreak", "hardbreak"):
            yield flush()
            text, bold, run, plain_outside = [], [], [], False
            continue
        if c.type == "strong_open":
            depth += 1
            run = []
            continue
        if c.type == "strong_close":
            depth = max(0, depth - 1)
            if depth == 0 and "".join(run).strip():
                bold.append(_clean("".join(run)))
            continue
        piece = c.content if c.type in ("text", "code_inline") else ""
        if c.type == "image":
            piece = ""
        text.append(piece)
        if depth:
            run.append(piece)
        elif _clean(piece):
            plain_outside = True
    yield flush()


def block_lines(blocks: Sequence[SourceBlock]) -> list[Line]:
    """Rule 1: every line of every block, with its outline level and file line (tables:
    ``extract_table.py``)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    out: list[Line] = []
    for bi, sb in enumerate(blocks):
        out += _token_lines(sb, bi, md.parse(sb.text))
    return out


def _table(sb: SourceBlock, bi: int, tokens: Sequence[Any], at: int, level: int) -> tuple[list[Line], int]:
    from xuncha_kb.workflow.extract_table import table_rows, table_texts

    rows, after = table_rows(tokens, at)
    out: list[Line] = []

    def emit(text: str, is_stage: bool, offset: int) -> None:
        clean = _clean(text)
        if clean:
            line = sb.line + offset if sb.exact_lines else sb.line
            out.append(Line(clean, [clean] if is_stage else [], is_stage, None, level, bi,
                            None if is_stage else -(len(out) + 1), Span(sb.file, line)))

    table_texts(rows, emit)
    return out, after


def _token_lines(sb: SourceBlock, bi: int, tokens: Sequence[Any]) -> list[Line]:
    list_depth = 0
    item_stack: list[int] = []
    heading: int | None = None
    mine: list[Line] = []
    ti = 0
    while ti < len(tokens):
        tok = tokens[ti]
        ti += 1
        if tok.type in ("bullet_list_open", "ordered_list_open", "bullet_list_close", "ordered_list_close"):
            list_depth += 1 if tok.type.endswith("_open") else -1
        elif tok.type == "list_item_open":
            item_stack.append(ti)
        elif tok.type == "list_item_close":
            item_stack.pop()
        elif tok.type in ("heading_open", "heading_close"):
            heading = int(tok.tag[1:]) if tok.type == "heading_open" else None
        elif tok.type == "table_open":
            rows, ti = _table(sb, bi, tokens, ti - 1, sb.depth)
            mine += rows
        elif tok.type == "inline":
            first = (tok.map[0] if tok.map else 0)
            for k, (text, bold, all_bold) in enumerate(_inline_lines(tok.children or [])):
                clean = _clean(text)
                if not clean or _PROP_LINE.match(text.strip()):
                    continue
                line = sb.line + first + k if sb.exact_lines else sb.line
                mine.append(Line(
                    text=clean, bold=bold, all_bold=all_bold, heading=heading,
                    level=sb.depth + max(0, list_depth - 1) if list_depth else sb.depth,
                    block=bi, item=item_stack[-1] if item_stack else None,
                    span=Span(sb.file, line),
                ))
    return mine


# --- 2. stages (the wording rules are in wording.py) ------------------------------


def _named_stage(line: Line) -> bool:
    """``巡察准备阶段`` / ``第二阶段：现场巡察`` — a short line that names a stage."""
    t = NUMBERING.sub("", line.text).rstrip("：:") if not ORDINAL_STAGE.match(line.text) else line.text
    return short_title(t) and ((t.endswith("阶段") and len(t) > 2) or bool(ORDINAL_STAGE.match(t)))


def find_stage_lines(lines: Sequence[Line]) -> set[int]:
    """Rule 2: indices of the lines that open a stage."""
    headings = [i for i, ln in enumerate(lines) if ln.heading is not None]
    stage_idx: set[int] = set()
    for i, ln in enumerate(lines):
        bare = NUMBERING.sub("", ln.text).rstrip("：:")
        if (ln.heading is None and ln.all_bold and short_title(bare)) or (
            ln.heading is None and _named_stage(ln)
        ):
            stage_idx.add(i)
    title = _title_heading(lines, headings, stage_idx)
    for i in headings:
        if i != title:
            stage_idx.add(i)
    return stage_idx


def _title_heading(lines: Sequence[Line], headings: list[int], others: set[int]) -> int | None:
    """The document's title: its first heading, when every other stage marker is below it
    and no other heading is as high (a lone ``### 巡察工作流程`` above bold stage lines)."""
    if not headings:
        return None
    first = headings[0]
    if others and min(others) < first:
        return None
    level = lines[first].heading or 0
    rest = [lines[i].heading or 0 for i in headings[1:]]
    if rest and min(rest) <= level:
        return None
    if not rest and not others:
        return None  # a lone heading with nothing else is itself a stage
    if lines[first].text.rstrip("：:").endswith("阶段"):
        return None
    return first


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines after a stage header belong to the stage (rule 2, second half).

    * ``heading``: a Markdown heading outside any list item — a section of a flat document;
      it runs until the next stage header or the end of its block's subtree.
    * ``nested``: the header's block / list item has deeper lines after it (child blocks,
      nested bullets) — the stage is that subtree.
    * ``inline``: the activities follow in the same block or list item (the seed's one big
      block) — the stage ends with it.
    * ``flat``: header and activities are siblings — it runs until the next stage header.
    """

    mode: str
    level: int
    block: int
    item: int | None
    block_depth: int

    @classmethod
    def of(cls, ln: Line, nxt: Line | None, blocks: Sequence[SourceBlock]) -> Scope:
        depth = blocks[ln.block].depth
        if ln.heading is not None and ln.item is None:
            mode = "heading"
        elif nxt is not None and nxt.level > ln.level:
            mode = "nested"
        elif nxt is not None and (nxt.block, nxt.item) == (ln.block, ln.item):
            mode = "inline"
        else:
            mode = "flat"
        return cls(mode, ln.level, ln.block, ln.item, depth)

    def ends_before(self, ln: Line, blocks: Sequence[SourceBlock]) -> bool:
        if ln.block != self.block and blocks[ln.block].new_document:
            return True
        left_block = ln.block != self.block and blocks[ln.block].depth <= self.block_depth
        if self.mode == "heading":
            return left_block
        if self.mode == "nested":
            return ln.level <= self.level
        if self.mode == "inline":
            return not ((ln.block, ln.item) == (self.block, self.item) or ln.level > self.level)
        return ln.level < self.level
