"""A workflow document (whiteboard, page, export) → a draft ``Workflow``.

Offices write their process as prose: stage titles (bold lines, headings, or blocks named
``…阶段``), then activities one per line, several per line joined by ``、``, or one per
bullet; sometimes a count ("一共是十三项活动内容"), sometimes an explanation of one activity's
parts ("其中三项清单是指 … **问题清单** …"), and deadline sentences ("应自反馈意见签收之日起
3 个月内").  This module recovers that structure with generic rules — no stage or activity
name is written here — so it works on other offices' documents in the same style.

The pure core is ``extract_blocks(blocks)``: a list of ``SourceBlock`` (one block's Markdown
text, its outline depth and where it came from) → ``Extraction``.  ``extract_file(path)`` reads
a whiteboard ``.edn``, a Markdown page or an EDN/JSON export through the Logseq readers and
calls it.  Markdown is tokenised with markdown-it-py; the rules below work on its tokens'
lines, never on raw Markdown.

Rules, in order (the wording rules are small named functions in ``wording.py``):

1. *Lines*: every paragraph line, heading and list item of every block, with its bold runs,
   whether it is all bold, its heading level, its outline depth and its file line.
   Property lines (``key:: value``) are skipped.
2. *Stages*: an all-bold line, a heading (except a lone title heading above the stages), or
   a short line named ``…阶段`` / ``第N阶段：…``; a bold line with nothing under it right
   above the first stage is the document's title.  Numbering (``一、`` ``第二阶段：``) and
   the ``阶段`` suffix are removed from the name; ``（13项）`` in a title is a stated count.
3. *Meta lines* inside a stage: count hints (``一共是十三项活动内容``, ``有六项活动内容``,
   ``本阶段共5项工作：…``), the lead-in ``分别是``, and sub-item explanations
   (``其中X是指`` followed by lines whose bold runs — or, without bold, whose lines — are the
   sub-items of the activity that mentions X).  Lines nested deeper than the stage's
   activities (nested bullets, child blocks) are sub-items of the activity above them.
4. *Joining*: a line continues the previous one when it starts with a continuation word
   (进行, 提出, 并, 及, 将, 与, 是否, 提交, 应 …), or the previous line ends on a word that needs
   an object (…的, …将, …对, …就, …和, …后 …), or the previous line opens with a prepositional
   phrase (根据…, 按照…, 围绕…) or an object clause without its verb (对发现的问题 + 形成…).
   Only lines of the same block and list item are joined.
5. *Splitting*: a single (unjoined) line is split on ``、`` into activities, and on ``，`` when
   every clause starts the same way (``向A移交…，向B移交…``).  Joined sentences are not split:
   their ``、`` enumerate objects, not activities.
6. *Deadlines*: ``自X之日起N个月内`` / ``X后N天内`` / ``X前N天`` become a rule on the
   activity, anchored on the milestone ``X日``.
7. *Counts*: a stated count that differs from what was found is a warning naming the stage.

Ids are generated (``s1``, ``s1.01``, milestones ``m1``); activities depend on the previous
one in document order.  A stage whose name — or most of whose activities — mention 年度 is
annual.  The result is a draft to be curated: write it with ``-o`` and edit the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xuncha_kb.errors import InputError
from xuncha_kb.model import MARKERS, Block, Span
from xuncha_kb.workflow.model import Activity, DeadlineRule, Milestone, Stage, Workflow
from xuncha_kb.workflow.wording import (
    LEAD_IN,
    NUMBERING,
    ORDINAL_STAGE,
    STAGE_COUNT,
    SUB_INTRO,
    cn_number,
    continues,
    count_hint,
    find_deadline,
    short_title,
    split_activities,
    stage_name,
    strip_sequencer,
)

# --- input and output ------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class ExtractWarning:
    message: str
    stage: str | None = None
    span: Span | None = None

    def __str__(self) -> str:
        where = f"{self.span.file}:{self.span.line}: " if self.span else ""
        return f"{where}警告：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "message": self.message,
                "file": self.span.file if self.span else None,
                "line": self.span.line if self.span else None}


@dataclass(frozen=True, slots=True)
class Extraction:
    workflow: Workflow
    warnings: tuple[ExtractWarning, ...] = ()
    stated_stage_count: int | None = None

    def as_dict(self) -> dict[str, Any]:
        wf = self.workflow
        ms = {m.id: m.name for m in wf.milestones}
        stages = []
        deadlines = []
        for st in wf.stages:
            acts = []
            for a in st.activities:
                item: dict[str, Any] = {"id": a.id, "name": a.name, "subitems": list(a.subitems),
                                        "line": a.span.line if a.span else None}
                if a.deadline:
                    item["deadline"] = _deadline_dict(a, a.deadline, ms)
                    deadlines.append(_deadline_dict(a, a.deadline, ms))
                acts.append(item)
            stages.append({"id": st.id, "name": st.name, "scope": st.scope,
                           "stated_count": st.stated_count, "count": len(st.activities),
                           "line": st.span.line if st.span else None, "activities": acts})
        return {"name": wf.name, "source": wf.source, "stated_stage_count": self.stated_stage_count,
                "stages": stages, "deadlines": deadlines,
                "milestones": [{"id": m.id, "name": m.name} for m in wf.milestones],
                "warnings": [w.as_dict() for w in self.warnings]}


def _deadline_dict(a: Activity, rule: DeadlineRule, ms: dict[str, str]) -> dict[str, Any]:
    return {"activity": a.id, "anchor": rule.anchor, "milestone": ms.get(rule.anchor),
            "offset": rule.offset, "kind": rule.kind, "source": rule.source, "text": rule.text,
            "line": rule.span.line if rule.span else None}


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
    """Rule 1: every line of every block, with its outline level and file line."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    out: list[Line] = []
    for bi, sb in enumerate(blocks):
        tokens = md.parse(sb.text)
        list_depth = 0
        item_stack: list[int] = []
        heading: int | None = None
        mine: list[Line] = []
        for ti, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif tok.type == "list_item_open":
                item_stack.append(ti)
            elif tok.type == "list_item_close":
                item_stack.pop()
            elif tok.type == "heading_open":
                heading = int(tok.tag[1:])
            elif tok.type == "heading_close":
                heading = None
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
        out += mine
    return out


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


