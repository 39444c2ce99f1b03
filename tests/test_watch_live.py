"""live/state.py: the incremental live state driven by a fake event source (deterministic)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from xuncha_kb.commands.watch import watch_loop
from xuncha_kb.fs.ownwrites import OwnWrites
from xuncha_kb.fs.stop import StopFlag
from xuncha_kb.fs.watch import Change, FakeSource
from xuncha_kb.live.reader import FileSystemReader
from xuncha_kb.live.relevance import is_relevant
from xuncha_kb.live.state import LiveGraph
from xuncha_kb.logseq.page import parse_text
from xuncha_kb.model import Diagnostic, GraphConfig, Page
from xuncha_kb.workflow.model import Activity, DeadlineRule, Milestone, Stage, Workflow

INSP = "巡察/2026年第一轮/某某公司"
PREFIX = "巡察___2026年第一轮___某某公司"

WORKFLOW = Workflow(
    id="test", name="测试流程",
    stages=(
        Stage("prep", "巡察准备", (Activity("prep.01", "制定巡察工作方案"),
                                   Activity("prep.02", "审批巡察工作方案", depends_on=("prep.01",)))),
        Stage("know", "巡察了解", (Activity("know.01", "召开动员会",
                                           deadline=DeadlineRule("entry_date", "P5D")),)),
    ),
    milestones=(Milestone("entry_date", "进驻日"),),
)

OVERVIEW = """type:: [[巡察]]
被巡察单位:: [[某某公司]]
轮次:: [[2026年第一轮]]
进驻日:: 2026-03-02

- 概况
"""


def stage_page(m1: str = "TODO", m2: str = "TODO", note: str = "") -> str:
    return f"""type:: [[巡察阶段]]
巡察:: [[{INSP}]]
阶段:: prep

- {m1} 制定巡察工作方案
  活动:: prep.01
  巡察:: [[{INSP}]]
{note}- {m2} 审批巡察工作方案
  活动:: prep.02
  巡察:: [[{INSP}]]
"""


KNOW = f"""- TODO 召开动员会
  活动:: know.01
  巡察:: [[{INSP}]]
"""


class FileReader(FileSystemReader):
    """A minimal reader for tests: pages/ and journals/ through the real page parser."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def config(self, root: Path) -> tuple[GraphConfig, bytes | None, list[Diagnostic]]:
        return GraphConfig(), None, []

    def kind(self, root: Path, relpath: str, config: GraphConfig) -> str | None:
        if relpath.startswith("pages/") and relpath.endswith(".md"):
            return "page"
        if relpath.startswith("journals/") and relpath.endswith(".md"):
            return "journal"
        return None

    def files(self, root: Path, config: GraphConfig) -> list[tuple[str, str]]:
        out = []
        for path in sorted(root.rglob("*.md")):
            rel = path.relative_to(root).as_posix()
            kind = self.kind(root, rel, config)
            if kind and not any(part.startswith(".") for part in rel.split("/")):
                out.append((rel, kind))
        return out

    def page(self, root: Path, relpath: str, config: GraphConfig) -> tuple[Page | None, list[Diagnostic]]:
        self.reads.append(relpath)
        data = (root / relpath).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [Diagnostic(relpath, 1, f"不是有效的 UTF-8：{exc.reason}", "error")]
        parsed = parse_text(text, relpath)
        name = parsed.properties.get("title") or Path(relpath).stem.replace("___", "/")
        return Page(name=name, file=relpath, properties=parsed.properties, property_refs=parsed.property_refs,
                    blocks=parsed.blocks), list(parsed.diagnostics)


