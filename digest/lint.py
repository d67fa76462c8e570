"""`check`'s own rules: content that builds but is surely wrong, or that a person should look at.

A build refuses what it cannot publish; these rules go further and compare each
entry with the gazetteer (its city, code, province and parent), with its digest
(its province) and with the article it came from (pictures it did not credit).
Their problems are `check`'s alone: errors where an entry states something
false, warnings where it may be right but a person should look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import gazetteer, lexicon, yamlio
from .article.clean import clean
from .article.decode import decode_bytes, html_to_lines, looks_like_html
from .errors import DigestError, Problem
from .model import Digest, Entry, Place, Site

MAX_ARTICLE_BYTES = 16 * 1024 * 1024
"""A copy of an article larger than this is not read for its pictures (ingest refuses such articles)."""


@dataclass(frozen=True)
class Finding:
    """A problem with one key of one entry, before its line is looked up."""

    entry: Entry
    key: str
    message: str
    hint: str
    warning: bool = False


def problems(site: Site, content_dir: Path) -> list[Problem]:
    """Every finding of every rule on a site that builds, with its file and line."""
    gz = gazetteer.load()
    digests = {d.id: d for d in site.digests}
    pictures = Pictures(Path(content_dir))
    found: list[Finding] = []
    for entry in site.entries:
        digest = digests.get(entry.digest_id)
        place = place_findings(entry, gz)  # a wrong province is said once, as the gazetteer's
        found += place if any(not f.warning for f in place) else place + province_findings(entry, digest)
        found += summary_findings(entry)
        found += credit_findings(entry, pictures.of(digest) if digest else {})
    return _located(found, Path(content_dir))


def place_findings(entry: Entry, gz: gazetteer.Gazetteer) -> list[Finding]:
    """City, code, province and parent against the gazetteer, saying what the gazetteer has."""
    named = tuple({p.code: p for p in gz.by_alias.get(entry.city, ())}.values())  # 北京: province and city, one code
    if not named:
        near = "、".join(gz.suggest(entry.city)) or "check the spelling"
        return [Finding(entry, "city", f"'{entry.city}' is not a place of the gazetteer",
                        f"did you mean {near}? (city, code and province are checked against it)", warning=True)]
    if entry.code and not any(p.code == entry.code for p in named):
        return [Finding(entry, "code", _code_message(entry, gz), _code_hint(entry, named, gz))]
    candidates = [p for p in named if p.code == entry.code] if entry.code else list(named)
    provinces = sorted({gz.province_of(p).name for p in candidates})
    if entry.province and entry.province not in provinces:
        return [Finding(entry, "province", f"{entry.city} is in {'、'.join(provinces)}, not {entry.province}",
                        f"set province: {provinces[0]}" if len(provinces) == 1 else
                        "set its province, and its code to tell which place it is")]
    in_province = [p for p in candidates if not entry.province or gz.province_of(p).name == entry.province]
    if entry.parent and len(in_province) == 1:
        return _parent_findings(entry, in_province[0], gz)
    return []


def _code_message(entry: Entry, gz: gazetteer.Gazetteer) -> str:
    owner = place_with_code(entry.code, gz)
    if owner is None:
        return f"code '{entry.code}' is no division code of the gazetteer"
    return f"code '{entry.code}' is {owner.display}'s, not {entry.city}'s"


def _code_hint(entry: Entry, named: tuple[Place, ...], gz: gazetteer.Gazetteer) -> str:
    """Where the city really is, and what to set (the province too, when it is wrong as well)."""
    likely = [p for p in named if gz.province_of(p).name == entry.province] or list(named)
    if len(likely) > 1:
        codes = ", ".join(f"'{p.code}' ({_where(p, gz)})" for p in likely[:4])
        return f"{entry.city} is {codes}: set the code of the one meant, or correct the city"
    place, province = likely[0], gz.province_of(likely[0]).name
    also = f" and province: {province}" if entry.province and entry.province != province else ""
    return f"{entry.city} is '{place.code}' in {province}: set code: '{place.code}'{also}, or correct the city"


def _where(place: Place, gz: gazetteer.Gazetteer) -> str:
    """Where a place is, to tell it from others of its name: 江苏省南京 for 鼓楼区, 江苏省 for 苏州."""
    prefecture = gz.prefecture_of(place)
    return gz.province_of(place).name + (prefecture.display if prefecture != place else "")


def place_with_code(code: str, gz: gazetteer.Gazetteer) -> Place | None:
    for level in ("prefecture", "county", "zone", "province"):
        if place := gz.by_code.get((level, code)):
            return place
    return None


def _parent_findings(entry: Entry, place: Place, gz: gazetteer.Gazetteer) -> list[Finding]:
    """A county-level place's parent is its prefecture; other places have none."""
    prefecture = gz.prefecture_of(place)
    if place.level not in ("county", "zone") or prefecture == place:
        return [Finding(entry, "parent", f"{entry.city} is no county-level place: it has no parent",
                        "remove the 'parent:' line")]
    if entry.parent not in (prefecture.short, prefecture.name, prefecture.display):
        return [Finding(entry, "parent", f"{entry.city}'s prefecture is {prefecture.display}, not {entry.parent}",
                        f"set parent: {prefecture.display}")]
    return []


