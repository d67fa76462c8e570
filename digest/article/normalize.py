"""One normal form for matching: Simplified characters, NFKC widths, folded spaces.

The original text is kept for bodies; only matching uses this form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

SPACES = re.compile(r"[ \t\u00a0\u3000]+")


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Traditional → Simplified, full-width → half-width (，→, ：→: １→1), spaces folded."""
    text = unicodedata.normalize("NFKC", _converter().convert(text))
    return SPACES.sub(" ", text).strip()
