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


@pytest.fixture(scope="module")
def served(seed_site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_UnderSubPath, directory=str(seed_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/digest/"
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


# Query → the cities whose entries contain the words: all must come back.  Words from the middle
# of sentences and short words included: Pagefind's extended build must segment Chinese the same
# way when indexing and searching.
SEARCHES = {
    "算力": {"无锡", "常州"},
    "6G": {"南京"},
    "灯塔工厂": {"常州"},
    "光伏": {"淮安"},
    "天合光能": {"淮安", "宿迁"},
    "零工市场": {"泰州"},
    "焦点访谈": {"南通"},
    "智能体": {"常州"},
    "民生议事会": {"扬州"},
    "紫金山实验室": {"南京"},
    "中国矿业大学": {"徐州"},
    "数智制造": {"宿迁"},
    "蝶变": {"南通"},
    "高新区": {"徐州", "镇江"},
}


def _search(page, served, query: str, theme: str = "") -> list[str]:
    """Cities of the entry results the search page shows for `query` (and a theme filter), in rank order."""
    url = f"{served}search/index.html?q={query}" + (f"&theme={theme}" if theme else "")
    page.goto(url)
    page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('search-status').textContent)"
                           " && !document.querySelector('#results li[hidden]')", timeout=10_000)
    metas = page.eval_on_selector_all("#results .card-meta", "nodes => nodes.map(n => n.textContent)")
    return [meta.split(" · ")[0] for meta in metas if " · " in meta and "汇编" not in meta]


@pytest.mark.parametrize("query", SEARCHES)
def test_chinese_search_finds_the_entries(browser, served, query):
    page = browser.new_page()
    found = _search(page, served, query)
    page.close()
    assert SEARCHES[query] <= set(found), f"{query}: expected {SEARCHES[query]}, got {found}"


# Multi-character words: the entries holding the whole word rank above pages that only share
# some of its characters (Pagefind 1.5.x splits such words into characters at query time).
RANKED = ["天合光能", "零工市场", "焦点访谈", "紫金山实验室", "中国矿业大学", "民生议事会", "灯塔工厂"]


@pytest.mark.parametrize("query", RANKED)
def test_whole_words_rank_first(browser, served, query):
    page = browser.new_page()
    found = _search(page, served, query)
    page.close()
    expected = SEARCHES[query]
    assert set(found[:len(expected)]) == expected, f"{query}: expected {expected} first, got {found}"


def test_theme_filter_narrows_results(browser, served):
    page = browser.new_page()
    assert _search(page, served, "算力", theme="民生") == []
    assert set(_search(page, served, "人工智能", theme="科创")) == {"苏州", "常州"}
    page.close()


def test_search_is_usable_with_the_keyboard(browser, served):
    """From any page: focus the header box, type, press Enter; results are announced and reachable by Tab."""
    page = browser.new_page()
    page.goto(served + "index.html")
    page.focus("#site-search")
    page.keyboard.type("零工市场")
    page.keyboard.press("Enter")
    page.wait_for_function("() => /找到/.test(document.getElementById('search-status').textContent)"
                           " && !document.querySelector('#results li[hidden]')")
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    page.focus("#q")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#results') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    page.close()


def test_search_explains_itself_when_opened_from_disk(browser, seed_site):
    page = browser.new_page()
    page.goto((seed_site / "search" / "index.html").as_uri())
    assert "需要通过网址访问" in page.text_content("#search-status")
    assert page.is_disabled("#q")
    page.close()


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    """A small synthetic site (benchmarks/make_corpus.py) full of county and district names."""
    import sys

    from digest import search
    from digest.build import build_site

    if not search.available():
        pytest.skip("pagefind is not installed")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import make_corpus

    root = tmp_path_factory.mktemp("corpus")
    make_corpus.write(make_corpus.corpus(120, seed=3), root / "content")
    build_site(root / "content", root / "site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_UnderSubPath, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    names = sorted({p.read_text(encoding="utf-8").split("\ncity: ", 1)[1].split("\n", 1)[0]
                    for p in (root / "content").glob("*/*.yaml") if p.name != "digest.yaml"})
    yield f"http://127.0.0.1:{server.server_address[1]}/digest/", names
    server.shutdown()
    server.server_close()


def test_place_names_find_their_entries(browser, corpus_site):
    """Every tenth place name of the corpus (counties, districts: words no dictionary knows) ranks its entry in the top three."""
    served, names = corpus_site
    page = browser.new_page()
    missed = []
    for name in names[::10]:
        if name not in _search(page, served, name)[:3]:
            missed.append(name)
    page.close()
    assert missed == []
