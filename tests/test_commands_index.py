"""Every one-shot command reads the graph through the one graph index, and its output never
depends on it: with the index built, warm, and ``--no-cache`` the output is byte-identical, and
close-out's plan equals the plan made from the whole graph (``load_graph``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from xuncha_kb.cli import cli
from xuncha_kb.commands.closeout import plan_close_out
from xuncha_kb.fs import index as fsindex
from xuncha_kb.fs.scan import load_graph

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "graph"
TODAY = "2026-03-20"
COMMANDS = [  # (argv, exit code): close-out refuses the example's open 底稿台账 (exit 2)
    (["close-out", "{g}", "--inspection", "某某集团有限公司", "--today", TODAY, "--dry-run", "--json"], 2),
    (["doc", "巡察情况报告", "{g}", "--today", TODAY, "--dry-run"], 0),
    (["workflow", "show", "{g}"], 0),
    (["sync", "{g}", "--today", TODAY, "--dry-run", "--json"], 0),
    (["scaffold", "{g}", "--unit", "示例能源有限公司", "--round", "2026年第二轮", "--dry-run", "--json"], 0),
]


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    root = tmp_path / "graph"
    shutil.copytree(EXAMPLE, root)
    shutil.rmtree(root / ".xuncha" / "index", ignore_errors=True)
    # a page sensitive only by its tag, and an ordinary note: neither is relevant
    (root / "pages" / "张三反映.md").write_text("tags:: 信访\n\n- 反映某某问题\n", encoding="utf-8")
    (root / "pages" / "随手记.md").write_text("- 普通笔记 [[张三反映]]\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(("argv", "code"), COMMANDS, ids=[" ".join(a[:2]) for a, _ in COMMANDS])
def test_output_is_the_same_built_warm_and_without_the_index(graph: Path, runner,  # type: ignore[no-untyped-def]
                                                             argv: list[str], code: int) -> None:
    args = [a.replace("{g}", str(graph)) for a in argv]
    outs = []
    for extra in ([], [], ["--no-cache"]):  # builds the index, reads it warm, ignores it
        res = runner.invoke(cli, [*args, *extra])
        assert res.exit_code == code, res.output
        outs.append(res.output)
    assert fsindex.index_path(graph).is_file()
    assert outs[1] == outs[0] and outs[2] == outs[0]
    assert "张三反映" not in outs[0] and "随手记" not in outs[0]


def test_close_out_plan_equals_the_whole_graph_plan(graph: Path) -> None:
    today = dt.date.fromisoformat(TODAY)
    full = plan_close_out(graph, "某某集团有限公司", today, graph=load_graph(graph))
    for _ in range(2):
        indexed = plan_close_out(graph, "某某集团有限公司", today)
        assert json.dumps(indexed.as_dict(), ensure_ascii=False) == \
            json.dumps(full.as_dict(), ensure_ascii=False)
    assert indexed.archive_entries == full.archive_entries


def test_a_definition_page_listing_its_type_with_a_chinese_comma_is_found(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    """The definition loader splits ``type::`` on 、 too; the index must not leave such a page out
    (relevance reads ``type::`` values the same way, and a definition page has Chinese keys)."""
    root = tmp_path / "g"
    (root / "pages").mkdir(parents=True)
    template = EXAMPLE.parent.parent / "graph_templates" / "workflow" / "巡察工作流程定义.md"
    text = template.read_text(encoding="utf-8").replace("流程名称:: 巡察工作流程", "流程名称:: 本办流程", 1)
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if line.lower().startswith("type::"))
    lines[i] = "type:: 笔记、巡察工作流程定义"
    (root / "pages" / "本办流程.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for extra in ([], [], ["--no-cache"]):
        res = runner.invoke(cli, ["workflow", "show", str(root), "--json", *extra])
        assert res.exit_code == 0, res.output
        assert json.loads(res.output)["name"] == "本办流程"
