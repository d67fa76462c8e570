"""Page text → the article's blocks, found by the shape of its text wherever the page chrome stands.

Each line is classed by its shape (prose, a short title-like line, chrome, a byline or timestamp,
an image credit, a marker such as 热点推荐 that opens a list of other headlines).  The article is the
stretch of lines with the most prose in it and the least of anything else between: headline lists,
mastheads and footers before or after it cost more than they bring.  Its title is the title-like
line just before that stretch (or, when there is none, its first sentence); bylines, sources and
the publication time are taken from around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..lexicon import Lexicon
from .normalize import simplify, strip_readings

DATETIME = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:\s*(\d{1,2}:\d{2}(?::\d{2})?))?(?!\d)")
SENTENCE_END = re.compile(r"[。!?;…]|\.{3}")
NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十]+\)|\d{1,2}[、.](?!\d)|"
                       r"第[一二三四五六七八九十]+[部章节篇][,:]?)\s*")
CITY_BRACKETS = re.compile(r"^【(.+?)】")
URL = re.compile(r"(?:https?://|www\.)[\w./?=&%#:~+-]*", re.I)
CAPTION_END = re.compile(r"(?:^|[\s(。!?;,])((?:[\u4e00-\u9fff]{2,4}[\s、]*){1,4})\s*摄\)?$")
DATELINE_BYLINE = re.compile(r"[(\[]\s*(?:本报|新华社|特约)?(?:首席)?(?:记者|通讯员|实习生|见习记者)\s*([^()\[\]]{2,40})[)\]]")
CITATION = re.compile(r"\s*(?:\[\d{1,2}\])+")
ASCII_NOISE = re.compile(r"[\x21-\x7e]{6,60}")
MAX_HEADING = 32
MAX_TITLE = 100
MAX_META = 120
TITLE_MIN = 8
"""Site names and section labels above a title are shorter than titles."""
ROLE_SEPARATORS = "/:|丨"


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


@dataclass(slots=True)
class Meta:
    """What a byline, source or timestamp line says."""

    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    outlet: str = ""
    published: str = ""


@dataclass(slots=True)
class Row:
    """One non-empty line of the page and what its shape says it is."""

    kind: str
    """prose, short, chrome, meta, credit, caption or marker."""
    text: str
    simple: str
    line: int
    meta: Meta | None = None
    credit: str = ""

    @property
    def weight(self) -> int:
        """How much the line counts for being in the article: prose for, everything else against."""
        if self.kind == "prose":
            return len(self.simple)
        if self.kind == "marker" or self.listed_time:
            return -1000
        return {"short": -3, "chrome": -8}.get(self.kind, 0)

    listed_time: bool = False
    """A timestamp among others close by: a list of other articles, never this one's."""


def clean(lines: list[str], lex: Lexicon) -> CleanArticle:
    rows = _rows(lines, lex)
    article = CleanArticle()
    if not rows:
        return article
    start, end = _article_span(rows)
    head = _head_start(rows, start)
    title_at = _title_index(rows, head, start)
    body_from = title_at + 1 if title_at is not None else head
    tail = _tail_end(rows, end)
    for i in range(head, tail):
        if rows[i].kind == "meta":
            _take(rows[i].meta, article, before_body=i < start)
    _take_tail_timestamp(rows, tail, lines, article, lex)
    if title_at is not None:
        article.title = _title_text(rows[title_at])
        body_from = body_from if article.title else head
    article.blocks = _blocks(rows[body_from:end + 1], article.title)
    for block in article.blocks[:3]:
        for match in DATELINE_BYLINE.finditer(block.simple[:80]):
            article.authors += [n for n in re.split(r"[\s、,]+", match.group(1)) if n and n not in article.authors]
    _settle_headings(article.blocks)
    article.title = article.title.strip() or _derived_title(article.blocks)
    return article


def _rows(lines: list[str], lex: Lexicon) -> list[Row]:
    rows = []
    for number, raw in enumerate(lines, start=1):
        for text in _pieces(strip_readings(raw.strip())):
            simple = simplify(text)
            if simple:
                rows.append(_classify(text, simple, number, lex))
    for i, row in enumerate(rows):
        if row.kind == "meta" and row.meta.published:
            near = rows[max(0, i - 6):i] + rows[i + 1:i + 7]
            row.listed_time = any(r.kind == "meta" and r.meta.published for r in near) and \
                _next_kind(rows, i) != "prose"
    return rows


