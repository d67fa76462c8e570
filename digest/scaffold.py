"""`digest new`: start an entry file for a place, filled from the gazetteer."""

from __future__ import annotations

from pathlib import Path

from . import content, gazetteer, yamlio
from .errors import DigestError, Problem, display_path
from .output import write_atomic

TEMPLATE = """\
# A new entry for {city}, started by `digest new`. Fill in the empty fields,
# then run `python build.py check`.  body is Markdown.
city: {city}
slug: {slug}
code: '{code}'
province: {province}
theme: {theme}
date: '{date}'
headline: ''        # one short line, e.g. 镇江召开新春第一会
summary: ''         # one or two sentences
body: |-
  正文写在这里。
people: []          # - {{name: 马明龙, title: 市委书记}}
figures: []         # - {{value: 40, unit: 名, text: 组织40余名干部开展考核}}
events: []          # - 全市高质量发展大会
image_credit: ''
source:
  digest: {digest}
  paragraphs: []
"""


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
    write_atomic(path, TEMPLATE.format(city=place.display, slug=place.slug, code=place.code,
                                       province=gz.province_of(place).name, theme=theme,
                                       date=digest.get("date", ""), digest=folder.name))
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