# --- the core --------------------------------------------------------------------------


@dataclass
class _Act:
    name: str
    span: Span
    subitems: list[str] = field(default_factory=list)


@dataclass
class _Stage:
    name: str
    span: Span
    stated: int | None
    acts: list[_Act] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Scope:
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
    def of(cls, ln: Line, nxt: Line | None, blocks: Sequence[SourceBlock]) -> _Scope:
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


def extract_blocks(blocks: Sequence[SourceBlock], *, name: str | None = None,
                   source: str | None = None) -> Extraction:
    """The pure core: blocks → draft workflow + warnings (see module doc)."""
    lines = block_lines(blocks)
    stage_idx = find_stage_lines(lines)
    warnings: list[ExtractWarning] = []
    title = name
    stated_stages: int | None = None
    sections: list[tuple[_Stage, list[Line]]] = []
    current: tuple[_Stage, list[Line]] | None = None
    scope: _Scope | None = None
    for i, ln in enumerate(lines):
        if current is not None and scope is not None and scope.ends_before(ln, blocks):
            current, scope = None, None
        if i in stage_idx:
            sname, count = stage_name(ln.text)
            current = (_Stage(sname, ln.span, count), [])
            sections.append(current)
            scope = _Scope.of(ln, lines[i + 1] if i + 1 < len(lines) else None, blocks)
            continue
        if current is None:
            if ln.heading is not None and title is None:
                title = ln.text
            m = STAGE_COUNT.search(ln.text)
            if m and stated_stages is None:
                stated_stages = cn_number(m.group(1))
            continue
        current[1].append(ln)

    if title is None and len(sections) > 1 and not sections[0][1] and sections[0][0].stated is None:
        # a bold line right above the first stage, with nothing under it, is the title
        title = sections.pop(0)[0].name
    for st, body in sections:
        _fill_stage(st, body)
    if title is None and sections:
        title = blocks[_first_block_of(lines, sections[0][0])].document
    wf, more = _to_workflow(sections, title or "工作流程", source)
    warnings += more
    if not wf.stages:
        warnings.append(ExtractWarning("没有找到任何阶段：阶段标题应为加粗行、标题（#）或以“阶段”结尾的块"))
    if stated_stages is not None and stated_stages != len(wf.stages):
        warnings.append(ExtractWarning(f"文中写明分为 {stated_stages} 个阶段，实际找到 {len(wf.stages)} 个"))
    return Extraction(wf, tuple(warnings), stated_stages)


