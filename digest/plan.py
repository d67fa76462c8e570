"""The site plan: every page to write, its path, template and context.

Pure: a Site in, a list of PageJob out.  Anything shared by many pages (theme
lists, entry groupings, officials, URLs) is computed once here, never per page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from . import people
from .errors import DigestError, Problem
from .model import Digest, Entry, Site, Theme
from .people import Official

FEED_SIZE = 50
OTHERS = 5
"""An entry page links to this many other entries of its place."""
HOME_RECENT = 6
"""Digests the home page lists after the latest; the archive holds them all."""
PEOPLE_PER_PAGE = 300
"""Officials per page of the people index."""
JSON_TEMPLATE, CSV_TEMPLATE, SCHEMA_TEMPLATE = "entries.json", "entries.csv", "entries.schema.json"
"""The open-data files: written by digest/opendata.py (the render stage knows), not by templates."""
SCHEMA_PATH = "data/entries.schema.json"


@dataclass(slots=True)
class PageJob:
    """One page to write.  Not frozen: a big site plans tens of thousands, and frozen dataclasses
    cost several times more to make."""

    path: str
    """Relative to the output folder, e.g. cities/nanjing/index.html."""
    template: str
    context: dict = field(hash=False, compare=False)
    sources: tuple[str, ...] = ()
    """Every content file whose data the page shows.  With the site's layout
    (build/changes.layout_of) unchanged, a page whose sources are unchanged is unchanged:
    incremental builds rely on this list being complete."""


# What templates are given besides model objects.  Named tuples: `x.name` in a template is a plain
# attribute read (on a dict it fails first and falls back to an item lookup), and they are as cheap
# to make as dicts.

class Nav(NamedTuple):
    """The main navigation's current section: the path its link leads to, and whether this page is
    that very page (aria-current="page") or one inside the section (aria-current="true")."""
    path: str
    exact: bool


NO_NAV = Nav("", False)
IN_CITIES, IN_PEOPLE, IN_ARCHIVE = Nav("cities/index.html", False), Nav("people/index.html", False), \
    Nav("archive/index.html", False)
"""The sections of pages inside them (one object for all their pages)."""


class Pager(NamedTuple):
    number: int
    count: int
    prev: str | None
    """Path of the previous page, or None on the first."""
    next: str | None


class Paragraph(NamedTuple):
    """A paragraph of a digest page, with the section it starts and the entries made from it."""
    number: int
    text: str
    section: object
    entries: list


class ThemeSection(NamedTuple):
    """The home page's entries of one theme."""
    theme: Theme
    heading: str
    entries: list


class ThemeCount(NamedTuple):
    theme: Theme
    count: int


class DigestCard(NamedTuple):
    """A digest at a glance (home and archive): its themes with counts and its places."""
    digest: Digest
    entries: list
    themes: list


class TimelineGroup(NamedTuple):
    """A city page's entries of one digest."""
    digest: Digest
    entries: list


class CityLink(NamedTuple):
    slug: str
    name: str
    count: int
    entry: Entry
    """The place's newest entry (where it is, its colour on maps)."""


class Province(NamedTuple):
    name: str
    cities: list


class PeopleGroup(NamedTuple):
    """The people index's officials of one place."""
    province: str
    place: str
    parent: str
    slug: str
    officials: list


def entry_path(entry: Entry) -> str:
    return f"digests/{entry.digest_id}/{entry.slug}/index.html"


def city_path(slug: str, page: int = 1) -> str:
    return f"cities/{slug}/index.html" if page == 1 else f"cities/{slug}/page/{page}/index.html"


def theme_path(theme: Theme, page: int = 1) -> str:
    return f"themes/{theme.slug}/index.html" if page == 1 else f"themes/{theme.slug}/page/{page}/index.html"


def digest_path(digest: Digest) -> str:
    return f"digests/{digest.id}/index.html"


def archive_path(page: int = 1) -> str:
    return "archive/index.html" if page == 1 else f"archive/page/{page}/index.html"


def data_path(kind: str, digest: Digest | None = None) -> str:
    """data/entries.json (`kind` json or csv) for the whole site; digests/<id>/entries.json for one digest."""
    return f"digests/{digest.id}/entries.{kind}" if digest else f"data/entries.{kind}"


