"""Cleaned article → Digest and per-place Entries (the ingest parser's top level).

    parse_article(lines, themes) -> ParsedDigest

Stages: clean the page (clean.py), find the article's scope and each
paragraph's places (places.py), group paragraphs into sections and entries,
then fill each entry's fields (fields.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from pypinyin import lazy_pinyin

from .. import gazetteer, lexicon
from ..errors import DigestError, Problem
from ..model import Digest, Entry, Person, Place, Section, SourceRef, Theme
from . import fields
from .clean import Block, CleanArticle, clean, heading_text
from .normalize import aligned, simplify
from .places import Mention, Scope, detect_scope, find_mentions, listed, resolve, subjects, unit_of

FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
MONTH_DAY = re.compile(r"(?<![\d.])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
WEEK_RANGE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\s*[-—~至到]\s*(\d{1,2})\.(\d{1,2})(?![\d.])")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
MONTH_DAY_REACH = 62
"""A month-day more than two months before the page's timestamp is not the news's own day."""
CLOSING_CUES = ("各地", "全省", "全市", "全国", "新的一年", "总之", "座城市", "个城市", "各市", "各区", "各县")
GENERAL_THEME = "综合"
LIST_LEAD_MAX = 40
THEME_NAME_MAX = 6
"""A heading brings a theme of its own only when it is a short label (稳增长, 文旅融合:…)."""
BARE_ITEM = re.compile(r"^([\u4e00-\u9fff]{2,8}?[市县区]?)\s*\d")
COUNTED_ITEM = re.compile(r"^([\u4e00-\u9fff]{2,8}?[市县区]?)([\u4e00-\u9fff“”]{2,12})\s*\d")
LEADING_LABEL = re.compile(r"^[“\"「《][^”\"」》]{1,12}[”\"」》]\s*")
"""A quoted label before a heading's place: “亮点”某市,…"""


@dataclass
class ParsedDigest:
    digest: Digest
    entries: list[Entry]
    new_themes: list[Theme] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the parser guessed and a person may want to check (one line each)."""


@dataclass
class _Heading:
    """A heading that names a place (济南, 【南京】, 烟台市委书记 刘强, 某市:…): its paragraphs are that place's."""

    place: Place
    people: list[Person] = field(default_factory=list)


@dataclass
class _Paragraph:
    number: int
    block: Block
    section: int | None
    mentions: list[Mention]
    heading: _Heading | None = None
    places: list[Place] = field(default_factory=list)
    role: str = ""
    credits: list[str] = field(default_factory=list)
    parts: dict[Place, str] = field(default_factory=dict)
    """Each place's own words when the paragraph speaks of several (as published)."""
    fillers: dict[Place, str] = field(default_factory=dict)
    """A list item's words with what it counts put back, for its headline (大连新开工项目256个)."""


def parse_article(lines: list[str], themes: list[Theme], source: str, digest_id: str = "",
                  date: dt.date | None = None, file_date: dt.date | None = None) -> ParsedDigest:
    """`date` is the user's (--date); `file_date` the file's own, the last resort when the page has none."""
    gz, lex = gazetteer.load(), lexicon.load()
    article = clean(lines, lex)
    if not any(b.kind == "paragraph" for b in article.blocks):
        raise DigestError(Problem(source, "no article text found (only page chrome or nothing at all)",
                                  hint="copy the article's text or save its page as HTML"))
    article.title = article.title or source.rsplit("/", 1)[-1]
    mentions = {id(b): find_mentions(b.simple, gz, lex) for b in article.blocks if b.kind != "credit"}
    scope = detect_scope(article.title, list(mentions.values()), gz, lex)
    sections, paragraphs = _outline(article, themes, mentions, scope, gz, lex)
    _assign_places(paragraphs, scope, gz, lex)
    _assign_roles(paragraphs, sections, scope)
    if not any(p.places for p in paragraphs):
        raise DigestError(Problem(source, "no places recognised: this does not read like a regional round-up",
                                  hint="check the file is the article; places come from digest/data/gazetteer.tsv"))
    found = DateFound(date, "given") if date else \
        event_date(article, [p.block.simple for p in paragraphs], file_date)
    digest_id = digest_id or f"{found.date.isoformat()}-{_region_slug(scope)}"
    new_themes = _new_themes(sections, themes)
    digest = _digest(article, sections, paragraphs, scope, digest_id, found, source)
    entries = _entries(paragraphs, sections, scope, digest, article, gz, lex)
    return ParsedDigest(digest, entries, new_themes, [found.note] if found.note else [])


