"""Which places a paragraph is about.

Mentions are found with the gazetteer, weighed by where they stand (a
sentence's subject counts more than a place named in passing), filtered for
organisations named after a place (南京大学, 昆山发布) and resolved within the
article's scope: a province (units are its prefecture-level cities), one city
(units are its districts and counties) or the whole country.
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
ENUMERATION = ("、", "和", "与", "及", "同", "或")
OFFICIAL_AFTER = ("市委", "市政府", "市长", "市人大", "市政协", "区委", "区长", "县委", "县长", "州委", "州长")
NATIONAL_WORDS = ("全国", "各省", "多省", "31省", "各地区")
STRONG_ORG = ("大学", "学院", "研究院", "研究所", "公司", "集团", "银行", "医院", "日报", "晚报", "实验室")
SUBJECT_MIN_SCORE = 3
SUBJECT_MIN_SHARE = 0.34
OVERVIEW_UNITS = 4


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    candidates: tuple[Place, ...]
    weight: int
    """3 sentence subject, 2 clause subject, 1 in passing, 0 part of an organisation's name."""


@dataclass(frozen=True, slots=True)
class Scope:
    level: str
    """province, city or nation."""
    place: Place | None = None

    @property
    def province(self) -> str:
        return self.place.province if self.place else ""


def find_mentions(text: str, gz: Gazetteer, lex: Lexicon) -> list[Mention]:
    """Longest gazetteer matches, left to right, with their weights."""
    mentions = []
    i = 0
    while i < len(text) - 1:
        for length in range(min(gz.max_alias, len(text) - i), 1, -1):
            places = gz.by_alias.get(text[i:i + length])
            if places:
                end = i + length
                mentions.append(Mention(i, end, places, _weight(text, i, end, mentions, lex)))
                i = end
                break
        else:
            i += 1
    return mentions


def _weight(text: str, start: int, end: int, earlier: list[Mention], lex: Lexicon) -> int:
    if _names_organisation(text, start, end, lex):
        return 0
    if text.startswith(OFFICIAL_AFTER, end) or text.startswith(OFFICIAL_AFTER, end + 1):
        return 3
    before = text[max(0, start - 2):start]
    if before.endswith(ENUMERATION) or before.endswith(("“", "《", "\"")):
        return 1
    sentence_start = max(text.rfind(ch, 0, start) for ch in SENTENCE_BREAK) + 1
    clause_start = max([text.rfind(ch, 0, start) for ch in CLAUSE_BREAK] + [sentence_start - 1]) + 1
    lead = text[clause_start:start].strip()
    if len(lead) > 1 and lead not in lex.event_openers:
        return 1
    if clause_start == sentence_start or not any(m.start >= sentence_start for m in earlier):
        return 3
    return 2


