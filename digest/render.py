"""The render stage: a page job → its text, with Jinja2.  It writes nothing (build/ does).

Autoescaping is on for HTML and XML and undefined names fail the build
(StrictUndefined).  A site's own template folder overrides the default theme
template by template.  Links are relative: each page gets `root`, the path
back to the site's top, so the site works from disk and under any sub-path.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import traceback
from urllib.parse import quote, urlsplit
from pathlib import Path
from typing import NamedTuple

import jinja2
import jinja2.compiler
import jinja2.nodes
from markupsafe import Markup

from . import gazetteer, maps, markup, opendata, people, plan
from .errors import DigestError, Problem
from .model import Entry, Site, plain_value


def escape_text_in_python(value: str) -> str:
    """markupsafe's escaping of plain text, in Python: its entities, no Markup object."""
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&#34;").replace("'", "&#39;"))
    return value


try:  # the C function behind markupsafe.escape, which returns text rather than Markup (markupsafe >= 2.1)
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # markupsafe without its compiled speedups
    _escape_text = escape_text_in_python


def escape_output(value) -> str:
    """What `{{ value }}` writes: `value` escaped for HTML, or as it is when it is already markup.

    The same characters and entities as markupsafe.escape, without making a
    Markup object for every value written (which was a tenth of a page's
    rendering): the template joins the pieces into one string anyway.
    """
    if type(value) is str:
        return _escape_text(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_text(str(value))


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with two changes to what a template writes: `{{ … }}` in autoescaped
    templates calls escape_output, and the pieces of a run of output are joined and yielded once.
    Each yield travels up through every template of the page (a block, its layout, the page's own
    template), which cost more than joining the pieces first."""

    def visit_Output(self, node, frame):
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        frame.buffer = "_pieces"
        try:
            self.writeline("_pieces = []")
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
        self.writeline("yield concat(_pieces)")

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node, frame):
        """`x.name`: Python's getattr first, and Jinja's environment.getattr (an item of a mapping, or
        undefined) only when that finds nothing.  Jinja calls environment.getattr for every dot, which
        cost a tenth of rendering a page.  `x` is written out twice, so only where it is a variable or
        a short chain of names, which reading again cannot change."""
        if self.environment.is_async or self.environment.sandboxed or not _names_only(node.node, _CHAIN_MAX):
            super().visit_Getattr(node, frame)
            return
        self.write("(_found if (_found := getattr(")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r}, missing)) is not missing else environment.getattr(")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r}))")

    def visit_Template(self, node, frame=None):
        self.writeline(f"from {__name__} import escape_output")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node, frame, finalize):
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)


_CHAIN_MAX = 3
"""Longest chain of names (a.b.c) read by visit_Getattr's fast path: each level doubles the code."""


def _names_only(node, depth: int) -> bool:
    """Whether `node` is a variable, or a chain of at most `depth` attribute reads starting at one."""
    while isinstance(node, jinja2.nodes.Getattr) and depth > 0:
        node, depth = node.node, depth - 1
    return isinstance(node, jinja2.nodes.Name)


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator

    def make_globals(self, d):
        """A template's globals as a plain dict, not Jinja's ChainMap over the environment's: every
        page and include copies them into its context, and copying a ChainMap runs in Python.  The
        environment's globals are never changed once templates load, as Jinja advises."""
        return {**self.globals, **(d or {})}


def environment(folders: list[Path], compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """The Jinja environment of a build; `compiled` keeps compiled templates
    between builds (checked against each template's source), so a rebuild does not compile again."""
    env = _Environment(
        bytecode_cache=compiled,
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders from templates that do not change under it: no stat per page
    )
    env.globals["place_map"] = place_map
    env.filters.update(
        markdown=lambda text: jinja2.utils.markupsafe.Markup(markup.to_html(text)),
        entry_url=plan.entry_path,
        city_url=plan.city_path,
        theme_url=plan.theme_path,
        digest_url=plan.digest_path,
        people_url=plan.people_path,
        person_url=people.person_path,
        entry_title=plan.entry_title,
        zh_date=_zh_date,
        zh_datetime=zh_datetime,
        iso_datetime=iso_datetime,
        number=plain_value,
        phrases=phrases,
        labelled=_labelled,
        rfc3339=_rfc3339,
        pretty=_pretty_url,
        iri=_iri,
    )
    return env


@functools.lru_cache(maxsize=4096)
def _zh_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


_DATETIME = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]*(\d{1,2})[:时](\d{2}))?")


