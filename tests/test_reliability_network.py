"""No network access anywhere.

1. With every way of opening a connection or resolving a name made to fail loudly, every
   command runs to success on a copy of ``examples/graph`` — and no attempt was even made.
2. Statically: no module of the package imports a network library.
3. The HTML report is self-contained: no external URL is loaded (scripts, styles, images, fonts).
"""

from __future__ import annotations

import ast
import re
import shutil
import socket
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH, ROOT
from xuncha_kb.cli import cli

PACKAGE = ROOT / "xuncha_kb"
NETWORK_MODULES = {"socket", "ssl", "urllib", "urllib2", "urllib3", "http", "httpx", "requests", "aiohttp",
                   "ftplib", "smtplib", "poplib", "imaplib", "telnetlib", "xmlrpc", "socketserver",
                   "webbrowser", "asyncio"}
# Justified exceptions: pure string functions that never touch the network.
PURE = {"urllib.parse"}  # percent-encoding of legacy Logseq file names (logseq/names.py)
# The dashboard's listener: it binds 127.0.0.1 only and never connects anywhere (the command
# runs under the guard below; tests/test_serve_security.py checks the listening address).
LOOPBACK_LISTENER = {"xuncha_kb/serve/handler.py": {"http.server", "socketserver"}}


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[str] = []

    def refuse(name: str):
        def _refuse(*a, **k):
            attempts.append(f"{name}{a[:2]!r}")
            raise NetworkUsed(f"network access attempted: {name}")
        return _refuse

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    monkeypatch.setattr(socket, "gethostbyaddr", refuse("gethostbyaddr"))
    return attempts


def _commands(g: Path, t: Path) -> list[list[str]]:
    today = ["--today", "2026-03-10"]
    unit = ["--unit", "乙公司", "--round", "2026年第二轮", "--entry", "2026-05-06"]
    definition = ROOT / "graph_templates" / "workflow" / "巡察工作流程定义.md"
    return [
        ["stats", str(g)],
        ["stats", str(g), "--json"],
        ["workflow", "show", str(g)],
        ["workflow", "show", str(g), "--json"],
        ["workflow", "check", str(definition)],
        ["workflow", "diff", "默认", str(definition), "--json"],
        ["workflow", "extract", str(g / "whiteboards" / "巡察工作流程.edn"), "--json"],
        ["workflow", "extract", str(g / "whiteboards" / "巡察工作流程.edn"), "-o", str(t / "定义.md")],
        ["scaffold", str(g), *unit, "--dry-run"],
        ["scaffold", str(g), *unit],
        ["scaffold-plan", str(g), "--year", "2027", "--json"],
        *[["report", str(g), *today, "--format", f] for f in ("text", "md", "json", "html")],
        ["report", str(g), *today, "--format", "xlsx", "-o", str(t / "台账.xlsx")],
        ["report", str(g), *today, "--format", "html", "-o", str(t / "报告.html"), "--redact", "names"],
        ["report", str(g), *today, "--write", "--dry-run"],
        ["report", str(g), *today, "--write"],
        ["sync", str(g), *today, "--dry-run"],
        ["sync", str(g), *today],
        ["close-out", str(g), "--inspection", "乙公司", *today, "--dry-run"],
        ["close-out", str(g), "--inspection", "乙公司", *today, "--archive", str(t / "归档.zip")],
        ["watch", str(g), *today, "--timeout", "0.5", "--json"],
        ["serve", str(g), *today, "--port", "0", "--timeout", "0.5"],
        ["doc", "巡察情况报告", str(g), "--inspection", "某某集团", *today, "-o", str(t / "报告.docx")],
        ["doc", "移交函", str(g), "--inspection", "某某集团", *today, "--dry-run", "-o", str(t / "函.docx")],
    ]


def test_every_command_runs_without_network(no_network: list[str], runner, tmp_path: Path) -> None:
    g = tmp_path / "graph"
    shutil.copytree(EXAMPLE_GRAPH, g)
    t = tmp_path / "out"
    t.mkdir()
    seen = set()
    for args in _commands(g, t):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, (args, r.output[-1500:], r.exception)
        assert not no_network, (args, no_network)
        seen.add(args[0] if args[0] != "workflow" else " ".join(args[:2]))
    # every command of the CLI was exercised
    names = set(cli.commands) - {"workflow"}
    names |= {f"workflow {c}" for c in cli.commands["workflow"].commands}  # type: ignore[attr-defined]
    assert names <= seen, names - seen
    assert (t / "台账.xlsx").stat().st_size > 0 and (t / "归档.zip").stat().st_size > 0


def test_the_guard_itself_works(no_network: list[str]) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))
    assert no_network


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("__import__", "import_module"):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def test_no_module_imports_a_network_library() -> None:
    offenders = {}
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        allowed = PURE | LOOPBACK_LISTENER.get(path.relative_to(ROOT).as_posix(), set())
        bad = {m for m in _imports(path) if m.split(".")[0] in NETWORK_MODULES and m not in allowed}
        if bad:
            offenders[path.relative_to(ROOT).as_posix()] = sorted(bad)
    assert offenders == {}


def test_html_report_loads_nothing_from_outside(runner) -> None:
    r = runner.invoke(cli, ["report", str(EXAMPLE_GRAPH), "--today", "2026-03-10", "--format", "html"])
    assert r.exit_code == 0
    html = r.output
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert external == []
    assert not re.search(r"@import\s+url\(\s*['\"]?(?:https?:)?//", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)
