"""The site plan: every page to write, its path, template and context.

Pure: a Site in, a list of PageJob out.  Anything shared by many pages (theme
lists, entry groupings, URLs) is computed once here, never per page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from .errors import DigestError, Problem
from .model import Digest, Entry, Site, Theme

FEED_SIZE = 50
OTHERS = 5
"""An entry page links to this many other entries of its place."""


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


class CityLink(NamedTuple):
    slug: str
    name: str
    count: int


class Province(NamedTuple):
    name: str
    cities: list


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
                     {d.id: d for d in site.digests}, paragraph_entries)


def _first_paragraph(entry: Entry) -> int:
    return entry.source.paragraphs[0] if entry.source and entry.source.paragraphs else 10**9


def plan(site: Site, only: set[str] | None = None) -> list[PageJob]:
    """Every page of the site, checked for two pages on one path; or just the pages on the paths in
    `only`, for a rebuild whose layout is the last build's (which has the same pages and sources)."""
    idx = group_site(site)
    wanted = _everything if only is None else only.__contains__
    jobs = [*_home(idx), *_themes(idx), *_cities(idx, wanted), *_digests(idx, wanted), *_entries(idx, wanted),
            *_archive(idx), *_pages(idx), PageJob("search/index.html", "search.html", {"title": "搜索"}),
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


def _home(idx: SiteIndex) -> list[PageJob]:
    latest = idx.site.digests[0] if idx.site.digests else None
    sections = []
    if latest:
        entries = idx.entries_by_digest.get(latest.id, [])
        order = [s.theme for s in latest.sections] + [t.name for t in idx.site.themes]
        for name in dict.fromkeys(order):
            members = [e for e in entries if e.theme == name]
            if members and name in idx.themes_by_name:
                heading = next((s.heading for s in latest.sections if s.theme == name), "")
                sections.append(ThemeSection(idx.themes_by_name[name], heading, members))
    return [PageJob("index.html", "home.html", {"digest": latest, "sections": sections,
                                                "title": idx.site.settings.title},
                    (latest.path, *_sources_of(idx.entries_by_digest.get(latest.id, []))) if latest else ())]


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
            jobs.append(PageJob(theme_path(theme, number), "theme.html",
                                {"theme": theme, "entries": chunk, "pager": pager, "total": len(entries),
                                 "title": theme.name if number == 1 else f"{theme.name}(第{number}页)"},
                                _sources_of(chunk)))
    return jobs


def _cities(idx: SiteIndex, wanted) -> list[PageJob]:
    by_province = defaultdict(list)
    jobs = []
    per_page = idx.site.settings.per_page
    for slug, entries in sorted(idx.entries_by_city.items()):
        latest = entries[0]
        by_province[latest.province].append(CityLink(slug, latest.city, len(entries)))
        chunks = _paginate(entries, per_page)
        for number, chunk in enumerate(chunks, start=1):
            if not wanted(city_path(slug, number)):
                continue
            first = number == 1  # the first page also lists everyone the city's entries name
            people = list({(p.name, p.title): p for e in entries for p in e.people}.values()) if first else []
            jobs.append(PageJob(city_path(slug, number), "city.html",
                                {"city": latest.city, "slug": slug, "province": latest.province,
                                 "code": latest.code, "entries": chunk, "total": len(entries),
                                 "people": people,
                                 "pager": _pager(number, len(chunks), lambda n, s=slug: city_path(s, n)),
                                 "title": latest.city if first else f"{latest.city}(第{number}页)"},
                                _sources_of(entries if first else chunk)))
    provinces = [Province(name, cities) for name, cities in sorted(by_province.items())]
    jobs.append(PageJob("cities/index.html", "cities.html", {"provinces": provinces, "title": "城市"},
                        _sources_of(list(idx.site.entries))))
    return jobs


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
                             "title": digest.title},
                            (digest.path, *_sources_of(entries))))
    return jobs


def _entries(idx: SiteIndex, wanted) -> list[PageJob]:
    jobs = []
    for entry in idx.site.entries:
        path = entry_path(entry)
        if not wanted(path):
            continue
        digest = idx.digest_by_id[entry.digest_id]
        others = [e for e in idx.entries_by_city[entry.slug][:OTHERS + 1] if e is not entry][:OTHERS]
        jobs.append(PageJob(path, "entry.html",
                            {"entry": entry, "digest": digest, "theme": idx.themes_by_name[entry.theme],
                             "others": others, "title": f"{entry.city}:{entry.headline}"},
                            (entry.path, digest.path, *_sources_of(others))))
    return jobs


def _archive(idx: SiteIndex) -> list[PageJob]:
    chunks = _paginate(list(idx.site.digests), idx.site.settings.per_page)
    jobs = []
    for number, chunk in enumerate(chunks, start=1):
        counts = {d.id: len(idx.entries_by_digest.get(d.id, [])) for d in chunk}
        jobs.append(PageJob(archive_path(number), "archive.html",
                            {"digests": chunk, "counts": counts, "pager": _pager(number, len(chunks), archive_path),
                             "title": "往期" if number == 1 else f"往期(第{number}页)"},
                            tuple(d.path for d in chunk)))
    return jobs


def _pages(idx: SiteIndex) -> list[PageJob]:
    return [PageJob(f"{page.slug}/index.html", "page.html", {"page": page, "title": page.title}, (page.path,))
            for page in idx.site.pages]


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
