"""The confidentiality sweep: every ledger property × every sensitivity rule × every output.

One graph (a copy of ``examples/graph``) gets a unique marker planted in every property of every
generated ledger — 底稿 page properties, 移交台账 and 整改台账 items, the 三项清单 (问题清单 and
提问清单 items, the 谈话提纲's 谈话对象 entries, the list pages' own properties), the problems
of the 巡察情况报告 — and in the titles and page names of task blocks, once under each
sensitivity rule of ``track/sensitive.py``:

* the page's namespace (信访 / 谈话 / 线索), page-level ``密级::`` or ``sensitive::``, page tags;
* ``sensitive:: true`` / ``密级::`` on the item itself, on its parent, on its grandparent;
* a tag on the item or its parent (``#信访``, ``#[[谈话]]``, ``tags:: 线索``, a namespaced tag,
  a tag naming a page marked ``密级::``, a ``#tag`` in the property value);
* an ordinary item whose property value *references* a sensitive page (``[[…/信访/M]]``,
  ``{{embed [[…/谈话/M]]}}``, the plain name ``…/线索/M``, ``[[M]]`` for a page marked 密级::) —
  there the marker is the sensitive page's name.

Each output is computed once for the whole graph — report text / md / json / html / xlsx
(every XML part), the ``report --write`` page, ``sync --dry-run`` text and ``--json``, two
``watch`` runs (``--json`` and text, driven in-process by a scripted change source: the task
probes are completed, then reopened, and given impossible dates) and ``.xuncha/events.jsonl``
— and grepped for every marker.  Test ids are ``output-rule``; a failure lists the leaking
(ledger, property) pairs.  The ``none`` rule plants markers with nothing sensitive about them:
``test_unmarked_markers_do_appear`` proves that each grep can find what it looks for.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_GRAPH

I = "巡察/2026年第一轮/某某集团有限公司"  # noqa: E741
PREFIX = I.replace("/", "___")
TODAY = "2026-04-01"
TAG_PAGE = "ZQ9000X"  # a page marked 密级:: whose name is itself a marker (tag-marked-page)


# --- the sensitivity rules ---------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """How one sensitivity rule is applied to a planted item.

    ``level``: ``none`` (nothing sensitive), ``page`` (the page is sensitive), ``block`` (the item
    or an ancestor is), ``link`` (the item is ordinary, the marker names a sensitive page).
    """

    id: str
    level: str
    ns: str = ""  # the page lives under a namespace segment containing this word
    page_props: tuple[str, ...] = ()  # page properties of the item's page
    own_props: tuple[str, ...] = ()  # extra properties on the item block
    title_tag: str = ""  # appended to the item's title
    parents: tuple[tuple[str, str], ...] = ()  # wrapper blocks, outermost first: (title, property line)
    draft: tuple[str, ...] | None = None  # page properties when the item is a page (底稿, list page)
    link: Callable[[str], str] | None = None  # marker → a reference to a sensitive page named by it

    @property
    def page_named(self) -> bool:
        """Does the item's page get a marker in its name (it must stay hidden when the page is)?"""
        return self.level in ("none", "page")


def _link_ns(m: str) -> str:
    return f"[[{I}/信访/{m}]]"


def _embed(m: str) -> str:
    return f"{{{{embed [[{I}/谈话/{m}]]}}}}"


def _plain(m: str) -> str:
    return f"{I}/线索/{m}"


def _marked_page(m: str) -> str:
    return f"[[{m}]]"


def _hash_tag(m: str) -> str:
    return f"#[[{I}/信访/{m}]]"