def save(root: Path, rel: str, text: str | bytes) -> None:
    """Save like Logseq/editors do: temp file + rename."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp"
    tmp.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    os.replace(tmp, path)
    st = path.stat()  # make the change visible even on coarse-mtime file systems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    root = tmp_path / "g"
    save(root, "logseq/config.edn", '{:file/name-format :triple-lowbar\n :preferred-workflow :todo}\n')
    save(root, f"pages/{PREFIX}.md", OVERVIEW)
    save(root, f"pages/{PREFIX}___巡察准备.md", stage_page())
    save(root, f"pages/{PREFIX}___巡察了解.md", KNOW)
    for i in range(20):
        save(root, f"pages/note{i}.md", f"- 普通笔记 {i}\n  author:: me\n")
    save(root, "journals/2026_03_01.md", "- 今天开会\n")
    return root


def live(root: Path, *, today: dt.date = dt.date(2026, 3, 1), reader: FileReader | None = None,
         own: OwnWrites | None = None, cache: bool = True) -> LiveGraph:
    return LiveGraph(root, reader=reader or FileReader(), today=lambda: today,
                     workflow_loader=lambda g: WORKFLOW, own_writes=own, use_cache=cache).start()


STAGE = f"pages/{PREFIX}___巡察准备.md"


def names(events: list) -> list[str]:
    return [e.event for e in events]


def test_start_reads_only_what_matters_and_computes_progress(graph: Path) -> None:
    lg = live(graph)
    assert lg.stats["files"] == 24
    assert lg.stats["relevant"] == 3  # overview + 2 stage pages; plain notes are indexed only
    assert set(lg.pages) == {f"pages/{PREFIX}.md", STAGE, f"pages/{PREFIX}___巡察了解.md"}
    st = lg.snapshot.stages[(INSP, "prep")]
    assert (st.status, st.done, st.total) == ("not_started", 0, 2)
    assert lg.snapshot.current_stage[INSP] == "prep"


def test_done_then_stage_completed_then_moved(graph: Path) -> None:
    lg = live(graph)
    save(graph, STAGE, stage_page("DONE", "TODO"))
    res = lg.apply({Change(STAGE)}, at="2026-03-01T09:00:00+08:00")
    assert names(res.events) == ["activity_done", "stage_started"]
    assert res.events[0].activity == "prep.01" and res.events[0].file == STAGE
    save(graph, STAGE, stage_page("DONE", "DONE"))
    res = lg.apply({Change(STAGE)})
    assert names(res.events) == ["activity_done", "stage_completed", "inspection_stage_changed"]
    assert res.events[1].date == "2026-03-01" and res.events[2].stage == "know"
    save(graph, STAGE, stage_page("DONE", "TODO"))
    assert names(lg.apply({Change(STAGE)}).events) == ["activity_reopened", "stage_reopened",
                                                        "inspection_stage_changed"]


def test_order_problem_reported_when_prerequisite_open(graph: Path) -> None:
    lg = live(graph)
    save(graph, STAGE, stage_page("TODO", "DONE"))
    evs = lg.apply({Change(STAGE)}).events
    assert "order_problem" in names(evs)
    op = next(e for e in evs if e.event == "order_problem")
    assert op.activity == "prep.02" and "prep.01" in (op.message or "")


def test_unchanged_stamp_and_unrelated_pages_cost_no_progress_run(graph: Path) -> None:
    reader = FileReader()
    lg = live(graph, reader=reader)
    before = lg.progress
    reader.reads.clear()
    assert lg.apply({Change(STAGE)}).events == []  # stamp unchanged: not even read
    assert reader.reads == []
    save(graph, "pages/note3.md", "- 改过的笔记\n")
    res = lg.apply({Change("pages/note3.md")})
    assert res.changed == ["pages/note3.md"] and res.events == []
    assert reader.reads == ["pages/note3.md"]
    assert lg.progress is before  # progress was not recomputed


def test_new_relevant_page_and_deleted_page(graph: Path) -> None:
    lg = live(graph)
    # a task moved to a journal still counts
    save(graph, "journals/2026_03_02.md", f"- DONE 召开动员会\n  活动:: know.01\n  巡察:: [[{INSP}]]\n")
    (graph / f"pages/{PREFIX}___巡察了解.md").unlink()
    res = lg.apply({Change("journals/2026_03_02.md"), Change(f"pages/{PREFIX}___巡察了解.md", "deleted")})
    assert "activity_done" in names(res.events)
    assert "journals/2026_03_02.md" in lg.pages and f"pages/{PREFIX}___巡察了解.md" not in lg.index
    # a namespaced page under the inspection is picked up as relevant once it exists
    save(graph, f"pages/{PREFIX}___问题清单.md", "- 问题一\n")
    lg.apply({Change(f"pages/{PREFIX}___问题清单.md")})
    assert f"pages/{PREFIX}___问题清单.md" in lg.pages


def test_rename_is_delete_plus_change(graph: Path) -> None:
    lg = live(graph)
    new = f"pages/{PREFIX}___准备阶段.md"
    os.replace(graph / STAGE, graph / new)
    res = lg.apply({Change(STAGE, "deleted"), Change(new)})
    assert res.events == []  # the same tasks, just in another file
    assert new in lg.pages and STAGE not in lg.pages


def test_half_written_and_invalid_pages_become_diagnostics(graph: Path) -> None:
    lg = live(graph)
    save(graph, STAGE, b"\xff\xfe- DONE \xe5\x88")  # not UTF-8 (a save caught half-way)
    res = lg.apply({Change(STAGE)})
    assert "diagnostic" in names(res.events)
    d = next(e for e in res.events if e.event == "diagnostic")
    assert d.file == STAGE
    save(graph, STAGE, stage_page("DONE"))
    res = lg.apply({Change(STAGE)})
    assert "diagnostic_resolved" in names(res.events) and "activity_done" in names(res.events)


def test_vanished_between_event_and_read(graph: Path) -> None:
    lg = live(graph)
    res = lg.apply({Change("pages/never-existed.md"), Change("pages/.hidden.md")})
    assert res.events == [] and res.changed == []


def test_directory_event_rechecks_everything_under_it(graph: Path) -> None:
    lg = live(graph)
    save(graph, STAGE, stage_page("DONE"))
    res = lg.apply({Change("pages", "directory")})
    assert "activity_done" in names(res.events)


def test_own_writes_update_state_but_are_marked(graph: Path) -> None:
    own = OwnWrites()
    lg = live(graph, own=own)
    text = stage_page("DONE")
    own.expect(STAGE, text.encode("utf-8"))
    save(graph, STAGE, text)
    res = lg.apply({Change(STAGE)})
    assert res.own == [STAGE] and res.changed == []


def test_deadline_colour_events_follow_the_date(graph: Path) -> None:
    day = [dt.date(2026, 2, 1)]
    lg = LiveGraph(graph, reader=FileReader(), today=lambda: day[0], workflow_loader=lambda g: WORKFLOW,
                   use_cache=False).start()
    assert lg.snapshot.activities[(INSP, "know.01")].colour == "green"  # due 03-07, 34 days left
    day[0] = dt.date(2026, 2, 20)
    assert names(lg.tick()) == ["deadline_yellow"]
    day[0] = dt.date(2026, 3, 1)
    evs = lg.tick()
    assert names(evs) == ["deadline_red"] and evs[0].days_left == 6


def test_warm_start_reuses_the_index(graph: Path) -> None:
    live(graph)
    assert (graph / ".xuncha" / "index" / "graph.idx").is_file()
    reader = FileReader()
    warm = live(graph, reader=reader)
    assert warm.stats["reused"] == 24 and warm.stats["parsed"] == 3  # only the relevant pages
    assert sorted(reader.reads) == sorted(warm.pages)
    cold = live(graph, cache=False)
    assert warm.snapshot == cold.snapshot
    # a file changed while nobody watched is parsed again
    save(graph, "pages/note1.md", "- 新内容\n")
    reader2 = FileReader()
    again = live(graph, reader=reader2)
    assert "pages/note1.md" in reader2.reads and again.stats["reused"] == 23


def test_corrupt_cache_is_ignored(graph: Path) -> None:
    live(graph)
    (graph / ".xuncha" / "index" / "graph.idx").write_text("{not json", encoding="utf-8")
    lg = live(graph)
    assert lg.stats["parsed"] == 24


def test_relevance_rule() -> None:
    from xuncha_kb.fs.cache import FileEntry
    from xuncha_kb.live.relevance import is_core_keys

    def entry(kind: str, name: str, keys: frozenset[str] = frozenset()) -> FileEntry:
        return FileEntry(1, 1, kind, name, keys, core=is_core_keys(keys))

    core = {"巡察/2026年第一轮/某某公司"}
    assert is_relevant(entry("page", "x", frozenset({"活动"})), set())
    assert is_relevant(entry("page", "巡察/2026年第一轮/某某公司/问题清单"), core)
    assert is_relevant(entry("page", "某单位/谈话记录/张某"), set())
    assert not is_relevant(entry("page", "notes/python", frozenset({"author"})), core)
    assert not is_relevant(entry("whiteboard", "流程", frozenset({"活动"})), core)


def test_watch_loop_with_fake_source(graph: Path) -> None:
    lg = live(graph)
    printed: list[str] = []
    after: list[list[str]] = []

    class Source(FakeSource):
        """Saves a file just before handing out the batch that reports it."""

        def __init__(self) -> None:
            super().__init__([])
            self.steps = [lambda: save(graph, STAGE, stage_page("DONE")),
                          lambda: save(graph, STAGE, stage_page("DONE", "DONE"))]

        def next_batch(self, timeout: float | None) -> set[Change] | None:
            if not self.steps:
                return None
            self.steps.pop(0)()
            return {Change(STAGE)}

    n = watch_loop(lg, Source(), StopFlag(), on_events=lambda evs: printed.extend(e.event for e in evs),
                   after_batch=lambda res: after.append(res.changed))
    assert printed == ["activity_done", "stage_started", "activity_done", "stage_completed",
                       "inspection_stage_changed"]
    assert n == 5 and after == [[STAGE], [STAGE]]
    from xuncha_kb.fs.eventlog import read_events

    log = read_events(graph)
    assert [e["event"] for e in log.events] == printed


def test_production_reader_gives_the_same_snapshot(graph: Path) -> None:
    """The fs.scan-backed reader (what the CLI uses) agrees with the test reader."""
    ours = live(graph, cache=False)
    real = LiveGraph(graph, today=lambda: dt.date(2026, 3, 1), workflow_loader=lambda g: WORKFLOW,
                     use_cache=False).start()
    assert real.stats["files"] == ours.stats["files"]
    assert set(real.pages) == set(ours.pages)
    assert real.snapshot.stages == ours.snapshot.stages
    save(graph, STAGE, stage_page("DONE"))
    assert names(real.apply({Change(STAGE)}).events) == ["activity_done", "stage_started"]


@pytest.mark.parametrize("which", ["fixture", "examples"])
def test_quick_index_is_a_safe_superset_of_the_parse(which: str, graph: Path, example_graph: Path) -> None:
    """The cold start's regex pass never misses what makes a page relevant, and names agree."""
    from xuncha_kb.live.reader import ScanReader
    from xuncha_kb.live.relevance import entry_for, is_core_entry

    root = graph if which == "fixture" else example_graph
    reader = ScanReader()
    config, _, _ = reader.config(root)
    checked = 0
    for rel, kind in reader.files(root, config):
        if kind not in ("page", "journal"):
            continue
        st = (root / rel).stat()
        q = reader.quick(root, rel, kind, st, config)
        page, diags = reader.page(root, rel, config)
        full = entry_for(page, kind, st, diags)
        if q is None:
            continue
        checked += 1
        assert q.name == full.name, rel
        assert full.keys <= q.keys, (rel, full.keys - q.keys)
        assert is_core_entry(q) or not is_core_entry(full), rel
    assert checked >= 5


