"""The gazetteer: China's divisions (digest/data/gazetteer.tsv) and lookups by name.

Built once per process; pure lookups, no text analysis (that is article.places).
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .model import Place


@dataclass(frozen=True)
class Gazetteer:
    places: tuple[Place, ...]
    by_alias: dict[str, tuple[Place, ...]]
    """Every matchable spelling → the places it may name."""
    by_code: dict[tuple[str, str], Place]
    max_alias: int

    def prefecture_of(self, place: Place) -> Place:
        """The prefecture-level unit a place belongs to (itself for prefectures)."""
        if place.level in ("prefecture", "province"):
            return self.by_code.get(("prefecture", place.code), place)
        return self.by_code.get(("prefecture", place.parent), place)

    def province_of(self, place: Place) -> Place:
        return self.by_code[("province", place.province)]

    def lookup(self, name: str, levels: tuple[str, ...] = ("prefecture", "county", "zone")) -> list[Place]:
        """Places called `name` (full or short), prefectures first."""
        order = {level: i for i, level in enumerate(levels)}
        found = [p for p in self.by_alias.get(name, ()) if p.level in order]
        return sorted(found, key=lambda p: (order[p.level], p.code))

    def suggest(self, name: str, count: int = 5) -> list[str]:
        """Names close to a misspelt one: same sound first (the usual pinyin-input slip, 南经 → 南京),
        then similar sound, then similar characters."""
        from pypinyin import lazy_pinyin

        names = sorted({p.display for p in self.places if p.level != "province"})
        sound = "".join(lazy_pinyin(name))
        sounds = {n: "".join(lazy_pinyin(n)) for n in names}
        same = [n for n in names if sounds[n] == sound and n != name]
        by_sound = {sounds[n]: n for n in reversed(names)}
        near = [by_sound[s] for s in difflib.get_close_matches(sound, list(by_sound), n=count, cutoff=0.75)]
        looks = difflib.get_close_matches(name, names, n=count, cutoff=0.3)
        return list(dict.fromkeys(same + near + looks))[:count]


def _read_places() -> list[Place]:
    text = resources.files("digest.data").joinpath("gazetteer.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [Place(**row) for row in csv.DictReader(lines, delimiter="\t")]


@cache
def load() -> Gazetteer:
    places = tuple(_read_places())
    by_alias: dict[str, list[Place]] = {}
    for place in places:
        spellings = {place.name}
        if place.alias in ("strong", "weak"):
            spellings.add(place.short)
        for spelling in spellings:
            by_alias.setdefault(spelling, []).append(place)
    return Gazetteer(
        places=places,
        by_alias={k: tuple(v) for k, v in by_alias.items()},
        by_code={(p.level, p.code): p for p in places},
        max_alias=max(map(len, by_alias)),
    )