RULES: tuple[Rule, ...] = (
    Rule("none", "none", draft=()),
    Rule("ns-信访", "page", ns="信访", draft=()),
    Rule("ns-谈话", "page", ns="谈话", draft=()),
    Rule("ns-线索", "page", ns="线索", draft=()),
    Rule("page-密级", "page", page_props=("密级:: 内部",)),
    Rule("page-sensitive", "page", page_props=("sensitive:: true",)),
    Rule("page-tags", "page", page_props=("tags:: 谈话",)),
    Rule("own-sensitive", "block", own_props=("sensitive:: true",), draft=("sensitive:: true",)),
    Rule("own-密级", "block", own_props=("密级:: 秘密",), draft=("密级:: 秘密",)),
    Rule("parent-密级", "block", parents=(("内部事项", "密级:: 内部"),)),
    Rule("parent-sensitive", "block", parents=(("内部事项", "sensitive:: true"),)),
    Rule("grandparent-密级", "block", parents=(("内部事项", "密级:: 机密"), ("分组", ""))),
    Rule("grandparent-sensitive", "block", parents=(("内部事项", "sensitive:: yes"), ("分组", ""))),
    Rule("tag-信访", "block", title_tag="#信访", draft=("tags:: 信访",)),
    Rule("tag-谈话", "block", title_tag="#[[谈话]]", draft=("类别:: #谈话",)),
    Rule("tag-线索", "block", own_props=("tags:: 线索",), draft=("tags:: [[线索]]",)),
    Rule("tag-namespace", "block", title_tag=f"#[[{I}/线索/登记]]", draft=(f"相关:: #[[{I}/线索/登记]]",)),
    Rule("tag-marked-page", "block", title_tag=f"#{TAG_PAGE}", draft=(f"tags:: {TAG_PAGE}",)),
    Rule("tag-parent", "block", parents=(("反映的问题 #信访", ""),)),
    Rule("link-信访", "link", link=_link_ns, draft=()),
    Rule("link-embed-谈话", "link", link=_embed, draft=()),
    Rule("link-plain-线索", "link", link=_plain, draft=()),
    Rule("link-marked-page", "link", link=_marked_page, draft=()),
    Rule("link-hash-tag", "link", link=_hash_tag, draft=()),
)
RULE_IDS = tuple(r.id for r in RULES)


# --- the ledgers and their properties ------------------------------------------------------------

TITLE, PAGE_NAME = "标题", "页面名"  # pseudo-properties: the item's title, its page's name


@dataclass(frozen=True)
class Ledger:
    """One kind of planted item: its properties with ordinary values, where its pages live."""

    id: str
    home: str  # the page leaf its items live under (``I/<home>/…``)
    props: tuple[tuple[str, str], ...]  # (key, ordinary value); TITLE first for block items
    anchors: dict[str, str] = field(default_factory=dict)  # keys whose ordinary value must stay
    pages: bool = False  # items are pages (page properties), not blocks
    always_sensitive: bool = False  # lives under a sensitive page whatever the rule

    def applies(self, rule: Rule, prop: str) -> bool:
        """Is (property, rule) a combination of its own for this ledger?"""
        if self.pages and rule.draft is None:
            return False  # ancestors and block tags have no page form; page 密级:: = own 密级:: here
        if prop == TITLE and rule.link is _plain:
            return False  # a plain name in free text is no reference (only in a property value)
        if prop == PAGE_NAME:  # the page's name is sensitive only when the page is
            if self.on_generated_page(rule):
                return False  # the scaffolded page's name is fixed
            return rule.page_named or (self.pages and rule.level != "link")
        return True

    def on_generated_page(self, rule: Rule) -> bool:
        """Unmarked items of an always-sensitive list go onto the scaffolded page itself."""
        return self.always_sensitive and rule.level == "none"


DRAFT = Ledger("底稿", "底稿", (
    ("type", "[[问题底稿]]"), ("巡察", f"[[{I}]]"), ("编号", ""), ("名称", "违规发放补贴"),
    ("编制日期", "2026-03-15"), ("来源", "查阅资料"), ("问题概要", "2025年违规发放补贴"),
    ("证据", "[[凭证]]"),
    ("定性", "违反有关规定"), ("责任主体", "财务部"), ("政策依据", "有关规定"), ("状态", "审核中"),
    ("承办人", "[[李四]]"), ("副组长审核", "[[赵六]]"), ("组长审批", "[[张三]]"), (PAGE_NAME, "")),
    anchors={"type": "[[问题底稿]]", "巡察": f"[[{I}]]"}, pages=True)
