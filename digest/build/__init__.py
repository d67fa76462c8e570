"""The build pipeline: check → read → plan → write, one call each.

    build_site(content_dir, output) -> BuildResult

Content is read and validated whole before anything is written.  Only pages
whose key changed are rendered (build/changes.py), only files whose bytes
changed are written, and every write goes through the output's journal, so a
build that fails or is killed leaves the previous site whole (build/output.py).
This package holds what makes builds fast and safe (cache, change tracking,
workers, journal); the stages it calls (content, plan, render) know none of it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import content, plan, render, search, theme
from ..errors import DigestError, display_path
from ..files import locked
from ..model import Site
from . import cache, changes
from .output import Journal, Output
from .place import Place, place_of
from .workers import Workers

SEARCH_FOLDER = "pagefind"
READ_IN_PARALLEL = 32
"""Digest folders from which reading them on several processes pays for the forks."""
CHUNK = 150
"""Pages per task handed to a render worker: small enough to balance the load."""
RENDER_IN_PARALLEL = 3
"""Chunks of pages from which rendering them on several processes pays for the forks."""


@dataclass
class BuildResult:
    pages: int
    """HTML pages in the site."""
    written: int
    """Files this build changed (written or deleted)."""
    seconds: float
    output: Path
    rendered: int = 0
    """Pages rendered (the others were known to be unchanged)."""
    parsed: int = 0
    """Content files read afresh (the others came from the cache)."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage, for `build --timings`."""
    notes: list[str] = field(default_factory=list)
    """One-line notes for the user (what recovery found)."""

    def summary(self) -> str:
        if not self.written:
            checked = f"{self.rendered} files rendered, none different; " if self.rendered else ""
            return f"nothing changed; {checked}{self.output} is up to date ({self.seconds:.2f} s)"
        return (f"built {self.output} ({self.pages} pages) in {self.seconds:.2f} s: "
                f"{self.rendered} files rendered, {self.written} written or deleted")

    def timings(self) -> str:
        return "  ".join(f"{name} {seconds:.2f} s" for name, seconds in self.phases.items())


@dataclass
class SitePlan:
    """What a build will write, worked out before it writes anything."""

    renderer: render.Renderer
    jobs: list[plan.PageJob]
    """The pages to render: all, or those whose key changed."""
    pages: int
    """HTML pages in the whole site."""
    files: set[str]
    """Every file the output will hold (search index aside)."""
    state: cache.BuildState
    """What this build leaves for the next."""
    assets: dict[str, Path]
    """Output path → the theme's static file copied there."""


def build_site(content_dir: Path, output: Path, base_url: str | None = None, clean: bool = False,
               search: bool = True, force_output: bool = False, workers: int | None = None) -> BuildResult:
    """Build `content_dir` into `output` (see the module's docstring)."""
    clock = Clock()
    place = place_of(content_dir, output)
    count = workers or os.cpu_count() or 1
    options = (base_url, search and _search_available())
    with locked(place.output, "build", lock_file=place.lock), _cycle_collector_paused():
        out = Output.open(place.output, force_output)
        recorded = cache.recorded_inputs(place.cache)
        inputs = changes.scan_inputs(place.content, options, _templates_setting(place.content, recorded))
        if not clean and recorded.get("output") == out.version != "" and recorded.get("inputs") == inputs.signature != "":
            return BuildResult(recorded["pages"], 0, clock.total(), place.output, phases=clock.lap("check"),
                               notes=out.notes)
        clock.lap("check")
        previous = cache.BuildState(code=changes.code_version()) if clean else \
            cache.load(place.cache, changes.code_version(), out.version)
        site, memo = read(place, previous, inputs, count, base_url)
        clock.lap("read")
        site_plan = plan_site(site, place, previous, memo)
        clock.lap("plan")
        cache.discard(place.cache)  # it no longer describes the output once that changes
        saving = cache.StateWriter(place.cache, site_plan.state, memo.changed() if previous.files else None)
        with out.journal() as journal:
            rendered, elsewhere = render_pages(site_plan, journal, count, meanwhile=saving.prepare)
            files = publish(site_plan, journal, out, index=options[1] and (elsewhere or journal.written
                                                                           or not previous.pages))
            site_plan.state.output = journal.commit(files)
        clock.lap("write")
        saving.write()
        cache.mark_unchanged(place.cache, inputs.signature, site_plan.state.output, site_plan.pages,
                             [inputs.files.get(str(place.content / "site.yaml")), site.settings.templates])
    return BuildResult(site_plan.pages, elsewhere + journal.written, clock.total(), place.output, rendered,
                       len(memo.changed() & memo.current.keys()), clock.lap("save"), out.notes)


