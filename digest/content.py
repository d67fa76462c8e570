"""Read a content folder into the model, validating everything first.

Layout:  site.yaml · themes.yaml · pages/*.md · <digest-id>/digest.yaml ·
<digest-id>/<slug>.yaml (one per place).  Every problem in every file is
collected with its path and line; nothing is rendered from invalid content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
import time
from pathlib import Path

from . import schema, yamlio
from .forked import forked
from .state import RACY_NS, FileId, PackedFolders, file_id, pack_folder
from .errors import DigestError, Problem, display_path
from .model import Digest, Entry, Figure, Page, Person, Section, Settings, Site, SourceRef, Theme

SAFE_SLUG, SAFE_ID, RESERVED = schema.SAFE_SLUG, schema.SAFE_ID, schema.RESERVED
DIGEST_FILE = "digest.yaml"
ENTRY_KEYS = schema.ENTRY_KEYS
_ENTRY_KEY_SET = frozenset(ENTRY_KEYS)
ENTRY_TEXT_KEYS = tuple(k.name for k in schema.keys(Entry) if k.kind == "text")
REQUIRED_ENTRY_KEYS = schema.required(Entry)
NAME_KEYS = tuple(k.name for k in schema.keys(Entry) if k.is_name)
DIGEST_KEYS = schema.DIGEST_KEYS
SETTINGS_KEYS = schema.SETTINGS_KEYS
THEME_KEYS = schema.THEME_KEYS
DEFAULT_THEME_COLOR = "#3d5a80"


class ReadCache:
    """What the last read made of each file, keyed by the file's identity and what it was read against."""

    def __init__(self, previous: dict | None = None, stats: dict[str, os.stat_result | FileId] | None = None,
                 packed: PackedFolders | None = None):
        self.started_ns = time.time_ns()
        self.previous: dict = previous or {}
        self.packed = packed
        """Where folders read on worker processes go as the workers pickled them (for the build cache)."""
        self.stats = stats or {}
        """Path → stat already taken this build (by the no-change check), so no file is stat'ed twice."""
        self.taken: dict[str, FileId] = {}
        """Path → stat taken by the read itself, before reading the file (for a --clean build's signature)."""
        self.current: dict = {}
        self.hits = 0
        self.parsed: set[str] = set()

    def changed(self) -> set[str]:
        """Files parsed afresh or gone since the last read."""
        return self.parsed | (self.previous.keys() - self.current.keys())


