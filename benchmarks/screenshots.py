"""Screenshots of the built site for the README: `python benchmarks/screenshots.py [SITE] [OUT]`.

Home and one theme page, at desktop (1280 px) and phone (360 px) widths, in Debian's Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {"home": "index.html", "theme": "themes/kechuang/index.html"}
WIDTHS = {"desktop": (1280, 900), "phone": (360, 780)}


def main(site: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, path in PAGES.items():
            for width_name, (width, height) in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto((site / path).resolve().as_uri())
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(target))
                page.close()
                print(target)
        browser.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0]) if args else Path("site"), Path(args[1]) if len(args) > 1 else Path("docs/screenshots"))
