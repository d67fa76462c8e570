"""Page text → the article's blocks, with page chrome dropped by the shape of lines.

Recognises: breadcrumbs, counters and buttons, repeated titles, image credits,
bylines, source lists, publication time and outlet, and the page tail
(disclaimers, related headlines) after which nothing belongs to the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..lexicon import Lexicon
from .normalize import simplify

TIMESTAMP = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s*(\d{1,2}:\d{2}(?::\d{2})?))?")
SENTENCE_END = re.compile(r"[。!;…]|\.{3}")
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十]+\)|\d{1,2}[、.](?!\d)|第[一二三四五六七八九十]+[部章节篇][,:]?)\s*")
CITY_BRACKETS = re.compile(r"^【(.+?)】")
MAX_HEADING = 32
ROLE_SEPARATORS = "/:|｜丨"


@dataclass(slots=True)
class Block:
    kind: str
    """paragraph, heading or credit."""
    text: str
    """As on the page."""
    simple: str
    """Normal form for matching (normalize.simplify)."""
    line: int


@dataclass(slots=True)
class CleanArticle:
    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    published: str = ""
    outlet: str = ""


def clean(lines: list[str], lex: Lexicon) -> CleanArticle:
    article = CleanArticle()
    in_tail = False
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        simple = simplify(text)
        if not simple:
            continue
        if not in_tail and _is_tail_marker(simple, lex):
            in_tail = True
        if _take_metadata(simple, lines, number, article, lex, in_tail):
            continue
        if in_tail or _is_chrome(simple, lex):
            continue
        if not article.title:
            if _looks_like_title(simple):
                article.title = text
            continue
        if simple == simplify(article.title):
            continue  # the title repeated in the page
        credit = _credit(simple, lex)
        if credit:
            article.blocks.append(Block("credit", credit, credit, number))
            continue
        kind = "heading" if _heading_shape(simple) else "paragraph"
        article.blocks.append(Block(kind, text, simple, number))
    _settle_headings(article.blocks)
    return article


def _is_tail_marker(simple: str, lex: Lexicon) -> bool:
    if len(simple) > 300:
        return False
    return simple.startswith(lex.tail_markers) or _is_english_notice(simple)


def _is_english_notice(simple: str) -> bool:
    letters = sum(ch.isascii() and ch.isalpha() for ch in simple)
    return len(simple) > 30 and letters > 0.6 * len(simple)


def _is_chrome(simple: str, lex: Lexicon) -> bool:
    if simple in lex.chrome_lines or simple.endswith(lex.chrome_suffixes):
        return True
    if re.fullmatch(r"[\d\s,.万wWkK+:|/-]*", simple):
        return True  # counters, bare numbers, separators
    if len(simple) < 60 and any(simple.count(sep) >= 2 for sep in lex.breadcrumb_separators):
        return True
    return _is_english_notice(simple)


def _looks_like_title(simple: str) -> bool:
    return 4 <= len(simple) <= 80 and "。" not in simple.rstrip("。")


def _credit(simple: str, lex: Lexicon) -> str:
    """An image credit's text (图片来源/新华网 → 新华网), or ''."""
    for prefix in lex.credit_prefixes:
        rest = simple[len(prefix):]
        if simple.startswith(prefix) and rest[:1] in ("/", ":", "|") and 0 < len(rest) <= 40:
            return rest[1:].strip()
    bare = simple.strip("()")
    if len(bare) <= 40 and bare.endswith(lex.credit_suffixes) and "。" not in bare:
        return bare
    return ""


def _take_metadata(simple: str, lines: list[str], number: int, article: CleanArticle, lex: Lexicon,
                   in_tail: bool) -> bool:
    """Bylines, source lists and publication details, anywhere on the page."""
    bylines = [_role_line(part, lex.author_roles + lex.editor_roles) for part in simple.split(" ")]
    if bylines and all(role for role, _ in bylines):
        for role, value in bylines:
            names = _split_names(value)
            (article.authors if role in lex.author_roles else article.editors).extend(
                n for n in names if n not in article.authors + article.editors)
        return True
    role, value = _role_line(simple, lex.source_prefixes, max_len=400)
    if role and not in_tail and value:
        if not article.blocks and not article.outlet and len(value) <= 20:
            article.outlet = value
        else:
            article.sources.extend(_split_names(value))
        return True
    stamp = TIMESTAMP.match(simple)
    if stamp and not _is_stamp_line(simple, stamp):
        stamp = None
    if stamp and not article.published and _is_own_timestamp(lines, number, in_tail, lex):
        year, month, day, clock = stamp.groups()
        article.published = f"{year}-{int(month):02d}-{int(day):02d}" + (f" {clock}" if clock else "")
        outlet = simple[stamp.end():].strip(" 来源:")
        if not outlet and in_tail and number < len(lines):
            outlet = _strip_suffixes(simplify(lines[number]), lex)
        article.outlet = article.outlet or outlet
        return True
    return bool(stamp)


def _is_stamp_line(simple: str, stamp: re.Match) -> bool:
    """'2026-01-08 10:39:00' or '2026年1月8日 10:39 来源:上游新闻', not a dated title or sentence."""
    rest = simple[stamp.end():]
    return len(simple) <= 40 and (not rest or rest[0] == " ") and "," not in rest and "。" not in rest


def _role_line(simple: str, roles: tuple[str, ...], max_len: int = 60) -> tuple[str, str]:
    if len(simple) > max_len:
        return "", ""
    for role in roles:
        if simple.startswith(role) and simple[len(role):len(role) + 1] in ROLE_SEPARATORS:
            return role, simple[len(role) + 1:].strip()
    return "", ""


def _split_names(value: str) -> list[str]:
    return [n for n in re.split(r"[\s、,;/|]+", value) if n]


def _is_own_timestamp(lines: list[str], number: int, in_tail: bool, lex: Lexicon) -> bool:
    """In the page tail only the timestamp beside the outlet's profile is the article's."""
    if not in_tail:
        return True
    following = lines[number:number + 3]
    if not following or TIMESTAMP.match(following[0].strip()):
        return False
    return any(marker in " ".join(following) for marker in ("incentive-icons", "文章数", "关注度", "粉丝"))


def _strip_suffixes(simple: str, lex: Lexicon) -> str:
    for suffix in lex.chrome_suffixes:
        simple = simple.removesuffix(suffix).strip()
    return simple


def _heading_shape(simple: str) -> bool:
    marker = CITY_BRACKETS.match(simple) or NUMBERING.match(simple)
    if marker:
        rest = simple[marker.end():]
        return len(rest) <= MAX_HEADING and not SENTENCE_END.search(rest)
    return len(simple) <= MAX_HEADING and not SENTENCE_END.search(simple) and simple.count(",") <= 2


def _settle_headings(blocks: list[Block]) -> None:
    """A heading introduces text: a heading-shaped last line is a cut-off paragraph."""
    for block in reversed(blocks):
        if block.kind == "credit":
            continue
        if block.kind == "heading":
            block.kind = "paragraph"
        break


def heading_text(simple: str) -> str:
    """A heading without its numbering or brackets: 一、科技创新 → 科技创新, 【南京】 → 南京."""
    simple = NUMBERING.sub("", simple).strip()
    bracket = CITY_BRACKETS.match(simple)
    if bracket:
        simple = (bracket.group(1) + simple[bracket.end():]).strip()
    return simple
