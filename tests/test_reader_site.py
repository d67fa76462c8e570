"""The site as a reader meets it (issues 18 and 20), on the committed content plus two round-ups of our
own, ingested as a user would: another province, and a district round-up of one city.

The fixtures here (`reader_content`, `reader_site`) are shared with the browser tests
(test_reader_browser.py).  Everything below reads the built HTML; nothing is tuned to the texts.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest import content as reading, search
from digest.build import build_site
from digest.ingest import ingest

from .conftest import SEED_CONTENT

# A province-wide round-up with numbered theme headings, and a district round-up of one city whose
# district secretary shares his name with Changzhou's party secretary.
ZHEJIANG = """
2026年首个工作日,浙江各地在忙啥

2026年1月5日,新年首个工作日,浙江各地迅速进入工作状态,以项目为抓手,为全年发展开好局。

一、科技创新

杭州召开全市科技创新大会,市委书记刘捷表示,杭州将加快建设具有全球影响力的科创高地,全年新增国家高新技术企业1500家,全社会研发投入强度达到4%。

宁波举行数字经济发展大会,市委书记彭佳学要求,加快培育工业互联网平台,全年规上工业增加值增长7%。

二、项目攻坚

温州召开重大项目集中开工活动,市长张振丰出席,此次集中开工项目120个,总投资860亿元。

嘉兴举行招商引资推进会,签约项目42个,计划总投资达310亿元。

三、民生实事

绍兴召开民生实事项目推进会,全年计划新增托育机构托位3000个,改造老旧小区200个。

湖州举办新春招聘会,提供就业岗位2.6万个,帮助群众就近就业。

(来源:浙江日报、杭州日报、宁波日报)
"""
CHENGDU = """
新年第二个工作日,成都各区在忙啥

2026年1月6日,新年第二个工作日,成都各区纷纷召开大会、走进一线,抢抓开局。

锦江区召开高质量发展大会,区委书记王剑锋表示,锦江区将聚焦商业消费,全年新引进首店80家。

青羊区举行重大项目集中开工仪式,开工项目25个,总投资达160亿元。

武侯区召开优化营商环境大会,区长李华表示,全年新增市场主体1.5万户。

成华区走访重点企业,区委书记刘强深入企业一线,现场解决问题32个。

双流区举行航空经济招商推进会,签约项目18个,总投资220亿元。

郫都区召开乡村振兴工作会议,全年建设高标准农田5万亩。

(来源:成都日报)
"""
ARTICLES = {"zhejiang.txt": ZHEJIANG, "chengdu.txt": CHENGDU}


@pytest.fixture(scope="session")
def reader_content(tmp_path_factory) -> Path:
    """The committed content with our two round-ups ingested into it."""
    root = tmp_path_factory.mktemp("reader")
    content = root / "content"
    shutil.copytree(SEED_CONTENT, content)
    for name, text in ARTICLES.items():
        article = root / name
        article.write_text(text.strip() + "\n", encoding="utf-8")
        ingest(str(article), content, note=lambda line: None)
    return content


@pytest.fixture(scope="session")
def reader_site(reader_content, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reader-site") / "site"
    build_site(reader_content, out, base_url="https://example.org/digest/", search=search.available())
    return out


@pytest.fixture(scope="session")
def reader_model(reader_content):
    return reading.read_site(reader_content)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def text_of(node) -> str:
    return re.sub(r"\s+", "", node.get_text())


def test_our_round_ups_were_ingested_as_expected(reader_model):
    """The fixtures are what the tests below assume: three digests, a province, a city's districts."""
    by_digest = {d.id: [e for e in reader_model.entries if e.digest_id == d.id] for d in reader_model.digests}
    assert [d.id for d in reader_model.digests] == ["2026-01-06-chengdu", "2026-01-05-zhejiang", "2026-01-04-jiangsu"]
    assert {e.city for e in by_digest["2026-01-06-chengdu"]} >= {"锦江区", "青羊区", "武侯区", "成华区"}
    assert all(e.parent == "成都" for e in by_digest["2026-01-06-chengdu"])
    assert {e.province for e in by_digest["2026-01-05-zhejiang"]} == {"浙江省"}


def test_home_leads_with_the_latest_digest_and_lists_the_others(reader_site, reader_model):
    page = soup(reader_site / "index.html")
    latest, *others = reader_model.digests
    assert page.select_one(".lead h1").get_text(strip=True) == latest.title
    listed = [h.get_text(strip=True) for h in page.select(".recent .digest-title")]
    assert listed == [d.title for d in others]
    for card in page.select(".recent .digest-card"):  # themes and places at a glance
        assert card.select(".chips li") and card.select(".places a")


