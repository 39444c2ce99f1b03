"""Manifest: deterministic JSON, round trip, tolerant of missing and corrupt files."""

from __future__ import annotations

import json
from pathlib import Path

from xuncha_kb.fs.manifest import Manifest, ManifestEntry, read_manifest, write_manifest
from xuncha_kb.fs.state import manifest_path


def test_missing_manifest_is_empty(tmp_path: Path) -> None:
    m = read_manifest(tmp_path)
    assert m.entries == {} and m.diagnostics == ()


def test_round_trip_and_no_rewrite_when_equal(tmp_path: Path) -> None:
    entry = ManifestEntry("pages/巡察___a.md", "ab" * 32, inspection="巡察/a", kind="overview",
                          blocks={"u2": "h2", "u1": "h1"})
    m = Manifest().with_entries([entry])
    assert write_manifest(tmp_path, m) is True
    text = manifest_path(tmp_path).read_text(encoding="utf-8")
    assert "巡察___a.md" in text  # not \\u-escaped: readable by staff
    data = json.loads(text)
    assert data["format"] == 1
    assert list(data["files"]["pages/巡察___a.md"]["blocks"]) == ["u1", "u2"]
    back = read_manifest(tmp_path)
    assert back.get("pages/巡察___a.md") == entry
    assert back.for_inspection("巡察/a") == (entry,)
    assert write_manifest(tmp_path, back) is False  # identical bytes: nothing written


def test_corrupt_manifest_is_empty_with_diagnostic(tmp_path: Path) -> None:
    path = manifest_path(tmp_path)
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    m = read_manifest(tmp_path)
    assert m.entries == {}
    assert len(m.diagnostics) == 1 and "JSON" in m.diagnostics[0].message


def test_bad_entries_are_dropped_not_fatal(tmp_path: Path) -> None:
    path = manifest_path(tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps({"format": 1, "files": {"a.md": {"hash": "x"}, "b.md": 3}}), encoding="utf-8")
    m = read_manifest(tmp_path)
    assert set(m.entries) == {"a.md"}
    assert any("b.md" in d.message for d in m.diagnostics)
