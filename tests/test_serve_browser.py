"""End to end in headless Chromium (Debian's chromium through chromedriver): the dashboard
loads with the token and shows the example graph's inspection; a task set to DONE on disk
changes the page without a reload.  Skips when chromium, chromedriver or selenium is missing."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve_helpers import KNOW, running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("chromium / chromedriver not installed (apt-get install -y chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, script: str, timeout: float = 15.0) -> Any:
    """Poll ``script`` in the page until it returns something truthy."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"page never satisfied: {script}")


STATUS = "const li = document.querySelector('[data-activity=\"know.08\"]'); return li && li.dataset.status;"
IS_DONE = STATUS.replace("return li && li.dataset.status;", "return li && li.dataset.status === 'done';")


def test_dashboard_loads_and_follows_an_edit_live(browser: Any, example_graph: Path, tmp_path: Path) -> None:
    with running(example_graph) as board:
        browser.get(f"http://127.0.0.1:{board.port}/")  # without the token: refused, nothing shown
        assert "拒绝访问" in browser.page_source and "某某集团有限公司" not in browser.page_source
        browser.get(board.url)
        _wait(browser, "return document.querySelector('#live.on')")
        rows = _wait(browser, "return [...document.querySelectorAll('#portfolio tr[data-inspection]')]"
                              ".map(r => r.dataset.inspection)")
        assert rows == ["巡察/2026年第一轮/某某集团有限公司"]
        assert browser.find_element("id", "detail-title").text == "巡察/2026年第一轮/某某集团有限公司"
        assert _wait(browser, STATUS) == "not_started"
        before = browser.find_element("id", "detail-progress").text
        browser.execute_script("window.__sameDocument = true;")
        know = example_graph / KNOW
        started = time.monotonic()
        know.write_text(know.read_text("utf-8").replace("TODO 形成封闭", "DONE 形成封闭"), "utf-8")
        _wait(browser, IS_DONE)
        latency = time.monotonic() - started
        assert browser.execute_script("return window.__sameDocument === true"), "the page was reloaded"
        after = browser.find_element("id", "detail-progress").text
        assert after != before and "17/53" in after
        assert "形成封闭问题底稿台账" in browser.find_element("id", "recent").text
        assert "null" not in browser.find_element("id", "detail").text
        shot = Path(os.environ.get("XUNCHA_SCREENSHOT", tmp_path / "dashboard.png"))
        browser.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        print(f"live update reached the page {latency * 1000:.0f} ms after the save")


def test_new_inspection_from_the_dashboard_shows_the_plan_then_writes_on_confirm(
        browser: Any, example_graph: Path) -> None:
    overview = example_graph / "pages" / "巡察___2026年第二轮___某某区市场监督管理局.md"
    with running(example_graph, allow_write=True) as board:
        browser.get(board.url)
        _wait(browser, "return !document.getElementById('actions').hidden")
        for name, value in (("unit", "某某区市场监督管理局"), ("round", "2026年第二轮"), ("leader", "王五")):
            browser.find_element("css selector", f"#scaffold-form input[name={name}]").send_keys(value)
        browser.find_element("css selector", "#scaffold-form button[type=submit]").click()
        text = _wait(browser, "const p = document.getElementById('plan');"
                              "return !p.hidden && document.getElementById('plan-text').textContent;")
        assert "计划：巡察/2026年第二轮/某某区市场监督管理局" in text
        assert not overview.exists()  # the plan alone writes nothing
        browser.find_element("id", "confirm").click()
        assert "已写入" in _wait(browser, "const t = document.getElementById('plan-text').textContent;"
                                         "return t.startsWith('已写入') && t;")
        assert overview.is_file()
        rows = _wait(browser, "const r = [...document.querySelectorAll('#portfolio tr[data-inspection]')];"
                              "return r.length === 2 && r.map(x => x.dataset.inspection);")
        assert "巡察/2026年第二轮/某某区市场监督管理局" in rows
