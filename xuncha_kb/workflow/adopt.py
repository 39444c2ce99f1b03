"""An extraction adopted against the definition in force: its ids (``match.py``), then its
actors, outputs, milestones and principle rules (``details.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from xuncha_kb.workflow.details import read_details
from xuncha_kb.workflow.extract_model import Extraction, Principle
from xuncha_kb.workflow.match import match_ids
from xuncha_kb.workflow.model import Workflow


def adopt_ids(ex: Extraction, reference: Workflow, origin: str = "") -> Extraction:
    """``ex`` with the ids of ``reference`` for the same activities, and its details read."""
    m = match_ids(ex.workflow, reference, origin=origin)
    principles = tuple(_renamed(p, m.mapping, m.workflow) for p in ex.principles)
    wf, warnings = read_details(m.workflow, reference, principles)
    return replace(ex, workflow=wf, match=m, principles=principles,
                   warnings=(*ex.warnings, *warnings))


def _renamed(p: Principle, mapping: Mapping[str, str], wf: Workflow) -> Principle:
    act = mapping.get(p.activity, p.activity) if p.activity else None
    stage = wf.stage_of(act) if act else None
    return replace(p, activity=act, stage=stage.id if stage else p.stage)
