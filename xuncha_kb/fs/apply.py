"""Plan → apply: the one path by which generated content reaches the graph.

1. Something pure (scaffold, a report page, sync) describes the files it wants as
   ``FileSpec`` s (graph-relative path + full text + manifest metadata).
2. ``plan_writes`` compares them with the disk and the manifest and returns a ``Plan`` of
   actions: ``Create``, ``Update``, ``Unchanged``, ``Skip`` (kept as the user has it) and
   ``Conflict`` (would overwrite something that is not ours to overwrite).
   ``Plan.render()`` is the Chinese ``--dry-run`` text, ``Plan.as_dict()`` the ``--json`` form.
3. ``apply`` takes the graph lock, refuses the whole plan if it has a conflict, re-checks
   every precondition before writing anything, then writes each file atomically with a
   compare-and-swap (``fs.atomic``) and records what it wrote in the manifest.  If a write
   fails half-way, every file is still either its old or its new version, and the manifest
   records exactly the files that were written.

Policies (``mode``):
* ``"create_only"`` (scaffold): never replace an existing file.  Equal bytes → Unchanged; a
  file we generated earlier (in the manifest) that now differs or was deleted → Skip (the
  user's edits win); a different file we did not generate → Conflict.
* ``"update_generated"`` (report pages, sync): replace a file only if it still hashes to
  what we last wrote (manifest); a file edited since → Conflict; deleted → Create again.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

from xuncha_kb.errors import GraphNotFound, InputError, WriteConflict
from xuncha_kb.filespec import FileSpec, content_hash
from xuncha_kb.fs.atomic import atomic_write, file_hash, sweep_temp_files
from xuncha_kb.fs.layout import require_parent_folders
from xuncha_kb.fs.lock import default_lock_timeout, graph_lock
from xuncha_kb.fs.manifest import Manifest, ManifestEntry, read_manifest, write_manifest
from xuncha_kb.fs.state import STATE_DIR_NAME
from xuncha_kb.model import JsonObject

Mode = Literal["create_only", "update_generated"]

# Characters that may never appear in a path we write (Windows-reserved or control).
_BAD_CHARS = set('<>:"|?*\\') | {chr(c) for c in range(32)}


@dataclass(frozen=True, slots=True)
class Create:
    path: str
    content: str
    inspection: str | None = None
    kind: str = ""
    blocks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Update:
    path: str
    content: str
    base_hash: str  # what the file must still hash to when we replace it
    inspection: str | None = None
    kind: str = ""
    blocks: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unchanged:
    path: str
    inspection: str | None = None
    kind: str = ""
    blocks: Mapping[str, str] = field(default_factory=dict)
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Skip:
    """An existing file left as the user has it (not an error)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """Writing would overwrite something that is not ours; the whole plan is refused.

    ``hint`` says how to resolve this particular conflict; without one the refusal gives the
    general advice (look at the plan, rename or move the file).
    """

    path: str
    reason: str
    hint: str = ""


Action = Create | Update | Unchanged | Skip | Conflict
_A = TypeVar("_A", bound=Action)

_LABELS: dict[type, tuple[str, str]] = {
    Create: ("create", "新建"),
    Update: ("update", "更新"),
    Unchanged: ("unchanged", "无变化"),
    Skip: ("skip", "保留"),
    Conflict: ("conflict", "冲突"),
}


def action_kind(action: Action) -> str:
    return _LABELS[type(action)][0]


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[Action, ...] = ()
    title: str = ""  # e.g. "巡察/2026年第一轮/某某公司"

    def of(self, kind: type[_A]) -> tuple[_A, ...]:
        return tuple(a for a in self.actions if isinstance(a, kind))

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self.of(Conflict)

    @property
    def writes(self) -> tuple[Create | Update, ...]:
        return tuple(a for a in self.actions if isinstance(a, Create | Update))

    @property
    def changes_anything(self) -> bool:
        return bool(self.writes)

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k, _ in _LABELS.values()}
        for a in self.actions:
            out[action_kind(a)] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{label} {c[key]}" for key, label in _LABELS.values() if c[key]]
        return f"共 {len(self.actions)} 个文件：" + ("，".join(parts) if parts else "无")

    def render(self) -> str:
        """Human-readable plan (Chinese), one line per file."""
        head = f"计划：{self.title}\n" if self.title else ""
        lines = [head + self.summary()]
        for a in self.actions:
            label = _LABELS[type(a)][1]
            reason = f"（{a.reason}）" if isinstance(a, Skip | Conflict) else ""
            lines.append(f"  {label:　<3} {a.path}{reason}")
        if not self.changes_anything and not self.conflicts:
            lines.append("无变化：所有文件都已存在，不会写入任何内容。")
        return "\n".join(lines)

    def as_dict(self) -> JsonObject:
        items: list[JsonObject] = []
        for a in self.actions:
            item: JsonObject = {"action": action_kind(a), "path": a.path}
            if isinstance(a, Create | Update):
                item["bytes"] = len(a.content.encode("utf-8"))
                item["hash"] = content_hash(a.content)
            if isinstance(a, Skip | Conflict):
                item["reason"] = a.reason
            items.append(item)
        return {"title": self.title, "counts": self.counts(), "changes": self.changes_anything,
                "actions": items}


