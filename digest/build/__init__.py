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

import collections
import contextlib
import gc
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import theme
from ..errors import DigestError, display_path
from ..files import locked
from . import cache, changes
from .output import Journal, Output, hash_of, read_owned
from .place import Place, forget_gone_outputs, place_of
from .workers import Workers

if TYPE_CHECKING:  # the stages are imported where they are used: a build that finds nothing changed needs none
    from .. import plan, render, search
    from ..model import Site

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
    files: int = 0
    """Files of the site a build renders (pages, feeds, data: assets and the search index aside)."""

    def summary(self) -> str:
        """One line, in units that add up: files rendered of the site's files (of which so many are pages),
        and files written or deleted (assets and the search index included)."""
        took = f"{self.seconds:.2f} s"
        if not self.rendered and not self.written:
            return f"nothing changed; {self.output} is up to date ({took})"
        rendered = f"{self.rendered} of {self.files} files rendered"
        if not self.written:
            return f"nothing changed: {rendered} again, none different; {self.output} is up to date ({took})"
        return f"built {self.output} in {took}: {rendered} ({self.pages} pages), {self.written} written or deleted"

    yaml_readers: dict[str, int] = field(default_factory=dict)
    """Content files read by the fast YAML reader and by PyYAML (the fast one declines unusual files)."""

    def timings(self) -> str:
        phases = "  ".join(f"{name} {seconds:.2f} s" for name, seconds in self.phases.items())
        readers = ", ".join(f"{count} by {name}" for name, count in sorted(self.yaml_readers.items()))
        return phases + (f"\nYAML files read: {readers}" if readers else "")


@dataclass
class SitePlan:
    """What a build will write, worked out before it writes anything."""

    renderer: render.Renderer
    jobs: list[plan.PageJob]
    """The pages to render: all, or those whose key changed."""
    state: cache.BuildState
    """What this build leaves for the next: its pages' keys once settled."""
    assets: dict[str, Path]
    """Output path → the theme's static file copied there."""
    site: Site
    memo: cache.ContentCache
    pages: int = field(init=False)
    """HTML pages in the whole site."""
    files: set[str] = field(init=False)
    """Every file the output will hold (search index aside)."""

    def __post_init__(self):
        self.pages = sum(path.endswith(".html") for path in self.state.pages)
        self.files = set(self.state.pages) | set(self.assets)

    def settle(self, shared: str | None = None, versions: dict[str, str] | None = None) -> None:
        """Work out the frame and the keys of the planned pages (for the next build to compare)."""
        if versions is None:
            versions = changes.template_versions(self.renderer.env, {job.template for job in self.jobs},
                                                 self.state.template_refs)
        self.state.frame = changes.frame_of(shared or changes.shared_key(self.site), versions)
        self.state.templates = sorted(versions)
        self.state.pages.update(changes.page_keys(self.jobs, self.state.frame, versions, self.memo.versions()))
        self.state.sources.update((job.path, job.sources) for job in self.jobs)


def build_site(content_dir: Path, output: Path, base_url: str | None = None, clean: bool = False,
               search: bool = True, force_output: bool = False, workers: int | None = None) -> BuildResult:
    """Build `content_dir` into `output` (see the module's docstring)."""
    clock, place = Clock(), place_of(content_dir, output)
    count, indexed = workers or os.cpu_count() or 1, search and _search_available()
    with locked(place.output, "build", lock_file=place.lock), _cycle_collector_paused():
        out = open_output(place, force_output)
        inputs, recorded = check_inputs(place, (base_url, indexed))
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
        rendered, written = write(site_plan, place, out, previous, count, indexed)
        clock.lap("write")
        cache.mark_unchanged(place.cache, inputs.signature, site_plan.state.output, site_plan.pages,
                             [inputs.files.get(str(place.content / "site.yaml")), site.settings.templates])
    return BuildResult(site_plan.pages, written, clock.total(), place.output, rendered,
                       len(memo.changed() & memo.current.keys()), clock.lap("save"), out.notes,
                       len(site_plan.state.pages), memo.readers)


def open_output(place: Place, force: bool) -> Output:
    """The output folder, recovered and checked (build/output.py); stale caches of other outputs go."""
    out = Output.open(place.output, force)
    forget_gone_outputs(place.cache.parent)
    place.remember_output()
    return out


