"""The build pipeline: read → plan → fingerprint → render → write.

    build_site(content_dir, output) -> BuildResult

Content is read and validated completely before anything is written.  A
first (or --clean) build, or one where many pages changed, renders every
page on all cores into a staging folder (the recycled previous generation)
that replaces the output in one atomic exchange.  Otherwise only pages whose
fingerprint changed are rendered and replaced in place under a journal
(state.py), so an interrupted build is rolled back.  Either way the output
is byte-identical to what a clean build would write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__, state
from .defaults import DEFAULT_THEME
from .fingerprint import fingerprint, of_bytes
from .output import locked, prune, prune_listed, remove_stale, staging_folder, swap_in

SEARCH_FOLDER = "pagefind"
IN_PLACE_MIN = 300
"""Up to this many changed pages are always updated in place."""


@dataclass
class BuildResult:
    pages: int
    """HTML pages in the site."""
    files: int
    """Files rendered by this build (pages, feeds, sitemap)."""
    seconds: float
    output: Path
    incremental: bool = False
    parsed: int = 0
    """Content files parsed (the rest came from the cache)."""
    phases: dict[str, float] = dataclasses.field(default_factory=dict)
    """Seconds spent in each stage, for `build --timings`."""

    def timings(self) -> str:
        return "  ".join(f"{name} {seconds:.2f} s" for name, seconds in self.phases.items())

    def summary(self) -> str:
        if self.incremental and not self.files:
            return f"nothing changed; {self.output} is up to date ({self.seconds:.2f} s)"
        kind = f"re-rendered {self.files} of" if self.incremental else "built"
        return f"{kind} {self.pages} pages into {self.output} in {self.seconds:.2f} s"


def build_site(content_dir: Path, output: Path, base_url: str | None = None, clean: bool = False,
               search: bool = True, workers: int | None = None, keep: list | None = None) -> BuildResult:
    """Build the site; `keep`, given by a caller that exits right after, receives the build's data
    (the site model, the caches), so that returning does not free them object by object."""
    started = time.perf_counter()
    clock = _Clock()
    content_dir, output = Path(content_dir), Path(output)
    flags = (base_url, search and _search_available())
    with locked(output, "build"), _without_cycle_collector(), contextlib.ExitStack() as cleanup:
        remove_stale(output, state.spare_folder(output))
        code = code_version()
        rolled_back = state.recover(output)
        recorded = state.recorded_inputs(output)
        rebuild = clean or rolled_back  # whatever the inputs: their signature is worked out from the read's stats
        previous = None
        if rebuild:
            inputs, stats, templates = "", None, None
        elif (not recorded.get("inputs") and hasattr(os, "fork")
              and state.saved_size(output) >= LOAD_BESIDE_CHECK_MIN_STATE):
            inputs, stats, templates, previous = _check_beside_load(content_dir, output, code, flags, recorded)
        else:
            inputs, stats, templates = input_signature(content_dir, code, flags, recorded.get("templates"))
        pages_count = state.unchanged_since(output, recorded, inputs) if inputs else None
        clock.lap("check")
        if pages_count is not None:
            return BuildResult(pages_count, 0, time.perf_counter() - started, output, incremental=True,
                               phases=clock.phases)
        from . import content  # not needed when nothing changed: start-up stays short

        if previous is None:
            previous = state.BuildState(code=code) if clean else state.load(output, code)
            clock.lap("cache")
        workers = workers or os.cpu_count() or 1
        packed = state.PackedFolders(output) if not previous.files else None
        if packed:
            cleanup.callback(packed.discard)  # whether the build fails or saves them
        cache = content.ReadCache(previous.files, stats, packed)
        site = content.read_site(content_dir, cache=cache, workers=workers, meanwhile=_load_renderer)
        from . import render
        # A rebuild signs its inputs (see input_signature) while the pages render, if it renders them all.
        signed = functools.cache(functools.partial(input_signature, content_dir, code, flags, recorded.get("templates"),
                                                   taken=cache.taken, since_ns=cache.started_ns)) if rebuild else None
        clock.lap("read")
        if base_url is not None:
            site.settings = dataclasses.replace(site.settings, base_url=base_url.rstrip("/") + "/" if base_url else "")
        folders = render.template_folders(site, content_dir)
        compiled = state.compiled_templates_folder(output, code)
        refs = state.load_template_refs(compiled)
        renderer = render.Renderer(site, folders, compiled, refs)
        changed_files = cache.changed()
        jobs, partial = _plan(site, renderer, previous, changed_files)
        clock.lap("plan")
        current = state.BuildState(code=previous.code, files=cache.current, assets=_asset_fingerprints(folders))
        current.templates = previous.templates if partial else sorted({job.template for job in jobs})
        current.sources = previous.sources if partial else {job.path: job.sources for job in jobs}
        indexed = search and _search_available()
        changed = jobs
        if previous.pages:
            current.frame = renderer.frame(current.templates)
            same_frame = current.frame == previous.frame
            prints = renderer.fingerprints(jobs, previous.pages, changed_files=changed_files if same_frame else None)
            current.pages = {**previous.pages, **prints} if partial else prints
            changed = [job for job in jobs if previous.pages.get(job.path, ("", ""))[1] != current.pages[job.path][1]]
            clock.lap("fingerprint")
        # In place when few pages changed; otherwise all pages afresh on every core, which is faster.
        if partial or previous.pages and len(changed) <= max(IN_PLACE_MIN, len(jobs) // (2 * workers)):
            _note_search(current, indexed)
            _update_in_place(renderer, changed, folders, output, previous, current, changed_files)
            incremental = True
        else:
            _build_fresh(renderer, jobs, folders, output, current, workers, indexed, packed,
                         changed_files if previous.files else None, previous, signed)
            incremental = False
        clock.lap("write")
        if signed:
            inputs, _, templates = signed()
        if renderer.template_refs != refs:
            state.save_template_refs(compiled, renderer.template_refs)
        html = sum(1 for path in current.pages if path.endswith(".html"))
        if inputs:
            state.mark_unchanged(output, inputs, html, templates)
        else:
            state.forget_inputs(output)
    if keep is not None:
        keep.append((site, cache, previous, current, renderer, jobs))
    return BuildResult(html, len(changed), time.perf_counter() - started, output, incremental,
                       len(cache.current) - cache.hits, clock.phases)


LOAD_BESIDE_CHECK_MIN_STATE = 150_000
"""From a saved state this big (about 1,000 pages) on, loading it takes longer than forking a process."""


def _check_beside_load(content_dir: Path, output: Path, code: str, flags: tuple, recorded: dict) -> tuple:
    """input_signature's answer and the last build's state, when the last build left no signature to
    compare (a file had changed just before it): nothing-changed cannot be concluded then, and the
    check's stats serve only the read, so a forked process takes them all while this one loads the state."""
    from .forked import beside

    args = (content_dir, code, flags, recorded.get("templates"))
    found, previous = beside(_signature_to_send, args, here=lambda: state.load(output, code),
                             fallback=lambda: input_signature(*args))
    return (*found, previous)


