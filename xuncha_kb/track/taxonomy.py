"""The problem classes (问题类别) a 底稿 may carry: the graph's own ``巡察问题分类`` page when it
has one, otherwise the shipped default (三大问题 and 六大纪律; the same classes as
``graph_templates/taxonomy/巡察问题分类.md``, a page ready to copy into the graph and edit).

On the page every top-level block is a group and its children are the classes; a top-level
block starting with ``说明`` is a note, not a group.
"""

from __future__ import annotations

from dataclasses import dataclass

from xuncha_kb.model import Graph, Page
from xuncha_kb.track import conventions as cv

DEFAULT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("三大问题", ("党的领导弱化", "党的建设缺失", "全面从严治党不力")),
    ("六大纪律", ("政治纪律", "组织纪律", "廉洁纪律", "群众纪律", "工作纪律", "生活纪律")),
)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    groups: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_GROUPS
    source: str = ""  # the page's file, "" for the shipped default

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(c for _, cs in self.groups for c in cs)

    def group_of(self, cls: str) -> str | None:
        return next((g for g, cs in self.groups if cls in cs), None)


def _clean(text: str) -> str:
    return text.replace("[[", "").replace("]]", "").strip()


def taxonomy_from_page(page: Page) -> Taxonomy:
    groups = []
    for b in page.blocks:
        title = _clean(b.title)
        if b.pre_block or not title or title.startswith("说明"):
            continue
        classes = tuple(c for c in (_clean(x.title) for x in b.children) if c)
        groups.append((title, classes))
    return Taxonomy(tuple(groups), page.file) if groups else Taxonomy()


def graph_taxonomy(graph: Graph) -> Taxonomy:
    page = graph.page(cv.PAGE_TAXONOMY)
    return taxonomy_from_page(page) if page is not None else Taxonomy()