@dataclass(frozen=True, slots=True)
class ApplyResult:
    written: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    manifest_written: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.written)

    def render(self) -> str:
        if not self.written:
            return "无变化：没有写入任何文件。"
        parts = []
        if self.created:
            parts.append(f"新建 {len(self.created)} 个文件")
        if self.updated:
            parts.append(f"更新 {len(self.updated)} 个文件")
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} 个无变化")
        if self.skipped:
            parts.append(f"{len(self.skipped)} 个保留原样")
        return "已写入：" + "，".join(parts) + "。"

    def as_dict(self) -> JsonObject:
        return {"written": list(self.written), "created": list(self.created),
                "updated": list(self.updated), "unchanged": list(self.unchanged),
                "skipped": list(self.skipped), "manifest_written": self.manifest_written}


# --- paths -------------------------------------------------------------------------------

def check_relpath(relpath: str) -> str:
    """A graph-relative path that is safe to write, or InputError (exit 2).

    Refuses absolute paths, ``..``, empty or dot-leading segments (which Logseq would ignore),
    control and Windows-reserved characters, and anything inside ``.xuncha/``.
    """
    p = PurePosixPath(relpath)
    shown = relpath.replace("\x00", "\\0")
    if not relpath or p.is_absolute() or relpath.startswith(("/", "\\")) or ":" in p.parts[0]:
        raise InputError(f"路径不能是绝对路径：{shown}", hint="生成的文件必须位于图谱目录之内。")
    for part in relpath.split("/"):
        if part in ("", ".", ".."):
            raise InputError(f"路径含有空段或 “..”，会越出图谱目录：{shown}",
                             hint="请检查被巡察单位、轮次等名称中的 “/” 与 “..”。")
        if part.startswith(".") or part == STATE_DIR_NAME:
            raise InputError(f"路径段不能以 “.” 开头（Logseq 会忽略该文件）：{shown}")
        bad = sorted(set(part) & _BAD_CHARS)
        if bad:
            raise InputError(f"路径含有不允许的字符 {''.join(repr(c)[1:-1] for c in bad)}：{shown}")
    return relpath


def resolve_inside(root: Path, relpath: str) -> Path:
    """Absolute path of ``relpath`` under ``root``, refusing anything that escapes it, and
    refusing (``GraphLayoutError``, exit 3) a folder on the way that is not a folder."""
    check_relpath(relpath)
    require_parent_folders(Path(root), relpath)
    base = Path(root).resolve()
    target = (base / relpath).resolve()
    if target != base and base not in target.parents:
        raise InputError(f"路径越出图谱目录（可能经由符号链接）：{relpath}")
    return target


# --- planning ----------------------------------------------------------------------------

