"""Who may talk to the dashboard: pure checks on one request's path and headers.

The server listens on 127.0.0.1 only, but a page in the user's browser can still reach it: a
foreign site may send requests there (CSRF) or rebind its own DNS name to 127.0.0.1 (DNS
rebinding).  So every request must carry the per-start token, a ``Host`` of exactly
``127.0.0.1:PORT`` or ``localhost:PORT`` and, when the browser sends one, an ``Origin`` of the
same two.  No CORS header is ever sent, so no other origin can read a response.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

#: The only address the server binds.
LOOPBACK = "127.0.0.1"

#: The header a script may send the token in (EventSource cannot: it uses ``?token=``).
TOKEN_HEADER = "X-Xuncha-Token"


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    message: str


def check_host_option(host: str) -> str:
    """The bind address: only the IPv4 loopback address is accepted (``localhost`` means it)."""
    from xuncha_kb.errors import InputError

    if host.strip().lower() in (LOOPBACK, "localhost"):
        return LOOPBACK
    raise InputError(f"不能在 {host} 上提供服务：看板只监听本机地址 127.0.0.1",
                     hint="去掉 --host，或写 --host 127.0.0.1；要在别的电脑上查看，请用 report 导出文件。")


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset({f"{LOOPBACK}:{port}", f"localhost:{port}"})


def allowed_origins(port: int) -> frozenset[str]:
    return frozenset(f"http://{h}" for h in allowed_hosts(port))


def request_token(target: str, headers: Mapping[str, str]) -> str | None:
    """The token a request carries: the header, else the ``token`` query parameter.
    ``headers`` keys are lower-case."""
    value = headers.get(TOKEN_HEADER.lower())
    if value:
        return value
    values = parse_qs(urlsplit(target).query).get("token")
    return values[0] if values else None


def check_request(target: str, headers: Mapping[str, str], *, token: str, port: int) -> Refusal | None:
    """None when the request may be served, else why not (always 403: nothing is revealed).
    ``headers`` keys are lower-case."""
    host = headers.get("host")
    if host is None or host.lower() not in allowed_hosts(port):
        return Refusal(403, "拒绝访问：Host 不是本机看板地址")
    origin = headers.get("origin")
    if origin is not None and origin.lower() not in allowed_origins(port):
        return Refusal(403, "拒绝访问：请求来自其他网站")
    given = request_token(target, headers)
    if given is None or not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        return Refusal(403, "拒绝访问：缺少或错误的访问令牌（请使用启动时显示的完整地址）")
    return None