def _first_block_of(lines: Sequence[Line], st: _Stage) -> int:
    return next((ln.block for ln in lines if ln.span == st.span), 0)


@dataclass
class _Sentence:
    """One activity sentence, possibly joined from several lines of one block / list item."""

    text: str
    span: Span
    block: int
    item: int | None
    joined: bool = False


@dataclass(frozen=True)
class _Nested:
    """A line deeper than the stage's activities: a sub-item of the activity above it."""

    text: str


@dataclass(frozen=True)
class _Inline:
    """``X包括：A、B、C`` — sub-items of the activity that mentions X."""

    term: str
    items: tuple[str, ...]


def _fill_stage(st: _Stage, body: list[Line]) -> None:
    """Rules 3–5 on one stage's lines: meta lines, joining, splitting, sub-items."""
    base = min((ln.level for ln in body), default=0)
    pieces: list[_Sentence | _Nested | _Inline] = []
    sub_term: str | None = None  # after "其中X是指": the rest of the stage explains X
    sub_lines: list[Line] = []
    for ln in body:
        if sub_term is not None:
            sub_lines.append(ln)
            continue
        if ln.level > base and any(isinstance(p, _Sentence) for p in pieces):
            pieces.append(_Nested(strip_sequencer(ln.text)))
            continue
        text = NUMBERING.sub("", ln.text).strip() or ln.text
        hint = count_hint(text)
        if hint is not None:
            if st.stated is None:
                st.stated = hint[0]
            text = hint[1]
        text = LEAD_IN.sub("", text).strip()
        if not text:
            continue
        sm = SUB_INTRO.match(text)
        rest = sm.group("rest").strip() if sm else ""
        if sm and pieces and (not rest or "、" in rest):
            if rest:
                items = tuple(p.strip() for p in rest.split("、") if p.strip())
                pieces.append(_Inline(sm.group("term"), items))
            else:
                sub_term = sm.group("term")
            continue
        last = pieces[-1] if pieces else None
        if (isinstance(last, _Sentence) and (last.block, last.item) == (ln.block, ln.item)
                and continues(last.text, text, prev_joined=last.joined)):
            last.text += text
            last.joined = True
            continue
        pieces.append(_Sentence(text, ln.span, ln.block, ln.item))

    for piece in pieces:
        if isinstance(piece, _Sentence):
            for name in split_activities(piece.text, piece.joined):
                clean = strip_sequencer(name)
                if clean:
                    st.acts.append(_Act(clean, piece.span))
        elif isinstance(piece, _Nested):
            if st.acts and piece.text:
                st.acts[-1].subitems.append(piece.text)
        else:
            target = _activity_mentioning(st.acts, piece.term)
            if target is not None:
                target.subitems += piece.items
    if sub_term is not None and st.acts:
        target = _activity_mentioning(st.acts, sub_term) or st.acts[-1]
        bold = [b for ln in sub_lines for b in ln.bold]
        if bold:
            target.subitems += bold
        else:
            target.subitems += [strip_sequencer(ln.text) for ln in sub_lines if ln.text]


def _activity_mentioning(acts: list[_Act], term: str) -> _Act | None:
    t = term.strip()
    for a in reversed(acts):
        if t and t in a.name:
            return a
    return None


_ANNUAL = "年度"


def _is_annual(st: _Stage) -> bool:
    if _ANNUAL in st.name:
        return True
    hits = sum(1 for a in st.acts if _ANNUAL in a.name)
    return bool(st.acts) and hits * 2 > len(st.acts)


