"""Which places get entries: district and county round-ups, places that stand for themselves, lists,
roll calls, national round-ups by province, and place names that are not the news."""

from __future__ import annotations

from digest.article.parse import parse_article
from digest.ingest import default_themes


def parse(text: str):
    return parse_article(text.strip().splitlines(), default_themes(), "test.txt")


def entry(parsed, city: str):
    return next(e for e in parsed.entries if e.city == city)


def test_a_municipality_round_up_gives_its_districts_never_a_same_named_district_elsewhere():
    parsed = parse("""
北京各区新年第一会聚焦高质量发展
2025年1月2日,北京各区纷纷召开新年第一会。
朝阳区召开全区高质量发展大会,发布国际消费中心城市建设行动方案。
海淀区举行重点项目集中开工,总投资120亿元。
通州区召开城市副中心建设推进会。
""")
    assert {e.city for e in parsed.entries} == {"朝阳区", "海淀区", "通州区"}
    assert entry(parsed, "朝阳区").code == "110105" and entry(parsed, "朝阳区").parent == "北京"
    assert parsed.digest.region == "北京"


def test_a_municipality_without_its_name_in_the_title_is_still_one_city():
    parsed = parse("""
节后首个工作日各区在忙啥
上海市委召开季度工作会议,市委书记在会上强调要抓好开局。
浦东新区深化物业治理攻坚行动,工业总产值增长9.1%。
金山区探索基层报表“只报一次”试点,区级报表压减63%。
""")
    assert {e.city for e in parsed.entries} == {"浦东新区", "金山区"}
    assert all(e.people == () for e in parsed.entries), "a municipality's own leaders are not a district's"


def test_a_provincial_capital_district_round_up():
    parsed = parse("""
成都各区(市)县开年第一周
2025年2月6日,成都各区(市)县铆足干劲。
锦江区召开招商引资大会,签约项目20个。
武侯区举行重点项目集中开工,总投资80亿元。
""")
    assert {e.city for e in parsed.entries} == {"锦江区", "武侯区"}
    assert {e.parent for e in parsed.entries} == {"成都"}


def test_a_county_level_place_stands_for_itself_with_its_prefecture_as_parent():
    parsed = parse("""
2025年2月5日,浙江县域经济开工第一天
义乌召开全市高质量发展大会,全年引进亿元以上项目100个。
温州召开新春第一会,现场签约项目42个。
""")
    yiwu = entry(parsed, "义乌")
    assert (yiwu.parent, yiwu.code, yiwu.province) == ("金华", "330782", "浙江省")
    assert entry(parsed, "温州").parent == ""


def test_a_district_named_beside_its_city_is_that_citys_news():
    parsed = parse("""
2025年2月5日,江苏各地开工第一天
扬州的民生议事会开在群众心坎上。广陵区某社区的会议室里,居民代表围坐一圈。
泰州召开新春第一会,部署全年重点工作。
""")
    assert {e.city for e in parsed.entries} == {"扬州", "泰州"}


def test_a_chain_of_names_is_its_most_specific_place():
    parsed = parse("""
2023年1月28日,各地节后开工第一天见闻
清晨6点,位于湖南省长沙市雨花区的农批市场已是人声鼎沸,每天有约5000吨蔬菜在这里集散。
吉林省召开优化营商环境大会,部署加强要素保障。
""")
    yuhua = entry(parsed, "雨花区")
    assert yuhua.parent == "长沙" and yuhua.province == "湖南省"


def test_provinces_are_the_places_of_a_national_round_up():
    parsed = parse("""
多个省份召开“新春第一会”
2月24日,多个省份召开“新春第一会”。
广东召开全省高质量发展大会,强调以制造业当家。
吉林召开优化营商环境大会,部署全年重点工作。
湖北省召开新春第一会,聚焦科技创新。
""")
    assert {e.city for e in parsed.entries} == {"广东", "吉林", "湖北"}
    jilin = entry(parsed, "吉林")
    assert jilin.code == "220000" and jilin.slug == "jilin-sheng", "the city of 吉林 keeps its own page"
    assert entry(parsed, "广东").slug == "guangdong"