def _pieces(text: str) -> list[str]:
    """A line of bullets (' - ' items and [1] citation marks, as summary pages set a whole article on
    one line) is one piece per item; any other line is itself."""
    if text.count(" - ") < 2 and not CITATION.search(text):
        return [text]
    pieces = re.split(r" - |(?<=\])\s+(?=\S)", text)
    return [CITATION.sub("", piece).strip(" -") for piece in pieces if CITATION.sub("", piece).strip(" -")]


def _next_kind(rows: list[Row], i: int) -> str:
    """The kind of the next row that is not chrome, a byline or a timestamp."""
    return next((r.kind for r in rows[i + 1:] if r.kind not in ("chrome", "meta", "credit")), "")


def _classify(text: str, simple: str, number: int, lex: Lexicon) -> Row:
    if _is_marker(simple, lex):
        return Row("marker", text, simple, number)
    meta = _meta(simple, lex)
    if meta is not None:
        return Row("meta", text, simple, number, meta=meta)
    credit = _credit(simple, lex)
    if credit:
        return Row("credit", text, simple, number, credit=credit)
    if _is_chrome(simple, lex):
        return Row("chrome", text, simple, number)
    caption = CAPTION_END.search(simple)
    if caption and len(simple) > 10:
        return Row("caption", text, simple, number, credit=" ".join(caption.group(1).split()))
    prose = SENTENCE_END.search(simple.rstrip(")”\"")) or len(simple) > MAX_TITLE or \
        (len(simple) >= 20 and simple.count(",") >= 2)
    return Row("prose" if prose else "short", text, simple, number)


def _is_marker(simple: str, lex: Lexicon) -> bool:
    """A line that opens the page's tail or a list of other articles (相关推荐, 特别声明…)."""
    if len(simple) > 300:
        return False
    return simple.startswith(lex.tail_markers) or _is_english_notice(simple)


def _is_english_notice(simple: str) -> bool:
    letters = sum(ch.isascii() and ch.isalpha() for ch in simple)
    return len(simple) > 30 and letters > 0.6 * len(simple)


def _is_chrome(simple: str, lex: Lexicon) -> bool:
    bare = simple.rstrip(":: ").strip("—-[]【】 ")
    if bare in lex.chrome_lines or simple.endswith(lex.chrome_suffixes) or not bare:
        return True
    if re.fullmatch(r"[\d\s,.万wWkK+:|/()!\[\]-]*", simple) or ASCII_NOISE.fullmatch(simple):
        return True  # counters, bare numbers, separators, ![]() and identifiers
    if simple.startswith(lex.chrome_prefixes) or URL.sub("", simple).strip(" |/:") == "":
        return True
    if len(simple) <= 200 and any(word in simple for word in lex.chrome_words):
        return True  # licence and filing numbers, copyright, contact lines
    if len(simple) < 80 and any(simple.count(sep) >= 2 for sep in lex.breadcrumb_separators):
        return True
    return _is_navigation(simple)


def _is_navigation(simple: str) -> bool:
    """A row of menu items: four or more short words between separators, no sentence."""
    if SENTENCE_END.search(simple) or "," in simple:
        return False
    items = [item for item in re.split(r"[|｜·•\s]+", simple) if item]
    return len(items) >= 4 and all(len(item) <= 8 for item in items)


def _credit(simple: str, lex: Lexicon) -> str:
    """An image credit's text (图片来源/新华网 → 新华网), or ''."""
    for prefix in lex.credit_prefixes:
        rest = simple[len(prefix):]
        if simple.startswith(prefix) and rest[:1] in ("/", ":", "|") and 0 < len(rest) <= 40:
            return rest[1:].strip()
    bare = simple.strip("()")
    if len(bare) <= 40 and bare.endswith(lex.credit_suffixes) and "。" not in bare and "," not in bare:
        return bare
    return ""


