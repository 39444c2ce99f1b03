"""Rule 5 of ``extract.py`` in detail: one activity sentence → activities, principles, notes.

A sentence of a workflow document is not always one activity:

* *principles* — ``按一事一底稿的原则制作``, ``成熟一个编制一个`` — say how an output is made,
  not a task to tick off: they become rules on the output of the activity before them;
* a continuation line that opens with ``并`` + a new verb phrase (``报…审核`` / ``并召开…，
  推进…``) starts further activities, one per ``，`` clause;
* ``A后B`` with a full clause on both sides (``…审阅…报告后提交…审议``) is two steps, usually
  of two actors;
* everything else follows ``wording.split_activities`` (``、`` lists, parallel clauses).

Readings that are guesses (the ``并`` and ``后`` splits) come back with a note so that the
extractor can warn with the source line.  No stage or activity name is written here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from xuncha_kb.workflow.wording import split_activities

ReadingKind = Literal["activity", "principle", "note"]


@dataclass(frozen=True, slots=True)
class Reading:
    kind: ReadingKind
    text: str


# "按(照)X的原则" / "遵循X原则" / "坚持X原则": X is the principle
_BY_PRINCIPLE = re.compile(r"(?:按照|按|遵循|坚持|依照|本着)(?P<p>.+?)的?原则")
_NAMED_PRINCIPLE = re.compile(r"^(?P<p>.{2,12}?)的?原则$")
# "成熟一个编制一个" (X一个Y一个), "一事一底稿" (一X一Y): rhythm sentences of a rule
_PAIRED = re.compile(r"^(?:.{1,4}一个.{1,4}一个|一.一.{1,3}|.{1,3}一项.{1,3}一项)$")
_CLAUSES = re.compile(r"[，,；;]")
# "A后B": 后 as "after", not part of 之后/以后/然后/最后/前后/随后/会后的
_AFTER = re.compile(r"(?<=[^之以然最前随今此])后(?!的)")
_AFTER_MIN = (6, 4)  # the clause before 后 and the one after need this many characters
_AND_OPEN = "并"


def principle_of(clause: str) -> str | None:
    """The principle a clause states, or None if it is not one."""
    c = clause.strip().rstrip("。；;")
    m = _BY_PRINCIPLE.search(c)
    if m:
        return m.group("p").strip()
    m = _NAMED_PRINCIPLE.match(c)
    if m:
        return m.group("p").strip()
    if _PAIRED.match(c):
        return c
    return None


def _split_after(name: str) -> list[str]:
    """``A后B`` → [A, B] when both sides are full clauses."""
    from xuncha_kb.workflow.wording import find_deadline

    m = _AFTER.search(name)
    if m is None or find_deadline(name) is not None:  # "收到…后2个月内": the 后 of a deadline
        return [name]
    a, b = name[:m.start()], name[m.end():]
    if len(a) < _AFTER_MIN[0] or len(b) < _AFTER_MIN[1]:
        return [name]
    return [a.rstrip("，, "), b.lstrip("，, ")]


def _clause_readings(text: str, joined: bool) -> list[Reading]:
    """Principles out of a sentence's clauses; the rest split into activities."""
    clauses = [c for c in _CLAUSES.split(text) if c.strip()]
    out: list[Reading] = []
    kept: list[str] = []
    for c in clauses:
        p = principle_of(c)
        if p is None:
            kept.append(c)
            continue
        if kept:  # the clauses before the principle are an activity on their own
            out += _activities("，".join(kept), joined)
            kept = []
        out.append(Reading("principle", p))
    if kept:
        rest = "，".join(kept) if len(kept) < len(clauses) or joined else text
        out += _activities(rest, joined)
    return out


def _activities(text: str, joined: bool) -> list[Reading]:
    out: list[Reading] = []
    for name in split_activities(text, joined):
        parts = _split_after(name)
        if len(parts) > 1:
            out.append(Reading("note", f"「{name}」按“后”读作先后两项活动：" + "；".join(parts)))
        out += [Reading("activity", p) for p in parts]
    return out


def read_sentence(parts: Sequence[str], joined: bool) -> list[Reading]:
    """One sentence (the lines it was joined from, in order) → its readings."""
    cut = next((i for i, p in enumerate(parts) if i > 0 and p.startswith(_AND_OPEN)
                and len(p) > len(_AND_OPEN) + 3), None)
    if cut is None:
        return _clause_readings("".join(parts), joined)
    head = "".join(parts[:cut])
    tail = "".join(parts[cut:])[len(_AND_OPEN):]
    clauses = [c.strip() for c in _CLAUSES.split(tail) if c.strip()]
    out = _clause_readings(head, cut > 1)
    out.append(Reading("note", f"「{head}{_AND_OPEN}{tail}」读作 {1 + len(clauses)} 项活动："
                               + "；".join([head, *clauses])))
    for c in clauses:
        out += _clause_readings(c, False)
    return out


_REPORT_TO = re.compile(r"(?:报送|报(?!告)|提交|送交|送)[^，,、；;。]{1,12}$")
_DISPOSAL = "将"


def closes_obligation(prev: str, cur: str) -> bool:
    """``cur`` completes the obligation ``prev`` opened: ``prev`` carries a deadline and a
    ``将 + object`` whose hand-over is still to come; ``cur`` (without a deadline of its own)
    lists more of the object and ends on the hand-over (``…等报巡察办``).  One obligation is
    one activity."""
    from xuncha_kb.workflow.wording import find_deadline

    if _DISPOSAL not in prev or find_deadline(prev) is None or find_deadline(cur) is not None:
        return False
    after = prev.rsplit(_DISPOSAL, 1)[1]
    return _REPORT_TO.search(after) is None and _REPORT_TO.search(cur) is not None
