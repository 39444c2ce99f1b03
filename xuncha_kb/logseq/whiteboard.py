"""``whiteboards/*.edn`` → :class:`Whiteboard` (logseq-format §7).

A whiteboard file is ``{:blocks (…) :pages ({…})}``.  Entries of ``:blocks`` are either
*shape blocks* (``:block/properties`` holding ``:logseq.tldraw.shape``, or in very old files
the shape keys directly) or *ordinary blocks* (``:block/content`` or ``:block/title``) which
are parsed with the Markdown block parser and arranged into a tree by ``:block/parent`` and
the ``:block/left`` sibling chain.  Arrows (``line`` shapes) become :class:`Connector`\\ s
whose ends are resolved through the page's ``:bindings``.

Every shape and block gets the line of its map in the file.  Malformed EDN gives a
Diagnostic with the line of the problem and an empty whiteboard — never an exception.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping
from typing import Any

from xuncha_kb.logseq import edn, edn_positions
from xuncha_kb.logseq.names import file_body_to_title
from xuncha_kb.model import Block, Connector, Diagnostic, GraphConfig, PageFormat, Shape, Span, Whiteboard

SHAPE_KEY = ":logseq.tldraw.shape"
PAGE_KEY = ":logseq.tldraw.page"


def parse_whiteboard(text: str, file: str, config: GraphConfig | None = None
                     ) -> tuple[Whiteboard, list[Diagnostic]]:
    """Read one whiteboard file's text.  ``file`` is the graph-relative path."""
    diags: list[Diagnostic] = []
    fallback_name = _name_from_file(file, config)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = edn.loads(text)
    except edn.EdnError as exc:
        diags.append(Diagnostic(file, exc.line, f"白板文件无法解析（{exc.message}），已跳过其内容", "error"))
        return Whiteboard(name=fallback_name, file=file), diags
    if not isinstance(data, dict):
        diags.append(Diagnostic(file, 1, "白板文件的内容不是 {:blocks … :pages …} 映射，已跳过", "error"))
        return Whiteboard(name=fallback_name, file=file), diags

    lines = edn_positions.LineIndex(text)
    block_lines = [lines.line(o) for o in edn_positions.element_offsets(text, ":blocks")]
    page_lines = [lines.line(o) for o in edn_positions.element_offsets(text, ":pages")]

    pages = [p for p in _seq(data.get(":pages")) if isinstance(p, dict)]
    page: dict[str, Any] = pages[0] if pages else {}
    page_line = page_lines[0] if page_lines else 1
    page_props: dict[str, Any] = _dict(page.get(":block/properties"))
    tl_page: dict[str, Any] = _dict(page_props.get(PAGE_KEY))
    page_uuid = _uuid_of(page.get(":block/uuid")) or _str(tl_page.get(":id"))
    name = (_str(page.get(":block/original-name")) or _str(page.get(":block/title"))
            or _str(tl_page.get(":name")) or _str(page.get(":block/name")) or fallback_name)
    if not pages:
        diags.append(Diagnostic(file, 1, "白板文件缺少 :pages 页面信息，页面名取自文件名", "info"))

    bindings = _bindings(tl_page.get(":bindings"))

    shapes: list[Shape] = []
    raw_blocks: list[tuple[dict[str, Any], int]] = []
    for i, entry in enumerate(_seq(data.get(":blocks"))):
        line = block_lines[i] if i < len(block_lines) else page_line
        if not isinstance(entry, dict):
            diags.append(Diagnostic(file, line, "白板 :blocks 中有一项不是映射，已忽略"))
            continue
        shape_map = _shape_map(entry)
        if shape_map is not None:
            shape = _shape(shape_map, len(shapes), file, line, diags)
            if shape is not None:
                shapes.append(shape)
            continue
        raw_blocks.append((entry, line))

    connectors = tuple(_connector(s, bindings) for s in shapes if s.type == "line")
    blocks = _block_tree(raw_blocks, page_uuid, file, config, diags)
    properties = edn.strip_colons(page_props) if page_props else {}
    return Whiteboard(name=name, file=file, uuid=page_uuid, shapes=tuple(shapes), connectors=connectors,
                      blocks=blocks, properties=properties), diags