def check_inputs(place: Place, options: tuple) -> tuple[changes.Inputs, dict]:
    """The identity of every input (and their signature), and what the last build recorded of its own."""
    recorded = cache.recorded_inputs(place.cache)
    return changes.scan_inputs(place.content, options, _templates_setting(place.content, recorded)), recorded


def write(site_plan: SitePlan, place: Place, out: Output, previous: cache.BuildState, workers: int,
          indexed: bool) -> tuple[int, int]:
    """Render the planned pages into the output's journal, publish assets and the index, commit, and
    save the state that describes the result: (files rendered, files written or deleted).

    The last build's state is let go before the output changes and this one's saved after the commit,
    so that a build stopped anywhere never leaves a state that describes pages rolled back."""
    memo = site_plan.memo
    cache.discard(place.cache)
    saving = cache.StateWriter(place.cache, site_plan.state, memo.changed() if previous.files else None, memo)
    unsettled = not site_plan.state.frame
    with out.journal() as journal:
        rendered, elsewhere = render_pages(site_plan, journal, workers, meanwhile=lambda: (
            site_plan.settle() if unsettled else None, saving.write_files()))
        changed = bool(elsewhere or journal.written)
        files = publish(site_plan, journal, out, index=indexed and (changed or not previous.indexed))
        site_plan.state.indexed = site_plan.state.indexed or (indexed and previous.indexed and not changed)
        site_plan.state.output = journal.commit(files)
    saving.write()
    return rendered, elsewhere + journal.written


def read(place: Place, previous: cache.BuildState, inputs: changes.Inputs, workers: int,
         base_url: str | None) -> tuple[Site, cache.ContentCache]:
    """The site, read through the content cache; with none, digest folders are read on several processes."""
    memo = cache.ContentCache(place.content, display_path(place.content), previous.files, inputs.files,
                              spill=place.cache / "read")
    memo.forget_spilled()  # what a build that failed may have left
    from .. import content, yamlio

    before = collections.Counter(yamlio.READERS)
    site = content.read_site(place.content, memo=memo, map=map if previous.files else ReadOnWorkers(workers, memo))
    memo.readers = dict(yamlio.READERS - before)
    if base_url is not None:
        site.settings = replace(site.settings, base_url=base_url.rstrip("/") + "/" if base_url else "")
    return site, memo


class ReadOnWorkers:
    """The read stage's `map` for a read with no cache: many folders are read on forked workers, each
    sending its folder's result pickled; the cache keeps those bytes to store as they are, so the main
    process does not pickle every entry again while the pages render."""

    def __init__(self, workers: int, memo: cache.ContentCache):
        self.spread, self.memo = Workers(workers, at_least=READ_IN_PARALLEL, chunk=8), memo

    def __call__(self, function, folders) -> list:
        folders = list(folders)
        if self.spread.count < 2 or len(folders) < READ_IN_PARALLEL:
            return list(map(function, folders))
        results = []
        for folder, data in zip(folders, self.spread(Pickled(function), folders)):
            found = pickle.loads(data)
            self.memo.keep_packed(self.memo.shown(folder), data, [record[0] for record in found.records])
            results.append(found)
        return results


@dataclass(frozen=True)
class Pickled:
    """function(item), pickled where it runs."""

    function: object

    def __call__(self, item) -> bytes:
        return pickle.dumps(self.function(item), protocol=pickle.HIGHEST_PROTOCOL)


def plan_site(site: Site, place: Place, previous: cache.BuildState, memo: cache.ContentCache) -> SitePlan:
    """The pages to render: when the site's frame is the last build's, only those showing a changed
    file are planned, and of them only those whose key moved; otherwise every page, and their keys
    are worked out while they render (SitePlan.settle)."""
    folders = theme.template_folders(place.content, site.settings.templates)
    from .. import plan, render
    from .compiled import CompiledTemplates

    renderer = render.Renderer(site, folders, CompiledTemplates.for_code(place.cache, changes.code_version()))
    assets = theme.static_files(folders)
    state = cache.BuildState(code=previous.code, files=memo.current, template_refs=dict(previous.template_refs))
    if previous.pages:
        shared = changes.shared_key(site)
        versions = changes.template_versions(renderer.env, set(previous.templates), state.template_refs)
        if changes.frame_of(shared, versions) == previous.frame:
            changed = memo.changed()
            jobs = plan.plan(site, only={p for p, s in previous.sources.items() if not changed.isdisjoint(s)})
            state.pages, state.sources = dict(previous.pages), dict(previous.sources)
            site_plan = SitePlan(renderer, jobs, state, assets, site, memo)
            site_plan.settle(shared, versions)
            site_plan.jobs = [job for job in jobs if previous.pages.get(job.path) != state.pages[job.path]]
            return site_plan
    jobs = plan.plan(site)
    state.pages = dict.fromkeys((job.path for job in jobs), "")
    return SitePlan(renderer, jobs, state, assets, site, memo)


