"""Find the inspections in a graph: overview pages with ``type:: [[巡察]]``.

Also answers "which inspection does this block / page belong to?" for the progress and
ledger layers: the ``巡察::`` property (block, ancestor, page), else the page's namespace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xuncha_kb.errors import InputError
from xuncha_kb.logseq.properties import listed_names, normalise_key
from xuncha_kb.model import Block, Graph, Page, page_key
from xuncha_kb.track import conventions as cv


def prop_names(props: Mapping[str, str], refs: Mapping[str, tuple[str, ...]], key: str) -> tuple[str, ...]:
    """The page names (or plain words) a property lists, original case, in order."""
    key = normalise_key(key.strip())
    found = refs.get(key)
    if found:
        return tuple(found)
    raw = props.get(key)
    if raw is None:
        return ()
    return listed_names(raw)


def prop_text(props: Mapping[str, str], key: str) -> str | None:
    """A property's raw value with ``[[ ]]`` removed; None when absent or blank."""
    raw = props.get(normalise_key(key.strip()))
    if raw is None:
        return None
    text = re.sub(r"\[\[([^\[\]]+)\]\]", r"\1", raw).strip()
    return text or None


def has_type(props: Mapping[str, str], refs: Mapping[str, tuple[str, ...]], type_name: str) -> bool:
    want = page_key(type_name)
    return any(page_key(n) == want for n in prop_names(props, refs, cv.P_TYPE))


@dataclass(frozen=True, slots=True)
class InspectionRef:
    """One inspection as found by its overview page."""

    name: str  # overview page title, e.g. 巡察/2026年第一轮/某某公司
    file: str
    unit: str
    round: str
    year: str
    page: Page
    leader: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    people: tuple[tuple[str, str], ...] = ()  # (name, role label) for --redact names

    @property
    def key(self) -> str:
        return page_key(self.name)


def _year_of(round_name: str, props: Mapping[str, str]) -> str:
    explicit = prop_text(props, cv.P_YEAR)
    if explicit:
        return explicit
    m = re.search(r"(\d{4})", round_name)
    return m.group(1) if m else ""


def _people(page: Page) -> tuple[tuple[str, str], ...]:
    """Registered personal names and their role labels, for redaction."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(name: str, role: str) -> None:
        if name and name not in seen:
            seen.add(name)
            out.append((name, role))

    for n in prop_names(page.properties, page.property_refs, cv.P_LEADER):
        add(n, "组长")
    for n in prop_names(page.properties, page.property_refs, cv.P_DEPUTY):
        add(n, "副组长")
    for n in prop_names(page.properties, page.property_refs, cv.P_MEMBERS):
        add(n, "组员")
    for n in prop_names(page.properties, page.property_refs, cv.P_PEOPLE):
        add(n, "人员")
    # a 人员:: register may also be a block: children are "张三 组员" or "[[张三]]（组员）"
    for block in page.walk():
        if cv.P_PEOPLE in block.properties and not block.pre_block:
            for n in prop_names(block.properties, block.property_refs, cv.P_PEOPLE):
                add(n, "人员")
    return tuple(out)


def inspection_from_page(page: Page) -> InspectionRef | None:
    if not has_type(page.properties, page.property_refs, cv.TYPE_INSPECTION):
        return None
    props = page.properties
    segs = page.namespace
    unit = prop_text(props, cv.P_UNIT) or (segs[-1] if segs else page.name)
    round_name = prop_text(props, cv.P_ROUND) or (segs[-2] if len(segs) >= 3 else "")
    return InspectionRef(
        name=page.name,
        file=page.file,
        unit=unit,
        round=round_name,
        year=_year_of(round_name, props),
        page=page,
        leader=prop_names(props, page.property_refs, cv.P_LEADER),
        members=prop_names(props, page.property_refs, cv.P_MEMBERS),
        people=_people(page),
    )


def find_inspections(graph: Graph, only: str | None = None) -> tuple[InspectionRef, ...]:
    """Overview pages in file order; ``only`` filters by page name, unit or a substring of either.

    A blank ``only`` (``--inspection ""``, often an unset shell variable) is an InputError, not
    "every inspection": it was meant to name one.
    """
    if only is not None and not only.strip():
        raise InputError("--inspection 的值为空", hint="要包括全部巡察，请去掉 --inspection；"
                                                  "否则写上概览页名称或被巡察单位（可只写一部分）。")
    found = [ref for p in graph.pages if p.kind == "page" and (ref := inspection_from_page(p))]
    if only:
        want = page_key(only)
        exact = [r for r in found if want in (r.key, page_key(r.unit))]
        found = exact or [r for r in found if want in r.key or want in page_key(r.unit)]
    found.sort(key=lambda r: (r.year, r.round, r.name))
    return tuple(found)


class Owner:
    """Resolves which inspection a block or page belongs to."""

    def __init__(self, inspections: Sequence[InspectionRef]) -> None:
        self._by_key = {r.key: r for r in inspections}
        self._sole = inspections[0] if len(inspections) == 1 else None
        # longest names first, so 巡察/a/b-c wins over 巡察/a/b when both exist
        self._prefixes = sorted(self._by_key, key=len, reverse=True)

    def _from_props(self, props: Mapping[str, str],
                    refs: Mapping[str, tuple[str, ...]]) -> InspectionRef | None:
        for n in prop_names(props, refs, cv.P_INSPECTION):
            ref = self._by_key.get(page_key(n))
            if ref:
                return ref
        return None

    def of_page(self, page: Page) -> InspectionRef | None:
        ref = self._from_props(page.properties, page.property_refs)
        if ref:
            return ref
        key = page.key
        for prefix in self._prefixes:
            if key == prefix or key.startswith(prefix + "/"):
                return self._by_key[prefix]
        return None

    def of_block(self, page: Page, block: Block, ancestors: Sequence[Block] = (),
                 *, sole_fallback: bool = True) -> InspectionRef | None:
        for b in (block, *reversed(ancestors)):
            ref = self._from_props(b.properties, b.property_refs)
            if ref:
                return ref
        ref = self.of_page(page)
        if ref:
            return ref
        return self._sole if sole_fallback else None

    def has_explicit_unknown(self, block: Block) -> bool:
        """``巡察::`` present but naming no known inspection."""
        names = prop_names(block.properties, block.property_refs, cv.P_INSPECTION)
        return bool(names) and not any(page_key(n) in self._by_key for n in names)
