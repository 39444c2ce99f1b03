"""``close-out``: the 撤离/脱密 step of one inspection.

What it does, in this order (everything before step 4 only reads):

1. find the inspection (its overview page) and check that the 底稿 ledger is *closed*: every
   底稿 page of the inspection has the required fields (``conventions.DRAFT_REQUIRED``) and a
   final ``状态::`` (已定稿 or 已移交).  An open ledger stops close-out (exit 2), nothing
   written;
2. list the inspection's sensitive pages (信访/谈话/线索 namespaces, ``密级::``,
   ``sensitive::``) and count sensitive blocks on other pages.  Page names and files are shown
   to the 巡察组 on the terminal; their text never appears in any output;
3. plan the ``…/脱密处理记录`` page (create-only: an existing record is never replaced — it is
   a record), check the archive path is free and that no file to be moved changed since it
   was read.  A conflict here stops everything (exit 4), nothing written;
4. write the record page through plan → apply (atomic, graph lock, manifest);
5. optionally write a zip archive of the inspection's pages and whiteboards with a
   ``MANIFEST.json`` of sha256 hashes — sensitive pages only with ``include_sensitive``;
6. optionally (``--purge-sensitive`` plus confirmation) *move* the sensitive pages into
   ``logseq/.recycle/`` — the folder Logseq itself uses for deleted pages.  No user file is
   ever unlinked (only xuncha-kb's own stale temp copies of a moved page): recoverability beats
   shredding for a notes tool; the terminal says which folder to clear once the archive has
   been handed over.

The record page holds counts only (no sensitive page names, no text), so it may go into an
archive that excludes sensitive material.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xuncha_kb.errors import InputError, WriteConflict, WriteFailed
from xuncha_kb.filespec import FileSpec
from xuncha_kb.fs.apply import ApplyResult, Plan, apply, plan_writes, resolve_inside
from xuncha_kb.fs.archive import MANIFEST_NAME as ARCHIVE_MANIFEST
from xuncha_kb.fs.atomic import file_hash
from xuncha_kb.fs.recycle import RECYCLE_DIR
from xuncha_kb.model import Graph, Page
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.discover import InspectionRef, Owner, find_inspections, has_type, prop_text
from xuncha_kb.track.sensitive import NO_SECRETS, Secrets, name_is_sensitive, walk_context

FINAL_STATUSES = ("已定稿", "已移交")
RECORD_LEAF = "脱密处理记录"
TYPE_RECORD = "脱密处理记录"
KIND_RECORD = "closeout"


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


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    path: str  # graph-relative
    sha256: str
    size: int
    sensitive: bool = False


@dataclass(frozen=True)
class CloseOutPlan:
    """Everything close-out would do; computing it writes nothing."""

    root: Path
    inspection: str
    today: dt.date
    drafts: tuple[DraftCheck, ...]
    sensitive_pages: tuple[SensitivePage, ...]
    sensitive_blocks: int
    record_path: str
    record_plan: Plan
    archive_path: Path | None = None
    archive_entries: tuple[ArchiveEntry, ...] = ()
    archive_skipped_sensitive: int = 0
    purge: bool = False
    diagnostics: tuple[str, ...] = field(default=())
    secrets: Secrets = NO_SECRETS  # the graph's sensitive pages, for withholding blocks

    @property
    def open_drafts(self) -> tuple[DraftCheck, ...]:
        return tuple(d for d in self.drafts if not d.closed)

    @property
    def ledger_closed(self) -> bool:
        return not self.open_drafts

    def as_dict(self) -> dict[str, Any]:
        return {
            "inspection": self.inspection,
            "today": self.today.isoformat(),
            "ledger": {
                "closed": self.ledger_closed,
                "drafts": len(self.drafts),
                "open": [{"page": d.page, "file": d.file, "number": d.shown_number, "problem": d.problem(),
                          "missing": list(d.missing)} for d in self.open_drafts],
            },
            "sensitive": {
                "pages": [{"name": s.name, "file": s.file, "reason": s.reason} for s in self.sensitive_pages],
                "blocks": self.sensitive_blocks,
            },
            "record": self.record_plan.as_dict(),
            "archive": None if self.archive_path is None else {
                "path": str(self.archive_path), "files": len(self.archive_entries),
                "sensitive_excluded": self.archive_skipped_sensitive,
            },
            "purge": [s.file for s in self.sensitive_pages] if self.purge else [],
        }


@dataclass(frozen=True)
class CloseOutResult:
    record: ApplyResult | None = None
    archive: Path | None = None
    archive_files: int = 0
    moved: tuple[tuple[str, str], ...] = ()  # (from, to), graph-relative

    def as_dict(self) -> dict[str, Any]:
        return {"record": self.record.as_dict() if self.record else None,
                "archive": str(self.archive) if self.archive else None,
                "archive_files": self.archive_files,
                "moved": [{"from": a, "to": b} for a, b in self.moved]}


# --- reading -------------------------------------------------------------------------------

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


def _read_hash(root: Path, rel: str) -> str:
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
                                       _read_hash(root, page.file)))
            continue
        blocks += sum(1 for b in page.walk() if not b.pre_block and secrets.block_is_marked(b))
    return found, blocks


# --- the record page -----------------------------------------------------------------------

def record_title(ref: InspectionRef) -> str:
    return cv.sub_page_name(ref.name, RECORD_LEAF)


def render_record(ref: InspectionRef, today: dt.date, drafts: Sequence[DraftCheck],
                  sensitive: Sequence[SensitivePage], sensitive_blocks: int,
                  archive: Path | None, archive_files: int, include_sensitive: bool, purge: bool) -> str:
    """The 脱密处理记录 page: counts and what was done — never a sensitive page's name or text."""
    from xuncha_kb.logseq.render import BlockSpec, PageSpec, render_page

    statuses: dict[str, int] = {}
    for d in drafts:
        statuses[d.status] = statuses.get(d.status, 0) + 1
    by_status = "，".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "无"
    by_ns = sum(1 for s in sensitive if s.reason == "命名空间")
    if archive is None:
        archive_line = "未生成归档包"
    else:
        scope = "含涉密页面" if include_sensitive else "不含涉密页面"
        archive_line = (f"归档包 {archive.name}：{archive_files} 个文件（{scope}），"
                        f"附 {ARCHIVE_MANIFEST} 哈希清单")
    if purge:
        handling = f"涉密页面已移入 {RECYCLE_DIR}/（Logseq 的回收文件夹，可恢复），归档移交后请清理该文件夹"
    elif sensitive:
        handling = "涉密页面仍保留在图谱中，请按保密要求处理"
    else:
        handling = "无需处理"
    spec = PageSpec(
        name=record_title(ref),
        properties=((cv.P_TYPE, f"[[{TYPE_RECORD}]]"), (cv.P_INSPECTION, f"[[{ref.name}]]"),
                    ("处理日期", today.isoformat()), (cv.P_GENERATED, "close-out")),
        blocks=(
            BlockSpec("## 底稿台账", children=(
                BlockSpec(f"底稿 {len(drafts)} 份，均已定稿或已移交，必填字段齐全（{by_status}）"),)),
            BlockSpec("## 涉密材料", children=(
                BlockSpec(f"涉密页面 {len(sensitive)} 个（按命名空间 {by_ns}，按 密级::/sensitive:: 标记 "
                          f"{len(sensitive) - by_ns}），其他页面中的涉密块 {sensitive_blocks} 个"),
                BlockSpec(f"处理方式：{handling}"),
                BlockSpec("本页只记录数量，不列出涉密页面的名称或内容"))),
            BlockSpec("## 归档", children=(BlockSpec(archive_line),)),
            BlockSpec("## 撤离脱密检查", children=(
                BlockSpec("回收并清点涉密纸质材料", marker="TODO"),
                BlockSpec("清除驻地计算机和移动存储介质中的工作文件", marker="TODO"),
                BlockSpec("归档材料移交巡察办", marker="TODO"),
                BlockSpec("组长确认脱密处理完成", marker="TODO"))),
        ),
    )
    return render_page(spec)


