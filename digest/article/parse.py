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
from ..model import Digest, Entry, Place, Section, SourceRef, Theme
from . import fields
from .clean import Block, CleanArticle, clean, heading_text
from .places import Mention, Scope, detect_scope, find_mentions, resolve, subjects

FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
MONTH_DAY = re.compile(r"(?<![\d.])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
WEEK_RANGE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\s*[-—~至到]\s*(\d{1,2})\.(\d{1,2})(?![\d.])")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
MONTH_DAY_REACH = 62
"""A month-day more than two months before the page's timestamp is not the news's own day."""
CLOSING_CUES = ("各地", "全省", "全市", "全国", "新的一年", "总之", "座城市", "个城市", "各市", "各区", "各县")
GENERAL_THEME = "综合"


@dataclass
class ParsedDigest:
    digest: Digest
    entries: list[Entry]
    new_themes: list[Theme] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the parser guessed and a person may want to check (one line each)."""


@dataclass
class _Paragraph:
    number: int
    block: Block
    section: int | None
    mentions: list[Mention]
    heading_place: Place | None = None
    places: list[Place] = field(default_factory=list)
    role: str = ""
    credits: list[str] = field(default_factory=list)


def parse_article(lines: list[str], themes: list[Theme], source: str, digest_id: str = "",
                  date: dt.date | None = None, file_date: dt.date | None = None) -> ParsedDigest:
    """`date` is the user's (--date); `file_date` the file's own, the last resort when the page has none."""
    gz, lex = gazetteer.load(), lexicon.load()
    article = clean(lines, lex)
    if not any(b.kind == "paragraph" for b in article.blocks):
        raise DigestError(Problem(source, "no article text found (only page chrome or nothing at all)",
                                  hint="copy the article's text or save its page as HTML"))
    sections, paragraphs = _outline(article, themes, gz, lex)
    scope = detect_scope(article.title, [p.mentions for p in paragraphs], gz, lex)
    _assign_places(paragraphs, sections, scope, gz, lex)
    _assign_roles(paragraphs, sections, scope)
    if not any(p.places for p in paragraphs):
        raise DigestError(Problem(source, "no places recognised: this does not read like a regional round-up",
                                  hint="check the file is the article; places come from digest/data/gazetteer.tsv"))
    found = DateFound(date, "given") if date else \
        event_date(article, [p.block.simple for p in paragraphs], file_date)
    digest_id = digest_id or f"{found.date.isoformat()}-{_region_slug(scope)}"
    new_themes = _new_themes(sections, themes)
    digest = _digest(article, sections, paragraphs, scope, digest_id, found, source)
    entries = _entries(paragraphs, sections, scope, digest, gz, lex)
    return ParsedDigest(digest, entries, new_themes, [found.note] if found.note else [])


@dataclass
class _Section:
    heading: str
    theme: Theme
    first: int = 0
    intro: list[str] = field(default_factory=list)


def _outline(article: CleanArticle, themes: list[Theme], gz, lex):
    """Number the paragraphs, open a section at each theme heading, note city headings."""
    sections: list[_Section] = []
    paragraphs: list[_Paragraph] = []
    heading_place: Place | None = None
    pending_credits: list[str] = []
    for block in article.blocks:
        if block.kind == "credit":
            target = paragraphs[-1].credits if paragraphs and not pending_credits else pending_credits
            target.append(block.text)
        elif block.kind == "heading":
            place = _heading_place(block.simple, gz, lex)
            if place:
                heading_place = place
                continue
            heading_place = None
            sections.append(_Section(block.text, _theme_for(heading_text(block.simple), themes)))
        else:
            section = len(sections) - 1 if sections else None
            if section is not None and not sections[section].first:
                sections[section].first = len(paragraphs) + 1
            paragraph = _Paragraph(len(paragraphs) + 1, block, section, find_mentions(block.simple, gz, lex),
                                   heading_place, credits=pending_credits)
            pending_credits = []
            paragraphs.append(paragraph)
    return sections, paragraphs


def _heading_place(simple: str, gz, lex) -> Place | None:
    """【南京】, 南京, 南京市:打造6G之城 — a heading that names a place (not a theme)."""
    key = re.split(r"[:|]", heading_text(simple), maxsplit=1)[0].strip()
    places = [p for p in gz.by_alias.get(key, ()) if p.level != "province"]
    return places[0] if places else None


def _theme_for(heading: str, themes: list[Theme]) -> Theme:
    key = re.split(r"[:|]", heading, maxsplit=1)[0].strip()
    for text in (key, heading):
        for theme in themes:
            if theme.name in text or any(word in text for word in theme.keywords):
                return theme
    name = key.rstrip("?") if len(key) <= 3 else key[:2] if len(key) == 4 else key[:6]
    if not re.search(r"\w", name):  # a heading of punctuation or page noise names no theme
        return next((t for t in themes if t.name == GENERAL_THEME), Theme(GENERAL_THEME, "zonghe"))
    return Theme(name=name, slug=_slug(name), description=f"由标题“{heading}”而来")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(lazy_pinyin(text)).lower()).strip("-")
    return slug or "theme"


def _assign_places(paragraphs, sections, scope: Scope, gz, lex) -> None:
    for p in paragraphs:
        if p.heading_place is not None:
            unit = resolve(Mention(0, 0, (p.heading_place,), 3), scope, gz)
            p.places = [unit or p.heading_place]
        else:
            p.places = subjects(p.mentions, scope, gz)


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
        elif previous.places and previous.section == p.section:
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
    which stands for its last day."""
    week = WEEK_RANGE.search(text)
    match = MONTH_DAY.search(text)
    if week and (not match or week.start() < match.start()):
        return int(week.group(3)), int(week.group(4)), week.group()
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


def _entries(paragraphs, sections, scope, digest: Digest, gz, lex) -> list[Entry]:
    groups: dict[Place, list[_Paragraph]] = {}
    for p in paragraphs:
        for place in p.places:
            groups.setdefault(place, []).append(p)
    general = Theme(GENERAL_THEME, "zonghe")
    entries = []
    for place, members in groups.items():
        first = members[0]
        theme = sections[first.section].theme if first.section is not None else general
        text = _text_about(place, members, scope, gz, lex)
        sentence_list = fields.sentences(text)
        names = (place.short, place.name, place.display)
        credits = [c for p in members for c in p.credits]
        entries.append(Entry(
            city=place.display,
            slug=place.slug,
            code=place.code,
            province=gz.province_of(place).name,
            theme=theme.name,
            date=digest.date,
            headline=fields.headline(sentence_list, names),
            summary=fields.summary(sentence_list),
            body="\n\n".join(p.block.text for p in members),
            people=tuple(fields.people(text, lex, _foreign(place, scope, gz, lex))),
            figures=tuple(fields.figures(text, lex)),
            events=tuple(fields.events(text, lex)),
            image_credit="; ".join(dict.fromkeys(credits)),
            source=SourceRef(digest.id, tuple(p.number for p in members),
                             quote=fields.sentences(first.block.text)[0][:80] if first.block.text else ""),
        ))
    return entries


def _text_about(place: Place, members: list[_Paragraph], scope, gz, lex) -> str:
    """The sentences of the entry's paragraphs that speak of this place."""
    parts = []
    for p in members:
        if len(p.places) == 1:
            parts.append(p.block.simple)
            continue
        current = p.places[0]
        for sentence in fields.sentences(p.block.simple):
            units = [resolve(m, scope, gz) for m in find_mentions(sentence, gz, lex) if m.weight >= 2]
            units = [u for u in units if u in p.places]
            current = units[0] if units else current
            if current == place:
                parts.append(sentence)
    return "".join(parts)


def _foreign(place: Place, scope: Scope, gz, lex):
    """A test for 'the words before this title name another place'."""
    def is_foreign(before: str) -> bool:
        mentions = find_mentions(before, gz, lex)
        if not mentions or mentions[-1].end != len(before):
            return False
        unit = resolve(mentions[-1], scope, gz)
        return unit is None or unit != place
    return is_foreign
