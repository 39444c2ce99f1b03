"""report layer of xuncha_kb (see docs/architecture.md)."""
