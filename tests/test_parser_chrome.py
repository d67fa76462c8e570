"""Page chrome anywhere: the article is found by the shape of its text, before or after lists of other
headlines, mastheads, licences and bylines; converter artefacts are stripped from every field."""

from __future__ import annotations

from digest.article.parse import parse_article
from digest.ingest import default_themes

from .conftest import SEED_ARTICLE


def parse(text: str):
    return parse_article(text.strip().splitlines(), default_themes(), "test.txt")


def summary_of(parsed) -> dict[str, tuple]:
    return {e.city: (e.theme, tuple((p.name, p.title) for p in e.people), e.source.paragraphs)
            for e in parsed.entries}


def test_the_seed_with_its_headline_list_before_the_article_gives_the_same_entries():
    lines = SEED_ARTICLE.read_text(encoding="utf-8").splitlines()
    start = lines.index("相关推荐")
    end = next(i for i in range(len(lines) - 1, 0, -1) if lines[i].startswith("2026-01-08 10:39"))
    moved = lines[:1] + lines[start:end] + lines[1:start] + lines[end:]
    expected = parse_article(lines, default_themes(), "seed.txt")
    parsed = parse_article(moved, default_themes(), "moved.txt")
    assert len(parsed.entries) == 13
    assert summary_of(parsed) == summary_of(expected)
    assert parsed.digest.title == "2026年首个工作日,江苏各地在忙啥"
    assert parsed.digest.paragraphs == expected.digest.paragraphs


HEADLINES_FIRST = """
热点推荐
男子高速上倒车被罚,交警:太危险!
某某晚报
2025-02-04 21:10:00
冬季养生喝什么汤最好?专家这样说
健康生活家
2025-02-04 20:05:31
浙江各地开工第一天
2025-02-05 09:00 来源:浙江日报 责任编辑:王五
杭州召开全市高质量发展大会,全年计划新开工重大项目300个。
宁波举行重大项目集中开工活动,总投资超过800亿元。
"""


def test_a_headline_list_before_the_article_is_not_the_article():
    parsed = parse(HEADLINES_FIRST)
    assert parsed.digest.title == "浙江各地开工第一天"
    assert {e.city for e in parsed.entries} == {"杭州", "宁波"}
    assert parsed.digest.published.startswith("2025-02-05") and parsed.digest.outlet == "浙江日报"
    assert parsed.digest.editors == ("王五",)
    assert all("交警" not in p and "养生" not in p for p in parsed.digest.paragraphs)


MASTHEAD_AND_FOOTER = """
某某新闻网
首页 | 新闻 | 地方 | 经济 | 文旅 | 视频 | 专题
您所在的位置:某某网 > 新闻中心 > 地方 > 正文
山东各市新春第一会聚焦高质量发展
发布时间:2024-02-19 10:20:00 来源:大众日报
记者 张三 李四 通讯员 王五
分享到:
2月18日,山东各市纷纷召开新春第一会。
济南召开全市高质量发展大会,全年实施重点项目1000个以上。
青岛召开新春第一会,全力推进海洋经济发展。
责任编辑:赵六
相关阅读:
济南:又一批项目开工
Copyright © 2010-2024 www.example.cn All Rights Reserved
鲁ICP备12345678号-1 鲁新办[2010]12号
电话:0531-12345678 地址:济南市某某路1号
"""


def test_mastheads_menus_licences_and_bylines_are_chrome_or_metadata():
    parsed = parse(MASTHEAD_AND_FOOTER)
    digest = parsed.digest
    assert digest.title == "山东各市新春第一会聚焦高质量发展"
    assert {e.city for e in parsed.entries} == {"济南", "青岛"}
    assert digest.author == "张三、李四、王五" and "赵六" in digest.editors
    assert digest.published.startswith("2024-02-19") and digest.outlet == "大众日报"
    text = "".join(digest.paragraphs) + digest.intro + digest.closing
    for chrome in ("ICP", "Copyright", "电话", "您所在的位置", "又一批项目", "某某新闻网"):
        assert chrome not in text
    assert digest.date.isoformat() == "2024-02-18"


def test_pinyin_readings_in_brackets_are_stripped_from_every_field():
    parsed = parse("""
2024年2月18日,廣東各地開工第一天
2024年2月18日,廣東各地召開會議(yì),推動發(fā)展。
深圳召開全市高質(zhì)量發(fā)展(zhǎn)大會(huì),市委書記孟凡利出席,簽約項目(mù)120個。
廣州舉行重大項(xiàng)目集中開工活動,總投資超過500億元。
""")
    shenzhen = next(e for e in parsed.entries if e.city == "深圳")
    fields = [shenzhen.headline, shenzhen.summary, shenzhen.body, *shenzhen.events,
              *(f.text for f in shenzhen.figures), parsed.digest.intro, *parsed.digest.paragraphs]
    assert all("(" not in text or "zh" not in text for text in fields)
    assert "高質量發展大會" in shenzhen.body
    assert [(p.name, p.title) for p in shenzhen.people] == [("孟凡利", "市委书记")]
    assert "全市高质量发展大会" in "".join(shenzhen.events)


def test_a_page_without_a_title_line_gets_its_first_sentence():
    parsed = parse("""
【资料图】
3月20日上午,辽宁省举行2023年全省一季度重大项目集中开工动员大会。
沈阳召开全市项目建设大会,新开工项目267个。
大连举行重大项目集中开工,新开工项目256个。
""")
    assert parsed.digest.title == "3月20日上午,辽宁省举行2023年全省一季度重大项目集中开工动员大会"[:40] or \
        parsed.digest.title.startswith("3月20日上午")
    assert {e.city for e in parsed.entries} >= {"沈阳", "大连"}


def test_a_dateline_byline_in_the_first_paragraph_is_never_an_official():
    parsed = parse("""
湖南各地书记在忙啥
红网长沙8月20日讯(记者 刘玉先)8月21日,衡阳市石鼓区区委书记陈竞督查背街小巷改造。
岳阳市委书记王一鸥调研城市更新项目。
""")
    names = {p.name for e in parsed.entries for p in e.people}
    assert "刘玉先" not in names and "刘玉先" in parsed.digest.author


def test_a_photo_caption_is_a_credit_not_a_paragraph():
    parsed = parse("""
福建各地复工复产
24日,位于上杭蛟洋新材料产业园的某某公司实验室里,技术人员正进行实验。李新元 林燕萍 摄
漳州市工信局数据显示,全市复工复产规模工业企业1811家,复工率达72%。
泉州召开新春第一会,推动项目建设。
""")
    assert not any("实验室" in p for p in parsed.digest.paragraphs)
    zhangzhou = next(e for e in parsed.entries if e.city == "漳州")
    assert zhangzhou.image_credit == "李新元 林燕萍"
