"""Following a graph as it changes: relevance, events, the live state (docs/architecture.md)."""
