"""The reader's site in Chromium (issues 18 and 20): phones of 360 px, desks of 1280 px, with and
without scripts, on the committed content plus our own two round-ups (test_reader_site.py)."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import ThreadingHTTPServer

import pytest

from .test_browser import AXE_JS, _UnderSubPath, browser  # noqa: F401 - a fixture
from .test_reader_site import reader_content, reader_site  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is needed")]

TEMPLATES = {  # one page of each template, and the pages our round-ups add
    "home": "index.html", "theme": "themes/zonghe/index.html", "city": "cities/jinjiang-chengdu/index.html",
    "cities": "cities/index.html", "digest": "digests/2026-01-06-chengdu/index.html",
    "entry": "digests/2026-01-04-jiangsu/changzhou/index.html", "archive": "archive/index.html",
    "people": "people/index.html", "person": "people/王剑锋-jinjiang-chengdu/index.html",
    "page": "about/index.html", "search": "search/index.html", "404": "404.html",
}
TEXT = "h1, h2, h3, .timeline-title, .lede, .intro p, .body p, .para, .closing p"
"""Headings and running text (cards' summaries are cut to a few lines, so their last line is hidden)."""


@pytest.fixture(scope="module")
def served(reader_site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_UnderSubPath, directory=str(reader_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/digest/"
    server.shutdown()
    server.server_close()


def _open(browser, url: str, width: int, scripts: bool = True):
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=scripts)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, errors


# Rows the header's parts sit on, and characters alone on the last line of a heading.
HEADER_ROWS = """() => new Set(['.brand', '.site-nav', '.header-search'].map(
    s => Math.round(document.querySelector(s).getBoundingClientRect().top / 8))).size"""
ORPHANS = """(selector) => {
  const orphans = [];
  for (const element of document.querySelectorAll(selector)) {
    const lines = [];  // {bottom, letters}: a letter below the line so far starts the next one
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        if (!/[\\p{L}\\p{N}]/u.test(node.data[i])) continue;
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getBoundingClientRect();
        if (!rect.height) continue;
        const last = lines[lines.length - 1];
        if (!last || rect.top >= last.bottom - 2) lines.push({bottom: rect.bottom, letters: 1});
        else { last.letters += 1; last.bottom = Math.max(last.bottom, rect.bottom); }
      }
    }
    if (lines.length > 1 && lines[lines.length - 1].letters < 2) orphans.push(element.textContent.trim());
  }
  return orphans;
}"""


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_phone_of_360_px_has_no_horizontal_scroll_and_a_header_of_two_rows(browser, served, name):
    page, errors = _open(browser, served + TEMPLATES[name], 360)
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(HEADER_ROWS) <= 2
    assert page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height") <= 2 * 56
    page.context.close()


@pytest.mark.parametrize("width", [360, 390, 414, 1280])
def test_no_character_is_left_alone_on_a_last_line(browser, served, width):
    orphans = {}
    for name in ("home", "theme", "digest", "entry", "city", "archive", "person"):
        page, _ = _open(browser, served + TEMPLATES[name], width)
        if found := page.evaluate(ORPHANS, TEXT):
            orphans[name] = found
        page.context.close()
    assert orphans == {}


@pytest.mark.parametrize("name", ["home", "archive", "digest", "person", "people", "city", "theme"])
def test_reader_pages_pass_axe_at_desk_width(browser, served, name):
    page, errors = _open(browser, served + TEMPLATES[name], 1280)
    assert errors == []
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert [f"{v['id']} ({v['impact']}): {len(v['nodes'])}" for v in result["violations"]] == []
    page.context.close()


def test_on_a_desk_the_entry_facts_stand_beside_the_body(browser, served):
    page, _ = _open(browser, served + TEMPLATES["entry"], 1280)
    body = page.locator("article.entry").bounding_box()
    side = page.locator(".entry-layout > aside").bounding_box()
    assert side["x"] >= body["x"] + body["width"] and side["y"] < body["y"] + body["height"] / 2
    page.context.close()
    page, _ = _open(browser, served + TEMPLATES["entry"], 360)
    assert page.locator(".entry-layout > aside").bounding_box()["y"] > page.locator("article.entry").bounding_box()["y"]
    page.context.close()


FIGURE_ROWS = """() => [...document.querySelectorAll('table.figures-table tbody tr')].map(row =>
    [row.cells[0].textContent.trim(), row.cells[2].dataset.unit, parseFloat(row.cells[2].dataset.value)])"""


def test_the_figures_table_sorts_within_units_and_stays_whole_without_scripts(browser, served):
    url = served + "digests/2026-01-04-jiangsu/index.html"
    plain, _ = _open(browser, url, 1280, scripts=False)
    published = plain.evaluate(FIGURE_ROWS)
    assert plain.locator("table.figures-table button").count() == 0 and len(published) > 10
    plain.context.close()
    page, errors = _open(browser, url, 1280)
    assert page.evaluate(FIGURE_ROWS) == published
    page.get_by_role("button", name="数值").click()
    rows = page.evaluate(FIGURE_ROWS)
    assert sorted(map(tuple, rows)) == sorted(map(tuple, published))
    units = [unit for _, unit, _ in rows]
    assert units == sorted(units, key=units.index) and len(set(units)) > 1  # each unit's rows together
    for unit in set(units):
        values = [value for _, u, value in rows if u == unit]
        assert values == sorted(values)
    assert page.get_attribute("thead th:nth-child(3)", "aria-sort") == "ascending"
    page.get_by_role("button", name="地方").click()
    assert page.get_attribute("thead th:nth-child(1)", "aria-sort") == "ascending"
    assert page.get_attribute("thead th:nth-child(3)", "aria-sort") is None
    assert errors == []
    page.context.close()
