"""One content file's YAML → one model record, checked key by key.

settings (site.yaml), themes (themes.yaml and a digest's `themes:`), a digest
(<id>/digest.yaml), an entry (<id>/<slug>.yaml) and a Markdown page
(pages/<slug>.md).  Which keys a file may have, and which it must, come from
the schema (model.py's declarations); the rules here are what each value must
be.  Problems go to the Reader; a record with errors is None.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path

from .. import markup, schema, yamlio
from ..model import Digest, Entry, Figure, Page, Person, Section, Settings, SourceRef, Theme
from .reader import UNREADABLE, Reader, line_of

DIGEST_FILE = "digest.yaml"
ENTRY_KEYS = schema.ENTRY_KEYS
_ENTRY_KEY_SET = frozenset(ENTRY_KEYS)
ENTRY_TEXT_KEYS = tuple(k.name for k in schema.keys(Entry) if k.kind == "text")
REQUIRED_ENTRY_KEYS = schema.required(Entry)
NAME_KEYS = tuple(k.name for k in schema.keys(Entry) if k.is_name)
DEFAULT_THEME_COLOR = Theme.__dataclass_fields__["color"].default
PLACEHOLDER_BODY = "正文写在这里。"
"""The body `digest new` starts an entry with: an entry that still holds it is refused, so it is never
published by mistake."""
MAX_FIGURE = 10**15
"""Figures beyond this are surely typing mistakes (and past what a page can show in full)."""


def settings(path: Path, reader: Reader) -> Settings:
    if not path.exists():
        return Settings()
    data = reader.mapping(reader.load(path), path, "site.yaml")
    if data is None:
        return Settings()
    reader.unknown_keys(data, schema.SETTINGS_KEYS, path)
    per_page = data.get("per_page", 20)
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= 1000:
        reader.report(path, f"'per_page' must be a whole number from 1 to 1000, not {per_page!r}",
                      line_of(data, "per_page"), "for example: per_page: 20")
        per_page = 20
    base_url = reader.text(data, "base_url", path)
    if base_url and not re.match(r"^https?://[^\s\"'<>]+$", base_url):
        reader.report(path, f"'base_url' must start with http:// or https://, not {base_url!r}",
                      line_of(data, "base_url"), "for example: base_url: https://news.example.org/digest/")
        base_url = ""
    language = reader.text(data, "language", path) or "zh-CN"
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", language):
        reader.report(path, f"'language' must be a language tag like zh-CN, not {language!r}",
                      line_of(data, "language"), "for example: language: zh-CN")
        language = "zh-CN"
    return Settings(title=reader.text(data, "title", path) or "digest",
                    description=reader.text(data, "description", path),
                    base_url=base_url.rstrip("/") + "/" if base_url else "", per_page=per_page,
                    templates=reader.text(data, "templates", path), language=language)


def themes_file(path: Path, reader: Reader) -> list[Theme] | None:
    """The site's themes; None when the file is missing or no YAML (reported): the themes are then
    unknown, and no entry is told its theme is not defined."""
    if not path.exists():
        reader.report(path, "themes.yaml is missing", hint="create it with the themes 科创, 产业, 民生 (see README)")
        return None
    data = reader.load(path)
    if data is UNREADABLE:
        return None
    items = data.get("themes") if isinstance(data, dict) else data
    if not isinstance(items, list):
        reader.report(path, "themes.yaml must hold a list of themes under 'themes:'", 1,
                      "write '- name: 科创' items under 'themes:'")
        return []
    return themes(items, path, reader, [])


def themes(items: list, path: Path | str, reader: Reader, known: list[Theme]) -> list[Theme]:
    """The themes of a `themes:` list, checked against each other and those `known` already."""
    found: list[Theme] = []
    for item in items:
        if not isinstance(item, dict):
            reader.report(path, "each theme must be a mapping with 'name' and 'slug'", None, "see README")
            continue
        reader.unknown_keys(item, schema.THEME_KEYS, path)
        name = reader.text(item, "name", path, required=True)
        slug = reader.text(item, "slug", path, required=True)
        if slug and schema.slug_problem(slug):
            reader.report(path, f"theme slug {schema.slug_problem(slug)}", line_of(item, "slug"), "e.g. kechuang")
            continue
        if any(t.name == name or t.slug == slug for t in known + found):
            if any(t.name == name and t.slug == slug for t in known):
                continue  # the same theme declared again by another digest
            reader.report(path, f"theme '{name}' ({slug}) is defined twice", line_of(item, "name"),
                          "give each theme a unique name and slug")
            continue
        color = reader.text(item, "color", path) or DEFAULT_THEME_COLOR
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            reader.report(path, f"theme colour '{color}' is not a #rrggbb colour", line_of(item, "color"),
                          "for example: color: '#c0392b'")
            color = DEFAULT_THEME_COLOR
        if name and slug:
            found.append(Theme(name, slug, reader.text(item, "description", path),
                               reader.texts(item, "keywords", path), color))
    return found


def declared_theme_items(path: Path, reader: Reader) -> list | None:
    """The raw `themes:` list of a digest file, if it has one (a broken file is reported when read
    for the digest).  A byte search finds the key before any YAML is parsed: few digests have it."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if not (data.startswith(b"themes:") or b"\nthemes:" in data):
        return None
    loaded, _ = yamlio.load_file(path, reader.shown(path))
    items = loaded.get("themes") if isinstance(loaded, dict) else None
    return items if isinstance(items, list) else None