@dataclass
class _Section:
    heading: str
    theme: Theme
    first: int = 0
    intro: list[str] = field(default_factory=list)


def _outline(article: CleanArticle, themes: list[Theme], mentions, scope: Scope, gz, lex):
    """Number the paragraphs, open a section at each theme heading, note place headings."""
    sections: list[_Section] = []
    paragraphs: list[_Paragraph] = []
    heading: _Heading | None = None
    pending_credits: list[str] = []
    for block in article.blocks:
        if block.kind == "credit":
            target = paragraphs[-1].credits if paragraphs and not pending_credits else pending_credits
            target.append(block.text)
        elif block.kind == "heading":
            heading = _place_heading(block, mentions[id(block)], scope, gz, lex)
            if heading is None:
                sections.append(_Section(block.text, _theme_for(heading_text(block.simple), themes)))
        else:
            section = len(sections) - 1 if sections else None
            if section is not None and not sections[section].first:
                sections[section].first = len(paragraphs) + 1
            paragraph = _Paragraph(len(paragraphs) + 1, block, section, mentions[id(block)], heading,
                                   credits=pending_credits)
            pending_credits = []
            paragraphs.append(paragraph)
    return sections, paragraphs


def _place_heading(block: Block, mentions: list[Mention], scope: Scope, gz, lex) -> _Heading | None:
    """济南, 【南京】, 三、儋州市政府, 南京市:打造6G之城, “亮点”某市…, 烟台市委书记 刘强 — a heading that
    begins with a place of the round-up (not its scope) is that place's; a title and name in it are
    its official's."""
    text = heading_text(block.simple)
    offset = block.simple.find(text[:4]) if text else -1
    label = LEADING_LABEL.match(text)
    if label:
        offset += label.end()
    first = next((m for m in mentions if m.start >= offset), None)
    if first is None or first.start != offset:
        return None
    place = resolve(first, scope, gz)
    if place is None:
        return None
    return _Heading(place, fields.people(block.simple, lex, lambda before: False))


def _theme_for(heading: str, themes: list[Theme]) -> Theme:
    key = re.split(r"[:|丨]", heading, maxsplit=1)[0].strip()
    for text in (key, heading):
        for theme in themes:
            if theme.name in text or any(word in text for word in theme.keywords):
                return theme
    name = key.rstrip("?") if len(key) <= 3 else key[:2] if len(key) == 4 else key
    if not re.search(r"\w", name) or len(name) > THEME_NAME_MAX:
        # page noise, or a heading that is a sentence (重大项目不停工 重点企业不停产): no theme of its own
        return next((t for t in themes if t.name == GENERAL_THEME), Theme(GENERAL_THEME, "zonghe"))
    return Theme(name=name, slug=_slug(name), description=f"由标题“{heading}”而来")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(lazy_pinyin(text)).lower()).strip("-")
    return slug or "theme"


def _assign_places(paragraphs: list[_Paragraph], scope: Scope, gz, lex) -> None:
    for p in paragraphs:
        if p.heading is not None:
            p.places = [p.heading.place]
        else:
            p.places = subjects(p.mentions, scope, gz)
    if not any(p.places for p in paragraphs):
        for p in paragraphs:
            p.places = listed(p.mentions, scope, gz)
        return  # places only listed share their paragraphs: no clause of them is any one's own
    for p in paragraphs:
        if len(p.places) > 1 and p.heading is None:
            p.parts = _parts(p, scope, gz, lex)
            p.places = [place for place in p.places if place in p.parts]


