"""The vocabulary of the workflow definition page, shared by ``load`` and ``write``.

A definition is an ordinary Logseq page (see ``docs/workflow-format.md``): page properties
name the workflow, top-level blocks are either sections (角色 / 里程碑 / 产出) or stages, the
children of a stage are its activities, and the children of an activity are its sub-items.
Property keys are Chinese because office staff edit the page in Logseq; Logseq lower-cases
keys, which leaves these unchanged.

Offsets are written the way staff say them (``反馈意见签收日 + 3个月``, ``进驻日 - 10天``)
and stored as ISO-8601 durations (``P3M``, ``-P10D``) in the model.
"""

from __future__ import annotations

import re

# --- page ------------------------------------------------------------------------------
DEFINITION_TYPE = "巡察工作流程定义"  # value of type:: that marks a definition page
K_TYPE = "type"
K_WORKFLOW_ID = "流程id"
K_WORKFLOW_NAME = "流程名称"
K_FORMAT_VERSION = "格式版本"
FORMAT_VERSION = "1"

# --- sections (top-level blocks by title) ----------------------------------------------
SECTION_ROLES = "角色"
SECTION_MILESTONES = "里程碑"
SECTION_ARTIFACTS = "产出"
SECTIONS = (SECTION_ROLES, SECTION_MILESTONES, SECTION_ARTIFACTS)

K_ROLE_ID = "角色id"
K_ALIASES = "别名"
K_MILESTONE_ID = "里程碑id"
K_SET_BY = "设定活动"
K_ARTIFACT_ID = "产出id"
K_SENSITIVE = "敏感"
K_RULES = "规则"  # an artifact's rules of making (一事一底稿), separated by ；
RULES_SEPARATOR = "；"

# --- stages and activities -------------------------------------------------------------
K_STAGE_ID = "阶段id"
K_SCOPE = "范围"
K_STATED_COUNT = "活动数"
K_ACTIVITY_ID = "活动id"
K_ACTOR = "责任"
K_PRODUCES = "产出"
K_DEPENDS = "前置"
K_DEADLINE = "期限"
K_DEADLINE_KIND = "期限类型"
K_DEADLINE_SOURCE = "期限来源"
K_DEADLINE_TEXT = "期限原文"

SCOPE_WORDS = {"年度": "annual", "每次巡察": "per_inspection"}
SCOPE_ALIASES = {"年度": "annual", "annual": "annual", "每年": "annual", "年度计划": "annual",
                 "每次巡察": "per_inspection", "每次": "per_inspection", "per_inspection": "per_inspection",
                 "单次巡察": "per_inspection", "巡察": "per_inspection"}
SCOPE_TEXT = {"annual": "年度", "per_inspection": "每次巡察"}

KIND_ALIASES = {"硬性": "hard", "hard": "hard", "刚性": "hard",
                "提示": "soft", "soft": "soft", "参考": "soft"}
KIND_TEXT = {"hard": "硬性", "soft": "提示"}

TRUE_WORDS = frozenset({"是", "true", "yes", "1", "敏感"})
FALSE_WORDS = frozenset({"否", "false", "no", "0", ""})