class _Reader:
    """Collects problems while converting raw YAML values to model values."""

    def __init__(self, root: Path, cache: ReadCache | None = None, root_shown: str | None = None):
        self.root = root
        self.problems: list[Problem] = []
        self.cache = cache if cache is not None else ReadCache()
        self.versions: dict[str, str] = {}
        """Shown path → version of the file (for page fingerprints)."""
        self._root_text = str(root)
        self.root_shown = root_shown or display_path(root)
        """How messages show the root (resolving it takes system calls: workers are given it)."""

    def cached(self, path: Path | str, context: str, read, stat: os.stat_result | FileId | None = None):
        """read() for `path`, or what it gave last time for the same file read against the same context.

        A file is the same when its size, modification time and inode are:
        editors and `write_atomic` both change at least one of them.  `path`
        may be given as shown already; `context` is a string that changes
        whenever the reading would (themes defined, the digest's date…).
        """
        shown = path if isinstance(path, str) else self.shown(path)
        stat = stat or self.stat_of(Path(path) if isinstance(path, str) else path)
        if stat is None:
            return read()
        key = f"{stat.st_mtime_ns}:{stat.st_size}:{stat.st_ino}:{context}"
        racy = stat.st_mtime_ns > self.cache.started_ns - RACY_NS
        hit = self.cache.previous.get(shown)
        if hit is not None and hit[0] == key and not racy:
            result, problems = hit[1], hit[2]
            self.problems.extend(problems)
            self.cache.hits += 1
        else:
            before = len(self.problems)
            result = read()
            problems = self.problems[before:]
            self.cache.parsed.add(shown)
        # A file changed in the last moments may change again within the same clock tick, size
        # unchanged: it is not trusted until it is older ("racy git"), and its version is unique.
        self.cache.current[shown] = ("racy" if racy else key, result, problems)
        self.versions[shown] = f"{key}:racy:{self.cache.started_ns}" if racy else key
        return result

    def stat_of(self, path: Path | os.DirEntry) -> os.stat_result | FileId | None:
        key = path.path if isinstance(path, os.DirEntry) else str(path)
        known = self.cache.stats.get(key)
        if known is None:
            known = self.cache.taken[key] = _stat(path)
        return known

    def shown(self, path: Path) -> str:
        """The path as messages show it, without a filesystem call per file."""
        text = str(path)
        if text.startswith(self._root_text + "/"):
            return f"{self.root_shown}/{text[len(self._root_text) + 1:]}"
        return display_path(path)

    def report(self, path: Path, message: str, line: int | None = None, hint: str = "", warning=False) -> None:
        self.problems.append(Problem(self.shown(path), message, line, hint, warning))

    def load(self, path: Path):
        data, problem = yamlio.load_file(path, self.shown(path))
        if problem:
            self.problems.append(problem)
        return data

    def mapping(self, data, path: Path, what: str):
        if data is None:
            data = yamlio.LineMap()
            data.lines, data.line = {}, 1
        if not isinstance(data, dict):
            self.report(path, f"{what} must be a mapping of keys to values", 1, "see README for an example")
            return None
        return data

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], path: Path) -> None:
        for key in data:
            if key not in allowed:
                self.report(path, f"unknown key '{key}'", _line(data, key),
                            f"use one of {', '.join(allowed)} (or remove it)")

    def text(self, data: dict, key: str, path: Path, required: bool = False, names: bool = False) -> str:
        """The text under `key`.  Numbers are taken as text (a code, a year) unless the key holds a
        name (`names`: a city, slug or theme), where a number is surely a mistake."""
        value = data.get(key)
        if value is None or value == "":
            if required and key in data:
                self.report(path, f"'{key}' is empty", _line(data, key), f"write the {key} after '{key}:'")
            elif required:
                self.report(path, f"'{key}' is missing", data.line if hasattr(data, "line") else None,
                            f"add a '{key}:' line")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if names:
                self.report(path, f"'{key}' must be a name, not the number {value}", _line(data, key),
                            f"write the {key} as text, e.g. {key}: 南京" if key == "city" else f"write the {key} as text")
                return ""
            return str(value)
        if not isinstance(value, str):
            self.report(path, f"'{key}' must be text, not {_kind(value)}", _line(data, key), "write it as one line of text")
            return ""
        return value

    def texts(self, data: dict, key: str, path: Path) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.report(path, f"'{key}' must be a list of text", _line(data, key), "write one '- item' per line")
            return ()
        return tuple(str(v) for v in value)

    def date(self, data: dict, key: str, path: Path, required: bool = True) -> dt.date | None:
        value = data.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
        if value is not None or required:
            self.report(path, f"'{key}' must be a date like 2026-01-04, not {value!r}", _line(data, key),
                        "write the date as YYYY-MM-DD")
        return None


def _context_key(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _stat(path: Path | os.DirEntry) -> FileId | None:
    try:
        return file_id(path.stat())
    except OSError:
        return None


def _stem(path: Path | str) -> str:
    """Path(path).stem, without making a Path."""
    name = os.path.basename(path)
    return name.rpartition(".")[0] or name


def _line(data, key) -> int | None:
    lines = getattr(data, "lines", None)
    return lines.get(key) if lines else getattr(data, "line", None)


def _kind(value) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), type(value).__name__)


def read_site(root: Path, warnings: list[Problem] | None = None, cache: ReadCache | None = None,
              workers: int = 1, meanwhile=None) -> Site:
    """The whole content folder as a validated Site, or DigestError with every error.

    Warnings (a missing summary or image credit) go to `warnings` when given.
    With a `cache` from the last read, files whose size, time and inode are
    unchanged are not parsed again.  With no cache and `workers` > 1, digest
    folders are read on a process pool, and `meanwhile()` runs here while
    the workers read (else once the folders are read).
    """
    root = Path(root)
    if not root.is_dir():
        raise DigestError(Problem(display_path(root), "content folder not found",
                                  hint="run from the project folder or pass --content DIR"))
    reader = _Reader(root, cache)
    settings = read_settings(root, reader)
    themes = read_themes(root, reader)
    folders = [p for p in sorted(root.iterdir())
               if not p.name.startswith(".") and p.is_dir() and (p / DIGEST_FILE).exists()
               and _safe_child(root, p, reader)]
    themes = themes + _declared_themes(folders, themes, reader)
    names = [t.name for t in themes]
    digests, entries = [], []
    for digest, found in _read_folders(folders, names, reader, workers if not reader.cache.previous else 1,
                                       meanwhile):
        if digest is not None:
            digests.append(digest)
            entries.extend(found)
    pages = _read_pages(root, reader)
    errors = [p for p in reader.problems if not p.warning]
    if warnings is not None:
        warnings.extend(p for p in reader.problems if p.warning)
    if errors:
        raise DigestError(errors)
    digests.sort(key=lambda d: (d.date, d.id), reverse=True)
    entries.sort(key=lambda e: (e.digest_id, e.slug))
    return Site(settings, tuple(themes), tuple(digests), tuple(entries), tuple(pages), reader.versions)