# --- planning ------------------------------------------------------------------------------

def plan_close_out(root: Path, name: str, today: dt.date, *, archive: Path | None = None,
                   include_sensitive: bool = False, purge: bool = False,
                   graph: Graph | None = None) -> CloseOutPlan:
    """Read the graph and work out what close-out would do.  Writes nothing."""
    from xuncha_kb.fs.layout import require_folder
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.logseq.names import safe_title_to_relpath

    root = Path(root)
    graph = graph or load_graph(root)
    # The record page goes into the pages folder; if that is not a folder, no inspection can
    # be found either, and "not found" would hide the reason.
    require_folder(root, graph.config.pages_dir, purpose="无法读取该巡察的页面，也无法写入脱密处理记录")
    ref = pick_inspection(graph, name)
    pages = owned_pages(graph, ref)
    title = record_title(ref)
    record_rel = safe_title_to_relpath(title, graph.config, fmt="markdown")
    secrets = Secrets.of(graph.pages)
    drafts = check_drafts(pages, secrets)
    sensitive, sblocks = find_sensitive(root, pages, record_rel, secrets)
    entries, skipped = _archive_entries(root, graph, ref, pages, record_rel, include_sensitive, secrets)
    content = render_record(ref, today, drafts, sensitive, sblocks, archive, len(entries) + 1,
                            include_sensitive, purge)
    spec = FileSpec(record_rel, content, inspection=ref.name, kind=KIND_RECORD)
    record_plan = plan_writes(root, [spec], mode="create_only", title=title)
    return CloseOutPlan(root=root, inspection=ref.name, today=today, drafts=drafts,
                        sensitive_pages=tuple(sensitive), sensitive_blocks=sblocks, record_path=record_rel,
                        record_plan=record_plan, archive_path=archive, archive_entries=tuple(entries),
                        archive_skipped_sensitive=skipped, purge=purge, secrets=secrets)