LIST_PAGE = Ledger("清单页", "问题清单", (
    ("type", "[[巡察清单]]"), ("巡察", f"[[{I}]]"), ("清单", "问题清单"),
    ("来源活动", "((61bae0f0-a475-59e5-aa57-7859f989473a))"), (PAGE_NAME, "")),
    anchors={"type": "[[巡察清单]]", "巡察": f"[[{I}]]"}, pages=True)
TRANSFER = Ledger("移交", "移交台账", (
    (TITLE, "移交事项"), ("移交对象", "纪检部"), ("移交状态", "待移交"), ("移交日期", "2026-03-20"),
    ("底稿", f"[[{I}/底稿/001]]"), ("巡察", f"[[{I}]]"), (PAGE_NAME, "")),
    anchors={"巡察": f"[[{I}]]"})
RECT = Ledger("整改", "整改台账", (
    (TITLE, "整改事项"), ("整改状态", "整改中"), ("责任人", "财务部"), ("整改时限", "2026-06-30"),
    ("底稿", f"[[{I}/底稿/001]]"), ("巡察", f"[[{I}]]"), (PAGE_NAME, "")),
    anchors={"巡察": f"[[{I}]]"})
PROBLEM = Ledger("报告问题", "巡察情况报告", (
    (TITLE, "问题一：一般问题"), ("问题", "true"), ("底稿", ""), ("巡察", f"[[{I}]]"), (PAGE_NAME, "")),
    anchors={"巡察": f"[[{I}]]"})
ISSUES = Ledger("问题清单", "问题清单", (
    (TITLE, "疑点"), ("来源", "巡前备查资料第3页"), ("核实方式", "查阅资料"), (PAGE_NAME, "")))
QUESTIONS = Ledger("提问清单", "提问清单", ((TITLE, "提问"), (PAGE_NAME, "")))
INTERVIEW = Ledger("谈话提纲", "谈话提纲", (
    (TITLE, "谈话对象"), ("职务", "副总经理"), ("谈话类别", "必谈"), ("谈话时间", "2026-03-10"),
    ("谈话人", "组长"), ("记录人", "组员"), (PAGE_NAME, "")), always_sensitive=True)
TASK = Ledger("任务", "任务探针", ((TITLE, ""), (PAGE_NAME, "")))
LEDGERS: tuple[Ledger, ...] = (DRAFT, LIST_PAGE, TRANSFER, RECT, PROBLEM, ISSUES, QUESTIONS, INTERVIEW, TASK)


@dataclass(frozen=True)
class Combo:
    ledger: str
    prop: str
    rule: str
    hidden: bool  # must never appear in any output

    def __str__(self) -> str:
        return f"{self.ledger}.{self.prop}@{self.rule}"


# --- planting ------------------------------------------------------------------------------------