def read(place: Place, previous: cache.BuildState, inputs: changes.Inputs, workers: int,
         base_url: str | None) -> tuple[Site, cache.ContentCache]:
    """The site, read through the content cache; with none, digest folders are read on several processes."""
    memo = cache.ContentCache(place.content, display_path(place.content), previous.files, inputs.files)
    spread = map if previous.files else Workers(workers, at_least=READ_IN_PARALLEL)
    site = content.read_site(place.content, memo=memo, map=spread)
    if base_url is not None:
        site.settings = replace(site.settings, base_url=base_url.rstrip("/") + "/" if base_url else "")
    return site, memo


def plan_site(site: Site, place: Place, previous: cache.BuildState, memo: cache.ContentCache) -> SitePlan:
    """The pages to render: when the site's frame is the last build's, only those showing a changed
    file are planned, and of them only those whose key moved are rendered."""
    folders = theme.template_folders(place.content, site.settings.templates)
    renderer = render.Renderer(site, folders, _compiled_templates(place))
    template_refs, shared, changed = dict(previous.template_refs), changes.shared_key(site), memo.changed()
    if previous.pages:
        versions = changes.template_versions(renderer.env, set(previous.templates), template_refs)
        frame = changes.frame_of(shared, versions)
    if previous.pages and frame == previous.frame:
        jobs = plan.plan(site, only={p for p, s in previous.sources.items() if not changed.isdisjoint(s)})
        pages, sources = dict(previous.pages), dict(previous.sources)
    else:
        jobs, pages, sources = plan.plan(site), {}, {}
        versions = changes.template_versions(renderer.env, {job.template for job in jobs}, template_refs)
        frame = changes.frame_of(shared, versions)
    keys = changes.page_keys(jobs, frame, versions, memo.versions())
    todo = [job for job in jobs if previous.pages.get(job.path) != keys[job.path]]
    pages.update(keys)
    sources.update((job.path, job.sources) for job in jobs)
    assets = theme.static_files(folders)
    state = cache.BuildState(code=previous.code, files=memo.current, pages=pages, sources=sources, frame=frame,
                             template_refs=template_refs, templates=sorted(versions))
    return SitePlan(renderer, todo, sum(path.endswith(".html") for path in pages), set(pages) | set(assets),
                    state, assets)


def render_pages(site_plan: SitePlan, journal: Journal, workers: int, meanwhile=None) -> tuple[int, int]:
    """Render the planned pages into the journal, on several processes for many, this one doing
    `meanwhile()`: (pages rendered, files written by other processes; this one's are in the journal)."""
    spread = Workers(workers, at_least=RENDER_IN_PARALLEL)
    chunks = _chunks(site_plan.jobs)
    done = spread(RenderChunk(site_plan.renderer, journal, chunks), range(len(chunks)), meanwhile)
    elsewhere = [part for part in done if part.pid != os.getpid()]
    for part in elsewhere:
        journal.hashes.update(part.hashes)
    return sum(part.pages for part in done), sum(len(part.hashes) for part in elsewhere)


@dataclass(frozen=True)
class Rendered:
    """What a RenderChunk did: pages rendered, the hash of each file written, and by which process."""

    pages: int
    hashes: dict[str, str]
    pid: int


@dataclass(frozen=True)
class RenderChunk:
    """Renders and writes one chunk of pages, given its number: a callable a forked worker inherits
    whole, so that only numbers travel to it, not pages."""

    renderer: render.Renderer
    journal: Journal
    chunks: list[list[plan.PageJob]]

    def __call__(self, number: int) -> Rendered:
        hashes = {}
        for job in self.chunks[number]:
            if self.journal.write(job.path, self.renderer.render(job).encode("utf-8")):
                hashes[job.path] = self.journal.hashes[job.path]
        return Rendered(len(self.chunks[number]), hashes, os.getpid())


def _chunks(jobs: list[plan.PageJob]) -> list[list[plan.PageJob]]:
    """Chunks of about CHUNK pages; a digest's pages stay together, so each body is converted once."""
    groups: dict[str, list[plan.PageJob]] = {}
    for job in jobs:
        groups.setdefault("/".join(job.path.split("/", 2)[:2]), []).append(job)
    chunks, current = [], []
    for group in groups.values():
        current.extend(group)
        if len(current) >= CHUNK:
            chunks.append(current)
            current = []
    return chunks + [current] if current else chunks


