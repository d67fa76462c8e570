"""The typed model every stage shares, and the content schema: each field a YAML key declares its
one-line help here, once.

Plain dataclasses with no I/O: readers build them, the renderer reads them,
nobody changes them.  A field with `key(...)` metadata is a key of the
content files; schema.py derives validation lists, the ingest dump order,
the `new` scaffold, header comments and the JSON Schema from these
declarations.  The content types (Entry, Digest and their parts) are not
`frozen`: a rebuild restores tens of thousands of them from the build cache,
and frozen construction costs several times more.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import operator
from dataclasses import dataclass, field
from decimal import Decimal


def key(help_text: str, default=None, *, required: bool = False, name: bool = False):
    """A field that is a key of the content files: `help_text` is what the key holds, in one line;
    `required` keys must be present and non-empty; `name` keys hold a name, never a number."""
    metadata = {"help": help_text, "required": required, "name": name}
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple or None as a key's default")
    return field(default=default, metadata=metadata)


def _pickled_as_fields(cls):
    """Pickle instances as the class and the tuple of their field values in order, the fastest form
    pickle has; one C-level attrgetter reads the values."""
    values = operator.attrgetter(*[f.name for f in dataclasses.fields(cls)])

    def reduce(self):
        return type(self), values(self)

    cls.__reduce__ = reduce
    return cls


@dataclass(frozen=True, slots=True)
class Theme:
    name: str = key("the theme's display name, e.g. 科创", "", required=True, name=True)
    slug: str = key("its address segment: lowercase letters, digits and '-', e.g. kechuang", "",
                    required=True, name=True)
    description: str = key("one line shown on the theme's page", "")
    keywords: tuple[str, ...] = key("words in a section heading that file the section under this theme", ())
    color: str = key("accent colour of its pages and cards, #rrggbb", "#3d5a80")


@dataclass(frozen=True, slots=True)
class Place:
    """A division from the gazetteer (not a content file's key)."""

    code: str
    level: str
    """province, prefecture, county or zone."""
    name: str
    """Full official name, e.g. 南京市."""
    short: str
    """Name as commonly written, e.g. 南京; districts keep their suffix when short alone is a word."""
    parent: str
    province: str
    slug: str
    alias: str
    """How the short name may be matched: strong, weak (only in the article's province) or none."""

    @property
    def display(self) -> str:
        """The name used for entries: 南京, 昆山; districts keep their suffix (市中区, 广陵区)."""
        if self.alias == "none" or (self.level != "prefecture" and self.name.endswith("区")):
            return self.name
        return self.short


@_pickled_as_fields
@dataclass(slots=True)
class Person:
    name: str = key("the person's name, e.g. 王剑锋", "", required=True)
    title: str = key("their title as the article gives it, e.g. 市委书记", "")


def plain_value(value: float | int) -> str:
    """A number as a person writes it: 3.2, 15000, 0.05, 0.0000001 (never 1.5e+06 or 1e-07)."""
    if isinstance(value, float) and math.isfinite(value):
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


@_pickled_as_fields
@dataclass(slots=True)
class Figure:
    value: float | int = key("the number alone, e.g. 2.7", 0, required=True)
    unit: str = key("its unit, e.g. 万亿元", "")
    label: str = key("what it counts, in a few words, e.g. 规上工业总产值", "")
    text: str = key("the clause of the article it comes from", "")

    @property
    def amount(self) -> str:
        """The value with its unit, as a reader sees it: 2.7万亿元, 13800 PFLOPS."""
        sep = " " if self.unit[:1].isascii() and self.unit[:1].isalpha() else ""
        return f"{plain_value(self.value)}{sep}{self.unit}"


@_pickled_as_fields
@dataclass(slots=True)
class SourceRef:
    digest: str = key("the id of the digest it comes from (its folder's name)", "")
    paragraphs: tuple[int, ...] = key("numbers of the digest's paragraphs it comes from, counting from 1", ())
    quote: str = key("the first words of the source paragraph, to find it again", "")


@_pickled_as_fields
@dataclass(slots=True)
class Entry:
    """One place's part of one round-up."""

    city: str = key("the place as the article names it, e.g. 南京, 昆山, 海淀区", "", required=True, name=True)
    slug: str = key("the file's name without .yaml: lowercase letters, digits and '-'", "",
                    required=True, name=True)
    code: str = key("the place's six-digit division code, e.g. '320400'", "")
    province: str = key("the place's province, e.g. 江苏省", "", name=True)
    parent: str = key("the prefecture of a county-level place that stands for itself, e.g. 金华 for 义乌", "",
                      name=True)
    theme: str = key("one of the themes of themes.yaml, e.g. 科创", "", required=True, name=True)
    date: dt.date | None = key("the day the news is about, YYYY-MM-DD (default: the digest's date)")
    headline: str = key("one short line that stands on its own", "", required=True)
    summary: str = key("one or two sentences for cards and feeds", "")
    body: str = key("the place's news in Markdown, as published", "", required=True)
    people: tuple[Person, ...] = key("officials named, e.g. - {name: 王剑锋, title: 市委书记}", ())
    figures: tuple[Figure, ...] = key("key figures, e.g. - {value: 2.7, unit: 万亿元, label: 规上工业总产值}", ())
    events: tuple[str, ...] = key("meetings and events named, one per line", ())
    image_credit: str = key("who published the article's picture of this place, e.g. 常州发布", "")
    source: SourceRef | None = key("where in the digest it comes from: digest, paragraphs, quote")
    path: str = ""
    """The YAML file it was read from (for messages)."""

    @property
    def digest_id(self) -> str:
        return self.source.digest if self.source else ""


@_pickled_as_fields
@dataclass(slots=True)
class Section:
    heading: str = key("the section's heading as published", "")
    theme: str = key("the theme its places are filed under", "", name=True)
    first: int = key("number of the section's first paragraph", 0)
    intro: str = key("the section's opening text, before its first place", "")


@_pickled_as_fields
@dataclass(slots=True)
class Digest:
    """One round-up article: its metadata and paragraphs as published."""

    title: str = key("the article's title", "", required=True)
    id: str = key("the digest's id, the same as its folder's name", "")
    region: str = key("the region it covers, e.g. 江苏", "")
    province: str = key("the province it covers, e.g. 江苏省 (empty when it spans several)", "")
    date: dt.date | None = key("the day the news is about, YYYY-MM-DD", required=True)
    date_source: str = key("where the date was found: given, title, intro, timestamp, month-day or file", "")
    published: str = key("when the article was published, as the page gives it", "")
    outlet: str = key("the outlet that published it", "")
    author: str = key("its author(s)", "")
    editors: tuple[str, ...] = key("its editors", ())
    sources: tuple[str, ...] = key("the outlets it credits as sources", ())
    url: str = key("the address the article was ingested from", "")
    source_file: str = key("the copy of the article under content/articles/", "")
    intro: str = key("the article's opening paragraphs, before the first place", "")
    closing: str = key("the article's closing paragraphs, after the last place", "")
    sections: tuple[Section, ...] = key("the article's themed sections: heading, theme, first, intro", ())
    paragraphs: tuple[str, ...] = key("the article's paragraphs as published; entries cite them by number", ())
    themes: tuple[Theme, ...] = key("themes this digest's headings brought that themes.yaml lacks", ())
    path: str = ""
    """The digest.yaml it was read from (for messages)."""


@dataclass(frozen=True, slots=True)
class Page:
    """A Markdown page from content/pages (about, colophon…)."""

    slug: str
    title: str
    body: str
    path: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    title: str = key("the site's name", "digest")
    description: str = key("one line about the site, for search engines and feeds", "")
    base_url: str = key("the http(s) address the site is published at; empty to browse it from disk", "")
    per_page: int = key("entries per listing page, 1 to 1000", 20)
    templates: str = key("a folder of templates overriding the default theme, relative to the content folder", "")
    language: str = key("the site's language tag", "zh-CN")


@dataclass(slots=True)
class Site:
    """Everything read from a content folder."""

    settings: Settings
    themes: tuple[Theme, ...]
    digests: tuple[Digest, ...]
    entries: tuple[Entry, ...]
    pages: tuple[Page, ...] = ()
    versions: dict[str, str] = field(default_factory=dict)
    """Content file (as shown in messages) → a short version string, for incremental builds."""