def digest_file(folder: Path, theme_names: list[str] | None, reader: Reader) -> Digest | None:
    """The digest of a folder (None when unusable); its section themes checked against `theme_names`
    (None: the themes are unknown, themes.yaml being broken)."""
    path = folder / DIGEST_FILE
    if not reader.inside(path):
        return None
    data = reader.mapping(reader.load(path), path, "a digest file")
    if data is None:
        return None
    reader.unknown_keys(data, schema.DIGEST_KEYS, path)
    digest_id = reader.text(data, "id", path) or folder.name
    if digest_id != folder.name:
        reader.report(path, f"id '{digest_id}' differs from its folder name '{folder.name}'", line_of(data, "id"),
                      f"set id: {folder.name} or rename the folder")
    if schema.id_problem(folder.name):
        reader.report(path, f"folder name {schema.id_problem(folder.name)}", None,
                      "rename the folder, e.g. 2026-01-04-jiangsu")
        return None
    paragraphs = reader.texts(data, "paragraphs", path)
    digest = Digest(
        id=folder.name, title=reader.text(data, "title", path, required=True),
        date=reader.date(data, "date", path) or dt.date(1970, 1, 1),
        date_source=reader.text(data, "date_source", path), url=reader.text(data, "url", path),
        region=reader.text(data, "region", path), province=reader.text(data, "province", path),
        published=reader.text(data, "published", path), outlet=reader.text(data, "outlet", path),
        author=reader.text(data, "author", path), editors=reader.texts(data, "editors", path),
        sources=reader.texts(data, "sources", path), intro=reader.text(data, "intro", path),
        closing=reader.text(data, "closing", path), sections=_sections(data, path, len(paragraphs), reader),
        paragraphs=paragraphs, source_file=reader.text(data, "source_file", path), path=reader.shown(path))
    for section in digest.sections:
        if section.theme and theme_names is not None and section.theme not in theme_names:
            reader.report(path, f"section theme '{section.theme}' is not defined", None,
                          "use a theme of themes.yaml or add it there")
    return digest


