"""Renderers: one per format, all reading the same ``Progress`` (see ``track.progress``)."""

from __future__ import annotations

from xuncha_kb.errors import InputError
from xuncha_kb.track.progress_model import Progress

FORMATS = ("text", "md", "json", "html", "xlsx")


def render(progress: Progress, fmt: str) -> str | bytes:
    """The report in ``fmt``: str for text/md/json/html, bytes for xlsx."""
    if fmt == "text":
        from xuncha_kb.report.text import render_text

        return render_text(progress)
    if fmt == "md":
        from xuncha_kb.report.markdown import render_markdown

        return render_markdown(progress)
    if fmt == "json":
        from xuncha_kb.report.jsonout import render_json

        return render_json(progress)
    if fmt == "html":
        from xuncha_kb.report.html import render_html

        return render_html(progress)
    if fmt == "xlsx":
        from xuncha_kb.report.xlsx import render_xlsx

        return render_xlsx(progress)
    raise InputError(f"未知的报告格式：{fmt}", hint="可用格式：" + "、".join(FORMATS))
