"""The HTTP routes, on the standard library's ``http.server`` (one thread per request).

Every request passes :func:`guard.check_request` first.  Routes (all need the token):

* ``GET /`` — the dashboard page (self-contained: CSS and script inline, no CDN);
* ``GET /api/report`` — the model as JSON (the JSON report plus ``dashboard``);
* ``GET /api/events`` — server-sent events: ``report`` with the model on every change;
* ``GET /api/health`` — ``{"ok": true, "allow_write": …}``, for the Logseq plugin;
* ``POST /api/plan`` ``{"action", "params"}`` and ``POST /api/apply`` ``{"plan_id"}`` — the
  write actions, only with ``--allow-write`` (see ``actions``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

from xuncha_kb.errors import XunchaError
from xuncha_kb.serve.actions import Plans
from xuncha_kb.serve.board import Board
from xuncha_kb.serve.guard import check_request

MAX_BODY = 64 * 1024
HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
MAX_STREAMS = 16  # concurrent event streams (each holds a thread)
JSON_TYPE = "application/json; charset=utf-8"
READ_ONLY = "看板以只读方式运行：写入操作需要用 xuncha-kb serve --allow-write 启动"


class DashboardServer(ThreadingHTTPServer):
    """The server with what the handlers share."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, port: int, *, board: Board, plans: Plans | None, token: str) -> None:
        from xuncha_kb.serve.guard import LOOPBACK

        super().__init__((LOOPBACK, port), Handler)
        self.board = board
        self.plans = plans  # None: read-only
        self.token = token
        self.stream_slots = threading.BoundedSemaphore(MAX_STREAMS)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer.server_bind``'s ``socket.getfqdn`` (a name lookup)."""
        import socketserver

        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class Handler(BaseHTTPRequestHandler):
    server: DashboardServer
    protocol_version = "HTTP/1.1"
    server_version = "xuncha-kb"
    sys_version = ""
    SECURITY_HEADERS: ClassVar[dict[str, str]] = {
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

    def log_message(self, format: str, *args: object) -> None:
        return  # requests carry the token in the query: never log them

    # -- plumbing ---------------------------------------------------------------------------

    def _headers(self) -> dict[str, str] | None:
        """Lower-case headers; None when Host or Origin is given twice (refused)."""
        out: dict[str, str] = {}
        for key, value in self.headers.items():
            k = key.lower()
            if k in out and k in ("host", "origin"):
                return None
            out[k] = value
        return out

    def _send(self, status: int, body: bytes, ctype: str, extra: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in {**self.SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, doc: object) -> None:
        self._send(status, json.dumps(doc, ensure_ascii=False).encode("utf-8"), JSON_TYPE)

    def _allowed(self) -> bool:
        headers = self._headers()
        refusal = check_request(self.path, headers, token=self.server.token, port=self.server.port) \
            if headers is not None else None
        if headers is None or refusal is not None:
            self.close_connection = True
            self._json(403, {"error": refusal.message if refusal else "拒绝访问：请求头重复"})
            return False
        return True

    # -- GET --------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._allowed():
            return
        route = urlsplit(self.path).path
        if route == "/":
            from xuncha_kb.serve.page import dashboard_page

            html, csp = dashboard_page()
            self._send(200, html.encode("utf-8"), "text/html; charset=utf-8",
                       {"Content-Security-Policy": csp})
        elif route == "/api/report":
            self._send(200, self.server.board.current().body.encode("utf-8"), JSON_TYPE)
        elif route == "/api/health":
            self._json(200, {"ok": True, "allow_write": self.server.plans is not None,
                             "version": self.server.board.current().version})
        elif route == "/api/events":
            self._stream()
        else:
            self._json(404, {"error": "没有这个地址"})

    def _stream(self) -> None:
        server = self.server
        if not server.stream_slots.acquire(blocking=False):
            self._json(503, {"error": "打开的看板页面太多，请关闭一些再试"})
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            for k, v in self.SECURITY_HEADERS.items():
                self.send_header(k, v)
            self.end_headers()
            self.close_connection = True
            sent = -1
            while not server.board.closed:
                snap = server.board.wait(sent, HEARTBEAT)
                if snap.version == sent:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self.wfile.write(b"event: report\ndata: " + snap.body.encode("utf-8") + b"\n\n")
                    sent = snap.version
                self.wfile.flush()
        except OSError:
            pass  # the page went away
        finally:
            server.stream_slots.release()

    # -- POST -------------------------------------------------------------------------------

    def do_POST(self) -> None:
        if not self._allowed():
            return
        plans = self.server.plans
        if plans is None:
            self._json(403, {"error": READ_ONLY})
            return
        body = self._body()
        if body is None:
            return
        route = urlsplit(self.path).path
        try:
            if route == "/api/plan":
                action, params = body.get("action"), body.get("params") or {}
                if not isinstance(action, str) or not isinstance(params, dict):
                    raise XunchaError("请求格式不对：需要 action 与 params")
                plan_id, planned = plans.make(action, params)
                self._json(200, {"plan_id": plan_id, "action": action, "text": planned.text,
                                 "changes": planned.changes, "conflicts": planned.conflicts})
            elif route == "/api/apply":
                given = body.get("plan_id")
                planned, result = plans.confirm(given if isinstance(given, str) else "")
                self._json(200, {"action": planned.action, "text": result})
            else:
                self._json(404, {"error": "没有这个地址"})
        except XunchaError as exc:
            self._json(409 if exc.exit_code == 4 else 400, {"error": exc.render()})

    def _body(self) -> dict[str, object] | None:
        """The JSON object posted (``application/json`` only: a cross-site form cannot send it)."""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if ctype != "application/json" or not 0 <= length <= MAX_BODY:
            self.close_connection = True
            status = 415 if ctype != "application/json" else 413
            self._json(status, {"error": "请求体应为 JSON，且不超过 64 KB"})
            return None
        try:
            doc = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, UnicodeDecodeError):
            doc = None
        if not isinstance(doc, dict):
            self._json(400, {"error": "请求体不是 JSON 对象"})
            return None
        return doc
