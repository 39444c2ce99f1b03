"""Where inspections stand, computed from the graph: pure, no file access (docs/architecture.md)."""
