"""Sync's pure core: the three-way merge of one page file, block by generated block.

*Base* is the manifest's hash of a block as generated, *ours* the block as the generator makes
it now, *theirs* the block on disk.  A task block's lines are split into generator-owned (the
title after the marker, ``DEADLINE:``, generated property lines, ``子项`` children) and
user-owned (marker, priority, ``SCHEDULED:``, ``:LOGBOOK:``, any other property, body line or
child).  If the generator-owned part still hashes to base, ours replaces it and every
user-owned line is copied byte for byte; otherwise the block is left exactly as it is and
reported as a conflict.  See ``commands/sync.py`` for the graph-level driver and
docs/watch-sync.md for the rules in full.  The same rules hold for Markdown and Org pages: the
format's line grammar (heads, property lines or drawers, page properties) is
``generate/merge_grammar.py``, chosen by the file's extension.

What is printed about a block follows ``track/sensitive.py``: a label read from the page
on disk (the user's text) is the placeholder when the page or the block is sensitive, and any
label that refers to a sensitive page (link, tag, embed) is the placeholder too; the path of a
sensitive page the generator does not own is never printed.  The result types and their
printing are ``generate/sync_plan.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from xuncha_kb.filespec import content_hash
from xuncha_kb.generate.merge_grammar import (
    GENERATED_TASK_KEYS,
    MARKDOWN,
    P_REMOVED,
    Grammar,
    TaskParts,
    grammar_for,
    strip_blank_tail,
)
from xuncha_kb.generate.merge_labels import ours_label, page_is_secret, theirs_label
from xuncha_kb.generate.pages import task_marker
from xuncha_kb.generate.sync_plan import BlockNote, FileResult
from xuncha_kb.model import Block, GraphConfig
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.sensitive import NO_SECRETS, Secrets

__all__ = ["GENERATED_TASK_KEYS", "P_REMOVED", "TaskParts", "layout", "strip_blank_tail", "sync_page",
           "text_hash"]


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
    pre_block: Block | None = None  # the parsed pre-block (page properties), if any


def block_key(b: Block) -> str | None:
    if "id" in b.properties and b.properties["id"].strip():
        return b.properties["id"].strip()
    gen = b.properties.get(cv.P_GENERATED)
    return f"generated:{gen.strip()}" if gen else None


def layout(text: str, file: str, config: GraphConfig | None = None) -> Layout:
    """Split a page (Markdown or Org, by ``file``'s extension) into its pre-block and top-level
    blocks (line ranges)."""
    from xuncha_kb.logseq.page import parse_text

    parsed = parse_text(text, file, grammar_for(file).fmt, config=config)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tops = [b for b in parsed.blocks if not b.pre_block]
    pre_block = next((b for b in parsed.blocks if b.pre_block), None)
    starts = [b.span.line - 1 for b in tops]
    pre_end = starts[0] if starts else len(lines)
    out = []
    for i, b in enumerate(tops):
        end = starts[i + 1] if i + 1 < len(tops) else len(lines)
        out.append(TopBlock(b, starts[i], end, block_key(b)))
    return Layout(tuple(lines), (0, pre_end), tuple(out), pre_block)


def text_hash(lines: Sequence[str]) -> str:
    return content_hash("\n".join(strip_blank_tail(lines)) + "\n")


# --- classifying a task block's lines ------------------------------------------------------


def task_parts(b: Block, lines: Sequence[str], start: int, end: int, g: Grammar = MARKDOWN) -> TaskParts:
    """Split the lines of a task block (``lines[start:end]``) into generator- and user-owned parts."""
    return g.task_parts(b, lines, start, end)


def task_normal_form(parts: TaskParts, g: Grammar = MARKDOWN) -> list[str]:
    """What the generator-owned part of a task looks like, to compare with the manifest's base."""
    out = [g.reset_head(parts.head), *parts.deadline, *g.normal_props(parts.generated)]
    for sub in parts.subitems:
        out.extend(g.subitem_normal(sub))
    return out


def merge_task(theirs: TaskParts, ours: TaskParts, g: Grammar = MARKDOWN) -> list[str]:
    """Ours for every generator-owned line; theirs for the marker and every user-owned line."""
    tm, om = g.head_re.match(theirs.head), g.head_re.match(ours.head)
    head = theirs.head
    if tm and om:
        head = g.make_head(tm.group("indent"), (tm.group("marker") or "") + (tm.group("prio") or ""),
                           om.group("rest"))
    out = [head, *theirs.scheduled, *ours.deadline, *g.props_section(ours.generated, theirs), *theirs.user]
    have = {m.group("rest") for s in theirs.subitems if (m := g.head_re.match(s[0]))}
    new_subs = [s for s in ours.subitems if (m := g.head_re.match(s[0])) and m.group("rest") not in have]
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


def _is_task(b: Block) -> bool:
    return cv.P_ACTIVITY in b.properties


def merge_block(theirs_block: Block, t_lines: Sequence[str], t_start: int, t_end: int,
                ours_lines: Sequence[str] | None, ours_block: Block | None, o_start: int, o_end: int,
                base: str | None, g: Grammar = MARKDOWN) -> tuple[list[str], str | None]:
    """New lines for one keyed block, and what happened (None = nothing to do, "conflict", …)."""
    theirs_text = list(t_lines[t_start:t_end])
    tail = theirs_text[len(strip_blank_tail(theirs_text)):]
    if ours_lines is None or ours_block is None:
        return theirs_text, None
    ours_text = strip_blank_tail(ours_lines[o_start:o_end])
    if strip_blank_tail(theirs_text) == ours_text:
        return theirs_text, None
    if _is_task(theirs_block) and _is_task(ours_block):
        tp = g.task_parts(theirs_block, t_lines, t_start, t_end)
        op = g.task_parts(ours_block, ours_lines, o_start, o_end)
        normal = task_normal_form(tp, g)
        if base is None or base not in (text_hash(normal), text_hash(g.legacy_form(normal))):
            return theirs_text, "conflict"
        merged = merge_task(tp, op, g)
        same = strip_blank_tail(merged) == strip_blank_tail(theirs_text)
        return merged + tail, (None if same else "updated")
    # a generated heading: replace only if untouched (its collapsed state is the user's)
    plain = [ln for ln in strip_blank_tail(theirs_text) if not _is_collapsed(ln)]
    untouched = base is not None and base in (text_hash(strip_blank_tail(theirs_text)), text_hash(plain))
    if not untouched:
        return theirs_text, "conflict"
    new = [ln for ln in ours_text if not _is_collapsed(ln)]
    if any(_is_collapsed(ln) for ln in theirs_text[:1 + len(theirs_block.content.splitlines())]):
        col = next(ln for ln in theirs_text if _is_collapsed(ln))
        new.insert(g.prop_insert_at(new), col)
    return new + tail, "updated"


def _is_collapsed(line: str) -> bool:
    return line.strip().lower().startswith(("collapsed::", ":collapsed:"))


def mark_removed(theirs_block: Block, t_lines: Sequence[str], start: int, end: int, today: dt.date,
                 g: Grammar = MARKDOWN) -> list[str]:
    text = list(t_lines[start:end])
    if P_REMOVED in theirs_block.properties:
        return text
    parts = g.task_parts(theirs_block, t_lines, start, end)
    at = 1 + len(parts.scheduled) + len(parts.deadline)
    own_end = (theirs_block.children[0].span.line - 1 - start) if theirs_block.children else \
        len(strip_blank_tail(text))
    for i in range(1, own_end):
        if text[i].strip() in parts.generated:
            at = i + 1
    note = f"工作流程中已没有此活动（{today.isoformat()} 同步），可确认后删除"
    text.insert(at, g.prop_line(P_REMOVED, note, text[0]))
    return text


def sync_page(path: str, theirs: str | None, ours: str | None, *, base_blocks: Mapping[str, str],
              ours_blocks: Mapping[str, str], removed_keys: Iterable[str], elsewhere: Iterable[str],
              today: dt.date, inspection: str, kind: str, config: GraphConfig | None = None,
              secrets: Secrets = NO_SECRETS) -> FileResult:
    """Three-way merge of one page file (pure).

    ``removed_keys``: task ids no longer in the workflow; ``elsewhere``: keys of ours that live
    in another file (the user moved them, or the stage changed) and must not be inserted here;
    ``secrets``: the graph's sensitive pages, for what the notes may quote.
    """
    if theirs is None:
        return FileResult(path, ours, None, dict(ours_blocks), inspection, kind,
                          (BlockNote("added", path, "", "整页"),) if ours else ())
    g = grammar_for(path)
    t = layout(theirs, path, config)
    o = layout(ours, path, config) if ours is not None else Layout((), (0, 0), ())
    secret = page_is_secret(path, t.pre_block, secrets)
    o_by_key = {b.key: b for b in o.blocks if b.key}
    removed = set(removed_keys)
    skip_insert = set(elsewhere)
    out: list[str] = list(t.lines[t.pre[0]:t.pre[1]])
    out = _add_missing_page_props(out, list(o.lines[o.pre[0]:o.pre[1]]), g)
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
            lines, written = t.lines[tb.start:tb.end], task_marker(config) if config is not None else "TODO"
            untouched = key in base_blocks and g.as_written(lines, written) \
                and base_blocks[key] == text_hash(g.hashed_form(lines, written))
            if untouched:
                notes.append(BlockNote("removed", path, key, theirs_label(tb.block, secret, secrets)))
                blocks.pop(key, None)
                continue
            new = mark_removed(tb.block, t.lines, tb.start, tb.end, today, g)
            if new != list(t.lines[tb.start:tb.end]):
                notes.append(BlockNote("marked", path, key, theirs_label(tb.block, secret, secrets),
                                       "用户修改过或写了笔记，未删除"))
            out.extend(new)
            continue
        ob = o_by_key[key]
        new, what = merge_block(tb.block, t.lines, tb.start, tb.end, o.lines, ob.block, ob.start, ob.end,
                                base_blocks.get(key), g)
        out.extend(new)
        emitted[key] = len(out)
        if what == "conflict":
            notes.append(BlockNote("conflict", path, key, theirs_label(tb.block, secret, secrets),
                                   "生成的内容被用户修改过"))
        else:
            blocks[key] = ours_blocks.get(key, blocks.get(key, ""))
            if what:
                notes.append(BlockNote(what, path, key, ours_label(ob.block, secrets)))
    _insert_missing(o, out, emitted, present | skip_insert, blocks, ours_blocks, notes, path, secrets)
    new_text = "\n".join(out) + "\n" if out else ""
    if theirs.endswith("\n") is False and new_text.endswith("\n") and new_text[:-1] == theirs:
        new_text = theirs
    changed = new_text != theirs
    return FileResult(path, new_text if changed else None, content_hash(theirs), blocks, inspection, kind,
                      tuple(notes), secret=secret and kind == "page")


def _insert_missing(o: Layout, out: list[str], emitted: dict[str, int], skip: set[str],
                    blocks: dict[str, str], ours_blocks: Mapping[str, str], notes: list[BlockNote],
                    path: str, secrets: Secrets) -> None:
    """Insert ours blocks missing from theirs (new activities), each after its predecessor.

    Changes ``out``, ``emitted`` (ours key → index in ``out`` just after it), ``blocks`` and
    ``notes`` in place; keys in ``skip`` (present already, or living in another file) stay out.
    """
    for i, ob in enumerate(o.blocks):
        if not ob.key or ob.key in skip:
            continue
        text = strip_blank_tail(o.lines[ob.start:ob.end])
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
        notes.append(BlockNote("added", path, ob.key, ours_label(ob.block, secrets)))



def _add_missing_page_props(pre: list[str], ours_pre: list[str], g: Grammar = MARKDOWN) -> list[str]:
    """Append generated page properties that the page lacks (e.g. a new milestone date key)."""
    have = {k for ln in pre if (k := g.page_prop_key(ln))}
    missing = [ln for ln in ours_pre if (k := g.page_prop_key(ln)) and k not in have]
    if not missing or not pre:
        return pre
    last = max((i for i, ln in enumerate(pre) if g.page_prop_key(ln)), default=len(pre) - 1)
    return pre[:last + 1] + missing + pre[last + 1:]
