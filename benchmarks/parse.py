"""Parse time per article: `python benchmarks/parse.py [ARTICLE …]` (default: the committed seed).

Reports the median of repeated parses after import and a warm-up (the
gazetteer and word lists load once per process).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from digest.article.parse import parse_article
from digest.ingest import default_themes, read_article

ROOT = Path(__file__).resolve().parent.parent
RUNS = 30


def main(paths: list[str]) -> None:
    themes = default_themes()
    for path in paths or [str(ROOT / "content" / "articles" / "2026-01-04-jiangsu.txt")]:
        article = read_article(path)
        lines, name = article.lines, article.name
        parse_article(lines, themes, name)  # warm-up: gazetteer, lexicon, OpenCC
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            parsed = parse_article(lines, themes, name)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name}: {len(parsed.entries)} entries, median {statistics.median(times):.1f} ms, "
              f"max {max(times):.1f} ms over {RUNS} parses")


if __name__ == "__main__":
    main(sys.argv[1:])
