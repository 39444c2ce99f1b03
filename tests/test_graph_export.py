"""Logseq "Export graph" files (EDN and JSON) read into the same model as a graph on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from xuncha_kb.errors import GraphNotFound, InputError
from xuncha_kb.logseq.export import parse_export, read_export

EXPORTS = FIXTURES / "graph"


@pytest.mark.parametrize("name", ["export.edn", "export.json"])
def test_export_tree_properties_and_tasks(name: str) -> None:
    g = read_export(EXPORTS / name)
    assert [p.name for p in g.pages] == ["巡察/2026/第一轮", "Mar 1st, 2026"]
    plan, day = g.pages
    assert plan.kind == "page" and plan.file == name
    assert plan.properties == {"type": "inspection", "tags": "2026, 巡察"}
    assert plan.property_refs == {"tags": ("2026", "巡察")}
    assert day.kind == "journal" and day.journal_day == 20260301

    top, third = plan.blocks
    assert top.marker == "TODO" and top.priority == "A" and top.title == "召开进驻动员会 [[巡察组]]"
    assert top.scheduled is not None and top.scheduled.day == 20260302
    assert top.refs == ("巡察组",)
    assert top.uuid == "6a000000-0000-4000-8000-000000000002"
    assert top.properties["owner"] == "张三" and top.property_refs["owner"] == ("张三",)
    [child] = top.children
    assert child.marker == "DONE" and child.level == 2
    assert third.heading == 2 and third.properties["collapsed"] == "true"
    assert third.block_refs == ("6a000000-0000-4000-8000-000000000002",)
    assert day.blocks[0].marker == "LATER"
    # lines point at the block's id in the export file
    text = (EXPORTS / name).read_text("utf-8").split("\n")
    for block in plan.walk():
        assert block.uuid in text[block.span.line - 1]


def test_edn_and_json_give_the_same_model() -> None:
    a = read_export(EXPORTS / "export.edn")
    b = read_export(EXPORTS / "export.json")

    def shape(g):  # everything but file names and lines
        return [(p.name, p.kind, dict(p.properties),
                 [(x.level, x.content, x.marker, x.priority, dict(x.properties), x.refs) for x in p.walk()])
                for p in g.pages]

    assert shape(a) == shape(b)


def test_pre_block_flag_and_org_format() -> None:
    text = ('{:version 1 :blocks [{:block/page-name "p" :block/format :org :block/children '
            '[{:block/id #uuid "6a000000-0000-4000-8000-00000000000a" :block/pre-block? true '
            ':block/content "" :block/properties {:title "p"}} {:block/content "DONE x"}]}]}')
    g = parse_export(text, "e.edn")
    pre, done = g.pages[0].blocks
    assert pre.pre_block and not pre.bullet and pre.properties["title"] == "p"
    assert done.marker == "DONE" and g.pages[0].format == "org"


@pytest.mark.parametrize(("text", "line"), [
    ('{"version": 1,\n "blocks": [\n', 3),
    ('{:version 1\n :blocks [{:block/page-name "x"}\n', 2),
    ('{:version 1}', 1),
    ('[{"title": "Roam export"}]', 1),
])
def test_not_an_export_is_an_input_error(text: str, line: int) -> None:
    with pytest.raises(InputError) as info:
        parse_export(text, "bad.json" if text.startswith(("{\"", "[")) else "bad.edn")
    assert info.value.exit_code == 2 and info.value.line == line
    assert info.value.file in ("bad.json", "bad.edn")


def test_missing_export_file(tmp_path: Path) -> None:
    with pytest.raises(GraphNotFound):
        read_export(tmp_path / "nope.edn")


def test_absurdly_deep_export_is_an_input_error() -> None:
    head = '{"version": 1, "blocks": [{"page-name": "p", "children": '
    text = head + '[{"content": "x", "children": ' * 3000 + "[]" + "}]" * 3000 + "}]}"
    with pytest.raises(InputError) as info:
        parse_export(text, "deep.json")
    assert info.value.exit_code == 2