def _parts(p: _Paragraph, scope: Scope, gz, lex) -> dict[Place, str]:
    """Each subject's own sentences of a paragraph naming several, or its own clauses when one
    sentence lists them (合肥市46个、芜湖市…; 南京市市长甲、苏州市市长乙…), with the words that open
    such a list (此次开工的项目中,…) before each; a sentence naming no subject goes with the one before."""
    text = aligned(p.block.text)
    source = p.block.text if text else p.block.simple
    text = text or p.block.simple
    mentions = find_mentions(text, gz, lex)
    pieces: dict[Place, list[str]] = {}
    current: Place | None = None
    for start, end in fields.sentence_spans(text):
        starts = [(m.start, unit) for m in mentions if start <= m.start < end and m.weight >= 2
                  and (unit := unit_of(m, scope, gz, p.places)) is not None]
        if not starts:
            if current is not None:
                pieces[current].append(source[start:end])
            continue
        if len({unit for _, unit in starts}) == 1:
            pieces.setdefault(starts[0][1], []).append(source[start:end])
            current = starts[0][1]
            continue
        cuts = _clause_cuts(text, start, starts)
        lead = source[cuts[0][0]:cuts[1][0]].strip() if cuts[0][1] is None else ""
        lead = lead if len(lead) <= LIST_LEAD_MAX else ""
        for (cut, unit), (next_cut, _) in zip(cuts, cuts[1:] + [(end, None)]):
            if unit is None:
                continue
            words = _as_sentence(source[cut:next_cut])
            pieces.setdefault(unit, []).append(lead + words)
            _fill_measure(p, unit, words, text[cut:next_cut], [text[c:n] for (c, u), (n, _) in
                                                                   zip(cuts, cuts[1:] + [(end, None)]) if u])
        current = starts[-1][1]
    return {place: "".join(words).strip() for place, words in pieces.items() if "".join(words).strip()}


def _fill_measure(p: _Paragraph, unit: Place, words: str, simple: str, items: list[str]) -> None:
    """大连256个 in '沈阳市新开工项目267个,大连256个,…' leaves out what it counts: its headline takes
    it from the first item that says it (大连新开工项目256个)."""
    bare = BARE_ITEM.match(simple.strip())
    if not bare:
        return
    for item in items:
        named = COUNTED_ITEM.match(item.strip())
        if named:
            p.fillers[unit] = bare.group(1) + named.group(2) + simple.strip()[bare.end(1):].rstrip(",;、。")
            return


def _clause_cuts(text: str, start: int, starts: list[tuple[int, Place]]) -> list[tuple[int, Place | None]]:
    """Where a sentence changes subject: at the clause break before each new subject's mention."""
    cuts: list[tuple[int, Place | None]] = [(start, None)]
    for at, unit in starts:
        if cuts[-1][1] == unit:
            continue
        floor = cuts[-1][0]
        breaks = [text.rfind(ch, floor, at) for ch in ",;、:"]
        cut = max(breaks) + 1 if max(breaks) >= floor else floor
        if cut == cuts[-1][0]:
            cuts[-1] = (cut, unit)
        else:
            cuts.append((cut, unit))
    if cuts[0][1] is None and len(cuts) > 1 and cuts[0][0] == cuts[1][0]:
        cuts.pop(0)
    return cuts


def _as_sentence(words: str) -> str:
    """A clause cut from a list reads as a sentence: its trailing comma becomes a full stop."""
    words = words.strip().lstrip(",;、:")
    return words[:-1] + "。" if words[-1:] in ",;、:" else words


def _assign_roles(paragraphs: list[_Paragraph], sections: list[_Section], scope: Scope) -> None:
    """intro, section-intro, entry, continuation or closing, for each paragraph."""
    last_entry = max((p.number for p in paragraphs if p.places), default=0)
    region = scope.place.short if scope.place else ""
    previous: _Paragraph | None = None
    for p in paragraphs:
        opens_section = p.section is not None and sections[p.section].first == p.number
        if p.places:
            p.role = "entry"
        elif p.number > last_entry and (sections or _mentions_region(p, region)):
            p.role = "closing"
        elif previous is None or (previous.role in ("intro",) and p.section is None):
            p.role = "intro"
        elif opens_section or (previous.role == "section-intro" and previous.section == p.section):
            p.role = "section-intro"
        elif len(previous.places) == 1 and previous.section == p.section:
            p.role = "continuation"
            p.places = list(previous.places)
        else:
            p.role = "intro" if p.section is None and not any(q.places for q in paragraphs[:p.number]) \
                else "section-intro"
        previous = p


def _mentions_region(p: _Paragraph, region: str) -> bool:
    text = p.block.simple
    return bool(region and region in text) or any(cue in text for cue in CLOSING_CUES)


DATE_NOTE = "date {date} taken from {what} — pass --date to change it"