def _datetime_parts(text: str) -> tuple[int, ...] | None:
    """(year, month, day[, hour, minute]) of a date written as pages give it: 2026-01-08 10:39:00,
    2026/1/8 10:39, 2026年1月8日 10:39; None for anything else."""
    found = _DATETIME.match(text.strip())
    if not found:
        return None
    numbers = [int(n) for n in found.groups() if n is not None]
    if len(numbers) == 5 and (numbers[3] > 23 or numbers[4] > 59):
        numbers = numbers[:3]
    try:
        dt.date(*numbers[:3])
    except ValueError:
        return None
    return tuple(numbers)


def zh_datetime(text: str) -> str:
    """A publication time for people: 2026年1月8日 10:39 (the text as it is when it is no date)."""
    parts = _datetime_parts(text)
    if parts is None:
        return text
    day = f"{parts[0]}年{parts[1]}月{parts[2]}日"
    return f"{day} {parts[3]}:{parts[4]:02d}" if len(parts) == 5 else day


def iso_datetime(text: str) -> str:
    """The same time for machines (a <time> element's datetime): 2026-01-08T10:39; '' when no date."""
    parts = _datetime_parts(text)
    if parts is None:
        return ""
    day = f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
    return f"{day}T{parts[3]:02d}:{parts[4]:02d}" if len(parts) == 5 else day


_PHRASE_END = re.compile(r"(?<=[,，、;；:：!！?？。])")


@functools.lru_cache(maxsize=2048)  # a headline shows on its entry's, theme's, city's and people's pages
def phrases(text: str) -> Markup:
    """A headline as phrases that wrap whole (`<span class="phrase">`, inline blocks): a line breaks at
    its punctuation rather than inside a word (2026年首个工作日,| 浙江各地在忙啥), and a phrase wider
    than the line still wraps inside itself."""
    parts = [part for part in _PHRASE_END.split(text) if part]
    if len(parts) < 2:
        return Markup(escape_output(text))
    return Markup("".join([f'<span class="phrase">{escape_output(part)}</span>' for part in parts]))


def _labelled(figures) -> list:
    """The figures that say what they count (cards show no bare number)."""
    return [figure for figure in figures if figure.label]


def _iri(path: str) -> str:
    """A path with characters outside URLs (a person's name) percent-encoded, for sitemaps and
    canonical addresses."""
    return quote(path, safe="/:?#[]@!$&'()*+,;=%~")


def _rfc3339(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _pretty_url(path: str) -> str:
    """cities/nanjing/index.html → cities/nanjing/ (for canonical and absolute URLs)."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


class Renderer:
    """Renders the pages of one site: the Jinja environment, compiled templates and shared partials,
    made once and used for every page."""

    def __init__(self, site: Site, folders: list[Path], compiled: jinja2.BytecodeCache | None = None):
        self.site = site
        self.env = environment(folders, compiled)
        self.common = common_context(site)
        self.common["shared"] = _SharedPartials(self.common)
        self.templates: dict[str, jinja2.Template] = {}

    def render_bytes(self, job: plan.PageJob) -> bytes:
        """The file's bytes: open data as opendata.py makes it (tens of MB for a big site's, never
        decoded to text and back), anything else the page's text in UTF-8."""
        if job.template in OPEN_DATA:
            return OPEN_DATA[job.template](job.context["entries"])
        if job.template == plan.SCHEMA_TEMPLATE:
            return opendata.json_schema_bytes()
        return self.render(job).encode("utf-8")

    def render(self, job: plan.PageJob) -> str:
        """The page's text; DigestError naming the template and line for any error in a template."""
        if job.template == "feed.json":
            return json_feed(self.common, job.context["entries"])
        if job.template in OPEN_DATA or job.template == plan.SCHEMA_TEMPLATE:
            return self.render_bytes(job).decode("utf-8")
        try:
            template = self.templates.get(job.template) or self._load(job.template)
            context = {**self.common, "root": "../" * job.path.count("/"), "nav": plan.NO_NAV, **job.context,
                       "page_path": job.path}
            return template.render(context)
        except DigestError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a template does wrong, the user gets its place
            raise template_problem(exc, job.template) from None

    def _load(self, name: str) -> jinja2.Template:
        template = self.templates[name] = self.env.get_template(name)
        return template


