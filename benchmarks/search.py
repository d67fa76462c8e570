"""Search at scale: `python benchmarks/search.py [--entries N] [--rounds R] [--reps Q] [--no-serve]`.

On the benchmark content (make_corpus.py, default 10,000 entries), in one run:

1. Indexing, taking turns (A B C, C B A, …, R rounds, medians):
   - before: Pagefind's CLI over the written site (`python -m pagefind --site`), what digest did;
   - now: the site's records handed to Pagefind's service in process (search.records + make_bundle),
     as `build` does, timed from the site model the build has in memory;
   - now, one entry changed: the same, starting from the last bundle's files, as the next build does;
   - and a full build into an empty folder with and without search, for the index's share of a build.
   Index size (bytes, files) of both bundles.
2. Time to first result in headless Chromium on the real search page (search/index.html), for
   common words of the corpus (each on thousands of entries) and for place names, with either bundle:
   - cold: a new browser context opens search/index.html?q=WORD; from navigation start to the first
     result shown (Pagefind's WebAssembly, metadata and index chunks all loaded in that time);
   - warm: the page is open and Pagefind initialised (one search done); the query is submitted and
     timed to its first result shown (its own index chunks are loaded in that time).
3. `serve` (unless --no-serve): a copy of the content served with search on; after an entry is
   saved, the time to the reload event (page rebuilt) and to the index event (search finds the edit),
   and the search state when the page reloaded.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from run import prepare_digest  # noqa: E402

COMMON = ["人工智能", "光伏", "零工市场", "养老服务", "低空经济", "新能源汽车", "口袋公园", "灯塔工厂", "储能电池", "集成电路"]
"""Words of the corpus's small vocabulary: each is on thousands of entries, far more than in real news."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FIRST_SHOWN = """
window.__first = null;
new MutationObserver((_, observer) => {
  const a = document.querySelector('#results li:not([hidden]) a');
  if (a && window.__first === null) { window.__first = performance.now(); observer.disconnect(); }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""
WARM_QUERY = """async (query) => new Promise((resolve) => {
  const list = document.getElementById('results');
  list.textContent = '';
  const started = performance.now();
  const observer = new MutationObserver(() => {
    if (document.querySelector('#results li:not([hidden]) a')) { observer.disconnect(); resolve(performance.now() - started); }
  });
  observer.observe(list, {subtree: true, childList: true, attributes: true});
  document.getElementById('q').value = query;
  document.querySelector('.search-form').requestSubmit();
})"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")  # a cold run fetches everything again
        super().end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser context closed mid-transfer is expected here


def _bytes_files(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# --- indexing -----------------------------------------------------------------------------------

def index_cli(site: Path, target: Path) -> float:
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(target), "--silent"],
                   check=True)
    return time.perf_counter() - started


def index_records(content: Path, target: Path, reuse: Path | None = None) -> float:
    """In a fresh process, as a build: the site read (untimed: the build has it), then timed: its
    records, their key and the bundle.  With `reuse`, one entry is edited first."""
    code = ("import sys, time, pathlib, shutil; from digest import content, search; "
            "site = content.read_site(pathlib.Path(sys.argv[1])); target = pathlib.Path(sys.argv[2]); "
            "reuse = pathlib.Path(sys.argv[3]) if sys.argv[3] else None; shutil.rmtree(target, ignore_errors=True)\n"
            "if reuse: e = site.entries[len(site.entries) // 2]; e.body = e.body + '这是改过的一句话。'\n"
            "t = time.perf_counter(); found = search.records(site); "
            "search.make_bundle(found, target, search.key(found), reuse=reuse); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, str(content), str(target), str(reuse or "")], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def build_seconds(content: Path, site: Path, search: bool) -> float:
    """A full build into an empty folder (a kept index would not be made again)."""
    shutil.rmtree(site, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content), "--output", str(site),
                    "--clean", *([] if search else ["--no-search"])], check=True, capture_output=True)
    return time.perf_counter() - started


def indexing(content: Path, site: Path, out: Path, rounds: int) -> dict:
    runs = {"cli": [], "records": [], "records_one_changed": [], "build_search": [], "build_no_search": []}
    tasks = {
        "cli": lambda: index_cli(site, out / "idx-cli"),
        "records": lambda: index_records(content, out / "idx-records"),
        "records_one_changed": lambda: index_records(content, out / "idx-records-again", reuse=out / "idx-records"),
        "build_search": lambda: build_seconds(content, out / "build-search", True),
        "build_no_search": lambda: build_seconds(content, out / "build-no-search", False),
    }
    order = list(tasks)
    for turn in range(rounds):
        for name in (order if turn % 2 == 0 else order[::-1]):
            if name == "records_one_changed" and not (out / "idx-records" / "pagefind-entry.json").exists():
                tasks["records"]()
            os.sync()
            runs[name].append(tasks[name]())
            print(f"  round {turn + 1}: {name} {runs[name][-1]:.1f} s", flush=True)
    return runs


# --- queries ------------------------------------------------------------------------------------

def first_results(site: Path, queries: list[str], reps: int) -> dict[str, list[float]]:
    """{"cold": [...], "warm": [...]} ms to the first result shown, each query `reps` times."""
    from playwright.sync_api import sync_playwright

    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/search/index.html"
    times = {"cold": [], "warm": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _ in range(reps):
                for query in queries:
                    context = browser.new_context()
                    context.add_init_script(script=FIRST_SHOWN)
                    page = context.new_page()
                    page.goto(f"{base}?q={query}")
                    page.wait_for_function("() => window.__first !== null", timeout=30_000)
                    times["cold"].append(page.evaluate("() => window.__first"))
                    context.close()
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}?q=便利")
                page.wait_for_selector("#results li:not([hidden]) a", timeout=30_000)
                for query in queries:
                    times["warm"].append(page.evaluate(WARM_QUERY, query))
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return times


def place_names(content: Path, count: int = 10) -> list[str]:
    names = sorted({line.split(": ", 1)[1] for p in content.glob("*/*.yaml") if p.name != "digest.yaml"
                    for line in p.read_text(encoding="utf-8").splitlines() if line.startswith("city: ")})
    return names[:: max(1, len(names) // count)][:count]


# --- serve --------------------------------------------------------------------------------------

def serve_edit(content: Path, out: Path) -> dict:
    """Times from saving an entry to the page's reload event and to the index's."""
    private = out / "serve-content"
    shutil.rmtree(private, ignore_errors=True)
    shutil.copytree(content, private, ignore=shutil.ignore_patterns(".*"))
    site = out / "serve-site"
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(private),
                                "--output", str(site), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        port = None
        for line in process.stdout:
            if "http://127.0.0.1:" in line:
                port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
                break
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        states: list[tuple[float, dict]] = []
        changed = threading.Condition()

        def listen():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
            connection.request("GET", "/__digest__/events")
            response = connection.getresponse()
            while line := response.fp.readline().decode():
                if line.startswith("data: "):
                    with changed:
                        states.append((time.perf_counter(), json.loads(line[6:])))
                        changed.notify_all()

        threading.Thread(target=listen, daemon=True).start()

        def wait(check):
            with changed:
                changed.wait_for(lambda: states and check(states[-1][1]), timeout=900)
                return states[-1]

        _, ready = wait(lambda s: s["search"] == "ready")
        entry = sorted(private.glob("*/*.yaml"))[11]
        text = entry.read_text(encoding="utf-8")
        saved = time.perf_counter()
        entry.write_text(text.replace("headline: ", "headline: 改写", 1), encoding="utf-8")
        reload_at, reloaded = wait(lambda s: s["build"] > ready["build"])
        indexed_at, _ = wait(lambda s: s["index"] > ready["index"] and s["search"] == "ready")
        return {"reload_s": reload_at - saved, "searchable_s": indexed_at - saved,
                "state_at_reload": reloaded["search"]}
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3, help="turns of each indexing approach (median)")
    parser.add_argument("--reps", type=int, default=3, help="times each query is run, cold and warm")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve measurement")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    content = prepare_digest(args.entries, args.out)
    site = args.out / f"search-site-{args.entries}"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content), "--output", str(site),
                    "--no-search"], check=True, capture_output=True)
    pages = sum(1 for _ in site.rglob("*.html"))
    entries = sum(1 for p in content.glob("*/*.yaml") if p.name != "digest.yaml")
    print(f"{entries:,} entries, {pages:,} pages; indexing, {args.rounds} rounds taking turns:", flush=True)
    runs = indexing(content, site, args.out, args.rounds)
    median = {name: statistics.median(times) for name, times in runs.items()}
    cli_size, records_size = _bytes_files(args.out / "idx-cli"), _bytes_files(args.out / "idx-records")
    report = [
        "",
        "| indexing (median of %d) | seconds | index |" % args.rounds,
        "| --- | --- | --- |",
        f"| before: Pagefind CLI over the site ({pages:,} pages) | {median['cli']:.1f} | "
        f"{cli_size[0] / 2**20:.1f} MiB, {cli_size[1]:,} files |",
        f"| now: records in process ({entries:,} entries + digests) | {median['records']:.1f} "
        f"({median['records'] / median['cli']:.2f}×) | {records_size[0] / 2**20:.1f} MiB, {records_size[1]:,} files |",
        f"| now, after one entry changed (last bundle's files reused) | {median['records_one_changed']:.1f} "
        f"({median['records_one_changed'] / median['cli']:.2f}×) | |",
        f"| full build with search / --no-search | {median['build_search']:.1f} / {median['build_no_search']:.1f} "
        f"(search adds {median['build_search'] - median['build_no_search']:.1f}) | |",
    ]
    print("\n".join(report), flush=True)

    print("\n| first result in Chromium, ms (median) | common words cold | warm | place names cold | warm |")
    print("| --- | --- | --- | --- | --- |")
    places = place_names(content)
    for label, bundle in (("before: CLI bundle", args.out / "idx-cli"), ("now: records bundle", args.out / "idx-records")):
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        shutil.copytree(bundle, site / "pagefind")
        common = first_results(site, COMMON, args.reps)
        named = first_results(site, places, args.reps)
        print(f"| {label} | {statistics.median(common['cold']):.0f} | {statistics.median(common['warm']):.0f} | "
              f"{statistics.median(named['cold']):.0f} | {statistics.median(named['warm']):.0f} |", flush=True)
    shutil.rmtree(site / "pagefind", ignore_errors=True)

    if not args.no_serve:
        found = serve_edit(content, args.out)
        print(f"\nserve at {entries:,} entries, after saving an entry: page reloaded in {found['reload_s']:.2f} s "
              f"(search then '{found['state_at_reload']}'), the search finds the edit after {found['searchable_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
