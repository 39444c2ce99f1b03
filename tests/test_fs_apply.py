"""Plan → apply: policies, all-or-nothing preconditions, manifest, path safety, partial failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xuncha_kb.errors import InputError, WriteConflict, WriteFailed
from xuncha_kb.filespec import content_hash
from xuncha_kb.fs import atomic
from xuncha_kb.fs.apply import (
    Conflict,
    Create,
    FileSpec,
    Skip,
    Unchanged,
    Update,
    apply,
    check_relpath,
    plan_writes,
)
from xuncha_kb.fs.manifest import read_manifest


def _specs() -> list[FileSpec]:
    return [
        FileSpec("pages/甲.md", "- 甲\n", inspection="巡察/x", kind="stage", blocks={"b1": "h"}),
        FileSpec("pages/乙.md", "- 乙\n", inspection="巡察/x", kind="ledger"),
    ]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_create_then_unchanged(tmp_path: Path) -> None:
    plan = plan_writes(tmp_path, _specs())
    assert [type(a) for a in plan.actions] == [Create, Create]
    assert "新建 2" in plan.render()
    result = apply(plan, tmp_path)
    assert result.created == ("pages/甲.md", "pages/乙.md")
    entry = read_manifest(tmp_path).get("pages/甲.md")
    assert entry is not None and entry.hash == content_hash("- 甲\n") and entry.blocks == {"b1": "h"}
    before = _snapshot(tmp_path)
    again = plan_writes(tmp_path, _specs())
    assert [type(a) for a in again.actions] == [Unchanged, Unchanged]
    assert not again.changes_anything and "无变化" in again.render()
    assert not apply(again, tmp_path).changed
    assert _snapshot(tmp_path) == before


def test_create_only_policy(tmp_path: Path) -> None:
    apply(plan_writes(tmp_path, _specs()), tmp_path)
    (tmp_path / "pages/甲.md").write_text("- DONE 甲\n", encoding="utf-8")  # user progress
    (tmp_path / "pages/乙.md").unlink()  # user deleted it
    (tmp_path / "pages/丙.md").write_text("- 用户自己的页面\n", encoding="utf-8")
    specs = [*_specs(), FileSpec("pages/丙.md", "- 丙\n")]
    plan = plan_writes(tmp_path, specs)
    assert [type(a) for a in plan.actions] == [Skip, Skip, Conflict]
    before = _snapshot(tmp_path)
    with pytest.raises(WriteConflict) as info:
        apply(plan, tmp_path)
    assert "丙.md" in info.value.message
    assert _snapshot(tmp_path) == before


def test_update_generated_policy(tmp_path: Path) -> None:
    apply(plan_writes(tmp_path, _specs(), mode="update_generated"), tmp_path)
    new = [FileSpec("pages/甲.md", "- 甲 v2\n"), FileSpec("pages/乙.md", "- 乙 v2\n")]
    (tmp_path / "pages/乙.md").write_text("- 乙 用户改过\n", encoding="utf-8")
    plan = plan_writes(tmp_path, new, mode="update_generated")
    assert [type(a) for a in plan.actions] == [Update, Conflict]
    with pytest.raises(WriteConflict):
        apply(plan, tmp_path)
    assert (tmp_path / "pages/甲.md").read_text(encoding="utf-8") == "- 甲\n"  # nothing written
    ok = plan_writes(tmp_path, new[:1], mode="update_generated")
    assert apply(ok, tmp_path).updated == ("pages/甲.md",)
    assert (tmp_path / "pages/甲.md").read_text(encoding="utf-8") == "- 甲 v2\n"


def test_change_between_plan_and_apply_refuses_everything(tmp_path: Path) -> None:
    plan = plan_writes(tmp_path, _specs())
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages/乙.md").write_text("Logseq 刚保存\n", encoding="utf-8")
    with pytest.raises(WriteConflict):
        apply(plan, tmp_path)
    assert not (tmp_path / "pages/甲.md").exists()  # preflight: nothing written at all
    assert (tmp_path / "pages/乙.md").read_text(encoding="utf-8") == "Logseq 刚保存\n"


def test_failure_mid_apply_leaves_each_file_old_or_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = atomic.os.link
    calls = {"n": 0}

    def second_fails(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_link(src, dst)

    monkeypatch.setattr(atomic.os, "link", second_fails)
    with pytest.raises(WriteFailed):
        apply(plan_writes(tmp_path, _specs()), tmp_path)
    assert (tmp_path / "pages/甲.md").read_text(encoding="utf-8") == "- 甲\n"
    assert not (tmp_path / "pages/乙.md").exists()
    assert [p.name for p in (tmp_path / "pages").iterdir()] == ["甲.md"]  # no temp files left
    assert set(read_manifest(tmp_path).entries) == {"pages/甲.md"}  # records exactly what was written


@pytest.mark.parametrize("bad", ["../escape.md", "/etc/passwd", "pages/../../x.md", "pages/.hidden.md",
                                 "pages/a\x00b.md", "pages//a.md", "C:/x.md", "pages/a|b.md",
                                 ".xuncha/manifest.json"])
def test_hostile_paths_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InputError) as info:
        check_relpath(bad)
    assert info.value.exit_code == 2
    with pytest.raises(InputError):
        plan_writes(tmp_path, [FileSpec(bad, "x")])
    assert list(tmp_path.iterdir()) == []


def test_symlink_escape_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "graph"
    root.mkdir()
    (root / "pages").symlink_to(outside)
    with pytest.raises(InputError):
        plan_writes(root, [FileSpec("pages/a.md", "x")])
    assert list(outside.iterdir()) == []


def test_duplicate_paths_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        plan_writes(tmp_path, [FileSpec("pages/a.md", "x"), FileSpec("pages/a.md", "y")])


def test_plan_as_dict_is_json(tmp_path: Path) -> None:
    d = plan_writes(tmp_path, _specs()).as_dict()
    json.dumps(d)
    assert d["counts"]["create"] == 2 and d["changes"] is True
    assert d["actions"][0]["hash"] == content_hash("- 甲\n")


KILLED_APPLY = """
import os, sys
from pathlib import Path
from xuncha_kb.fs import atomic
from xuncha_kb.filespec import FileSpec
from xuncha_kb.fs.apply import apply, plan_writes
real_link = atomic.os.link
calls = []
def dying_link(src, dst):
    calls.append(dst)
    if len(calls) == 2:
        os._exit(9)  # like kill -9: no finally, no cleanup
    real_link(src, dst)