def _archive_entries(root: Path, graph: Graph, ref: InspectionRef, pages: Sequence[Page], record_rel: str,
                     include_sensitive: bool, secrets: Secrets = NO_SECRETS
                     ) -> tuple[list[ArchiveEntry], int]:
    """Files for the archive (the record page is added when the archive is written)."""
    out: list[ArchiveEntry] = []
    skipped = 0
    for page in pages:
        if page.file == record_rel:
            continue
        sens = secrets.page_is_sensitive(page)
        if sens and not include_sensitive:
            skipped += 1
            continue
        path = root / page.file
        try:
            size = path.stat().st_size
        except OSError:
            continue
        out.append(ArchiveEntry(page.file, _read_hash(root, page.file), size, sens))
    prefix = ref.key + "/"
    for board in graph.whiteboards:
        if board.key.startswith(prefix) or board.key == ref.key:
            try:
                size = (root / board.file).stat().st_size
            except OSError:
                continue
            out.append(ArchiveEntry(board.file, _read_hash(root, board.file), size))
    out.sort(key=lambda e: e.path)
    return out, skipped


# --- doing ---------------------------------------------------------------------------------

def preflight(plan: CloseOutPlan) -> None:
    """Every reason to refuse, checked before anything is written."""
    if not plan.ledger_closed:
        n = len(plan.open_drafts)
        raise InputError(f"底稿台账尚未闭合：{n} 份底稿缺少必填字段或未定稿，未写入任何文件",
                         file=plan.open_drafts[0].file,
                         hint="补齐 " + "、".join(cv.DRAFT_REQUIRED)
                         + "，并把 状态:: 改为 已定稿 或 已移交 后重新运行。")
    if plan.record_plan.conflicts:
        c = plan.record_plan.conflicts[0]
        raise WriteConflict(f"已有同名页面且不是 xuncha-kb 生成的，未覆盖（{c.reason}）", file=c.path,
                            hint="请改名或移走该页面后重新运行。")
    if plan.archive_path is not None:
        from xuncha_kb.fs.output import Payload, check_output

        check_output(plan.archive_path, Payload.BINARY, graph=plan.root)
        if os.path.lexists(plan.archive_path):
            raise WriteConflict("归档文件已存在，未覆盖", file=str(plan.archive_path),
                                hint="请换一个文件名，或先移走已有的归档文件。")
    if plan.purge:
        for s in plan.sensitive_pages:
            if _read_hash(plan.root, s.file) != s.hash:
                raise WriteConflict("涉密页面在读取之后被修改（可能是 Logseq 刚刚保存），未移动任何文件",
                                    file=s.file, hint="请在 Logseq 中保存完毕后重新运行。")