def _meta(simple: str, lex: Lexicon) -> Meta | None:
    """A byline, source or timestamp line, or None: short, no sentence, and either a publication time
    or a role (记者, 责任编辑, 来源…) at its start."""
    if len(simple) > MAX_META or SENTENCE_END.search(simple):
        return None
    line = URL.sub(" ", simple).strip()
    stamp = DATETIME.search(line)
    starts_with_role = _role_at(line.lstrip("(【["), 0, lex) is not None
    if not stamp and not starts_with_role:
        return None
    if stamp and not starts_with_role and not _is_stamp_shape(line, stamp):
        return None
    if not stamp and "," in line:
        return None
    meta = Meta()
    if stamp:
        year, month, day, clock = stamp.groups()
        meta.published = f"{year}-{int(month):02d}-{int(day):02d}" + (f" {clock}" if clock else "")
        before = line[:stamp.start()].strip(" |·•/")
        if before and _role_at(before, 0, lex) is None:
            meta.outlet = re.split(r"[\s|·•]+", before)[0]
        line = line[:stamp.start()] + " | " + line[stamp.end():]
    for role, value in _roles(line.strip("()【】[] "), lex):
        names = [n for n in re.split(r"[\s、,;/|]+", value) if n]
        if role in lex.author_roles:
            meta.authors += names
        elif role in lex.editor_roles:
            meta.editors += names
        elif role in lex.source_prefixes and value:
            meta.sources += names
    return meta


def _is_stamp_shape(line: str, stamp: re.Match) -> bool:
    """'2026-01-08 10:39:00', '成都发布 2025-05-05 09:53', '2025年2月6日' — not a dated title or sentence."""
    rest = (line[:stamp.start()] + line[stamp.end():]).strip()
    if "," in rest or len(rest) > 40:
        return False
    after = line[stamp.end():stamp.end() + 1]
    return not after or after in " |·•" or stamp.group(4) is not None


def _role_at(line: str, at: int, lex: Lexicon) -> str | None:
    for role in lex.meta_roles:
        if line.startswith(role, at):
            after = line[at + len(role):at + len(role) + 1]
            if after in ROLE_SEPARATORS or after.isspace() or (not after and at > 0):
                return role
    return None


def _roles(line: str, lex: Lexicon) -> list[tuple[str, str]]:
    """(role, value) pairs of a byline: '记者 汪晓东 曲昌荣 来源:人民网' → (记者, 汪晓东 曲昌荣), (来源, 人民网)."""
    found = []
    at, current, value_start = 0, None, 0
    while at < len(line):
        boundary = at == 0 or line[at - 1] in " |·•/"
        role = _role_at(line, at, lex) if boundary else None
        if role:
            if current:
                found.append((current, line[value_start:at].strip(" |:/")))
            current, at = role, at + len(role) + 1
            value_start = at
            continue
        at += 1
    if current:
        found.append((current, line[value_start:].strip(" |:/")))
    return found


def _take(meta: Meta, article: CleanArticle, before_body: bool) -> None:
    for name in meta.authors:
        if name not in article.authors:
            article.authors.append(name)
    article.editors += [n for n in meta.editors if n not in article.editors]
    if meta.published and not article.published:
        article.published = meta.published
        article.outlet = article.outlet or meta.outlet
    for source in meta.sources:
        if before_body and not article.outlet and len(source) <= 20:
            article.outlet = source
        elif source not in article.sources:
            article.sources.append(source)


def _article_span(rows: list[Row]) -> tuple[int, int]:
    """The stretch of rows with the greatest weight: the most prose, the least chrome between."""
    best, best_span = 0, None
    total, start = 0, 0
    for i, row in enumerate(rows):
        if total <= 0:
            total, start = 0, i
        total += row.weight
        if total > best:
            best, best_span = total, (start, i)
    if best_span is None:
        useful = [i for i, r in enumerate(rows) if r.kind in ("prose", "short")]
        return (useful[0], useful[-1]) if useful else (0, len(rows) - 1)
    start, end = best_span
    while rows[start].weight <= 0 and start < end:
        start += 1
    return start, end