class Planter:
    """Writes the planted pages into a graph and remembers which marker stands for what."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.combos: dict[str, Combo] = {}
        self.tasks: list[Path] = []  # pages holding a task probe
        self._n = 0  # markers so far
        self._pages = 0  # pages so far (their default names)
        self._moved = _cut_open_tasks(root)

    def marker(self, ledger: Ledger, prop: str, rule: Rule) -> str:
        self._n += 1
        m = f"ZQ{self._n:04d}X"
        hidden = rule.level != "none" or ledger.always_sensitive
        self.combos[m] = Combo(ledger.id, prop, rule.id, hidden)
        return m

    def value(self, ledger: Ledger, key: str, ordinary: str, marker: str | None, rule: Rule) -> str:
        if marker is None:
            return ordinary
        planted = rule.link(marker) if rule.link is not None else marker
        anchor = ledger.anchors.get(key)
        return f"{anchor}, {planted}" if anchor else planted

    def page_title(self, ledger: Ledger, rule: Rule, page_marker: str | None) -> str:
        """``I/<home>/<leaf>``, or under a 信访/谈话/线索 segment; the leaf is the page-name marker."""
        self._pages += 1
        home, leaf = ledger.home, page_marker or f"探针{self._pages:04d}"
        if rule.ns:
            return f"{I}/{home}/{rule.ns}记录/{leaf}"  # a namespace segment holding 信访/谈话/线索
        return f"{I}/{home}/{leaf}"

    def write(self, title: str, text: str) -> Path:
        path = self.root / "pages" / (title.replace("/", "___") + ".md")
        assert not path.exists(), path
        path.write_text(text, encoding="utf-8")
        return path

    # -- page items (底稿, list pages): one page per (property, rule) ---------------------------

    def plant_page_item(self, ledger: Ledger, rule: Rule, prop: str) -> None:
        m = self.marker(ledger, prop, rule)
        lines = []
        for key, ordinary in ledger.props:
            if key == PAGE_NAME:
                continue
            if key == "编号" and not ordinary:
                ordinary = f"T{self._n:04d}"
            lines.append(f"{key}:: {self.value(ledger, key, ordinary, m if key == prop else None, rule)}")
        lines.extend(rule.draft or ())
        title = self.page_title(ledger, rule, m if prop == PAGE_NAME else None)
        self.write(title, "\n".join(lines) + "\n\n- 正文\n")

    # -- block items: one page per rule, one item per property --------------------------------

    def item(self, ledger: Ledger, rule: Rule, prop: str, m: str | None) -> list[str]:
        title = ""
        props = []
        for key, ordinary in ledger.props:
            if key == PAGE_NAME:
                continue
            planted = m if key == prop else None
            if key == TITLE:
                title = f"{ordinary} {rule.link(planted) if rule.link else planted}" if planted else ordinary
            elif ordinary or planted:
                props.append(f"{key}:: {self.value(ledger, key, ordinary, planted, rule)}")
        if rule.title_tag:
            title = f"{title} {rule.title_tag}"
        return [f"- {title}", *(f"  {p}" for p in (*props, *rule.own_props))]

    def plant_block_items(self, ledger: Ledger, rule: Rule) -> None:
        page_marker = self.marker(ledger, PAGE_NAME, rule) if ledger.applies(rule, PAGE_NAME) else None
        items: list[list[str]] = []
        for key, _ in ledger.props:
            if key != PAGE_NAME and ledger.applies(rule, key):
                items.append(self.item(ledger, rule, key, self.marker(ledger, key, rule)))
        items.append(self.item(ledger, rule, "", None))  # and an unmarked item beside them
        lines = [ln for it in items for ln in it]
        if ledger.on_generated_page(rule):
            path = self.root / "pages" / f"{PREFIX}___{ledger.home}.md"
            text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
            path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
        else:
            self.write(self.page_title(ledger, rule, page_marker), _page(rule, lines))

    def plant_task(self, rule: Rule) -> None:
        """A generated task moved out of its stage page, its title edited, under the rule."""
        page_marker = self.marker(TASK, PAGE_NAME, rule) if TASK.applies(rule, PAGE_NAME) else None
        lines = self._moved.pop(0)
        if TASK.applies(rule, TITLE):
            m = self.marker(TASK, TITLE, rule)
            suffix = rule.link(m) if rule.link else m
        else:
            suffix = "（改过）"  # still an edit, so sync reports the block
        head = f"{lines[0]} {suffix}" + (f" {rule.title_tag}" if rule.title_tag else "")
        body = [head, *lines[1:1 + _own_lines(lines)], *(f"  {p}" for p in rule.own_props),
                *lines[1 + _own_lines(lines):]]
        self.tasks.append(self.write(self.page_title(TASK, rule, page_marker), _page(rule, body)))

    def plant_marked_pages(self) -> None:
        """Pages marked 密级:: that links and tags point at (their names are markers)."""
        self.combos[TAG_PAGE] = Combo("标签页", PAGE_NAME, "tag-marked-page", True)
        self.write(TAG_PAGE, "密级:: 秘密\n\n- 专案材料\n")
        for m, c in list(self.combos.items()):
            if c.rule == "link-marked-page":
                self.write(m, "密级:: 内部\n\n- 内容\n")


def _own_lines(block: list[str]) -> int:
    """How many lines after the head belong to the block itself (before its first child)."""
    n = 0
    for line in block[1:]:
        if line.lstrip("\t").startswith("- ") and line.startswith("\t"):
            break
        n += 1
    return n


def _page(rule: Rule, item_lines: list[str]) -> str:
    """A page holding the items under the rule's wrapper blocks and page properties."""
    head = [*rule.page_props, f"巡察:: [[{I}]]", ""]
    depth = len(rule.parents)
    wrappers = []
    for d, (title, prop) in enumerate(rule.parents):
        wrappers.append("\t" * d + f"- {title}")
        if prop:
            wrappers.append("\t" * d + f"  {prop}")
    body = ["\t" * depth + ln for ln in item_lines]
    return "\n".join(head + wrappers + body) + "\n"