def _signature_to_send(*args) -> tuple:
    """input_signature on one process, its stats as FileIds (they pickle five times faster)."""
    signature, stats, templates = input_signature(*args, share=False)
    return signature, {path: state.file_id(stat) for path, stat in stats.items()}, templates


def _load_renderer() -> None:
    """Import the renderer (and Jinja) while the read's workers, which do not need it, read."""
    from . import render  # noqa: F401


def _plan(site, renderer, previous: state.BuildState, changed_files: set[str]) -> tuple[list, bool]:
    """The pages to consider, and whether they are only some of the site's.

    When the frame (templates, shared context, layout) is the last build's,
    the site has the same pages with the same sources, so only the pages
    that show a changed file need planning; if few do, only they are planned.
    """
    from . import pages
    if previous.pages and previous.frame and renderer.frame(previous.templates) == previous.frame:
        affected = {path for path, sources in previous.sources.items() if not changed_files.isdisjoint(sources)}
        if len(affected) <= IN_PLACE_MIN:
            return pages.plan(site, only=affected), True
    return pages.plan(site), False


@contextlib.contextmanager
def _without_cycle_collector():
    """Python's cycle collector off while building: it would walk the whole site model again and
    again as pages are made (about a tenth of a big build's time), and in forked workers its
    bookkeeping writes would copy every shared page of memory.  What a build leaves is frozen out
    of the collector's sight; a process that builds again collects it first (`serve` does so as
    soon as it is idle, with collect_build_garbage)."""
    if gc.get_freeze_count():
        collect_build_garbage()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # else the first collection after this walks every object the build made (~0.05 s)
            gc.enable()


