"""The genre, not the seed: small round-ups of our own for every shape the parser must handle."""

from __future__ import annotations

import pytest

from digest.article.parse import parse_article
from digest.errors import DigestError
from digest.ingest import default_themes


def parse(text: str):
    return parse_article(text.strip().splitlines(), default_themes(), "test.txt")


def cities(parsed) -> dict[str, str]:
    return {e.city: e.theme for e in parsed.entries}


def test_no_headings_puts_entries_under_the_general_theme():
    parsed = parse("""
2025年2月5日,浙江各地开工第一天

2025年2月5日,蛇年首个工作日,浙江各地纷纷按下快进键。

杭州召开全市高质量发展大会,市委书记刘捷出席并讲话,全年计划新开工重大项目300个。

宁波举行重大项目集中开工活动,总投资超过800亿元,涉及先进制造、港口物流等领域。

温州召开新春第一会,聚焦民营经济高质量发展,现场签约项目42个。
""")
    assert cities(parsed) == {"杭州": "综合", "宁波": "综合", "温州": "综合"}
    assert parsed.digest.id == "2025-02-05-zhejiang"
    hangzhou = next(e for e in parsed.entries if e.city == "杭州")
    assert [(p.name, p.title) for p in hangzhou.people] == [("刘捷", "市委书记")]


def test_city_name_headings():
    parsed = parse("""
新春第一会,山东各市聚焦什么

2024年2月18日,山东各市纷纷召开新春第一会。

济南

会议强调,要坚定不移抓项目、扩投资,全年实施重点项目1000个以上。

青岛

会议提出,全力推进海洋经济发展,打造现代海洋城市。

烟台

会议部署了绿色低碳高质量发展先行区建设任务。
""")
    assert set(cities(parsed)) == {"济南", "青岛", "烟台"}


def test_bracket_city_headings_and_numbered_theme_headings():
    parsed = parse("""
广东各地开工第一天忙啥

2024年2月18日,广东各地开工忙。

一、科技创新

【深圳】会议明确,深圳将加快建设具有全球影响力的科技创新中心,研发投入增长10%。

【广州】广州发布人工智能产业行动方案,新增算力1000 PFLOPS。

二、民生保障

【佛山】佛山举办新春招聘会,提供岗位3万个,帮助群众就近就业。
""")
    assert cities(parsed) == {"深圳": "科创", "广州": "科创", "佛山": "民生"}


def test_traditional_characters_are_matched_and_kept_in_the_body():
    parsed = parse("""
2024年2月18日,廣東各地在忙啥

2024年2月18日,新春開工第一天。

深圳召開全市高質量發展大會,市委書記孟凡利出席。

廣州舉行重大項目集中開工活動,總投資超過500億元。
""")
    assert set(cities(parsed)) == {"深圳", "广州"}
    shenzhen = next(e for e in parsed.entries if e.city == "深圳")
    assert "召開" in shenzhen.body
    assert [(p.name, p.title) for p in shenzhen.people] == [("孟凡利", "市委书记")]


def test_county_names_stand_for_themselves_with_their_city_as_parent():
    parsed = parse("""
2024年2月18日,江苏县域开工第一天

昆山举行重大项目集中签约,签约项目50个,总投资300亿元。

江阴召开新春第一会,聚焦产业强市,发布行动方案。

沭阳开展招聘活动,为群众提供岗位5000个。
""")
    assert {e.city: e.parent for e in parsed.entries} == {"昆山": "苏州", "江阴": "无锡", "沭阳": "宿迁"}


def test_district_roundup_gives_one_entry_per_district():
    parsed = parse("""
2024年2月18日,南京各区开工第一天在忙啥

玄武区召开高质量发展大会,区委书记赵大伟强调要抓项目。

鼓楼区举行重点项目集中开工,总投资120亿元。

江宁区召开新春第一会,发布产业政策12条。
""")
    assert set(cities(parsed)) == {"玄武区", "鼓楼区", "江宁区"}
    gulou = next(e for e in parsed.entries if e.city == "鼓楼区")
    assert gulou.code == "320106"