def test_home_jump_list_leads_to_each_theme_section(seed_site):
    """A digest with several themes (the committed one, the latest there) gets a jump list to them."""
    page = soup(seed_site / "index.html")
    jumps = [a["href"] for a in page.select("nav.jump a")]
    sections = ["#" + s["aria-labelledby"] for s in page.select("section.theme-section")]
    assert len(jumps) > 1 and jumps == sections


def test_every_card_figure_has_a_label(reader_site):
    cards = 0
    for path in html_pages(reader_site):
        for figure in soup(path).select(".card .figures li, .timeline .figures li"):
            cards += 1
            label, amount = figure.select_one(".figure-label"), figure.select_one("strong")
            assert label and label.get_text(strip=True) and amount and re.search(r"\d", amount.get_text()), path
    assert cards > 20


def test_no_entry_page_repeats_its_summary(reader_site, reader_model):
    for entry in reader_model.entries:
        page = soup(reader_site / "digests" / entry.digest_id / entry.slug / "index.html")
        article = text_of(page.select_one("article.entry"))
        summary = re.sub(r"\s+", "", entry.summary)
        assert article.count(summary) == 1 if summary else True, entry.path


def test_entry_titles_name_their_place_once(reader_site, reader_model):
    for entry in reader_model.entries:
        title = soup(reader_site / "digests" / entry.digest_id / entry.slug / "index.html").h1.get_text()
        assert title.count(entry.city) == max(1, entry.headline.count(entry.city)), (entry.path, title)


@pytest.mark.parametrize("which", ["committed", "ours"])
def test_theme_navigation_holds_only_themes_with_entries_and_marks_the_current_one(which, request):
    """On the committed content (综合 has no entries) and with our round-ups (综合 has)."""
    site = request.getfixturevalue("seed_site" if which == "committed" else "reader_site")
    model = reading.read_site(SEED_CONTENT) if which == "committed" else request.getfixturevalue("reader_model")
    used = {e.theme for e in model.entries}
    themes = {t.slug: t.name for t in model.themes}
    for path in html_pages(site):
        page = soup(path)
        assert {a.get_text() for a in page.select(".site-nav a[href*='themes/']")} == used, path
        relative = path.relative_to(site).as_posix()
        current = [(a.get_text(), a["aria-current"]) for a in page.select(".site-nav [aria-current]")]
        if relative.startswith("themes/"):
            name = themes[relative.split("/")[1]]
            assert current == ([(name, "page" if "/page/" not in relative else "true")] if name in used else [])
        elif relative.startswith("digests/") and relative.count("/") == 3:
            assert current == [(page.select_one(".kicker a").get_text(), "true")]
        elif relative.startswith("digests/"):
            assert current == [("往期", "true")]


def test_an_empty_theme_keeps_its_page_and_says_why(seed_site):
    model = reading.read_site(SEED_CONTENT)
    empty = [t for t in model.themes if t.name not in {e.theme for e in model.entries}]
    assert empty
    for theme in empty:
        page = soup(seed_site / "themes" / theme.slug / "index.html")
        assert "暂无动态" in page.select_one(".count").get_text() and "小标题" in page.select_one(".notice").get_text()


def test_publication_time_is_written_for_people(reader_site):
    page = soup(reader_site / "digests" / "2026-01-04-jiangsu" / "index.html")
    time = page.select_one(".byline time")
    assert time.get_text() == "2026年1月8日 10:39" and time["datetime"] == "2026-01-08T10:39"


def test_entry_side_column_holds_people_figures_and_events(reader_site):
    page = soup(reader_site / "digests" / "2026-01-04-jiangsu" / "changzhou" / "index.html")
    side = page.select_one(".entry-layout > aside")
    assert [h.get_text() for h in side.select("h2")][:3] == ["人物", "数字", "会议与活动"]
    assert "图片来源" not in page.get_text()  # no image, so no image credit


def test_digest_pages_have_a_table_of_key_figures_by_place(reader_site, reader_model):
    for digest in reader_model.digests:
        entries = [e for e in reader_model.entries if e.digest_id == digest.id]
        page = soup(reader_site / "digests" / digest.id / "index.html")
        rows = page.select("table.figures-table tbody tr")
        assert len(rows) == sum(len(e.figures) for e in entries), digest.id
        expected = {(e.city, f.unit, f.value) for e in entries for f in e.figures}
        shown = set()
        for row in rows:
            place, label, value, unit, source = row.find_all(["th", "td"])
            assert label.get_text(strip=True) and float(value["data-value"]) == float(value.get_text())
            assert value["data-unit"] == unit.get_text()
            shown.add((place.get_text(), unit.get_text(), float(value["data-value"])))
            anchor = source.a["href"]
            assert anchor.startswith("#p") and page.find(id=anchor[1:]) is not None
        assert shown == {(c, u, float(v)) for c, u, v in expected}
