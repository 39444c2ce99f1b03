"""``workflow show`` / ``workflow extract``: find or extract a definition, and the text to print."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xuncha_kb.model import GraphConfig, PageFormat
from xuncha_kb.workflow.model import Problem, Workflow

if TYPE_CHECKING:
    from xuncha_kb.workflow.diff import WorkflowDiff
    from xuncha_kb.workflow.extract_model import Extraction


@dataclass(frozen=True)
class ShownWorkflow:
    """The definition in effect, where it came from, and the warnings found reading it (already
    passed to ``notice``)."""

    workflow: Workflow
    origin: str
    warnings: list[Problem] = field(default_factory=list)

    def render(self, as_json: bool) -> str:
        from xuncha_kb.workflow.show import render_tree, workflow_dict

        if as_json:
            doc = workflow_dict(self.workflow, origin=self.origin)
            return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        return render_tree(self.workflow, origin=self.origin)


def show_workflow(graph: str | None, notice: Callable[[str], None], *,
                  use_cache: bool = True) -> ShownWorkflow:
    """``workflow show``: the definition in effect; notices and warnings go to ``notice``."""
    shown = _find_workflow(graph, notice, use_cache=use_cache)
    for w in shown.warnings:
        notice(str(w))
    return shown


def _find_workflow(graph: str | None, notice: Callable[[str], None], *,
                   use_cache: bool = True) -> ShownWorkflow:
    """A definition file named explicitly (GRAPH or $XUNCHA_GRAPH), else the graph's own
    definition page, else the built-in default."""
    import os

    from xuncha_kb.commands import GRAPH_ENV, resolve_graph
    from xuncha_kb.commands.graph_index import relevant_graph
    from xuncha_kb.errors import GraphNotFound
    from xuncha_kb.workflow import load

    explicit, path = graph or os.environ.get(GRAPH_ENV), resolve_graph(graph)
    from xuncha_kb.inputfile import is_regular_file

    if explicit and is_regular_file(Path(explicit)):
        wf, warnings = load.check_definition(Path(explicit))
        return ShownWorkflow(wf, f"定义文件 {explicit}", warnings)
    try:
        g = relevant_graph(path, use_cache=use_cache)  # definition pages are core: all in the small graph
    except GraphNotFound:
        if explicit:
            raise
        g = None
    pages = load.definition_pages(g) if g is not None else []
    page = pages[0] if pages else None
    if len(pages) > 1:
        others = "、".join(p.file for p in pages[1:])
        notice(f"警告：图谱中有 {len(pages)} 个工作流程定义页，使用 {pages[0].file}，忽略 {others}")
    if page is not None:
        wf, warnings = load.check_page(page)
        return ShownWorkflow(wf, f"图谱自带定义 {page.file}（页面「{page.name}」）", warnings)
    origin = "内置默认定义" + ("（图谱中没有工作流程定义页）" if g is not None else "")
    return ShownWorkflow(load.default_workflow(), origin)


@dataclass(frozen=True)
class Extracted:
    """An extraction, and the definition page written (or, with ``dry_run``, to be written)."""

    extraction: Extraction
    output: Path | None
    page: str | None
    dry_run: bool

    def render(self, as_json: bool) -> str:
        """What goes to stdout."""
        from xuncha_kb.workflow.show import render_extraction

        if as_json:
            return json.dumps(self.extraction.as_dict(), ensure_ascii=False, indent=2) + "\n"
        if self.page is not None and self.dry_run:
            return self.page
        return render_extraction(self.extraction)

    def emit(self, as_json: bool, *, out: Callable[[str], None], notice: Callable[[str], None]) -> None:
        """Print: the text to ``out`` (it adds no newline), then the notices to ``notice``."""
        out(self.render(as_json))
        for line in self.notices(as_json):
            notice(line)

    def notices(self, as_json: bool) -> list[str]:
        """The lines for stderr: the warnings (with ``--json``), then what was written."""
        lines = [str(w) for w in self.extraction.warnings] if as_json else []
        if self.output is not None:
            done = "（试运行，未写入）将写入" if self.dry_run else "已写入"
            lines.append(f"{done}工作流程定义：{self.output}")
        return lines


def reference_workflow(graph: str | None, notice: Callable[[str], None]) -> ShownWorkflow:
    """The definition in force that an extraction takes its ids from: GRAPH (a graph or a
    definition file) or $XUNCHA_GRAPH when given, else the current directory when it is a
    graph, else the built-in default."""
    import os

    from xuncha_kb.commands import GRAPH_ENV
    from xuncha_kb.workflow import load

    if graph or os.environ.get(GRAPH_ENV):
        return _find_workflow(graph, notice)
    here = Path(".")
    if (here / "pages").is_dir() or (here / "logseq").is_dir():
        return _find_workflow(".", notice)
    return ShownWorkflow(load.default_workflow(), "内置默认定义")


def extract_workflow(file: Path, output: Path | None = None, *, force: bool = False,
                     dry_run: bool = False, graph: str | None = None,
                     notice: Callable[[str], None] = lambda _: None) -> Extracted:
    """Extract a workflow from ``file`` with the ids of the definition in force; with
    ``output``, write it as a definition page (unless ``dry_run``), never over an existing
    file without ``force``."""
    from xuncha_kb.workflow.adopt import adopt_ids
    from xuncha_kb.workflow.extract import extract_file

    ref = reference_workflow(graph, notice)
    ex = adopt_ids(extract_file(file), ref.workflow, ref.origin)
    page: str | None = None
    if output is not None:
        from xuncha_kb.errors import WriteConflict
        from xuncha_kb.fs.output import Payload, check_output

        fmt, config = _page_format(output, graph)
        target = check_output(output, Payload.ORG_PAGE if fmt == "org" else Payload.PAGE)
        if output.exists() and not force and not target.in_place:
            raise WriteConflict("输出文件已存在，未覆盖", file=str(output),
                                hint="换一个文件名，或加 --force 覆盖它。")
        note = (f"由 xuncha-kb workflow extract 从 {file.name} 提取的草稿；活动编号对照{ref.origin}，"
                "请核对责任角色、产出、前置关系后使用。")
        page = _definition_text(ex.workflow, note, fmt, output, config)
        if not dry_run:
            from xuncha_kb.fs.output import write_output

            write_output(target, page, create_only=not force)
    return Extracted(ex, output, page, dry_run)


def _page_format(output: Path, graph: str | None) -> tuple[PageFormat, GraphConfig | None]:
    """The definition page's format: ``.org`` → Org, ``.md``/``.markdown`` → Markdown, else the
    ``:preferred-format`` of GRAPH ($XUNCHA_GRAPH) when it is a graph folder, or of the graph
    ``output`` lies in (Markdown outside any graph); with that graph's config, if read."""
    import os

    from xuncha_kb.commands import GRAPH_ENV
    from xuncha_kb.fs.output import enclosing_graph
    from xuncha_kb.fs.scan import read_graph_config

    named = graph or os.environ.get(GRAPH_ENV)
    root = Path(named) if named and Path(named).is_dir() else enclosing_graph(output)
    config = read_graph_config(root)[0] if root is not None else None
    suffix = output.suffix.lower()
    if suffix in (".org", ".md", ".markdown"):
        return ("org" if suffix == ".org" else "markdown"), config
    return ("org" if config is not None and config.preferred_format == "org" else "markdown"), config