def test_quick_index_superset_on_the_corpus(corpus: Path) -> None:
    """The same check over real Logseq graphs (logseq/docs and the exporter test graph)."""
    from xuncha_kb.live.reader import ScanReader
    from xuncha_kb.live.relevance import entry_for

    reader = ScanReader()
    checked = 0
    for root in sorted(p for p in corpus.iterdir() if (p / "pages").is_dir()):
        config, _, _ = reader.config(root)
        for rel, kind in reader.files(root, config):
            if kind not in ("page", "journal"):
                continue
            st = (root / rel).stat()
            q = reader.quick(root, rel, kind, st, config)
            if q is None:
                continue
            page, diags = reader.page(root, rel, config)
            full = entry_for(page, kind, st, diags)
            assert q.name == full.name, rel
            assert full.keys <= q.keys, (rel, full.keys - q.keys)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("which", ["examples", "progress-fixture"])
def test_progress_over_relevant_pages_equals_progress_over_the_whole_graph(which: str,
                                                                           example_graph: Path) -> None:
    """The relevance rule is a safe superset: the report from watch's small graph is the full one."""
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.report.jsonout import progress_dict
    from xuncha_kb.track.progress import compute_progress
    from xuncha_kb.workflow.load import active_workflow

    root = example_graph if which == "examples" else Path(__file__).parent / "fixtures" / "progress" / "graph"
    if not (root / "pages").is_dir():
        pytest.skip(f"{root} not present")
    day = dt.date(2026, 4, 1)
    full = load_graph(root)
    wf = active_workflow(full)
    expected = progress_dict(compute_progress(full, wf, day))
    lg = LiveGraph(root, today=lambda: day, use_cache=False).start()
    if which == "examples":
        assert lg.stats["relevant"] < lg.stats["files"]  # the small graph really is smaller
    assert progress_dict(lg.progress) == expected


