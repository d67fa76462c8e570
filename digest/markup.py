"""Markdown → safe HTML: Python-Markdown, then the nh3 sanitiser.

A body written in YAML may hold anything; only the tags and URL schemes
allowed here reach the page.  Results are cached by text, so each body is
converted once per process however many pages show it.
"""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3",
                "h4", "hr", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "del"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=65536)
def to_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["tables"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener nofollow")