PARALLEL_MIN_FOLDERS = 32


def _declared_themes(folders: list[Path], themes: list[Theme], reader: _Reader) -> list[Theme]:
    """Themes digests brought with them (headings no theme matched), in folder order.

    Known before any entry is checked, so every entry is checked against the
    same, site-wide list.  Only digest files with a `themes:` key are parsed here.
    """
    added: list[Theme] = []
    for folder in folders:
        path = folder / DIGEST_FILE
        items = reader.cached(f"{reader.shown(path)}#themes", "", lambda: _theme_items(path, reader), reader.stat_of(path))
        if items:
            added += _themes_from(items, path, reader, themes + added)
    return added


def _theme_items(path: Path, reader: _Reader) -> list | None:
    """The raw `themes:` list of a digest file, if it has one (a broken file is reported when read again)."""
    try:
        if not _declares_themes(path.read_bytes()):
            return None
    except OSError:
        return None
    data, _ = yamlio.load_file(path, reader.shown(path))
    items = data.get("themes") if isinstance(data, dict) else None
    return items if isinstance(items, list) else None


def _declares_themes(data: bytes) -> bool:
    """Whether a line starts with `themes:` (a byte search: a multi-line regex over every digest's
    full text took a tenth of a second at 10,000 entries)."""
    return data.startswith(b"themes:") or b"\nthemes:" in data


def _read_folders(folders: list[Path], names: list[str], reader: _Reader, workers: int, meanwhile):
    """(digest, entries) of each folder in order: here, or on `workers` forked processes for a big first read."""
    if workers < 2 or len(folders) < PARALLEL_MIN_FOLDERS:
        for folder in folders:
            yield _read_folder(folder, names, reader)
        if meanwhile:
            meanwhile()
        return
    global _FOLDER_WORK
    _FOLDER_WORK = (reader.root, reader.root_shown, names, reader.cache.stats)
    try:
        with forked(workers) as pool:
            results = pool.map(_read_folder_in_worker, folders, chunksize=8)
            if meanwhile:
                meanwhile()
            for folder, (packed, taken) in zip(folders, results):
                reader.cache.taken.update(taken)
                current, result, problems, versions = pickle.loads(packed)
                reader.problems.extend(problems)
                reader.cache.current.update(current)
                reader.cache.parsed.update(current)
                if reader.cache.packed is not None:
                    reader.cache.packed.add(reader.shown(folder), packed, frozenset(current))
                reader.versions.update(versions)
                yield result
    finally:
        _FOLDER_WORK = ()


_FOLDER_WORK: tuple = ()
"""The content root, theme names and stats already taken that pool workers read with (inherited by the fork)."""


def _read_folder_in_worker(folder: Path) -> tuple[bytes, dict[str, FileId]]:
    """The folder read, pickled as the content cache stores it (the parent saves it without pickling
    again), and the stats taken to read it."""
    root, root_shown, names, stats = _FOLDER_WORK
    reader = _Reader(root, ReadCache(stats=stats), root_shown)  # the stats the parent took: no file is stat'ed twice
    result = _read_folder(folder, names, reader)
    return pack_folder(reader.cache.current, result, reader.problems, reader.versions), reader.cache.taken


def _read_folder(folder: Path, names: list[str], reader: _Reader) -> tuple[Digest | None, list[Entry]]:
    """One digest folder: the digest and its entries."""
    digest = reader.cached(folder / DIGEST_FILE, _context_key(names), lambda: _read_digest_file(folder, names, reader))
    return (digest, _read_entries(folder, digest, names, reader)) if digest is not None else (None, [])


def problems_in(root: Path) -> list[Problem]:
    """Every problem (warnings included) without raising: for `digest check`."""
    warnings: list[Problem] = []
    try:
        read_site(root, warnings)
    except DigestError as exc:
        return exc.problems + warnings
    return warnings


