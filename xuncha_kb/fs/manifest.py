"""``<graph>/.xuncha/manifest.json``: what xuncha-kb generated, so later runs can tell
"still as we wrote it" from "edited by a person".

Format (version 1; keys sorted, UTF-8, no timestamps so identical runs give identical bytes)::

    {
      "format": 1,
      "files": {
        "pages/巡察___2026年第一轮___某某公司.md": {
          "hash": "<sha256 of the file bytes as written>",
          "generator_version": "0.1.0",
          "inspection": "巡察/2026年第一轮/某某公司",
          "kind": "overview",
          "blocks": {"<block id:: uuid or xuncha-generated key>": "<sha256 of its generated text>"}
        }
      }
    }

``blocks`` lets sync do three-way merges later: base = the generated text of one block,
ours = what the generator wants now, theirs = the block as it is on disk.

Crash safety: before ``fs.apply`` writes any file it records the hashes it is about to write
under ``"pending"`` (a write-ahead note; ``"files"`` still describes only files as they are),
and it removes that note when it records the result.  If the process dies in between (kill
-9, power loss), the next ``read_manifest`` adopts each pending entry whose file is on disk as
recorded — so a rerun that finds those files already up to date still ends with a manifest
that vouches for them.

A missing manifest is an empty one.  A corrupt one is also treated as empty, with a
diagnostic, so a damaged state file never blocks work (it only makes the next run more
cautious: files it cannot vouch for are treated as user files).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xuncha_kb import __version__
from xuncha_kb.fs.atomic import atomic_write, file_hash
from xuncha_kb.fs.state import MANIFEST_NAME, STATE_DIR_NAME, manifest_path
from xuncha_kb.model import Diagnostic

FORMAT_VERSION = 1
MANIFEST_REL = f"{STATE_DIR_NAME}/{MANIFEST_NAME}"


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One generated file."""

    path: str  # graph-relative POSIX path
    hash: str
    generator_version: str = __version__
    inspection: str | None = None
    kind: str = ""
    blocks: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hash": self.hash, "generator_version": self.generator_version}
        if self.inspection is not None:
            out["inspection"] = self.inspection
        if self.kind:
            out["kind"] = self.kind
        if self.blocks:
            out["blocks"] = dict(sorted(self.blocks.items()))
        return out


@dataclass(frozen=True, slots=True)
class Manifest:
    entries: Mapping[str, ManifestEntry] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    # Write-ahead record of an apply in progress (see module docstring); empty when at rest.
    pending: Mapping[str, ManifestEntry] = field(default_factory=dict)

    def get(self, path: str) -> ManifestEntry | None:
        return self.entries.get(path)

    def __contains__(self, path: object) -> bool:
        return path in self.entries

    def for_inspection(self, inspection: str) -> tuple[ManifestEntry, ...]:
        return tuple(e for _, e in sorted(self.entries.items()) if e.inspection == inspection)

    def with_entries(self, entries: Iterable[ManifestEntry]) -> Manifest:
        merged = dict(self.entries)
        for e in entries:
            merged[e.path] = e
        return replace(self, entries=merged)

    def without(self, paths: Iterable[str]) -> Manifest:
        drop = set(paths)
        return replace(self, entries={k: v for k, v in self.entries.items() if k not in drop})

    def to_json(self) -> str:
        data: dict[str, Any] = {"format": FORMAT_VERSION,
                                "files": {p: e.as_dict() for p, e in sorted(self.entries.items())}}
        if self.pending:
            data["pending"] = {p: e.as_dict() for p, e in sorted(self.pending.items())}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def parse_manifest(text: str, file: str = MANIFEST_REL) -> Manifest:
    """Manifest from JSON text; anything unreadable becomes a diagnostic and is dropped."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Manifest(diagnostics=(Diagnostic(file, getattr(exc, "lineno", 1) or 1,
                                                f"清单文件不是有效的 JSON，按空清单处理：{exc}"),))
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return Manifest(diagnostics=(Diagnostic(file, 1, "清单文件缺少 files，按空清单处理"),))
    diags: list[Diagnostic] = []
    if data.get("format") not in (None, FORMAT_VERSION):
        diags.append(Diagnostic(file, 1, f"清单格式版本 {data.get('format')} 未知，尽量读取", "info"))
    entries = _entries(data["files"], file, diags)
    raw_pending = data.get("pending")
    pending = _entries(raw_pending, file, diags) if isinstance(raw_pending, dict) else {}
    return Manifest(entries=entries, diagnostics=tuple(diags), pending=pending)


def _entries(raw_files: Mapping[str, Any], file: str, diags: list[Diagnostic]) -> dict[str, ManifestEntry]:
    entries: dict[str, ManifestEntry] = {}
    for path, raw in raw_files.items():
        if not isinstance(raw, dict) or not isinstance(raw.get("hash"), str):
            diags.append(Diagnostic(file, 1, f"清单条目无效，已忽略：{path}"))
            continue
        blocks = raw.get("blocks") or {}
        if not isinstance(blocks, dict):
            blocks = {}
        entries[str(path)] = ManifestEntry(
            path=str(path), hash=raw["hash"],
            generator_version=str(raw.get("generator_version", "")),
            inspection=raw.get("inspection") if isinstance(raw.get("inspection"), str) else None,
            kind=str(raw.get("kind", "")),
            blocks={str(k): str(v) for k, v in blocks.items()},
        )
    return entries


def read_manifest(root: Path) -> Manifest:
    """The graph's manifest; missing → empty, corrupt → empty with a diagnostic."""
    path = manifest_path(root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest()
    except (OSError, UnicodeDecodeError) as exc:
        return Manifest(diagnostics=(Diagnostic(MANIFEST_REL, 1, f"无法读取清单文件，按空清单处理：{exc}"),))
    return settle_pending(root, parse_manifest(text))


def settle_pending(root: Path, manifest: Manifest) -> Manifest:
    """Adopt the pending entries of an interrupted apply whose file is on disk as recorded.

    The pending record itself is kept (so the next apply knows to rewrite the manifest);
    entries whose file is still old (the write never happened) are simply not adopted.
    """
    if not manifest.pending:
        return manifest
    adopted = [e for e in manifest.pending.values() if _hash_or_none(Path(root) / e.path) == e.hash]
    return manifest.with_entries(adopted)


def _hash_or_none(path: Path) -> str | None:
    """``file_hash`` that treats anything but a readable regular file as absent (a FIFO is
    never opened; a folder on the way that is a file is no error)."""
    try:
        return file_hash(path) if path.is_file() else None
    except OSError:
        return None


def write_manifest(root: Path, manifest: Manifest) -> bool:
    """Write the manifest atomically; returns False (and writes nothing) if it is unchanged."""
    path = manifest_path(root)
    text = manifest.to_json()
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(path, text, display=MANIFEST_REL)
    return True
