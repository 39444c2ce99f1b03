"""A hypothesis state machine over a scaffolded graph: user edits, sync and watch, interleaved.

Invariants after every step:
* no user text lost — every line a user wrote is still in the graph, byte for byte, once;
* task states are the user's — every marker the user set is still on its task;
* watch's incremental state equals a fresh start on the same files.
"""

from __future__ import annotations

import dataclasses as dc
import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.test_progress_idmap import renumbered
from xuncha_kb.commands.scaffold import plan_inspection
from xuncha_kb.commands.sync import apply_sync, plan_sync
from xuncha_kb.commands.watch import write_report_page
from xuncha_kb.fs.apply import apply
from xuncha_kb.fs.watch import Change
from xuncha_kb.generate.facts import InspectionFacts
from xuncha_kb.generate.merge import layout
from xuncha_kb.live.state import LiveGraph
from xuncha_kb.workflow.load import default_workflow
from xuncha_kb.workflow.model import Activity, Workflow

TODAY = dt.date(2026, 3, 1)
ACTIVITIES = ("prep.01", "prep.02", "prep.03", "prep.04", "prep.11", "know.01", "know.02", "rep.01")
WORDS = st.text(alphabet="用户笔记甲乙丙丁问题线索abcXYZ0123 ，。", min_size=1, max_size=12)

_BASE: dict[str, Path] = {}


def base_graph() -> Path:
    """One scaffolded graph per test session, copied for every example."""
    if "g" not in _BASE:
        root = Path(tempfile.mkdtemp(prefix="xuncha-sync-sm-")) / "g"
        (root / "logseq").mkdir(parents=True)
        (root / "journals").mkdir()
        (root / "logseq" / "config.edn").write_text("{:file/name-format :triple-lowbar}\n", encoding="utf-8")
        facts = InspectionFacts("某某公司", "2026年第一轮", "张三", ("李四",), dt.date(2026, 3, 2))
        apply(plan_inspection(root, facts).plan, root)
        _BASE["g"] = root
    return _BASE["g"]


RENUMBERED = renumbered(default_workflow())
# the default's ids → the renumbered definition's (the same activities)
NEW_IDS = {a.id: b.id for (_, a), (_, b) in zip(default_workflow().activities(), RENUMBERED.activities(),
                                                strict=True)}


def variant_workflow(n: int) -> Workflow:
    """0: the default; 1: prep.01 renamed, prep.02a added, prep.04 removed; 2: a definition
    with other ids for the same activities (switching definitions)."""
    wf = default_workflow()
    if n == 0:
        return wf
    if n == 2:
        return RENUMBERED
    stages = list(wf.stages)
    i = next(k for k, s in enumerate(stages) if s.id == "prep")
    acts = list(stages[i].activities)
    acts[0] = dc.replace(acts[0], name=acts[0].name + "（修订）")
    acts.insert(2, Activity("prep.02a", "新增活动", depends_on=("prep.02",)))
    acts = [dc.replace(a, depends_on=tuple("prep.02" if d == "prep.04" else d for d in a.depends_on))
            for a in acts if a.id != "prep.04"]
    stages[i] = dc.replace(stages[i], activities=tuple(acts))
    return dc.replace(wf, stages=tuple(stages))


