"""The sensitive 移交 entries of one inspection, for the one document entitled to them: the
线索移交函 to the 纪检 department, and only with ``doc 移交函 --include-sensitive``.

Everything else (reports, the other documents) sees these entries only as a count, through
``track/ledgers``.  Pure: reads the parsed graph, returns rows.
"""

from __future__ import annotations

from xuncha_kb.generate.documents import ClueRow
from xuncha_kb.model import Graph
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.discover import Owner, find_inspections, prop_names
from xuncha_kb.track.ledgers import block_text
from xuncha_kb.track.sensitive import Secrets, page_has_any_key, walk_context

_KEYS = frozenset({cv.TRANSFER_TO})


def sensitive_clues(graph: Graph, inspection: str, recipient: str) -> tuple[ClueRow, ...]:
    """Sensitive 移交 blocks of ``inspection`` (overview page name) whose 移交对象 contains
    ``recipient``, in file order."""
    refs = find_inspections(graph)
    owner = Owner(refs)
    secrets = Secrets.of_graph(graph)
    rows: list[ClueRow] = []
    for page in graph.pages:
        if not page_has_any_key(page, _KEYS):
            continue
        for ctx in walk_context(page, secrets=secrets):
            b = ctx.block
            if not ctx.sensitive or ctx.in_template or b.pre_block or cv.TRANSFER_TO not in b.properties:
                continue
            ref = owner.of_block(page, b, ctx.ancestors)
            to = "、".join(prop_names(b.properties, b.property_refs, cv.TRANSFER_TO))
            if ref is None or ref.name != inspection or recipient not in to:
                continue
            status = "、".join(prop_names(b.properties, b.property_refs, cv.TRANSFER_STATUS)) or "待移交"
            rows.append(ClueRow(block_text(b), to, status,
                                prop_names(b.properties, b.property_refs, cv.CITES_DRAFT)))
    return tuple(rows)
