"""The typed model every stage shares: themes, places, digests and entries.

Plain dataclasses with no I/O: readers build them, the renderer reads them,
nobody changes them.  The content types (Entry, Digest and their parts) are
not `frozen`: frozen construction costs 8× more, and a rebuild restores tens
of thousands of them from the build cache.  They pickle as a class and a
tuple of field values, the fastest form pickle has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from dataclasses import dataclass, field


def _pickled_as_fields(cls):
    """Pickle instances as the class and the tuple of their field values in order, the fastest form
    pickle has; one C-level attrgetter reads the values (a generator over the slots cost a fifth
    more of a big site's pickling)."""
    values = operator.attrgetter(*[f.name for f in dataclasses.fields(cls)])

    def reduce(self):
        return type(self), values(self)

    cls.__reduce__ = reduce
    return cls


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    """Display name, e.g. 科创."""
    slug: str
    """ASCII path segment, e.g. kechuang."""
    description: str = ""
    keywords: tuple[str, ...] = ()
    """Words in a section heading that map the section to this theme."""
    color: str = "#3d5a80"
    """Accent colour of the theme's pages and cards."""


@dataclass(frozen=True, slots=True)
class Place:
    """A division from the gazetteer."""

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
    name: str
    title: str


@_pickled_as_fields
@dataclass(slots=True)
class Figure:
    value: float | int
    unit: str
    text: str

    @property
    def label(self) -> str:
        sep = " " if self.unit[:1].isascii() and self.unit[:1].isalpha() else ""
        return f"{self.value:g}{sep}{self.unit}" if isinstance(self.value, float) else f"{self.value}{sep}{self.unit}"


@_pickled_as_fields
@dataclass(slots=True)
class SourceRef:
    digest: str
    paragraphs: tuple[int, ...]
    """1-based paragraph numbers in the digest's `paragraphs` list."""
    quote: str = ""


@_pickled_as_fields
@dataclass(slots=True)
class Entry:
    """One place's part of one round-up."""

    city: str
    slug: str
    code: str
    province: str
    theme: str
    date: dt.date
    headline: str
    summary: str
    body: str
    """Markdown: the source paragraphs verbatim."""
    people: tuple[Person, ...] = ()
    figures: tuple[Figure, ...] = ()
    events: tuple[str, ...] = ()
    image_credit: str = ""
    source: SourceRef | None = None
    path: str = ""
    """The YAML file it was read from (for messages)."""

    @property
    def digest_id(self) -> str:
        return self.source.digest if self.source else ""


@_pickled_as_fields
@dataclass(slots=True)
class Section:
    heading: str
    theme: str
    first: int
    """Number of the section's first paragraph."""
    intro: str = ""


@_pickled_as_fields
@dataclass(slots=True)
class Digest:
    """One round-up article: its metadata and paragraphs as published."""

    id: str
    title: str
    date: dt.date
    region: str = ""
    province: str = ""
    published: str = ""
    outlet: str = ""
    author: str = ""
    editors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    intro: str = ""
    closing: str = ""
    sections: tuple[Section, ...] = ()
    paragraphs: tuple[str, ...] = ()
    source_file: str = ""
    path: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """A Markdown page from content/pages (about, colophon…)."""

    slug: str
    title: str
    body: str
    path: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    title: str = "digest"
    description: str = ""
    base_url: str = ""
    per_page: int = 20
    templates: str = ""
    """A folder of templates overriding the default theme."""
    language: str = "zh-CN"


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