def people_path(page: int = 1) -> str:
    return "people/index.html" if page == 1 else f"people/page/{page}/index.html"


def entry_title(entry: Entry) -> str:
    """The entry's headline, led by its place unless the headline names it already (常州走出了…)."""
    return entry.headline if entry.city in entry.headline else f"{entry.city}:{entry.headline}"


_NOT_TEXT = re.compile(r"[\s*_`#>]+")


def lede_of(entry: Entry) -> str:
    """The summary, to show above the body; '' when the body already holds it (its first sentences,
    as ingest writes it), so a page never says the same thing twice."""
    if not entry.summary or entry.summary in entry.body:
        return ""
    summary = _NOT_TEXT.sub("", entry.summary)  # the same words, spaced or marked up differently
    return entry.summary if summary and summary not in _NOT_TEXT.sub("", entry.body) else ""


@dataclass
class SiteIndex:
    """Groupings every page may need, built once."""

    site: Site
    themes_by_name: dict[str, Theme]
    entries_by_theme: dict[str, list[Entry]]
    entries_by_city: dict[str, list[Entry]]
    entries_by_digest: dict[str, list[Entry]]
    digest_by_id: dict[str, Digest]
    paragraph_entries: dict[tuple[str, int], list[Entry]]
    officials: dict[tuple[str, str], Official]
    """(name, place slug) → official, in order of their newest appearance."""


def group_site(site: Site) -> SiteIndex:
    digest_order = {d.id: i for i, d in enumerate(site.digests)}  # newest first
    newest_first = sorted(site.entries, key=lambda e: (digest_order.get(e.digest_id, 0), _first_paragraph(e), e.slug))
    by_theme, by_city, by_digest = defaultdict(list), defaultdict(list), defaultdict(list)
    paragraph_entries = defaultdict(list)
    for entry in newest_first:
        by_theme[entry.theme].append(entry)
        by_city[entry.slug].append(entry)
        by_digest[entry.digest_id].append(entry)
        for number in entry.source.paragraphs if entry.source else ():
            paragraph_entries[(entry.digest_id, number)].append(entry)
    return SiteIndex(site, {t.name: t for t in site.themes}, by_theme, by_city, by_digest,
                     {d.id: d for d in site.digests}, paragraph_entries, people.officials(newest_first))


def _first_paragraph(entry: Entry) -> int:
    return entry.source.paragraphs[0] if entry.source and entry.source.paragraphs else 10**9


def plan(site: Site, only: set[str] | None = None) -> list[PageJob]:
    """Every page of the site, checked for two pages on one path; or just the pages on the paths in
    `only`, for a rebuild whose layout is the last build's (which has the same pages and sources)."""
    idx = group_site(site)
    wanted = _everything if only is None else only.__contains__
    jobs = [*_home(idx), *_themes(idx), *_cities(idx, wanted), *_digests(idx, wanted), *_entries(idx, wanted),
            *_people(idx, wanted), *_archive(idx), *_pages(idx), *_open_data(idx, wanted),
            PageJob("search/index.html", "search.html", {"title": "搜索", "nav": Nav("search/index.html", True)}),
            PageJob("404.html", "404.html", {  # served at any depth: its links start from the site's path
                "title": "页面不存在", "root": "/" + idx.site.settings.base_url.partition("//")[2].partition("/")[2]}),
            *_feeds(idx)]
    if only is not None:
        return [job for job in jobs if job.path in only]
    _check_unique(jobs)
    for job in jobs:
        if job.template == "sitemap.xml":
            job.context["paths"] = [j.path for j in jobs if j.path.endswith(".html") and j.path != "404.html"]
    return jobs


def _everything(path: str) -> bool:
    return True


def _check_unique(jobs: list[PageJob]) -> None:
    if len({job.path for job in jobs}) == len(jobs):
        return
    seen: dict[str, PageJob] = {}
    problems = []
    for job in jobs:
        if job.path in seen:
            problems.append(Problem(job.sources[0] if job.sources else job.path,
                                    f"two pages would be written to {job.path}",
                                    hint="give the entries or pages different slugs"))
        seen[job.path] = job
    if problems:
        raise DigestError(problems)


