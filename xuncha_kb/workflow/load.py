"""Definition page → ``Workflow``; the shipped default; a graph's own definition.

``load_definition(path)`` reads one definition file, ``definition_from_page(page)`` builds
from an already-parsed page, ``default_workflow()`` loads the definition shipped in
``graph_templates/workflow/`` and ``active_workflow(graph)`` returns the graph's own
definition (a page with ``type:: [[巡察工作流程定义]]``) or else the default.

Every problem is collected with its file and line; if any is an error the loader raises one
``DefinitionInvalid`` (a ``WorkflowError``, exit code 2) listing all of them, so a user sees
every mistake in one run.  Structural checks are in ``build.py``; graph checks (cycles,
reachability) in ``dag.py``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from xuncha_kb.errors import WorkflowError
from xuncha_kb.model import Block, Graph, Page, PageFormat
from xuncha_kb.workflow import syntax as syn
from xuncha_kb.workflow.build import build_workflow
from xuncha_kb.workflow.model import Problem, Workflow


class DefinitionInvalid(WorkflowError):
    """A definition with errors; ``problems`` lists all of them (errors and warnings)."""

    def __init__(self, problems: Sequence[Problem], source: str | None) -> None:
        errors = [p for p in problems if p.severity == "error"]
        first = errors[0] if errors else None
        lines = [str(p) for p in errors[1:]]
        message = first.message if first else "工作流程定义无效"
        if lines:
            message += f"\n另有 {len(lines)} 处错误：\n" + "\n".join("  " + ln for ln in lines)
        super().__init__(
            message,
            file=(first.span.file if first and first.span else source),
            line=(first.span.line if first and first.span else None),
            hint="修改工作流程定义后用 `xuncha-kb workflow check 文件` 重新检查。",
        )
        self.problems = tuple(problems)


# --- reading the page ------------------------------------------------------------------


def parse_definition_text(text: str, file: str) -> tuple[Mapping[str, str], tuple[Block, ...]]:
    """Page properties and top-level blocks of a definition page, via the Logseq reader."""
    props, _, blocks = _definition_parts(text, file)
    return props, blocks


def _definition_parts(text: str, file: str, fmt: PageFormat = "markdown",
                      ) -> tuple[Mapping[str, str], Block | None, tuple[Block, ...]]:
    """Page properties, the page-properties block (for lines) and the other top-level blocks."""
    from xuncha_kb.logseq.page import parse_text

    parsed = parse_text(text, file, fmt)
    return parsed.properties, _pre_block(parsed.blocks), tuple(b for b in parsed.blocks if not b.pre_block)


def _pre_block(blocks: Sequence[Block]) -> Block | None:
    return next((b for b in blocks if b.pre_block), None)


def read_definition_file(path: Path | str, shown: str) -> str:
    """A definition file's text; a missing, unreadable or non-UTF-8 file is a ``WorkflowError``,
    and so is one that is not a regular file (a folder, a FIFO — never opened)."""
    from xuncha_kb.inputfile import input_file_problem

    what = input_file_problem(Path(path))
    if what is not None:
        raise WorkflowError(f"工作流程定义文件{what}，无法读取", file=shown,
                            hint="请指定一个 Markdown（.md）或 Org（.org）定义文件。")
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WorkflowError("找不到或无法读取工作流程定义文件：文件不存在", file=shown,
                            hint="检查路径；内置默认定义见 `xuncha-kb workflow show`。") from None
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise WorkflowError("工作流程定义文件不是有效的 UTF-8 编码", file=shown, line=line,
                            hint="请用 UTF-8 重新保存该文件。") from None
    except OSError as exc:
        raise WorkflowError(f"找不到或无法读取工作流程定义文件：{exc.strerror or exc}", file=shown) from None


def load_definition(path: Path | str, *, display: str | None = None) -> Workflow:
    """Read and validate one definition file.  Raises ``WorkflowError`` (exit 2)."""
    return check_definition(path, display=display)[0]


def check_definition(path: Path | str, *, display: str | None = None) -> tuple[Workflow, list[Problem]]:
    """Load and validate; returns the warnings too (errors raise ``DefinitionInvalid``)."""
    shown = display or str(path)
    fmt: PageFormat = "org" if Path(path).suffix.lower() == ".org" else "markdown"
    return check_text(read_definition_file(path, shown), shown, fmt)


def check_text(text: str, file: str, fmt: PageFormat = "markdown") -> tuple[Workflow, list[Problem]]:
    """Build and validate a definition page's text (Markdown, or Org for an ``.org`` file)."""
    props, pre, blocks = _definition_parts(text, file, fmt)
    return _checked(props, blocks, file, pre)


def load_definition_text(text: str, file: str) -> Workflow:
    return check_text(text, file)[0]


def definition_from_page(page: Page) -> Workflow:
    """Build and validate the definition held by a page already read from a graph."""
    return check_page(page)[0]


def check_page(page: Page) -> tuple[Workflow, list[Problem]]:
    """``definition_from_page`` that also returns the warnings."""
    blocks = tuple(b for b in page.blocks if not b.pre_block)
    return _checked(page.properties, blocks, page.file, _pre_block(page.blocks))


def _checked(props: Mapping[str, str], blocks: Sequence[Block], file: str,
             pre: Block | None = None) -> tuple[Workflow, list[Problem]]:
    """Build, then validate; raise ``DefinitionInvalid`` if anything is an error."""
    wf, problems = build_workflow(props, blocks, file, pre=pre)
    from xuncha_kb.workflow.dag import validate

    problems += validate(wf, catalogues=False)
    if any(p.severity == "error" for p in problems):
        raise DefinitionInvalid(problems, file)
    return wf, problems


# --- the default and a graph's own definition ------------------------------------------


@functools.lru_cache(maxsize=1)
def default_workflow() -> Workflow:
    """The curated 巡察 workflow shipped in ``graph_templates/workflow/``."""
    from xuncha_kb.workflow.templates import DEFAULT_DEFINITION, read_template

    text = read_template(DEFAULT_DEFINITION)
    return load_definition_text(text, f"graph_templates/{DEFAULT_DEFINITION}")


def is_definition_page(page: Page) -> bool:
    refs = page.property_refs.get(syn.K_TYPE, ())
    if any(r.strip().lower() == syn.DEFINITION_TYPE for r in refs):
        return True
    raw = page.properties.get(syn.K_TYPE, "")
    return syn.DEFINITION_TYPE in syn.split_list(raw)


def definition_pages(graph: Graph) -> list[Page]:
    """Every page of the graph marked ``type:: [[巡察工作流程定义]]``, by file name."""
    return sorted((p for p in graph.pages if is_definition_page(p)), key=lambda p: p.file)


def find_definition_page(graph: Graph) -> Page | None:
    """The graph's own definition page (the first by file name if there are several)."""
    pages = definition_pages(graph)
    return pages[0] if pages else None


def active_workflow(graph: Graph | None) -> Workflow:
    """The graph's own definition if it has one, else the shipped default.

    A graph's definition that does not validate raises ``DefinitionInvalid`` rather than
    silently falling back: the office meant to use it.
    """
    if graph is not None:
        page = find_definition_page(graph)
        if page is not None:
            return definition_from_page(page)
    return default_workflow()


def strip_spans(wf: Workflow) -> Workflow:
    """The same workflow without spans and source (for comparing definitions)."""
    stages = tuple(
        replace(s, span=None, activities=tuple(
            replace(a, span=None, deadline=replace(a.deadline, span=None) if a.deadline else None)
            for a in s.activities
        ))
        for s in wf.stages
    )
    return replace(wf, stages=stages, source=None)
