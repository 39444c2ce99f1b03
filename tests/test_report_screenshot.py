"""The HTML report in headless Chromium: the statistics charts and the deadline timeline are
drawn, and no label is cut — checked on the rendered DOM (each label whole, its measured width
inside the room left for it) and on the screenshot's pixels.  Skips without chromium.

``XUNCHA_SCREENSHOT=/path/shot.png`` keeps the screenshot for a look.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
MEASURE = """<script>
for (const el of document.querySelectorAll('text.tl-label, text.chart-label')) {
  el.setAttribute('data-w', String(Math.ceil(el.getBBox().width)));
}
</script></body>"""


class _Labels(HTMLParser):
    """(class, data-room, data-w, text) of every measured SVG label."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int, int, str]] = []
        self._open: list[str] | None = None
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "text" and a.get("class") in ("tl-label", "chart-label"):
            self._open, self._attrs = [], a

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "text" and self._open is not None:
            a = self._attrs
            self.found.append((str(a["class"]), int(a["data-room"] or 0), int(a.get("data-w") or -1),
                               "".join(self._open)))
            self._open = None


def _pixels(png: bytes) -> tuple[int, int, list[bytearray]]:
    """Width, height and RGBA rows of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    h = depth = ctype = 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6)
    bpp = 4 if ctype == 6 else 3
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rgba = line if bpp == 4 else bytearray(x for j in range(w) for x in (*line[3 * j:3 * j + 3], 255))
        rows.append(rgba)
        prev = line
    return w, h, rows


@pytest.fixture
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium not installed (apt-get install -y chromium fonts-noto-cjk)")
    return found


@pytest.mark.slow
def test_charts_and_timeline_render_without_cut_labels(runner, chromium: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha_kb.cli import cli

    g = tmp_path / "graph"
    shutil.copytree(FIXTURES / "progress" / "graph", g)
    ov = g / "pages" / "巡察___2026年第一轮___某某集团有限公司.md"
    ov.write_text(ov.read_text(encoding="utf-8").replace("反馈意见签收日::", "反馈意见签收日:: 2026-05-10"),
                  encoding="utf-8")
    args = ["report", str(g), "--today", "2026-07-25", "--inspection", "某某集团有限公司"]
    page = tmp_path / "report.html"
    assert runner.invoke(cli, [*args, "--format", "html", "-o", str(page)]).exit_code == 0
    insp = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)["inspections"][0]
    measured = tmp_path / "measured.html"
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE), encoding="utf-8")
    base = [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", measured.as_uri()], capture_output=True, timeout=120,
                         check=False).stdout.decode("utf-8")
    parser = _Labels()
    parser.feed(dom)
    timeline = {t for c, _, _, t in parser.found if c == "tl-label"}
    wanted = {m["name"] for m in insp["milestones"] if m["date"]}
    wanted |= {f"{d['activity_id']} {d['activity_name']}" for d in insp["deadlines"]}
    assert timeline == wanted  # every marker labelled, each label whole
    assert any(t.startswith("rect.06 ") for t in timeline)  # the hard deadline, 40 characters long
    assert sum(1 for c, *_ in parser.found if c == "chart-label") >= 5
    for cls, room, w, text in parser.found:
        assert "…" not in text
        assert 0 < w <= room, (cls, text, w, room)  # measured by the browser: fits before its bar/axis

    shot = Path(os.environ.get("XUNCHA_SCREENSHOT", tmp_path / "report.png"))
    subprocess.run([*base, "--window-size=1000,3400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=False)
    w, h, rows = _pixels(shot.read_bytes())
    assert (w, h) == (1000, 3400)
    inked = blue = green = 0
    for row in rows[::3]:
        for x in range(0, w * 4, 12):
            r, gg, b = row[x], row[x + 1], row[x + 2]
            inked += (r + gg + b) < 600
            blue += abs(r - 0x15) < 24 and abs(gg - 0x65) < 24 and abs(b - 0xC0) < 24
            green += abs(r - 0x2E) < 24 and abs(gg - 0x7D) < 24 and abs(b - 0x32) < 24
    samples = len(rows[::3]) * len(range(0, w * 4, 12))
    assert inked > samples // 50  # not blank: text and charts cover more than 2 % of the page
    assert blue > 100 and green > 100  # the problem-count (blue) and 整改率 (green) bars are drawn
