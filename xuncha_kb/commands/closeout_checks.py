"""``close-out``'s checks before anything is planned: which inspection, its pages, whether its
底稿 ledger is closed, and which of its pages are sensitive.  Only reads (the hash of each
sensitive page's file, so a purge can tell whether it changed since)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xuncha_kb.errors import InputError
from xuncha_kb.fs.atomic import file_hash
from xuncha_kb.model import Graph, Page
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.discover import InspectionRef, Owner, find_inspections, has_type, prop_text
from xuncha_kb.track.sensitive import NO_SECRETS, Secrets, name_is_sensitive

FINAL_STATUSES = ("已定稿", "已移交")


@dataclass(frozen=True, slots=True)
class DraftCheck:
    """One 底稿 page of the inspection, judged for closing the ledger."""

    page: str
    file: str
    number: str
    status: str
    missing: tuple[str, ...] = ()
    sensitive: bool = False

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def closed(self) -> bool:
        return self.final and not self.missing

    @property
    def shown_number(self) -> str:
        """The 编号 for output — never for a sensitive 底稿 (its properties are its text)."""
        if self.sensitive:
            return "（涉密底稿）"
        return self.number or "（无编号）"

    def problem(self) -> str:
        parts = []
        if not self.final:
            status = self.status if not self.sensitive or self.status in cv.DRAFT_STATUSES else "非标准值"
            parts.append(f"状态为“{status}”（应为 已定稿 或 已移交）")
        if self.missing:
            parts.append("缺少 " + "、".join(self.missing))
        return "；".join(parts)


@dataclass(frozen=True, slots=True)
class SensitivePage:
    name: str
    file: str
    reason: str  # "命名空间" or "属性"
    hash: str  # sha256 of the file bytes when read (checked again before moving)


def pick_inspection(graph: Graph, name: str) -> InspectionRef:
    """Exactly one inspection matching ``name`` (page name, unit, or a part of either)."""
    if not name or not name.strip():
        raise InputError("缺少要结束的巡察", hint="请用 --inspection 指定巡察概览页名称或被巡察单位。")
    found = find_inspections(graph, name)
    if not found:
        raise InputError(f"没有找到名为“{name}”的巡察",
                         hint="运行 xuncha-kb report 查看图谱中的全部巡察。")
    if len(found) > 1:
        names = "、".join(r.name for r in found[:5])
        raise InputError(f"“{name}”对应多个巡察：{names}", hint="请写出完整的巡察概览页名称。")
    return found[0]


def owned_pages(graph: Graph, ref: InspectionRef) -> list[Page]:
    """The inspection's pages: its namespace, or pages whose ``巡察::`` names it."""
    owner = Owner([ref])
    return [p for p in graph.pages if p.kind == "page" and owner.of_page(p) is ref]


def check_drafts(pages: Sequence[Page], secrets: Secrets = NO_SECRETS) -> tuple[DraftCheck, ...]:
    out = []
    for page in pages:
        if not has_type(page.properties, page.property_refs, cv.TYPE_DRAFT):
            continue
        props = page.properties
        out.append(DraftCheck(
            page=page.name, file=page.file, number=prop_text(props, "编号") or "",
            status=prop_text(props, cv.DRAFT_STATUS) or "未填写",
            missing=tuple(k for k in cv.DRAFT_REQUIRED if not prop_text(props, k)),
            sensitive=secrets.page_is_sensitive(page)))
    out.sort(key=lambda d: (d.number or "~", d.page))
    return tuple(out)


def read_hash(root: Path, rel: str) -> str:
    h = file_hash(root / rel)
    return h or ""


def find_sensitive(root: Path, pages: Sequence[Page], exclude: str,
                   secrets: Secrets = NO_SECRETS) -> tuple[list[SensitivePage], int]:
    """Sensitive pages (not ``exclude``) and the number of sensitive blocks on the other pages."""
    found: list[SensitivePage] = []
    blocks = 0
    for page in pages:
        if page.file == exclude:
            continue
        if secrets.page_is_sensitive(page):
            by_name = name_is_sensitive(page.name) or name_is_sensitive(page.file.rsplit("/", 1)[-1])
            found.append(SensitivePage(page.name, page.file, "命名空间" if by_name else "属性",
                                       read_hash(root, page.file)))
            continue
        blocks += sum(1 for b in page.walk() if not b.pre_block and secrets.block_is_marked(b))
    return found, blocks