def province_findings(entry: Entry, digest: Digest | None) -> list[Finding]:
    """An entry of another province than its digest's (a digest of several provinces names none)."""
    if digest is None or not digest.province or not entry.province or entry.province == digest.province:
        return []
    return [Finding(entry, "province", f"province {entry.province} differs from its digest's ({digest.province})",
                    f"move the entry to a digest of {entry.province}, or correct its province", warning=True)]


SENTENCE_END = re.compile(r"[。!?！？]+")


def summary_findings(entry: Entry) -> list[Finding]:
    """A summary that is the whole body, when the body is longer than a summary should be (a body of
    one or two sentences is its own summary)."""
    if not entry.summary or entry.summary.strip() != entry.body.strip():
        return []
    if len(SENTENCE_END.findall(entry.body.strip())) <= 2:
        return []
    return [Finding(entry, "summary", "the summary repeats the whole body",
                    "shorten it to the one or two sentences cards and feeds show", warning=True)]


def credit_findings(entry: Entry, pictures: dict[int, list[str]]) -> list[Finding]:
    """No image credit, though a paragraph the entry cites had a picture in the article."""
    if entry.image_credit:
        return []
    for number in entry.source.paragraphs if entry.source else ():
        if credits := pictures.get(number):
            credit = "; ".join(dict.fromkeys(credits))
            return [Finding(entry, "source", f"no image credit, though paragraph {number} it cites had a picture "
                                             f"(credited to {credit})",
                            f"add image_credit: {credit}", warning=True)]
    return []


class Pictures:
    """The paragraphs of each digest's article that had a picture, with their credits, read from the
    copy ingest keeps (content/articles/): ingest credits every picture it sees to the entries
    citing its paragraph, so an entry may lack a credit only where its paragraphs had none."""

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir
        self.known: dict[str, dict[int, list[str]]] = {}

    def of(self, digest: Digest) -> dict[int, list[str]]:
        if digest.id not in self.known:
            self.known[digest.id] = self._read(digest)
        return self.known[digest.id]

    def _read(self, digest: Digest) -> dict[int, list[str]]:
        """{} when there is no copy, it is outside the content folder, or it no longer gives the
        digest's paragraphs (then it says nothing about them)."""
        if not digest.source_file:
            return {}
        path = (self.content_dir / digest.source_file).resolve()
        try:
            if not path.is_relative_to(self.content_dir.resolve()) or path.stat().st_size > MAX_ARTICLE_BYTES:
                return {}
            text = decode_bytes(path.read_bytes(), digest.source_file)
        except (OSError, DigestError):
            return {}
        lines = html_to_lines(text) if looks_like_html(text, path.name) else text.splitlines()
        paragraphs, credits = pictured_paragraphs(lines)
        return credits if tuple(paragraphs) == digest.paragraphs else {}


def pictured_paragraphs(lines: list[str]) -> tuple[list[str], dict[int, list[str]]]:
    """(the article's paragraphs, {paragraph number: credits of its pictures}), numbered as ingest
    numbers them: a credit belongs to the paragraph before it, or to the next when none is before
    it or it follows another credit still waiting for its paragraph (as the parser reads them)."""
    paragraphs: list[str] = []
    credits: dict[int, list[str]] = {}
    waiting: list[str] = []
    for block in clean(lines, lexicon.load()).blocks:
        if block.kind == "credit":
            if paragraphs and not waiting:
                credits.setdefault(len(paragraphs), []).append(block.text)
            else:
                waiting.append(block.text)
        elif block.kind != "heading":
            paragraphs.append(block.text)
            if waiting:
                credits.setdefault(len(paragraphs), []).extend(waiting)
                waiting = []
    return paragraphs, credits


def _located(found: list[Finding], content_dir: Path) -> list[Problem]:
    """The findings as Problems at the lines of their keys (each entry file is read again, once)."""
    lines: dict[str, dict] = {}
    located = []
    for finding in found:
        entry = finding.entry
        if entry.path not in lines:
            path = content_dir / entry.digest_id / f"{entry.slug}.yaml"
            data, _ = yamlio.load_file(path, entry.path)
            lines[entry.path] = getattr(data, "lines", {})
        where = lines[entry.path]
        located.append(Problem(entry.path, finding.message, where.get(finding.key) or where.get("city"),
                               finding.hint, finding.warning))
    return located
