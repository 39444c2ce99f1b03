"""The stdlib soundness check of the dependency graph agrees with the networkx diagnosis."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xuncha_kb.workflow import dag
from xuncha_kb.workflow.model import Activity, Stage, Workflow


@st.composite
def workflows(draw: st.DrawFn) -> Workflow:
    """Two or three stages of a few activities, each depending on random others (cycles,
    self-loops, unknown and duplicate ids included)."""
    n = draw(st.integers(1, 9))
    ids = [f"a.{i:02d}" for i in range(n)]
    if draw(st.booleans()):
        ids[-1] = ids[0]  # a duplicate id
    pool = st.sampled_from([*ids, "x.99"])
    acts = [Activity(i, f"活动{k}", depends_on=tuple(draw(st.lists(pool, max_size=3))))
            for k, i in enumerate(ids)]
    cut = draw(st.integers(0, n))
    scopes = draw(st.sampled_from([("per_inspection", "per_inspection"), ("annual", "per_inspection")]))
    stages = (Stage("s1", "一", tuple(acts[:cut]), scopes[0]),
              Stage("s2", "二", tuple(acts[cut:]), scopes[1]))
    return Workflow("wf", "测试", stages)


@settings(max_examples=300, deadline=None)
@given(workflows())
def test_sound_exactly_when_networkx_finds_nothing(wf: Workflow) -> None:
    ids = {a.id: (s, a) for s, a in wf.activities()}
    assert dag.is_sound(wf) == (not dag._diagnose(wf, ids))


def _one_stage(*acts: Activity) -> Workflow:
    return Workflow("w", "w", (Stage("s", "s", acts),))


def test_a_cycle_and_an_unreachable_activity_are_not_sound() -> None:
    a = Activity("a.01", "甲")
    assert dag.is_sound(_one_stage(a, Activity("a.02", "乙", depends_on=("a.01",))))
    cycle = (Activity("a.02", "乙", depends_on=("a.03",)), Activity("a.03", "丙", depends_on=("a.02",)))
    assert not dag.is_sound(_one_stage(a, *cycle))
    assert not dag.is_sound(_one_stage(a, Activity("a.02", "乙")))  # unreachable
    assert not dag.is_sound(_one_stage(Activity("a.01", "甲", depends_on=("a.01",))))  # a self-loop