def _sections(data: dict, path: Path, paragraphs: int, reader: Reader) -> tuple[Section, ...]:
    sections = []
    for item in data.get("sections") or []:
        if not isinstance(item, dict):
            reader.report(path, "each section must be a mapping (heading, theme, first)", line_of(data, "sections"))
            continue
        first = item.get("first", 0)
        if not isinstance(first, int) or not 0 <= first <= paragraphs:
            reader.report(path, f"section 'first' must be a paragraph number from 1 to {paragraphs}",
                          line_of(item, "first"), "count paragraphs from 1")
            first = 0
        sections.append(Section(reader.text(item, "heading", path), reader.text(item, "theme", path), first,
                                reader.text(item, "intro", path)))
    return tuple(sections)


def entry_file(path: str, digest: Digest, theme_names: list[str] | None, reader: Reader) -> Entry | None:
    data = reader.mapping(reader.load(path), path, "an entry file")
    return None if data is None else entry(data, path, digest, theme_names, reader)


def entry(data: dict, path: str, digest: Digest, theme_names: list[str] | None, reader: Reader) -> Entry | None:
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
    if slug and schema.slug_problem(slug):
        reader.report(path, f"slug {schema.slug_problem(slug)}", line_of(data, "slug"), "e.g. nanjing")
    elif slug and slug != (stem := _stem(path)):
        reader.report(path, f"slug '{slug}' differs from the file name '{stem}'", line_of(data, "slug"),
                      f"set slug: {stem} or rename the file to {slug}.yaml")
    if values["theme"] and theme_names is not None and values["theme"] not in theme_names:
        reader.report(path, f"theme '{values['theme']}' is not defined", line_of(data, "theme"),
                      f"use one of {', '.join(theme_names)} or add it to themes.yaml")
    if values["body"] and (trouble := markup.problem(values["body"])):
        reader.report(path, f"'body' has {trouble}", line_of(data, "body"), "simplify the text")
    elif PLACEHOLDER_BODY in values["body"]:
        reader.report(path, f"'body' still holds the placeholder '{PLACEHOLDER_BODY}'", line_of(data, "body"),
                      "write the place's news in its place")
    date = reader.date(data, "date", path, required=False) or digest.date
    people, figures = _people(data, path, reader), _figures(data, path, reader)
    source = _source(data, path, digest, reader)
    events = reader.texts(data, "events", path)
    if any(not p.warning for p in reader.problems[before:]):
        return None
    if not values["summary"]:
        reader.report(path, "entry has no summary", line_of(data, "city"), "add a 'summary:' line", warning=True)
    return Entry(city=values["city"], slug=slug, code=values["code"], province=values["province"],
                 parent=values["parent"], theme=values["theme"], date=date, headline=values["headline"],
                 summary=values["summary"], body=values["body"], people=people, figures=figures, events=events,
                 image_credit=values["image_credit"], source=source, path=reader.shown(path))


def _people(data: dict, path: str, reader: Reader) -> tuple[Person, ...]:
    items = data.get("people") or []
    example = "write '- {name: 王剑锋, title: 市委书记}'"
    if not isinstance(items, list):
        reader.report(path, "'people' must be a list of {name, title}", line_of(data, "people"), example)
        return ()
    people = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            reader.report(path, "each person needs a 'name' (and a 'title')", line_of(data, "people"), example)
            continue
        people.append(Person(item["name"], str(item.get("title") or "")))
    return tuple(people)


def _figures(data: dict, path: str, reader: Reader) -> tuple[Figure, ...]:
    items = data.get("figures") or []
    if not isinstance(items, list):
        reader.report(path, "'figures' must be a list of {value, unit, label, text}", line_of(data, "figures"),
                      "write '- {value: 13800, unit: PFLOPS, label: 总算力}'")
        return ()
    figures = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            reader.report(path, f"a figure's 'value' must be a number, not {value!r}", line_of(data, "figures"),
                          "write the number alone, e.g. value: 2.7, unit: 万亿元")
            continue
        if abs(value) >= MAX_FIGURE or not math.isfinite(value):
            reader.report(path, "a figure's 'value' must be a finite number below 10^15", line_of(item, "value"),
                          "write the number in a larger unit (亿, 万亿)")
            continue
        figures.append(Figure(value=value, unit=str(item.get("unit") or ""), label=str(item.get("label") or ""),
                              text=str(item.get("text") or "")))
    return tuple(figures)


