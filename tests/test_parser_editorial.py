"""Entries an editor would publish as ingested: headlines that stand alone, summaries of whole
sentences, whole event names, figures with what they count, and headings of many shapes."""

from __future__ import annotations

import re

import pytest

from digest.article.parse import parse_article
from digest.ingest import default_themes

from .conftest import SEED_ARTICLE

LEANING = ("则", "同样", "而", "随后", "当天", "同时", "此外", "另外", "与此同时")
SPEECH = ("表示", "宣布", "指出", "强调", "说")


def parse(text: str):
    return parse_article(text.strip().splitlines(), default_themes(), "test.txt")


def entry(parsed, city: str):
    return next(e for e in parsed.entries if e.city == city)


def publishable(e) -> list[str]:
    problems = []
    if not e.headline or len(e.headline) > 36 or e.headline.startswith(LEANING):
        problems.append("headline")
    if e.headline.endswith(SPEECH) or e.headline[-1:] in ",:、;…" or "【" in e.headline:
        problems.append("headline end")
    if e.headline.rstrip("。") == e.summary.rstrip("。"):
        problems.append("headline is the summary")
    if not e.summary or len(e.summary) > 150 or not e.summary.rstrip("”)").endswith(("。", "!", "?", "…")):
        problems.append("summary")
    if len(re.findall(r"[。!?]", e.body)) > 2 and e.summary == e.body:
        problems.append("summary is the body")
    return problems


def test_every_seed_entry_is_publishable_as_ingested():
    parsed = parse_article(SEED_ARTICLE.read_text(encoding="utf-8").splitlines(), default_themes(), "seed.txt")
    assert {e.city: publishable(e) for e in parsed.entries} == {e.city: [] for e in parsed.entries}


def test_headlines_do_not_lean_on_the_paragraph_before_or_stop_on_a_speech_verb():
    parsed = parse("""
2026年1月4日,江苏各地在忙啥
1月4日,江苏各地纷纷召开新年第一会。
苏州则聚焦“AI+制造”赛道精准发力,发布行动方案,明确全年目标。
同样瞄准人工智能,常州走出了另一条特色路径,打造智能体示范城市。
当天,市委书记徐明表示,无锡要全力冲刺一季度,推动重大项目早开工。
【南通】南通因生态蝶变登上央视,12公里岸线得到修复。
""")
    assert entry(parsed, "苏州").headline.startswith("苏州聚焦“AI+制造”赛道精准发力")
    assert entry(parsed, "常州").headline.startswith("常州走出了另一条特色路径")
    assert not entry(parsed, "无锡").headline.endswith("表示")
    assert "【" not in entry(parsed, "南通").headline
    assert all(publishable(e) == [] for e in parsed.entries)


def test_summaries_are_one_or_two_whole_sentences_of_at_most_150_characters():
    long_sentence = "，".join(["推动产业链供应链深度融合发展" + str(n) for n in range(12)]) + "。"
    parsed = parse(f"""
2025年2月5日,浙江各地开工第一天
杭州召开全市高质量发展大会。{long_sentence}会议还部署了其他工作。最后一句。
宁波举行重大项目集中开工活动,总投资超过800亿元,涉及先进制造、港口物流等领域。随后,宁波又召开了招商大会。第三句话。
""")
    for e in parsed.entries:
        assert len(e.summary) <= 150 and e.summary.endswith(("。", "…"))
        assert len(re.findall(r"[。!?]", e.summary)) <= 2
        assert e.summary != e.body
    assert entry(parsed, "宁波").summary.startswith("宁波举行重大项目集中开工活动,总投资超过800亿元")
    assert entry(parsed, "杭州").summary.startswith("杭州召开全市高质量发展大会。")


def test_a_page_cut_mid_sentence_gives_a_summary_that_says_so():
    parsed = parse("""
2025年2月5日,浙江各地开工第一天
杭州召开全市高质量发展大会,全年计划新开工重大项目300个。
宁波举行重大项目集中开工活动,总投资超过800亿元,涉及先进制造
""")
    assert entry(parsed, "宁波").summary.endswith("…")


def test_events_are_whole_names():
    parsed = parse("""
2026年1月4日,江苏各地在忙啥
苏州在新型工业化推进会议暨“AI+制造”创新发展大会上,发布《苏州市推进新型工业化2026年行动方案》。
""")
    events = entry(parsed, "苏州").events
    assert "新型工业化推进会议暨“AI+制造”创新发展大会" in events
    assert not any(e.startswith("会议暨") or e == "新型工业化推进会议" for e in events)


def test_figures_say_what_they_count_and_quote_their_own_clause():
    parsed = parse("""
2026年1月4日,江苏各地在忙啥
无锡明确到2030年规上工业总产值超3.2万亿元、战略性新兴产业产值占比力争50%的目标,依托19个算力中心打造交付中心。
苏州拥有2500多家人工智能产业链企业,总投资超过800亿元。
""")
    wuxi = {f.value: f for f in entry(parsed, "无锡").figures}
    assert wuxi[3.2].label == "规上工业总产值" and wuxi[50].label == "战略性新兴产业产值"
    assert wuxi[19].label == "算力中心"
    assert wuxi[3.2].text != wuxi[50].text, "figures of one sentence each quote their own clause"
    suzhou = {f.value: f for f in entry(parsed, "苏州").figures}
    assert suzhou[2500].label == "人工智能产业链企业" and suzhou[800].label == "总投资"


@pytest.mark.parametrize("heading, city", [
    ("稳增长", None),
    ("苏州市工业园区:打造世界一流园区", "苏州"),
    ("“亮点”无锡,算力产业加速集聚", "无锡"),
    ("常州丨智能体之城", "常州"),
    ("南通", "南通"),
])
def test_headings_of_more_shapes(heading, city):
    parsed = parse(f"""
2025年2月5日,江苏各地开工第一天
2月5日,江苏各地纷纷召开新春第一会。
{heading}
会议强调,要坚定不移抓项目、扩投资,全年实施重点项目1000个以上。
扬州召开新春第一会,部署全年工作。
""")
    places = {e.city for e in parsed.entries}
    if city:
        assert city in places and entry(parsed, city).body.startswith("会议强调")
    else:
        assert parsed.digest.sections[0].theme == "稳增长" and places == {"扬州"}


def test_a_heading_that_is_a_sentence_brings_no_theme_of_its_own():
    parsed = parse("""
2025年2月5日,福建各地开工第一天
春风拂面 万象更新
福州召开新春第一会,部署全年工作,签约项目42个。
""")
    assert parsed.new_themes == [] and entry(parsed, "福州").theme == "综合"
