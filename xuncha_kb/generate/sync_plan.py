"""What sync did, as values and as printed: ``BlockNote`` per block, ``FileResult`` per file,
``SyncPlan`` for the whole graph with its Chinese rendering and ``--json`` form (pure).

What is printed follows ``track/sensitive.py``: a note on a sensitive page is never quoted, and
the path of a sensitive page the generator does not own is never printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from xuncha_kb.model import JsonObject
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER, name_is_sensitive


@dataclass(frozen=True, slots=True)
class BlockNote:
    """One thing sync did (or refused to do) to one block."""

    action: str  # added | updated | removed | marked | conflict | moved-away
    file: str
    key: str
    label: str
    reason: str = ""


@dataclass(frozen=True)
class FileResult:
    path: str
    content: str | None  # new text (None: leave as is)
    base_hash: str | None  # hash of the bytes read (None: a new file)
    blocks: Mapping[str, str]  # manifest block hashes after the sync
    inspection: str
    kind: str
    notes: tuple[BlockNote, ...] = ()
    secret: bool = False  # a sensitive page xuncha-kb did not generate: its path is never printed


@dataclass(frozen=True)
class SyncPlan:
    files: tuple[FileResult, ...] = ()
    notes: tuple[str, ...] = ()  # inspection-level notes (Chinese)

    @property
    def conflicts(self) -> tuple[BlockNote, ...]:
        return tuple(n for f in self.files for n in f.notes if n.action == "conflict")

    @property
    def writes(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.content is not None)

    def render(self) -> str:
        lines = []
        labels = {"added": "新增", "updated": "更新", "removed": "删除", "marked": "标记为已移除",
                  "conflict": "冲突（保持原样）", "moved-away": "移到其他页面"}
        for f in self.files:
            if f.content is None and not f.notes:
                continue
            verb = "不变" if f.content is None else ("新建" if f.base_hash is None else "修改")
            lines.append(f"{verb} {shown_path(f)}")
            for n in f.notes:
                why = f"：{n.reason}" if n.reason else ""
                lines.append(f"  {labels.get(n.action, n.action)} {shown_label(n)}{why}")
        lines.extend(self.notes)
        c = len(self.conflicts)
        lines.append(f"共修改 {len(self.writes)} 个文件；{c} 处冲突保持用户的内容不变。" if self.writes or c
                     else "已是最新：没有需要同步的内容。")
        return "\n".join(lines)

    def as_dict(self) -> JsonObject:
        return {
            "files": [{"path": shown_path(f), "action": ("create" if f.base_hash is None else "update")
                       if f.content is not None else "unchanged",
                       "notes": [{"action": n.action, "key": n.key, "label": shown_label(n),
                                  "reason": n.reason} for n in f.notes]} for f in self.files],
            "notes": list(self.notes),
            "conflicts": len(self.conflicts),
            "writes": len(self.writes),
        }


def shown_label(note: BlockNote) -> str:
    """A block's label as printed; blocks on sensitive pages (信访/谈话/线索) are never quoted."""
    if name_is_sensitive(note.file.rsplit("/", 1)[-1]):
        return SENSITIVE_PLACEHOLDER
    return note.label


def shown_path(f: FileResult) -> str:
    """A file's path as printed: the placeholder for a sensitive page the generator does not own."""
    return SENSITIVE_PLACEHOLDER if f.secret else f.path