def _source(data: dict, path: str, digest: Digest, reader: Reader) -> SourceRef:
    raw = data.get("source")
    if raw is None:
        return SourceRef(digest.id, ())
    if not isinstance(raw, dict):
        reader.report(path, "'source' must be a mapping {digest, paragraphs, quote}", line_of(data, "source"))
        return SourceRef(digest.id, ())
    paragraphs = raw.get("paragraphs") or []
    if not isinstance(paragraphs, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in paragraphs):
        reader.report(path, "'source.paragraphs' must be a list of paragraph numbers", line_of(raw, "paragraphs"),
                      "for example: paragraphs: [3, 4]")
        paragraphs = []
    bad = [n for n in paragraphs if not 1 <= n <= len(digest.paragraphs)]
    if bad:
        reader.report(path, f"source paragraph {bad[0]} does not exist in {digest.id} "
                            f"(it has {len(digest.paragraphs)})", line_of(raw, "paragraphs"),
                      "point at a paragraph number of digest.yaml's 'paragraphs'")
    named = raw.get("digest", digest.id)
    if named != digest.id:
        reader.report(path, f"source digest '{named}' is not this folder's digest '{digest.id}'",
                      line_of(raw, "digest"), f"set digest: {digest.id}")
    quote = str(raw.get("quote") or "")
    return SourceRef(digest.id, tuple(n for n in paragraphs if n not in bad), quote)


def page(path: Path, reader: Reader) -> Page | None:
    """A Markdown page; its title (the page's <h1>) is its first '# ' heading, or its name."""
    slug = path.stem
    if schema.slug_problem(slug):
        reader.report(path, f"page name {schema.slug_problem(slug)}", None, "rename the file")
        return None
    if not reader.inside(path):
        return None
    try:
        size = path.stat().st_size
        if size > yamlio.MAX_BYTES:
            reader.report(path, f"file is {size // 1024} KiB, over the {yamlio.MAX_BYTES // 1024} KiB limit",
                          hint="split it into smaller pages")
            return None
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        reader.report(path, f"not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8")
        return None
    except OSError as exc:
        reader.report(path, f"cannot read the file: {exc.strerror}")
        return None
    if forbidden := schema.XML_FORBIDDEN.search(text):
        reader.report(path, f"the page {schema.text_problem(text)}", text.count("\n", 0, forbidden.start()) + 1,
                      "remove it (pages cannot carry it)")
        return None
    if trouble := markup.problem(text):
        reader.report(path, f"the page has {trouble}", hint="simplify the text")
        return None
    title, body = page_title(text)
    return Page(slug, title or slug, body, reader.shown(path))


def page_title(text: str) -> tuple[str, str]:
    """(the page's first '# ' heading, the text without it): the title is the page's one <h1>, so its own
    heading is not shown twice; a later '# ' heading becomes '## ', a heading still (the sanitiser lets
    no <h1> through).  Lines inside ``` or ~~~ fences are text, never headings."""
    title, lines, fence = "", [], ""
    for line in text.split("\n"):
        mark = line.lstrip()[:3]
        if mark in ("```", "~~~") and (not fence or mark == fence):
            fence = "" if fence else mark
        elif not fence and line.startswith("# "):
            if not title:
                title = line[2:].strip().rstrip("#").strip()
                continue
            line = "#" + line
        lines.append(line)
    return title, "\n".join(lines).lstrip("\n")


def _stem(path: str) -> str:
    """Path(path).stem, without making a Path."""
    name = os.path.basename(path)
    return name.rpartition(".")[0] or name
