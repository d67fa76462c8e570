"""The built site: pages, links, provenance, safety and atomic builds."""

from __future__ import annotations

import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
from bs4 import BeautifulSoup

from digest.build import build_site
from digest.cli import main

from .conftest import write_tree


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_home_shows_three_themes_with_their_cities(seed_site):
    page = soup(seed_site / "index.html")
    sections = {s.h2.a.get_text(strip=True): {c.select_one(".card-meta a").get_text() for c in s.select(".card")}
                for s in page.select("section.theme-section")}
    assert sections == {"科创": {"南京", "苏州", "无锡", "常州", "徐州"}, "产业": {"连云港", "淮安", "盐城", "宿迁"},
                        "民生": {"扬州", "泰州", "镇江", "南通"}}
    assert "十三座城市" in page.select_one(".intro").get_text()


@pytest.mark.parametrize("slug, expected", [("kechuang", 5), ("chanye", 4), ("minsheng", 4)])
def test_theme_pages_list_their_cities(seed_site, slug, expected):
    page = soup(seed_site / "themes" / slug / "index.html")
    assert len(page.select(".card")) == expected


def test_city_and_entry_pages_with_people_and_figures(seed_site):
    city_pages = [p for p in (seed_site / "cities").glob("*/index.html")]
    entry_pages = list((seed_site / "digests" / "2026-01-04-jiangsu").glob("*/index.html"))
    assert len(city_pages) == 13 and len(entry_pages) == 13
    changzhou = soup(seed_site / "digests" / "2026-01-04-jiangsu" / "changzhou" / "index.html")
    assert "王剑锋" in changzhou.select_one(".people").get_text()
    wuxi = soup(seed_site / "cities" / "wuxi" / "index.html").get_text()
    assert "13800 PFLOPS" in wuxi and "2.7万亿元" in wuxi and "江苏省" in wuxi


def test_every_source_link_lands_on_an_existing_paragraph(seed_site):
    for page in (seed_site / "digests" / "2026-01-04-jiangsu").glob("*/index.html"):
        link = soup(page).select_one(".source a")
        target, fragment = urldefrag(link["href"])
        digest_page = (page.parent / target).resolve()
        assert fragment and soup(digest_page).find(id=fragment) is not None, page


def test_digest_paragraphs_link_back_to_entries(seed_site):
    page = soup(seed_site / "digests" / "2026-01-04-jiangsu" / "index.html")
    made = [a["href"] for a in page.select(".made a")]
    assert len(made) == 13
    assert [h.get_text() for h in page.select("h2")][:3] == [
        "科创领航:锚定未来赛道,锻造产业高地", "产业攻坚:一线破解难题,跑出建设加速度", "民生为本:聚焦关键小事,传递城市温度"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, int]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if key in attrs and attrs[key] is not None:
                self.links.append((attrs[key], self.getpos()[0]))


def broken_links(site: Path, base_path: str = "/digest/") -> list[str]:
    """Every internal href/src of every page must name an existing file (and anchor).

    Links starting with the base URL's path (the 404 page's) resolve from the site's top.
    """
    parsed = {}
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page.resolve()] = parser
    broken = []
    for page, parser in parsed.items():
        for link, line in parser.links:
            if re.match(r"^(https?:|mailto:|data:|#$)", link):
                continue
            target, fragment = urldefrag(link)
            folder = page.parent
            if target.startswith(base_path):
                folder, target = site, target[len(base_path):]
            path = (folder / unquote(target)).resolve() if target else page
            if not path.exists() or path.is_dir():
                broken.append(f"{page}:{line}: {link}")
            elif fragment and path.suffix == ".html" and fragment not in parsed[path].ids:
                broken.append(f"{page}:{line}: missing anchor {link}")
    return broken


def test_every_internal_link_resolves(seed_site):
    assert broken_links(seed_site) == []


def test_every_page_is_zh_cn_with_title_and_description(seed_site):
    for page in seed_site.rglob("*.html"):
        doc = soup(page)
        assert doc.html["lang"] == "zh-CN"
        assert doc.title.get_text(strip=True)
        description = doc.find("meta", attrs={"name": "description"})["content"]
        assert description.strip()
        # Open Graph repeats them, trimmed, for link previews
        assert doc.find("meta", property="og:title")["content"] == doc.title.get_text().strip()
        assert doc.find("meta", property="og:description")["content"] == description.strip()


def test_entry_pages_have_canonical_and_json_ld(seed_site):
    page = soup(seed_site / "digests" / "2026-01-04-jiangsu" / "nanjing" / "index.html")
    assert page.find("link", rel="canonical")["href"] == "https://example.org/digest/digests/2026-01-04-jiangsu/nanjing/"
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle" and data["contentLocation"]["name"] == "南京"


