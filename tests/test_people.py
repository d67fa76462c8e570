"""People (issue 20): a page per official keyed by name and place, an index, officials on city pages;
and city pages as timelines across digests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest import content as reading
from digest.build import build_site
from digest.people import officials, person_path

from .conftest import SEED_CONTENT
from .test_build import broken_links
from .test_reader_site import reader_content, reader_model, reader_site  # noqa: F401 - fixtures

DIGEST = "2026-01-04-jiangsu"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_official_of_the_committed_content_has_a_page(seed_site):
    site = reading.read_site(SEED_CONTENT)
    named = [(p.name, e) for e in site.entries for p in e.people]
    assert named
    for name, entry in named:
        page = soup(seed_site / person_path(name, entry.slug))
        assert page.h1.get_text() == name
        links = {a["href"] for a in page.select(".timeline-title a")}
        assert f"../../digests/{entry.digest_id}/{entry.slug}/index.html" in links
        index = soup(seed_site / "people" / "index.html")
        assert name in {a.get_text() for a in index.select(".people a")}


def test_two_officials_sharing_a_name_in_different_places_get_two_pages(reader_site, reader_model):
    """王剑锋 is Changzhou's party secretary and, in our Chengdu round-up, Jinjiang district's."""
    places = sorted({e.slug for e in reader_model.entries if any(p.name == "王剑锋" for p in e.people)})
    assert places == ["changzhou", "jinjiang-chengdu"]
    pages = [reader_site / person_path("王剑锋", slug) for slug in places]
    assert len({p.resolve() for p in pages}) == 2
    for page, slug in zip(pages, places):
        doc = soup(page)
        entries = [a["href"] for a in doc.select(".timeline-title a")]
        assert len(entries) == 1 and f"/{slug}/index.html" in entries[0]
        assert doc.select_one(".kicker").get_text().count("·") >= 1


def test_city_pages_list_their_officials(reader_site, reader_model):
    for entry in reader_model.entries:
        page = soup(reader_site / "cities" / entry.slug / "index.html")
        listed = {a.get_text(): a["href"] for a in page.select("#people-h ~ .people a")}
        for person in entry.people:
            assert listed[person.name].endswith(person_path(person.name, entry.slug))


def test_person_pages_link_to_source_paragraphs_and_every_link_resolves(reader_site):
    page = soup(reader_site / person_path("王剑锋", "changzhou"))
    assert any("#p" in a["href"] for a in page.select(".timeline .source a"))
    assert broken_links(reader_site) == []


@pytest.fixture(scope="module")
def two_digests(tmp_path_factory) -> Path:
    """The committed content and a later digest in which Changzhou appears again, its party secretary
    with another title, and a second official named."""
    content = tmp_path_factory.mktemp("two") / "content"
    shutil.copytree(SEED_CONTENT, content)
    later = content / "2026-02-01-jiangsu"
    later.mkdir()
    digest = (content / DIGEST / "digest.yaml").read_text(encoding="utf-8")
    later.joinpath("digest.yaml").write_text(digest.replace(DIGEST, "2026-02-01-jiangsu").replace(
        "date: '2026-01-04'", "date: '2026-02-01'").replace("title: 2026年首个工作日", "title: 2月首个工作日"), encoding="utf-8")
    entry = (content / DIGEST / "changzhou.yaml").read_text(encoding="utf-8")
    entry = entry.replace(DIGEST, "2026-02-01-jiangsu").replace("date: '2026-01-04'", "date: '2026-02-01'")
    entry = entry.replace("headline: 常州走出了另一条特色路径", "headline: 常州再出发")
    entry = entry.replace("  title: 市委书记\n", "  title: 市委书记、市人大常委会主任\n- name: 盛秋平\n  title: 市长\n")
    later.joinpath("changzhou.yaml").write_text(entry, encoding="utf-8")
    out = content.parent / "site"
    build_site(content, out, search=False)
    return out


def test_one_official_in_two_digests_is_one_person_newest_first(two_digests):
    page = soup(two_digests / person_path("王剑锋", "changzhou"))
    assert [a.get_text() for a in page.select(".timeline-title a")] == ["常州再出发", "常州走出了另一条特色路径"]
    assert page.select_one(".lede").get_text() == "市委书记、市人大常委会主任、市委书记"
    assert (two_digests / person_path("盛秋平", "changzhou")).exists()


def test_a_city_page_is_its_timeline_grouped_by_digest_newest_first(two_digests):
    page = soup(two_digests / "cities" / "changzhou" / "index.html")
    groups = page.select(".timeline-group")
    assert [g.select_one(".group-head time")["datetime"] for g in groups] == ["2026-02-01", "2026-01-04"]
    assert [len(g.select(".timeline > li")) for g in groups] == [1, 1]
    assert [a.get_text() for a in page.select("#people-h ~ .people a")] == ["王剑锋", "盛秋平"]


def test_officials_are_keyed_by_name_and_place():
    site = reading.read_site(SEED_CONTENT)
    found = officials(list(site.entries))
    assert all(key == (o.name, o.slug) for key, o in found.items())
    assert len(found) == len({(p.name, e.slug) for e in site.entries for p in e.people})


@pytest.mark.parametrize("name, segment", [("王剑锋", "王剑锋"), ("买买提·艾力", "买买提·艾力"), ("../x", None),
                                           ("a/b", None), ("王 剑锋", None), ("", None)])
def test_a_person_path_is_the_name_when_safe_else_a_hash(name, segment):
    path = person_path(name, "changzhou")
    assert path.startswith("people/") and path.endswith("-changzhou/index.html") and path.count("/") == 2
    if segment:
        assert path == f"people/{segment}-changzhou/index.html"
    else:
        assert path.split("/")[1][:-len("-changzhou")].isalnum()
