"""The pages xuncha-kb writes, as text: pure, no file access (docs/architecture.md)."""