def _names_organisation(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """南京大学, 苏州日报, 昆山发布, 徐州市产业技术研究院, 天合光能(宿迁)科技."""
    if text[start - 1:start] == "(" and text[end:end + 1] == ")":
        return True
    rest = text[end:].lstrip("市区县")
    for suffix in lex.org_suffixes:
        if rest.startswith(suffix):
            after = rest[len(suffix):len(suffix) + 1]
            return suffix != "发布" or not after or not ("\u4e00" <= after <= "\u9fff") or after in "厅会"
    window = re.split(r"[,。;:、!?()“”\s与和及同在对向]", rest[:10], maxsplit=1)[0]
    return any(org in window for org in STRONG_ORG)


def detect_scope(title: str, bodies: list[list[Mention]], gz: Gazetteer, lex: Lexicon) -> Scope:
    """The article's region: from its title, else from the majority of mentions."""
    if any(word in title for word in NATIONAL_WORDS):
        return Scope("nation")
    title_places = [_prefer(m.candidates, ("province", "prefecture", "county")) for m in find_mentions(title, gz, lex)]
    for place in title_places:
        if place.level != "province":
            prefecture = gz.prefecture_of(place)
            if _counties_named(bodies, prefecture, gz) >= 2:
                return Scope("city", prefecture)
    for place in title_places:
        if place.level == "province":
            return Scope("province", place)
        return Scope("province", gz.province_of(gz.prefecture_of(place)))
    provinces = Counter()
    for mentions in bodies:
        for m in mentions:
            if m.weight and len({p.province for p in m.candidates}) == 1:
                provinces[m.candidates[0].province] += m.weight
    if not provinces:
        return Scope("nation")
    code, score = provinces.most_common(1)[0]
    if score < 0.5 * sum(provinces.values()):
        return Scope("nation")
    return Scope("province", gz.by_code[("province", code)])


def _prefer(places: tuple[Place, ...], levels: tuple[str, ...]) -> Place:
    rank = {level: i for i, level in enumerate(levels)}
    return min(places, key=lambda p: (rank.get(p.level, 9), p.code))


def _counties_named(bodies: list[list[Mention]], prefecture: Place, gz: Gazetteer) -> int:
    named = set()
    for mentions in bodies:
        for m in mentions:
            for p in m.candidates:
                if p.level in ("county", "zone") and p.parent == prefecture.code and m.weight >= 2:
                    named.add(p.code)
    return len(named)


def resolve(mention: Mention, scope: Scope, gz: Gazetteer) -> Place | None:
    """The unit (entry-level place) a mention stands for within the scope, if any."""
    inside = [p for p in mention.candidates if p.level != "province" and _in_scope(p, scope, gz)]
    if not inside:
        return None
    inside = [p for p in inside if p.alias != "weak" or _spelled_fully(mention, p) or scope.level != "nation"]
    if not inside:
        return None
    if scope.level == "city":
        units = {p for p in inside if p.level in ("county", "zone") and p.code != scope.place.code}
        if len(units) != 1:
            return None
        return units.pop()
    units = {gz.prefecture_of(p) for p in inside}
    if len(units) > 1:
        prefectures = {p for p in inside if p.level == "prefecture"}
        units = prefectures if len(prefectures) == 1 else units
    return units.pop() if len(units) == 1 else None


def _spelled_fully(mention: Mention, place: Place) -> bool:
    return mention.end - mention.start >= len(place.name)


def _in_scope(place: Place, scope: Scope, gz: Gazetteer) -> bool:
    if scope.level == "nation":
        return True
    if scope.level == "province":
        return place.province == scope.place.province
    return gz.prefecture_of(place).code == scope.place.code


def score_units(mentions: list[Mention], scope: Scope, gz: Gazetteer) -> dict[Place, tuple[int, int]]:
    """unit → (score, first position) for one paragraph."""
    scores: dict[Place, tuple[int, int]] = {}
    for m in mentions:
        unit = resolve(m, scope, gz)
        if unit is None or not m.weight:
            continue
        score, first = scores.get(unit, (0, m.start))
        scores[unit] = (score + m.weight, first)
    return scores


def subjects(mentions: list[Mention], scope: Scope, gz: Gazetteer) -> list[Place]:
    """The places a paragraph is about, in order of first mention.

    A place counts when named as a subject, not only in passing; a paragraph
    naming many places with none standing out is an overview (no subjects).
    """
    scores = score_units(mentions, scope, gz)
    if not scores:
        return []
    top = max(score for score, _ in scores.values())
    chosen = [u for u, (score, _) in scores.items()
              if score >= SUBJECT_MIN_SCORE and score >= SUBJECT_MIN_SHARE * top]
    if len(scores) >= OVERVIEW_UNITS and len(chosen) >= OVERVIEW_UNITS:
        return []
    if not chosen:
        first = min(scores.items(), key=lambda item: (-item[1][0], item[1][1]))[0]
        chosen = [first] if top >= 2 else []
    return sorted(chosen, key=lambda u: scores[u][1])
