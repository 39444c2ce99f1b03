"""``--redact names``: replace registered personal names by role codes in everything reported.

Names come from each inspection's overview page (``组长::``, ``副组长::``, ``组员::``,
``人员::``).  Codes are role-based and stable for a given overview page: 组长, 副组长, 组员A,
组员B, …, 人员01, ….  Redaction is applied to the Progress value itself (every string field,
recursively), so every renderer gets the same redacted data.
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


class Redactor:
    def __init__(self, codes: dict[str, str]) -> None:
        self.codes = {k: v for k, v in codes.items() if k.strip()}
        names = sorted(self.codes, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None

    def text(self, s: str) -> str:
        if self._pattern is None:
            return s
        return self._pattern.sub(lambda m: self.codes[m.group(0)], s)

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
    """The same Progress with every registered name replaced by its role code."""
    people: list[tuple[str, str]] = []
    for insp in getattr(progress, "inspections", ()):
        people.extend(insp.people)
    return Redactor(role_codes(people)).value(progress)