@dataclass(frozen=True)
class DateFound:
    """The day the news is about, where it was found, and a note when it was guessed."""

    date: dt.date
    source: str
    """given, title, intro, timestamp, month-day or file (Digest.date_source)."""
    note: str = ""


def event_date(article: CleanArticle, paragraphs: list[str], file_date: dt.date | None) -> DateFound:
    """The best evidence the page gives, strongest first: a full date in the title or intro; a month-day
    there whose year the page's timestamp or title settles; the page's own timestamp; a month-day with
    the file's year; the file's own date.  A date is never a reason to refuse an article."""
    intro = paragraphs[:3]
    for where, texts in (("title", [article.title]), ("intro", intro)):
        for text in texts:
            found = _full_date(text)
            if found:
                return DateFound(found, where)
    published = _published_date(article.published)
    title_year = YEAR.search(article.title)
    for text in [article.title, *intro]:
        day = _month_day(text)
        if not day:
            continue
        month, mday, shown = day
        if published:
            found = _day_before(published, month, mday)
            if found and (published - found).days <= MONTH_DAY_REACH:
                return DateFound(found, "month-day", DATE_NOTE.format(
                    date=found, what=f"“{shown}” and the year of the page's timestamp"))
        elif title_year:
            found = _valid_date(int(title_year.group(1)), month, mday)
            if found:
                return DateFound(found, "month-day", DATE_NOTE.format(date=found, what=f"“{shown}” and the title's year"))
    if published:
        return DateFound(published, "timestamp", DATE_NOTE.format(date=published, what="the page's timestamp"))
    fallback = file_date or dt.date.today()
    for text in [article.title, *intro]:
        day = _month_day(text)
        found = day and _day_before(fallback, day[0], day[1])
        if found:
            return DateFound(found, "month-day", DATE_NOTE.format(
                date=found, what=f"“{day[2]}” and the year of the file's date"))
    return DateFound(fallback, "file", DATE_NOTE.format(date=fallback, what="the file's own date"))


def _full_date(text: str) -> dt.date | None:
    for match in FULL_DATE.finditer(text):
        found = _valid_date(*(int(g) for g in match.groups() if g))
        if found:
            return found
    return None


def _month_day(text: str) -> tuple[int, int, str] | None:
    """(month, day, as written) of the first month-day: 3月3日, 2月5号, or a week's range (6.9-6.15),
    which stands for its first day (as 7月26日至8月3日 does)."""
    week = WEEK_RANGE.search(text)
    match = MONTH_DAY.search(text)
    if week and (not match or week.start() < match.start()):
        return int(week.group(1)), int(week.group(2)), week.group()
    if match:
        return int(match.group(1)), int(match.group(2)), match.group()
    return None


def _published_date(published: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(published[:10])
    except ValueError:
        return None


def _day_before(anchor: dt.date, month: int, day: int) -> dt.date | None:
    """The month-day on or before `anchor` (a day of grace): 12月31日 read on 1月2日 is last year's."""
    for year in (anchor.year, anchor.year - 1):
        found = _valid_date(year, month, day)
        if found and found <= anchor + dt.timedelta(days=1):
            return found
    return None


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day) if 1900 < year < 2200 else None
    except ValueError:
        return None


def _region_slug(scope: Scope) -> str:
    return scope.place.slug if scope.place else "quanguo"


def _new_themes(sections: list[_Section], themes: list[Theme]) -> list[Theme]:
    """Themes the headings brought, one per name, each with a slug no other theme has."""
    names = {t.name for t in themes}
    slugs = {t.slug for t in themes}
    found = []
    for s in sections:
        if s.theme.name in names:
            continue
        slug, n = s.theme.slug, 2
        while slug in slugs:
            slug, n = f"{s.theme.slug}-{n}", n + 1
        found.append(replace(s.theme, slug=slug))
        names.add(s.theme.name)
        slugs.add(slug)
    return found


