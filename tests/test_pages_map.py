"""Maps on pages (issue 20), in Chromium: on every digest page (a province's cities, another province's,
one city's districts), theme page and the cities page, each place is a linked, named marker inside
the SVG's view box, markers do not overlap, and the list beside the map names the same places."""

from __future__ import annotations

import shutil

import pytest

from .test_reader_browser import served  # noqa: F401 - a fixture
from .test_browser import browser  # noqa: F401 - a fixture
from .test_reader_site import reader_content, reader_model, reader_site  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is needed")]

OVERLAP = 0.5
"""Pixels (of the view box) two markers' circles may overlap by."""

# Each map on the page: its view box, its markers (name, resolved link, circle) and the list beside it.
MAPS = """() => [...document.querySelectorAll('svg.digest-map')].map(svg => {
  const box = svg.viewBox.baseVal;
  const panel = svg.closest('.map-panel, .province-layout');
  const list = panel ? [...panel.querySelectorAll('ul a')].map(a => [a.textContent.trim(), a.href]) : null;
  const markers = [...svg.querySelectorAll('a.dm-place')].map(a => {
    const c = a.querySelector('circle.dm-m');
    return {name: a.getAttribute('aria-label'), href: new URL(a.getAttribute('href'), location.href).href,
            x: +c.getAttribute('cx'), y: +c.getAttribute('cy'), r: +c.getAttribute('r'),
            title: a.querySelector('title') && a.querySelector('title').textContent};
  });
  return {box: [box.x, box.y, box.width, box.height], label: svg.getAttribute('aria-label'), markers, list,
          offMap: panel ? panel.querySelectorAll('.off-map').length : 0};
})"""


def _maps(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate(MAPS)
    page.close()
    assert errors == []
    return found


def _check(found: dict) -> None:
    """Inside the view box, apart, named, and matched one to one by the list."""
    x0, y0, width, height = found["box"]
    assert found["label"] and found["markers"]
    for m in found["markers"]:
        assert m["name"] and m["title"] == m["name"]
        assert x0 <= m["x"] - m["r"] and m["x"] + m["r"] <= x0 + width, m
        assert y0 <= m["y"] - m["r"] and m["y"] + m["r"] <= y0 + height, m
    markers = found["markers"]
    for i, a in enumerate(markers):
        for b in markers[i + 1:]:
            distance = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5
            assert distance >= a["r"] + b["r"] - OVERLAP, (a["name"], b["name"], distance)
    assert found["offMap"] == 0
    assert sorted((m["name"], m["href"]) for m in markers) == sorted(map(tuple, found["list"]))


@pytest.mark.parametrize("digest", ["2026-01-04-jiangsu", "2026-01-05-zhejiang", "2026-01-06-chengdu"])
def test_every_place_of_a_digest_is_a_linked_named_marker_on_its_map(browser, served, reader_model, digest):
    url = f"{served}digests/{digest}/index.html"
    (found,) = _maps(browser, url)
    _check(found)
    entries = [e for e in reader_model.entries if e.digest_id == digest]
    expected = {(e.city, f"{served}digests/{digest}/{e.slug}/index.html") for e in entries}
    assert {(m["name"], m["href"]) for m in found["markers"]} == expected


def test_theme_pages_and_the_cities_page_map_their_places(browser, served, reader_model):
    used = {e.theme for e in reader_model.entries}
    for theme in (t for t in reader_model.themes if t.name in used):
        (found,) = _maps(browser, f"{served}themes/{theme.slug}/index.html")
        _check(found)
        places = {e.slug for e in reader_model.entries if e.theme == theme.name}
        assert {m["href"] for m in found["markers"]} == {f"{served}cities/{slug}/index.html" for slug in places}
    maps = _maps(browser, f"{served}cities/index.html")
    assert len(maps) == len({e.province for e in reader_model.entries})
    for found in maps:
        _check(found)
    assert sum(len(found["markers"]) for found in maps) == len({e.slug for e in reader_model.entries})


def test_a_city_page_locates_its_city(browser, served):
    (found,) = _maps(browser, f"{served}cities/jinjiang-chengdu/index.html")
    _check(found)
    assert [m["name"] for m in found["markers"]] == ["锦江区"]