def _safe_child(root: Path, path: Path, reader: _Reader) -> bool:
    """Refuse symlinks that leave the content folder (plain files and folders are inside by construction)."""
    if not path.is_symlink():
        return True
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        reader.report(path, "links outside the content folder", hint="replace the link with a real folder or file")
        return False
    return True


def read_settings(root: Path, reader: _Reader) -> Settings:
    path = root / "site.yaml"
    if not path.exists():
        return Settings()
    data = reader.mapping(reader.load(path), path, "site.yaml")
    if data is None:
        return Settings()
    reader.unknown_keys(data, SETTINGS_KEYS, path)
    per_page = data.get("per_page", 20)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 1000:
        reader.report(path, f"'per_page' must be a whole number from 1 to 1000, not {per_page!r}",
                      _line(data, "per_page"), "for example: per_page: 20")
        per_page = 20
    base_url = reader.text(data, "base_url", path)
    if base_url and not re.match(r"^https?://[^\s\"'<>]+$", base_url):
        reader.report(path, f"'base_url' must start with http:// or https://, not {base_url!r}",
                      _line(data, "base_url"), "for example: base_url: https://news.example.org/digest/")
        base_url = ""
    return Settings(
        title=reader.text(data, "title", path) or "digest",
        description=reader.text(data, "description", path),
        base_url=base_url.rstrip("/") + "/" if base_url else "",
        per_page=per_page,
        templates=reader.text(data, "templates", path),
        language=reader.text(data, "language", path) or "zh-CN",
    )


def read_themes(root: Path, reader: _Reader) -> list[Theme]:
    path = root / "themes.yaml"
    if not path.exists():
        reader.report(path, "themes.yaml is missing", hint="create it with the themes 科创, 产业, 民生 (see README)")
        return []
    data = reader.load(path)
    items = data.get("themes") if isinstance(data, dict) else data
    if not isinstance(items, list):
        reader.report(path, "themes.yaml must hold a list of themes under 'themes:'", 1,
                      "write '- name: 科创' items under 'themes:'")
        return []
    return _themes_from(items, path, reader, [])


def _themes_from(items: list, path: Path, reader: _Reader, known: list[Theme]) -> list[Theme]:
    themes: list[Theme] = []
    for item in items:
        if not isinstance(item, dict):
            reader.report(path, "each theme must be a mapping with 'name' and 'slug'", None, "see README")
            continue
        reader.unknown_keys(item, THEME_KEYS, path)
        name = reader.text(item, "name", path, required=True)
        slug = reader.text(item, "slug", path, required=True)
        if slug and not SAFE_SLUG.match(slug):
            reader.report(path, f"theme slug '{slug}' is not a safe URL segment", _line(item, "slug"),
                          "use lowercase letters, digits and '-', e.g. kechuang")
            continue
        if any(t.name == name or t.slug == slug for t in known + themes):
            if any(t.name == name and t.slug == slug for t in known):
                continue  # the same theme declared again by another digest
            reader.report(path, f"theme '{name}' ({slug}) is defined twice", _line(item, "name"),
                          "give each theme a unique name and slug")
            continue
        color = reader.text(item, "color", path) or DEFAULT_THEME_COLOR
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            reader.report(path, f"theme colour '{color}' is not a #rrggbb colour", _line(item, "color"),
                          "for example: color: '#c0392b'")
            color = DEFAULT_THEME_COLOR
        if name and slug:
            themes.append(Theme(name, slug, reader.text(item, "description", path),
                                reader.texts(item, "keywords", path), color))
    return themes


def load_themes(root: Path) -> list[Theme]:
    """The themes of content/themes.yaml, problems aside (build and check report those)."""
    path = Path(root) / "themes.yaml"
    return read_themes(Path(root), _Reader(Path(root))) if path.exists() else []


def _read_digest_file(folder: Path, names: list[str], reader: _Reader) -> Digest | None:
    """The digest of a folder (None when unusable); its section themes checked against `names`."""
    path = folder / DIGEST_FILE
    data = reader.mapping(reader.load(path), path, "a digest file")
    if data is None:
        return None
    digest = _read_digest(folder, data, reader)
    if digest is not None:
        _check_section_themes(digest, names, reader)
    return digest


