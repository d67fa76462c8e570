"""Officials as the genre writes them, and never a byline, a private person or a provincial or
central leader as a city's official."""

from __future__ import annotations

from digest.article.parse import parse_article
from digest.ingest import default_themes


def parse(text: str):
    return parse_article(text.strip().splitlines(), default_themes(), "test.txt")


def officials(parsed) -> dict[str, set[tuple[str, str]]]:
    return {e.city: {(p.name, p.title) for p in e.people} for e in parsed.entries}


def test_title_and_name_headings():
    parsed = parse("""
山东各市书记一周动态(8.18-8.24)
济南市委书记 刘强
8月19日,济南市委常委会召开会议,研究部署下一步工作。刘强主持会议并讲话。
烟台:市委书记张国华
8月20日,烟台召开全市项目建设推进会。
""")
    assert officials(parsed) == {"济南": {("刘强", "市委书记")}, "烟台": {("张国华", "市委书记")}}


def test_roll_call_of_district_heads_with_colons():
    parsed = parse("""
杭州新任区委书记名单
以下是部分名单:
1. 上城区委书记:刘颖
2. 拱墅区委书记:陈瑾
3. 余杭区委书记:张振丰
""")
    assert officials(parsed) == {"上城区": {("刘颖", "区委书记")}, "拱墅区": {("陈瑾", "区委书记")},
                                 "余杭区": {("张振丰", "区委书记")}}


def test_spokespeople_bureau_heads_deputies_and_acting_titles():
    parsed = parse("""
2025年2月5日,江苏各地新春第一会
南京召开新闻发布会,市政府新闻发言人王伟介绍全年目标,市文旅局局长陈红发布消费季活动。
常州召开全市大会,代理市长盛蕾部署重点工作,市发展改革委副主任周明解读政策。
""")
    found = officials(parsed)
    assert ("王伟", "新闻发言人") in found["南京"] and ("陈红", "市文旅局局长") in found["南京"]
    assert ("盛蕾", "代理市长") in found["常州"] and ("周明", "市发展改革委副主任") in found["常州"]


def test_several_officials_in_one_sentence_and_a_roll_call_of_mayors():
    parsed = parse("""
江苏各市两会人事观察
2022年各市“两会”上,代市长均已转正,包括南京市市长夏心旻、苏州市市长吴庆文、无锡市市长赵建军。
宿迁召开恳谈会,市委书记盛蕾、市长刘浩与企业代表座谈交流。
""")
    found = officials(parsed)
    assert found["南京"] == {("夏心旻", "市长")} and found["苏州"] == {("吴庆文", "市长")}
    assert found["无锡"] == {("赵建军", "市长")}
    assert found["宿迁"] == {("盛蕾", "市委书记"), ("刘浩", "市长")}


def test_names_before_their_titles():
    found = officials(parse("""
广西多市政府主要负责人职务调整
2月22日,柳州市人民代表大会选举肖文荪为人民政府市长。2月23日,百色市人民代表大会选举周异决为人民政府市长。
"""))
    assert {name for name, _ in found["柳州"]} == {"肖文荪"} and {name for name, _ in found["百色"]} == {"周异决"}
    found = officials(parse("""
江苏多市迎来新任党委“一把手”
他们分别是,史志军任淮安市委书记,陈忠伟任宿迁市委书记。
"""))
    assert found == {"淮安": {("史志军", "市委书记")}, "宿迁": {("陈忠伟", "市委书记")}}


def test_a_roll_call_names_the_place_of_the_last_post():
    parsed = parse("""
县委书记的一天
采访对象
蒋建明,1962年12月生,江苏沭阳县委书记;
张永霞(女),1968年12月生,山东日照市委常委、东港区委书记;
""")
    found = officials(parsed)
    assert found["沭阳"] == {("蒋建明", "县委书记")}
    assert found["东港区"] == {("张永霞", "区委书记")}
    assert "日照" not in found


def test_bylines_private_people_and_provincial_leaders_are_never_officials():
    parsed = parse("""
2024年2月18日,江苏各地开工第一天
记者 王五 通讯员 赵六
南京召开全市大会,省委书记信长星出席,市委书记韩立明主持,市民张三说很受鼓舞。
无锡召开新春第一会,游客李四、村民孙七参加活动,中国矿业大学党委书记到会致辞。
编辑:周八
""")
    names = {name for people in officials(parsed).values() for name, _ in people}
    assert names == {"韩立明"}
    assert parsed.digest.author == "王五、赵六" and parsed.digest.editors == ("周八",)


def test_a_city_leader_acting_in_a_district_is_filed_with_that_district():
    parsed = parse("""
衡水市领导督导集中开工项目
3月27日,桃城区举行重点项目集中开工活动,市委书记王景武出席并宣布开工。
3月27日,冀州区举行项目集中开工活动,市长吕志成出席。
""")
    assert officials(parsed) == {"桃城区": {("王景武", "市委书记")}, "冀州区": {("吕志成", "市长")}}


def test_an_official_who_goes_to_a_district_is_filed_with_it():
    parsed = parse("""
衡水市领导督导集中开工项目
3月27日,桃城区举行重点项目集中开工活动,市委书记王景武出席并宣布开工。
市长吕志成分包联系冀州区。3月27日上午,他来到冀州区项目集中开工活动现场,详细了解项目情况。
""")
    assert officials(parsed) == {"桃城区": {("王景武", "市委书记")}, "冀州区": {("吕志成", "市长")}}
