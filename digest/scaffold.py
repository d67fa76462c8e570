"""`digest new`: start an entry file for a place, filled from the gazetteer and its digest.

The entry goes into a digest of the place's province: the only one there is,
or the one `--digest` names when there are several; never into another
province's digest (a digest of several provinces, with no `province:`, takes
any place, but only when named).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import content, gazetteer, schema, yamlio
from .errors import DigestError, Problem, display_path
from .files import write_atomic
from .model import Entry, Place

HEADER = """\
# A new entry for {city}, started by `digest new`. Fill in the empty fields, then
# run `python build.py check`. Each line says what its key holds; body is Markdown.
"""
PLACEHOLDER_BODY = content.PLACEHOLDER_BODY
"""The body a new entry starts with; `check` and `build` refuse it, so it is never published by mistake."""


@dataclass(frozen=True)
class DigestFolder:
    """A digest an entry may go into: its folder, province ('' when it spans several) and date."""

    folder: Path
    province: str
    date: str


def new_entry(content_dir: Path, city: str, theme: str, digest_id: str = "") -> Path:
    """Write the new entry's file and return its path; DigestError says why not, and what to do."""
    gz = gazetteer.load()
    _check_theme(content_dir, theme)
    digests = _digests(content_dir)
    named = _named_digest(content_dir, digests, digest_id) if digest_id else None
    place = _place(gz, city, [named.province] if named else [d.province for d in digests])
    province = gz.province_of(place).name
    digest = named or _digest_of(province, digests, content_dir)
    if digest.province and digest.province != province:
        raise DigestError(Problem(display_path(digest.folder), f"a digest of {digest.province}, and "
                                  f"{place.display} is in {province}",
                                  hint=f"pass --digest with a digest of {province} or of several provinces"))
    path = digest.folder / f"{place.slug}.yaml"
    if path.exists():
        raise DigestError(Problem(display_path(path), "an entry for this place already exists",
                                  hint="edit that file instead"))
    write_atomic(path, _scaffold(place, gz, province, theme, digest))
    return path


def _scaffold(place: Place, gz: gazetteer.Gazetteer, province: str, theme: str, digest: DigestFolder) -> str:
    prefecture = gz.prefecture_of(place)
    parent = prefecture.display if place.level in ("county", "zone") and prefecture != place else ""
    values = {"city": place.display, "slug": place.slug, "code": f"'{place.code}'", "province": province,
              "parent": parent or "''", "theme": theme, "date": f"'{digest.date}'" if digest.date else "''",
              "body": f"'{PLACEHOLDER_BODY}'", "source": f"{{digest: {digest.folder.name}, paragraphs: []}}"}
    return HEADER.format(city=place.display) + schema.scaffold(Entry, values)


def _check_theme(content_dir: Path, theme: str) -> None:
    themes = content.load_themes(content_dir)
    if theme not in {t.name for t in themes}:
        raise DigestError(Problem(display_path(content_dir / "themes.yaml"), f"theme '{theme}' is not defined",
                                  hint=f"use one of {', '.join(t.name for t in themes)}"))


def _place(gz: gazetteer.Gazetteer, city: str, provinces: list[str]) -> Place:
    """The place called `city`: a prefecture before a county of its name, and of several places of one
    name, one in a province with a digest (the named digest's, when one is named)."""
    places = gz.lookup(city)
    if not places:
        suggestions = "、".join(gz.suggest(city)) or "check the spelling"
        raise DigestError(Problem(city, "not a city or district in the gazetteer", hint=f"did you mean {suggestions}?"))
    places = [p for p in places if gz.province_of(p).name in provinces] or places
    first = places[0]
    prefecture = gz.prefecture_of(first)
    return prefecture if first.level != "prefecture" and city in (prefecture.short, prefecture.name) else first


def _digests(content_dir: Path) -> list[DigestFolder]:
    """Every digest of the content folder, with what its digest.yaml says (unreadable ones as empty)."""
    found = []
    for folder in sorted(p.parent for p in Path(content_dir).glob(f"*/{content.DIGEST_FILE}")):
        data, _ = yamlio.load_file(folder / content.DIGEST_FILE, display_path(folder / content.DIGEST_FILE))
        data = data if isinstance(data, dict) else {}
        found.append(DigestFolder(folder, str(data.get("province") or ""), str(data.get("date") or "")))
    return found


def _named_digest(content_dir: Path, digests: list[DigestFolder], digest_id: str) -> DigestFolder:
    for digest in digests:
        if digest.folder.name == digest_id:
            return digest
    raise DigestError(Problem(display_path(Path(content_dir) / digest_id), "no such digest",
                              hint="use an existing digest id or ingest the article first"))


def _digest_of(province: str, digests: list[DigestFolder], content_dir: Path) -> DigestFolder:
    """The one digest of `province`, or an error that lists the choices."""
    own = [d for d in digests if d.province == province]
    if len(own) == 1:
        return own[0]
    if own:
        ids = ", ".join(d.folder.name for d in own)
        raise DigestError(Problem(display_path(content_dir), f"{len(own)} digests of {province}: {ids}",
                                  hint="pass --digest with the one to add the entry to"))
    others = ", ".join(d.folder.name for d in digests if not d.province)
    raise DigestError(Problem(display_path(content_dir), f"no digest of {province} to add the entry to",
                              hint=f"ingest a round-up of {province} first, or pass --digest with one of "
                                   f"several provinces ({others})" if others else
                              f"ingest a round-up of {province} first"))
