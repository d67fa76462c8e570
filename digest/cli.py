"""The command line: build, ingest, new, check, serve.

Parses arguments, calls one stage function, prints problems (never a
traceback for a user's mistake) and returns the exit code.
"""

from __future__ import annotations

import argparse
import gc
import datetime as dt
import re
import sys
from pathlib import Path

from .errors import DigestError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build a static site from regional news round-ups.")
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
    new.add_argument("--digest", default="", help="digest id (default: the latest digest)")

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
    if not argv or (argv[0] not in HANDLERS and argv[0] not in ("-h", "--help")):
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

    report = ingest(args.article, args.content, digest_id=args.id, force=args.force, date=args.date)
    for path in report.kept:
        print(f"kept your edit: {display_path(path)} (use --force to overwrite)")
    print(f"ingested {report.digest_id}: {report.entries} entries, {len(report.written)} files written, "
          f"{len(report.kept)} kept, {len(report.unchanged)} unchanged")
    return 0


def _new(args) -> int:
    from .errors import display_path
    from .scaffold import new_entry

    path = new_entry(args.content, args.city, args.theme, args.digest)
    print(display_path(path))
    return 0


def _check(args) -> int:
    from .check import problems_in

    problems = problems_in(args.content)
    errors = [p for p in problems if not p.warning or args.strict]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(errors)} errors, {len(problems) - len(errors)} warnings", file=sys.stderr)
    return 1 if errors else 0


def _serve(args) -> int:
    from .serve import serve

    return serve(args.content, args.output, host=args.host, port=args.port, search=not args.no_search)


HANDLERS = {"build": _build, "ingest": _ingest, "new": _new, "check": _check, "serve": _serve}
