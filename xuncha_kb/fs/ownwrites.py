"""xuncha-kb's own writes, remembered by content hash so the watcher skips them instead of
reacting to them (no feedback loops)."""

from __future__ import annotations

import hashlib
import threading


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class OwnWrites:
    """Content hashes of files xuncha-kb itself wrote, so their events can be skipped.

    ``expect`` is called by the writer (before or right after the write); ``is_own`` is asked
    by the watcher with the bytes now on disk.  A path's entry stays until a *different*
    content is seen there (the user edited the file), so the several events of one write, even
    when split over two batches, are all skipped.  Thread-safe.
    """

    def __init__(self, hashes: dict[str, str] | None = None) -> None:
        self._hashes: dict[str, str] = dict(hashes or {})
        self._lock = threading.Lock()

    def expect(self, relpath: str, data: bytes) -> None:
        with self._lock:
            self._hashes[relpath] = content_hash(data)

    def expect_hash(self, relpath: str, digest: str) -> None:
        with self._lock:
            self._hashes[relpath] = digest

    def is_own(self, relpath: str, data: bytes | None) -> bool:
        with self._lock:
            digest = self._hashes.get(relpath)
            if digest is None:
                return False
            if data is not None and content_hash(data) == digest:
                return True
            del self._hashes[relpath]
            return False

    def __contains__(self, relpath: object) -> bool:
        with self._lock:
            return relpath in self._hashes
