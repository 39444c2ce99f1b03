"""Logseq "Export graph" files (EDN or JSON) → :class:`Graph` (logseq-format §8).

Shape of both exports::

    {:version 1
     :blocks [{:block/id #uuid "…" :block/page-name "Name" :block/properties {…}
               :block/format :markdown
               :block/children [{:block/id … :block/content "TODO x" :block/properties {…}
                                 :block/children [ … ]}]}]}

The JSON export is the same tree with the namespaces dropped (``"id"``, ``"page-name"``,
``"children"``, ``"content"`` …); both spellings are accepted.  Property values are the
*parsed* values (sets/arrays, numbers, booleans); they are turned back into the raw text the
rest of the model expects, and collection values also become ``property_refs``.

Each page's ``file`` is the export file's name; lines are where the block's id appears in
the export (1 if it cannot be found).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from xuncha_kb.errors import GraphNotFound, InputError
from xuncha_kb.logseq import edn, edn_positions
from xuncha_kb.logseq.names import journal_day_from_name, journal_title
from xuncha_kb.logseq.whiteboard import merge_properties, raw_value
from xuncha_kb.model import Block, Diagnostic, Graph, GraphConfig, Page, PageFormat, Span


def read_export(path: str | os.PathLike[str], config: GraphConfig | None = None) -> Graph:
    """Read an exported graph.  Raises GraphNotFound (missing file) or InputError (not an export)."""
    p = Path(path)
    if not p.is_file():
        raise GraphNotFound(f"导出文件“{path}”不存在",
                            hint="请指定 Logseq“导出图谱”得到的 .edn 或 .json 文件")
    try:
        text = p.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise GraphNotFound(f"无法读取导出文件“{path}”：{exc.strerror or exc}") from None
    return parse_export(text, p.name, root=p.parent, config=config)


def parse_export(text: str, file: str, *, root: Path | None = None,
                 config: GraphConfig | None = None) -> Graph:
    """Parse the text of an export; ``file`` names it in spans and messages."""
    try:
        return _parse_export(text, file, root=root, config=config)
    except RecursionError:
        raise InputError("导出文件的块嵌套层数过深（数千层），无法读取；文件可能已损坏",
                         file=file, line=1) from None


def _parse_export(text: str, file: str, *, root: Path | None, config: GraphConfig | None) -> Graph:
    config = config or GraphConfig(name_format="triple-lowbar")
    if text.startswith("\ufeff"):
        text = text[1:]
    stripped = text.lstrip()
    data: Any
    if file.lower().endswith(".json") or re.match(r'\[|\{\s*"', stripped):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"JSON 格式错误：{exc.msg}", file=file, line=exc.lineno,
                             hint="请确认这是 Logseq“导出图谱”生成的 JSON 文件") from None
    else:
        try:
            data = edn.loads(text)
        except edn.EdnError as exc:
            raise InputError(exc.message, file=file, line=exc.line,
                             hint="请确认这是 Logseq“导出图谱”生成的 EDN 文件") from None
    data = _plain_keys(data)
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), tuple | list):
        raise InputError("不是 Logseq“导出图谱”的文件：缺少 blocks 列表", file=file, line=1,
                         hint="支持“导出图谱”的 EDN 与 JSON 两种格式（Roam JSON、OPML 等不支持）")

    lines = edn_positions.LineIndex(text)
    diags: list[Diagnostic] = []

    def line_of_id(uid: str | None) -> int:
        if not uid:
            return 1
        pos = text.find(f'"{uid}"')
        return lines.line(pos) if pos >= 0 else 1

    pages: list[Page] = []
    for entry in data["blocks"]:
        if not isinstance(entry, dict):
            continue
        name = entry.get("page-name") or entry.get("original-name") or entry.get("name")
        if not isinstance(name, str) or not name:
            diags.append(Diagnostic(file, line_of_id(_id(entry)), "导出中的一项缺少 page-name，已跳过"))
            continue
        fmt = _format(entry.get("format"))
        raw_props = entry.get("properties")
        props: dict[str, Any] = raw_props if isinstance(raw_props, dict) else {}
        blocks = tuple(_block(c, file, 1, fmt, config, line_of_id) for c in _children(entry))
        day = journal_day_from_name(name, config.journal_title_format)
        pages.append(Page(
            name=journal_title(day, config.journal_title_format) if day is not None else name,
            file=file,
            kind="journal" if day is not None else "page",
            format=fmt,
            properties={str(k): raw_value(v) for k, v in props.items()},
            property_refs={str(k): tuple(sorted(raw_value(x) for x in v)) for k, v in props.items()
                           if isinstance(v, tuple | list | frozenset)},
            blocks=blocks,
            journal_day=day,
        ))
    return Graph(root=root or Path("."), config=config, pages=tuple(pages), diagnostics=tuple(diags))


def _block(entry: Any, file: str, level: int, fmt: PageFormat, config: GraphConfig,
           line_of_id: Callable[[str | None], int]) -> Block:
    from xuncha_kb.logseq.page import parse_block_content

    if not isinstance(entry, dict):
        entry = {"content": str(entry)}
    uid = _id(entry)
    line = line_of_id(uid)
    content = entry.get("content")
    if not isinstance(content, str):
        content = entry.get("title") if isinstance(entry.get("title"), str) else ""
    fmt = _format(entry.get("format"), fmt)
    block = parse_block_content(content, file, line, fmt, config)
    block = merge_properties(block, entry.get("properties"), uid)
    children = tuple(_block(c, file, level + 1, fmt, config, line_of_id) for c in _children(entry))
    pre = entry.get("pre-block?") is True
    return dataclasses.replace(block, span=Span(file, line, line), level=level, children=children,
                               pre_block=pre, bullet=not pre and block.bullet)


def _children(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    kids = entry.get("children")
    return tuple(kids) if isinstance(kids, tuple | list) else ()


def _id(entry: Mapping[str, Any]) -> str | None:
    uid = entry.get("id") or entry.get("uuid")
    return str(uid).lower() if uid else None


def _format(value: Any, default: PageFormat = "markdown") -> PageFormat:
    if isinstance(value, str):
        word = value.lstrip(":").lower()
        if word == "org":
            return "org"
        if word == "markdown":
            return "markdown"
    return default


def _plain_keys(value: Any) -> Any:
    """``":block/page-name"``/``"block/page-name"``/``"page-name"`` → ``"page-name"``, recursively.

    Values stay as they are; property maps keep their own keys (minus the colon).
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k)
            key = key[1:] if key.startswith(":") else key
            key = key.split("/", 1)[1] if key.startswith("block/") else key
            out[key] = _plain_keys(v) if key != "properties" else _plain_props(v)
        return out
    if isinstance(value, tuple | list):
        return tuple(_plain_keys(v) for v in value)
    return value


def _plain_props(value: Any) -> Any:
    if not isinstance(value, dict):
        return {}
    return {(str(k)[1:] if str(k).startswith(":") else str(k)): v for k, v in value.items()}
