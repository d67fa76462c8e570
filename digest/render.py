"""Render page jobs with Jinja2 into an output folder.

Autoescaping is on for HTML and XML and undefined names fail the build
(StrictUndefined).  A site's own template folder overrides the default theme
template by template.  Links are relative: each page gets `root`, the path
back to the site's top, so the site works from disk and under any sub-path.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from urllib.parse import urlsplit
from pathlib import Path

import jinja2

from . import markup, pages
from .errors import DigestError, Problem
from .model import Entry, Site
from .output import safe_join

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "templates"
STATIC = "static"


def template_folders(site: Site, content_dir: Path) -> list[Path]:
    folders = []
    if site.settings.templates:
        override = (content_dir / site.settings.templates).resolve()
        if not override.is_dir():
            raise DigestError(Problem(str(content_dir / "site.yaml"),
                                      f"templates folder '{site.settings.templates}' not found",
                                      hint="create it or remove 'templates:' from site.yaml"))
        folders.append(override)
    folders.append(DEFAULT_THEME)
    return folders


def environment(folders: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        markdown=lambda text: jinja2.utils.markupsafe.Markup(markup.to_html(text)),
        entry_url=pages.entry_path,
        city_url=pages.city_path,
        theme_url=pages.theme_path,
        digest_url=pages.digest_path,
        zh_date=_zh_date,
        rfc3339=_rfc3339,
        pretty=_pretty_url,
    )
    return env


def _zh_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _rfc3339(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _pretty_url(path: str) -> str:
    """cities/nanjing/index.html → cities/nanjing/ (for canonical and absolute URLs)."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


def render_all(site: Site, jobs: list[pages.PageJob], out: Path, folders: list[Path]) -> int:
    env = environment(folders)
    common = _common_context(site)
    html_paths = [j.path for j in jobs if j.path.endswith(".html") and j.path != "404.html"]
    templates: dict[str, jinja2.Template] = {}
    made_dirs: set[Path] = set()
    progress = _Progress(len(jobs))
    for job in jobs:
        progress.step()
        target = safe_join(out, job.path)
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        target.write_bytes(render_job(env, templates, job, common, html_paths).encode("utf-8"))
    progress.done()
    copy_static(folders, out)
    return len(jobs)


class _Progress:
    """A one-line progress bar on a terminal for long builds; silent otherwise."""

    MIN_PAGES = 500

    def __init__(self, total: int):
        self.total, self.count = total, 0
        self.shown = sys.stderr.isatty() and total >= self.MIN_PAGES

    def step(self) -> None:
        self.count += 1
        if self.shown and (self.count % 200 == 0 or self.count == self.total):
            filled = 30 * self.count // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total} pages")
            sys.stderr.flush()

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def render_job(env, templates: dict, job: pages.PageJob, common: dict, html_paths: list[str]) -> str:
    if job.template == "feed.json":
        return json_feed(common, job.context["entries"])
    template = templates.get(job.template)
    if template is None:
        try:
            template = templates[job.template] = env.get_template(job.template)
        except jinja2.TemplateError as exc:
            raise DigestError(Problem(job.template, f"template error: {exc}", getattr(exc, "lineno", None))) from None
    depth = job.path.count("/")
    context = {**common, **job.context, "root": "../" * depth, "page_path": job.path}
    if job.template == "sitemap.xml":
        context["paths"] = html_paths
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        raise DigestError(Problem(job.template, f"template uses an undefined value: {exc.message}",
                                  hint="check the variable's name in the template")) from None
    except jinja2.TemplateError as exc:
        raise DigestError(Problem(job.template, f"template error: {exc}", getattr(exc, "lineno", None))) from None


def _common_context(site: Site) -> dict:
    """What every page may use, computed once per build."""
    return {
        "site": site.settings,
        "themes": site.themes,
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
        path = _pretty_url(pages.entry_path(entry))
        feed["items"].append({
            "id": (base + path) if base else f"tag:digest,{entry.date.isoformat()}:{entry.digest_id}/{entry.slug}",
            "url": (base + path) if base else path,
            "title": f"{entry.city}:{entry.headline}",
            "summary": entry.summary,
            "content_html": markup.to_html(entry.body),
            "date_published": _rfc3339(entry.date),
            "tags": [entry.theme, entry.city],
        })
    return json.dumps(feed, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def copy_static(folders: list[Path], out: Path) -> None:
    """The theme's static files to assets/, overrides first."""
    target = out / "assets"
    for folder in reversed(folders):
        source = folder / STATIC
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