def _to_workflow(sections: list[tuple[_Stage, list[Line]]], title: str, source: str | None,
                 ) -> tuple[Workflow, list[ExtractWarning]]:
    warnings: list[ExtractWarning] = []
    milestones: dict[str, Milestone] = {}
    stages: list[Stage] = []
    prev: str | None = None
    for si, (st, _) in enumerate(sections, start=1):
        sid = f"s{si}"
        acts: list[Activity] = []
        for ai, a in enumerate(st.acts, start=1):
            aid = f"{sid}.{ai:02d}"
            rule = None
            found = find_deadline(a.name)
            if found is not None:
                ms = milestones.get(found.milestone)
                if ms is None:
                    ms = Milestone(id=f"m{len(milestones) + 1}", name=found.milestone)
                    milestones[found.milestone] = ms
                rule = DeadlineRule(anchor=ms.id, offset=found.offset,
                                    kind="hard" if found.kind == "hard" else "soft",
                                    source="seed", text=found.text, span=a.span)
            acts.append(Activity(id=aid, name=a.name, depends_on=(prev,) if prev else (),
                                 deadline=rule, subitems=tuple(a.subitems), span=a.span))
            prev = aid
        stage = Stage(id=sid, name=st.name, activities=tuple(acts),
                      scope="annual" if _is_annual(st) else "per_inspection",
                      stated_count=st.stated, span=st.span)
        if st.stated is not None and st.stated != len(acts):
            warnings.append(ExtractWarning(
                f"阶段「{st.name}」写明 {st.stated} 项活动，提取到 {len(acts)} 项；请核对提取结果",
                st.name, st.span))
        stages.append(stage)
    wf = Workflow(id="workflow", name=title, stages=tuple(stages),
                  milestones=tuple(milestones.values()), source=source)
    return wf, warnings


# --- reading files (the edge) ----------------------------------------------------------


def _blocks_from_tree(blocks: Sequence[Block], doc: str, depth: int = 0) -> Iterator[SourceBlock]:
    for b in blocks:
        if b.pre_block:
            continue
        yield SourceBlock(b.content, depth, b.span.file, b.span.line, False, document=doc)
        yield from _blocks_from_tree(b.children, doc, depth + 1)


def source_blocks(path: Path, display: str) -> list[SourceBlock]:
    """Read a workflow document (whiteboard, export, Markdown page) into blocks."""
    from xuncha_kb.inputfile import input_file_problem

    suffix = path.suffix.lower()
    what = input_file_problem(path)
    if what is not None:
        raise InputError(f"要提取的文件{what}，无法从中提取工作流程", file=display,
                         hint="请指定白板 .edn、Markdown 页面或 EDN/JSON 导出文件。")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("找不到文件", file=display) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取文件：{exc}", file=display) from None
    head = text.lstrip()[:1]
    is_edn = suffix == ".edn" or (head == "{" and ":block" in text[:20000])
    is_json = suffix == ".json" or (head in "{[" and head != "" and not is_edn and '"blocks"' in text[:20000])
    if is_edn and ("logseq.tldraw" in text or ':block/type "whiteboard"' in text):
        from xuncha_kb.logseq.whiteboard import parse_whiteboard

        wb, diags = parse_whiteboard(text, display)
        errors = [d for d in diags if d.severity == "error"]
        if errors:
            raise InputError(errors[0].message, file=display, line=errors[0].line)
        out = list(_blocks_from_tree(wb.blocks, wb.name))
        out += [SourceBlock(s.text, 0, display, 1, False, document=wb.name)
                for s in wb.shapes if s.type == "text" and s.text]
        return out
    if is_edn or is_json:
        from xuncha_kb.logseq.export import parse_export

        graph = parse_export(text, display)
        out = []
        for page in graph.pages:
            page_blocks = list(_blocks_from_tree(page.blocks, page.name))
            if page_blocks:
                page_blocks[0] = replace(page_blocks[0], new_document=True)
            out += page_blocks
        return out
    title = re.search(r"^title::[ \t]*(\S.*)$", text, re.MULTILINE)
    doc = title.group(1).strip() if title else path.stem
    return [SourceBlock(text, 0, display, 1, True, document=doc)]


def extract_file(path: Path | str, *, display: str | None = None) -> Extraction:
    """Read a whiteboard, Markdown page or export and extract its workflow."""
    shown = display or str(path)
    return extract_blocks(source_blocks(Path(path), shown), source=shown)
