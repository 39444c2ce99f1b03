"""atomic_write: temp file placement, create-only, compare-and-swap, failures leave no trace."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from xuncha_kb.errors import WriteConflict, WriteFailed
from xuncha_kb.filespec import content_hash
from xuncha_kb.fs import atomic
from xuncha_kb.fs.atomic import atomic_write, file_hash, is_temp_name


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_temp_name(p.name))


def test_create_writes_bytes_and_returns_hash(tmp_path: Path) -> None:
    target = tmp_path / "pages" / "页面.md"
    h = atomic_write(target, "- 你好\n", create_only=True)
    assert target.read_bytes() == "- 你好\n".encode()
    assert h == content_hash("- 你好\n") == file_hash(target)
    assert _leftovers(target.parent) == []


def test_create_only_never_clobbers(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("用户的内容\n", encoding="utf-8")
    with pytest.raises(WriteConflict) as info:
        atomic_write(target, "生成的内容\n", create_only=True)
    assert info.value.exit_code == 4
    assert target.read_text(encoding="utf-8") == "用户的内容\n"
    assert _leftovers(tmp_path) == []


def test_create_only_race_after_temp_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file appearing between the temp write and the link is still not overwritten."""
    target = tmp_path / "a.md"
    real_link = os.link

    def racing_link(src: str, dst: str) -> None:
        Path(dst).write_text("别人刚写的\n", encoding="utf-8")
        real_link(src, dst)

    monkeypatch.setattr(atomic.os, "link", racing_link)
    with pytest.raises(WriteConflict):
        atomic_write(target, "ours\n", create_only=True)
    assert target.read_text(encoding="utf-8") == "别人刚写的\n"
    assert _leftovers(tmp_path) == []


def test_compare_and_swap(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_text("v1\n", encoding="utf-8")
    base = file_hash(target)
    atomic_write(target, "v2\n", expect_hash=base)
    assert target.read_text(encoding="utf-8") == "v2\n"
    # base is now stale: the file changed since we read it
    with pytest.raises(WriteConflict):
        atomic_write(target, "v3\n", expect_hash=base)
    assert target.read_text(encoding="utf-8") == "v2\n"


def test_compare_and_swap_on_deleted_file(tmp_path: Path) -> None:
    with pytest.raises(WriteConflict):
        atomic_write(tmp_path / "gone.md", "x", expect_hash=content_hash("old"))
    assert not (tmp_path / "gone.md").exists()


def test_temp_name_is_hidden_and_not_a_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    atomic_write(tmp_path / "页.md", "x")
    assert len(seen) == 1
    assert seen[0].startswith(f".页.md.{os.getpid()}-") and seen[0].endswith(".xuncha-tmp")
    assert not seen[0].endswith(".md")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_os_errors_become_write_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    target = tmp_path / "a.md"
    target.write_text("old\n", encoding="utf-8")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(WriteFailed) as info:
        atomic_write(target, "new\n")
    assert info.value.exit_code == 5
    assert target.read_text(encoding="utf-8") == "old\n"
    assert _leftovers(tmp_path) == []


def test_read_only_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(WriteFailed) as info:
            atomic_write(folder / "a.md", "x")
        assert "权限" in info.value.message
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_no_bom_and_lf_bytes(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a.md", b"- a\n- b\n")
    assert (tmp_path / "a.md").read_bytes() == b"- a\n- b\n"


def test_sweep_removes_only_stale_temp_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(dead.stdout)
    old = tmp_path / ".a.md.deadbeef.xuncha-tmp"  # no pid: judged by age
    killed = tmp_path / f".b.md.{dead_pid}-cafebabe.xuncha-tmp"  # its writer is gone
    live = tmp_path / f".c.md.{os.getpid()}-0badf00d.xuncha-tmp"  # a write in progress here
    fresh = tmp_path / ".d.md.feedface.xuncha-tmp"
    page = tmp_path / "e.md"
    for p in (old, killed, live, fresh, page):
        p.write_text("x", encoding="utf-8")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    os.utime(page, (1_000_000_000, 1_000_000_000))
    assert sorted(atomic.sweep_temp_files(tmp_path)) == sorted([old.name, killed.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, fresh.name, page.name])
