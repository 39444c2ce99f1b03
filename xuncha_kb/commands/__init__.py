"""One driver per command: wires reading, computing, planning and applying; no click
(docs/architecture.md)."""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable naming the graph when no GRAPH argument is given.
GRAPH_ENV = "XUNCHA_GRAPH"


def resolve_graph(graph: str | None) -> Path:
    """GRAPH argument, else $XUNCHA_GRAPH, else the current directory."""
    return Path(graph or os.environ.get(GRAPH_ENV) or ".")