def _head_start(rows: list[Row], start: int) -> int:
    """Where the lines before the article begin: after the nearest marker or listed timestamp."""
    for i in range(start - 1, -1, -1):
        if rows[i].kind == "marker" or rows[i].listed_time:
            return i + 1
    return 0


def _title_index(rows: list[Row], head: int, start: int) -> int | None:
    """The article's title among the lines before it: the first title-like line long enough not to be
    a site's name, else the original title ('原标题:…') a reposting page gives, else the nearest title-like
    line."""
    candidates = [i for i in range(head, start) if _title_like(rows[i])]
    own = [i for i in candidates if not rows[i].simple.startswith("原标题")]
    long = [i for i in own if len(rows[i].simple) >= TITLE_MIN]
    if long:
        return long[0]
    original = [i for i in candidates if i not in own]
    return original[0] if original else (candidates[-1] if candidates else None)


def _title_like(row: Row) -> bool:
    simple = row.simple
    if row.kind != "short" or not 4 <= len(simple) <= MAX_TITLE:
        return False
    return not (simple.startswith(("—", "-", "(", "【")) or NUMBERING.match(simple))


def _title_text(row: Row) -> str:
    return re.sub(r"^原标题\s*[::]\s*", "", row.text).strip()


def _tail_end(rows: list[Row], end: int) -> int:
    """Bylines and source lists just after the article, before the next marker, are the article's."""
    for i in range(end + 1, len(rows)):
        if rows[i].kind in ("marker", "prose") or rows[i].listed_time:
            return i
    return len(rows)


def _take_tail_timestamp(rows: list[Row], tail: int, lines: list[str], article: CleanArticle,
                         lex: Lexicon) -> None:
    """Past the article, only the timestamp beside the outlet's profile (文章数, 粉丝…) is its own."""
    if article.published:
        return
    for row in rows[tail:]:
        if row.kind != "meta" or not row.meta.published:
            continue
        following = " ".join(lines[row.line:row.line + 3])
        next_line = lines[row.line].strip() if row.line < len(lines) else ""
        if not DATETIME.match(next_line) and any(marker in following for marker in lex.profile_markers):
            article.published = row.meta.published
            outlet = simplify(lines[row.line]) if row.line < len(lines) else ""
            article.outlet = article.outlet or _strip_suffixes(outlet, lex)
            return


def _strip_suffixes(simple: str, lex: Lexicon) -> str:
    for suffix in lex.chrome_suffixes:
        simple = simple.removesuffix(suffix).strip()
    return simple


def _blocks(rows: list[Row], title: str) -> list[Block]:
    """The article's rows as blocks; three or more short lines in a row are one paragraph (posters
    and lists set a sentence's phrases one per line; headings never come three in a row)."""
    blocks: list[Block] = []
    run: list[Row] = []

    def flush() -> None:
        if len(run) >= 3:
            text = ",".join(r.text.rstrip(",,") for r in run)
            blocks.append(Block("paragraph", text, simplify(text), run[0].line))
        else:
            blocks.extend(Block("heading" if _heading_shape(r.simple) else "paragraph", r.text, r.simple, r.line)
                          for r in run)
        run.clear()

    for row in rows:
        if row.kind == "short" and row.simple != simplify(title):
            run.append(row)
            continue
        flush()
        if row.kind in ("credit", "caption"):
            blocks.append(Block("credit", row.credit, row.credit, row.line))
        elif row.kind == "prose":
            blocks.append(Block("heading" if _heading_shape(row.simple) else "paragraph", row.text, row.simple,
                                row.line))
    flush()
    return blocks


def _derived_title(blocks: list[Block]) -> str:
    """A page that gives no title line: its first sentence, cut at a clause."""
    first = next((b for b in blocks if b.kind == "paragraph"), None)
    if first is None:
        return ""
    sentence = re.split(r"[。!?;]", first.text.strip(), maxsplit=1)[0].strip() or first.text.strip()[:40]
    if len(sentence) <= 40:
        return sentence
    cut = max(sentence.rfind(ch, 0, 40) for ch in ",,、:")
    return sentence[:cut] if cut >= 8 else sentence[:40]


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
