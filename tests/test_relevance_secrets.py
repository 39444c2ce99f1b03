"""The small graph knows every sensitive page the whole graph knows (``live/relevance.py``).

``report``, ``doc`` and ``watch`` compute from the *relevant* pages only.  A page can be sensitive
for a reason no inspection property shows — ``tags:: 信访`` under an innocent name, a tag naming a
page marked ``密级::``, a chain of such tags, a file name with a sensitive segment — and a report
must still hide every link to it.  The differential test builds random graphs of such pages and
asserts that ``Secrets.of_graph`` of the relevant graph — its pages and what it says of the pages
it left out — marks exactly what ``Secrets`` of the whole graph marks: through the index cold and
warm, and in ``watch`` at start and after incremental edits.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuncha_kb.cli import cli
from xuncha_kb.commands.graph_index import relevant_graph
from xuncha_kb.fs.scan import load_graph
from xuncha_kb.fs.watch import Change
from xuncha_kb.live.state import LiveGraph
from xuncha_kb.model import Graph
from xuncha_kb.track.sensitive import SENSITIVE_PLACEHOLDER, Secrets
from xuncha_kb.workflow.load import default_workflow

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "graph"
NAMES = ["张三反映", "李四来信", "王五情况", "赵六说明", "note-a"]
TAGS = [*NAMES, "信访", "谈话", "重点", "巡察办"]


def _save(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    st_ = path.stat()  # visible to the stamp check even within one mtime tick
    os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000))


def _page_text(name: str, tags: list[str], level: bool, titled: bool) -> str:
    head = []
    if titled:
        head.append(f"title:: {name}")
    if tags:
        head.append("tags:: " + ", ".join(tags[:1] + [f"[[{t}]]" for t in tags[1:]]))
    if level:
        head.append("密级:: 秘密")
    return ("\n".join(head) + "\n\n" if head else "") + f"- {name} 的内容\n"


def _file(name: str, secret_file: bool) -> str:
    return f"pages/谈话记录___{name}.md" if secret_file else f"pages/{name}.md"


page_spec = st.tuples(st.lists(st.sampled_from(TAGS), max_size=3, unique=True), st.booleans(), st.booleans())


def _write_graph(root: Path, specs: list[tuple[list[str], bool, bool]]) -> None:
    _save(root, "logseq/config.edn", "{:file/name-format :triple-lowbar}\n")
    links = " ".join(f"[[{n}]]" for n in NAMES)
    _save(root, "pages/巡察___2026年第一轮___某公司.md",
          f"type:: [[巡察]]\n被巡察单位:: [[某公司]]\n\n- 线索汇总 {links}\n  活动:: know.01\n")
    for name, (tags, level, secret_file) in zip(NAMES, specs, strict=True):
        _save(root, _file(name, secret_file), _page_text(name, tags, level, titled=secret_file))


def _marked(graph: Graph) -> frozenset[str]:
    return Secrets.of_graph(graph).marked


def _live(root: Path) -> LiveGraph:
    return LiveGraph(root, workflow_loader=lambda g: default_workflow()).start()


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(specs=st.lists(page_spec, min_size=len(NAMES), max_size=len(NAMES)),
       edits=st.lists(st.tuples(st.integers(0, len(NAMES) - 1), page_spec), max_size=3))
def test_relevant_pages_know_every_secret(tmp_path_factory: object, specs: list, edits: list) -> None:
    root = tmp_path_factory.mktemp("g")  # type: ignore[attr-defined]
    _write_graph(root, specs)
    full = _marked(load_graph(root))
    assert _marked(relevant_graph(root, use_cache=False)) == full
    assert _marked(relevant_graph(root)) == full  # cold, writes the index
    assert _marked(relevant_graph(root)) == full  # warm
    lg = _live(root)
    assert _marked(lg.graph()) == full
    for i, (tags, level, secret_file) in edits:
        name = NAMES[i]
        old = root / _file(name, specs[i][2])
        old.unlink()
        specs[i] = (tags, level, secret_file)
        new_rel = _file(name, secret_file)
        _save(root, new_rel, _page_text(name, tags, level, titled=secret_file))
        lg.apply({Change(old.relative_to(root).as_posix()), Change(new_rel)})
        full = _marked(load_graph(root))
        assert _marked(lg.graph()) == full, (i, tags, level, secret_file)
        assert _marked(relevant_graph(root)) == full


def test_a_chain_of_tags_reaches_a_marked_page(tmp_path: Path) -> None:
    root = tmp_path / "g"
    _write_graph(root, [(["李四来信"], False, False), (["王五情况"], False, False), ([], True, False),
                        ([], False, False), ([], False, False)])
    small = relevant_graph(root)
    marked = _marked(small)
    assert {"张三反映", "李四来信", "王五情况"} <= marked
    assert not {"张三反映", "李四来信"} & {p.key for p in small.pages}  # known, not parsed
    assert "赵六说明" not in marked


def test_report_hides_a_link_to_a_page_tagged_only_xinfang(tmp_path: Path) -> None:
    root = tmp_path / "graph"
    shutil.copytree(EXAMPLE, root)
    shutil.rmtree(root / ".xuncha", ignore_errors=True)
    draft = root / "pages" / "巡察___2026年第一轮___某某集团有限公司___底稿___001.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("来源:: 查阅资料", "来源:: [[张三反映]]"),
                     encoding="utf-8")
    (root / "pages" / "张三反映.md").write_text("tags:: 信访\n\n- 反映某某问题\n", encoding="utf-8")
    report = ["report", str(root), "--today", "2026-03-10", "--format", "json"]
    for args in (report, report, [*report, "--no-cache"]):  # cold (writes the index), warm, no index
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, res.output
        assert "张三反映" not in res.output
        assert SENSITIVE_PLACEHOLDER in json.loads(res.output).__repr__()