def _read_digest(folder: Path, data: dict, reader: _Reader) -> Digest | None:
    path = folder / DIGEST_FILE
    reader.unknown_keys(data, DIGEST_KEYS, path)
    digest_id = reader.text(data, "id", path) or folder.name
    if digest_id != folder.name:
        reader.report(path, f"id '{digest_id}' differs from its folder name '{folder.name}'", _line(data, "id"),
                      f"set id: {folder.name} or rename the folder")
    if not SAFE_ID.match(folder.name) or folder.name.lower() in RESERVED:
        reader.report(path, f"folder name '{folder.name}' is not a safe digest id", None,
                      "use letters, digits and '-', e.g. 2026-01-04-jiangsu")
        return None
    paragraphs = reader.texts(data, "paragraphs", path)
    sections = []
    for item in data.get("sections") or []:
        if not isinstance(item, dict):
            reader.report(path, "each section must be a mapping (heading, theme, first)", _line(data, "sections"))
            continue
        first = item.get("first", 0)
        if not isinstance(first, int) or not 0 <= first <= len(paragraphs):
            reader.report(path, f"section 'first' must be a paragraph number from 1 to {len(paragraphs)}",
                          _line(item, "first"), "count paragraphs from 1")
            first = 0
        sections.append(Section(reader.text(item, "heading", path), reader.text(item, "theme", path), first,
                                reader.text(item, "intro", path)))
    date = reader.date(data, "date", path)
    return Digest(
        id=folder.name,
        title=reader.text(data, "title", path, required=True),
        date=date or dt.date(1970, 1, 1),
        date_source=reader.text(data, "date_source", path),
        url=reader.text(data, "url", path),
        region=reader.text(data, "region", path),
        province=reader.text(data, "province", path),
        published=reader.text(data, "published", path),
        outlet=reader.text(data, "outlet", path),
        author=reader.text(data, "author", path),
        editors=reader.texts(data, "editors", path),
        sources=reader.texts(data, "sources", path),
        intro=reader.text(data, "intro", path),
        closing=reader.text(data, "closing", path),
        sections=tuple(sections),
        paragraphs=paragraphs,
        source_file=reader.text(data, "source_file", path),
        path=reader.shown(path),
    )


def _read_entries(folder: Path, digest: Digest, theme_names: list[str], reader: _Reader) -> list[Entry]:
    entries = []
    files = sorted((e for e in os.scandir(folder) if e.name.endswith(".yaml") and e.name != DIGEST_FILE),
                   key=lambda e: e.name)
    context = _context_key(theme_names, digest.id, digest.date, len(digest.paragraphs))
    shown_folder = reader.shown(folder)
    for found in files:
        if found.is_symlink() and not _safe_child(reader.root, folder / found.name, reader):
            continue
        entry = reader.cached(f"{shown_folder}/{found.name}", context,
                              lambda: _read_entry_file(found.path, digest, theme_names, reader),
                              reader.stat_of(found))
        if entry:
            entries.append(entry)
    return entries


def _read_entry_file(path: Path | str, digest: Digest, theme_names: list[str], reader: _Reader) -> Entry | None:
    data = reader.mapping(reader.load(path), path, "an entry file")
    return None if data is None else _entry_from(data, path, digest, theme_names, reader)


def _entry_from(data: dict, path: Path | str, digest: Digest, theme_names: list[str],
                reader: _Reader) -> Entry | None:
    if not _ENTRY_KEY_SET.issuperset(data):
        reader.unknown_keys(data, ENTRY_KEYS, path)
    before = len(reader.problems)
    values = {}
    for key in ENTRY_TEXT_KEYS:
        value = data.get(key)
        # Text, the usual value, as it is; anything else is checked and reported by reader.text.
        values[key] = value if type(value) is str and value else \
            reader.text(data, key, path, required=key in REQUIRED_ENTRY_KEYS, names=key in NAME_KEYS)
    slug = values["slug"]
    if slug and (not SAFE_SLUG.match(slug) or slug in RESERVED):
        reader.report(path, f"slug '{slug}' is not a safe URL segment", _line(data, "slug"),
                      "use lowercase letters, digits and '-', e.g. nanjing")
    elif slug and slug != (stem := _stem(path)):
        reader.report(path, f"slug '{slug}' differs from the file name '{stem}'", _line(data, "slug"),
                      f"set slug: {stem} or rename the file to {slug}.yaml")
    if values["theme"] and values["theme"] not in theme_names:
        reader.report(path, f"theme '{values['theme']}' is not defined", _line(data, "theme"),
                      f"use one of {', '.join(theme_names)} or add it to themes.yaml")
    date = reader.date(data, "date", path, required=False) or digest.date
    people = _people(data, path, reader)
    figures = _figures(data, path, reader)
    source = _source(data, path, digest, reader)
    if len([p for p in reader.problems[before:] if not p.warning]):
        return None
    if not values["summary"]:
        reader.report(path, "entry has no summary", _line(data, "city"), "add a 'summary:' line", warning=True)
    if not values["image_credit"]:
        reader.report(path, "entry has no image credit", _line(data, "city"), "add 'image_credit:'", warning=True)
    return Entry(
        city=values["city"], slug=slug, code=values["code"], province=values["province"], parent=values["parent"],
        theme=values["theme"],
        date=date, headline=values["headline"], summary=values["summary"], body=values["body"],
        people=people, figures=figures, events=reader.texts(data, "events", path),
        image_credit=values["image_credit"], source=source, path=reader.shown(path),
    )