def test_several_places_in_one_paragraph():
    parsed = parse("""
2024年2月18日,安徽各地开工第一天

合肥召开全市优化营商环境大会,提出全年新增市场主体10万户。芜湖则举行重大项目集中开工,总投资200亿元。

蚌埠召开新春第一会,聚焦新型工业化。
""")
    assert set(cities(parsed)) == {"合肥", "芜湖", "蚌埠"}
    wuhu = next(e for e in parsed.entries if e.city == "芜湖")
    assert wuhu.source.paragraphs == (1,)
    assert [f.value for f in wuhu.figures] == [200]


def test_common_words_are_not_places():
    parsed = parse("""
2024年2月18日,江苏各地开工第一天

常州依托3座全球灯塔工厂,与多家企业签订合作协议,推动制造业智能化改造。

徐州召开新春第一会,聚焦和平发展与友好合作。
""")
    assert set(cities(parsed)) == {"常州", "徐州"}


def test_out_of_province_comparison_is_not_an_entry():
    parsed = parse("""
2024年2月18日,江苏各地开工第一天

苏州召开新春第一会,提出规上工业总产值对标深圳、比肩上海,全年突破5万亿元。

无锡召开全市发展大会,向北京、杭州等城市学习先进经验。
""")
    assert set(cities(parsed)) == {"苏州", "无锡"}


def test_organisation_named_after_another_city_is_not_the_subject():
    parsed = parse("""
2024年2月18日,江苏各地开工第一天

扬州与南京大学签订合作协议,共建创新研究院,南京日报等媒体进行了报道。

盐城召开新春第一会。
""")
    assert set(cities(parsed)) == {"扬州", "盐城"}


def test_byline_at_the_top_is_metadata_not_the_end():
    parsed = parse("""
2024年2月18日,河南各地开工第一天
文/张三 责任编辑:李四

郑州召开新春第一会,市委书记安伟出席。

洛阳举行重大项目集中开工,总投资100亿元。
""")
    assert set(cities(parsed)) == {"郑州", "洛阳"}
    assert parsed.digest.author == "张三"
    assert all(p.name not in ("张三", "李四") for e in parsed.entries for p in e.people)


def test_article_cut_off_mid_sentence_keeps_its_last_entry():
    parsed = parse("""
2024年2月18日,四川各地开工第一天

成都召开全市高质量发展大会,全年计划实施重点项目1000个。

绵阳举行科技城建设推进会,聚焦电子信息产业,计划引进项目
""")
    assert set(cities(parsed)) == {"成都", "绵阳"}


def test_provincial_leader_is_not_a_city_official():
    parsed = parse("""
2024年2月18日,江苏各地开工第一天

南京召开全市大会,省委书记信长星出席,市委书记韩立明主持。

无锡召开新春第一会,中国矿业大学党委书记到会致辞。
""")
    nanjing = next(e for e in parsed.entries if e.city == "南京")
    assert [(p.name, p.title) for p in nanjing.people] == [("韩立明", "市委书记")]
    wuxi = next(e for e in parsed.entries if e.city == "无锡")
    assert wuxi.people == ()


def test_unknown_heading_becomes_a_new_theme():
    parsed = parse("""
2024年2月18日,福建各地开工第一天

文旅融合:激活消费新动能

福州举办新春文旅消费季,发放消费券1000万元。

厦门推出文旅活动200场。
""")
    assert {t.name for t in parsed.new_themes} == {"文旅"}
    assert cities(parsed) == {"福州": "文旅", "厦门": "文旅"}


def test_repeated_district_names_use_the_article_province():
    parsed = parse("""
2024年2月18日,山东济南各区县开工第一天

市中区召开新春第一会,聚焦城市更新。

历下区举行重点项目集中开工,总投资50亿元。

章丘区召开高质量发展大会。
""")
    shizhong = next(e for e in parsed.entries if e.city == "市中区")
    assert shizhong.code == "370103"


def test_text_without_places_is_an_error():
    with pytest.raises(DigestError) as info:
        parse("今天我们讨论的是一个普通的话题。\n\n没有任何地名出现。")
    assert "no places" in str(info.value)


def test_gazetteer_slugs_are_unique_within_each_level():
    """Digest ids use province slugs and pages use place slugs: 山西 shanxi and 陕西 shaanxi must differ."""
    from digest.gazetteer import load

    places = load().places
    for level in ("province", "prefecture", "county"):
        slugs = [p.slug for p in places if p.level == level]
        assert len(slugs) == len(set(slugs)), level
    assert {p.slug for p in places if p.level == "province" and p.short in ("山西", "陕西")} == {"shanxi", "shaanxi"}
