"""Which HTML path finds more article and less chrome: `python benchmarks/wild/extractors.py DIR`.

DIR holds saved HTML pages (*.html; not in the repository).  Each page goes through two paths to the
article's paragraphs as the parser keeps them (clean()):

  soup         digest's own path: BeautifulSoup, the element with the most paragraph text
  trafilatura  trafilatura.extract (main text, comments and tables left out)

and is scored without hand labels, from the page's own markup:

  prose   characters of kept paragraphs that read as prose (a sentence mark, 30+ characters) and are
          not the text of a link — the article
  links   kept paragraphs that are the whole text of a link on the page — headline lists, menus
  empty   pages where the path found no paragraph at all
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from digest import lexicon  # noqa: E402
from digest.article.clean import clean  # noqa: E402
from digest.article.decode import decode_bytes, soup_lines  # noqa: E402

SENTENCE = re.compile(r"[。!?!?]")


def link_texts(html: str) -> set[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return {a.get_text(" ", strip=True) for a in soup.find_all("a") if len(a.get_text(strip=True)) >= 6}


def by_soup(html: str) -> list[str]:
    return soup_lines(html)


def by_trafilatura(html: str) -> list[str]:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True) or ""
    title = trafilatura.extract_metadata(html)
    head = [title.title] if title and title.title else []
    return head + text.splitlines()


PATHS = {"soup": by_soup, "trafilatura": by_trafilatura}


def score(lines: list[str], links: set[str], lex) -> tuple[int, int, bool]:
    paragraphs = [b.text for b in clean(lines, lex).blocks if b.kind == "paragraph"]
    prose = sum(len(p) for p in paragraphs if len(p) >= 30 and SENTENCE.search(p) and p not in links)
    linked = sum(1 for p in paragraphs if p.strip() in links)
    return prose, linked, not paragraphs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path, help="folder of saved HTML pages")
    args = parser.parse_args()
    lex = lexicon.load()
    totals = {name: [0, 0, 0, []] for name in PATHS}
    pages = sorted(args.pages.glob("*.html"))
    wins = {name: 0 for name in PATHS}
    for page in pages:
        html = decode_bytes(page.read_bytes(), page.name)
        links = link_texts(html)
        found = {}
        for name, path in PATHS.items():
            started = time.perf_counter()
            prose, linked, empty = score(path(html), links, lex)
            totals[name][3].append((time.perf_counter() - started) * 1000)
            totals[name][0] += prose
            totals[name][1] += linked
            totals[name][2] += empty
            found[name] = (prose, -linked)
        best = max(found.values())
        for name, value in found.items():
            wins[name] += value == best and list(found.values()).count(best) == 1
    print(f"{len(pages)} pages\n")
    print("| path | article characters kept | link lines kept (headline lists, menus) | pages with no text "
          "| pages best | median ms |")
    print("|---|---|---|---|---|---|")
    for name, (prose, linked, empty, times) in totals.items():
        print(f"| {name} | {prose:,} | {linked} | {empty} | {wins[name]} | {statistics.median(times):.0f} |")


if __name__ == "__main__":
    main()
