"""The wording rules of workflow documents: small named functions over Chinese text.

Numbers (``十三`` → 13), stage titles (``第二阶段：巡察准备（13项）``), count hints
(``一共是十三项活动内容``), sentence continuation across lines, splitting a line into
activities, and deadline sentences (``应自反馈意见签收之日起 3 个月内``).  Pure functions on
strings; ``extract.py`` applies them to the lines of a document.  No stage or activity names
appear here — only the grammar offices write their process in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- numbers ---------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUM = r"(?:\d+|[〇零一二两三四五六七八九十百]+)"


def cn_number(text: str) -> int | None:
    """``13`` / ``十三`` / ``二十一`` / ``一百零五`` → int; None if not a number."""
    t = text.strip()
    if t.isdigit():
        return int(t)
    if not t or any(ch not in _CN_DIGITS and ch not in "十百" for ch in t):
        return None
    total, cur = 0, 0
    for ch in t:
        if ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = _CN_DIGITS[ch]
    return total + cur


# --- stage titles -------------------------------------------------------------------------

_SENTENCE_END = "。；;！!？?"
NUMBERING = re.compile(
    r"^(?:第" + _NUM + r"(?:阶段|步骤|步|环节|部分)[：:、.．\s]*"
    r"|[（(]?" + _NUM + r"[)）][、.．:：\s]*"
    r"|" + _NUM + r"[、.．:：]\s*)"
)
_STAGE_COUNT_IN_TITLE = re.compile(r"[（(](?:共|计|合计)?\s*(" + _NUM + r")\s*(?:项|个|条)[^）)]*[）)]")
_STAGE_SUFFIX = re.compile(r"(?:阶段|环节)$")


def stage_name(text: str) -> tuple[str, int | None]:
    """``第二阶段：巡察准备（13项）`` → (``巡察准备``, 13)."""
    t = text.strip().rstrip("：:。")
    count = None
    m = _STAGE_COUNT_IN_TITLE.search(t)
    if m:
        count = cn_number(m.group(1))
        t = (t[: m.start()] + t[m.end():]).strip()
    t = NUMBERING.sub("", t).strip()
    t = _STAGE_SUFFIX.sub("", t).strip() or t
    return t, count


def short_title(text: str) -> bool:
    t = text.strip()
    return 0 < len(t) <= 24 and not any(p in t for p in _SENTENCE_END + "，,、")


ORDINAL_STAGE = re.compile(r"^第" + _NUM + r"(?:阶段|环节)[：:、\s]")


# --- meta lines ---------------------------------------------------------------------

_COUNT_HINT = re.compile(
    r"^(?:本阶段|该阶段|此阶段|这一阶段)?[，,\s]*"
    r"(?P<lead>一共|总共|共计|合计|总计|共)?(?:是|有|包括|包含|分为|计)?\s*"
    r"(?P<n>" + _NUM + r")\s*(?:项|个|条)"
    r"(?P<noun>(?:主要)?(?:活动|工作|任务)?(?:内容|事项|环节|步骤)?)"
    r"[，,：:。；\s]*(?:分别是|分别为|包括|即|如下)?[：:，,\s]*(?P<rest>.*)$"
)
_HAS_LEAD = re.compile(
    r"^(?:本阶段|该阶段|此阶段|这一阶段)?[，,\s]*(?:一共|总共|共计|合计|总计|共|有|包括|包含|分为)")
LEAD_IN = re.compile(r"^(?:分别是|分别为|具体是|具体包括|包括)[：:，,\s]*")
SUB_INTRO = re.compile(
    r"^(?:其中|这里|此处)?[，,\s]*(?P<term>.{2,14}?)(?:是指|指的是|具体是|包括|包含|分别是)[：:]?(?P<rest>.*)$")
STAGE_COUNT = re.compile(r"(?:分为|分成|包括|共有|共分|共)\s*(" + _NUM + r")\s*个?(?:步骤|阶段|环节|步)")


def count_hint(text: str) -> tuple[int, str] | None:
    """``一共是十三项活动内容`` → (13, ""); ``有六项活动内容，分别是A、B`` → (6, "A、B")."""
    m = _COUNT_HINT.match(text.strip())
    if not m:
        return None
    if not (_HAS_LEAD.match(text.strip()) or m.group("noun")):
        return None
    n = cn_number(m.group("n"))
    if n is None:
        return None
    return n, m.group("rest").strip()


# --- joining and splitting -------------------------------------------------------

CONTINUATION_START = (
    "进行", "提出", "提交", "是否", "并", "及", "以及", "将", "与", "和", "或", "且", "而且", "同时",
    "应", "须", "需", "必须", "等", "后", "再", "报送", "予以", "加以", "作出", "做出", "形成的",
)
DANGLING_END = (
    "的", "将", "对", "就", "和", "与", "及", "在", "把", "向", "为", "从", "由", "按", "后", "被", "以",
    "给", "同", "跟", "、", "，", ",", "：", ":", "并", "或", "及其", "关于", "通过", "经",
)
PREPOSITION_OPEN = ("根据", "按照", "依据", "依照", "围绕", "针对", "为了", "对照", "结合上级",
                    "通过", "经过", "遵照")
# "对/就 + object" opens a clause whose verb may be on the next line, unless the verb is here.
OBJECT_OPEN = ("对", "就")
_CLAUSE_VERB = re.compile(r"进行|予以|加以|开展|作出|做出|提出|形成|实施|组织|督促|审核|审议|评估")
SEQUENCERS = ("首先", "其次", "然后", "最后", "接着", "随后", "再次", "之后", "最终", "过程中", "期间")
_TRAILING_ETC = re.compile(r"^(.{2,}?)等(?:方式|形式|手段|途径|方法|工作)?(?:\S*)$")


def continues(prev: str, cur: str, *, prev_joined: bool = False) -> bool:
    """Rule 4: does ``cur`` continue the sentence begun on ``prev``?

    ``prev_joined``: ``prev`` is already several lines, so an opening prepositional phrase
    on it has found its verb and no longer pulls the next line in."""
    p, c = prev.strip(), cur.strip()
    if not p or not c:
        return False
    if p[-1] in _SENTENCE_END:
        return False
    if c[0] in "，,、；;）)":
        return True
    if c.startswith(CONTINUATION_START):
        return True
    if p.endswith(DANGLING_END):
        return True
    if prev_joined or any(x in p for x in "，,"):
        return False
    return p.startswith(PREPOSITION_OPEN) or (p.startswith(OBJECT_OPEN) and not _CLAUSE_VERB.search(p))


def strip_sequencer(text: str) -> str:
    t = text.strip()
    for s in SEQUENCERS:
        if t.startswith(s) and len(t) > len(s) + 1:
            t = t[len(s):].lstrip("，,、 ")
            break
    t = NUMBERING.sub("", t).strip()
    return t.rstrip("。；;，,").strip()


def split_activities(text: str, joined: bool) -> list[str]:
    """Rule 5: one line → its activities."""
    t = text.strip()
    if joined or t.startswith(PREPOSITION_OPEN):
        return [t]
    parts = [p.strip() for p in t.split("、")]
    if len(parts) > 1 and all(len(p) >= 2 for p in parts):
        m = _TRAILING_ETC.match(parts[-1])
        if m:  # "查阅资料、个别谈话等方式获取信息": the tail after 等 is shared, not an item
            parts[-1] = m.group(1)
        return parts
    clauses = [p.strip() for p in re.split(r"[，,；;]", t) if p.strip()]
    if len(clauses) > 1 and all(len(p) >= 4 for p in clauses) and len({p[0] for p in clauses}) == 1:
        return clauses
    return [t]


# --- deadlines ----------------------------------------------------------------------

_UNIT = r"(?P<unit>个工作日|工作日|个月|月|天|日|周|星期|年)"
_DL_FROM = re.compile(
    r"(?P<modal>应当|应|须|需|必须|要)?\s*(?:自|从|于)\s*(?P<anchor>[^，。,；;]{2,20}?)"
    r"(?:之日|当日|之后|后)?起?\s*(?P<n>" + _NUM + r")\s*" + _UNIT + r"\s*(?:内|以内)"
)
_DL_REL = re.compile(
    r"(?P<anchor>[^，。,；;]{2,16}?)(?P<dir>前|后)\s*(?P<n>" + _NUM + r")\s*" + _UNIT + r"\s*(?:内|以内)?"
)
_ISO_UNIT = {"个工作日": "D", "工作日": "D", "个月": "M", "月": "M", "天": "D", "日": "D", "周": "W",
             "星期": "W", "年": "Y"}
_ANCHOR_TRIM = re.compile(r"^.*(?:在|于|自|从|待|当)")


@dataclass(frozen=True, slots=True)
class FoundDeadline:
    milestone: str  # "反馈意见签收日"
    offset: str  # "P3M"
    kind: str  # "hard" | "soft"
    text: str  # the matched sentence part


def find_deadline(text: str) -> FoundDeadline | None:
    """Rule 6: ``应自反馈意见签收之日起 3 个月内`` → 反馈意见签收日 + P3M (hard)."""
    m = _DL_FROM.search(text)
    sign = ""
    if m is None:
        m = _DL_REL.search(text)
        if m is None:
            return None
        if m.group("dir") == "前":
            sign = "-"
    n = cn_number(m.group("n"))
    if n is None:
        return None
    anchor = m.group("anchor").strip()
    anchor = _ANCHOR_TRIM.sub("", anchor).strip() or anchor
    if not anchor.endswith(("日", "时")):
        anchor += "日"
    modal = m.groupdict().get("modal")
    kind = "hard" if modal or re.search(r"(?:应当|应|须|必须)", text[: m.end()]) else "soft"
    return FoundDeadline(anchor, f"{sign}P{n}{_ISO_UNIT[m.group('unit')]}", kind, m.group(0).strip())


_RULE_OPENERS = ("应", "须", "需", "必须", "自", "在", "于")


def drop_deadline(name: str, text: str) -> str:
    """An activity's name without its deadline clause (kept on the rule): removed when the
    clause stands apart (after "，" or opening with 应/须/自/在 …) and the rest is a name."""
    at = name.find(text)
    if at < 0:
        return name
    apart = text.startswith(_RULE_OPENERS) or name[:at].endswith(("，", ","))
    rest = (name[:at].rstrip("，, ") + name[at + len(text):].lstrip("，, ")).strip()
    return rest if apart and len(rest) >= 4 else name
