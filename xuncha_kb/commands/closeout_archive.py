"""What goes into close-out's archive: the inspection's files with their hashes, and a page's
bytes with its sensitive blocks withheld.  Only reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xuncha_kb.commands.closeout_checks import read_hash
from xuncha_kb.model import Graph, Page
from xuncha_kb.track.discover import InspectionRef
from xuncha_kb.track.sensitive import NO_SECRETS, Secrets, walk_context


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    path: str  # graph-relative
    sha256: str
    size: int
    sensitive: bool = False


def archive_entries(root: Path, graph: Graph, ref: InspectionRef, pages: Sequence[Page], record_rel: str,
                     include_sensitive: bool, secrets: Secrets = NO_SECRETS
                     ) -> tuple[list[ArchiveEntry], int]:
    """Files for the archive (the record page is added when the archive is written)."""
    out: list[ArchiveEntry] = []
    skipped = 0
    for page in pages:
        if page.file == record_rel:
            continue
        sens = secrets.page_is_sensitive(page)
        if sens and not include_sensitive:
            skipped += 1
            continue
        path = root / page.file
        try:
            size = path.stat().st_size
        except OSError:
            continue
        out.append(ArchiveEntry(page.file, read_hash(root, page.file), size, sens))
    prefix = ref.key + "/"
    for board in graph.whiteboards:
        if board.key.startswith(prefix) or board.key == ref.key:
            try:
                size = (root / board.file).stat().st_size
            except OSError:
                continue
            out.append(ArchiveEntry(board.file, read_hash(root, board.file), size))
    out.sort(key=lambda e: e.path)
    return out, skipped


WITHHELD = "（涉密内容，未归档）"


def withhold_sensitive_blocks(data: bytes, rel: str, secrets: Secrets = NO_SECRETS) -> tuple[bytes, int]:
    """A Markdown page's bytes with every sensitive block subtree replaced by one placeholder
    bullet at the same indentation.  Returns the new bytes and how many subtrees were withheld."""
    from xuncha_kb.logseq.page import parse_text
    from xuncha_kb.model import Page

    text = data.decode("utf-8", errors="replace")
    parsed = parse_text(text, rel)
    page = Page(name=rel, file=rel, properties=parsed.properties, property_refs=parsed.property_refs,
                blocks=parsed.blocks)
    ranges: list[tuple[int, int]] = []
    for ctx in walk_context(page, page_sensitive=False, secrets=secrets):
        b = ctx.block
        if b.pre_block or not ctx.sensitive or ctx.inherited:
            continue  # not sensitive, or inside a subtree already withheld
        end = max(x.span.end_line or x.span.line for x in b.walk())
        ranges.append((b.span.line, end))
    if not ranges:
        return data, 0
    body = text[1:] if text.startswith("\ufeff") else text
    lines = body.replace("\r\n", "\n").split("\n")
    for start, end in sorted(ranges, reverse=True):
        first = lines[start - 1]
        indent = first[: len(first) - len(first.lstrip())]
        lines[start - 1:end] = [f"{indent}- {WITHHELD}"]
    return "\n".join(lines).encode("utf-8"), len(ranges)