def test_bulk_batch_indexes_unrelated_pages_without_parsing(graph: Path) -> None:
    """A `git pull` of many files: unrelated pages are indexed by the quick pass, tasks still count."""
    from xuncha_kb.live.state import BULK_BATCH

    lg = LiveGraph(graph, today=lambda: dt.date(2026, 3, 1), workflow_loader=lambda g: WORKFLOW,
                   use_cache=False).start()
    parsed: list[str] = []
    real_read = lg._read

    def counting_read(rel: str):  # type: ignore[no-untyped-def]
        parsed.append(rel)
        return real_read(rel)

    lg._read = counting_read  # type: ignore[method-assign]
    changes = set()
    for i in range(BULK_BATCH + 10):
        save(graph, f"pages/pulled{i}.md", f"- 拉取的笔记 {i}\n  author:: me\n")
        changes.add(Change(f"pages/pulled{i}.md"))
    save(graph, "journals/2026_03_03.md", f"- DONE 召开动员会\n  活动:: know.01\n  巡察:: [[{INSP}]]\n")
    save(graph, STAGE, stage_page("DONE"))
    changes |= {Change("journals/2026_03_03.md"), Change(STAGE)}
    res = lg.apply(changes)
    assert sorted(parsed) == ["journals/2026_03_03.md", STAGE]
    assert {"activity_done", "stage_started"} <= set(names(res.events))
    assert "pages/pulled3.md" in lg.index and "pages/pulled3.md" not in lg.pages
    assert len(res.changed) == BULK_BATCH + 12


