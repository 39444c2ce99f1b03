"""The edge of ``extract.py``: a workflow document on disk (whiteboard ``.edn``, EDN/JSON
export, Markdown or Org page) → its ``SourceBlock`` list, through the Logseq readers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from xuncha_kb.errors import InputError
from xuncha_kb.model import Block, Shape, Whiteboard
from xuncha_kb.workflow.extract_lines import SourceBlock


def _blocks_from_tree(blocks: Sequence[Block], doc: str, depth: int = 0) -> Iterator[SourceBlock]:
    for b in blocks:
        if b.pre_block:
            continue
        yield SourceBlock(b.content, depth, b.span.file, b.span.line, False, document=doc)
        yield from _blocks_from_tree(b.children, doc, depth + 1)


def _arrow_order(wb: Whiteboard) -> list[Shape]:
    """The text shapes in reading order: along the arrows between them (a shape no arrow
    points to starts a chain), the rest in file order."""
    texts = [s for s in wb.shapes if s.type == "text" and s.text]
    ids = {s.id for s in texts}
    nxt = {c.from_id: c.to_id for c in wb.connectors if c.from_id in ids and c.to_id in ids}
    pointed = set(nxt.values())
    by_id = {s.id: s for s in texts}
    out: list[Shape] = []
    seen: set[str] = set()
    for start in [s for s in texts if s.id not in pointed] + texts:
        sid: str | None = start.id
        while sid is not None and sid not in seen:
            seen.add(sid)
            out.append(by_id[sid])
            sid = nxt.get(sid)
    return out


def source_blocks(path: Path, display: str) -> list[SourceBlock]:
    """Read a workflow document (whiteboard, export, Markdown or Org page) into blocks."""
    from xuncha_kb.inputfile import input_file_problem

    suffix = path.suffix.lower()
    what = input_file_problem(path)
    if what is not None:
        raise InputError(f"要提取的文件{what}，无法从中提取工作流程", file=display,
                         hint="请指定白板 .edn、Markdown（.md）或 Org（.org）页面，或 EDN/JSON 导出文件。")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("找不到文件", file=display) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取文件：{exc}", file=display) from None
    head = text.lstrip()[:1]
    is_edn = suffix == ".edn" or (head == "{" and ":block" in text[:20000])
    is_json = suffix == ".json" or (head in "{[" and head != "" and not is_edn and '"blocks"' in text[:20000])
    if is_edn and ("logseq.tldraw" in text or ':block/type "whiteboard"' in text):
        from xuncha_kb.logseq.whiteboard import parse_whiteboard

        wb, diags = parse_whiteboard(text, display)
        errors = [d for d in diags if d.severity == "error"]
        if errors:
            raise InputError(errors[0].message, file=display, line=errors[0].line)
        out = list(_blocks_from_tree(wb.blocks, wb.name))
        out += [SourceBlock(s.text or "", 0, display, 1, False, document=wb.name)
                for s in _arrow_order(wb)]
        return out
    if is_edn or is_json:
        from xuncha_kb.logseq.export import parse_export

        graph = parse_export(text, display)
        out = []
        for page in graph.pages:
            page_blocks = list(_blocks_from_tree(page.blocks, page.name))
            if page_blocks:
                page_blocks[0] = replace(page_blocks[0], new_document=True)
            out += page_blocks
        return out
    if suffix == ".org":
        from xuncha_kb.logseq.page import parse_text

        parsed = parse_text(text, display, "org")
        org_title = next((v for k, v in parsed.properties.items() if k.lower() == "title"), "")
        return list(_blocks_from_tree(parsed.blocks, org_title.strip() or path.stem))
    title = re.search(r"^title::[ \t]*(\S.*)$", text, re.MULTILINE)
    doc = title.group(1).strip() if title else path.stem
    return [SourceBlock(text, 0, display, 1, True, document=doc)]
