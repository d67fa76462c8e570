"""In Chromium: pages load without console errors, fit a 360 px phone, and pass axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("playwright")
axe_module = pytest.importorskip("axe_playwright_python")
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is needed")]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_JS = Path(axe_module.__file__).with_name("axe.min.js")
PAGES = ["index.html", "themes/kechuang/index.html", "cities/changzhou/index.html", "cities/index.html",
         "digests/2026-01-04-jiangsu/index.html", "digests/2026-01-04-jiangsu/changzhou/index.html",
         "archive/index.html", "about/index.html", "search/index.html", "404.html", "people/index.html",
         "people/王剑锋-changzhou/index.html", "themes/zonghe/index.html"]


class _UnderSubPath(SimpleHTTPRequestHandler):
    """Serves the site under /digest/, where its base URL says it lives."""

    def translate_path(self, path):
        return super().translate_path(path.removeprefix("/digest"))

    def log_message(self, *args):
        pass


def serve_under_subpath(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    """A server of `folder` on an ephemeral port, under /digest/, and its address; shut it down after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_UnderSubPath, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/digest/"


def first_search_result(url: str) -> tuple[str, str | None]:
    """The search page at `url` (with its ?q=) in a fresh Chromium: its status line once results
    (or their absence) show, and the first result's link."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = chromium.new_page()
        page.goto(url)
        page.wait_for_function("() => /找到|没有找到|索引/.test(document.getElementById('search-status').textContent)"
                               " && !document.querySelector('#results li[hidden]')", timeout=30_000)
        found = page.text_content("#search-status"), page.get_attribute("#results li a", "href")
        chromium.close()
    return found


@pytest.fixture(scope="module")
def served(seed_site):
    server, url = serve_under_subpath(seed_site)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_on_a_phone_and_passes_axe(browser, served, path):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served + path)
    page.wait_for_load_state("networkidle")
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")  # every rule, any impact
    assert [f"{v['id']} ({v['impact']}): {v['help']} ({len(v['nodes'])})" for v in result["violations"]] == []
    page.close()


def test_dark_mode_keeps_contrast(browser, served):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page.goto(served + "index.html")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("() => axe.run(document, {runOnly: ['color-contrast']})")
    assert [v["id"] for v in result["violations"]] == []
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(251, 250, 247)"
    page.close()
