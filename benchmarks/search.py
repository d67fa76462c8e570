"""Search at scale: `python benchmarks/search.py [--entries N]` (default 10,000).

Builds the benchmark content (make_corpus.py) without search, then times
Pagefind's indexing of it and measures the index size; serves the site on
127.0.0.1 and, in headless Chromium, times how long the search page takes
from typing a query to showing its first result (median of several queries,
after the first query has loaded the index's entry file).
"""

from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import prepare_digest  # noqa: E402

COMMON = ["算力", "人工智能", "光伏", "零工市场", "养老服务", "低空经济", "新能源汽车", "口袋公园", "灯塔工厂", "储能电池"]
"""Words of the corpus's small vocabulary: each is on a third of all pages, far more than in real news."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def index(site: Path) -> tuple[float, int, int]:
    """(seconds, bytes, files) of a Pagefind run over `site`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent"], check=True)
    seconds = time.perf_counter() - started
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return seconds, sum(p.stat().st_size for p in files), len(files)


def rare_queries(content: Path, count: int = 10) -> list[str]:
    """Place names of the corpus: each on a handful of pages, like most real queries."""
    names = sorted({line.split(": ", 1)[1] for p in content.glob("*/*.yaml") if p.name != "digest.yaml"
                    for line in p.read_text(encoding="utf-8").splitlines() if line.startswith("city: ")})
    return names[:: max(1, len(names) // count)][:count]


def first_result_times(site: Path, queries: list[str]) -> list[float]:
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/index.html"
    times = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("() => document.getElementById('city-filter').options.length > 1")
            for query in queries:
                page.fill("#q", "")
                page.evaluate("() => { document.getElementById('results').textContent = ''; }")
                started = time.perf_counter()
                page.fill("#q", query)
                page.press("#q", "Enter")
                page.wait_for_selector("#results li:not([hidden]) a", timeout=10_000)
                times.append((time.perf_counter() - started) * 1000)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    content = prepare_digest(args.entries, args.out)
    site = args.out / f"search-site-{args.entries}"
    subprocess.run([sys.executable, str(HERE.parent / "build.py"), "build", "--content", str(content),
                    "--output", str(site), "--no-search"], check=True, capture_output=True)
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    seconds, size, files = index(site)
    pages = sum(1 for _ in site.rglob("*.html"))
    print(f"Pagefind (extended) indexed {pages:,} pages of {args.entries:,} entries in {seconds:.1f} s; "
          f"index {size / 2**20:.1f} MiB in {files:,} files")
    for label, queries in (("common words", COMMON), ("place names", rare_queries(content))):
        times = first_result_times(site, queries)
        print(f"first result after typing a query ({label}): median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms over {len(times)} queries ({', '.join(f'{t:.0f}' for t in times)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
