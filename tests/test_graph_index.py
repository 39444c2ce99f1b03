"""The graph index (``fs/index.py``, ``commands/graph_index.py``) never changes a result.

A differential test: random edits, renames, deletions, moves between ``pages/`` and
``journals/``, config changes, same-size same-mtime rewrites, format bumps and damaged index
files are applied to a copy of the example graph; after each step ``stats`` and ``report``
through the index (warm) must equal the whole-graph read (``load_graph``, cold).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuncha_kb.commands.graph_index import indexed_stats, read_indexed, relevant_graph
from xuncha_kb.fs import index as fsindex
from xuncha_kb.fs.scan import load_graph
from xuncha_kb.stats import graph_stats

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "graph"
TODAY = dt.date(2026, 3, 10)


def _report(graph: object) -> str:
    from xuncha_kb.report import render
    from xuncha_kb.track.progress import compute_progress
    from xuncha_kb.workflow.load import active_workflow

    return render(compute_progress(graph, active_workflow(graph), TODAY), "json")  # type: ignore[arg-type]


def cold(root: Path) -> tuple[dict[str, object], str]:
    g = load_graph(root)
    return graph_stats(g), _report(g)


def warm(root: Path) -> tuple[dict[str, object], str]:
    return indexed_stats(root), _report(relevant_graph(root))


def fresh_graph(base: Path) -> Path:
    root = base / "graph"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(EXAMPLE, root)
    shutil.rmtree(root / ".xuncha" / "index", ignore_errors=True)
    return root


def _pages(root: Path) -> list[Path]:
    return sorted(p for d in ("pages", "journals") if (root / d).is_dir() for p in (root / d).iterdir()
                  if p.suffix == ".md")


# --- the steps -------------------------------------------------------------------------------

def op_append(root: Path, i: int) -> None:
    pages = _pages(root)
    if pages:
        p = pages[i % len(pages)]
        lines = ["- TODO 新增任务 [#A]", "- 巡察:: 2026年第一轮", "- DONE 已完成", "- 普通的一行 #信访",
                 "- 问题:: [[某某]]\n  整改状态:: 已整改", "-\n  SCHEDULED: <2026-03-12 Thu>"]
        with p.open("a", encoding="utf-8") as fh:
            fh.write("\n" + lines[i % len(lines)] + "\n")


def op_same_size_same_mtime(root: Path, i: int) -> None:
    """Flip TODO ⇄ DONE (same length) and put the old times back, as a coarse clock would."""
    for p in _pages(root)[i % 7:]:
        text = p.read_text(encoding="utf-8")
        new = text.replace("TODO", "DONE", 1) if "TODO" in text else text.replace("DONE", "TODO", 1)
        if new != text:
            st_ = p.stat()
            p.write_text(new, encoding="utf-8")
            os.utime(p, ns=(st_.st_atime_ns, st_.st_mtime_ns))
            return


def op_delete(root: Path, i: int) -> None:
    pages = _pages(root)
    if len(pages) > 3:
        pages[i % len(pages)].unlink()


def op_rename(root: Path, i: int) -> None:
    pages = _pages(root)
    if pages:
        p = pages[i % len(pages)]
        name = f"改名{i}.md" if i % 2 else f"巡察___2026年第一轮___某某集团有限公司___新页{i}.md"
        p.rename(p.with_name(name))


def op_move(root: Path, i: int) -> None:
    """Between pages/ and journals/ (a journal-named page in pages/ and back)."""
    pages = _pages(root)
    if pages:
        p = pages[i % len(pages)]
        other = "journals" if p.parent.name == "pages" else "pages"
        p.rename(root / other / (f"2026_04_{i % 28 + 1:02d}.md" if other == "journals" else p.name))


def op_config(root: Path, i: int) -> None:
    cfg = root / "logseq" / "config.edn"
    text = cfg.read_text(encoding="utf-8")
    hidden = [':hidden ["/archived"]', ':hidden ["/archived" "pages/巡察办"]', ':hidden []']
    for h in hidden:
        if h in text:
            cfg.write_text(text.replace(h, hidden[(hidden.index(h) + 1 + i) % len(hidden)]), encoding="utf-8")
            return


def op_truncate_index(root: Path, i: int) -> None:
    p = fsindex.index_path(root)
    if p.exists():
        data = p.read_bytes()
        p.write_bytes(data[: (i * 37) % max(len(data), 1)])


def op_corrupt_index(root: Path, i: int) -> None:
    p = fsindex.index_path(root)
    if p.exists():
        data = bytearray(p.read_bytes())
        data[(i * 101) % len(data)] ^= 0x55
        p.write_bytes(bytes(data))


def op_new_page(root: Path, i: int) -> None:
    (root / "pages" / f"新页面{i}.md").write_text(f"- 新页面 {i}\n- TODO 任务 {i}\n", encoding="utf-8")


OPS = [op_append, op_same_size_same_mtime, op_delete, op_rename, op_move, op_config, op_truncate_index,
       op_corrupt_index, op_new_page]
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 1000)), min_size=1, max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_warm_always_equals_cold(tmp_path: Path, ops: list[tuple[object, int]]) -> None:
    root = fresh_graph(tmp_path)
    assert warm(root) == cold(root)
    for op, i in ops:
        op(root, i)  # type: ignore[operator]
        assert warm(root) == cold(root), op
        assert warm(root) == cold(root), op  # and again, from the index just written


def test_unchanged_graph_is_not_read_again(tmp_path: Path) -> None:
    root = fresh_graph(tmp_path)
    first = read_indexed(root)
    assert first.reread == len(first.records) > 20
    for r in first.records:  # make every file old: not racy any more
        os.utime(root / r.rel, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    read_indexed(root)
    again = read_indexed(root)
    assert again.reread == 0
    op_append(root, 0)
    assert read_indexed(root).reread == 1


def test_racy_file_is_checked_by_content(tmp_path: Path) -> None:
    """A file written within the clock's granularity of the scan carries a digest; if a later
    edit leaves size, mtime, inode and ctime as they were (a coarse file system), the digest
    still tells."""
    root = fresh_graph(tmp_path)
    page = root / "pages" / "巡察办.md"
    page.write_text("- TODO 一\n", encoding="utf-8")
    first = read_indexed(root)
    rec = next(r for r in first.records if r.rel == "pages/巡察办.md")
    assert rec.digest  # racy: just written
    page.write_text("- DONE 一\n", encoding="utf-8")
    # forge the stored stamp to the new one, as if the file system had not noticed
    fp = fsindex.fingerprint((root / "logseq" / "config.edn").read_bytes(), "hidden=True")
    records = fsindex.load_records(root, fp)
    records[rec.rel] = rec._replace(stamp=fsindex.stamp_of(os.lstat(page)))
    fsindex.save_records(root, records.values(), fp)
    assert indexed_stats(root)["tasks"] == graph_stats(load_graph(root))["tasks"]
    assert indexed_stats(root)["tasks"].get("DONE", 0) >= 1


def test_format_bump_and_other_config_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fresh_graph(tmp_path)
    read_indexed(root)
    assert read_indexed(root).reread < 5  # only racy files are looked at again
    monkeypatch.setattr(fsindex, "FORMAT", fsindex.FORMAT + 1)
    assert fsindex.load_records(root, fsindex.fingerprint(b"")) == {}
    bumped = read_indexed(root)
    assert bumped.reread == len(bumped.records)
    assert warm(root) == cold(root)


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    root = fresh_graph(tmp_path)
    assert read_indexed(root, use_cache=False).reread > 20
    assert not fsindex.index_path(root).exists()
    fsindex.index_path(root).parent.mkdir(parents=True)
    fsindex.index_path(root).write_bytes(b"garbage")
    assert indexed_stats(root, use_cache=False) == graph_stats(load_graph(root))
    assert fsindex.index_path(root).read_bytes() == b"garbage"


def test_cli_no_cache_gives_the_same_output(tmp_path: Path, runner: object) -> None:
    from xuncha_kb.cli import cli

    root = fresh_graph(tmp_path)
    outs = []
    for extra in ([], [], ["--no-cache"]):
        r = runner.invoke(cli, ["report", str(root), "--today", "2026-03-10", "--format", "json", *extra])  # type: ignore[attr-defined]
        assert r.exit_code == 0, r.output
        outs.append(r.output)
        s = runner.invoke(cli, ["stats", str(root), "--json", *extra])  # type: ignore[attr-defined]
        assert s.exit_code == 0, s.output
        outs.append(json.loads(s.output))
    assert outs[0] == outs[2] == outs[4] and outs[1] == outs[3] == outs[5]


def test_watch_and_commands_share_one_index(tmp_path: Path) -> None:
    """watch's quick entries (inode 0) are read again by stats; stats's records warm watch."""
    from xuncha_kb.live.state import LiveGraph

    root = fresh_graph(tmp_path)
    cold_live = LiveGraph(root, today=lambda: TODAY).start()
    assert cold_live.stats["scanned"] > 0  # some pages known only from the quick scan
    assert sorted(p.name for p in fsindex.index_path(root).parent.iterdir()) == ["graph.idx"]
    assert not (root / ".xuncha" / "cache").exists()
    assert warm(root) == cold(root)
    warm_live = LiveGraph(root, today=lambda: TODAY).start()
    assert warm_live.stats["scanned"] == 0 and warm_live.stats["reused"] == warm_live.stats["files"]
    assert warm_live.snapshot == cold_live.snapshot
    assert warm(root) == cold(root)


def test_one_edit_decodes_only_its_own_bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After one page changed, a warm ``stats`` unpacks only the bucket holding that page (the
    other buckets are copied into the new index as bytes) and still equals a cold read."""
    root = fresh_graph(tmp_path)
    first = read_indexed(root)
    for r in first.records:  # old files: no racy digest to verify
        os.utime(root / r.rel, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    read_indexed(root)
    edited = _pages(root)[3]
    rel = edited.relative_to(root).as_posix()
    with edited.open("a", encoding="utf-8") as fh:
        fh.write("- 新加的一条 [[另一页]]\n")

    decoded: list[str] = []
    original = fsindex.StoredIndex.section

    def spy(self: fsindex.StoredIndex, name: str) -> object | None:
        decoded.append(name)
        return original(self, name)

    monkeypatch.setattr(fsindex.StoredIndex, "section", spy)
    warm_stats = indexed_stats(root)
    buckets = {n for n in decoded if n.startswith("b")}
    assert buckets == {fsindex.bucket_name(fsindex.bucket_of(rel))}
    assert len({fsindex.bucket_of(p.relative_to(root).as_posix()) for p in _pages(root)}) > 10
    monkeypatch.undo()
    assert warm_stats == graph_stats(load_graph(root))
    decoded.clear()
    monkeypatch.setattr(fsindex.StoredIndex, "section", spy)
    indexed_stats(root)  # nothing changed since: no bucket at all
    assert not [n for n in decoded if n.startswith("b")]
