"""The command line: build, ingest, new, check, serve.

Parses arguments, calls one stage function, prints problems (never a
traceback for a user's mistake) and returns the exit code.
"""

from __future__ import annotations

import argparse
import gc
import datetime as dt
import difflib
import re
import sys
from pathlib import Path

from . import __version__
from .errors import DigestError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build a static site from regional news round-ups.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = parser.add_subparsers(dest="command")

    def command(name: str, help_text: str, output: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content/)")
        if output:
            p.add_argument("--output", type=Path, default=Path("site"), help="output folder (default: site/)")
        return p

    build = command("build", "Build the site from the content folder.", output=True)
    build.add_argument("--base-url", default=None, type=_base_url, help="http(s) address the site is published at")
    build.add_argument("--clean", action="store_true", help="ignore the build cache and render everything")
    build.add_argument("--no-search", action="store_true", help="skip the search index")
    build.add_argument("--timings", action="store_true", help="print the time each stage took")
    build.add_argument("--force-output", action="store_true",
                       help="build into a folder that holds other files (digest deletes none of them)")

    ingest = command("ingest", "Turn a round-up article (.txt, .html or - for stdin) into YAML entries.")
    ingest.add_argument("article", help="the article file, or - to read standard input")
    ingest.add_argument("--id", default="", help="digest id (default: DATE-REGION, e.g. 2026-01-04-jiangsu)")
    ingest.add_argument("--date", type=_date, default=None, help="event date when the article gives none")
    ingest.add_argument("--force", action="store_true", help="overwrite files you edited since the last ingest")

    new = command("new", "Start a new entry for a city from the gazetteer.")
    new.add_argument("city", help="city or district name, e.g. 镇江")
    new.add_argument("--theme", required=True, help="theme name, e.g. 民生")
    new.add_argument("--digest", default="", help="digest id (default: the digest of the place's province)")

    check = command("check", "Validate the content without building.")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    serve = command("serve", "Build, serve on localhost and rebuild on change.", output=True)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-search", action="store_true", help="skip the search index")
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-04") from None


def _base_url(text: str) -> str:
    if text and not re.fullmatch(r"https?://[^\s\"'<>]+", text):
        raise argparse.ArgumentTypeError(f"'{text[:80]}' is not an http:// or https:// address")
    return text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and not argv[0].startswith("-") and argv[0] not in HANDLERS:
        print(_unknown_command(argv[0]), file=sys.stderr)
        return 2
    if not argv or (argv[0] not in HANDLERS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["build", *argv]  # `python build.py [--output DIR …]` builds
    args = _parser().parse_args(argv)
    command = args.command
    try:
        return HANDLERS[command](args)
    except DigestError as exc:
        print(exc.format(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; nothing was half-written", file=sys.stderr)
        return 130


def _unknown_command(word: str) -> str:
    """The line for a word that is no command: the nearest command, when one is near (biuld → build)."""
    near = difflib.get_close_matches(word, list(HANDLERS), n=1, cutoff=0.6)
    if near:
        return f"digest: unknown command '{word}' — did you mean `{near[0]}`?"
    return f"digest: unknown command '{word}' — use one of {', '.join(HANDLERS)} (see --help)"


def run() -> None:
    """The `digest` command and build.py."""
    sys.exit(main())


def _build(args) -> int:
    """`build` runs without Python's cycle collector: a build makes few cycles and the process ends right
    after it, and the collector would walk every object the build made once more when it does.  `serve`,
    which lives on, keeps it (build_site only pauses it)."""
    from .build import build_site

    gc.disable()
    result = build_site(args.content, args.output, base_url=args.base_url, clean=args.clean,
                        search=not args.no_search, force_output=args.force_output)
    for note in result.notes:
        print(note, file=sys.stderr)
    print(result.summary())
    if args.timings:
        print(result.timings())
    return 0


def _ingest(args) -> int:
    from .errors import display_path
    from .ingest import ingest

    notes: list[str] = []
    report = ingest(args.article, args.content, digest_id=args.id, force=args.force, date=args.date,
                    note=notes.append)
    for path in report.kept:
        print(f"kept your edit: {display_path(path)} (use --force to overwrite)", flush=True)
    for line in notes:  # what a person may want to check: a guessed date, a kept edit citing changed text
        print(f"note: {line}", file=sys.stderr, flush=True)
    print(f"ingested {report.digest_id}: {_count(report.entries, 'entry', 'entries')}, "
          f"{_count(len(report.written), 'file')} written, {len(report.kept)} kept, {len(report.unchanged)} unchanged")
    return 0


def _count(number: int, one: str, many: str = "") -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _new(args) -> int:
    from .errors import display_path
    from .scaffold import new_entry

    path = new_entry(args.content, args.city, args.theme, args.digest)
    print(f"wrote {display_path(path)}: write its headline and body, then run check")
    return 0


def _check(args) -> int:
    from .check import problems_in

    problems = problems_in(args.content)
    errors = [p for p in problems if not p.warning or args.strict]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{_count(len(errors), 'error')}, {_count(len(problems) - len(errors), 'warning')}", file=sys.stderr)
    return 1 if errors else 0


def _serve(args) -> int:
    from .serve import serve

    return serve(args.content, args.output, host=args.host, port=args.port, search=not args.no_search)


HANDLERS = {"build": _build, "ingest": _ingest, "new": _new, "check": _check, "serve": _serve}
