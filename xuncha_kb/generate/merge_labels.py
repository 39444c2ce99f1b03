"""How sync's notes name a block: the user's own wording or the workflow's, never quoting a
sensitive page or block (the same rules as reports, ``track/sensitive``)."""

from __future__ import annotations

from xuncha_kb.model import Block, Page
from xuncha_kb.track import conventions as cv
from xuncha_kb.track.sensitive import NO_SECRETS, SENSITIVE_PLACEHOLDER, Secrets


def _label(b: Block) -> str:
    act = b.properties.get(cv.P_ACTIVITY)
    return f"{act} {b.title}".strip() if act else b.title


def page_is_secret(path: str, pre: Block | None, secrets: Secrets = NO_SECRETS) -> bool:
    """Is the page in ``path`` (``pre``: its block before the first, if any) sensitive: by its
    file name, its title or its page properties and tags?"""
    props = pre.properties if pre is not None else {}
    name = props.get("title", "").strip() or path.rsplit("/", 1)[-1]
    page = Page(name=name, file=path, properties=props, property_refs=pre.property_refs if pre else {},
                blocks=(pre,) if pre is not None else ())
    return secrets.page_is_sensitive(page)


def theirs_label(b: Block, page_secret: bool, secrets: Secrets = NO_SECRETS) -> str:
    """The label of a block as the user has it on disk: never quoted when the page or the block
    is sensitive, nor when it refers to a sensitive page."""
    if page_secret or secrets.block_is_marked(b):
        return SENSITIVE_PLACEHOLDER
    return secrets.text(_label(b))


def ours_label(b: Block, secrets: Secrets = NO_SECRETS) -> str:
    """The label of a block as generated (the workflow's wording), unless it refers to a sensitive page."""
    return secrets.text(_label(b))
