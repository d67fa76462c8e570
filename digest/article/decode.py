"""Bytes → text lines: encoding detection and HTML body extraction."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from ..errors import DigestError, Problem

HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|body|p|div|article)[\s>]", re.I)
META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.I)
BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre", "td", "th", "dt", "dd")
CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button",
               "template", "select")


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
"""Control characters: never text in a page, and not allowed in YAML."""


def decode_bytes(data: bytes, source: str, declared: str = "") -> str:
    """Decode page bytes: UTF-8 first, then what the server (`declared`) or the page declares, then detection.

    GB18030 is a superset of GBK and GB2312, so it stands for all three.
    """
    if not data.strip():
        raise DigestError(Problem(source, "the file is empty", hint="give an article's page text or HTML"))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DigestError(Problem(source, "the file is binary, not text", hint="save the page as text or HTML"))
    for encoding in _candidate_encodings(data, declared):
        try:
            return CONTROL.sub("", data.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    raise DigestError(Problem(source, "cannot tell the file's text encoding",
                              hint="save it as UTF-8 (or GB18030) and try again"))


def _candidate_encodings(data: bytes, declared: str) -> list[str]:
    candidates = ["utf-8-sig"]
    in_page = META_CHARSET.search(data[:4096])
    for name in (declared, in_page.group(1).decode("ascii") if in_page else ""):
        name = name.lower()
        if name:
            candidates.append("gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name)
    candidates.append("gb18030")
    best = from_bytes(data[:65536]).best()
    if best is not None:
        candidates.append(best.encoding)
    return candidates


def looks_like_html(text: str, source: str) -> bool:
    if source.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    return bool(HTML_SNIFF.search(text[:4096].encode("utf-8", "ignore")))


def html_to_lines(html: str) -> list[str]:
    """The article's title, publication date and body blocks as lines, without the page chrome.

    trafilatura finds the main text (on 62 saved Chinese news pages it kept a third more of the
    articles and fewer headline lists than our own element search; see docs/ingest.md); a page it
    finds nothing in goes through that element search instead."""
    lines = _main_text_lines(html)
    return lines if lines else soup_lines(html)


def _main_text_lines(html: str) -> list[str]:
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a dependency; the element search still works
        return []
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        return []
    meta = trafilatura.extract_metadata(html)
    head = [meta.title] if meta and meta.title else []
    if meta and meta.date:
        head.append(meta.date)  # a timestamp line: the page's own publication date
    return head + [line for line in text.splitlines() if line.strip()]


def soup_lines(html: str) -> list[str]:
    """The element holding the most paragraph text (readability's idea in its simplest form),
    unless the page marks an <article>."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.find("h1")
    title_text = title.get_text(" ", strip=True) if title else ""
    if not title_text and soup.title:
        title_text = re.split(r"\s*[|_－—-]\s*", soup.title.get_text(strip=True))[0]
    for tag in soup(CHROME_TAGS):
        tag.decompose()
    body = _main_container(soup)
    lines = [title_text] if title_text else []
    for block in body.find_all(BLOCK_TAGS):
        if block.find(BLOCK_TAGS):
            continue  # the inner blocks carry the text
        text = block.get_text("", strip=True)
        if text and text != title_text:
            lines.append(text)
    return lines


def _main_container(soup):
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=_paragraph_text_length)
    best, best_len = soup.body or soup, 0
    for candidate in soup.find_all(["div", "section", "main", "td"]):
        length = sum(len(p.get_text(strip=True)) for p in candidate.find_all("p", recursive=False))
        if length > best_len:
            best, best_len = candidate, length
    return best


def _paragraph_text_length(tag) -> int:
    return sum(len(p.get_text(strip=True)) for p in tag.find_all("p"))