def _digest(article, sections, paragraphs, scope, digest_id, found: DateFound, source) -> Digest:
    def texts(role: str, section: int | None = None) -> str:
        return "\n\n".join(p.block.text for p in paragraphs
                           if p.role == role and (section is None or p.section == section))

    return Digest(
        id=digest_id,
        title=article.title,
        date=found.date,
        date_source=found.source,
        region=scope.place.short if scope.place else "全国",
        province=gazetteer.load().province_of(scope.place).name if scope.place else "",
        published=article.published,
        outlet=article.outlet,
        author="、".join(article.authors),
        editors=tuple(article.editors),
        sources=tuple(article.sources),
        intro=texts("intro"),
        closing=texts("closing"),
        sections=tuple(Section(heading=s.heading, theme=s.theme.name, first=s.first, intro=texts("section-intro", i))
                       for i, s in enumerate(sections)),
        paragraphs=tuple(p.block.text for p in paragraphs),
        source_file=source,
    )


def _entries(paragraphs, sections, scope, digest: Digest, article: CleanArticle, gz, lex) -> list[Entry]:
    groups: dict[Place, list[_Paragraph]] = {}
    for p in paragraphs:
        for place in p.places:
            groups.setdefault(place, []).append(p)
    general = Theme(GENERAL_THEME, "zonghe")
    strangers = set(article.authors) | set(article.editors)
    entries = []
    for place, members in groups.items():
        first = members[0]
        theme = sections[first.section].theme if first.section is not None else general
        body = "\n\n".join(p.parts.get(place, p.block.text) for p in members)
        text = simplify(body)
        sentence_list = fields.sentences(text)
        names = (place.short, place.name, place.display)
        summary = fields.summary(sentence_list)
        fillers = [p.fillers[place] for p in members if place in p.fillers]
        credits = [c for p in members for c in p.credits]
        people = [person for p in members if p.heading for person in p.heading.people]
        people += fields.people(text, lex, _foreign(place, scope, gz, lex), officials_of=_official_level(place, scope))
        entries.append(Entry(
            city=place.short if place.level == "province" else place.display,
            slug=_entry_slug(place, gz),
            code=place.code,
            province=gz.province_of(place).name,
            parent=_parent(place, gz),
            theme=theme.name,
            date=digest.date,
            headline=fields.headline(fillers or sentence_list, names, lex, summary),
            summary=summary,
            body=body,
            people=tuple(_unique_people(people, strangers)),
            figures=tuple(fields.figures(text, lex)),
            events=tuple(fields.events(text, lex)),
            image_credit="; ".join(dict.fromkeys(credits)),
            source=SourceRef(digest.id, tuple(p.number for p in members),
                             quote=fields.sentences(first.block.text)[0][:80] if first.block.text else ""),
        ))
    return entries


def _entry_slug(place: Place, gz) -> str:
    """A province's entry (in a national round-up) must not take the page of a city of its name (吉林)."""
    if place.level == "province" and any(p.slug == place.slug and p.level != "province" for p in gz.by_alias.get(
            place.short, ())):
        return f"{place.slug}-sheng"
    return place.slug


def _parent(place: Place, gz) -> str:
    """The prefecture of a county-level place that stands for itself (义乌 → 金华)."""
    if place.level in ("county", "zone"):
        city = gz.prefecture_of(place)
        return city.display if city != place else ""
    return ""


def _official_level(place: Place, scope: Scope) -> str:
    """Whose titles are this place's own: a province's (省委书记) for a province, never a municipality's
    city-wide leaders (上海市委书记) for one of its districts."""
    if place.level == "province":
        return "province"
    if scope.level == "city" and scope.place and scope.place.code[:2] in ("11", "12", "31", "50"):
        return "district"
    if place.level == "prefecture" and place.code[:2] in ("11", "12", "31", "50"):
        return "municipality"
    return "local"


def _unique_people(people: list[Person], strangers: set[str]) -> list[Person]:
    seen, found = set(), []
    for person in people:
        if person.name not in seen and person.name not in strangers:
            seen.add(person.name)
            found.append(person)
    return found


def _foreign(place: Place, scope: Scope, gz, lex):
    """A test for 'the words before this title name another place'."""
    def is_foreign(before: str) -> bool:
        mentions = find_mentions(before, gz, lex)
        if not mentions or mentions[-1].end != len(before):
            return False
        unit = resolve(mentions[-1], scope, gz)
        if unit is None:
            return not (place.level == "province" and any(p == place for p in mentions[-1].candidates))
        return unit != place and not (unit.level in ("county", "zone") and gz.prefecture_of(unit) == place)
    return is_foreign