def _sources_of(entries: list[Entry]) -> tuple[str, ...]:
    return tuple([e.path for e in entries])


def _digest_sources(idx: SiteIndex, digests: list[Digest]) -> tuple[str, ...]:
    """A digest file and its entries' files, for each digest."""
    return tuple(path for d in digests for path in (d.path, *_sources_of(idx.entries_by_digest.get(d.id, []))))


def _theme_counts(idx: SiteIndex, digest: Digest, entries: list[Entry]) -> list[ThemeCount]:
    """The digest's themes in its own order (its sections', then the site's), with their entries."""
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry.theme] += 1
    order = [s.theme for s in digest.sections] + [t.name for t in idx.site.themes]
    return [ThemeCount(idx.themes_by_name[name], counts[name]) for name in dict.fromkeys(order)
            if counts.get(name) and name in idx.themes_by_name]


def _card(idx: SiteIndex, digest: Digest) -> DigestCard:
    entries = idx.entries_by_digest.get(digest.id, [])
    return DigestCard(digest, entries, _theme_counts(idx, digest, entries))


def _home(idx: SiteIndex) -> list[PageJob]:
    digests = list(idx.site.digests)
    latest, recent = (digests[0], digests[1:1 + HOME_RECENT]) if digests else (None, [])
    sections, entries = [], idx.entries_by_digest.get(latest.id, []) if latest else []
    if latest:
        for count in _theme_counts(idx, latest, entries):
            heading = next((s.heading for s in latest.sections if s.theme == count.theme.name), "")
            sections.append(ThemeSection(count.theme, heading, [e for e in entries if e.theme == count.theme.name]))
    context = {"digest": latest, "sections": sections, "total": len(entries), "recent": [_card(idx, d) for d in recent],
               "more": len(digests) > 1 + HOME_RECENT, "digest_count": len(digests),
               "title": idx.site.settings.title, "nav": Nav("index.html", True)}
    return [PageJob("index.html", "home.html", context, _digest_sources(idx, digests[:1 + HOME_RECENT]))]


def _paginate(items: list, per_page: int) -> list[list]:
    if not items:
        return [[]]
    return [items[i:i + per_page] for i in range(0, len(items), per_page)]


def _pager(page: int, pages: int, path_of) -> Pager:
    return Pager(page, pages, path_of(page - 1) if page > 1 else None, path_of(page + 1) if page < pages else None)


def _themes(idx: SiteIndex) -> list[PageJob]:
    jobs = []
    per_page = idx.site.settings.per_page
    for theme in idx.site.themes:
        entries = idx.entries_by_theme.get(theme.name, [])
        chunks = _paginate(entries, per_page)
        for number, chunk in enumerate(chunks, start=1):
            pager = _pager(number, len(chunks), lambda n, t=theme: theme_path(t, n))
            first = number == 1
            jobs.append(PageJob(theme_path(theme, number), "theme.html",
                                {"theme": theme, "entries": chunk, "pager": pager, "total": len(entries),
                                 "places": _places(chunk) if first else [],  # mapped on the first page
                                 "nav": Nav(theme_path(theme), first),
                                 "title": theme.name if first else f"{theme.name}(第{number}页)"},
                                _sources_of(chunk)))
    return jobs


def _places(entries: list[Entry]) -> list[Entry]:
    """The first entry of each place in `entries` (the newest, as listings are ordered)."""
    first: dict[str, Entry] = {}
    for entry in entries:
        first.setdefault(entry.slug, entry)
    return list(first.values())


def _cities(idx: SiteIndex, wanted) -> list[PageJob]:
    by_province = defaultdict(list)
    jobs = []
    per_page = idx.site.settings.per_page
    by_place = _officials_by_place(idx)
    for slug, entries in sorted(idx.entries_by_city.items()):
        latest = entries[0]
        by_province[latest.province].append(CityLink(slug, latest.city, len(entries), latest))
        chunks = _paginate(entries, per_page)
        for number, chunk in enumerate(chunks, start=1):
            if wanted(city_path(slug, number)):
                jobs.append(_city_page(idx, slug, entries, chunk, number, len(chunks), by_place.get(slug, [])))
    provinces = [Province(name, cities) for name, cities in sorted(by_province.items())]
    jobs.append(PageJob("cities/index.html", "cities.html",
                        {"provinces": provinces, "places": len(idx.entries_by_city),
                         "nav": Nav("cities/index.html", True), "title": "城市"},
                        _sources_of([city.entry for province in provinces for city in province.cities])))
    return jobs  # the cities page shows each place's newest entry (its name, code, colour) and counts