def test_a_list_paragraph_gives_one_entry_per_place_with_its_own_clause():
    parsed = parse("""
2023年3月20日,辽宁一季度重大项目集中开工
辽宁省此次集中开工的新项目共1816个,总投资超过4700亿元。
从地区分布看:沈阳市新开工项目267个,大连256个,鞍山143个,抚顺104个。
""")
    assert {e.city for e in parsed.entries} == {"沈阳", "大连", "鞍山", "抚顺"}
    dalian = entry(parsed, "大连")
    assert dalian.source.paragraphs == entry(parsed, "沈阳").source.paragraphs
    assert "256个" in dalian.body and "143个" not in dalian.body and "沈阳" not in dalian.body
    assert dalian.headline == "大连新开工项目256个"
    assert [f.value for f in dalian.figures] == [256]


def test_an_enumeration_with_a_figure_per_place_is_a_list():
    parsed = parse("""
2022年1月4日,安徽第一批重大项目集中开工
此次集中开工的731个重大项目中,滁州市100个、芜湖市61个、阜阳市56个,位居前三位。
""")
    assert {e.city for e in parsed.entries} == {"滁州", "芜湖", "阜阳"}
    assert "61个" in entry(parsed, "芜湖").body and "100个" not in entry(parsed, "芜湖").body


def test_places_named_in_passing_together_are_no_entries_beside_a_subject():
    parsed = parse("""
2022年5月11日,云南重大项目集中开工
曲靖召开项目建设推进会,新开工项目364个。
开工项目超过100个的州(市)有昆明、楚雄、红河、大理。
""")
    assert {e.city for e in parsed.entries} == {"曲靖"}


def test_places_in_careers_products_home_towns_organisations_and_datelines_are_no_entries():
    parsed = parse("""
2024年2月18日,山东各地开工第一天
新华社济南2月18日电 春节后上班第一天,各地干劲十足。
青岛召开新春第一会,市委书记张三出席。张三曾任烟台市副市长、威海市委常委。
潍坊举办年货节,德州扒鸡、金华火腿等特产热销,湖南游客李四买了不少。
淄博与山东大学签订合作协议,淄博日报进行了报道。
""")
    assert {e.city for e in parsed.entries} == {"青岛", "潍坊", "淄博"}


def test_cities_of_other_provinces_named_for_comparison_are_no_entries():
    parsed = parse("""
2024年2月18日,江苏各地开工第一天
苏州召开新春第一会,提出对标深圳、比肩上海。
无锡召开全市发展大会,向杭州、合肥等城市学习先进经验。
""")
    assert {e.city for e in parsed.entries} == {"苏州", "无锡"}


def test_a_region_named_after_a_city_is_not_the_city():
    parsed = parse("""
本周,武汉都市圈各市书记市长在忙这些事
黄石召开市委常委会会议,部署城镇燃气管道更新改造。
鄂州召开项目建设推进会,推动重点项目落地。
""")
    assert {e.city for e in parsed.entries} == {"黄石", "鄂州"}


def test_an_article_with_no_subject_place_gets_the_places_it_lists():
    parsed = parse("""
福建县域“尖子生”春节聚力开门红
连日来,记者在晋江市、武平县、永泰县等县(市、区)采访发现,部分企业不停工、不停产。
""")
    assert {e.city for e in parsed.entries} == {"晋江", "武平", "永泰"}


def test_one_line_per_place_captions_give_one_entry_each():
    parsed = parse("""
2025年2月6日,河南各地项目集中开工
郑州:航空港区重大项目集中开工,总投资500亿元。
洛阳:新开工项目120个。
开封:举行新春第一会。
""")
    assert {e.city for e in parsed.entries} == {"郑州", "洛阳", "开封"}


def test_a_bullet_summary_on_one_line_gives_one_entry_per_bullet():
    parsed = parse("""
广东多地召开新春第一会
核心观点 - 广东多地召开新春第一会 [1] - 广州市强调推动制造业与服务业深度融合 [2] - 东莞市推出2.0版“鲲鹏计划” [3] - 惠州市锚定1600亿元招商引资目标 [3]
""")
    assert {e.city for e in parsed.entries} == {"广州", "东莞", "惠州"}
    assert all("[" not in e.body for e in parsed.entries)
