"""The officials named across all digests, each keyed by name and place.

Two officials who share a name but serve different places are two people;
one official named in several digests of one place is one person, with the
titles each digest gave.  Pure: entries in, officials out (no paths beyond
each person's own, no pages).
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

from .model import Entry

_SAFE_NAME = re.compile(r"[\w·]{1,32}")
"""A name that can be its own address segment: letters of any script, digits, the middle dot of
transliterated names (买买提·艾力).  Anything else is replaced by a hash of the name."""


class Appearance(NamedTuple):
    """One entry naming the official, with the title it gives."""

    entry: Entry
    title: str


class Official(NamedTuple):
    name: str
    slug: str
    """The place's slug (its city page's), half of the person's key."""
    place: str
    """The place's name, as its newest entry gives it."""
    province: str
    parent: str
    """The prefecture of a county-level place (Entry.parent), '' for others."""
    path: str
    appearances: list[Appearance]
    """Newest first."""

    @property
    def titles(self) -> list[str]:
        """The titles held, newest first, each once."""
        return list(dict.fromkeys(a.title for a in self.appearances if a.title))

    @property
    def title(self) -> str:
        """The newest title."""
        return next((a.title for a in self.appearances if a.title), "")


def person_path(name: str, place_slug: str) -> str:
    """people/王剑锋-changzhou/index.html: the name as written when it is a safe path segment."""
    segment = name if _SAFE_NAME.fullmatch(name) and not name.startswith("_") else \
        "p" + hashlib.blake2b(name.encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()
    return f"people/{segment}-{place_slug}/index.html"


def officials(entries_newest_first: list[Entry]) -> dict[tuple[str, str], Official]:
    """(name, place slug) → the official, in order of their newest appearance."""
    found: dict[tuple[str, str], Official] = {}
    for entry in entries_newest_first:
        named = set()
        for person in entry.people:
            if not person.name.strip() or person.name in named:
                continue
            named.add(person.name)
            key = (person.name, entry.slug)
            official = found.get(key)
            if official is None:
                official = found[key] = Official(person.name, entry.slug, entry.city, entry.province, entry.parent,
                                                 person_path(person.name, entry.slug), [])
            official.appearances.append(Appearance(entry, person.title))
    return found