def _occupant(target: Path) -> str | None:
    """What sits at ``target`` when it is not a regular file: a folder, or a FIFO, device …
    (never opened: reading a FIFO would block).  None when it is a file or nothing."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return "一个文件夹"
    return None if stat.S_ISREG(mode) else "一个特殊文件（如命名管道或设备）"


def _current_hash(target: Path, relpath: str) -> str | None:
    """The hash of what is at ``target`` now (None: nothing); a file we may not read is exit 3."""
    occupant = _occupant(target)
    if occupant is not None:
        return content_hash(f"<{occupant}>")
    try:
        return file_hash(target)
    except NotADirectoryError:
        return None  # a folder on the way became a file after the check: nothing is there
    except OSError as exc:
        raise GraphNotFound(f"无法读取 {relpath}（{exc.strerror or exc}），未写入任何文件",
                            file=relpath, hint="请检查该文件及其所在文件夹的权限。") from None


def plan_writes(root: Path, specs: Iterable[FileSpec], *, manifest: Manifest | None = None,
                mode: Mode = "create_only", title: str = "") -> Plan:
    """Compare wanted files with the disk (and the manifest) → a Plan. Reads, never writes."""
    if manifest is None:
        manifest = read_manifest(root)
    actions: list[Action] = []
    seen: set[str] = set()
    for spec in specs:
        if spec.path in seen:
            raise InputError(f"同一次生成中有两个文件同名：{spec.path}",
                             hint="请检查名称是否在文件名编码后重复。")
        seen.add(spec.path)
        actions.append(_plan_one(root, spec, manifest, mode))
    return Plan(tuple(actions), title)


def _plan_one(root: Path, spec: FileSpec, manifest: Manifest, mode: Mode) -> Action:
    target = resolve_inside(root, spec.path)
    meta: dict[str, Any] = {"inspection": spec.inspection, "kind": spec.kind, "blocks": spec.blocks}
    occupant = _occupant(target)
    if occupant is not None:
        return Conflict(spec.path, f"同名位置是{occupant}")
    current = _current_hash(target, spec.path)
    wanted = content_hash(spec.content)
    entry = manifest.get(spec.path)
    if current is None:
        if entry is not None and mode == "create_only":
            return Skip(spec.path, "曾由 xuncha-kb 生成、之后被删除；不自动重建")
        return Create(spec.path, spec.content, **meta)
    if current == wanted:
        return Unchanged(spec.path, content_hash=wanted, **meta)
    if mode == "create_only":
        if entry is not None and entry.hash == current:
            # exactly what we wrote last time: the difference is on our side, not the user's
            return Skip(spec.path, "自上次生成后未被修改，但这次生成的内容不同；已有文件不覆盖，保留原样")
        if entry is not None:
            return Skip(spec.path, "已存在且有修改（进度或笔记），保留原样")
        return Conflict(spec.path, "已有同名文件且内容不同，不是 xuncha-kb 生成的")
    if entry is not None and entry.hash == current:
        return Update(spec.path, spec.content, base_hash=current, **meta)
    if entry is None:
        return Conflict(spec.path, "已有同名文件且内容不同，不是 xuncha-kb 生成的")
    return Conflict(spec.path, "生成后被修改过，不覆盖用户的修改")


# --- applying ----------------------------------------------------------------------------

def _conflict_error(conflicts: Sequence[Conflict]) -> WriteConflict:
    listed = "；".join(f"{c.path}（{c.reason}）" for c in conflicts[:5])
    more = f" 等 {len(conflicts)} 个文件" if len(conflicts) > 5 else ""
    hints = list(dict.fromkeys(c.hint for c in conflicts if c.hint))
    return WriteConflict(f"有文件冲突，未写入任何文件：{listed}{more}",
                         hint="；".join(hints) or "请先用 --dry-run 查看计划；改名或移走冲突的文件后再运行。")


def _preflight(root: Path, action: Create | Update) -> Conflict | None:
    target = resolve_inside(root, action.path)
    current = _current_hash(target, action.path)
    if isinstance(action, Create):
        if current is not None:
            return Conflict(action.path, "计划之后该文件被创建")
        return None
    if current != action.base_hash:
        return Conflict(action.path, "计划之后该文件被修改或删除")
    return None


def apply(plan: Plan, root: Path, *, lock_timeout: float | None = None, fsync: bool = True,
          record_manifest: bool = True) -> ApplyResult:
    """Carry out a plan under the graph lock; all preconditions are checked before any write.

    ``lock_timeout`` defaults to ``fs.lock.DEFAULT_TIMEOUT`` (or ``$XUNCHA_LOCK_TIMEOUT``).
    """
    root = Path(root)
    if lock_timeout is None:
        lock_timeout = default_lock_timeout()
    if plan.conflicts:
        raise _conflict_error(plan.conflicts)
    with graph_lock(root, timeout=lock_timeout):
        late = [c for a in plan.writes if (c := _preflight(root, a)) is not None]
        if late:
            raise _conflict_error(late)
        folders = {resolve_inside(root, a.path).parent for a in plan.writes}
        if record_manifest and plan.writes:
            folders.add(root / STATE_DIR_NAME)  # a manifest write killed half-way leaves its temp there
        for folder in sorted(folders):
            sweep_temp_files(folder)  # leftovers of a killed run (older than an hour)
        manifest = read_manifest(root) if record_manifest else Manifest()
        entries: list[ManifestEntry] = []
        for same in plan.of(Unchanged):
            old = manifest.get(same.path)
            entry = ManifestEntry(same.path, same.content_hash, inspection=same.inspection, kind=same.kind,
                                  blocks=dict(same.blocks))
            if same.content_hash and (old is None or old.hash != same.content_hash):
                entries.append(entry)
        written: list[str] = []
        created: list[str] = []
        updated: list[str] = []
        manifest_written = False
        if record_manifest and plan.writes:
            intents = {a.path: ManifestEntry(a.path, content_hash(a.content), inspection=a.inspection,
                                             kind=a.kind, blocks=dict(a.blocks)) for a in plan.writes}
            write_manifest(root, replace(manifest, pending=intents))  # write-ahead note
        try:
            for a in plan.writes:
                target = resolve_inside(root, a.path)
                if isinstance(a, Create):
                    h = atomic_write(target, a.content, create_only=True, fsync=fsync, display=a.path)
                    created.append(a.path)
                else:
                    h = atomic_write(target, a.content, expect_hash=a.base_hash, fsync=fsync,
                                     display=a.path)
                    updated.append(a.path)
                written.append(a.path)
                entries.append(ManifestEntry(a.path, h, inspection=a.inspection, kind=a.kind,
                                             blocks=dict(a.blocks)))
        finally:
            if record_manifest and (entries or plan.writes or manifest.pending):
                final = replace(manifest.with_entries(entries), pending={})
                manifest_written = write_manifest(root, final)
        return ApplyResult(
            written=tuple(written), created=tuple(created), updated=tuple(updated),
            unchanged=tuple(a.path for a in plan.of(Unchanged)),
            skipped=tuple(a.path for a in plan.of(Skip)), manifest_written=manifest_written,
        )
