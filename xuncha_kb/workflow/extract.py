"""A workflow document (whiteboard, page, export) → a draft ``Workflow``.

Offices write their process as prose: stage titles (bold lines, headings, or blocks named
``…阶段``), then activities one per line, several per line joined by ``、``, or one per
bullet; sometimes a count ("一共是十三项活动内容"), sometimes an explanation of one activity's
parts ("其中三项清单是指 … **问题清单** …"), and deadline sentences ("应自反馈意见签收之日起
3 个月内").  This module recovers that structure with generic rules — no stage or activity
name is written here — so it works on other offices' documents in the same style.

The pure core is ``extract_blocks(blocks)``: a list of ``SourceBlock`` (one block's Markdown
text, its outline depth and where it came from) → ``Extraction``.  ``extract_file(path)`` reads
a whiteboard ``.edn``, a Markdown page or an EDN/JSON export through the Logseq readers
(``extract_read.py``) and calls it.  Rules 1 and 2 (lines, stage headers and what belongs to
a stage) are in ``extract_lines.py``; rules 3–7 here.  Markdown is tokenised with
markdown-it-py; the rules below work on its tokens' lines, never on raw Markdown.

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

Ids here are provisional (``s1``, ``s1.01``, milestones ``m1``); ``adopt.adopt_ids`` gives
the ids of the definition in force (``match.py``) and reads actors, outputs and milestones
(``details.py``).  Activities depend on the previous one in document order.  Sentences become
activities, principles or notes by ``sentences.py``; an uncertain reading is a warning.
A stage whose name — or most of whose activities — mention 年度 is
annual.  The result is a draft to be curated: write it with ``-o`` and edit the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xuncha_kb.model import Span
from xuncha_kb.workflow.extract_lines import Line, Scope, SourceBlock, block_lines, find_stage_lines
from xuncha_kb.workflow.extract_model import Extraction, ExtractWarning, Principle
from xuncha_kb.workflow.extract_read import source_blocks
from xuncha_kb.workflow.model import Activity, DeadlineRule, Milestone, Stage, Workflow
from xuncha_kb.workflow.sentences import closes_obligation, read_sentence
from xuncha_kb.workflow.wording import (
    LEAD_IN,
    NUMBERING,
    STAGE_COUNT,
    SUB_INTRO,
    cn_number,
    continues,
    count_hint,
    drop_deadline,
    find_deadline,
    stage_name,
    strip_sequencer,
)

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
    principles: list[tuple[str, Span, int]] = field(default_factory=list)  # (text, where, act index)
    notes: list[tuple[str, Span]] = field(default_factory=list)  # uncertain readings


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
    scope: Scope | None = None
    for i, ln in enumerate(lines):
        if current is not None and scope is not None and scope.ends_before(ln, blocks):
            current, scope = None, None
        if i in stage_idx:
            sname, count = stage_name(ln.text)
            current = (_Stage(sname, ln.span, count), [])
            sections.append(current)
            scope = Scope.of(ln, lines[i + 1] if i + 1 < len(lines) else None, blocks)
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
    principles = _principles(sections, wf)
    warnings += more
    if not wf.stages:
        warnings.append(ExtractWarning("没有找到任何阶段：阶段标题应为加粗行、标题（#）或以“阶段”结尾的块"))
    if stated_stages is not None and stated_stages != len(wf.stages):
        warnings.append(ExtractWarning(f"文中写明分为 {stated_stages} 个阶段，实际找到 {len(wf.stages)} 个"))
    return Extraction(wf, tuple(warnings), stated_stages, principles=principles)


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
    parts: list[str] = field(default_factory=list)  # the lines it was joined from


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
    pieces, sub_term, sub_lines = _pieces(st, body)
    pieces = _merge_obligations(st, pieces)
    for piece in pieces:
        if isinstance(piece, _Sentence):
            _read(st, piece)
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


_Piece = _Sentence | _Nested | _Inline


def _read(st: _Stage, piece: _Sentence) -> None:
    """One sentence → activities, principles (on the activity before them) and notes."""
    for r in read_sentence(piece.parts or [piece.text], piece.joined):
        clean = strip_sequencer(r.text)
        if r.kind == "principle":
            st.principles.append((clean, piece.span, len(st.acts) - 1))
        elif r.kind == "note":
            st.notes.append((r.text, piece.span))
        elif clean:
            st.acts.append(_Act(clean, piece.span))


def _merge_obligations(st: _Stage, pieces: list[_Piece]) -> list[_Piece]:
    """A sentence that completes the obligation of the one before it joins it."""
    out: list[_Piece] = []
    for p in pieces:
        last = out[-1] if out else None
        if (isinstance(p, _Sentence) and isinstance(last, _Sentence) and last.block == p.block
                and closes_obligation(last.text, p.text)):
            st.notes.append((f"「{p.text}」接续上一句的报送义务，与之合并为一项活动", p.span))
            last.text += p.text
            last.parts += p.parts
            last.joined = True
            continue
        out.append(p)
    return out


def _pieces(st: _Stage, body: list[Line]) -> tuple[list[_Piece], str | None, list[Line]]:
    """A stage's lines as sentences, nested lines and inline sub-item lists; after
    "其中X是指" the rest of the stage explains X: returns (pieces, X, the lines after it)."""
    base = min((ln.level for ln in body), default=0)
    pieces: list[_Piece] = []
    for at, ln in enumerate(body):
        if ln.level > base and any(isinstance(p, _Sentence) for p in pieces):
            pieces.append(_Nested(strip_sequencer(ln.text)))
            continue
        text = _line_text(st, ln)
        if not text:
            continue
        sub = _sub_intro(text, pieces)
        if isinstance(sub, str):
            return pieces, sub, body[at + 1:]
        if sub is not None:
            pieces.append(sub)
        elif not _joined(pieces, ln, text):
            pieces.append(_Sentence(text, ln.span, ln.block, ln.item, parts=[text]))
    return pieces, None, []


def _line_text(st: _Stage, ln: Line) -> str:
    """A line without its numbering, count hint (noted on the stage) and lead-in."""
    text = NUMBERING.sub("", ln.text).strip() or ln.text
    hint = count_hint(text)
    if hint is not None:
        if st.stated is None:
            st.stated = hint[0]
        text = hint[1]
    return LEAD_IN.sub("", text).strip()


def _sub_intro(text: str, pieces: Sequence[object]) -> _Inline | str | None:
    """``X包括：A、B`` → its sub-items; ``其中X是指`` alone → X; anything else → None."""
    sm = SUB_INTRO.match(text)
    if not sm or not pieces:
        return None
    rest = sm.group("rest").strip()
    if not rest:
        return sm.group("term")
    if "、" not in rest:
        return None
    return _Inline(sm.group("term"), tuple(p.strip() for p in rest.split("、") if p.strip()))


def _joined(pieces: list[_Piece], ln: Line, text: str) -> bool:
    """Append ``text`` to the last sentence when it continues it (same block and item)."""
    last = pieces[-1] if pieces else None
    if not isinstance(last, _Sentence) or (last.block, last.item) != (ln.block, ln.item):
        return False
    if not continues(last.text, text, prev_joined=last.joined):
        return False
    last.text += text
    last.parts.append(text)
    last.joined = True
    return True


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
            name = drop_deadline(a.name, found.text) if found is not None else a.name
            acts.append(Activity(id=aid, name=name, depends_on=(prev,) if prev else (),
                                 deadline=rule, subitems=tuple(a.subitems), span=a.span))
            prev = aid
        stage = Stage(id=sid, name=st.name, activities=tuple(acts),
                      scope="annual" if _is_annual(st) else "per_inspection",
                      stated_count=st.stated, span=st.span)
        warnings += [ExtractWarning(f"读法不确定：{text}；请核对", st.name, span) for text, span in st.notes]
        if st.stated is not None and st.stated != len(acts):
            warnings.append(ExtractWarning(
                f"阶段「{st.name}」写明 {st.stated} 项活动，提取到 {len(acts)} 项；请核对提取结果",
                st.name, st.span))
        stages.append(stage)
    wf = Workflow(id="workflow", name=title, stages=tuple(stages),
                  milestones=tuple(milestones.values()), source=source)
    return wf, warnings


def _principles(sections: list[tuple[_Stage, list[Line]]], wf: Workflow) -> tuple[Principle, ...]:
    """Each principle with the id of the activity before it (None when it opens its stage)."""
    out: list[Principle] = []
    for (st, _), stage in zip(sections, wf.stages, strict=True):
        for text, span, at in st.principles:
            act = stage.activities[at].id if 0 <= at < len(stage.activities) else None
            out.append(Principle(text, act, stage.id, span))
    return tuple(out)


# --- reading files (the edge: extract_read.py) ------------------------------------------


def extract_file(path: Path | str, *, display: str | None = None) -> Extraction:
    """Read a whiteboard, Markdown page or export and extract its workflow."""
    shown = display or str(path)
    return extract_blocks(source_blocks(Path(path), shown), source=shown)