def _cut_open_tasks(root: Path) -> list[list[str]]:
    """Cut every open, non-sensitive generated task out of the example's stage pages."""
    from xuncha_kb.generate.merge import layout

    moved: list[list[str]] = []
    for path in sorted((root / "pages").glob(f"{PREFIX}___巡察*.md")):
        text = path.read_text(encoding="utf-8")
        lay = layout(text, path.name)
        keep = list(lay.lines)
        for tb in reversed(lay.blocks):
            b = tb.block
            if "活动" in b.properties and b.marker in ("TODO", "DOING") and "sensitive" not in b.properties:
                block = [ln for ln in lay.lines[tb.start:tb.end] if ln.strip()]
                moved.insert(0, [block[0].replace("- DOING ", "- TODO ", 1), *block[1:]])
                del keep[tb.start:tb.end]
        path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return moved


def plant(root: Path) -> Planter:
    p = Planter(root)
    for rule in RULES:
        for ledger in LEDGERS:
            if ledger is TASK:
                p.plant_task(rule)
            elif ledger.pages:
                for key, _ in ledger.props:
                    if ledger.applies(rule, key):
                        p.plant_page_item(ledger, rule, key)
            else:
                p.plant_block_items(ledger, rule)
    p.plant_marked_pages()
    return p


# --- computing every output once ------------------------------------------------------------

def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()  # a new stamp even on coarse-mtime file systems
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


class ScriptedSource:
    """A watch source that makes its edits when first asked, hands them over, then closes."""

    def __init__(self, root: Path, edit: Callable[[], list[Path]]) -> None:
        self.root, self._edit, self._done = root, edit, False
        self.closed = False

    def next_batch(self, timeout: float | None):  # type: ignore[no-untyped-def]
        from xuncha_kb.fs.watch import Change

        if self._done or self.closed:
            return None
        self._done = True
        return {Change(p.relative_to(self.root).as_posix()) for p in self._edit()}

    def close(self) -> None:
        self.closed = True


def _watch(root: Path, *, as_json: bool, edit: Callable[[], list[Path]]) -> str:
    from xuncha_kb.commands.watch import run_watch

    lines: list[str] = []
    count = run_watch(root, as_json=as_json, write_report=False, today=dt.date.fromisoformat(TODAY),
                      use_cache=False, timeout=None, out=lines.append, notice=lines.append,
                      source=ScriptedSource(root, edit))
    assert count > 0, "watch saw no events: the sweep would prove nothing"
    return "\n".join(lines)