def test_build_is_deterministic(seed_content, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build_site(seed_content, first, search=False)
    build_site(seed_content, second, search=False)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_invalid_content_reports_every_problem_and_keeps_the_old_site(seed_content, tmp_path, capsys):
    out = tmp_path / "site"
    build_site(seed_content, out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    nanjing = seed_content / "2026-01-04-jiangsu" / "nanjing.yaml"
    nanjing.write_text(nanjing.read_text(encoding="utf-8").replace("theme: 科创", "theme: 科技"), encoding="utf-8")
    wuxi = seed_content / "2026-01-04-jiangsu" / "wuxi.yaml"
    wuxi.write_text(wuxi.read_text(encoding="utf-8").replace("city: 无锡", "city: [无锡]"), encoding="utf-8")
    code = main(["build", "--content", str(seed_content), "--output", str(out), "--no-search"])
    err = capsys.readouterr().err
    assert code == 1
    theme_line = next(i for i, line in enumerate(nanjing.read_text(encoding="utf-8").splitlines(), 1)
                      if line.startswith("theme:"))
    assert f"nanjing.yaml:{theme_line}: theme '科技' is not defined — use one of 科创, 产业, 民生" in err
    city_line = next(i for i, line in enumerate(wuxi.read_text(encoding="utf-8").splitlines(), 1)
                     if line.startswith("city:"))
    assert f"wuxi.yaml:{city_line}: 'city' must be text" in err
    assert "Traceback" not in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_deleted_entries_disappear(seed_content, tmp_path):
    out = tmp_path / "site"
    build_site(seed_content, out, search=False)
    assert (out / "cities" / "nantong" / "index.html").exists()
    (seed_content / "2026-01-04-jiangsu" / "nantong.yaml").unlink()
    build_site(seed_content, out, search=False)
    assert not (out / "cities" / "nantong").exists()
    assert not (out / "digests" / "2026-01-04-jiangsu" / "nantong").exists()


def test_hostile_content_renders_inert(seed_content, tmp_path):
    nanjing = seed_content / "2026-01-04-jiangsu" / "nanjing.yaml"
    text = nanjing.read_text(encoding="utf-8")
    text = text.replace("headline: ", 'headline: <script>alert("h")</script><img src=x onerror=alert(1)>', 1)
    text = text.replace("body: |-\n", 'body: |-\n  <script>alert("b")</script> [点我](javascript:alert(1))'
                                       ' <a href="#" onclick="alert(2)">x</a> <div><b>broken\n\n', 1)
    nanjing.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    build_site(seed_content, out, search=False)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        doc = BeautifulSoup(html, "html.parser")
        assert not any("alert" in (s.string or "") for s in doc.find_all("script")), page
        assert not doc.find(attrs={"onclick": True}) and not doc.find(attrs={"onerror": True}), page
        assert "javascript:" not in " ".join(a.get("href", "") for a in doc.find_all("a")), page


def test_template_override_replaces_the_default(seed_content, tmp_path):
    write_tree(seed_content, {"mytheme/404.html": """
        {% extends "base.html" %}
        {% block title %} 找不到 & 走丢了 {% endblock %}
        {% block main %}<h1>自定义的404</h1>{% endblock %}
    """})
    settings = seed_content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "templates: mytheme\n", encoding="utf-8")
    out = tmp_path / "site"
    build_site(seed_content, out, search=False)
    page = soup(out / "404.html")
    assert page.h1.get_text() == "自定义的404"
    assert page.title.get_text() == " 找不到 & 走丢了 "  # the block overridden, in both places
    assert page.find("meta", property="og:title")["content"] == "找不到 & 走丢了"
    assert "王剑锋" in (out / "digests/2026-01-04-jiangsu/changzhou/index.html").read_text(encoding="utf-8")


def test_template_typo_fails_the_build_and_keeps_the_site(seed_content, tmp_path, capsys):
    out = tmp_path / "site"
    build_site(seed_content, out, search=False)
    write_tree(seed_content, {"mytheme/page.html": "{% extends 'base.html' %}{% block main %}{{ pgae.body }}{% endblock %}"})
    settings = seed_content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "templates: mytheme\n", encoding="utf-8")
    assert main(["build", "--content", str(seed_content), "--output", str(out), "--no-search"]) == 1
    assert "pgae" in capsys.readouterr().err
    assert (out / "index.html").exists()


def test_paginates_long_listings(seed_content, tmp_path):
    settings = seed_content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("per_page: 20", "per_page: 2"), encoding="utf-8")
    out = tmp_path / "site"
    build_site(seed_content, out, search=False)
    assert (out / "themes" / "kechuang" / "page" / "3" / "index.html").exists()
    assert not (out / "themes" / "kechuang" / "page" / "4").exists()
    assert broken_links(out, base_path="/") == []


def test_paginates_city_pages_of_a_big_site(tmp_path):
    """Listings stay small at scale: a city with more entries than per_page gets numbered pages."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import make_corpus

    content = tmp_path / "content"
    make_corpus.write(make_corpus.corpus(700, seed=3), content)  # small provinces' places come round again
    settings = content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("per_page: 20", "per_page: 1"), encoding="utf-8")
    out = tmp_path / "site"
    build_site(content, out, search=False)
    paged = sorted(out.glob("cities/*/page/2/index.html"))
    assert paged, "no city has more than one entry"
    city = paged[0].parent.parent.parent
    pages = [city / "index.html", *sorted((city / "page").glob("*/index.html"))]
    first = pages[0].read_text(encoding="utf-8")
    total = int(re.search(r"(\d+) 条动态", first).group(1))
    assert len(pages) == total
    listed = [len(soup(page).select(".timeline > li")) for page in pages]
    assert listed == [1] * total  # every entry on exactly one page
    assert 'rel="next"' in first
    assert not any('id="people-h"' in page.read_text(encoding="utf-8") for page in pages[1:])  # officials: page 1
    for page in pages:  # the pager's links lead to the neighbouring pages
        for href in re.findall(r'rel="(?:prev|next)" href="([^"]+)"', page.read_text(encoding="utf-8")):
            assert (page.parent / href).resolve() in {p.resolve() for p in pages}, (page, href)


def test_cli_default_command_builds(seed_content, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(seed_content.parent)
    assert main([]) == 0
    assert re.search(r"built site in [\d.]+ s: (\d+) of \1 files rendered \(\d+ pages\)", capsys.readouterr().out)
    assert (tmp_path / "site" / "index.html").exists()
    assert os.stat(tmp_path / "site").st_mode & 0o055 == 0o055