def _city_page(idx: SiteIndex, slug: str, entries: list[Entry], chunk: list[Entry], number: int, pages: int,
               officials: list[Official]) -> PageJob:
    """One page of a place's timeline; the first also lists its officials and locates it."""
    latest, first = entries[0], number == 1
    groups: list[TimelineGroup] = []
    for entry in chunk:
        if not groups or groups[-1].digest.id != entry.digest_id:
            groups.append(TimelineGroup(idx.digest_by_id[entry.digest_id], []))
        groups[-1].entries.append(entry)
    shown = entries if first else [latest, *chunk]  # every page is headed by the newest entry's place
    return PageJob(city_path(slug, number), "city.html",
                   {"city": latest.city, "slug": slug, "province": latest.province, "code": latest.code,
                    "place": latest, "groups": groups, "total": len(entries),
                    "officials": officials if first else [],
                    "pager": _pager(number, pages, lambda n: city_path(slug, n)),
                    "nav": IN_CITIES,
                    "title": latest.city if first else f"{latest.city}(第{number}页)"},
                   (*_sources_of(shown), *dict.fromkeys(g.digest.path for g in groups)))


def _officials_by_place(idx: SiteIndex) -> dict[str, list[Official]]:
    by_place = defaultdict(list)
    for official in idx.officials.values():
        by_place[official.slug].append(official)
    return by_place


def _digests(idx: SiteIndex, wanted) -> list[PageJob]:
    jobs = []
    for digest in idx.site.digests:
        if not wanted(digest_path(digest)):
            continue
        headings = {s.first: s for s in digest.sections if s.first}
        paragraphs = [Paragraph(n, text, headings.get(n), idx.paragraph_entries.get((digest.id, n), []))
                      for n, text in enumerate(digest.paragraphs, start=1)]
        entries = idx.entries_by_digest.get(digest.id, [])
        jobs.append(PageJob(digest_path(digest), "digest.html",
                            {"digest": digest, "paragraphs": paragraphs, "entries": entries,
                             "themes": _theme_counts(idx, digest, entries),
                             "figures": sum(len(e.figures) for e in entries),
                             "nav": IN_ARCHIVE, "title": digest.title},
                            _digest_sources(idx, [digest])))
    return jobs


def _entries(idx: SiteIndex, wanted) -> list[PageJob]:
    jobs = []
    navs = {theme.name: Nav(theme_path(theme), False) for theme in idx.site.themes}
    for entry in idx.site.entries:
        path = entry_path(entry)
        if not wanted(path):
            continue
        digest, theme = idx.digest_by_id[entry.digest_id], idx.themes_by_name[entry.theme]
        others = [e for e in idx.entries_by_city[entry.slug][:OTHERS + 1] if e is not entry][:OTHERS]
        jobs.append(PageJob(path, "entry.html",
                            {"entry": entry, "digest": digest, "theme": theme, "others": others,
                             "lede": lede_of(entry), "title": entry_title(entry), "nav": navs[entry.theme]},
                            (entry.path, digest.path, *_sources_of(others))))
    return jobs


