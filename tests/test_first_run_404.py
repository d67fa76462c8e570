"""The 404 page, shown for /a/b/c/ by `serve` and by static hosts (at the site's root and under the base
URL's path), is styled and every link on it resolves."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.build import build_site
from tests.conftest import ROOT, SEED_CONTENT

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                                      reason="Debian's chromium is needed")]


class StaticHost(SimpleHTTPRequestHandler):
    """A static host as GitHub Pages or Netlify is: the site under `prefix`, and its 404.html, with status
    404, for any path that names no file."""

    prefix = "/"

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        if code != HTTPStatus.NOT_FOUND:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def static_host(tmp_path):
    """start(base_url, prefix) → the address of the seed site built with `base_url`, served under `prefix`."""
    servers = []

    def start(base_url: str, prefix: str) -> str:
        site = tmp_path / "site"
        build_site(SEED_CONTENT, site, base_url=base_url, search=False)
        handler = type("Host", (StaticHost,), {"prefix": prefix})
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served_by_digest(tmp_path):
    """`python build.py serve` on a copy of the committed content, on a free port: its address."""
    shutil.copytree(SEED_CONTENT, tmp_path / "content")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--no-search",
                                "--content", "content", "--output", "site"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:
            if line.startswith("serving "):
                yield line.split(" at ", 1)[1].split()[0]
                break
        else:
            pytest.fail("serve did not start")
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def check_not_found_page(chromium, address: str) -> None:
    """/a/b/c/ below `address` shows the styled 404 page, whose every link answers 200."""
    page = chromium.new_page()
    page.goto(address + "a/b/c/")
    assert page.inner_text("h1") == "页面不存在"
    sheets = page.evaluate("() => [...document.styleSheets].filter(s => s.href).map(s => s.cssRules.length)")
    assert sheets and all(sheets), f"stylesheets not loaded: {sheets}"
    assert page.evaluate("() => getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    links = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => [e.getAttribute('href'), e.href])")
    origin = address.split("/", 3)[:3]
    local = [url for href, url in links if not href.startswith("#") and url.split("/", 3)[:3] == origin]
    assert len(local) >= 10, links
    broken = [url for url in dict.fromkeys(local) if page.request.get(url).status != 200]
    assert broken == [], broken
    page.close()


def test_404_when_served(chromium, served_by_digest):
    check_not_found_page(chromium, served_by_digest)


def test_404_on_a_static_host_at_the_root(chromium, static_host):
    check_not_found_page(chromium, static_host("", "/"))


def test_404_on_a_static_host_at_the_base_urls_path(chromium, static_host):
    check_not_found_page(chromium, static_host("https://example.org/digest/", "/digest/"))
