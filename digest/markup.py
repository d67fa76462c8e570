"""Markdown → safe HTML: Python-Markdown, then the nh3 sanitiser.

A body written in YAML may hold anything; only the tags and URL schemes
allowed here reach the page.  The latest results are cached by text, so a body
shown on its entry's page and its digest's (which render together) is converted
once, and plain paragraphs, bold spans and simple lists (most news bodies) skip
Markdown altogether.
"""

from __future__ import annotations

import re
from functools import lru_cache


ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3",
                "h4", "hr", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


# Characters Markdown or HTML give meaning to anywhere in a line, and line breaks
# Python splits on; a plain line holds none of them.
_MARKUP_CHARS = re.compile(r"[\x00-\x1f*_`\\\[\]<>&#|!~=\x7f\x85\xa0\u2028\u2029\ufeff]")
# Line starts with meaning: lists, quotes, headings, rules, numbered lists.
_BLOCK_START = re.compile(r"[-+>:%$@^{}()'\".,;?/]|\d+[.)]")


def _plain_line(line: str) -> bool:
    return bool(line) and not (line[0].isspace() or line[-1].isspace() or _BLOCK_START.match(line) or _MARKUP_CHARS.search(line))


def _inline(line: str) -> str | None:
    """The HTML of a plain line, or of one whose only markup is **bold** spans; else None."""
    if "*" not in line:
        return line if _plain_line(line) else None
    parts = line.split("**")
    if len(parts) % 2 == 0 or not _plain_line("".join(parts)):
        return None
    for bold in parts[1::2]:
        if not bold or bold[0].isspace() or bold[-1].isspace():
            return None
    return "".join(part if i % 2 == 0 else f"<strong>{part}</strong>" for i, part in enumerate(parts))


MAX_OPEN_BRACKETS = 1000
"""Python-Markdown's link matching takes time quadratic in unclosed '[' (8,000 take 10 s)."""
MAX_NESTING = 16
"""Lists and quotes nested deeper make Python-Markdown recurse past Python's limit (and no one reads them)."""
_LEADING = re.compile(r"[ \t>]*(?:[-+*]|\d+[.)])?")


def problem(text: str) -> str:
    """What makes `text` unfit for Markdown ('' when nothing): more '[' than Markdown can match in
    reasonable time, or deeper nesting than it can handle.  The read stage refuses such text, so
    every body that reaches to_html converts in linear time."""
    if text.count("[") > MAX_OPEN_BRACKETS:
        return f"more than {MAX_OPEN_BRACKETS} '[' (Markdown takes minutes over so many)"
    if ">" in text or "  " in text or "\t" in text:
        for line in text.split("\n"):
            lead = _LEADING.match(line).group()
            if lead.count(">") > MAX_NESTING or len(lead.expandtabs(4)) - len(lead.lstrip(" \t>")) > 4 * MAX_NESTING:
                return f"lists or quotes nested more than {MAX_NESTING} levels deep"
    return ""


@lru_cache(maxsize=2048)  # a few chunks of pages: held by every render worker
def to_html(text: str) -> str:
    plain = plain_paragraphs(text)
    if plain is not None:
        return plain
    return _full_markdown(text)


_CONVERTER = None


def _full_markdown(text: str) -> str:
    """Python-Markdown, one converter per process (building one costs as much as converting a body)."""
    global _CONVERTER
    import markdown  # imported on first use: most builds convert nothing (fast path) or little
    import nh3

    if _CONVERTER is None:
        _CONVERTER = markdown.Markdown(extensions=["tables"], output_format="html")
    html = _CONVERTER.reset().convert(text)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel="noopener nofollow")
    return _LINK_WITHOUT_HREF.sub(r"\1", clean) if "<a rel=" in clean else clean


_LINK_WITHOUT_HREF = re.compile(r'<a rel="noopener nofollow">(.*?)</a>', re.S)
"""A link the sanitiser emptied (javascript:, data: …): its text stays, as plain text."""


def plain_paragraphs(text: str) -> str | None:
    """The HTML Markdown would make of plain paragraphs, bold spans and simple lists, or None if
    the text uses any other markup.

    Most bodies are news paragraphs with no markup but **bold** lead sentences
    and a short "- item" list; writing their HTML directly is about 50× cheaper than
    Python-Markdown and gives the same bytes (a property test holds the two to that).
    """
    blocks, current = [], []
    for line in text.strip("\n").split("\n"):
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    html, after_list = [], False
    for block in blocks:
        lines = [_inline(line) for line in block]
        if None not in lines:
            html.append("<p>" + "\n".join(lines) + "</p>")
            after_list = False
        elif not after_list and all(line.startswith("- ") for line in block):
            items = [_inline(line[2:]) for line in block]
            if None in items:
                return None
            html.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>")
            after_list = True  # a second list after a blank line would make one "loose" list with the first
        else:
            return None
    return "\n".join(html)
