"""The read stage: a content folder → the validated model (Site), or every problem at once.

Layout:  site.yaml · themes.yaml · pages/*.md · <digest-id>/digest.yaml ·
<digest-id>/<slug>.yaml (one per place).  Every problem in every file is
collected with its path and line; nothing is rendered from invalid content.

A build hands in a Memo (what unchanged files gave last time) and a `map`
(to read digest folders on several processes); this package knows neither
caches nor processes.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .. import yamlio
from ..errors import DigestError, Problem, display_path
from ..model import Digest, Entry, Site, Theme
from . import records
from .reader import Memo, Reader

DIGEST_FILE = records.DIGEST_FILE
DEFAULT_THEME_COLOR = records.DEFAULT_THEME_COLOR
PLACEHOLDER_BODY = records.PLACEHOLDER_BODY
NOT_DIGESTS = frozenset({"pages", "articles"})
"""Content subfolders that hold other things than a digest's entries."""

__all__ = ["DEFAULT_THEME_COLOR", "DIGEST_FILE", "PLACEHOLDER_BODY", "Memo", "load_themes", "read_site"]


def read_site(root: Path, warnings: list[Problem] | None = None, memo: Memo | None = None, map=map) -> Site:
    """The whole content folder as a validated Site, or DigestError with every error.

    Warnings (a missing summary…) go to `warnings` when given.  `memo`
    remembers each file's value by its version; `map(read, folders)` reads
    the digest folders, in order (the built-in map, or a process pool's)."""
    root = Path(root)
    if not root.is_dir():
        raise DigestError(Problem(display_path(root), "content folder not found",
                                  hint="run from the project folder or pass --content DIR"))
    reader = Reader(root, memo)
    settings = records.settings(root / "site.yaml", reader)
    themes = records.themes_file(root / "themes.yaml", reader)
    known = themes is not None
    folders = _digest_folders(root, reader)
    themes = (themes or []) + _declared_themes(folders, themes or [], reader)
    names = tuple(t.name for t in themes) if known else None
    digests, entries = [], []
    for found in map(FolderReading(root, reader.root_shown, names, reader.memo), folders):
        reader.problems.extend(found.problems)
        reader.records.extend(found.records)
        if found.pid != os.getpid():
            yamlio.READERS.update(found.readers)
        if found.digest is not None:
            digests.append(found.digest)
            entries.extend(found.entries)
    pages = [page for path in _page_files(root, reader) if (page := records.page(path, reader))]
    for record in reader.records:
        reader.memo.remember(*record)
    errors = [p for p in reader.problems if not p.warning]
    if warnings is not None:
        warnings.extend(p for p in reader.problems if p.warning)
    if errors:
        raise DigestError(errors)
    digests.sort(key=lambda d: (d.date, d.id), reverse=True)
    entries.sort(key=lambda e: (e.digest_id, e.slug))
    return Site(settings, tuple(themes), tuple(digests), tuple(entries), tuple(pages))


def load_themes(root: Path) -> list[Theme]:
    """The themes of content/themes.yaml, problems aside (build and check report those)."""
    path = Path(root) / "themes.yaml"
    return (records.themes_file(path, Reader(Path(root))) or []) if path.exists() else []


def _digest_folders(root: Path, reader: Reader) -> list[Path]:
    """The digest folders, in name order.  A folder of YAML files without a digest.yaml is an error:
    its entries would silently vanish from the site."""
    folders = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name in NOT_DIGESTS or not entry.is_dir():
            continue
        folder = Path(entry.path)
        if not reader.inside(folder):
            continue
        if (folder / DIGEST_FILE).exists():
            folders.append(folder)
        elif any(name.endswith((".yaml", ".yml")) for name in os.listdir(folder)):
            reader.report(folder, f"entries without a {DIGEST_FILE}",
                          hint=f"add the folder's {DIGEST_FILE} (ingest the article) or move the entries into a digest")
    return folders


def _declared_themes(folders: list[Path], themes: list[Theme], reader: Reader) -> list[Theme]:
    """Themes digests brought with them (headings no theme matched), in folder order: known before any
    entry is checked, so that every entry is checked against the same, site-wide list."""
    added: list[Theme] = []
    for folder in folders:
        path = folder / DIGEST_FILE
        items = reader.cached(f"{reader.shown(path)}#themes", "", lambda: records.declared_theme_items(path, reader))
        if items:
            added += records.themes(items, path, reader, themes + added)
    return added


def _page_files(root: Path, reader: Reader) -> list[Path]:
    folder = root / "pages"
    if not folder.is_dir() or not reader.inside(folder):
        return []
    return sorted(folder.glob("*.md"))


@dataclass(frozen=True)
class FolderRead:
    """What one digest folder gave."""

    digest: Digest | None
    entries: list[Entry]
    problems: list[Problem]
    records: list[tuple]
    readers: dict[str, int]
    """Files read by each YAML reader (for `build --timings`)."""
    pid: int


@dataclass(frozen=True)
class FolderReading:
    """Reads one digest folder: a callable that `map` may run on another process (it holds only what
    the read needs, and the memo, which a forked process inherits)."""

    root: Path
    root_shown: str
    theme_names: tuple[str, ...] | None
    """The themes entries may name; None when themes.yaml is broken (no entry is then checked against it)."""
    memo: Memo

    def __call__(self, folder: Path) -> FolderRead:
        reader = Reader(self.root, self.memo, self.root_shown)
        before = dict(yamlio.READERS)
        names = None if self.theme_names is None else list(self.theme_names)
        path = folder / DIGEST_FILE
        digest = reader.cached(reader.shown(path), _context(names), lambda: records.digest_file(folder, names, reader))
        entries = [] if digest is None else _entries(folder, digest, names, reader)
        readers = {name: count - before.get(name, 0) for name, count in yamlio.READERS.items()}
        return FolderRead(digest, entries, reader.problems, reader.records, readers, os.getpid())


def _entries(folder: Path, digest: Digest, theme_names: list[str] | None, reader: Reader) -> list[Entry]:
    context = _context(theme_names, digest.id, digest.date, len(digest.paragraphs))
    shown_folder = reader.shown(folder)
    entries = []
    for found in sorted(os.scandir(folder), key=lambda e: e.name):
        if found.name.endswith(".yml"):
            reader.report(found.path, "entry files end in .yaml, not .yml", hint=f"rename it to {found.name[:-4]}.yaml")
        if not found.name.endswith(".yaml") or found.name == DIGEST_FILE:
            continue
        if found.is_symlink() and not reader.inside(found.path):
            continue
        entry = reader.cached(f"{shown_folder}/{found.name}", context,
                              lambda: records.entry_file(found.path, digest, theme_names, reader))
        if entry:
            entries.append(entry)
    return entries


def _context(*parts) -> str:
    """What a file's reading depends on besides its text, as a short key."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