# --- shapes ------------------------------------------------------------------------------------

def _shape_map(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    props = entry.get(":block/properties")
    if not isinstance(props, dict):
        return None
    shape = props.get(SHAPE_KEY)
    if isinstance(shape, dict):
        return shape
    # Very old boards: the shape's keys sit directly in :block/properties.
    if props.get(":ls-type") in (":whiteboard-shape", "whiteboard-shape") and ":type" in props:
        return {k: v for k, v in props.items() if k != ":ls-type"}
    return None


def shape_content(shape: Mapping[str, Any]) -> str:
    """What Logseq derives as a shape block's content (GP ``whiteboard.cljs with-whiteboard-content``).

    ``shape`` uses plain keys (``"type"``, ``"text"``…).  Follows Clojure truthiness: an empty
    ``:label ""`` on a line still adds ``": "``.
    """
    kind = shape.get("type")
    if kind == "text":
        text = shape.get("text")
        return text if isinstance(text, str) else ""
    if kind == "logseq-portal":
        target = shape.get("pageId")
        target = "" if target is None else str(target)
        return f"[[{target}]]" if shape.get("blockType") == "P" else f"(({target}))"
    if kind == "line":
        label = shape.get("label")
        return "whiteboard arrow" + (f": {label}" if label is not None and label is not False else "")
    return f"whiteboard {kind}"


def _shape(raw: dict[str, Any], index: int, file: str, line: int, diags: list[Diagnostic]) -> Shape | None:
    props = edn.strip_colons(raw)
    sid = props.get("id")
    kind = props.get("type")
    if not isinstance(sid, str) or not sid:
        diags.append(Diagnostic(file, line, "白板图形缺少 :id，已忽略"))
        return None
    if not isinstance(kind, str) or not kind:
        diags.append(Diagnostic(file, line, f"白板图形 {sid} 缺少 :type，按未知类型读取"))
        kind = "unknown"
    label = props.get("label")
    return Shape(
        id=sid,
        type=kind,
        index=index,
        parent_id=_str(props.get("parentId")),
        point=_pair(props.get("point")),
        size=_pair(props.get("size")),
        text=props.get("text") if isinstance(props.get("text"), str) else None,
        label=label if isinstance(label, str) else None,
        page_id=_str(props.get("pageId")),
        block_type=_str(props.get("blockType")),
        content=shape_content({**props, "type": kind}),
        props=props,
    )


def _bindings(raw: Any) -> dict[str, Mapping[str, Any]]:
    """Binding id → binding map; keys are the keywordised ids, each map also carries ``:id``."""
    out: dict[str, Mapping[str, Any]] = {}
    if not isinstance(raw, dict):
        return out
    for key, value in raw.items():
        if not isinstance(value, dict):
            continue
        b = edn.strip_colons(value)
        k = key[1:] if isinstance(key, str) and key.startswith(":") else str(key)
        out[k] = b
        if isinstance(b.get("id"), str):
            out.setdefault(b["id"], b)
    return out


def _connector(shape: Shape, bindings: Mapping[str, Mapping[str, Any]]) -> Connector:
    handles = shape.props.get("handles")
    ends: list[str | None] = []
    for handle in ("start", "end"):
        h = handles.get(handle) if isinstance(handles, dict) else None
        bid = h.get("bindingId") if isinstance(h, dict) else None
        binding = bindings.get(bid) if isinstance(bid, str) else None
        ends.append(_str(binding.get("toId")) if binding else None)
    return Connector(id=shape.id, from_id=ends[0], to_id=ends[1], label=shape.label or None)


# --- ordinary blocks ------------------------------------------------------------------------------

def _block_tree(raw_blocks: list[tuple[dict[str, Any], int]], page_uuid: str | None, file: str,
                config: GraphConfig | None, diags: list[Diagnostic]) -> tuple[Block, ...]:
    if not raw_blocks:
        return ()
    from xuncha_kb.logseq.page import parse_block_content

    nodes: dict[str, tuple[Block, str | None, str | None]] = {}  # uuid → (block, parent, left)
    order: list[str] = []
    anonymous = 0
    for entry, line in raw_blocks:
        content = entry.get(":block/content")
        if not isinstance(content, str):
            content = entry.get(":block/title")
        if not isinstance(content, str):
            content = ""
        uid = _uuid_of(entry.get(":block/uuid"))
        if uid is None:
            anonymous += 1
            uid = f"{file}#{line}#{anonymous}"
        fmt_raw = entry.get(":block/format")
        fmt: PageFormat = (
            "org" if isinstance(fmt_raw, str) and fmt_raw.lstrip(":").lower() == "org" else "markdown")
        try:
            block = parse_block_content(content, file, line, fmt, config)
        except Exception as exc:  # a parser bug must not stop the board
            diags.append(Diagnostic(file, line, f"白板块无法解析：{exc}", "error"))
            block = Block(span=Span(file, line), level=1, content=content, title=content.split("\n", 1)[0])
        own_uuid = uid if ":block/uuid" in entry else None
        block = merge_properties(block, entry.get(":block/properties"), own_uuid)
        block = dataclasses.replace(block, span=Span(file, line, block.span.end_line or line))
        if uid in nodes:
            diags.append(Diagnostic(file, line, f"白板中块 uuid {uid} 重复，保留第一个"))
            continue
        nodes[uid] = (block, _ref_uuid(entry.get(":block/parent")), _ref_uuid(entry.get(":block/left")))
        order.append(uid)

    parents, cyclic = _resolve_parents(order, nodes)
    for uid in cyclic:
        diags.append(Diagnostic(file, nodes[uid][0].span.line,
                                f"白板块 {uid} 的 :block/parent 形成循环，按顶层块读取"))
    children: dict[str | None, list[str]] = {}
    for uid in order:
        children.setdefault(parents[uid], []).append(uid)
    return _build_tree(children, page_uuid, nodes)


def _resolve_parents(order: list[str], nodes: Mapping[str, tuple[Block, str | None, str | None]]
                     ) -> tuple[dict[str, str | None], list[str]]:
    """Each block's parent uuid (``None`` = top level), and the blocks lifted out of parent cycles.

    A block whose parent is the page, unknown, or itself is top level; the members of a parent
    cycle become top level too; blocks hanging below a cycle keep their parent.  Linear time.
    """
    resolved: dict[str, str | None] = {}
    cyclic: list[str] = []
    for start in order:
        path: list[str] = []
        on_path: dict[str, int] = {}
        cur: str | None = start
        cycle_at: int | None = None
        while cur is not None and cur not in resolved:
            on_path[cur] = len(path)
            path.append(cur)
            nxt = nodes[cur][1]
            if nxt is None or nxt not in nodes or nxt == cur:
                break
            if nxt in on_path:
                cycle_at = on_path[nxt]
                break
            cur = nxt
        for i, uid in enumerate(path):
            parent = nodes[uid][1]
            if cycle_at is not None and i >= cycle_at:
                resolved[uid] = None
                cyclic.append(uid)
            else:
                resolved[uid] = parent if parent in nodes and parent != uid else None
    return resolved, cyclic


def _build_tree(children: Mapping[str | None, list[str]], page_uuid: str | None,
                nodes: Mapping[str, tuple[Block, str | None, str | None]]) -> tuple[Block, ...]:
    """Assemble the blocks bottom-up without recursion (a deep parent chain must not overflow)."""
    ordered: dict[str | None, list[str]] = {
        parent: _sibling_order(kids, parent if parent is not None else page_uuid, nodes)
        for parent, kids in children.items()
    }
    levels: dict[str, int] = {}
    post: list[str] = []
    stack: list[tuple[str, int]] = [(u, 1) for u in reversed(ordered.get(None, []))]
    while stack:
        uid, level = stack.pop()
        levels[uid] = level
        post.append(uid)
        stack.extend((c, level + 1) for c in reversed(ordered.get(uid, [])))
    built: dict[str, Block] = {}
    for uid in reversed(post):  # children are always built before their parent
        kids = tuple(built[c] for c in ordered.get(uid, []))
        built[uid] = dataclasses.replace(nodes[uid][0], level=levels[uid], children=kids)
    return tuple(built[u] for u in ordered.get(None, []))


def _sibling_order(siblings: list[str], parent: str | None,
                   nodes: Mapping[str, tuple[Block, str | None, str | None]]) -> list[str]:
    """Order siblings by the ``:block/left`` chain (first child's left is the parent).

    Blocks without a usable chain keep file order, after the chained ones.
    """
    if len(siblings) < 2:
        return list(siblings)
    sibset = set(siblings)
    by_left: dict[str | None, list[str]] = {}
    for s in siblings:
        by_left.setdefault(nodes[s][2], []).append(s)
    ordered: list[str] = []
    placed: set[str] = set()
    # Heads: left is the parent, or points outside the sibling set.
    heads = [s for s in siblings if nodes[s][2] == parent or nodes[s][2] not in sibset]
    for head in heads:
        cur: str | None = head
        while cur is not None and cur not in placed:
            ordered.append(cur)
            placed.add(cur)
            nxt = [s for s in by_left.get(cur, []) if s not in placed]
            cur = nxt[0] if nxt else None
    ordered.extend(s for s in siblings if s not in placed)
    return ordered


def merge_properties(block: Block, props: Any, uid: str | None) -> Block:
    """Merge properties stored beside the content (EDN ``{:heading 3}``, export maps) into ``block``.

    Text properties in the content win; other values become their raw text (``true``, ``3``,
    sets as ``a, b``).  ``uid`` becomes the ``id`` property so ``Block.uuid`` works.
    """
    extra: dict[str, str] = {}
    extra_refs: dict[str, tuple[str, ...]] = {}
    if isinstance(props, dict):
        for k, v in props.items():
            key = k[1:] if isinstance(k, str) and k.startswith(":") else str(k)
            if key not in block.properties:
                extra[key] = raw_value(v)
                if isinstance(v, tuple | frozenset | list) and key not in block.property_refs:
                    extra_refs[key] = tuple(sorted(raw_value(x) for x in v))
    if uid and "id" not in block.properties:
        extra["id"] = uid
    if not extra:
        return block
    merged = {**block.properties, **extra}
    changes: dict[str, Any] = {"properties": merged}
    if extra_refs:
        changes["property_refs"] = {**block.property_refs, **extra_refs}
    if block.heading is None and "heading" in extra and extra["heading"].isdigit():
        changes["heading"] = int(extra["heading"])
    return dataclasses.replace(block, **changes)


def raw_value(v: Any) -> str:
    """A parsed property value (EDN/JSON) as the raw text Logseq would show."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return ""
    if isinstance(v, str):
        return v[1:] if v.startswith(":") else v
    if isinstance(v, tuple | frozenset | list):
        return ", ".join(sorted(raw_value(x) for x in v))
    return str(v)


# --- small helpers ------------------------------------------------------------------------------------

def _name_from_file(file: str, config: GraphConfig | None) -> str:
    stem = posixpath.splitext(posixpath.basename(file))[0]
    return file_body_to_title(stem, config.name_format if config else "triple-lowbar")


def _seq(value: Any) -> tuple[Any, ...]:
    if isinstance(value, tuple | list):
        return tuple(value)
    return ()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _uuid_of(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and value else None


def _ref_uuid(value: Any) -> str | None:
    """``{:block/uuid #uuid "…"}`` (or a bare uuid) → the uuid string."""
    if isinstance(value, dict):
        return _uuid_of(value.get(":block/uuid"))
    return _uuid_of(value)


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, tuple) and len(value) >= 2 and all(isinstance(x, int | float) for x in value[:2]):
        return (float(value[0]), float(value[1]))
    return None