atomic.os.link = dying_link
root = Path(sys.argv[1])
specs = [FileSpec("pages/甲.md", "- 甲\\n", kind="stage"), FileSpec("pages/乙.md", "- 乙\\n", kind="ledger")]
apply(plan_writes(root, specs), root)
"""


def test_killed_apply_is_settled_by_the_next_read(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", KILLED_APPLY, str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    raw = json.loads((tmp_path / ".xuncha" / "manifest.json").read_text(encoding="utf-8"))
    assert raw["files"] == {} and set(raw["pending"]) == {"pages/甲.md", "pages/乙.md"}
    # The first file made it, the second did not: only the first is adopted.
    m = read_manifest(tmp_path)
    assert set(m.entries) == {"pages/甲.md"}
    rerun = plan_writes(tmp_path, _specs_for_kill())
    assert [type(a) for a in rerun.actions] == [Unchanged, Create]
    apply(rerun, tmp_path)
    raw = json.loads((tmp_path / ".xuncha" / "manifest.json").read_text(encoding="utf-8"))
    assert set(raw["files"]) == {"pages/甲.md", "pages/乙.md"} and "pending" not in raw
    assert [p.name for p in sorted((tmp_path / "pages").iterdir())] == ["乙.md", "甲.md"]  # temp swept


def _specs_for_kill() -> list[FileSpec]:
    return [FileSpec("pages/甲.md", "- 甲\n", kind="stage"), FileSpec("pages/乙.md", "- 乙\n", kind="ledger")]
