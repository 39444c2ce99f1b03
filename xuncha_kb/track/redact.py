"""``--redact names``: replace registered personal names by role codes, and scrub phone
numbers and ID-card numbers, in everything reported.

Names come from each inspection's overview page (``组长::``, ``副组长::``, ``组员::``,
``人员::``).  Codes are role-based and stable for a given overview page: 组长, 副组长, 组员A,
组员B, …, 人员01, ….  Where a role label already stands before the name (``组长：张三``,
the report's own ``组长：`` line), the name becomes 某某 (某某A, 某某B … in a list), never
``组长：组长``.  Mainland mobile and landline numbers and 18-digit ID-card numbers become
［电话］ and ［身份证号］.  Redaction is applied to the Progress value itself (every string
field, recursively), so every renderer gets the same redacted data.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")
REDACT_LEVELS = ("none", "names")


def _letter(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def role_codes(people: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(name, role) pairs in register order → name → code."""
    people = list(people)
    per_role: dict[str, list[str]] = {}
    for name, role in people:
        if name not in (n for ns in per_role.values() for n in ns):
            per_role.setdefault(role, []).append(name)
    codes: dict[str, str] = {}
    for role, names in per_role.items():
        for i, name in enumerate(names):
            if role == "人员":
                codes[name] = f"人员{i + 1:02d}"
            elif len(names) == 1 and role != "组员":
                codes[name] = role
            else:
                codes[name] = f"{role}{_letter(i)}"
    return codes


ROLE_WORDS = ("副组长", "组长", "组员", "人员", "承办人", "审核人", "销号审核人", "责任人", "谈话人",
              "记录人")
_ROLE_PREFIX = re.compile("^(?:" + "|".join(ROLE_WORDS) + ")")
PHONE = re.compile(r"(?<![\dA-Za-z])(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8})(?![\dA-Za-z])")
ID_CARD = re.compile(r"(?<![\dA-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
                     r"[\dXx](?![\dA-Za-z])")
PHONE_MASK = "［电话］"
ID_MASK = "［身份证号］"


def anonymous(code: str) -> str:
    """The code a name takes right after a role label: 组长 → 某某, 组员B → 某某B."""
    return "某某" + _ROLE_PREFIX.sub("", code)


def scrub_numbers(s: str) -> str:
    """Phone and ID-card numbers masked (ID cards first: 18 digits hold 11-digit runs)."""
    return PHONE.sub(PHONE_MASK, ID_CARD.sub(ID_MASK, s))


class Redactor:
    def __init__(self, codes: dict[str, str]) -> None:
        self.codes = {k: v for k, v in codes.items() if k.strip()}
        names = sorted(self.codes, key=len, reverse=True)
        alt = "|".join(re.escape(n) for n in names)
        self._pattern = re.compile(alt) if names else None
        roles = "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
        self._labelled = (re.compile(f"((?:{roles})[：:]\\s*)((?:{alt})(?:[、,，]\\s*(?:{alt}))*)")
                          if names else None)

    def _after_label(self, m: re.Match[str]) -> str:
        assert self._pattern is not None
        names = self._pattern.sub(lambda n: anonymous(self.codes[n.group(0)]), m.group(2))
        return m.group(1) + names

    def text(self, s: str) -> str:
        if self._pattern is not None and self._labelled is not None:
            s = self._labelled.sub(self._after_label, s)
            s = self._pattern.sub(lambda m: self.codes[m.group(0)], s)
        return scrub_numbers(s)

    def value(self, v: T) -> T:
        result: T = self._value(v)
        return result

    def _value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, tuple):
            return tuple(self._value(x) for x in v)
        if isinstance(v, list):
            return [self._value(x) for x in v]
        if isinstance(v, dict):
            return {self._value(k): self._value(x) for k, x in v.items()}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            changes = {f.name: self._value(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init}
            return dataclasses.replace(v, **changes)
        return v


def redact_names(progress: T) -> T:
    """The same Progress with every registered name replaced by its role code (某某 where a
    role label precedes it, as on the 组长/组员 lines) and phone and ID numbers scrubbed."""
    people: list[tuple[str, str]] = []
    for insp in getattr(progress, "inspections", ()):
        people.extend(insp.people)
    codes = role_codes(people)
    red = Redactor(codes)
    inspections = getattr(progress, "inspections", None)
    if inspections is not None and dataclasses.is_dataclass(progress) and not isinstance(progress, type):
        labelled = tuple(dataclasses.replace(
            i, leader=tuple(anonymous(codes.get(n, n)) for n in i.leader),
            members=tuple(anonymous(codes.get(n, n)) for n in i.members)) for i in inspections)
        progress = dataclasses.replace(progress, inspections=labelled)
    return red.value(progress)