def _definition_text(wf: Workflow, note: str, fmt: PageFormat, output: Path,
                     config: GraphConfig | None) -> str:
    """The definition page as Markdown, or as Org titled as Logseq names ``output``'s page."""
    from xuncha_kb.workflow.write import definition_spec, render_definition

    if fmt != "org":
        return render_definition(wf, note=note)
    from dataclasses import replace

    from xuncha_kb.generate.org_render import render_org_page
    from xuncha_kb.logseq.names import file_body_to_title

    title = file_body_to_title(output.stem, (config or GraphConfig()).name_format)
    return render_org_page(replace(definition_spec(wf, note=note), name=title))


def check_workflow(file: Path, notice: Callable[[str], None]) -> str:
    """``workflow check``: each problem found in a definition file to ``notice``; the summary line."""
    from xuncha_kb.workflow.load import check_definition

    wf, problems = check_definition(file)
    for p in problems:
        notice(str(p))
    n = sum(len(s.activities) for s in wf.stages)
    return (f"定义有效：{wf.name}，{len(wf.stages)} 个阶段，{n} 项活动"
                      + (f"，{len(problems)} 条警告" if problems else ""))


DEFAULT_NAMES = ("默认", "default")


def diff_workflow(old: str, new: str, notice: Callable[[str], None]) -> WorkflowDiff:
    """``workflow diff``: OLD and NEW are definition files, graphs (their definition in force),
    or ``默认`` for the built-in default."""
    from xuncha_kb.errors import InputError
    from xuncha_kb.workflow.diff import diff_workflows
    from xuncha_kb.workflow.load import default_workflow

    sides = []
    for arg in (old, new):
        if arg not in DEFAULT_NAMES and not Path(arg).exists():
            raise InputError("找不到要比较的工作流程定义", file=arg,
                             hint="OLD、NEW 应为定义文件、图谱目录，或“默认”（内置默认定义）。")
        if arg in DEFAULT_NAMES:
            sides.append(ShownWorkflow(default_workflow(), "内置默认定义"))
        else:
            shown = _find_workflow(arg, notice)
            for w in shown.warnings:
                notice(str(w))
            sides.append(shown)
    return diff_workflows(sides[0].workflow, sides[1].workflow, old_name=sides[0].origin,
                          new_name=sides[1].origin)