def _people(idx: SiteIndex, wanted) -> list[PageJob]:
    """The people index (by province and place) and a page per official."""
    jobs = []
    for official in idx.officials.values():
        if wanted(official.path):
            shown = [a.entry for a in official.appearances]
            digests = dict.fromkeys(idx.digest_by_id[e.digest_id].path for e in shown)
            jobs.append(PageJob(official.path, "person.html",
                                {"official": official, "digests": idx.digest_by_id,
                                 "nav": IN_PEOPLE,
                                 "title": f"{official.name}({official.place}{official.title})"},
                                (*_sources_of(shown), *digests)))
    ordered = sorted(idx.officials.values(), key=lambda o: (o.province, o.slug))  # stable: newest first in a place
    chunks = _paginate(ordered, PEOPLE_PER_PAGE)
    for number, chunk in enumerate(chunks, start=1):
        groups: list[PeopleGroup] = []
        for official in chunk:
            if not groups or groups[-1].slug != official.slug:
                groups.append(PeopleGroup(official.province, official.place, official.parent, official.slug, []))
            groups[-1].officials.append(official)
        jobs.append(PageJob(people_path(number), "people.html",
                            {"groups": groups, "total": len(ordered), "nav": Nav(people_path(), number == 1),
                             "pager": _pager(number, len(chunks), people_path),
                             "title": "人物" if number == 1 else f"人物(第{number}页)"},
                            tuple(dict.fromkeys(a.entry.path for o in chunk for a in o.appearances))))
    return jobs


def _archive(idx: SiteIndex) -> list[PageJob]:
    chunks = _paginate(list(idx.site.digests), idx.site.settings.per_page)
    jobs = []
    for number, chunk in enumerate(chunks, start=1):
        jobs.append(PageJob(archive_path(number), "archive.html",
                            {"cards": [_card(idx, d) for d in chunk], "total": len(idx.site.digests),
                             "pager": _pager(number, len(chunks), archive_path),
                             "nav": Nav(archive_path(), number == 1),
                             "title": "往期" if number == 1 else f"往期(第{number}页)"},
                            _digest_sources(idx, chunk)))
    return jobs


OPEN_DATA_PAGE = "about"
"""The Markdown page (content/pages/about.md) that also lists the open-data files."""


def _pages(idx: SiteIndex) -> list[PageJob]:
    return [PageJob(f"{page.slug}/index.html", "page.html",
                    {"page": page, "title": page.title, "open_data": page.slug == OPEN_DATA_PAGE}, (page.path,))
            for page in idx.site.pages]


def _open_data(idx: SiteIndex, wanted) -> list[PageJob]:
    """The entries as JSON and CSV, for the whole site and for each digest, and their JSON Schema."""
    parts = _data_parts(idx)
    jobs = [PageJob(data_path(kind), template,
                    {"entries": idx.site.entries, "title": "entries", "kind": kind,
                     "parts": [data_path(kind, digest) for digest in parts] if parts else None},
                    _sources_of(list(idx.site.entries))) for kind, template in (("json", JSON_TEMPLATE), ("csv", CSV_TEMPLATE))]
    jobs.append(PageJob(SCHEMA_PATH, SCHEMA_TEMPLATE, {"title": "schema"}))
    for digest in idx.site.digests:
        entries = idx.entries_by_digest.get(digest.id, [])
        for kind, template in (("json", JSON_TEMPLATE), ("csv", CSV_TEMPLATE)):
            if wanted(data_path(kind, digest)):
                jobs.append(PageJob(data_path(kind, digest), template, {"entries": entries, "title": digest.id},
                                    _sources_of(entries)))
    return jobs


def _data_parts(idx: SiteIndex) -> list[Digest] | None:
    """The digests whose open-data files, joined in this order, make the whole site's (records are
    sorted by digest id first); None when some entry is in none of them, so the files cannot."""
    digests = sorted(idx.site.digests, key=lambda digest: digest.id)
    covered = sum(len(idx.entries_by_digest.get(digest.id, ())) for digest in digests)
    return digests if covered == len(idx.site.entries) and len({d.id for d in digests}) == len(digests) else None


def _feeds(idx: SiteIndex) -> list[PageJob]:
    latest = idx.site.entries and sorted(idx.site.entries, key=lambda e: (e.date, e.digest_id, e.slug),
                                         reverse=True)[:FEED_SIZE]
    latest = list(latest or [])
    jobs = [PageJob("feed.xml", "atom.xml", {"entries": latest, "title": "Atom"}, _sources_of(latest)),
            PageJob("feed.json", "feed.json", {"entries": latest, "title": "JSON Feed"}, _sources_of(latest)),
            PageJob("robots.txt", "robots.txt", {"title": "robots"})]
    if idx.site.settings.base_url:
        # plan() adds the paths once the whole plan is known.
        jobs.append(PageJob("sitemap.xml", "sitemap.xml", {"title": "sitemap"}))
    return jobs