def collect_build_garbage() -> None:
    """Collect the cycles earlier builds left (they were frozen out of the collector's sight)."""
    gc.unfreeze()
    gc.collect()


class _Clock:
    def __init__(self):
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = now - self._last
        self._last = now


def _build_fresh(renderer, jobs, folders, output: Path, current: state.BuildState, workers: int,
                 indexed: bool, packed: state.PackedFolders | None,
                 changed_files: set[str] | None, previous: state.BuildState, signed=None) -> None:
    """Every page into a staging folder (the recycled previous generation), swapped in whole."""
    from . import render
    recycled = state.take_spare_files(output)
    staging = staging_folder(output, state.spare_folder(output))
    swapped_out: set[str] | None = None

    def meanwhile():
        """While the workers render: save the content cache, clear what the recycled site has too much,
        note what the output holds now (the spare of the next full build) and sign the inputs."""
        nonlocal swapped_out
        if signed:
            signed()
        if output.is_dir():  # the last build's state says what the output holds; --clean did not load it
            swapped_out = (state.files_of(previous, (SEARCH_FOLDER,)) if previous.pages
                           else state.output_files(output, (SEARCH_FOLDER,)))
        state.save_files(output, current.files, changed_files, packed)  # lets that state go
        shutil.rmtree(staging / SEARCH_FOLDER, ignore_errors=True)
        keep = {job.path for job in jobs} | set(current.assets)
        if recycled is not None:
            prune_listed(staging, recycled, keep)
        else:
            prune(staging, keep)

    try:
        current.pages = render.render_all(renderer, jobs, staging, folders, workers, meanwhile)
        current.frame = renderer.frame(current.templates)  # its parts were worked out for the quick keys
        _note_search(current, indexed)
        if indexed:
            from .search import index_site

            index_site(staging)
        state.discard(output)  # the old state no longer describes the output
        swap_in(staging, output, state.spare_folder(output))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if swapped_out is not None:
        state.keep_spare_files(output, swapped_out)
    state.save(output, current, changed=set())


def _note_search(current: state.BuildState, indexed: bool) -> None:
    """The search index is part of the output when Pagefind runs; it changes when any page does."""
    if indexed:
        current.assets[SEARCH_FOLDER] = fingerprint(sorted((path, fp) for path, (_, fp) in current.pages.items()),
                                                    versions={})


def _update_in_place(renderer, changed, folders, output: Path, previous: state.BuildState,
                     current: state.BuildState, changed_files: set[str]) -> None:
    """Replace changed pages and assets in the live output under a journal; commit by saving the state."""
    from . import render
    rendered = [(job.path, renderer.render(job).encode("utf-8")) for job in changed]
    stale = [path for path in previous.pages if path not in current.pages]
    assets = render.static_files(folders)
    with state.Journal(output) as journal:
        for path, data in rendered:
            journal.replace(path, data)
        for path in stale:
            journal.remove(path)
        for path, source in assets.items():
            if previous.assets.get(path) != current.assets[path]:
                journal.replace(path, source.read_bytes())
        for path in previous.assets:
            if path not in current.assets:
                journal.remove(path)
        if SEARCH_FOLDER in current.assets and previous.assets.get(SEARCH_FOLDER) != current.assets[SEARCH_FOLDER]:
            journal.replace_folder(SEARCH_FOLDER, _fresh_index(output))
        current.build_id = journal.id
        if rendered or stale or changed_files or current.assets != previous.assets:
            state.save(output, current, changed_files)


def _fresh_index(output: Path) -> Path:
    """A search index of the (updated) output, built beside it."""
    from .search import index_site

    target = Path(tempfile.mkdtemp(prefix=f".{output.name}.index-", dir=output.parent))
    shutil.rmtree(target)
    index_site(output, target)
    return target


def _asset_fingerprints(folders: list[Path]) -> dict[str, str]:
    from . import render

    return {path: of_bytes(source.read_bytes()) for path, source in render.static_files(folders).items()}


def _search_available() -> bool:
    from .search import available

    return available()


