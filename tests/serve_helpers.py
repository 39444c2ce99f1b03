"""A real dashboard on loopback for the serve tests, and raw HTTP requests to it."""

from __future__ import annotations

import datetime as dt
import http.client
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from xuncha_kb.serve.run import Dashboard, ServeOptions

TODAY = dt.date(2026, 5, 20)
KNOW = "pages/巡察___2026年第一轮___某某集团有限公司___巡察了解.md"


@contextmanager
def running(root: Path, *, allow_write: bool = False) -> Iterator[Dashboard]:
    errors: list[str] = []
    board = Dashboard(root, ServeOptions(port=0, allow_write=allow_write, today=TODAY)).start(errors.append)
    try:
        yield board
    finally:
        board.close()
    assert not errors, errors


def request(board: Dashboard, method: str, target: str, *, token: bool | str = True,
            headers: Mapping[str, str] | None = None, body: object = None) -> tuple[int, str]:
    """(status, body text) of one request; ``token`` True sends the right one in the header."""
    conn = http.client.HTTPConnection("127.0.0.1", board.port, timeout=10)
    hdrs = {"Host": f"127.0.0.1:{board.port}"}
    if token is True:
        hdrs["X-Xuncha-Token"] = board.token
    elif isinstance(token, str):
        hdrs["X-Xuncha-Token"] = token
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
        hdrs["Content-Length"] = str(len(data))
    hdrs.update(headers or {})
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(data)
        res = conn.getresponse()
        return res.status, res.read().decode("utf-8")
    finally:
        conn.close()


def first_event(board: Dashboard, *, after_version: int = 0, timeout: float = 10) -> dict[str, object]:
    """The first ``report`` event of the stream whose version is past ``after_version``."""
    conn = http.client.HTTPConnection("127.0.0.1", board.port, timeout=timeout)
    try:
        conn.request("GET", f"/api/events?token={board.token}", headers={"Host": f"127.0.0.1:{board.port}"})
        res = conn.getresponse()
        assert res.status == 200
        assert res.getheader("Content-Type", "").startswith("text/event-stream")
        while True:
            line = res.fp.readline().decode("utf-8")
            if not line:
                raise AssertionError("the event stream ended")
            if line.startswith("data: "):
                doc: dict[str, object] = json.loads(line[6:])
                version = doc["dashboard"]["version"]  # type: ignore[index]
                if isinstance(version, int) and version > after_version:
                    return doc
    finally:
        conn.close()