def render_pages(site_plan: SitePlan, journal: Journal, workers: int, meanwhile=None) -> tuple[int, int]:
    """Render the planned pages into the journal, on several processes for many, this one doing
    `meanwhile()`: (pages rendered, files written by other processes; this one's are in the journal)."""
    spread = Workers(workers, at_least=RENDER_IN_PARALLEL)
    joined = [job for job in site_plan.jobs if job.context.get("parts")]
    chunks = _chunks([job for job in site_plan.jobs if not job.context.get("parts")])
    done = spread(RenderChunk(site_plan.renderer, journal, chunks), range(len(chunks)), meanwhile)
    elsewhere = [part for part in done if part.pid != os.getpid()]
    for part in elsewhere:
        journal.hashes.update(part.hashes)
    for job in joined:
        join_parts(job, journal, site_plan.renderer)
    return sum(part.pages for part in done) + len(joined), sum(len(part.hashes) for part in elsewhere)


def join_parts(job: plan.PageJob, journal: Journal, renderer: render.Renderer) -> None:
    """Write a file made by joining files of the output (the site's open data from the digests'),
    once those are written: each part is read back and checked (CheckedParts), so a part that is
    missing or was changed by hand makes the file be rendered whole instead.  One entry changed, the
    site's files are joined in a fraction of the time that converting every entry takes, and
    streamed: never held whole, nor as records."""
    from .. import opendata

    pieces, parts = opendata.PIECES[job.context["kind"]], CheckedParts(job.context["parts"], journal)
    try:
        journal.write_parts(job.path, lambda: pieces(parts()))
    except ValueError:
        journal.write(job.path, renderer.render_bytes(job))


class CheckedParts:
    """The bytes of each output file named, one at a time, on every pass; ValueError for one that
    is missing or not what digest wrote.  The first pass checks each against the hash this build
    wrote or the manifest holds, and notes the file's identity as read (output.read_owned); later
    passes check that identity, which any write moves, instead of hashing tens of MB again.
    write_parts changes nothing before its first pass ends, and a part changed between passes
    fails the build, which is rolled back."""

    def __init__(self, paths: list[str], journal: Journal):
        self.paths, self.journal = paths, journal
        self.checked: dict[str, tuple] = {}

    def __call__(self):
        for path in self.paths:
            data, identity = read_owned(self.journal.output.folder, path)
            if data is None or not self._digests(path, data, identity):
                raise ValueError(f"{path} is not the file digest wrote")
            yield data

    def _digests(self, path: str, data: bytes, identity: tuple) -> bool:
        if path in self.checked:
            return self.checked[path] == identity  # a later pass: the file read and hashed before
        expected = self.journal.hashes.get(path) or self.journal.output.owned.get(path)
        if not expected or hash_of(data) != expected:
            return False
        self.checked[path] = identity
        return True


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
            if self.journal.write(job.path, self.renderer.render_bytes(job)):
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
    from .. import search

    for path, source in site_plan.assets.items():
        journal.write(path, source.read_bytes())
    files = set(site_plan.files)
    live = {path for path in out.owned if path.startswith(SEARCH_FOLDER + "/")}
    if index and search.defer(site_plan.renderer.site):
        files |= live  # serve publishes the new index when it is made (publish_index)
    elif index:
        site_plan.state.indexed = True
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
    from .. import search

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
            state.output, state.indexed = version, True
            cache.StateWriter(place.cache, state, set()).write()
        if recorded.get("output") == out.version and recorded.get("inputs"):
            cache.mark_unchanged(place.cache, recorded["inputs"], version, recorded.get("pages", 0),
                                 recorded.get("settings", []))
    return True


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
    from .. import search

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
