"""The parser's word lists (digest/data/lexicon.yaml), loaded once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Lexicon:
    tail_markers: tuple[str, ...]
    chrome_lines: frozenset[str]
    chrome_suffixes: tuple[str, ...]
    breadcrumb_separators: tuple[str, ...]
    credit_prefixes: tuple[str, ...]
    credit_suffixes: tuple[str, ...]
    author_roles: tuple[str, ...]
    editor_roles: tuple[str, ...]
    source_prefixes: tuple[str, ...]
    timestamp_prefixes: tuple[str, ...]
    meta_roles: tuple[str, ...]
    """Every word that starts a byline, source or timestamp line, longest first."""
    chrome_prefixes: tuple[str, ...]
    chrome_words: tuple[str, ...]
    profile_markers: tuple[str, ...]
    local_titles: tuple[str, ...]
    province_titles: tuple[str, ...]
    office_pattern: str
    nonlocal_title_prefixes: tuple[str, ...]
    name_followers: tuple[str, ...]
    surnames: frozenset[str]
    compound_surnames: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    event_suffixes: tuple[str, ...]
    event_openers: tuple[str, ...]
    document_suffixes: tuple[str, ...]
    figure_units: tuple[str, ...]
    figure_verbs: tuple[str, ...]
    figure_openers: tuple[str, ...]
    figure_after_stops: tuple[str, ...]
    official_words: tuple[str, ...]
    post_words: tuple[str, ...]
    clause_leads: tuple[str, ...]
    career_words: tuple[str, ...]
    visit_verbs: tuple[str, ...]
    product_words: tuple[str, ...]
    person_words: tuple[str, ...]
    person_titles: tuple[str, ...]
    strong_org_words: tuple[str, ...]
    not_place_phrases: frozenset[str]
    district_words: tuple[str, ...]
    leaning_words: tuple[str, ...]
    leaning_adverbs: tuple[str, ...]
    speech_verbs: tuple[str, ...]

    def title_pattern(self, province: bool) -> re.Pattern:
        """Official titles in one expression, longest first; local ones also match a bureau's head
        (市文旅局局长, 区发展改革委副主任) as the group 'office'."""
        return _title_pattern(self.province_titles if province else self.local_titles,
                              "" if province else self.office_pattern)


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def load() -> Lexicon:
    text = resources.files("digest.data").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return Lexicon(
        tail_markers=tuple(raw["tail_markers"]),
        chrome_lines=frozenset(raw["chrome_lines"]),
        chrome_suffixes=tuple(raw["chrome_suffixes"]),
        breadcrumb_separators=tuple(raw["breadcrumb_separators"]),
        credit_prefixes=_longest_first(raw["credit_prefixes"]),
        credit_suffixes=tuple(raw["credit_suffixes"]),
        author_roles=_longest_first(raw["author_roles"]),
        editor_roles=_longest_first(raw["editor_roles"]),
        source_prefixes=_longest_first(raw["source_prefixes"]),
        timestamp_prefixes=_longest_first(raw["timestamp_prefixes"]),
        meta_roles=_longest_first(raw["author_roles"] + raw["editor_roles"] + raw["source_prefixes"]
                                  + raw["timestamp_prefixes"]),
        chrome_prefixes=tuple(raw["chrome_prefixes"]),
        chrome_words=tuple(raw["chrome_words"]),
        profile_markers=tuple(raw["profile_markers"]),
        local_titles=_longest_first(raw["local_titles"]),
        province_titles=_longest_first(raw["province_titles"]),
        office_pattern=raw["office_pattern"],
        nonlocal_title_prefixes=tuple(raw["nonlocal_title_prefixes"]),
        name_followers=_longest_first(raw["name_followers"]),
        surnames=frozenset(raw["surnames"].replace(" ", "")),
        compound_surnames=tuple(raw["compound_surnames"]),
        org_suffixes=_longest_first(raw["org_suffixes"]),
        event_suffixes=_longest_first(raw["event_suffixes"]),
        event_openers=_longest_first(raw["event_openers"]),
        document_suffixes=tuple(raw["document_suffixes"]),
        figure_units=_longest_first(raw["figure_units"]),
        figure_verbs=_longest_first(raw["figure_verbs"]),
        figure_openers=tuple(raw["figure_openers"]),
        figure_after_stops=tuple(raw["figure_after_stops"]),
        official_words=_longest_first(raw["official_words"] + raw["post_words"]),
        post_words=_longest_first(raw["post_words"]),
        clause_leads=_longest_first(raw["clause_leads"]),
        career_words=tuple(raw["career_words"]),
        visit_verbs=_longest_first(raw["visit_verbs"]),
        product_words=_longest_first(raw["product_words"]),
        person_words=_longest_first(raw["person_words"]),
        person_titles=_longest_first(raw["person_titles"]),
        strong_org_words=tuple(raw["strong_org_words"]),
        not_place_phrases=frozenset(raw["not_place_phrases"]),
        district_words=tuple(raw["district_words"]),
        leaning_words=_longest_first(raw["leaning_words"]),
        leaning_adverbs=_longest_first(raw["leaning_adverbs"]),
        speech_verbs=_longest_first(raw["speech_verbs"]),
    )


@cache
def _title_pattern(titles: tuple[str, ...], office: str) -> re.Pattern:
    alternatives = "|".join(map(re.escape, titles))
    return re.compile(f"(?P<office>{office})|{alternatives}" if office else alternatives)