def publish(site_plan: SitePlan, journal: Journal, out: Output, index: bool) -> dict[str, str]:
    """Copy the theme's static files, bring the search index up to date (when pages changed), and
    delete the files the last build wrote that this one does not: the files the output now holds,
    with hashes.

    The index is made from the site's records (search.py), not from the written pages: it is kept
    when it already holds these records (a template edit changes pages, not records), handed to
    `serve` when it indexes in the background (search.deferred), else made here, starting from the
    hashed files of the one it replaces.  Without Pagefind, a one-line note says how to turn search
    on, and the search page says the same (search.OFF_PAGE)."""
    for path, source in site_plan.assets.items():
        journal.write(path, source.read_bytes())
    files = set(site_plan.files)
    live = {path for path in out.owned if path.startswith(SEARCH_FOLDER + "/")}
    if index and search.defer(site_plan.renderer.site):
        files |= live
    elif index:
        found = search.records(site_plan.renderer.site)
        found_key = search.key(found)
        folder = out.folder / SEARCH_FOLDER
        if f"{SEARCH_FOLDER}/{search.KEY_FILE}" in live and search.live_key(folder) == found_key:
            files |= live
        else:
            scratch = Path(tempfile.mkdtemp(prefix="index-", dir=journal.folder))
            try:
                bundle = search.make_bundle(found, scratch / SEARCH_FOLDER, found_key, reuse=folder if live else None)
                files |= _write_index(journal, bundle)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    elif search.unavailable():
        out.notes.append(search.unavailable())
        journal.write(f"{SEARCH_FOLDER}/pagefind.js", search.OFF_PAGE.encode("utf-8"))
        files.add(f"{SEARCH_FOLDER}/pagefind.js")
    else:
        files |= live
    for path in sorted(out.owned.keys() - files):
        journal.remove(path)
    return {path: journal.hashes.get(path) or out.owned[path] for path in files}


def _write_index(journal: Journal, bundle: search.Bundle) -> set[str]:
    """Write a search bundle into the output's search folder, files named by hash first and
    pagefind-entry.json (which names the rest) last, so a page searching meanwhile finds either
    bundle whole; the caller deletes what the old one had and the new one has not, after."""
    written = set()
    for relative in bundle.files:
        path = f"{SEARCH_FOLDER}/{relative}"
        journal.write(path, (bundle.folder / relative).read_bytes())
        written.add(path)
    return written


def publish_index(content_dir: Path, output: Path, bundle: search.Bundle) -> bool:
    """Publish a search bundle made apart from a build (`serve` indexes in the background): under
    the build lock, through a journal, every other file as the last build left it.  The build
    cache is carried over to the new manifest, so the next build is as quick as it would have
    been.  False when the output's index already holds the bundle's records."""
    place = place_of(content_dir, output)
    with locked(place.output, "build", lock_file=place.lock):
        out = Output.open(place.output)
        live = {path for path in out.owned if path.startswith(SEARCH_FOLDER + "/")}
        if f"{SEARCH_FOLDER}/{search.KEY_FILE}" in live and search.live_key(out.folder / SEARCH_FOLDER) == bundle.key:
            return False
        state = cache.load(place.cache, changes.code_version(), out.version)
        recorded = cache.recorded_inputs(place.cache)
        cache.discard(place.cache)  # it describes the output as it is: not so once the index changes
        with out.journal() as journal:
            written = _write_index(journal, bundle)
            kept = {path: digest for path, digest in out.owned.items() if path not in live}
            for path in sorted(live - written):
                journal.remove(path)
            version = journal.commit({**kept, **{path: journal.hashes.get(path) or out.owned[path]
                                                 for path in written}})
        if state.pages:
            state.output = version
            cache.StateWriter(place.cache, state, set()).write()
        if recorded.get("output") == out.version and recorded.get("inputs"):
            cache.mark_unchanged(place.cache, recorded["inputs"], version, recorded.get("pages", 0),
                                 recorded.get("settings", []))
    return True


def _compiled_templates(place: Place) -> Path:
    """Where this version of digest keeps compiled templates between builds (older ones are removed)."""
    parent = place.cache / "templates"
    folder = parent / changes.code_version()
    if not folder.is_dir():
        shutil.rmtree(parent, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def _templates_setting(content_dir: Path, recorded: dict) -> str:
    """site.yaml's `templates:`: as the last build recorded it while site.yaml is the same file, else
    read without validating (a broken file is the read stage's to report)."""
    path = Path(content_dir) / "site.yaml"
    try:
        identity = list(changes.file_id(path.stat()))
    except OSError:
        return ""
    saved = recorded.get("settings")
    if isinstance(saved, list) and len(saved) == 2 and saved[0] == identity and isinstance(saved[1], str):
        return saved[1]
    import yaml

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return ""
    templates = data.get("templates") if isinstance(data, dict) else None
    return templates if isinstance(templates, str) else ""


def template_folders_of(content_dir: Path) -> list[Path]:
    """The template folders a build of `content_dir` uses (the default theme alone while site.yaml's
    `templates:` is unusable: the build reports why)."""
    try:
        return theme.template_folders(Path(content_dir), _templates_setting(Path(content_dir), {}))
    except DigestError:
        return [theme.DEFAULT_THEME]


def _search_available() -> bool:
    return search.available()


@contextlib.contextmanager
def _cycle_collector_paused():
    """Python's cycle collector paused while a build makes its objects: it would walk the growing
    site model again and again (loading a 10,000-entry cache starts it about a hundred times, a
    fifth of a one-entry rebuild).  A build makes few cycles; they are collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Clock:
    """Seconds per phase of a build."""

    def __init__(self):
        self.started = self._last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, name: str) -> dict[str, float]:
        now = time.perf_counter()
        self.phases[name] = now - self._last
        self._last = now
        return self.phases

    def total(self) -> float:
        return time.perf_counter() - self.started
