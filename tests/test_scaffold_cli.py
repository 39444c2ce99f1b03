"""`xuncha-kb scaffold` / `scaffold-plan` end to end: files on disk, safety promises, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_scaffold_support import snapshot
from xuncha_kb import cli as cli_module
from xuncha_kb.cli import cli
from xuncha_kb.fs.manifest import parse_manifest, read_manifest
from xuncha_kb.fs.scan import load_graph
from xuncha_kb.track import conventions as cv
from xuncha_kb.workflow.load import default_workflow

ARGS = ["--unit", "某某集团有限公司", "--round", "2026年第一轮", "--leader", "张三", "--members", "李四,王五",
        "--entry", "2026-03-02", "--exit", "2026-04-10"]
I = "巡察/2026年第一轮/某某集团有限公司"  # noqa: E741


def _run(runner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def _activities(graph_root: Path, inspection: str) -> int:
    graph = load_graph(graph_root)
    n = 0
    for page, block in graph.blocks():
        if cv.P_ACTIVITY in block.properties and not block.pre_block \
                and page.name.startswith(inspection + "/"):
            n += 1
    return n


def _expected_activities() -> int:
    return sum(len(s.activities) for s in default_workflow().per_inspection_stages())


def test_into_empty_graph_then_idempotent(runner, tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    first = _run(runner, "scaffold", str(root), *ARGS)
    assert first.exit_code == 0, first.output
    assert "已写入：新建 14 个文件" in first.output
    graph = load_graph(root)
    assert graph.diagnostics == ()
    assert graph.page(I) is not None and len(graph.whiteboards) == 1
    assert _activities(root, I) == _expected_activities()
    manifest = read_manifest(root)
    assert len(manifest.for_inspection(I)) == 14
    before = snapshot(root)
    second = _run(runner, "scaffold", str(root), *ARGS)
    assert second.exit_code == 0
    assert "无变化" in second.output and "已写入" not in second.output
    assert snapshot(root) == before  # not one byte changed, manifest included


def test_into_example_graph_keeps_every_existing_file(runner, example_graph: Path) -> None:
    before = snapshot(example_graph)
    result = _run(runner, "scaffold", str(example_graph), "--unit", "示例能源有限公司",
                  "--round", "2026年第二轮", "--entry", "2026-09-01")
    assert result.exit_code == 0, result.output
    after = snapshot(example_graph)
    state = {".xuncha/manifest.json", ".xuncha/lock"}
    assert {k: v for k, v in after.items() if k in before and k not in state} == \
        {k: v for k, v in before.items() if k not in state}
    old_manifest = parse_manifest(before.get(".xuncha/manifest.json", b"{}").decode("utf-8"))
    new_manifest = read_manifest(example_graph)
    assert all(new_manifest.get(p) == e for p, e in old_manifest.entries.items())  # history kept
    new = sorted(set(after) - set(before))
    assert "pages/巡察___2026年第二轮___示例能源有限公司.md" in new  # config.edn: triple-lowbar
    graph = load_graph(example_graph)
    assert not [d for d in graph.diagnostics if "示例能源" in d.file]
    assert _activities(example_graph, "巡察/2026年第二轮/示例能源有限公司") == _expected_activities()


def test_second_unit_same_round(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    assert _run(runner, "scaffold", str(root), *ARGS).exit_code == 0
    before = snapshot(root)
    other = _run(runner, "scaffold", str(root), "--unit", "另一家公司", "--round", "2026年第一轮")
    assert other.exit_code == 0, other.output
    after = snapshot(root)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {".xuncha/manifest.json"}  # the first inspection's files are untouched
    assert len(read_manifest(root).for_inspection("巡察/2026年第一轮/另一家公司")) == 14
    assert _activities(root, "巡察/2026年第一轮/另一家公司") == _expected_activities()
    assert _activities(root, I) == _expected_activities()


def test_dry_run_and_json_write_nothing(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    dry = _run(runner, "scaffold", str(root), *ARGS, "--dry-run")
    assert dry.exit_code == 0 and "新建 14" in dry.output and "未写入" in dry.output
    as_json = _run(runner, "scaffold", str(root), *ARGS, "--dry-run", "--json")
    data = json.loads(as_json.output)
    assert data["dry_run"] is True and data["plan"]["counts"]["create"] == 14
    assert data["activities"] == _expected_activities() and data["result"] is None
    assert list(root.iterdir()) == []
    written = json.loads(_run(runner, "scaffold", str(root), *ARGS, "--json").output)
    assert len(written["result"]["created"]) == 14


def test_user_progress_is_kept_and_reported(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    _run(runner, "scaffold", str(root), *ARGS)
    stage = root / "pages" / "巡察%2F2026年第一轮%2F某某集团有限公司%2F巡察准备.md"
    text = stage.read_text(encoding="utf-8").replace("- TODO 制定巡察工作方案", "- DONE 制定巡察工作方案", 1)
    stage.write_text(text + "- 用户笔记\n", encoding="utf-8")
    before = snapshot(root)
    again = _run(runner, "scaffold", str(root), *ARGS)
    assert again.exit_code == 0
    assert "保留" in again.output and "无变化 13" in again.output
    assert snapshot(root) == before


def test_foreign_file_with_same_name_is_a_conflict(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    (root / "pages").mkdir(parents=True)
    mine = root / "pages" / "巡察%2F2026年第一轮%2F某某集团有限公司%2F问题清单.md"
    mine.write_text("- 我自己的问题清单\n", encoding="utf-8")
    before = snapshot(root)
    result = _run(runner, "scaffold", str(root), *ARGS)
    assert result.exit_code == 4
    assert "冲突" in result.output and "问题清单" in result.output
    assert f"计划：{I}" in result.stdout  # the plan is shown before the refusal
    assert snapshot(root) == before  # nothing written, not even the other 13 files


@pytest.mark.parametrize(("args", "needle"), [
    (["--unit", "", "--round", "2026年第一轮"], "被巡察单位不能为空"),
    (["--round", "2026年第一轮"], "被巡察单位不能为空"),
    (["--unit", "../../etc", "--round", "2026年第一轮"], "/"),
    (["--unit", "某公司", "--round", "../x"], "/"),
    (["--unit", "某公司", "--round", "2026年第一轮", "--entry", "2026-02-30"], "--entry"),
    (["--unit", "某公司", "--round", "2026年第一轮", "--exit", "20260410"], "--exit"),
    (["--unit", "某公司", "--round", "2026年第一轮", "--workflow", "/nonexistent/流程.md"], "工作流程"),
    # every name is also a page ([[张三]]): it must fit a file name
    (["--unit", "某公司", "--round", "2026年第一轮", "--leader", "长" * 100], "--leader"),
    (["--unit", "某公司", "--round", "2026年第一轮", "--members", "李四," + "长" * 100], "--members"),
    # invisible characters: two names that look the same would be two pages
    (["--unit", "某\u200b公司", "--round", "2026年第一轮"], "U+200B"),
    (["--unit", "某\u202e公司", "--round", "2026年第一轮"], "U+202E"),
    (["--unit", "某公司", "--round", "2026年\u2028第一轮"], "U+2028"),
    (["--unit", "某公司\ufeff", "--round", "2026年第一轮"], "U+FEFF"),
    (["--unit", "某\x85公司", "--round", "2026年第一轮"], "U+0085"),
    (["--unit", "某公司", "--round", "2026年第一轮", "--leader", "张\udcff"], "U+DCFF"),
])
def test_bad_input_exit_2_and_nothing_written(runner, tmp_path: Path, args: list[str], needle: str) -> None:
    root = tmp_path / "g"
    root.mkdir()
    result = runner.invoke(cli, ["scaffold", str(root), *args])
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output
    assert list(root.iterdir()) == []


def test_invalid_workflow_definition_exit_2(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    bad = tmp_path / "bad.md"
    bad.write_text("type:: [[巡察工作流程定义]]\n\n- ## 巡察准备\n  阶段id:: prep\n\t- 没有编号的活动\n",
                   encoding="utf-8")
    result = runner.invoke(cli, ["scaffold", str(root), "--unit", "某公司", "--round", "2026年第一轮",
                                 "--workflow", str(bad)])
    assert result.exit_code == 2, result.output
    assert list(root.iterdir()) == []


def test_not_a_graph_exit_3(runner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["scaffold", str(tmp_path), "--unit", "某公司", "--round", "2026年第一轮"])
    assert result.exit_code == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_prompts_on_a_terminal(runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "g"
    root.mkdir()
    monkeypatch.setattr(cli_module.base, "stdin_is_tty", lambda: True)
    result = runner.invoke(cli, ["scaffold", str(root), "--dry-run"],
                           input="某某集团有限公司\n2026年第一轮\n")
    assert result.exit_code == 0, result.output
    assert "被巡察单位" in result.output and f"计划：{I}" in result.output


def test_graph_busy_exit_6(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys,time\nfrom pathlib import Path\nfrom xuncha_kb.fs.lock import graph_lock\n"
        "with graph_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(30)\n"),
        str(root)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = runner.invoke(cli, ["scaffold", str(root), *ARGS], env={"XUNCHA_LOCK_TIMEOUT": "0.2"})
        assert result.exit_code == 6, result.output
        assert not (root / "pages").exists()
    finally:
        holder.kill()
        holder.wait()


def test_scaffold_plan(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    result = _run(runner, "scaffold-plan", str(root), "--year", "2026")
    assert result.exit_code == 0, result.output
    graph = load_graph(root)
    page = graph.page("巡察/2026年度计划")
    assert page is not None and graph.diagnostics == ()
    annual = [a for s in default_workflow().stages if s.scope == "annual" for a in s.activities]
    tasks = [b for b in page.walk() if "活动" in b.properties and not b.pre_block]
    assert [t.properties["活动"] for t in tasks] == [a.id for a in annual]
    before = snapshot(root)
    assert "无变化" in _run(runner, "scaffold-plan", str(root), "--year", "2026").output
    assert snapshot(root) == before
    assert runner.invoke(cli, ["scaffold-plan", str(root)]).exit_code == 2
    assert runner.invoke(cli, ["scaffold-plan", str(root), "--year", "26"]).exit_code == 2


def test_sample_inspection_in_examples(runner, example_graph: Path) -> None:
    """The shipped sample: parseable, partly done, and a rerun of its command changes nothing."""
    graph = load_graph(example_graph)
    sample = [p for p in graph.pages if p.name.startswith(I)]
    assert sample and not [d for d in graph.diagnostics if d.file.startswith("pages/巡察___")]
    markers: dict[str, list[str | None]] = {}
    for page in sample:
        for b in page.walk():
            if cv.P_ACTIVITY in b.properties and not b.pre_block:
                markers.setdefault(b.properties[cv.P_ACTIVITY].split(".")[0], []).append(b.marker)
    assert set(markers["prep"]) == {"DONE"}  # 巡察准备 finished
    assert {"DONE", "DOING", "TODO"} <= set(markers["know"])  # 巡察了解 under way
    assert sum(len(v) for v in markers.values()) == _expected_activities()
    drafts = [p for p in sample if p.properties.get("type") == "[[问题底稿]]"]
    assert len(drafts) == 2
    before = snapshot(example_graph)
    result = _run(runner, "scaffold", str(example_graph), *ARGS)
    assert result.exit_code == 0, result.output
    assert "保留" in result.output and "无变化" in result.output and "已写入" not in result.output
    assert {k: v for k, v in snapshot(example_graph).items() if k != ".xuncha/lock"} == \
        {k: v for k, v in before.items() if k != ".xuncha/lock"}


def test_same_name_in_other_case_is_a_conflict(runner, tmp_path: Path) -> None:
    """Logseq page names are case-insensitive: ABC公司 and abc公司 are the same page."""
    root = tmp_path / "g"
    root.mkdir()
    assert _run(runner, "scaffold", str(root), "--unit", "ABC公司", "--round", "2026年第一轮").exit_code == 0
    before = snapshot(root)
    result = runner.invoke(cli, ["scaffold", str(root), "--unit", "abc公司", "--round", "2026年第一轮"])
    assert result.exit_code == 4, result.output
    assert "同名页面" in result.output
    assert snapshot(root) == before


def test_title_property_claiming_the_name_is_a_conflict(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "别的文件.md").write_text(f"title:: {I}/移交台账\n\n- 我的移交记录\n", encoding="utf-8")
    result = runner.invoke(cli, ["scaffold", str(root), *ARGS])
    assert result.exit_code == 4, result.output
    assert "别的文件.md" in result.output
    assert sorted(p.name for p in (root / "pages").iterdir()) == ["别的文件.md"]


def test_index_names_match_the_full_reader(example_graph: Path) -> None:
    """scaffold reads only page heads; the names it sees equal what load_graph finds."""
    from xuncha_kb.commands.scaffold import index_graph

    alias = example_graph / "pages" / "别名页.md"
    alias.write_text("title:: 某个/命名空间/页面\n\n- x\n", encoding="utf-8")
    index = index_graph(example_graph)
    full: dict[str, str] = {}
    for p in load_graph(example_graph).pages:
        if p.kind == "page":
            full.setdefault(p.key, p.file)
    assert dict(index.page_files) == full
    assert index.definition is None


def test_graph_definition_page_is_used(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    (root / "pages").mkdir(parents=True)
    template = Path(__file__).resolve().parent.parent / "graph_templates" / "workflow" / "巡察工作流程定义.md"
    text = template.read_text(encoding="utf-8")
    text = text.replace("流程名称:: 巡察工作流程", "流程名称:: 本办巡察流程", 1)
    assert "本办巡察流程" in text
    (root / "pages" / "本办巡察流程定义.md").write_text(text, encoding="utf-8")
    result = _run(runner, "scaffold", str(root), "--unit", "某公司", "--round", "2026年第一轮", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["workflow"] == "本办巡察流程"
    overview = load_graph(root).page("巡察/2026年第一轮/某公司")
    assert overview is not None and overview.properties["工作流程"] == "[[本办巡察流程]]"


def test_invalid_utf8_in_argv_is_exit_2_in_a_real_process(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; writing one used to be a
    UnicodeEncodeError traceback."""
    import os

    root = tmp_path / "g"
    root.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    p = subprocess.run([sys.executable, "-m", "xuncha_kb", "scaffold", str(root), "--unit", b"\xff\xfe",
                        "--round", "2026年第一轮"], capture_output=True, env=env, timeout=60)
    stderr = p.stderr.decode("utf-8", errors="replace")
    assert p.returncode == 2, stderr
    assert "Traceback" not in stderr and "看不见的字符" in stderr
    assert list(root.iterdir()) == []


def test_a_member_named_twice_is_one_member(runner, tmp_path: Path) -> None:
    root = tmp_path / "g"
    root.mkdir()
    r = _run(runner, "scaffold", str(root), "--unit", "某公司", "--round", "2026年第一轮",
             "--members", "李四,王五，李四")
    assert r.exit_code == 0, r.output
    overview = load_graph(root).page("巡察/2026年第一轮/某公司")
    assert overview is not None and overview.properties["组员"] == "[[李四]], [[王五]]"