def build_archive(plan: CloseOutPlan) -> tuple[bytes, int]:
    """The zip bytes (files as they are on disk now, plus ``MANIFEST.json``) and the file count.

    A file whose bytes changed since planning is archived as it is now; the manifest records
    the hash of exactly what went into the zip.
    """
    from xuncha_kb.fs.archive import zip_archive

    paths = [e.path for e in plan.archive_entries]
    # Pages that are not sensitive themselves may still hold sensitive blocks.
    redact = {e.path for e in plan.archive_entries
              if not e.sensitive and e.path.endswith((".md", ".markdown"))}
    if plan.record_path not in paths and (plan.root / plan.record_path).is_file():
        paths.append(plan.record_path)
    members: list[tuple[str, bytes, dict[str, Any]]] = []
    for rel in sorted(paths):
        try:
            data = resolve_inside(plan.root, rel).read_bytes()
        except OSError as exc:
            raise WriteFailed(f"读取失败（{exc.strerror or exc}），未生成归档包", file=rel) from exc
        withheld = 0
        if rel in redact:
            data, withheld = withhold_sensitive_blocks(data, rel, plan.secrets)
        members.append((rel, data, {"withheld_blocks": withheld} if withheld else {}))
    meta = {"format": 1, "inspection": plan.inspection, "date": plan.today.isoformat(),
            "sensitive_excluded": plan.archive_skipped_sensitive}
    return zip_archive(members, plan.today, meta), len(members)


WITHHELD = "（涉密内容，未归档）"


def withhold_sensitive_blocks(data: bytes, rel: str, secrets: Secrets = NO_SECRETS) -> tuple[bytes, int]:
    """A Markdown page's bytes with every sensitive block subtree replaced by one placeholder
    bullet at the same indentation.  Returns the new bytes and how many subtrees were withheld."""
    from xuncha_kb.logseq.page import parse_text
    from xuncha_kb.model import Page

    text = data.decode("utf-8", errors="replace")
    parsed = parse_text(text, rel)
    page = Page(name=rel, file=rel, properties=parsed.properties, property_refs=parsed.property_refs,
                blocks=parsed.blocks)
    ranges: list[tuple[int, int]] = []
    for ctx in walk_context(page, page_sensitive=False, secrets=secrets):
        b = ctx.block
        if b.pre_block or not ctx.sensitive or ctx.inherited:
            continue  # not sensitive, or inside a subtree already withheld
        end = max(x.span.end_line or x.span.line for x in b.walk())
        ranges.append((b.span.line, end))
    if not ranges:
        return data, 0
    body = text[1:] if text.startswith("\ufeff") else text
    lines = body.replace("\r\n", "\n").split("\n")
    for start, end in sorted(ranges, reverse=True):
        first = lines[start - 1]
        indent = first[: len(first) - len(first.lstrip())]
        lines[start - 1:end] = [f"{indent}- {WITHHELD}"]
    return "\n".join(lines).encode("utf-8"), len(ranges)


def run_close_out(plan: CloseOutPlan) -> CloseOutResult:
    """Carry out a plan: record page, then archive, then (if asked) the purge."""
    preflight(plan)
    record = apply(plan.record_plan, plan.root)
    archive = None
    count = 0
    if plan.archive_path is not None:
        from xuncha_kb.fs.archive import write_archive

        data, count = build_archive(plan)
        write_archive(plan.archive_path, data)
        archive = plan.archive_path
    moved: tuple[tuple[str, str], ...] = ()
    if plan.purge and plan.sensitive_pages:
        from xuncha_kb.fs.recycle import recycle_pages

        moved = recycle_pages(plan.root, [(s.file, s.hash) for s in plan.sensitive_pages])
    return CloseOutResult(record=record, archive=archive, archive_files=count, moved=moved)


# --- text ----------------------------------------------------------------------------------