def template_problem(exc: BaseException, name: str) -> DigestError:
    """A template's error as a problem at the template line it happened on (Jinja puts template
    lines in the traceback) or, for a syntax error, the line it names."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return DigestError(Problem(exc.filename or name, f"template error: {exc.message}", exc.lineno))
    where, line = name, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            where, line = frame.filename, frame.lineno
    if isinstance(exc, jinja2.UndefinedError):
        return DigestError(Problem(where, f"template uses an undefined value: {exc.message}", line,
                                   hint="check the variable's name in the template"))
    if isinstance(exc, UnicodeDecodeError):
        return DigestError(Problem(where, "template is not UTF-8 text", hint="save it as UTF-8"))
    if isinstance(exc, RecursionError):
        return DigestError(Problem(where, "template calls itself without end", line,
                                   hint="check its includes, macros and blocks"))
    detail = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}: {exc}"
    return DigestError(Problem(where, f"template error: {detail}", line, hint="fix the template"))


OPEN_DATA = {plan.JSON_TEMPLATE: opendata.entries_json, plan.CSV_TEMPLATE: opendata.entries_csv}
"""Open-data files, made by digest/opendata.py rather than by a template."""


class PlaceMap(NamedTuple):
    """A map as a template gets it: the <svg> ('' when no place could be drawn) and the codes drawn."""

    svg: Markup
    codes: frozenset


@functools.lru_cache(maxsize=None)
def _level_of(code: str) -> str:
    """The gazetteer level of a division code (a municipality's code is both a province's and a
    prefecture's: the prefecture is the place entries stand for)."""
    known = gazetteer.load().by_code
    return next((level for level in ("prefecture", "county", "zone", "province") if (level, code) in known), "")


@jinja2.pass_context
def place_map(context, entries, title: str, link: str = "entry", width: int = 640) -> PlaceMap:
    """`place_map(entries, title, "entry" | "city")` in templates: the map of the entries' places, each
    marker in its entry's theme colour, linked to the entry's or the city's page (digest/maps.py)."""
    root, colors = context["root"], context["themes_by_name"]
    places = [maps.MapPlace(e.code, _level_of(e.code), e.city,
                            root + (plan.entry_path(e) if link == "entry" else plan.city_path(e.slug)),
                            colors[e.theme].color if e.theme in colors else "#3d5a80")
              for e in entries if e.code and _level_of(e.code)]
    drawn = frozenset(p.code for p in places if maps.locate(p) is not None)
    return PlaceMap(Markup(maps.map_svg(places, title, width=width)) if drawn else Markup(""), drawn)


class _SharedPartials:
    """`shared(name, root, nav)` in templates: a partial that depends only on the site, the path back
    to the top and the page's section (plan.Nav), rendered once per distinct pair and reused (the
    header and footer of every page)."""

    def __init__(self, common: dict):
        self.common = common
        self.done: dict[tuple, Markup] = {}

    @jinja2.pass_environment  # Jinja checks a callable for this mark first: an unmarked one costs it two failed lookups
    def __call__(self, env: jinja2.Environment, name: str, root: str, nav: plan.Nav = plan.NO_NAV) -> Markup:
        key = (name, root, nav)
        if key not in self.done:
            try:
                context = {**self.common, "root": root, "nav": nav}
                self.done[key] = Markup(env.get_template(name).render(context))
            except Exception as exc:  # noqa: BLE001 - see Renderer.render
                raise template_problem(exc, name) from None
        return self.done[key]


def common_context(site: Site) -> dict:
    """What every page may use, computed once per build."""
    used = {entry.theme for entry in site.entries}
    return {
        "site": site.settings,
        "themes": site.themes,
        "nav_themes": [theme for theme in site.themes if theme.name in used],
        "themes_by_name": {t.name: t for t in site.themes},
        "base_url": site.settings.base_url,
        "site_pages": site.pages,
        "base_path": urlsplit(site.settings.base_url).path if site.settings.base_url else "",
    }


def json_feed(common: dict, entries: list[Entry]) -> str:
    """JSON Feed 1.1 (jsonfeed.org/version/1.1) of the latest entries."""
    settings = common["site"]
    base = settings.base_url
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": settings.title,
        "language": settings.language,
        "items": [],
    }
    if base:
        feed["home_page_url"] = base
        feed["feed_url"] = base + "feed.json"
    for entry in entries:
        path = _pretty_url(plan.entry_path(entry))
        feed["items"].append({
            "id": (base + path) if base else f"tag:digest,{entry.date.isoformat()}:{entry.digest_id}/{entry.slug}",
            "url": (base + path) if base else path,
            "title": plan.entry_title(entry),
            "summary": entry.summary,
            "content_html": markup.to_html(entry.body),
            "date_published": _rfc3339(entry.date),
            "tags": [entry.theme, entry.city],
        })
    return json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


