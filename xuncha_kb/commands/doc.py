"""``doc``: one 公文 (Word document) of one inspection, from the graph's ledgers and an
editable template.

Read the graph and compute progress (sensitive entries already counted, not listed), build the
document's content (``generate/documents``), pour it into the template (the graph's own
``assets/xuncha-templates/docs/KIND.docx`` if present, else the shipped one), then plan the
write: a new file is created; an existing file is never replaced (it may be the user's edited
copy), so a second run asks for another name.  ``--dry-run`` shows that plan only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xuncha_kb.errors import InputError, WriteConflict
from xuncha_kb.generate.documents import CLUE_RECIPIENT, ClueRow, Document
from xuncha_kb.track.deadlines import Thresholds
from xuncha_kb.track.progress_model import InspectionProgress

#: Where a graph keeps its own templates (Logseq shows assets/ files but never reads them as pages).
GRAPH_TEMPLATES = "assets/xuncha-templates/docs"
SENSITIVE_WARNING = ("警告：本文件含涉密线索内容，仅限移交纪检部门使用。请按保密规定标注密级、"
                     "登记编号、专人传递，不得复制、外传或存放在联网计算机上。")


@dataclass(frozen=True, slots=True)
class DocRequest:
    kind: str
    only: str | None = None
    today: str | None = None
    to: str | None = None
    output: Path | None = None
    dry_run: bool = False
    redact: str = "none"
    include_sensitive: bool = False
    fonts: str = "gb"
    no_cache: bool = False


def template_for(root: Path, kind: str) -> tuple[bytes, str]:
    """(template bytes, name shown in messages): the graph's own copy, else the shipped one."""
    own = root / GRAPH_TEMPLATES / f"{kind}.docx"
    if own.is_file():
        return own.read_bytes(), f"{GRAPH_TEMPLATES}/{kind}.docx"
    from xuncha_kb.workflow.templates import templates_root

    node = templates_root().joinpath("docs").joinpath(f"{kind}.docx")
    try:
        return node.read_bytes(), f"graph_templates/docs/{kind}.docx"
    except (FileNotFoundError, NotADirectoryError):
        from xuncha_kb.errors import XunchaError

        raise XunchaError(f"安装不完整：找不到内置公文模板 docs/{kind}.docx",
                          hint="重新安装 xuncha-kb，或设置环境变量 XUNCHA_TEMPLATES 指向模板目录。") from None


def _check_request(req: DocRequest) -> None:
    if not req.include_sensitive:
        return
    if req.kind != "移交函" or not req.to or CLUE_RECIPIENT not in req.to:
        raise InputError("--include-sensitive 只能用于向纪检部门移交线索的移交函",
                         hint="例如：xuncha-kb doc 移交函 --to 纪检部 --include-sensitive")


def _one_inspection(inspections: tuple[InspectionProgress, ...], only: str | None) -> InspectionProgress:
    if len(inspections) == 1:
        return inspections[0]
    if not inspections:
        raise InputError("图谱中没有找到巡察",
                         hint="先运行 xuncha-kb scaffold 建立巡察，或检查 --inspection。")
    names = "、".join(i.name for i in inspections[:5])
    raise InputError(f"找到 {len(inspections)} 个巡察（{names}），请用 --inspection 指定一个" if not only else
                     f"“{only}”匹配了 {len(inspections)} 个巡察（{names}），请写得更具体些")


def build(root: Path, req: DocRequest) -> tuple[Document, InspectionProgress]:
    """The document's content, redacted as asked."""
    from xuncha_kb.commands.report import compute_report
    from xuncha_kb.generate.documents import build_document
    from xuncha_kb.track.deadlines import parse_today

    _check_request(req)
    today = parse_today(req.today)
    report = compute_report(root, today, thresholds=Thresholds(), only=req.only, use_cache=not req.no_cache)
    insp = _one_inspection(report.progress.inspections, req.only)
    clues: tuple[ClueRow, ...] = ()
    if req.include_sensitive and req.to:
        from xuncha_kb.generate.clues import sensitive_clues

        clues = sensitive_clues(report.graph, insp.name, req.to)
    document = build_document(req.kind, insp, today, to=req.to, clues=clues)
    if req.redact == "names":
        from xuncha_kb.track.redact import Redactor, role_codes

        document = Redactor(role_codes(insp.people)).value(document)
    return document, insp


def default_output(document: Document) -> Path:
    return Path(f"{document.kind}（{document.unit}）.docx")


def run_doc(root: Path, req: DocRequest, *, say: Callable[[str], None],
            notice: Callable[[str], None]) -> None:
    """``doc``: build, render, then create the file (or, with ``dry_run``, say what would be)."""
    from xuncha_kb.fs.output import Payload, check_output, write_output
    from xuncha_kb.generate.docx_render import render_docx

    document, _ = build(root, req)
    output = req.output or default_output(document)
    target = check_output(output, Payload.BINARY, graph=root)
    exists = target.path.exists() and not target.in_place
    template, name = template_for(root, req.kind)
    data = render_docx(template, document, template_name=name, fonts=req.fonts)
    if req.include_sensitive:
        notice(SENSITIVE_WARNING)
    if exists:
        raise WriteConflict(f"{output} 已存在，xuncha-kb 不会覆盖已有文件（可能是修改过的稿子）",
                            hint="请用 -o 指定新文件名，或先移走原文件。")
    if req.dry_run:
        say(f"将新建 {output}（{req.kind}，{len(data)} 字节，模板 {name}）；未写入（--dry-run）。")
        return
    write_output(target, data, create_only=True)
    say(f"已新建 {output}（{req.kind}，模板 {name}）")