def _complete(tasks: list[Path]) -> Callable[[], list[Path]]:
    def edit() -> list[Path]:
        for p in tasks:  # done, with an impossible date: an activity event and a diagnostic each
            text = p.read_text(encoding="utf-8").replace("- TODO ", "- DONE ", 1)
            _touch(p, text + "- 日程\n  SCHEDULED: <2026-02-30 Mon>\n")
        return tasks
    return edit


def _reopen(tasks: list[Path]) -> Callable[[], list[Path]]:
    def edit() -> list[Path]:
        for p in tasks:
            _touch(p, p.read_text(encoding="utf-8").replace("- DONE ", "- TODO ", 1))
        return tasks
    return edit


def _cli(args: list[str]) -> str:
    from click.testing import CliRunner

    from xuncha_kb.cli import cli

    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, (args, r.output)
    return r.output


@dataclass(frozen=True)
class Swept:
    combos: dict[str, Combo]
    outputs: dict[str, str]  # output name → its text (xlsx: every XML part, joined)


OUTPUTS = ("report-text", "report-md", "report-json", "report-html", "report-xlsx", "report-write",
           "sync-text", "sync-json", "watch-json", "watch-text", "events.jsonl")


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Swept:
    root = tmp_path_factory.mktemp("sweep") / "graph"
    shutil.copytree(EXAMPLE_GRAPH, root)
    planter = plant(root)
    g, today = str(root), ("--today", TODAY)
    out: dict[str, str] = {}
    for fmt in ("text", "md", "json", "html"):
        out[f"report-{fmt}"] = _cli(["report", g, *today, "--format", fmt])
    xlsx = root.parent / "report.xlsx"
    _cli(["report", g, *today, "--format", "xlsx", "-o", str(xlsx)])
    with zipfile.ZipFile(xlsx) as z:
        parts = [f"[{n}]\n" + z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    out["report-xlsx"] = "\n".join(parts)
    _cli(["report", g, *today, "--write"])
    out["report-write"] = (root / "pages" / "巡察___进度报告.md").read_text(encoding="utf-8")
    out["sync-text"] = _cli(["sync", g, *today, "--dry-run"])
    out["sync-json"] = _cli(["sync", g, *today, "--dry-run", "--json"])
    out["watch-json"] = _watch(root, as_json=True, edit=_complete(planter.tasks))
    out["watch-text"] = _watch(root, as_json=False, edit=_reopen(planter.tasks))
    out["events.jsonl"] = (root / ".xuncha" / "events.jsonl").read_text(encoding="utf-8")
    assert set(out) == set(OUTPUTS)
    return Swept(planter.combos, out)


# --- the checks ----------------------------------------------------------------------------------

def leaking(combos: dict[str, Combo], text: str, rule: str | None = None) -> list[str]:
    """The hidden combinations (of ``rule``, or all) whose marker occurs in ``text``."""
    return sorted(str(c) for m, c in combos.items()
                  if c.hidden and (rule is None or c.rule == rule) and m in text)


@pytest.mark.parametrize("rule", RULE_IDS)
@pytest.mark.parametrize("output", OUTPUTS)
def test_no_sensitive_marker_in_any_output(swept: Swept, output: str, rule: str) -> None:
    leaks = leaking(swept.combos, swept.outputs[output], rule)
    assert not leaks, f"{output} quotes sensitive content ({len(leaks)}): " + ", ".join(leaks)


def test_every_rule_and_ledger_was_planted(swept: Swept) -> None:
    """The matrix is complete: every rule planted in every ledger, every property somewhere."""
    planted = {(c.ledger, c.prop, c.rule) for c in swept.combos.values()}
    wanted = {(ledger.id, key, rule.id) for ledger in LEDGERS for key, _ in ledger.props for rule in RULES
              if ledger.applies(rule, key)}
    assert wanted == planted - {("标签页", PAGE_NAME, "tag-marked-page")}
    for ledger in LEDGERS:  # every property under the plain rule and a page, block and link rule
        for key, _ in ledger.props:
            levels = {r.level for r in RULES if ledger.applies(r, key)}
            need = {"page", "block"} if key == PAGE_NAME else {"none", "page", "block", "link"}
            if key == PAGE_NAME and not ledger.on_generated_page(RULES[0]):
                need.add("none")
            if key == PAGE_NAME and not ledger.pages:
                need.discard("block")  # a page holding sensitive blocks is not itself sensitive
            assert need <= levels, (ledger.id, key, need - levels)
    assert len(planted) > 600


# Where an unmarked marker must show up: (ledger, property) → outputs.
_TEXTUAL = ("report-text", "report-md", "report-html", "report-write")
_LISTED = ("report-json", "report-xlsx")
EXPECTED_VISIBLE: dict[tuple[str, str], tuple[str, ...]] = {
    **{("底稿", k): _LISTED
       for k in ("编号", "名称", "编制日期", "来源", "问题概要", "定性", "责任主体", PAGE_NAME)},
    ("底稿", "状态"): (*_LISTED, *_TEXTUAL),
    **{("移交", k): _LISTED for k in (TITLE, "移交日期", "底稿", PAGE_NAME)},
    ("移交", "移交对象"): (*_LISTED, *_TEXTUAL),
    ("移交", "移交状态"): (*_LISTED, *_TEXTUAL),
    **{("整改", k): _LISTED for k in (TITLE, "责任人", "底稿", PAGE_NAME)},
    ("整改", "整改状态"): (*_LISTED, *_TEXTUAL),
    ("报告问题", TITLE): (*_TEXTUAL, "report-json"),
    ("报告问题", PAGE_NAME): (*_TEXTUAL, "report-json"),
    ("任务", TITLE): ("sync-text", "sync-json"),
    ("任务", PAGE_NAME): ("report-json", "sync-text", "sync-json", "watch-json", "watch-text",
                          "events.jsonl"),
}


def test_unmarked_markers_do_appear(swept: Swept) -> None:
    """The sweep can fail: markers planted with nothing sensitive about them are found where
    each output quotes such a property, so a grep that finds nothing means something."""
    by_combo = {(c.ledger, c.prop): m for m, c in swept.combos.items() if c.rule == "none"}
    missing = [f"{ledger}.{prop} in {output}" for (ledger, prop), outputs in EXPECTED_VISIBLE.items()
               for output in outputs if by_combo[(ledger, prop)] not in swept.outputs[output]]
    assert not missing, "unmarked markers not found: " + ", ".join(missing)
    for output, text in swept.outputs.items():
        assert any(m in text for m in by_combo.values()), f"{output}: no unmarked marker at all"


def test_the_leak_check_reports_a_planted_leak(swept: Swept) -> None:
    """``leaking`` names the combination whose marker it finds (a broken check would pass everything)."""
    marker, combo = next((m, c) for m, c in swept.combos.items() if c.hidden and c.rule == "parent-密级")
    assert leaking(swept.combos, f"…{marker}…") == [str(combo)]
    assert leaking(swept.combos, f"…{marker}…", "none") == []


def test_sensitive_items_are_still_counted(swept: Swept) -> None:
    """Hidden is not lost: every sensitive ledger item is in the counts (json)."""
    [insp] = [i for i in json.loads(swept.outputs["report-json"])["inspections"] if i["name"] == I]
    lg = insp["ledgers"]
    sensitive_rules = sum(1 for r in RULES if r.level in ("page", "block"))
    assert lg["transfers"]["sensitive_count"] >= sensitive_rules * (len(TRANSFER.props) - 1)
    assert lg["rectifications"]["sensitive_count"] >= sensitive_rules * (len(RECT.props) - 1)
    assert lg["drafts"]["sensitive_count"] >= sum(1 for r in RULES if r.level in ("page", "block")
                                                  and DRAFT.applies(r, "编号"))
    hidden = [r for r in lg["transfers"]["by_recipient"] if r["recipient"] == "（涉密内容，仅计数）"]
    assert hidden and hidden[0]["count"] >= lg["transfers"]["sensitive_count"]
