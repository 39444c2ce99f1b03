"""One driver per command: wires reading, computing, planning and applying; no click
(docs/architecture.md)."""
