"""fs/watch.py: filters, the debouncer (fake clock), own-write suppression, sources, clean stop."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from xuncha_kb.fs.ownwrites import OwnWrites
from xuncha_kb.fs.stop import StopFlag
from xuncha_kb.fs.watch import (
    Change,
    Debouncer,
    FakeSource,
    QueueSource,
    batches,
    is_ignored,
    raw_changes,
    watchdog_source,
)


@pytest.mark.parametrize(
    "path",
    [
        "pages/.foo.md",  # Logseq ignores dot files
        ".recycle/pages/a.md",
        ".git/HEAD",
        ".xuncha/events.jsonl",
        ".xuncha/cache/index.json",
        "logseq/bak/pages/a/2026-03-01T10_00_00.md",
        "logseq/version-files/local/pages/a.md",
        "pages/a.md.xuncha-tmp",
        "pages/.a.md.xuncha-tmp",
        "pages/a.md.tmp",
        "pages/a.md~",
        "pages/.#a.md",
        "pages/#a.md#",
        "pages/a.md.swp",
        "assets/image.png",
        "node_modules/x/readme.md",
        "pages/notes.txt",
    ],
)
def test_ignored_paths(path: str) -> None:
    assert is_ignored(path)


@pytest.mark.parametrize(
    "path",
    ["pages/巡察___2026年第一轮___某某公司.md", "journals/2026_03_01.md", "whiteboards/巡察工作流程.edn",
     "logseq/config.edn", "pages/a.org", "pages/A.MD"],
)
def test_watched_paths(path: str) -> None:
    assert not is_ignored(path)


def test_directories_are_not_filtered_by_suffix() -> None:
    assert not is_ignored("pages/sub", is_directory=True)
    assert is_ignored(".recycle", is_directory=True)


def test_raw_changes_moved_means_source_gone_and_destination_changed(tmp_path: Path) -> None:
    got = raw_changes(tmp_path, "moved", str(tmp_path / "pages/.a.md.xuncha-tmp"),
                      str(tmp_path / "pages/a.md"), False)
    assert got == [Change("pages/a.md", "changed")]  # the temp file side is filtered away
    got = raw_changes(tmp_path, "moved", str(tmp_path / "pages/a.md"), str(tmp_path / "pages/b.md"), False)
    assert got == [Change("pages/a.md", "deleted"), Change("pages/b.md", "changed")]


def test_raw_changes_kinds_and_noise(tmp_path: Path) -> None:
    p = str(tmp_path / "pages/a.md")
    assert raw_changes(tmp_path, "opened", p, None, False) == []
    assert raw_changes(tmp_path, "closed_no_write", p, None, False) == []
    assert raw_changes(tmp_path, "modified", str(tmp_path / "pages"), None, True) == []
    assert raw_changes(tmp_path, "deleted", p, None, False) == [Change("pages/a.md", "deleted")]
    assert raw_changes(tmp_path, "closed", p, None, False) == [Change("pages/a.md", "changed")]
    assert raw_changes(tmp_path, "deleted", str(tmp_path / "pages"), None, True) == [
        Change("pages", "directory")]
    assert raw_changes(tmp_path, "created", "/elsewhere/x.md", None, False) == []


def test_debouncer_waits_for_quiet_and_merges_paths() -> None:
    d = Debouncer(quiet=0.15, max_wait=1.0)
    assert not d.due(0.0) and d.wait_time(0.0) is None
    d.add(Change("pages/a.md"), 0.00)
    d.add(Change("pages/a.md"), 0.05)
    d.add(Change("pages/b.md"), 0.10)
    assert not d.due(0.2)  # only 0.10 s since the last event
    assert d.wait_time(0.2) == pytest.approx(0.05)
    assert d.due(0.25)
    assert d.flush() == {Change("pages/a.md"), Change("pages/b.md")}
    assert len(d) == 0 and not d.due(10.0)


def test_debouncer_latest_hint_wins() -> None:
    d = Debouncer()
    d.add(Change("pages/a.md", "deleted"), 0.0)
    d.add(Change("pages/a.md", "changed"), 0.01)  # delete + create save
    assert d.flush() == {Change("pages/a.md", "changed")}


def test_debouncer_flushes_a_continuous_stream_after_max_wait() -> None:
    d = Debouncer(quiet=0.15, max_wait=1.0)
    i = 0
    while not d.due(i / 10):
        d.add(Change(f"pages/p{i}.md"), i / 10)
        i += 1
        assert i < 15, "a stream of events must still produce a batch"
    assert i == 10  # events every 0.1 s never leave 0.15 s of quiet; max_wait ends it at 1.0 s
    assert len(d.flush()) == 10


def test_debouncer_burst_of_1000_is_one_batch() -> None:
    d = Debouncer()
    for i in range(1000):
        d.add(Change(f"pages/p{i % 100}.md"), i * 0.0003)
    assert not d.due(0.3)
    assert d.due(0.3 + 0.15)
    batch = d.flush()
    assert len(batch) == 100


def test_own_writes_skip_until_content_differs() -> None:
    own = OwnWrites()
    own.expect("pages/r.md", b"generated")
    assert own.is_own("pages/r.md", b"generated")
    assert own.is_own("pages/r.md", b"generated")  # a second event of the same write
    assert not own.is_own("pages/r.md", b"user edit")
    assert "pages/r.md" not in own  # forgotten once the user changed it
    assert not own.is_own("pages/r.md", b"generated")
    assert not own.is_own("pages/other.md", b"generated")
    own.expect("pages/r.md", b"x")
    assert not own.is_own("pages/r.md", None)  # deleted: not ours any more


def test_fake_source_replays_batches_then_closes() -> None:
    src = FakeSource([["pages/a.md"], [Change("pages/b.md", "deleted")]])
    assert src.next_batch(0) == {Change("pages/a.md")}
    assert src.next_batch(0) == {Change("pages/b.md", "deleted")}
    assert src.next_batch(0) is None


def test_queue_source_debounces_threaded_puts() -> None:
    src = QueueSource(quiet=0.05, max_wait=2.0)

    def producer() -> None:
        for i in range(300):
            src.put(Change(f"pages/p{i % 30}.md"))

    t = threading.Thread(target=producer)
    t.start()
    batch = src.next_batch(5.0)
    t.join()
    assert batch is not None and len(batch) == 30
    assert src.next_batch(0.05) == set()  # timeout with nothing pending
    src.close()
    assert src.next_batch(1.0) is None


def test_queue_source_close_wakes_a_waiting_reader() -> None:
    src = QueueSource()
    threading.Timer(0.05, src.close).start()
    start = time.monotonic()
    assert src.next_batch(10.0) is None
    assert time.monotonic() - start < 5.0


def test_batches_stops_on_flag() -> None:
    stop = StopFlag()
    src = FakeSource([["pages/a.md"], [], ["pages/b.md"], ["pages/c.md"]])
    seen = []
    for b in batches(src, stop):
        seen.append(b)
        if len(seen) == 2:
            stop.set()
    assert [sorted(c.path for c in b) for b in seen] == [["pages/a.md"], ["pages/b.md"]]


def test_stop_flag_handles_sigterm() -> None:
    stop = StopFlag()
    called = []
    stop.install(on_stop=lambda: called.append(True))
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 2
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stop.is_set() and stop.signal == signal.SIGTERM and called == [True]
    finally:
        stop.restore()
    assert signal.getsignal(signal.SIGTERM) is not None


def _collect(src: QueueSource, want: set[str], timeout: float = 5.0) -> set[Change]:
    """Gather batches until every wanted path was seen (or the timeout passes)."""
    seen: set[Change] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not want <= {c.path for c in seen}:
        b = src.next_batch(0.2)
        assert b is not None
        seen |= b
    return seen


def test_real_filesystem_write_rename_delete_burst(tmp_path: Path) -> None:
    """One real-watchdog smoke test, every wait bounded."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (tmp_path / "logseq" / "bak").mkdir(parents=True)
    src = watchdog_source(tmp_path, quiet=0.1, max_wait=1.0)
    try:
        # plain write
        (pages / "a.md").write_text("- a\n", encoding="utf-8")
        got = _collect(src, {"pages/a.md"})
        assert Change("pages/a.md", "changed") in got

        # atomic save: temp file + rename (temp never shows up)
        tmp = pages / ".b.md.xuncha-tmp"
        tmp.write_text("- b\n", encoding="utf-8")
        os.replace(tmp, pages / "b.md")
        (tmp_path / "logseq" / "bak" / "b.md").write_text("- old\n", encoding="utf-8")
        got = _collect(src, {"pages/b.md"})
        assert {c.path for c in got} == {"pages/b.md"}

        # delete
        (pages / "a.md").unlink()
        got = _collect(src, {"pages/a.md"})
        assert Change("pages/a.md", "deleted") in got

        # burst: 500 writes to 50 files → the debouncer yields few batches (normally one)
        for i in range(500):
            (pages / f"p{i % 50}.md").write_text(f"- {i}\n", encoding="utf-8")
        want = {f"pages/p{i}.md" for i in range(50)}
        n_batches = 0
        seen: set[str] = set()
        deadline = time.monotonic() + 10
        while not want <= seen and time.monotonic() < deadline:
            b = src.next_batch(0.5)
            assert b is not None
            if b:
                n_batches += 1
                seen |= {c.path for c in b}
        assert want <= seen
        assert n_batches <= 3
    finally:
        src.close()
    assert src.next_batch(0.1) is None


def test_relative_posix(tmp_path: Path) -> None:
    from xuncha_kb.fs.watch import relative_posix

    assert relative_posix(tmp_path, str(tmp_path / "pages" / "a.md")) == "pages/a.md"
    assert relative_posix(tmp_path, os.fsencode(tmp_path / "pages" / "甲.md")) == "pages/甲.md"
    assert relative_posix(tmp_path, str(tmp_path)) is None
    assert relative_posix(tmp_path, str(tmp_path.parent / "other" / "a.md")) is None
    assert relative_posix(tmp_path, str(tmp_path / "pages" / ".." / ".." / "x.md")) is None
    assert relative_posix(tmp_path / "", str(tmp_path / "pages" / "." / "a.md")) == "pages/a.md"


def test_move_pairing_delay_is_shortened_for_watch(tmp_path: Path) -> None:
    src = watchdog_source(tmp_path)
    try:
        from watchdog.observers import inotify_move_event_grouper as grouper
    except ImportError:
        src.close()
        pytest.skip("not the inotify backend")
    src.close()
    from xuncha_kb.fs.watch import MOVE_PAIRING_DELAY

    assert grouper.InotifyMoveEventGrouper.delay == MOVE_PAIRING_DELAY
