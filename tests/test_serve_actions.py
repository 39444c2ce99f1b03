"""``serve --allow-write``: a write action returns its plan and writes nothing until the plan is
confirmed, once; the dashboard then shows the new inspection live."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.serve_helpers import request, running

FACTS = {"unit": "某某区市场监督管理局", "round": "2026年第二轮", "leader": "王五", "members": "赵六,孙七",
         "entry": "2026-06-01", "exit": "2026-07-15"}
OVERVIEW = "pages/巡察___2026年第二轮___某某区市场监督管理局.md"


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_scaffold_plan_then_confirm(example_graph: Path) -> None:
    with running(example_graph, allow_write=True) as board:
        before = _files(example_graph)
        status, body = request(board, "POST", "/api/plan", body={"action": "scaffold", "params": FACTS})
        assert status == 200, body
        plan = json.loads(body)
        assert plan["changes"] and not plan["conflicts"]
        assert "新建" in plan["text"] and "巡察/2026年第二轮/某某区市场监督管理局" in plan["text"]
        assert _files(example_graph) == before  # a plan writes nothing
        status, body = request(board, "POST", "/api/apply", body={"plan_id": plan["plan_id"]})
        assert status == 200, body
        assert (example_graph / OVERVIEW).is_file()
        # A plan is applied once.
        status, body = request(board, "POST", "/api/apply", body={"plan_id": plan["plan_id"]})
        assert status == 400 and "已执行" in json.loads(body)["error"]
        deadline = time.monotonic() + 10
        names: list[str] = []
        while time.monotonic() < deadline and "巡察/2026年第二轮/某某区市场监督管理局" not in names:
            names = [i["name"] for i in json.loads(request(board, "GET", "/api/report")[1])["inspections"]]
            time.sleep(0.1)
        assert "巡察/2026年第二轮/某某区市场监督管理局" in names


def test_bad_input_is_a_chinese_message_and_writes_nothing(example_graph: Path) -> None:
    with running(example_graph, allow_write=True) as board:
        before = _files(example_graph)
        status, body = request(board, "POST", "/api/plan",
                               body={"action": "scaffold", "params": {**FACTS, "exit": "2026-05-01"}})
        assert status == 400 and "撤离日" in json.loads(body)["error"]
        status, body = request(board, "POST", "/api/plan", body={"action": "format-disk", "params": {}})
        assert status == 400 and "未知的操作" in json.loads(body)["error"]
        status, _ = request(board, "POST", "/api/apply", body={"plan_id": "made-up"})
        assert status == 400
        status, _ = request(board, "POST", "/api/plan", headers={"Content-Type": "text/plain"},
                            body={"action": "sync"})
        assert status == 415
        assert _files(example_graph) == before


def test_report_page_plan_then_confirm(example_graph: Path) -> None:
    with running(example_graph, allow_write=True) as board:
        before = _files(example_graph)
        status, body = request(board, "POST", "/api/plan", body={"action": "report", "params": {}})
        assert status == 200, body
        plan = json.loads(body)
        assert plan["changes"]
        status, body = request(board, "POST", "/api/apply", body={"plan_id": plan["plan_id"]})
        assert status == 200, body
        assert json.loads(body)["text"].startswith("已写入：新建 1 个文件")
        new = _files(example_graph) - before
        assert len([p for p in new if p.startswith("pages/")]) == 1, new
