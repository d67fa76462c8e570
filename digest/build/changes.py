"""What changed since the last build: the inputs' signature, the site's frame and each page's key.

- The input signature hashes the identity (size, times, inode) of every file
  a build reads, the build's options and digest's own code.  Equal signatures
  mean an identical site: a build with nothing changed stops after checking
  file times, before reading any content.
- A page's key hashes its path, its template (with every template that one
  extends, includes or imports) and the versions of the content files it
  shows (PageJob.sources), under the site's frame: the context every page
  sees and the layout (which page shows what, in which order).  While the
  frame is the last build's, a page whose key is unchanged is unchanged, so
  an edit re-renders only the pages that show the edited file.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .. import __version__, theme
from ..errors import DigestError, Problem

if TYPE_CHECKING:  # imported where used: a build that finds nothing changed needs neither
    import jinja2

    from ..model import Site

RACY_NS = 2_000_000_000
"""Files modified less than this long before a build are read afresh: timestamps are coarse, and a
second change within the same tick, size unchanged, would go unseen (git's "racy clean" problem)."""


class FileId(NamedTuple):
    """What tells one version of a file from another; ctime too, which no program sets back."""

    mtime_ns: int
    size: int
    ino: int
    ctime_ns: int


def file_id(stat: os.stat_result) -> FileId:
    return FileId(stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)


class Inputs(NamedTuple):
    signature: str
    """'' when a file changed in the last moments (never equal to a recorded one)."""
    files: dict[str, FileId]
    """Path → identity of every content and template file, for the read to reuse."""
    template_folders: list[str]


def scan_inputs(content_dir: Path, options: tuple, templates_setting: str) -> Inputs:
    """The identity of every file a build of `content_dir` reads (the content folder and its folders,
    the template folders), and their signature.  Folders are listed in the order the system keeps
    them, which holds as long as nothing in them changes (and then the signature changes anyway)."""
    files: dict[str, FileId] = {}
    subfolders = _add_files(str(content_dir), files)
    for folder in subfolders:
        _add_files(folder, files)
    template_folders = [str(f) for f in theme.template_folders(content_dir, templates_setting)]
    for folder in template_folders:
        files.update((str(path), file_id(path.stat())) for path in theme.files_in(Path(folder)))
    newest = max((f.mtime_ns for f in files.values()), default=0)
    if newest > time.time_ns() - RACY_NS:
        return Inputs("", files, template_folders)
    identities = [code_version(), repr(options), *template_folders]
    identities.extend(f"{path}\t{fid.mtime_ns}\t{fid.size}\t{fid.ino}\t{fid.ctime_ns}" for path, fid in files.items())
    signature = hashlib.blake2b("\n".join(identities).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return Inputs(signature, files, template_folders)


def _add_files(folder: str, files: dict[str, FileId]) -> list[str]:
    """Add the identity of each file of `folder` to `files`; its folders (but hidden ones)."""
    folders = []
    try:
        entries = os.scandir(folder)
    except OSError:
        return folders
    with entries:
        for entry in entries:
            try:
                if entry.is_dir():
                    if not entry.name.startswith("."):
                        folders.append(entry.path)
                else:
                    stat = entry.stat()
                    files[entry.path] = FileId(stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)
            except OSError:
                continue
    return folders


def code_version() -> str:
    """digest's version and the state of its source files: an upgrade or an edit voids the cache."""
    package = Path(__file__).resolve().parent.parent
    stats = [(str(p.relative_to(package)), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(package.rglob("*.py"))]
    return hashlib.blake2b(repr((__version__, stats)).encode(), digest_size=8).hexdigest()


def layout_of(site: Site) -> list[tuple]:
    """What decides which pages exist and which page shows what, in which order: entries' and
    digests' places in the site, and the names of the officials each entry names (a person's page
    is keyed by name and place, so a new name is a new page and a page's officials come from it).

    Changes to anything else (a headline, a body, titles, figures) alter only the
    pages that list the changed file among their sources.  Dates are day
    numbers: their repr is a tenth of the cost of a date's."""
    return ([(e.path, e.slug, e.city, e.province, e.parent, e.theme, e.date.toordinal(), e.digest_id,
              e.source.paragraphs if e.source else (), tuple([p.name for p in e.people]))
             for e in site.entries]
            + [(d.path, d.id, d.date.toordinal(), len(d.paragraphs), tuple((s.first, s.theme) for s in d.sections))
               for d in site.digests])


def shared_key(site: Site) -> str:
    """What every page may show besides its sources: the settings, themes and pages, and the layout."""
    return _hash(repr((site.settings, site.themes, site.pages, layout_of(site))))


def frame_of(shared: str, template_versions: dict[str, str]) -> str:
    """The pages' frame: the shared key and the versions of the templates in use.  Two builds under
    one frame have the same pages with the same sources."""
    return _hash(repr((shared, sorted(template_versions.items()))))


def page_keys(jobs, frame: str, template_versions: dict[str, str], versions: dict[str, str]) -> dict[str, str]:
    """Output path → the page's key (see the module's docstring)."""
    return {job.path: _hash("\x00".join([job.path, template_versions[job.template], frame,
                                         *[versions.get(p) or p for p in job.sources]]))
            for job in jobs}


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def template_versions(env: jinja2.Environment, names: set[str], known: dict | None = None) -> dict[str, str]:
    """Template name → hash of its source and of every template it extends, includes or imports.

    `known` (kept between builds) maps a source's hash to the templates it
    names, so an unchanged template is not parsed again."""
    known = {} if known is None else known
    sources: dict[str, tuple[str, frozenset[str]]] = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in sources:
            sources[name] = _source_and_references(env, name, known)
            pending.extend(sources[name][1])
    return {name: _hash(repr([(n, sources[n][0]) for n in _closure(name, sources)])) for name in names}


def _source_and_references(env: jinja2.Environment, name: str, known: dict) -> tuple[str, frozenset[str]]:
    import jinja2.meta

    try:
        source = env.loader.get_source(env, name)[0]
    except jinja2.TemplateNotFound:
        return "", frozenset()
    except UnicodeDecodeError:
        raise DigestError(Problem(name, "template is not UTF-8 text", hint="save it as UTF-8")) from None
    digest = _hash(source)
    if digest not in known:
        try:
            tree = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            raise DigestError(Problem(exc.filename or name, f"template error: {exc.message}", exc.lineno)) from None
        known[digest] = frozenset(jinja2.meta.find_referenced_templates(tree)) | _shared_partials_in(tree)
    refs = known[digest]
    if None in refs:  # a computed name: depend on every template
        refs = frozenset(env.loader.list_templates()) - {name}
    return source, refs


def _closure(name: str, sources: dict) -> list[str]:
    seen, stack = set(), [name]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(sources[current][1])
    return sorted(seen)


def _shared_partials_in(tree: jinja2.nodes.Template) -> set[str | None]:
    """Templates named in shared("…", root) calls (None for a computed name)."""
    import jinja2.nodes

    found: set[str | None] = set()
    for call in tree.find_all(jinja2.nodes.Call):
        if isinstance(call.node, jinja2.nodes.Name) and call.node.name == "shared":
            first = call.args[0] if call.args else None
            found.add(first.value if isinstance(first, jinja2.nodes.Const) else None)
    return found
