"""One normal form for matching: Simplified characters, NFKC widths, folded spaces.

The original text is kept for bodies; only matching uses this form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

SPACES = re.compile(r"[ \t\u00a0\u3000]+")
ELLIPSIS = re.compile(r"(?:\.\.\.)+")
"""NFKC spells … as three dots; the text keeps its own ellipsis."""
READING = re.compile(r"(?<=[\u3400-\u9fff])\s?[(（]\s*[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6}\s*[)）]")
"""A pinyin reading in brackets after a character (發(fā)展): what some converters leave in mirror pages."""


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → Simplified, full-width → half-width (，→, ：→: １→1), spaces folded."""
    text = unicodedata.normalize("NFKC", _converter().convert(text))
    if "..." in text:
        text = ELLIPSIS.sub(lambda m: "…" * (len(m.group()) // 3), text)
    return SPACES.sub(" ", text).strip()


def strip_readings(text: str) -> str:
    """發(fā)展 → 發展: converter artefacts out of every field, before anything else reads the text."""
    return READING.sub("", text) if "(" in text or "（" in text else text


def aligned(text: str) -> str | None:
    """The matching form of `text` with every character where it stood (no space folded), or None
    when the conversion changes the length: positions found in it are positions in `text`."""
    converted = _converter().convert("".join(_nfkc_char(ch) for ch in text))
    return converted if len(converted) == len(text) else None


def _nfkc_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch
