"""Screenshots of the site for docs/reader.md: `python benchmarks/screenshots.py [--site SITE] [--out DIR]`.

Without --site, builds the committed content with the two round-ups of the reader tests ingested
into it (tests/test_reader_site.py: Zhejiang's cities, Chengdu's districts), so the home page has
recent digests and a district map to show.  Home, a theme, a city, an entry and a digest page (its
top with the map, and its table of key figures), at desktop (1280 px) and phone (390 px) widths, in
Debian's Chromium.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {  # name → (page, element to shoot or None for the top of the page)
    "home": ("index.html", None), "theme": ("themes/kechuang/index.html", None),
    "city": ("cities/changzhou/index.html", None), "entry": ("digests/2026-01-04-jiangsu/changzhou/index.html", None),
    "digest": ("digests/2026-01-04-jiangsu/index.html", None),
    "digest-map": ("digests/2026-01-06-chengdu/index.html", "#places"),
    "digest-figures": ("digests/2026-01-04-jiangsu/index.html", "#figures"),
}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def demo_site(folder: Path) -> Path:
    """The committed content plus the reader tests' two round-ups, built into `folder`/site."""
    from digest.build import build_site
    from digest.ingest import ingest
    from tests.test_reader_site import ARTICLES

    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text.strip() + "\n", encoding="utf-8")
        ingest(str(folder / name), content, note=lambda line: None)
    build_site(content, folder / "site", search=False)
    return folder / "site"


def shoot(site: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, (path, element) in PAGES.items():
            for width_name, (width, height) in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
                page.goto((site / path).resolve().as_uri())
                target = out / f"{name}-{width_name}.png"
                (page.locator(element) if element else page).screenshot(path=str(target))
                page.close()
                print(target)
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build the demo site)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if args.site:
        shoot(args.site, args.out)
        return 0
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        shoot(demo_site(Path(scratch)), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