def test_config_change_reloads_everything(graph: Path) -> None:
    lg = live(graph)
    save(graph, "logseq/config.edn", '{:file/name-format :triple-lowbar\n :preferred-workflow :now}\n')
    res = lg.apply({Change("logseq/config.edn")})
    assert res.reloaded and res.events == []
    assert set(lg.pages) == {f"pages/{PREFIX}.md", STAGE, f"pages/{PREFIX}___巡察了解.md"}


def test_workflow_definition_edits_are_followed_and_a_broken_one_is_a_diagnostic(graph: Path) -> None:
    """With the production loader: the graph's own definition page is re-read when it changes."""
    from xuncha_kb.workflow.load import default_workflow
    from xuncha_kb.workflow.write import render_definition

    definition = "pages/巡察工作流程定义.md"
    save(graph, definition, render_definition(default_workflow()))
    lg = LiveGraph(graph, today=lambda: dt.date(2026, 3, 1), use_cache=False).start()
    assert lg.workflow is not None and lg.workflow.source and "巡察工作流程定义" in lg.workflow.source
    text = (graph / definition).read_text(encoding="utf-8")
    renamed = text.replace("\t- 制定巡察工作方案\n", "\t- 制定巡察工作方案（新）\n", 1)
    save(graph, definition, renamed)
    lg.apply({Change(definition)})
    assert lg.workflow.activity("prep.01").name == "制定巡察工作方案（新）"  # type: ignore[union-attr]
    save(graph, definition, renamed.replace("活动id:: prep.02", "活动id:: prep.01", 1))  # duplicate id
    res = lg.apply({Change(definition)})
    assert "diagnostic" in names(res.events)
    assert any("工作流程定义无效" in (e.message or "") for e in res.events)
    assert lg.workflow.activity("prep.01").name == "制定巡察工作方案（新）"  # type: ignore[union-attr]


