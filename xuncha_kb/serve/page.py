"""The dashboard page: one HTML document with its stylesheet and script inline (no CDN, no
external font), and the Content-Security-Policy that allows only that inline script."""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources


@cache
def _asset(name: str) -> str:
    return resources.files("xuncha_kb.serve").joinpath("static", name).read_text("utf-8")


def dashboard_page() -> tuple[str, str]:
    """(html, Content-Security-Policy value); a fresh nonce per response."""
    nonce = secrets.token_urlsafe(16)
    html = (_asset("dashboard.html")
            .replace("/*STYLE*/", _asset("dashboard.css"))
            .replace("/*SCRIPT*/", _asset("dashboard.js"))
            .replace("NONCE", nonce))
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
           "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'")
    return html, csp