def input_signature(content_dir: Path, code: str, flags: tuple, known_templates=None,
                    taken: dict[str, os.stat_result] | None = None, since_ns: int | None = None,
                    share: bool = True) -> tuple[str, dict[str, os.stat_result], list]:
    """A hash of the identity (size, time, inode) of every file a build reads, and of the build's options;
    the stats taken, which the read reuses; and [identity of site.yaml, template folders] to record.

    Equal signatures mean an identical site, so a build with nothing changed
    stops here, before reading any content.  If any file changed in the last
    moments, the signature is '' (never equal): coarse timestamps could hide
    a second change within the same tick.  `known_templates`, as recorded by
    the last build, saves reading site.yaml (and loading PyYAML) while it is
    unchanged.

    A build that reads everything anyway (--clean) works the signature out
    after reading, from the stats the read `taken` before reading each file.
    "The last moments" then count from `since_ns`, when the read began, so a
    file changed while the build ran leaves no signature to trust.
    """
    identities = [code, repr(flags)]
    folders = [content_dir]
    for entry in _scan(content_dir):
        if entry.is_dir():
            folders.append(Path(entry.path))
    stats = _stats_of(folders, taken or {}, share)
    taken = dict(stats)
    settings = taken.get(str(content_dir / "site.yaml"))
    settings_id = f"{content_dir}:{settings.st_mtime_ns}:{settings.st_size}:{settings.st_ino}" if settings else ""
    if isinstance(known_templates, list) and len(known_templates) == 2 and known_templates[0] == settings_id:
        template_folders = [Path(folder) for folder in known_templates[1]]
    else:
        template_folders = template_folders_of(content_dir)
    for folder in template_folders:
        found = [(str(path), path.stat()) for path in sorted(folder.rglob("*")) if path.is_file()]
        stats.extend(found)
        taken.update(found)
    templates = [settings_id, [str(folder) for folder in template_folders]]
    if any(stat.st_mtime_ns > (since_ns or time.time_ns()) - state.RACY_NS for _, stat in stats):
        return "", taken, templates
    identities.extend(f"{path}\t{stat.st_mtime_ns}\t{stat.st_size}\t{stat.st_ino}" for path, stat in stats)
    signature = hashlib.blake2b("\n".join(identities).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return signature, taken, templates


SPLIT_CHECK_MIN_FOLDERS = 64
"""From this many content folders on, a forked process stats a share of the files: the system calls are
most of a no-change check, and the second core takes them as well as the first (about 9 µs each here)."""
CHILD_SHARE = 0.4
"""The forked process's share of the folders: it also has to start and to send its stats back."""


def _stats_of(folders: list[Path], taken: dict, share: bool = True) -> list[tuple[str, os.stat_result]]:
    """(path, stat) of every file in `folders`, in order; stats in `taken` are not taken again.  With
    `share`, a forked process takes part of a big check."""
    if not share or taken or len(folders) < SPLIT_CHECK_MIN_FOLDERS or not hasattr(os, "fork"):
        return _stats_in(folders, taken)
    from .forked import beside

    split = int(len(folders) * CHILD_SHARE)
    theirs, mine = beside(_file_ids_in, (folders[:split],), here=lambda: _stats_in(folders[split:], taken),
                          fallback=lambda: _stats_in(folders[:split], taken))
    return theirs + mine


def _stats_in(folders: list[Path], taken: dict) -> list[tuple[str, os.stat_result]]:
    return [found for folder in folders for found in _stats(folder, taken)]


def _file_ids_in(folders: list[Path]) -> list[tuple[str, state.FileId]]:
    """_stats_in as ForkedCall's answer: (path, FileId) pairs, which pickle five times faster than stats."""
    return [(path, state.file_id(stat)) for path, stat in _stats_in(folders, {})]


def _scan(folder: Path) -> list[os.DirEntry]:
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []


def _stats(folder: Path, taken: dict[str, os.stat_result]) -> list[tuple[str, os.stat_result]]:
    found = []
    for entry in _scan(folder):
        if not entry.is_dir():
            try:
                found.append((entry.path, taken.get(entry.path) or entry.stat()))
            except OSError:
                continue
    return found


def template_folders_of(content_dir: Path) -> list[Path]:
    """The default theme and the site's own templates folder, read from site.yaml without validating it."""
    folders = [DEFAULT_THEME]
    settings = content_dir / "site.yaml"
    if settings.exists():
        import yaml

        try:
            data = yaml.load(settings.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("templates"), str):
            folders.append(content_dir / data["templates"])
    return folders


def code_version() -> str:
    """digest's version and the state of its source files: an upgrade or an edit voids the cache."""
    package = Path(__file__).resolve().parent
    stats = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(package.rglob("*.py"))]
    return hashlib.blake2b(repr((__version__, stats)).encode(), digest_size=8).hexdigest()