# --- offsets ---------------------------------------------------------------------------
_UNIT_TO_ISO = {"年": "Y", "个月": "M", "月": "M", "周": "W", "星期": "W", "天": "D", "日": "D"}
_ISO_TO_UNIT = {"Y": "年", "M": "个月", "W": "周", "D": "天"}
_ISO_RE = re.compile(r"^(-?)P(?=\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_CN_PART_RE = re.compile(r"(\d+)\s*(个月|星期|年|月|周|天|日)")
_DEADLINE_RE = re.compile(r"^(?P<anchor>.+?)\s*(?P<sign>[+\-＋－])\s*(?P<amount>.+)$")


def iso_offset(text: str) -> str | None:
    """``3个月`` / ``10天`` / ``1个月15天`` / ``P3M`` → ISO duration without sign, or None."""
    t = text.strip().replace(" ", "")
    if not t:
        return None
    m = _ISO_RE.match(t.upper())
    if m and not m.group(1):
        return t.upper()
    pos = 0
    parts: dict[str, int] = {}
    for pm in _CN_PART_RE.finditer(t):
        if pm.start() != pos:
            return None
        unit = _UNIT_TO_ISO[pm.group(2)]
        if unit in parts:
            return None
        parts[unit] = int(pm.group(1))
        pos = pm.end()
    if pos != len(t) or not parts:
        return None
    return "P" + "".join(f"{parts[u]}{u}" for u in "YMWD" if u in parts)


def split_offset(offset: str) -> tuple[int, dict[str, int]]:
    """``-P1M15D`` → (-1, {"M": 1, "D": 15}); raises ValueError on anything else."""
    m = _ISO_RE.match(offset.strip().upper())
    if not m:
        raise ValueError(offset)
    sign = -1 if m.group(1) else 1
    parts = {u: int(v) for u, v in zip("YMWD", m.groups()[1:], strict=True) if v is not None}
    return sign, parts


def offset_text(offset: str) -> str:
    """ISO duration → ``+ 3个月`` / ``- 10天`` (the page's spelling)."""
    sign, parts = split_offset(offset)
    body = "".join(f"{n}{_ISO_TO_UNIT[u]}" for u, n in parts.items())
    return f"{'-' if sign < 0 else '+'} {body}"


def parse_deadline(text: str) -> tuple[str, str] | None:
    """``反馈意见签收日 + 3个月`` → ("反馈意见签收日", "P3M"); ``进驻日 - 10天`` → (…, "-P10D")."""
    m = _DEADLINE_RE.match(text.strip())
    if not m:
        return None
    iso = iso_offset(m.group("amount"))
    if iso is None:
        return None
    sign = "-" if m.group("sign") in "-－" else ""
    return m.group("anchor").strip(), sign + iso


_LIST_SPLIT_RE = re.compile(r"\s*[,，、;；]\s*")
_REF_RE = re.compile(r"^\[\[(.*)\]\]$|^#\[\[(.*)\]\]$|^#(\S+)$")


def split_list(value: str) -> list[str]:
    """A property value listing names or ids: split on commas/、, strip ``[[…]]`` and ``#tag``."""
    out: list[str] = []
    for part in _LIST_SPLIT_RE.split(value.strip()):
        p = part.strip()
        if not p:
            continue
        m = _REF_RE.match(p)
        if m:
            p = next(g for g in m.groups() if g is not None).strip()
        out.append(p)
    return out


def strip_ref(value: str) -> str:
    parts = split_list(value)
    return parts[0] if len(parts) == 1 else value.strip()


# --- ids ---------------------------------------------------------------------------------
#: Every id of a definition (流程id, 角色id, 里程碑id, 产出id, 阶段id, 活动id): lower-case ASCII
#: letters and digits, starting with a letter, in runs joined by one ``.``, ``_`` or ``-``
#: (``prep.01``, ``beixuncha_head``, ``s1.01``).  Ids are written into generated pages
#: (``活动:: prep.01``) and seed the tasks' uuids, so anything Logseq reads as markup —
#: ``[[ ]]``, ``(( ))``, ``#``, spaces, ``/`` — must never be part of one.
ID_GRAMMAR = r"[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*"
ID_MAX_LENGTH = 64
_ID_RE = re.compile(ID_GRAMMAR)


def is_valid_id(value: str) -> bool:
    return len(value) <= ID_MAX_LENGTH and _ID_RE.fullmatch(value) is not None


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid id (Chinese, for the user), or None if it is one."""
    if is_valid_id(value):
        return None
    why = "只能由小写英文字母和数字组成、以字母开头，可用一个 . _ - 分隔，如 prep.01"
    if any(t in value for t in ("[[", "]]", "((", "))")):
        why += "；其中的 [[ ]] 或 (( )) 会在生成的页面中变成页面引用或块引用"
    if len(value) > ID_MAX_LENGTH:
        why += f"；长度不能超过 {ID_MAX_LENGTH} 个字符（现为 {len(value)} 个）"
    lower = value.lower()
    if lower != value and is_valid_id(lower):
        why += f"；可改为 {lower}"
    return why


_HEADING_RE = re.compile(r"^#{1,6}\s+")


def block_title(title: str) -> str:
    """The visible name of a block: ``## 巡察准备`` → ``巡察准备``; bold markers removed."""
    t = _HEADING_RE.sub("", title.strip())
    if t.startswith("**") and t.endswith("**") and len(t) > 4:
        t = t[2:-2]
    return t.strip()
