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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xuncha_kb.commands.closeout_archive import ArchiveEntry, archive_entries, withhold_sensitive_blocks
from xuncha_kb.commands.closeout_checks import (
    DraftCheck,
    SensitivePage,
    check_drafts,
    find_sensitive,
    owned_pages,
    pick_inspection,
    read_hash,
)
from xuncha_kb.commands.closeout_record import record_title, render_record
from xuncha_kb.errors import InputError, WriteConflict, WriteFailed
from xuncha_kb.filespec import FileSpec
from xuncha_kb.fs.apply import ApplyResult, Plan, apply, plan_writes, resolve_inside
from xuncha_kb.fs.archive import MANIFEST_NAME as ARCHIVE_MANIFEST
from xuncha_kb.fs.recycle import RECYCLE_DIR
from xuncha_kb.model import Graph, JsonObject
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.sensitive import NO_SECRETS, Secrets

KIND_RECORD = "closeout"


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


# --- planning ------------------------------------------------------------------------------

def plan_close_out(root: Path, name: str, today: dt.date, *, archive: Path | None = None,
                   include_sensitive: bool = False, purge: bool = False,
                   graph: Graph | None = None, use_cache: bool = True) -> CloseOutPlan:
    """Read the graph and work out what close-out would do.  Writes nothing."""
    from xuncha_kb.commands.graph_index import relevant_graph
    from xuncha_kb.fs.layout import require_folder
    from xuncha_kb.logseq.names import safe_title_to_relpath

    root = Path(root)
    graph = graph or relevant_graph(root, use_cache=use_cache, whiteboards=True)
    # The record page goes into the pages folder; if that is not a folder, no inspection can
    # be found either, and "not found" would hide the reason.
    require_folder(root, graph.config.pages_dir, purpose="无法读取该巡察的页面，也无法写入脱密处理记录")
    ref = pick_inspection(graph, name)
    pages = owned_pages(graph, ref)
    title = record_title(ref)
    record_rel = safe_title_to_relpath(title, graph.config, fmt="markdown")
    secrets = Secrets.of_graph(graph)
    drafts = check_drafts(pages, secrets)
    sensitive, sblocks = find_sensitive(root, pages, record_rel, secrets)
    entries, skipped = archive_entries(root, graph, ref, pages, record_rel, include_sensitive, secrets)
    content = render_record(ref, today, drafts, sensitive, sblocks, archive, len(entries) + 1,
                            include_sensitive, purge)
    spec = FileSpec(record_rel, content, inspection=ref.name, kind=KIND_RECORD)
    record_plan = plan_writes(root, [spec], mode="create_only", title=title)
    return CloseOutPlan(root=root, inspection=ref.name, today=today, drafts=drafts,
                        sensitive_pages=tuple(sensitive), sensitive_blocks=sblocks, record_path=record_rel,
                        record_plan=record_plan, archive_path=archive, archive_entries=tuple(entries),
                        archive_skipped_sensitive=skipped, purge=purge, secrets=secrets)


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
            if read_hash(plan.root, s.file) != s.hash:
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
    members: list[tuple[str, bytes, JsonObject]] = []
    for rel in sorted(paths):
        try:
            data = resolve_inside(plan.root, rel).read_bytes()
        except OSError as exc:
            raise WriteFailed(f"读取失败（{exc.strerror or exc}），未生成归档包", file=rel) from exc
        withheld = 0
        if rel in redact:
            data, withheld = withhold_sensitive_blocks(data, rel, plan.secrets)
        members.append((rel, data, {"withheld_blocks": withheld} if withheld else {}))
    meta: JsonObject = {"format": 1, "inspection": plan.inspection, "date": plan.today.isoformat(),
            "sensitive_excluded": plan.archive_skipped_sensitive}
    return zip_archive(members, plan.today, meta), len(members)


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


def _check_options(name: str | None, *, archive: Path | None, include_sensitive: bool, purge: bool,
                   yes: bool) -> str:
    """The inspection's name, once the options make sense together."""
    if name is None:
        raise InputError("缺少要撤离脱密的巡察", hint="请用 --inspection 指定巡察概览页名称或被巡察单位。")
    if include_sensitive and archive is None:
        raise InputError("--include-sensitive 只能与 --archive 一起使用")
    if yes and not purge:
        raise InputError("--yes 只能与 --purge-sensitive 一起使用")
    return name


def _purge_confirmed(plan: CloseOutPlan, interactive: bool, confirm: Callable[[str], bool]) -> bool:
    """Whether the user agreed to the purge (asked only on a terminal; elsewhere it needs --yes)."""
    if not interactive:
        raise InputError("--purge-sensitive 需要确认，未写入任何文件",
                         hint="确认无误后加 --yes 重新运行，或在终端中交互确认。")
    return confirm(f"确认把 {len(plan.sensitive_pages)} 个涉密页面移入 logseq/.recycle/ 吗？")


def close_out(root: Path, name: str | None, today: str | None, *, archive: Path | None,
              include_sensitive: bool, purge: bool, yes: bool, dry_run: bool, as_json: bool,
              interactive: bool, confirm: Callable[[str], bool], out: Callable[[str], None],
              no_cache: bool = False) -> None:
    """The whole of ``close-out``: check the options, plan, print the plan, preflight, ask for
    the purge's confirmation (``confirm``, only on a terminal), run, and print the result.

    ``name`` is None when the user gave none (and was not asked); ``today`` as the user wrote it
    (None: today); ``out`` prints one line.
    """
    import json

    name = _check_options(name, archive=archive, include_sensitive=include_sensitive, purge=purge, yes=yes)
    from xuncha_kb.track.deadlines import parse_today

    plan = plan_close_out(root, name, parse_today(today), archive=archive,
                          include_sensitive=include_sensitive, purge=purge, use_cache=not no_cache)
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
    if purge and plan.sensitive_pages and not yes and not _purge_confirmed(plan, interactive, confirm):
        out("已取消，未写入、未移动任何文件。")
        return
    result = run_close_out(plan)
    if as_json:
        doc["result"] = result.as_dict()
        out(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        out(render_result(result))
