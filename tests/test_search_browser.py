"""The search page in Chromium: what it finds, in which order, how it shows it, and what it says
when there is no index."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from digest import content, search
from digest.build import build_site

from .conftest import SEED_CONTENT
from .test_browser import browser, serve_under_subpath  # noqa: F401 - a fixture

pytest.importorskip("playwright")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is needed"),
              pytest.mark.skipif(not search.available(), reason="Pagefind (extended) is not installed")]

PUNCTUATION = "、。,,.;;::!!??)]}】》」』〕〉”’…·"


@pytest.fixture(scope="module")
def served(seed_site):
    server, url = serve_under_subpath(seed_site)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    assert errors == []


def results(page, served: str, query: str, theme: str = "") -> list[dict]:
    """The results the search page shows for `query` (and a theme filter), in order: url, title,
    meta line, excerpt text and the marked words."""
    url = f"{served}search/index.html?q={query}" + (f"&theme={theme}" if theme else "")
    page.goto(url)
    page.wait_for_function("() => /找到|没有找到|索引|搜索/.test(document.getElementById('search-status').textContent)"
                           " && document.getElementById('search-status').textContent !== '输入关键词开始搜索。'"
                           " && !document.querySelector('#results li[hidden]')", timeout=15_000)
    return page.eval_on_selector_all("#results li", """nodes => nodes.map(n => ({
        url: n.querySelector('a').getAttribute('href'), title: n.querySelector('a').textContent,
        meta: n.querySelector('.card-meta').textContent, excerpt: n.querySelector('.excerpt').textContent,
        marks: [...n.querySelectorAll('.excerpt mark')].map(m => m.textContent)}))""")


def cities(found: list[dict]) -> list[str]:
    """The cities of the entry results, in order (digests have no city)."""
    return [r["meta"].split(" · ")[0] for r in found if not r["meta"].startswith("汇编")]


# Recall.  Query → the cities whose entries contain the words: all must come back.  Words cut from
# the middle of sentences and short words included: Pagefind's extended build must segment Chinese the same
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


@pytest.mark.parametrize("query", SEARCHES)
def test_chinese_search_finds_the_entries(page, served, query):
    found = cities(results(page, served, query))
    assert SEARCHES[query] <= set(found), f"{query}: expected {SEARCHES[query]}, got {found}"


# Multi-character words: the entries holding the whole word rank above pages that only share
# some of its characters.
RANKED = ["天合光能", "零工市场", "焦点访谈", "紫金山实验室", "中国矿业大学", "民生议事会", "灯塔工厂", "6G", "算力"]


@pytest.mark.parametrize("query", RANKED)
def test_whole_words_rank_first(page, served, query):
    found = cities(results(page, served, query))
    expected = SEARCHES[query]
    assert set(found[:len(expected)]) == expected, f"{query}: expected {expected} first, got {found}"


def _own_entries() -> dict[tuple[str, str], set[str]]:
    """(kind, name) → the urls of the committed content's entries of that city or official."""
    site = content.read_site(SEED_CONTENT)
    own = defaultdict(set)
    for entry in site.entries:
        url = f"/digest/digests/{entry.digest_id}/{entry.slug}/"
        own[("city", entry.city)].add(url)
        for person in entry.people:
            own[("person", person.name)].add(url)
    return dict(own)


OWN = _own_entries()


@pytest.mark.parametrize("kind, name", sorted(OWN))
def test_a_city_or_an_official_lists_its_own_entries_first(page, served, kind, name):
    found = [r["url"] for r in results(page, served, name)]
    own = OWN[(kind, name)]
    assert set(found[:len(own)]) == own, f"{name}: expected {sorted(own)} first, got {found[:4]}"


def test_the_committed_content_has_cities_and_officials_to_test():
    assert sum(kind == "city" for kind, _ in OWN) == 13 and sum(kind == "person" for kind, _ in OWN) >= 5


def test_hits_are_marked_as_the_whole_words_typed(page, served):
    for query in ("算力", "紫金山实验室", "王剑锋"):
        first = results(page, served, query)[0]
        assert first["marks"] and set(first["marks"]) == {query}, first


def test_excerpts_start_at_a_word_not_at_punctuation(page, served):
    for query in SEARCHES:
        for result in results(page, served, query):
            assert result["excerpt"] and result["excerpt"][0] not in PUNCTUATION + " ", (query, result["excerpt"][:20])


def test_result_links_lead_to_the_entries(page, served):
    first = results(page, served, "零工市场")[0]
    assert first["title"].startswith("泰州")
    page.goto(served.removesuffix("/digest/") + first["url"])
    assert "零工市场" in page.text_content("main")


def test_theme_filter_narrows_results(page, served):
    assert results(page, served, "算力", theme="民生") == []
    assert set(cities(results(page, served, "人工智能", theme="科创"))) == {"苏州", "常州"}


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


def _status_of_site_without_index(browser, site: Path) -> str:
    server, url = serve_under_subpath(site)
    try:
        page = browser.new_page()
        page.goto(url + "search/index.html?q=算力")
        page.wait_for_function("() => /索引|搜索未开启/.test(document.getElementById('search-status').textContent)")
        text = page.text_content("#search-status")
        page.close()
        return text
    finally:
        server.shutdown()
        server.server_close()


def test_a_site_built_with_no_search_says_so(browser, tmp_path):
    build_site(SEED_CONTENT, tmp_path / "site", search=False)
    assert "--no-search" in _status_of_site_without_index(browser, tmp_path / "site")


def test_a_site_built_without_pagefind_says_how_to_turn_search_on(browser, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "unavailable", lambda: search.OFF_NOTE)
    build_site(SEED_CONTENT, tmp_path / "site")
    text = _status_of_site_without_index(browser, tmp_path / "site")
    assert "pip install -e ." in text and "--no-search" not in text


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory):
    """A synthetic site (benchmarks/make_corpus.py) full of county and district names and officials."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import make_corpus

    root = tmp_path_factory.mktemp("corpus")
    make_corpus.write(make_corpus.corpus(300, seed=3), root / "content")
    build_site(root / "content", root / "site")
    server, url = serve_under_subpath(root / "site")
    site = content.read_site(root / "content")
    own = defaultdict(set)
    for entry in site.entries:
        own[entry.city].add(f"/digest/digests/{entry.digest_id}/{entry.slug}/")
        for person in entry.people:
            own[person.name].add(f"/digest/digests/{entry.digest_id}/{entry.slug}/")
    yield url, dict(own), sorted({e.city for e in site.entries}), sorted({p.name for e in site.entries for p in e.people})
    server.shutdown()
    server.server_close()


def test_place_and_person_names_of_a_corpus_list_their_entries_first(page, corpus_site):
    """Every eighth place name (counties, districts: words no dictionary knows) and person's name of
    the corpus lists its own entries first."""
    served, own, places, people = corpus_site
    missed = []
    for name in places[::8] + people[::8]:
        found = [r["url"] for r in results(page, served, name)]
        if set(found[:len(own[name])]) != own[name]:
            missed.append((name, found[:3]))
    assert missed == []


def test_a_query_with_regex_characters_is_harmless(page, served):
    assert results(page, served, "(算力") is not None
    assert re.search(r"找到|没有找到", page.text_content("#search-status"))