def _people(data: dict, path: Path, reader: _Reader) -> tuple[Person, ...]:
    items = data.get("people") or []
    if not isinstance(items, list):
        reader.report(path, "'people' must be a list of {name, title}", _line(data, "people"),
                      "write '- {name: 王剑锋, title: 市委书记}'")
        return ()
    people = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            reader.report(path, "each person needs a 'name' (and a 'title')", _line(data, "people"),
                          "write '- {name: 王剑锋, title: 市委书记}'")
            continue
        people.append(Person(item["name"], str(item.get("title") or "")))
    return tuple(people)


def _figures(data: dict, path: Path, reader: _Reader) -> tuple[Figure, ...]:
    items = data.get("figures") or []
    if not isinstance(items, list):
        reader.report(path, "'figures' must be a list of {value, unit, text}", _line(data, "figures"),
                      "write '- {value: 13800, unit: PFLOPS, text: …}'")
        return ()
    figures = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            reader.report(path, f"a figure's 'value' must be a number, not {value!r}", _line(data, "figures"),
                          "write the number alone, e.g. value: 2.7, unit: 万亿元")
            continue
        figures.append(Figure(value=value, unit=str(item.get("unit") or ""), label=str(item.get("label") or ""),
                              text=str(item.get("text") or "")))
    return tuple(figures)


def _source(data: dict, path: Path, digest: Digest, reader: _Reader) -> SourceRef:
    raw = data.get("source")
    if raw is None:
        return SourceRef(digest.id, ())
    if not isinstance(raw, dict):
        reader.report(path, "'source' must be a mapping {digest, paragraphs, quote}", _line(data, "source"))
        return SourceRef(digest.id, ())
    paragraphs = raw.get("paragraphs") or []
    if not isinstance(paragraphs, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in paragraphs):
        reader.report(path, "'source.paragraphs' must be a list of paragraph numbers", _line(raw, "paragraphs"),
                      "for example: paragraphs: [3, 4]")
        paragraphs = []
    bad = [n for n in paragraphs if not 1 <= n <= len(digest.paragraphs)]
    if bad:
        reader.report(path, f"source paragraph {bad[0]} does not exist in {digest.id} "
                            f"(it has {len(digest.paragraphs)})", _line(raw, "paragraphs"),
                      "point at a paragraph number of digest.yaml's 'paragraphs'")
    named = raw.get("digest", digest.id)
    if named != digest.id:
        reader.report(path, f"source digest '{named}' is not this folder's digest '{digest.id}'",
                      _line(raw, "digest"), f"set digest: {digest.id}")
    return SourceRef(digest.id, tuple(n for n in paragraphs if n not in bad), str(raw.get("quote") or ""))


def _check_section_themes(digest: Digest, theme_names: list[str], reader: _Reader) -> None:
    for section in digest.sections:
        if section.theme and section.theme not in theme_names:
            reader.problems.append(Problem(digest.path, f"section theme '{section.theme}' is not defined", None,
                                           "use a theme of themes.yaml or add it there"))


def _read_pages(root: Path, reader: _Reader) -> list[Page]:
    folder = root / "pages"
    pages = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        slug = path.stem
        if not SAFE_SLUG.match(slug):
            reader.report(path, f"page name '{slug}' is not a safe URL segment", None,
                          "rename it with lowercase letters, digits and '-'")
            continue
        text = path.read_text(encoding="utf-8")
        title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), slug)
        pages.append(Page(slug, title, text, reader.shown(path)))
    return pages
