"""`digest new`: start an entry file for a place, filled from the gazetteer."""

from __future__ import annotations

from pathlib import Path

from . import content, gazetteer, schema, yamlio
from .errors import DigestError, Problem, display_path
from .model import Entry
from .files import write_atomic

HEADER = """\
# A new entry for {city}, started by `digest new`. Fill in the empty fields, then
# run `python build.py check`. Each line says what its key holds; body is Markdown.
"""
PLACEHOLDER_BODY = "正文写在这里。"
"""The body a new entry starts with; `check` refuses it, so it is never published by mistake."""


def _scaffold(place, province: str, theme: str, date: str, digest: str) -> str:
    values = {"city": place.display, "slug": place.slug, "code": f"'{place.code}'", "province": province,
              "theme": theme, "date": f"'{date}'" if date else "''", "body": f"'{PLACEHOLDER_BODY}'",
              "source": f"{{digest: {digest}, paragraphs: []}}"}
    return HEADER.format(city=place.display) + schema.scaffold(Entry, values)


def new_entry(content_dir: Path, city: str, theme: str, digest_id: str = "") -> Path:
    gz = gazetteer.load()
    places = gz.lookup(city)
    if not places:
        suggestions = "、".join(gz.suggest(city)) or "check the spelling"
        raise DigestError(Problem(city, "not a city or district in the gazetteer", hint=f"did you mean {suggestions}?"))
    place = places[0] if places[0].level == "prefecture" else gz.prefecture_of(places[0]) \
        if city in (gz.prefecture_of(places[0]).short, gz.prefecture_of(places[0]).name) else places[0]
    themes = content.load_themes(content_dir)
    if theme not in {t.name for t in themes}:
        raise DigestError(Problem(display_path(content_dir / "themes.yaml"), f"theme '{theme}' is not defined",
                                  hint=f"use one of {', '.join(t.name for t in themes)}"))
    folder = _digest_folder(content_dir, digest_id)
    path = folder / f"{place.slug}.yaml"
    if path.exists():
        raise DigestError(Problem(display_path(path), "an entry for this place already exists",
                                  hint="edit that file instead"))
    digest, _ = yamlio.load_file(folder / content.DIGEST_FILE, display_path(folder / content.DIGEST_FILE))
    digest = digest if isinstance(digest, dict) else {}
    write_atomic(path, _scaffold(place, gz.province_of(place).name, theme, str(digest.get("date", "")), folder.name))
    return path


def _digest_folder(content_dir: Path, digest_id: str) -> Path:
    folders = sorted(p.parent for p in content_dir.glob(f"*/{content.DIGEST_FILE}"))
    if digest_id:
        folder = content_dir / digest_id
        if folder not in folders:
            raise DigestError(Problem(display_path(folder), "no such digest",
                                      hint="use an existing digest id or ingest the article first"))
        return folder
    if not folders:
        raise DigestError(Problem(display_path(content_dir), "no digest to add the entry to",
                                  hint="ingest a round-up first or pass --digest"))
    return max(folders, key=lambda f: f.name)
