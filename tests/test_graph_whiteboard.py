"""Whiteboards: the seed exactly, the corpus boards, and synthetic edge cases (logseq-format §7).

Expected values for the corpus boards are computed in the test from edn_format's own reading
of the file, so the test checks our derivation rules rather than a copied answer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE_GRAPH, SEED
from xuncha_kb.logseq.whiteboard import parse_whiteboard, shape_content

SEED_FILE = "whiteboards/巡察工作流程.edn"
PAGE_UUID = "677b79bc-f3eb-4e52-a830-bcae64a66a0d"


def _raw(text: str) -> Any:
    import edn_format

    return edn_format.loads(text)


def _k(name: str) -> Any:
    import edn_format

    return edn_format.Keyword(name)


# --- the seed --------------------------------------------------------------------------------------

def _seed_text(shared: Path) -> str:
    return SEED.read_text("utf-8")


def test_example_graph_holds_the_seed(shared: Path) -> None:
    assert (EXAMPLE_GRAPH / SEED_FILE).read_bytes() == SEED.read_bytes()


def test_seed_page_shape_and_blocks(shared: Path) -> None:
    text = _seed_text(shared)
    wb, diags = parse_whiteboard(text, SEED_FILE)
    assert diags == []
    assert wb.name == "巡察工作流程" and wb.key == "巡察工作流程"
    assert wb.uuid == PAGE_UUID
    assert wb.file == SEED_FILE
    assert wb.properties["ls-type"] == ":whiteboard-page"
    assert wb.properties["logseq.tldraw.page"]["shapes-index"] == ("20d4be30-cd6c-11ef-9db1-4135edae8cf2",)

    # one portal shape pointing at the second block
    assert len(wb.shapes) == 1 and wb.connectors == ()
    shape = wb.shapes[0]
    assert shape.id == "20d4be30-cd6c-11ef-9db1-4135edae8cf2"
    assert shape.type == "logseq-portal"
    assert shape.block_type == "B"
    assert shape.page_id == "677de952-b5f2-4e95-b9ec-1dcdf132ceac"
    assert shape.content == "((677de952-b5f2-4e95-b9ec-1dcdf132ceac))"
    assert shape.parent_id == PAGE_UUID
    assert shape.point == (256.0, 672.0)
    assert shape.size == (400.0, 42.79999923706055)
    assert shape.props["compact"] is True and shape.props["scale"] == (1, 1)

    # two top-level blocks in :block/left order, with lines, uuids and the {:heading 3} property
    assert [b.uuid for b in wb.blocks] == ["677b79bc-adda-4cb1-843c-f4943995799d",
                                           "677de952-b5f2-4e95-b9ec-1dcdf132ceac"]
    assert [b.span.line for b in wb.blocks] == [2, 11]
    assert all(b.level == 1 and b.children == () for b in wb.blocks)
    first, second = wb.blocks
    assert first.heading == 3 and first.properties["heading"] == "3"
    assert first.title == "巡察工作流程"
    assert second.content == "司法大数据"
    assert shape.page_id == second.uuid


def test_seed_workflow_text_is_intact(shared: Path) -> None:
    text = _seed_text(shared)
    wb, _ = parse_whiteboard(text, SEED_FILE)
    raw = _raw(text)[_k("blocks")][0][_k("block/content")]
    content = wb.blocks[0].content
    assert content == raw
    assert content.startswith("### 巡察工作流程\n\n")
    assert content.endswith("报巡察工作领导小组审阅后报党委会审议")
    for stage in ("巡察计划阶段", "巡察准备阶段", "巡察了解阶段", "巡察报告阶段", "巡察反馈阶段",
                  "巡察移交阶段", "巡察整改阶段"):
        assert f"**{stage}**" in content
    assert "应自反馈意见签收之日起 3 个月内" in content


# --- corpus boards ------------------------------------------------------------------------------------

def test_docs_onboarding_board(corpus: Path) -> None:
    path = corpus / "logseq__docs" / "whiteboards" / "Test Whiteboard.edn"
    text = path.read_text("utf-8")
    assert len(text) > 2_000_000
    wb, diags = parse_whiteboard(text, "whiteboards/Test Whiteboard.edn")
    assert diags == []
    raw = _raw(text)
    raw_shapes = [b[_k("block/properties")][_k("logseq.tldraw.shape")] for b in raw[_k("blocks")]
                  if _k("logseq.tldraw.shape") in b.get(_k("block/properties"), {})]
    assert len(wb.shapes) == len(raw_shapes) == 79
    assert Counter(s.type for s in wb.shapes) == Counter(s[_k("type")] for s in raw_shapes)
    assert [s.id for s in wb.shapes] == [s[_k("id")] for s in raw_shapes]
    assert wb.name == "Test Whiteboard"

    for s, r in zip(wb.shapes, raw_shapes, strict=True):
        if s.type == "text":
            assert s.content == r[_k("text")]
        elif s.type == "line":
            assert s.content == "whiteboard arrow: " + r[_k("label")]
        else:
            assert s.content == f"whiteboard {s.type}"

    # connectors: resolved independently from the raw :bindings map
    page = raw[_k("pages")][0][_k("block/properties")][_k("logseq.tldraw.page")]
    bindings = {k.name: v for k, v in page[_k("bindings")].items()}

    def end(shape: Any, handle: str) -> str | None:
        bid = shape[_k("handles")][_k(handle)].get(_k("bindingId"))
        b = bindings.get(bid) if bid else None
        return b[_k("toId")] if b else None

    expected = {s[_k("id")]: (end(s, "start"), end(s, "end")) for s in raw_shapes if s[_k("type")] == "line"}
    assert len(wb.connectors) == len(expected) == 19
    assert {c.id: (c.from_id, c.to_id) for c in wb.connectors} == expected
    labelled = [c for c in wb.connectors if c.label]
    assert [c.label for c in labelled] == ["hit enter"]
    fully_bound = [c for c in wb.connectors if c.from_id and c.to_id]
    assert len(fully_bound) == 6
    ids = {s.id for s in wb.shapes}
    assert all(c.from_id in ids and c.to_id in ids for c in fully_bound)

    # the one ordinary block: org-style warning text kept verbatim
    assert len(wb.blocks) == 1
    assert wb.blocks[0].content.startswith("#+BEGIN_WARNING\n")


def test_exporter_board_uses_block_title(corpus: Path) -> None:
    path = corpus / "logseq__logseq__exporter-test-graph" / "whiteboards" / "block tests.edn"
    wb, diags = parse_whiteboard(path.read_text("utf-8"), "whiteboards/block tests.edn")
    assert diags == []
    assert wb.name == "ref page"  # :block/title on the page, no :block/original-name
    assert wb.uuid == "6691676f-2eed-4619-b56a-69fd7d572c59"
    assert [b.content for b in wb.blocks] == [
        "block with page ref [[some page]]",
        "block with block ref ((669168ed-8734-4943-8a86-5e3a553a526d))",
        "block with props\nprop-num:: 10",
    ]
    assert wb.blocks[0].refs == ("some page",)
    assert wb.blocks[1].block_refs == ("669168ed-8734-4943-8a86-5e3a553a526d",)
    assert wb.blocks[2].properties["prop-num"] == "10"
    assert [s.type for s in wb.shapes] == ["logseq-portal"] * 3
    assert [s.page_id for s in wb.shapes] == [b.uuid for b in wb.blocks]
    assert all(s.props["pageName"] is None for s in wb.shapes)
    # pretty-printed file: each block's line is where its map opens
    lines = path.read_text("utf-8").split("\n")
    for b in wb.blocks:
        assert '{:block/title "' + b.content.split("\n")[0] in lines[b.span.line - 1]


# --- synthetic cases --------------------------------------------------------------------------------

BOARD = """{:blocks (
{:block/content "second" :block/uuid #uuid "00000000-0000-4000-8000-000000000002"
 :block/parent {:block/uuid #uuid "00000000-0000-4000-8000-0000000000aa"}
 :block/left {:block/uuid #uuid "00000000-0000-4000-8000-000000000001"} :block/format :markdown}
{:block/content "child TODO" :block/uuid #uuid "00000000-0000-4000-8000-000000000003"
 :block/parent {:block/uuid #uuid "00000000-0000-4000-8000-000000000001"}
 :block/left {:block/uuid #uuid "00000000-0000-4000-8000-000000000001"}}
{:block/content "TODO [#A] first [[目标页]]" :block/uuid #uuid "00000000-0000-4000-8000-000000000001"
 :block/parent {:block/uuid #uuid "00000000-0000-4000-8000-0000000000aa"}
 :block/left {:block/uuid #uuid "00000000-0000-4000-8000-0000000000aa"}
 :block/properties {:collapsed true}}
{:block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape
  {:id "s-box" :type "box" :label "开始" :point [0 0] :size [10 20]}}}
{:block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape
  {:id "s-portal" :type "logseq-portal" :blockType "P" :pageId "目标页"}}}
{:block/properties {:ls-type :whiteboard-shape :id "s-old" :type "ellipse" :point [5 6]}}
{:block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape
  {:id "s-arrow" :type "line" :label "下一步"
   :handles {:start {:id "start" :bindingId "b1"} :end {:id "end" :bindingId "b2"}}}}}
{:block/properties {:ls-type :whiteboard-shape :logseq.tldraw.shape
  {:id "s-free" :type "line" :handles {:start {:id "start"} :end {:id "end" :bindingId "gone"}}}}}
{:block/properties {:ls-type :whiteboard-shape
  :logseq.tldraw.shape {:id "s-text" :type "text" :text "备注"}}})
:pages ({:block/uuid #uuid "00000000-0000-4000-8000-0000000000aa" :block/name "测试白板"
  :block/original-name "测试白板"
  :block/properties {:ls-type :whiteboard-page :logseq.tldraw.page
   {:id "00000000-0000-4000-8000-0000000000aa" :name "测试白板"
    :bindings {:b1 {:id "b1" :type "line" :fromId "s-arrow" :toId "s-box" :handleId "start"}
               :b2 {:id "b2" :type "line" :fromId "s-arrow" :toId "s-portal" :handleId "end"}}}}})}
"""


def test_synthetic_board_tree_shapes_and_connectors() -> None:
    wb, diags = parse_whiteboard(BOARD, "whiteboards/测试白板.edn")
    assert diags == []
    assert wb.name == "测试白板"
    # :block/left order, not file order; the child nests under "first"
    assert [b.content for b in wb.blocks] == ["TODO [#A] first [[目标页]]", "second"]
    first = wb.blocks[0]
    assert first.marker == "TODO" and first.priority == "A" and first.refs == ("目标页",)
    assert first.properties["collapsed"] == "true"
    assert [c.content for c in first.children] == ["child TODO"]
    assert first.children[0].level == 2 and first.children[0].marker is None  # lower-case todo word
    assert [b.span.line for b in wb.walk()] == [8, 5, 2]

    shapes = {s.id: s for s in wb.shapes}
    assert list(shapes) == ["s-box", "s-portal", "s-old", "s-arrow", "s-free", "s-text"]
    assert shapes["s-box"].content == "whiteboard box" and shapes["s-box"].label == "开始"
    assert shapes["s-portal"].content == "[[目标页]]"
    assert shapes["s-old"].type == "ellipse" and shapes["s-old"].point == (5.0, 6.0)  # very old flat props
    assert shapes["s-arrow"].content == "whiteboard arrow: 下一步"
    assert shapes["s-free"].content == "whiteboard arrow"  # no :label at all
    assert shapes["s-text"].content == "备注"
    conns = {c.id: c for c in wb.connectors}
    arrow = conns["s-arrow"]
    assert (arrow.from_id, arrow.to_id, arrow.label) == ("s-box", "s-portal", "下一步")
    assert (conns["s-free"].from_id, conns["s-free"].to_id) == (None, None)


def test_shape_content_rules() -> None:
    assert shape_content({"type": "logseq-portal", "pageId": "u-1", "blockType": "B"}) == "((u-1))"
    assert shape_content({"type": "logseq-portal", "pageId": "Page", "blockType": "P"}) == "[[Page]]"
    assert shape_content({"type": "line"}) == "whiteboard arrow"
    assert shape_content({"type": "line", "label": ""}) == "whiteboard arrow: "  # Clojure: "" is truthy
    assert shape_content({"type": "youtube"}) == "whiteboard youtube"
    assert shape_content({"type": "text"}) == ""


@pytest.mark.parametrize(("text", "line"), [
    ('{:blocks (\n{:block/content "x"\n :block/uuid #uuid "00000000-0000-4000-8000-000000000001"\n', 2),
    ('{:blocks ()\n :pages ({:block/name "x"}))\n', 2),
    ('{:blocks (\n{:block/content "unterminated}\n)}', 2),
])
def test_malformed_board_is_a_diagnostic(text: str, line: int) -> None:
    wb, diags = parse_whiteboard(text, "whiteboards/坏白板.edn")
    assert wb.name == "坏白板" and wb.shapes == () and wb.blocks == ()
    assert len(diags) == 1
    assert diags[0].file == "whiteboards/坏白板.edn" and diags[0].line == line
    assert diags[0].severity == "error"


def test_parent_cycle_is_lifted_with_a_diagnostic() -> None:
    text = """{:blocks (
{:block/content "a" :block/uuid #uuid "00000000-0000-4000-8000-000000000001"
 :block/parent {:block/uuid #uuid "00000000-0000-4000-8000-000000000002"}}
{:block/content "b" :block/uuid #uuid "00000000-0000-4000-8000-000000000002"
 :block/parent {:block/uuid #uuid "00000000-0000-4000-8000-000000000001"}})
 :pages ({:block/uuid #uuid "00000000-0000-4000-8000-0000000000aa" :block/original-name "环"})}"""
    wb, diags = parse_whiteboard(text, "whiteboards/环.edn")
    assert sorted(b.content for b in wb.walk()) == ["a", "b"]
    assert len(wb.blocks) == 2
    assert len(diags) == 2 and all("循环" in d.message for d in diags)


def test_org_block_and_missing_pages() -> None:
    text = '{:blocks ({:block/content "TODO 整改 :tag:" :block/format :org})}'
    wb, diags = parse_whiteboard(text, "whiteboards/abc%3F.edn")
    assert wb.name == "abc?"  # from the file name
    assert wb.blocks[0].marker == "TODO"
    assert [d.severity for d in diags] == ["info"]


def test_block_below_a_cycle_keeps_its_parent() -> None:
    def blk(n: int, parent: int) -> str:
        return (f'{{:block/content "b{n}" :block/uuid #uuid "00000000-0000-4000-8000-{n:012d}"'
                f' :block/parent {{:block/uuid #uuid "00000000-0000-4000-8000-{parent:012d}"}}}}')

    text = "{:blocks (" + "\n".join([blk(1, 2), blk(2, 1), blk(3, 1)]) + ")}"
    wb, diags = parse_whiteboard(text, "whiteboards/x.edn")
    assert [b.content for b in wb.blocks] == ["b1", "b2"]
    assert [c.content for c in wb.blocks[0].children] == ["b3"]
    assert len([d for d in diags if "循环" in d.message]) == 2


def test_very_deep_parent_chain_does_not_overflow() -> None:
    n = 2500  # well past the recursion limit
    parts = [f'{{:block/content "b{i}" :block/uuid #uuid "00000000-0000-4000-8000-{i:012d}"'
             f' :block/parent {{:block/uuid #uuid "00000000-0000-4000-8000-{i - 1:012d}"}}}}'
             for i in range(1, n + 1)]
    wb, diags = parse_whiteboard("{:blocks (\n" + "\n".join(parts) + ")}", "whiteboards/deep.edn")
    assert len(wb.blocks) == 1 and diags[-1].severity == "info"  # only: no :pages
    depth = max(b.level for b in wb.walk())
    assert depth == n
    assert sum(1 for _ in wb.walk()) == n