def test_diagnostics_of_sensitive_pages_never_name_them(graph: Path) -> None:
    lg = live(graph)
    secret = f"pages/{PREFIX}___谈话记录___张某.md"
    save(graph, secret, b"- \xff\xfe broken")
    flagged = "pages/内部材料.md"
    save(graph, flagged, "密级:: 内部\n\n- 内容\n")
    lg.apply({Change(secret), Change(flagged)})
    save(graph, flagged, b"\xff\xfe- broken")
    res = lg.apply({Change(flagged)})
    evs = [e for e in res.events if e.event == "diagnostic"]
    assert evs, res.events
    for e in lg.snapshot.diagnostics:
        assert "张某" not in e.file + e.message and "内部材料" not in e.file + e.message
    assert all("涉密" in (e.file or "") for e in evs)


@pytest.mark.parametrize("text", ["tags:: 谈话\n\n- 内容\n  DEADLINE: <2026-02-30 Mon>\n",
                                  "- 反映的问题 #信访\n\t- 子块\n\t  DEADLINE: <2026-02-30 Mon>\n"])
def test_diagnostics_of_tagged_pages_never_name_them(graph: Path, text: str) -> None:
    """The tag rule (track/sensitive.py) hides a page's diagnostics like 密级:: does, also
    after a warm start from the cache."""
    lg = live(graph)
    tagged = "pages/某人ZQTAG.md"
    save(graph, tagged, text)
    res = lg.apply({Change(tagged)})
    evs = [e for e in res.events if e.event == "diagnostic"]
    assert evs, res.events
    assert all("ZQTAG" not in (e.file or "") + (e.message or "") for e in evs)
    warm = live(graph)
    assert warm.stats["reused"] > 0
    assert all("ZQTAG" not in d.file + d.message for d in warm.snapshot.diagnostics)


def test_watch_loop_survives_a_failing_batch(graph: Path) -> None:
    lg = live(graph)
    errors: list[str] = []
    seen: list[str] = []
    real_apply = lg.apply
    calls = {"n": 0}

    def flaky(batch, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real_apply(batch, **kw)

    lg.apply = flaky  # type: ignore[method-assign]
    save(graph, STAGE, stage_page("DONE"))
    src = FakeSource([[STAGE], [STAGE]])
    # the second batch sees the same unchanged stamp only if the first was applied: it was not
    watch_loop(lg, src, StopFlag(), on_events=lambda evs: seen.extend(e.event for e in evs),
               on_error=errors.append)
    assert errors and "boom" in errors[0]
    assert seen == ["activity_done", "stage_started"]
