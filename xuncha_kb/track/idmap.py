"""Reading pages scaffolded under another definition: their activity ids → the ids in force.

When an office adopts a new definition, pages written under the old one keep their
``活动::`` ids until ``sync`` rewrites them.  Until then progress reads each task whose id the
definition in force lacks as the activity of the closest name (``workflow.match.similarity``
of the task's title and the activity's name), best pair first, one task per activity, never
onto an activity the inspection already has a task for, and only when the names are clearly
alike (``READ_THRESHOLD``, stricter than the extractor's, because here only a title is known).
Pure: ids and titles in, a mapping out.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from xuncha_kb.workflow.match import similarity
from xuncha_kb.workflow.model import Workflow

READ_THRESHOLD = 0.6


def map_unknown_ids(workflow: Workflow, titles: Mapping[str, str], present: Set[str]) -> dict[str, str]:
    """``titles``: unknown task id → the task's title; ``present``: activity ids the inspection
    already has tasks for.  Returns unknown id → activity id for the tasks that map."""
    free = [a for _, a in workflow.activities() if a.id not in present]
    scored = sorted(((similarity(title, a.name), old, a.id) for old, title in titles.items() for a in free),
                    key=lambda t: (-t[0], t[1], t[2]))
    out: dict[str, str] = {}
    taken: set[str] = set()
    for score, old, new in scored:
        if score < READ_THRESHOLD:
            break
        if old in out or new in taken:
            continue
        out[old] = new
        taken.add(new)
    return out