def render_plan(plan: CloseOutPlan) -> str:
    """The terminal summary (Chinese): checks, sensitive pages by name (never their text), actions."""
    lines = [f"撤离脱密：{plan.inspection}"]
    if plan.ledger_closed:
        lines.append(f"底稿台账：已闭合（{len(plan.drafts)} 份底稿，均已定稿或已移交）")
    else:
        lines.append(f"底稿台账：未闭合，{len(plan.open_drafts)} / {len(plan.drafts)} 份底稿需要处理")
        for d in plan.open_drafts:
            lines.append(f"  {d.file}: {d.shown_number} {d.problem()}")
    lines.append(f"涉密页面：{len(plan.sensitive_pages)} 个；其他页面中的涉密块：{plan.sensitive_blocks} 个")
    for s in plan.sensitive_pages:
        lines.append(f"  {s.name}（{s.file}，{s.reason}）")
    lines.append(plan.record_plan.render())
    if plan.archive_path is not None:
        extra = f"，另有 {plan.archive_skipped_sensitive} 个涉密页面不归档（需要时加 --include-sensitive）" \
            if plan.archive_skipped_sensitive else ""
        lines.append(f"归档包：{plan.archive_path}（{len(plan.archive_entries) + 1} 个文件{extra}）")
    if plan.purge:
        lines.append(f"移入回收文件夹 {RECYCLE_DIR}/：{len(plan.sensitive_pages)} 个涉密页面"
                     "（不删除，可恢复）")
    return "\n".join(lines)


def render_result(result: CloseOutResult) -> str:
    lines = []
    if result.record is not None:
        lines.append(result.record.render())
    if result.archive is not None:
        lines.append(f"已写入归档包 {result.archive}（{result.archive_files} 个文件 + {ARCHIVE_MANIFEST}）")
    if result.moved:
        lines.append(f"已将 {len(result.moved)} 个涉密页面移入 {RECYCLE_DIR}/；确认归档移交后，"
                     "请按保密要求清理该文件夹。")
    return "\n".join(lines)



def close_out(root: Path, name: str | None, today: str | None, *, archive: Path | None,
              include_sensitive: bool, purge: bool, yes: bool, dry_run: bool, as_json: bool,
              interactive: bool, confirm: Callable[[str], bool], out: Callable[[str], None]) -> None:
    """The whole of ``close-out``: check the options, plan, print the plan, preflight, ask for
    the purge's confirmation (``confirm``, only on a terminal), run, and print the result.

    ``name`` is None when the user gave none (and was not asked); ``today`` as the user wrote it
    (None: today); ``out`` prints one line.
    """
    import json

    if name is None:
        raise InputError("缺少要撤离脱密的巡察", hint="请用 --inspection 指定巡察概览页名称或被巡察单位。")
    if include_sensitive and archive is None:
        raise InputError("--include-sensitive 只能与 --archive 一起使用")
    if yes and not purge:
        raise InputError("--yes 只能与 --purge-sensitive 一起使用")
    from xuncha_kb.track.deadlines import parse_today

    plan = plan_close_out(root, name, parse_today(today), archive=archive,
                          include_sensitive=include_sensitive, purge=purge)
    doc: dict[str, object] = {"dry_run": dry_run, "plan": plan.as_dict(), "result": None}
    if not as_json:
        out(render_plan(plan))
    if dry_run:
        out(json.dumps(doc, ensure_ascii=False, indent=2) if as_json
            else "（--dry-run：只做检查，未写入、未移动任何文件。）")
        if not plan.ledger_closed:
            preflight(plan)
        return
    try:
        preflight(plan)
    except Exception:
        if as_json:
            out(json.dumps(doc, ensure_ascii=False, indent=2))
        raise
    if purge and plan.sensitive_pages and not yes:
        if not interactive:
            raise InputError("--purge-sensitive 需要确认，未写入任何文件",
                             hint="确认无误后加 --yes 重新运行，或在终端中交互确认。")
        if not confirm(f"确认把 {len(plan.sensitive_pages)} 个涉密页面移入 logseq/.recycle/ 吗？"):
            out("已取消，未写入、未移动任何文件。")
            return
    result = run_close_out(plan)
    if as_json:
        doc["result"] = result.as_dict()
        out(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        out(render_result(result))
