"""The ledgers as offices keep them: problem classes from an editable page, a 底稿 whose
properties sit in its first block, the 整改 closed loop and the 移交 办理时限."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

INSP = "巡察/2026年第一轮/某某集团有限公司"
PAGES = "pages/巡察___2026年第一轮___某某集团有限公司"


@pytest.fixture
def g(tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / "graph"
    shutil.copytree(FIXTURES / "progress" / "graph", dest)
    return dest


def _ledgers(runner, g: Path) -> dict:  # type: ignore[no-untyped-def, type-arg]
    from xuncha_kb.cli import cli

    r = runner.invoke(cli, ["report", str(g), "--today", "2026-07-25", "--format", "json",
                            "--inspection", "某某集团有限公司"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)["inspections"][0]["ledgers"]  # type: ignore[no-any-return]


def test_shipped_taxonomy_page_matches_the_built_in_default(tmp_path: Path) -> None:
    from xuncha_kb.fs.scan import load_graph
    from xuncha_kb.track.taxonomy import DEFAULT_GROUPS, graph_taxonomy

    (tmp_path / "pages").mkdir()
    text = (ROOT / "graph_templates" / "taxonomy" / "巡察问题分类.md").read_text(encoding="utf-8")
    (tmp_path / "pages" / "巡察问题分类.md").write_text(text, encoding="utf-8")
    found = graph_taxonomy(load_graph(tmp_path, freeze=True))
    assert found.source == "pages/巡察问题分类.md" and found.groups == DEFAULT_GROUPS


def test_a_taxonomy_page_in_the_graph_replaces_the_default(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    assert _ledgers(runner, g)["drafts"]["unknown_classes"] == [f"{INSP}/底稿/003"]
    (g / "pages" / "巡察问题分类.md").write_text(
        "- 三大问题\n\t- 党的领导弱化\n- 作风建设\n\t- 作风问题\n", encoding="utf-8")
    lg = _ledgers(runner, g)
    assert lg["drafts"]["unknown_classes"] == [f"{INSP}/底稿/002"]  # 廉洁纪律 is gone from the page
    groups = {x["problem_class"]: x["class_group"] for x in lg["drafts"]["items"]}
    assert groups == {"党的领导弱化": "三大问题", "廉洁纪律": "", "作风问题": "作风建设"}


def test_draft_with_properties_in_the_first_block_is_read_and_named(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    (g / f"{PAGES}___底稿___004.md").write_text(
        f"- type:: [[问题底稿]]\n  巡察:: [[{INSP}]]\n  编号:: DG-004\n  来源:: 谈话\n  问题类别:: 工作纪律\n"
        "  问题概要:: 公车私用\n  证据:: 派车单\n  定性:: 违反工作纪律\n  状态:: 起草\n- 正文\n",
        encoding="utf-8")
    lg = _ledgers(runner, g)
    assert lg["drafts"]["count"] == 4
    item = next(x for x in lg["drafts"]["items"] if x["number"] == "DG-004")
    assert item["properties_in_first_block"] == 1 and item["class_group"] == "六大纪律"
    assert item["missing"] == []

    from xuncha_kb.cli import cli

    args = ["report", str(g), "--today", "2026-07-25", "--inspection", "某某集团有限公司"]
    text = runner.invoke(cli, args).output
    line = next(x for x in text.splitlines() if "DG-004" in x)
    assert f"{PAGES}___底稿___004.md:1" in line and "块属性" in line
    assert "底稿 4 份" in text


def test_rect_closed_loop_and_rate(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    page = g / f"{PAGES}___整改台账.md"
    lg = _ledgers(runner, g)["rectifications"]
    assert (lg["rate_percent"], lg["done"], lg["by_phase"]) == (66, 2, {"更新": 2, "销号": 1})
    page.write_text(page.read_text(encoding="utf-8").replace(
        "  销号审核人:: [[张三]]\n", "  销号审核人:: [[张三]]\n  销号日期:: 2026-07-10\n").replace(
        "  整改状态:: 整改中\n",
        "  整改状态:: 已销号\n  佐证材料:: 议事规则\n  销号审核人:: 张三\n  销号日期:: 2026-07-20\n"),
        encoding="utf-8")
    lg = _ledgers(runner, g)["rectifications"]
    assert (lg["rate_percent"], lg["closed"], lg["by_phase"]) == (100, 2, {"更新": 1, "销号": 2})
    assert all(not x["loop_gaps"] for x in lg["items"])


def test_transfer_feedback_ends_the_warning(runner, g: Path) -> None:  # type: ignore[no-untyped-def]
    page = g / f"{PAGES}___移交台账.md"
    assert _ledgers(runner, g)["transfers"]["overdue"] == 1
    page.write_text(page.read_text(encoding="utf-8").replace(
        "  移交日期:: 2026-04-01\n- 培训",
        "  移交日期:: 2026-04-01\n  反馈日期:: 2026-06-20\n  办理结果:: 已处理\n- 培训"),
        encoding="utf-8")
    t = _ledgers(runner, g)["transfers"]
    assert (t["overdue"], t["warned"], t["answered"]) == (0, 0, 2)
