"""Lighthouse audit of every template: `python benchmarks/lighthouse.py [--content DIR] [--min 0.95]`.

Builds the content (default: the committed content/) with search, serves it on 127.0.0.1 with its
base URL set to the server's address (so canonical links, the sitemap and JSON-LD are audited too),
and runs Lighthouse 12.2.3 on one page of each template, on a desktop and on a phone (Lighthouse's
own mobile emulation and simulated throttling).  Prints a Markdown table of the four category
scores per page and form factor, writes the whole summary to benchmarks/out/lighthouse.json, and
exits 1 when any score is below --min.

Needs `npm install --no-save -E lighthouse@12.2.3` (Lighthouse's exit code ignores scores, so they
are read from its JSON report) and Chromium at CHROME_PATH (default /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from digest import search  # noqa: E402
from digest.build import build_site  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-quic --disable-background-networking " \
               "--disable-component-update --disable-sync --no-first-run"
TEMPLATES = {  # template → a glob of its pages in the built site (the first match is audited)
    "home": "index.html", "theme": "themes/*/index.html", "city": "cities/*/index.html",
    "cities": "cities/index.html", "digest": "digests/*/index.html", "entry": "digests/*/*/index.html",
    "archive": "archive/index.html", "people": "people/index.html", "person": "people/*/index.html",
    "page": "about/index.html", "search": "search/index.html", "404": "404.html",
}
FORMS = {"desktop": ["--preset=desktop"], "mobile": ["--form-factor=mobile"]}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def lighthouse_binary() -> str:
    for candidate in (ROOT / "node_modules" / ".bin" / "lighthouse", shutil.which("lighthouse")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise SystemExit("lighthouse not found: npm install --no-save -E lighthouse@12.2.3")


def pages_of(site: Path) -> dict[str, str]:
    """Template → the path of one of its pages (the first in name order; a theme page with entries)."""
    found = {}
    for name, pattern in TEMPLATES.items():
        matches = sorted(p.relative_to(site).as_posix() for p in site.glob(pattern))
        if name == "theme":
            matches = [m for m in matches if 'class="card"' in (site / m).read_text(encoding="utf-8")]
        if matches:
            found[name] = matches[0]
    return found


def audit(binary: str, url: str, form: str, work: Path) -> dict[str, float]:
    """The four category scores of one Lighthouse run."""
    report = work / "report.json"
    command = [binary, url, "--output=json", f"--output-path={report}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}", *FORMS[form]]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: data["categories"][name]["score"] for name in CATEGORIES}
    scores["failed"] = sorted(audit_id for audit_id, result in data["audits"].items()
                              if result.get("score") is not None and result["score"] < 1
                              and result.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    return scores


def table(results: dict[str, dict[str, dict]]) -> str:
    lines = ["| page | form | performance | accessibility | best practices | SEO |", "|---|---|---:|---:|---:|---:|"]
    for name, forms in results.items():
        for form, scores in forms.items():
            lines.append(f"| {name} | {form} | " + " | ".join(f"{scores[c]:.2f}" for c in CATEGORIES) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--min", type=float, default=0.95, help="lowest acceptable score")
    parser.add_argument("--only", nargs="*", choices=sorted(TEMPLATES), help="audit these templates only")
    args = parser.parse_args(argv)
    binary = lighthouse_binary()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as scratch:
        work, site = Path(scratch), Path(scratch) / "site"
        site.mkdir()
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        build_site(args.content, site, base_url=base, search=search.available())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            results = {}
            for name, path in pages_of(site).items():
                if args.only and name not in args.only:
                    continue
                address = base + path.removesuffix("index.html")  # the address canonical links give
                results[name] = {form: audit(binary, address, form, work) for form in FORMS}
                print(name, path, {f: [s[c] for c in CATEGORIES] for f, s in results[name].items()}, file=sys.stderr)
        finally:
            server.shutdown()
            server.server_close()
    out = HERE / "out" / "lighthouse.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(table(results))
    low = [(n, f, c) for n, forms in results.items() for f, s in forms.items() for c in CATEGORIES if s[c] < args.min]
    for name, form, category in low:
        print(f"{name} ({form}): {category} {results[name][form][category]:.2f} < {args.min} — "
              f"failing audits: {', '.join(results[name][form]['failed'])}", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
