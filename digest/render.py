"""Render page jobs with Jinja2 into an output folder.

Autoescaping is on for HTML and XML and undefined names fail the build
(StrictUndefined).  A site's own template folder overrides the default theme
template by template.  Links are relative: each page gets `root`, the path
back to the site's top, so the site works from disk and under any sub-path.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import shutil
import sys
from urllib.parse import urlsplit
from pathlib import Path

import jinja2
import jinja2.compiler
import jinja2.meta
import jinja2.nodes
from markupsafe import Markup

from . import markup, pages
from .defaults import DEFAULT_THEME
from .fingerprint import fingerprint
from .forked import forked
from .errors import DigestError, Problem
from .model import Entry, Site
from .output import overwrite, safe_join

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


def environment(folders: list[Path], compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of a build; `compiled` is a folder where compiled templates are kept
    between builds (checked against each template's source), so a rebuild does not compile again."""
    env = _Environment(
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build renders from templates that do not change under it: no stat per page
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


@functools.lru_cache(maxsize=4096)
def _zh_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _rfc3339(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _pretty_url(path: str) -> str:
    """cities/nanjing/index.html → cities/nanjing/ (for canonical and absolute URLs)."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


PARALLEL_MIN = 400
"""Below this many pages a process pool costs more than it saves."""
CHUNK = 150
"""Pages per task handed to a pool worker: small enough to balance the load."""


def render_all(renderer: Renderer, jobs: list[pages.PageJob], out: Path, folders: list[Path], workers: int = 1,
               meanwhile=None) -> dict[str, tuple[str, str]]:
    """Render every job into `out` and return the pages' fingerprints.

    Big sites render on `workers` forked processes, which inherit `renderer`;
    `meanwhile()` runs in this process while they work (saving the content
    cache, say), and so does the work on the pages' quick keys.
    """
    if workers > 1 and len(jobs) >= PARALLEL_MIN:
        fingerprints = _render_in_pool(renderer, jobs, out, workers, meanwhile)
    else:
        _write_jobs(renderer, jobs, out, progress=True)
        fingerprints = renderer.fingerprints(jobs, full=False)
        if meanwhile:
            meanwhile()
    copy_static(folders, out)
    return fingerprints


def _write_jobs(renderer: Renderer, jobs: list[pages.PageJob], out: Path, progress: bool) -> None:
    bar = _Progress(len(jobs) if progress else 0)
    for job in jobs:
        text = renderer.render(job)
        bar.step()
        overwrite(safe_join(out, job.path), text.encode("utf-8"))
    bar.done()


class Renderer:
    """Renders the pages of one site: the Jinja environment, compiled templates and shared partials,
    made once and used for every page."""

    def __init__(self, site: Site, folders: list[Path], compiled: Path | None = None,
                 template_refs: dict | None = None):
        self.site = site
        self.template_refs = dict(template_refs or {})
        """Template source hash → the templates it names (see template_versions), kept between builds."""
        self.env = environment(folders, compiled)
        self.common = common_context(site)
        self.common["shared"] = _SharedPartials(self.common)
        self.templates: dict[str, jinja2.Template] = {}
        self.versions: dict[str, str] = {}
        self.shared_fingerprint = ""
        self.memo: dict = {}

    def render(self, job: pages.PageJob) -> str:
        return render_job(self.env, self.templates, job, self.common)

    def frame(self, templates) -> str:
        """What the quick keys of pages made with `templates` share: the templates' versions, and the
        context every page sees together with the site's layout (pages.layout_of).  Plans made under
        the same frame have the same pages with the same sources; they differ only in what those
        source files hold."""
        names = sorted(set(templates))
        self._prepare(names)
        return fingerprint(self.shared_fingerprint, [(name, self.versions[name]) for name in names], versions={})

    def _prepare(self, templates) -> None:
        """Work out, once, the versions of `templates` and the shared fingerprint (context and layout)."""
        missing = set(templates) - self.versions.keys()
        if missing:
            self.versions.update(template_versions(self.env, missing, self.template_refs))
        if not self.shared_fingerprint:
            layout = hashlib.blake2b(repr(pages.layout_of(self.site)).encode("utf-8", "surrogatepass")).hexdigest()
            self.shared_fingerprint = fingerprint(self.common | {"shared": None}, layout, versions=self.site.versions)

    def fingerprints(self, jobs: list[pages.PageJob], previous: dict[str, tuple[str, str]] | None = None,
                     full: bool = True, changed_files: set[str] | None = None) -> dict[str, tuple[str, str]]:
        """Output path → (quick key, fingerprint) of everything the page is made from (see fingerprint.py).

        The quick key hashes only the page's source files' versions, its
        template and the site's layout; where it matches the last build's, the
        page is unchanged and its old fingerprint stands.  Otherwise the page's
        whole context is fingerprinted, so a page re-renders only if what it
        shows really differs.  A fresh build (`full` False) records quick keys
        only: every page is rendered anyway, and the next build fingerprints
        in full just the pages whose quick key moved.  `changed_files`, given
        when the frame is the last build's, lets a page none of whose sources
        changed keep its old entry without hashing anything.
        """
        previous = previous or {}
        self._prepare({job.template for job in jobs})
        shared, templates, versions = self.shared_fingerprint, self.versions, self.site.versions
        result = {}
        for job in jobs:
            old = previous.get(job.path)
            if old is not None and changed_files is not None and changed_files.isdisjoint(job.sources):
                result[job.path] = old
                continue
            key = "\x00".join([job.path, templates[job.template], shared,
                                *[versions.get(p) or p for p in job.sources]])
            quick = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
            if old is not None and old[0] == quick:
                result[job.path] = old
            elif not full:
                result[job.path] = (quick, "")
            else:
                result[job.path] = (quick, fingerprint(job.path, templates[job.template], shared, job.context,
                                                       versions=versions, memo=self.memo))
        return result


class _SharedPartials:
    """`shared(name, root)` in templates: a partial that depends only on the site and the path back
    to the top, rendered once per distinct root and reused (the header and footer of every page)."""

    def __init__(self, common: dict):
        self.common = common
        self.done: dict[tuple[str, str], Markup] = {}

    @jinja2.pass_environment  # Jinja checks a callable for this mark first: an unmarked one costs it two failed lookups
    def __call__(self, env: jinja2.Environment, name: str, root: str) -> Markup:
        key = (name, root)
        if key not in self.done:
            try:
                template = env.get_template(name)
                self.done[key] = Markup(template.render({**self.common, "root": root}))
            except jinja2.TemplateError as exc:
                raise DigestError(Problem(getattr(exc, "filename", None) or name, f"template error: {exc}",
                                          getattr(exc, "lineno", None))) from None
        return self.done[key]


_POOL_WORK: tuple = ()
"""What pool workers render from: set before the fork, inherited, never pickled."""


def _render_in_pool(renderer: Renderer, jobs: list[pages.PageJob], out: Path, workers: int,
                    meanwhile) -> dict[str, tuple[str, str]]:
    """Render on forked workers, chunk by chunk.  A digest's pages stay in one chunk, so each body is
    converted once."""
    global _POOL_WORK
    groups: dict[str, list[pages.PageJob]] = {}
    for job in jobs:
        groups.setdefault("/".join(job.path.split("/", 2)[:2]), []).append(job)
    chunks, current = [], []
    for group in groups.values():
        current.extend(group)
        if len(current) >= CHUNK:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    _POOL_WORK = (renderer, chunks, out)
    problems: list[Problem] = []
    try:
        with forked(workers) as pool:
            results = pool.map(_render_chunk, range(len(chunks)))
            if meanwhile:
                meanwhile()
            fingerprints = renderer.fingerprints(jobs, full=False)  # here, while the workers render
            for found in results:
                problems.extend(found)
    finally:
        _POOL_WORK = ()
    if problems:
        raise DigestError(problems[:1])  # every chunk reports the same template error
    return fingerprints


def _render_chunk(index: int) -> list[Problem]:
    renderer, chunks, out = _POOL_WORK
    try:
        _write_jobs(renderer, chunks[index], out, progress=False)
        return []
    except DigestError as exc:
        return exc.problems


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


def render_job(env, templates: dict, job: pages.PageJob, common: dict) -> str:
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
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        raise DigestError(Problem(job.template, f"template uses an undefined value: {exc.message}",
                                  hint="check the variable's name in the template")) from None
    except jinja2.TemplateError as exc:
        raise DigestError(Problem(job.template, f"template error: {exc}", getattr(exc, "lineno", None))) from None


def common_context(site: Site) -> dict:
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


def template_versions(env: jinja2.Environment, names: set[str], known: dict | None = None) -> dict[str, str]:
    """Template name → hash of its source and of every template it extends, includes or imports.

    `known` (kept between builds) maps a source's hash to the templates it
    names, so an unchanged template is not parsed again."""
    sources: dict[str, tuple[str, frozenset[str]]] = {}
    known = {} if known is None else known

    def references(source: str) -> set:
        digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        if digest not in known:
            tree = env.parse(source)
            known[digest] = frozenset(jinja2.meta.find_referenced_templates(tree)) | _shared_partials_in(tree)
        return set(known[digest])

    def read(name: str) -> None:
        if name in sources:
            return
        try:
            source = env.loader.get_source(env, name)[0]
            refs = references(source)
        except jinja2.TemplateNotFound:
            source, refs = "", set()
        except jinja2.TemplateSyntaxError as exc:
            raise DigestError(Problem(exc.filename or name, f"template error: {exc.message}", exc.lineno)) from None
        if None in refs:  # a computed name: depend on every template
            refs = set(env.loader.list_templates()) - {name}
        sources[name] = (source, frozenset(refs))
        for ref in refs:
            read(ref)

    def closure(name: str) -> list[str]:
        seen, stack = set(), [name]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(sources[current][1])
        return sorted(seen)

    for name in names:
        read(name)
    return {name: fingerprint([(n, sources[n][0]) for n in closure(name)], versions={}) for name in names}


def _shared_partials_in(tree: jinja2.nodes.Template) -> set[str | None]:
    """Templates named in shared("…", root) calls (None for a computed name)."""
    found: set[str | None] = set()
    for call in tree.find_all(jinja2.nodes.Call):
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "shared":
            first = call.args[0] if call.args else None
            found.add(first.value if isinstance(first, jinja2.nodes.Const) else None)
    return found


def static_files(folders: list[Path]) -> dict[str, Path]:
    """Output path (assets/…) → the theme file it is copied from, overrides first."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):
        source = folder / STATIC
        for path in sorted(source.rglob("*")) if source.is_dir() else ():
            if path.is_file():
                found[f"assets/{path.relative_to(source).as_posix()}"] = path
    return found


def copy_static(folders: list[Path], out: Path) -> None:
    """The theme's static files to assets/, overrides first."""
    target = out / "assets"
    for folder in reversed(folders):
        source = folder / STATIC
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
