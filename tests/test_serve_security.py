"""``serve``'s guard, on a real server on loopback with real HTTP requests: the token, Host and
Origin checks, loopback only, read-only by default, and no sensitive text in any response."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import write_file
from tests.serve_helpers import KNOW, first_event, request, running
from xuncha_kb.errors import InputError
from xuncha_kb.serve.guard import check_host_option, check_request

PORT = 8765
TOKEN = "right-token"


def test_guard_accepts_only_the_token_and_the_loopback_names() -> None:
    ok = {"host": f"127.0.0.1:{PORT}"}
    assert check_request(f"/?token={TOKEN}", ok, token=TOKEN, port=PORT) is None
    assert check_request("/", {**ok, "x-xuncha-token": TOKEN}, token=TOKEN, port=PORT) is None
    assert check_request(f"/?token={TOKEN}", {"host": f"localhost:{PORT}", "origin": f"http://localhost:{PORT}"},
                         token=TOKEN, port=PORT) is None
    refused = [
        ("/", ok),
        ("/?token=wrong", ok),
        (f"/?token={TOKEN}x", ok),
        (f"/?token={TOKEN}", {}),
        (f"/?token={TOKEN}", {"host": "evil.example:8765"}),
        (f"/?token={TOKEN}", {"host": f"127.0.0.1:{PORT + 1}"}),
        (f"/?token={TOKEN}", {**ok, "origin": "http://evil.example"}),
        (f"/?token={TOKEN}", {**ok, "origin": f"https://127.0.0.1:{PORT}"}),
        (f"/?token={TOKEN}", {**ok, "origin": "null"}),
    ]
    for target, headers in refused:
        refusal = check_request(target, headers, token=TOKEN, port=PORT)
        assert refusal is not None and refusal.status == 403, (target, headers)


@given(st.text(max_size=40))
def test_any_other_token_is_refused(given_token: str) -> None:
    headers = {"host": f"127.0.0.1:{PORT}", "x-xuncha-token": given_token}
    refusal = check_request("/api/report", headers, token=TOKEN, port=PORT)
    assert (refusal is None) == (given_token == TOKEN)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org", ""])
def test_only_loopback_can_be_asked_for(host: str) -> None:
    with pytest.raises(InputError, match=r"127\.0\.0\.1"):
        check_host_option(host)
    assert check_host_option("localhost") == "127.0.0.1"


def test_cli_refuses_another_host(example_graph: Path) -> None:
    from click.testing import CliRunner

    from xuncha_kb.cli import cli

    result = CliRunner().invoke(cli, ["serve", str(example_graph), "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "只监听本机地址" in result.output
    assert "Traceback" not in result.output


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port``, from /proc/net/tcp{,6} (hex, as the kernel has them)."""
    out = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            addr, p = fields[1].rsplit(":", 1)
            if int(p, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                out.add(addr)
    return out


def _other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
            addr = str(s.getsockname()[0])
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


def test_server_listens_on_loopback_only(example_graph: Path) -> None:
    with running(example_graph) as board:
        assert board.server.server_address[0] == "127.0.0.1"
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(board.port) == {"0100007F"}  # 127.0.0.1, nothing else
        other = _other_address()
        if other is not None:
            with pytest.raises(OSError), socket.create_connection((other, board.port), timeout=2):
                pass


def test_every_request_without_the_right_token_host_or_origin_is_refused(example_graph: Path) -> None:
    with running(example_graph) as board:
        port = board.port
        for target in ("/", "/api/report", "/api/events", "/api/health", "/nowhere"):
            assert request(board, "GET", target, token=False)[0] == 403, target
            assert request(board, "GET", target, token="wrong")[0] == 403, target
            assert request(board, "GET", target, headers={"Origin": "http://evil.example"})[0] == 403
            assert request(board, "GET", target, headers={"Host": f"evil.example:{port}"})[0] == 403
        status, body = request(board, "GET", "/api/health", headers={"Origin": f"http://127.0.0.1:{port}"})
        assert status == 200 and json.loads(body)["allow_write"] is False
        status, _ = request(board, "GET", f"/api/health?token={board.token}", token=False)
        assert status == 200
        # Refused POSTs too, before anything else is looked at.
        assert request(board, "POST", "/api/plan", token=False, body={"action": "sync"})[0] == 403
        assert request(board, "POST", "/api/plan", body={"action": "sync"},
                       headers={"Origin": "http://evil.example"})[0] == 403


def test_no_cors_header_is_ever_sent(example_graph: Path) -> None:
    import http.client

    with running(example_graph) as board:
        conn = http.client.HTTPConnection("127.0.0.1", board.port, timeout=10)
        conn.request("GET", f"/api/report?token={board.token}", headers={"Origin": f"http://127.0.0.1:{board.port}"})
        res = conn.getresponse()
        res.read()
        conn.close()
        assert res.status == 200
        assert not [h for h in res.headers if h.lower().startswith("access-control-")]
        assert res.getheader("Cache-Control") == "no-store"


def test_read_only_by_default(example_graph: Path) -> None:
    before = sorted(p.relative_to(example_graph) for p in example_graph.rglob("*"))
    with running(example_graph) as board:
        status, body = request(board, "POST", "/api/plan", body={"action": "sync", "params": {}})
        assert status == 403 and "--allow-write" in json.loads(body)["error"]
    assert sorted(p.relative_to(example_graph) for p in example_graph.rglob("*")) == before


MARKERS = ("绝密标记ALPHA", "绝密标记BRAVO", "绝密标记CHARLIE", "绝密标记DELTA", "绝密标记ECHO")


def _plant(root: Path) -> None:
    """Sensitive text in every shape the rules know: a 谈话 page, a 密级 page, a sensitive block,
    a #信访 block and a child of a sensitive block."""
    insp = "巡察/2026年第一轮/某某集团有限公司"
    write_file(root, "pages/巡察___2026年第一轮___某某集团有限公司___谈话记录___张三.md",
               f"巡察:: [[{insp}]]\n\n- 绝密标记ALPHA 谈话内容\n- TODO 绝密标记ALPHA2 回访\n")
    write_file(root, "pages/内部材料.md", f"密级:: 机密\n巡察:: [[{insp}]]\n\n- TODO 绝密标记DELTA 核查\n")
    know = root / KNOW
    text = know.read_text("utf-8")
    text += ("- 绝密标记BRAVO 反映某某问题 #信访\n"
             "- 一条记录\n  sensitive:: true\n\t- 绝密标记CHARLIE 子块\n"
             f"- [[{insp}/谈话记录/张三]] 绝密标记ECHO\n")
    know.write_text(text, "utf-8")


def _status(body: str, activity: str) -> str:
    doc = json.loads(body)
    return next(a["status"] for s in doc["inspections"][0]["stages"] for a in s["activities"]
                if a["id"] == activity)


def _assert_clean(text: str) -> None:
    for marker in MARKERS:
        assert marker not in text


def test_planted_sensitive_markers_never_appear_in_any_response(example_graph: Path) -> None:
    _plant(example_graph)
    with running(example_graph) as board:
        bodies = [request(board, "GET", t)[1] for t in ("/", "/api/report", "/api/health", "/nowhere")]
        bodies.append(json.dumps(first_event(board), ensure_ascii=False))
        doc = json.loads(bodies[1])
        assert doc["inspections"], "the graph's inspection is served"
        assert doc["inspections"][0]["sensitive"]["pages"] >= 2
        # A live edit of a sensitive page: the update that follows is clean too.
        version = doc["dashboard"]["version"]
        page = example_graph / "pages/内部材料.md"
        page.write_text(page.read_text("utf-8").replace("TODO", "DONE"), "utf-8")
        know = example_graph / KNOW
        know.write_text(know.read_text("utf-8").replace("TODO 形成封闭", "DONE 形成封闭"), "utf-8")
        bodies.append(json.dumps(first_event(board, after_version=version), ensure_ascii=False))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            bodies.append(request(board, "GET", "/api/report")[1])
            if _status(bodies[-1], "know.08") == "done":
                break
            time.sleep(0.1)
    assert _status(bodies[-1], "know.08") == "done"  # the live update did arrive
    for body in bodies:
        _assert_clean(body)