def graph_files(root: Path) -> list[Path]:
    return sorted([*root.glob("pages/*.md"), *root.glob("journals/*.md")])


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="xuncha-sm-"))
        self.root = self.tmp / "g"
        shutil.copytree(base_graph(), self.root)
        self.user_lines: list[str] = []
        self.markers: dict[str, str] = {}
        self.counter = 0
        self.live = LiveGraph(self.root, today=lambda: TODAY, use_cache=False).start()

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------------

    def where(self, activity: str) -> tuple[Path, str, int, int] | None:
        """(file, text, start, end) of the top-level block with ``活动:: activity``."""
        ids = {activity, NEW_IDS.get(activity, activity)}  # under either definition
        for path in graph_files(self.root):
            text = path.read_text(encoding="utf-8")
            if not any(f"活动:: {i}\n" in text for i in ids):
                continue
            lay = layout(text, path.name)
            for tb in lay.blocks:
                if tb.block.properties.get("活动") in ids:
                    return path, text, tb.start, tb.end
        return None

    def token(self, words: str) -> str:
        self.counter += 1
        return f"用户{self.counter}：{words.strip() or '空'}"

    @staticmethod
    def splice(path: Path, text: str, at: int, new_lines: list[str]) -> None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines[at:at] = new_lines
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # -- user edits ---------------------------------------------------------------------------

    @rule(activity=st.sampled_from(ACTIVITIES), words=WORDS)
    def note_under_task(self, activity: str, words: str) -> None:
        found = self.where(activity)
        if found is None:
            return
        path, text, start, end = found
        lines = text.split("\n")
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        line = "\t- " + self.token(words)
        self.splice(path, text, end, [line])
        self.user_lines.append(line)

    @rule(activity=st.sampled_from(ACTIVITIES), marker=st.sampled_from(["DONE", "DOING", "TODO", "LATER"]))
    def set_marker(self, activity: str, marker: str) -> None:
        found = self.where(activity)
        if found is None:
            return
        path, text, start, _ = found
        lines = text.split("\n")
        lines[start] = re.sub(r"^- (TODO|DOING|DONE|LATER|NOW) ", f"- {marker} ", lines[start])
        path.write_text("\n".join(lines), encoding="utf-8")
        self.markers[activity] = marker

    @rule(activity=st.sampled_from(ACTIVITIES), words=WORDS)
    def edit_generated_property(self, activity: str, words: str) -> None:
        found = self.where(activity)
        if found is None:
            return
        path, text, start, end = found
        lines = text.split("\n")
        for i in range(start + 1, end):
            if lines[i].startswith("  责任:: "):
                if lines[i] in self.user_lines:  # the user rewrites their own earlier edit
                    self.user_lines.remove(lines[i])
                lines[i] = "  责任:: " + self.token(words).replace("：", "-")
                self.user_lines.append(lines[i])
                path.write_text("\n".join(lines), encoding="utf-8")
                return

    @rule(words=WORDS)
    def block_at_end_of_a_page(self, words: str) -> None:
        pages = [p for p in graph_files(self.root) if "巡察准备" in p.name or "问题清单" in p.name]
        path = pages[self.counter % len(pages)]
        text = path.read_text(encoding="utf-8")
        line = "- " + self.token(words)
        self.splice(path, text, len(text.rstrip("\n").split("\n")), [line])
        self.user_lines.append(line)

    @rule(activity=st.sampled_from(ACTIVITIES))
    def move_task_to_journal(self, activity: str) -> None:
        found = self.where(activity)
        if found is None or "journals" in str(found[0]):
            return
        path, text, start, end = found
        lines = text.split("\n")
        block = lines[start:end]
        rest = lines[:start] + lines[end:]
        path.write_text("\n".join(rest), encoding="utf-8")
        j = self.root / "journals" / "2026_02_27.md"
        old = j.read_text(encoding="utf-8") if j.exists() else ""
        body = "\n".join(ln for ln in block if ln.strip())
        j.write_text(old + body + "\n", encoding="utf-8")

    @rule(day=st.integers(min_value=1, max_value=28))
    def fill_milestone(self, day: int) -> None:
        path = self.root / "pages" / "巡察___2026年第一轮___某某公司.md"
        text = path.read_text(encoding="utf-8")
        line = f"反馈意见签收日:: 2026-05-{day:02d}"
        new = re.sub(r"^反馈意见签收日::.*$", line, text, count=1, flags=re.M)
        path.write_text(new, encoding="utf-8")

    # -- the tool -----------------------------------------------------------------------------

    @rule(variant=st.sampled_from([0, 1, 2]))
    def sync(self, variant: int) -> None:
        """Sync under one of three definitions; 2 switches to other ids for the same activities."""
        plan = plan_sync(self.root, today=TODAY, workflow=variant_workflow(variant))
        apply_sync(plan, self.root)

    @rule()
    def watch(self) -> None:
        changes = {Change(p.relative_to(self.root).as_posix()) for p in graph_files(self.root)}
        self.live.apply(changes)
        write_report_page(self.live)
        fresh = LiveGraph(self.root, today=lambda: TODAY, use_cache=False).start()
        assert self.live.snapshot == fresh.snapshot

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def no_user_text_lost(self) -> None:
        all_lines: list[str] = []
        for p in graph_files(self.root):
            all_lines.extend(p.read_text(encoding="utf-8").split("\n"))
        for line in self.user_lines:
            assert all_lines.count(line) == 1, line

    @precondition(lambda self: bool(self.markers))
    @invariant()
    def task_states_are_the_users(self) -> None:
        for activity, marker in self.markers.items():
            found = self.where(activity)
            if found is not None:
                head = found[1].split("\n")[found[2]]
                assert head.startswith(f"- {marker} "), (activity, head)


SyncMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSyncMachine = SyncMachine.TestCase
