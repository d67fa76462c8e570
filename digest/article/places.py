"""Which places a paragraph is about, and which words of it are about each.

Mentions are found with the gazetteer (a chain such as 湖南省长沙市雨花区 is one mention of its most
specific place), weighed by where they stand (a sentence's or clause's subject counts, a place named
in passing, in a career, a dateline, a product or an organisation's name does not) and resolved
within the article's scope: the whole country (units are provinces, cities and counties), a province
(its cities; a county stands for itself unless its city is the subject beside it) or one city,
municipalities included (its districts and counties).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..gazetteer import Gazetteer
from ..lexicon import Lexicon
from ..model import Place

SENTENCE_BREAK = "。!?;\n"
CLAUSE_BREAK = ",:"
ENUMERATION = ("、", "和", "与", "及", "同", "或", "至", "到")
NATIONAL_WORDS = ("全国", "各省", "多省", "31省", "各地区", "多个省份", "各省份", "多地")
TIME_LEAD = re.compile(r"^(?:(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}[日号])?(?:[上下中]午|晚上?|早上?|凌晨|傍晚)?"
                       r"(?:\d{1,2}[时点](?:\d{1,2}分|半)?)?)")
DATELINE = re.compile(r"(?:电|讯)[(\[]|(?:\d{1,2}月)?\d{1,2}日(?:电|讯)")
BIOGRAPHY = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:\(女\))?,?(?:出生于|生于|\d{4}年\d{1,2}月(?:出)?生)")
"""A paragraph that opens with a person's birth: a career, whose places are not news (a one-line
entry of a roll call, 蒋建明,1962年12月生,沭阳县委书记;, is shorter than BIOGRAPHY_MIN)."""
BIOGRAPHY_MIN = 80
OWN_FIGURE = re.compile(r"[市县区]?[^,。;、:!?\d]{0,10}\d")
"""A listed place with a figure of its own (滁州市100个、芜湖市61个): an item, not a name in passing."""
VISIT_LEAD_MAX = 10
SUBJECT_MIN_SCORE = 2
SUBJECT_MIN_SHARE = 0.34
COUNTY_LEVELS = ("county", "zone")


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    candidates: tuple[Place, ...]
    weight: int
    """3 sentence subject, 2 clause subject, 1 in passing, 0 not a place of the news (an organisation,
    a career, a dateline, a product, a person's home town)."""
    official: bool = False
    """Followed by an official title (东港区委书记): the place an official serves."""


@dataclass(frozen=True, slots=True)
class Scope:
    level: str
    """province, city or nation."""
    place: Place | None = None

    @property
    def province(self) -> str:
        return self.place.province if self.place else ""


def find_mentions(text: str, gz: Gazetteer, lex: Lexicon) -> list[Mention]:
    """Longest gazetteer matches, left to right, chains joined, with their weights."""
    raw: list[tuple[int, int, tuple[Place, ...]]] = []
    i = 0
    while i < len(text) - 1:
        for length in range(min(gz.max_alias, len(text) - i), 1, -1):
            places = gz.by_alias.get(text[i:i + length])
            if places and not _inside_word(text, i, i + length, lex):
                raw.append((i, i + length, places))
                i += length
                break
        else:
            i += 1
    mentions: list[Mention] = []
    for start, end, places in _join_chains(raw, gz):
        weight = _weight(text, start, end, mentions, lex)
        official = weight == 3 and _before_title(text, end, lex)
        mentions.append(Mention(start, end, places, weight, official))
    return _concurrent_posts(text, mentions, lex)


def _before_title(text: str, end: int, lex: Lexicon) -> bool:
    return any(text.startswith(lex.post_words, at) for at in (end - 1, end))


def _concurrent_posts(text: str, mentions: list[Mention], lex: Lexicon) -> list[Mention]:
    """'日照市委常委、东港区委书记': of two posts held at once, the last names the place served; the one
    before it is a place in passing."""
    titles = lex.title_pattern(False)
    for i in range(len(mentions) - 1):
        first, second = mentions[i], mentions[i + 1]
        between = text[first.end:second.start]
        if first.official and second.official and between.endswith("、"):
            post = between[:-1]
            if titles.fullmatch(post) or titles.fullmatch(text[first.end - 1:first.end] + post):
                mentions[i] = Mention(first.start, first.end, first.candidates, 1)
    return mentions


def _inside_word(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """A name that is part of a longer word: 吉林 in 吉林大学 is kept (an organisation), but 金山 in
    金山银山 or 白山 in 白山黑水 is a phrase of its own."""
    return text[start:end + 2] in lex.not_place_phrases or text[max(0, start - 2):end] in lex.not_place_phrases


def _join_chains(raw, gz: Gazetteer):
    """湖南省长沙市雨花区, 江苏沭阳县, 四川天府新区: each name inside the one before is one mention of
    the most specific place."""
    joined = []
    for start, end, places in raw:
        if joined and joined[-1][1] == start:
            outer = joined[-1][2]
            inner = tuple(p for p in places if any(_within(p, o, gz) for o in outer))
            if inner:
                joined[-1] = (joined[-1][0], end, inner)
                continue
        joined.append((start, end, places))
    return joined


def _within(place: Place, outer: Place, gz: Gazetteer) -> bool:
    if place.level == "province" or place == outer:
        return False
    if outer.level == "province":
        return place.province == outer.province
    return outer.level == "prefecture" and place.level in COUNTY_LEVELS and place.parent == outer.code


def _weight(text: str, start: int, end: int, earlier: list[Mention], lex: Lexicon) -> int:
    if _not_the_news(text, start, end, lex):
        return 0
    sentence_start = max(text.rfind(ch, 0, start) for ch in SENTENCE_BREAK) + 1
    if any(text.startswith(lex.official_words, at) for at in (end - 1, end, end + 1)):
        return 3
    before = text[max(0, start - 2):start]
    if before.endswith(("“", "《", "\"")):
        return 1
    if before.endswith(ENUMERATION):
        return 2 if OWN_FIGURE.match(text, end) else 1
    clause_start = max([text.rfind(ch, 0, start) for ch in CLAUSE_BREAK] + [sentence_start - 1]) + 1
    lead = _lead(text[clause_start:start].strip(), lex)
    if lead and len(lead) <= VISIT_LEAD_MAX and lead.endswith(lex.visit_verbs):
        return 2  # 市长吕志成来到冀州区…: where the news happens
    if lead or _venue_only(text, clause_start, start, end):
        return 1
    if clause_start == sentence_start or not any(m.start >= sentence_start for m in earlier):
        return 3
    return 2


def _venue_only(text: str, clause_start: int, start: int, end: int) -> bool:
    """'在广州,广东省委召开…': a clause that only says where, naming no one who acts."""
    return text[clause_start:start].strip().endswith("在") and text[end:end + 1] in (",", ":", "")


def _lead(lead: str, lex: Lexicon) -> str:
    """What stands before a place in its clause, less times and words that leave it the subject
    (其中, 在, 截至2月24日…): '' when the place is the clause's subject."""
    lead = re.sub(r"^【[^】]*】|^【", "", lead)  # a 【城市】 tag opens the item it names
    for _ in range(3):
        lead = TIME_LEAD.sub("", lead).strip()
        word = next((w for w in lex.clause_leads if lead.startswith(w)), "")
        if not word:
            break
        lead = lead[len(word):].strip()
    return "" if lead in lex.event_openers or lead in lex.clause_leads else lead


def _not_the_news(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """Organisations (南京大学, 昆山发布), datelines (新华社北京1月28日电), careers (曾任常州市副市长),
    products (德州扒鸡), home towns (湖南游客) and people's names after a title (主席吉林)."""
    if _names_organisation(text, start, end, lex):
        return True
    after = text[end:end + 12]
    rest = after.lstrip("市省区县")
    if rest.startswith(lex.product_words) or rest.startswith(lex.person_words) or rest[:1] == "人" and \
            rest[1:2] in ",。、)":
        return True
    if DATELINE.match(text, end, end + 12) and start < 30:
        return True
    if text[max(0, start - 4):start].endswith(lex.person_titles):
        return True
    sentence = text[max(text.rfind(ch, 0, start) for ch in SENTENCE_BREAK) + 1:start]
    if any(word in sentence for word in lex.career_words) or (BIOGRAPHY.match(text) and len(text) > BIOGRAPHY_MIN):
        return True
    clause = sentence[max(sentence.rfind(ch) for ch in CLAUSE_BREAK + "、") + 1:]
    return bool(re.search(r"\d{4}年(?:\d{1,2}月)?(?:至\S{0,8})?(?:任|在)$", clause))


def _names_organisation(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """南京大学, 苏州日报, 昆山发布, 徐州市产业技术研究院, 天合光能(宿迁)科技."""
    if text[start - 1:start] == "(" and text[end:end + 1] == ")":
        return True
    rest = text[end:].lstrip("市区县省")
    for suffix in lex.org_suffixes:
        if rest.startswith(suffix):
            after = rest[len(suffix):len(suffix) + 1]
            return suffix != "发布" or not after or not ("\u4e00" <= after <= "\u9fff") or after in "厅会"
    window = re.split(r"[,。;:、!?()“”\s与和及同在对向的]", rest[:12], maxsplit=1)[0]
    return any(org in window for org in lex.strong_org_words)


def detect_scope(title: str, bodies: list[list[Mention]], gz: Gazetteer, lex: Lexicon) -> Scope:
    """The article's region: a city when the title or the body names its districts (a round-up of
    one city's districts or counties), else the province the title names or most mentions fall in,
    else the whole country."""
    title_mentions = [m for m in find_mentions(title, gz, lex) if m.weight]
    title_places = [_prefer(m.candidates, ("province", "prefecture", "county", "zone")) for m in title_mentions]
    named = _counties_named(bodies, gz)
    for place in title_places:
        city = _city_of(place, gz)
        if city and (named[city] >= 2 or (named[city] >= 1 and any(w in title for w in lex.district_words))):
            return Scope("city", city)
    if any(word in title for word in NATIONAL_WORDS) and not title_places:
        return Scope("nation")
    for place in title_places:
        if place.level == "province" and not _is_municipality(place):
            return Scope("province", place)
    body_city = _body_city(bodies, named, gz)
    if body_city and not any(p.level == "province" and not _is_municipality(p) for p in title_places):
        return Scope("city", body_city)
    for place in title_places:
        return _province_scope(gz.province_of(gz.prefecture_of(place)), gz)
    found = _majority_province(bodies, gz)
    return _province_scope(found.place, gz) if found.place else found


def _province_scope(province: Place, gz: Gazetteer) -> Scope:
    """A municipality is one city: its round-ups are of its districts."""
    if _is_municipality(province):
        return Scope("city", gz.by_code[("prefecture", province.code)])
    return Scope("province", province)


def _is_municipality(place: Place) -> bool:
    return place.code == place.province and place.code.endswith("0000") and place.code[:2] in ("11", "12", "31", "50")


def _city_of(place: Place, gz: Gazetteer) -> Place | None:
    """The city a title's place names: a prefecture, or a municipality (北京 is a province too)."""
    if place.level == "prefecture":
        return place
    if place.level == "province" and _is_municipality(place):
        return gz.by_code[("prefecture", place.code)]
    return None


def _counties_named(bodies: list[list[Mention]], gz: Gazetteer) -> Counter:
    """City → how many of its districts and counties the body names as subjects."""
    found: dict[Place, set[str]] = {}
    for mentions in bodies:
        for m in mentions:
            if m.weight < 2:
                continue
            for p in m.candidates:
                if p.level in COUNTY_LEVELS:
                    found.setdefault(gz.prefecture_of(p), set()).add(p.name)
    return Counter({city: len(names) for city, names in found.items()})


def _body_city(bodies: list[list[Mention]], named: Counter, gz: Gazetteer) -> Place | None:
    """A body about one city's districts: two or more of them as subjects, more than any other city is
    named as a subject."""
    if not named:
        return None
    city, count = named.most_common(1)[0]
    if count < 2:
        return None
    others = set()
    for mentions in bodies:
        for m in mentions:
            if m.weight >= 2:
                prefectures = {gz.prefecture_of(p) for p in m.candidates if p.level != "province"}
                if len(prefectures) == 1 and city not in prefectures and \
                        not all(p.level in COUNTY_LEVELS for p in m.candidates):
                    others |= prefectures
    return city if len(others) < count else None


def _majority_province(bodies: list[list[Mention]], gz: Gazetteer) -> Scope:
    provinces = Counter()
    for mentions in bodies:
        for m in mentions:
            if m.weight and len({p.province for p in m.candidates}) == 1:
                provinces[m.candidates[0].province] += m.weight
    if not provinces:
        return Scope("nation")
    code, score = provinces.most_common(1)[0]
    if score < 0.6 * sum(provinces.values()):
        return Scope("nation")
    return Scope("province", gz.by_code[("province", code)])


def _prefer(places: tuple[Place, ...], levels: tuple[str, ...]) -> Place:
    rank = {level: i for i, level in enumerate(levels)}
    return min(places, key=lambda p: (rank.get(p.level, 9), p.code))


def resolve(mention: Mention, scope: Scope, gz: Gazetteer) -> Place | None:
    """The place a mention stands for within the scope (before counties are settled), if any."""
    inside = [p for p in mention.candidates if _in_scope(p, scope, gz)]
    inside = [p for p in inside if p.alias != "weak" or _spelled_fully(mention, p) or scope.level != "nation"
              or p.level == "province"]
    if not inside:
        return None
    if scope.level == "city":
        units = {p for p in inside if p.level == "county" or (p.level == "zone" and _governed(p))}
        return units.pop() if len(units) == 1 else None
    provinces = [p for p in inside if p.level == "province"]
    if provinces:
        if scope.level != "nation":
            return None  # the province of a provincial round-up is its scope, not one of its places
        province = provinces[0]
        return gz.by_code[("prefecture", province.code)] if _is_municipality(province) else province
    for level in ("prefecture", "county", "zone"):
        found = {p for p in inside if p.level == level}
        if found:
            return found.pop() if len(found) == 1 else None
    return None


def _governed(zone: Place) -> bool:
    """A zone with its own administration (天府新区, 苏州工业园区), not a district's landmark (中关村, 光谷)."""
    return zone.name.endswith(("区", "城")) or zone.code != zone.parent


def _spelled_fully(mention: Mention, place: Place) -> bool:
    return mention.end - mention.start >= len(place.name)


def _in_scope(place: Place, scope: Scope, gz: Gazetteer) -> bool:
    if scope.level == "nation":
        return True
    if scope.level == "province":
        return place.province == scope.place.province
    return place.level != "province" and gz.prefecture_of(place).code == scope.place.code


def score_units(mentions: list[Mention], scope: Scope, gz: Gazetteer) -> dict[Place, list[int]]:
    """place → [score, first position, best weight] for one paragraph, counties settled: a county whose
    city is a subject beside it is that city's news (扬州…广陵区), else it stands for itself."""
    scores: dict[Place, list[int]] = {}
    served = set()
    for m in mentions:
        unit = resolve(m, scope, gz)
        if unit is None or not m.weight:
            continue
        entry = scores.setdefault(unit, [0, m.start, 0])
        entry[0] += m.weight
        entry[2] = max(entry[2], m.weight)
        if m.official:
            served.add(unit)
    for unit in [u for u in scores if u.level in COUNTY_LEVELS and u not in served]:
        city = gz.prefecture_of(unit)
        if scope.level != "city" and city in scores and scores[city][2] >= 2:
            score, first, best = scores.pop(unit)
            scores[city][0] += score
            scores[city][1] = min(scores[city][1], first)
    return scores


def unit_of(mention: Mention, scope: Scope, gz: Gazetteer, subjects: list[Place]) -> Place | None:
    """The paragraph subject a mention belongs to (a county folds into its city when that is one)."""
    unit = resolve(mention, scope, gz)
    if unit is None or unit in subjects:
        return unit
    city = gz.prefecture_of(unit) if unit.level in COUNTY_LEVELS else None
    return city if city in subjects else None


def listed(mentions: list[Mention], scope: Scope, gz: Gazetteer) -> list[Place]:
    """Every place of the scope a paragraph names, even in passing (for an article that makes none of
    them a subject: its places are the ones it lists)."""
    found = []
    for m in mentions:
        unit = resolve(m, scope, gz) if m.weight else None
        if unit is not None and unit not in found:
            found.append(unit)
    return found


def subjects(mentions: list[Mention], scope: Scope, gz: Gazetteer) -> list[Place]:
    """The places a paragraph is about, in order of first mention: each named as the subject of a
    sentence or clause at least once, and not only in passing beside a place the paragraph is about."""
    scores = score_units(mentions, scope, gz)
    if not scores:
        return []
    top = max(score for score, _, _ in scores.values())
    chosen = [u for u, (score, _, best) in scores.items()
              if best >= 2 and score >= SUBJECT_MIN_SCORE and score >= SUBJECT_MIN_SHARE * top]
    return sorted(chosen, key=lambda u: scores[u][1])
