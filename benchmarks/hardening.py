"""Hardening report: `python benchmarks/hardening.py [--fuzz N] [--kills K]`.

Runs the hostile-input, crash, concurrency and serve tests with larger
budgets (by default 7,000 fuzz examples per property, so over 20,000 in all,
and 40 kills per crash test) and prints the README's table: inputs tried per
category and what came of them.  Any failure is printed by pytest and the
row says so.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

REFUSED = "refused with one line or handled, every one"
CATEGORIES = [
    # (row, test file, selection, inputs tried given the budgets (None: the tests run), what came of them)
    ("Parser fuzzing (Unicode, bytes, mangled round-ups)", "tests/test_fuzz.py", "", None, ""),
    ("Hostile YAML (tags, alias bombs, nesting, duplicates, types, size, encoding)", "tests/test_hostile.py",
     "yaml or hostile_file", lambda k, f: len(HOSTILE.YAML_CASES) + 1, "clear `path:line` error, every one"),
    ("Paths (slugs, folder names, symlinks, writes outside)", "tests/test_hostile.py",
     "slugs or folders or symlinks or write_only", lambda k, f: len(HOSTILE.UNSAFE_SLUGS) + 5 + 2 + 1, REFUSED),
    ("Crash safety (SIGKILL during builds and ingests)", "tests/test_crash.py", "killed", lambda k, f: 3 * k,
     "old or new site whole; content valid"),
    ("Crash points (builds and a re-ingest stopped at each kind of file-system step)", "tests/test_crash_points.py",
     "", lambda k, f: POINTS.STOPS_TRIED[0], "old or new site whole; next build equals a clean one"),
    ("Concurrent use (two builds, two ingests)", "tests/test_crash.py", "two_", lambda k, f: 2,
     "the second waits; both land"),
    ("Output ownership (foreign files, dot files, files in the way, risky outputs, symlinked output, journals)",
     "tests/test_safety.py", "foreign or deploy or in_the_way or risk or symlinked or journal or builds_write or manifest",
     None, REFUSED),
    ("Path confinement (links out of content and theme folders, templates outside the project)",
     "tests/test_safety.py", "links_out or templates_folder", None, REFUSED),
    ("Text XML forbids (control characters, U+FFFE) in content and feeds", "tests/test_safety.py",
     "xml_forbids or well_formed", None, "refused at its `path:line`; feeds well-formed"),
    ("Pathological Markdown (unclosed brackets, deep lists and quotes, huge or non-UTF-8 pages)",
     "tests/test_safety.py", "pathological or page_over", None, REFUSED),
    ("Builds that recover (damaged compiled templates, disk full, edits keeping size and time, check = build)",
     "tests/test_safety.py", "damaged_compiled or disk_full or keeps_size or vanish or check_ or template_", None,
     REFUSED),
    ("Dev server (2,000 requests 50 at a time, path escapes)", "tests/test_serve.py", "burst or escapes",
     lambda k, f: 2000 + len(SERVE.ESCAPES), "all answered; escapes refused"),
    ("Dev server robustness (broken and non-UTF-8 saves, half-open connections, Host check, long paths)",
     "tests/test_serve.py", "failed_rebuild or half_open or only_requests or very_long",
     lambda k, f: len(SERVE.BAD_SAVES) + SERVE.HALF_OPEN + 7 + 3, "overlay, never a crash; other clients served"),
]


class Outcomes:
    """A pytest plugin counting passed and failed tests, and the longest a test took."""

    def __init__(self):
        self.passed = self.failed = 0
        self.longest = 0.0

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome == "failed":
            if report.outcome == "passed":
                self.passed += 1
            elif report.outcome == "failed":
                self.failed += 1
        if report.when == "call":
            self.longest = max(self.longest, report.duration)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=7000, help="examples per fuzz property (3 properties)")
    parser.add_argument("--kills", type=int, default=40, help="SIGKILLs per crash test (3 tests)")
    parser.add_argument("--half-open", type=int, default=2000, help="idle connections held open against serve")
    args = parser.parse_args(argv)
    os.environ["DIGEST_FUZZ_EXAMPLES"] = str(args.fuzz)
    os.environ["DIGEST_KILLS"] = str(args.kills)
    os.environ["DIGEST_HALF_OPEN"] = str(args.half_open)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    global HOSTILE, POINTS, SERVE
    from tests import test_crash_points as POINTS, test_fuzz, test_hostile as HOSTILE, test_serve as SERVE  # noqa: N811

    rows = []
    for name, path, selection, count, outcome in CATEGORIES:
        outcomes = Outcomes()
        pytest.main(["-q", "-p", "no:cacheprovider", path, *(["-k", selection] if selection else [])],
                    plugins=[outcomes])
        if path.endswith("test_fuzz.py"):
            tried = sum(test_fuzz.OUTCOMES.values())
            detail = (f"{test_fuzz.OUTCOMES['entries written']:,} valid entries, "
                      f"{test_fuzz.OUTCOMES['clear error']:,} clear errors")
        else:
            tried = outcomes.passed + outcomes.failed if count is None else count(args.kills, args.fuzz)
            detail = f"{outcome} (longest test {outcomes.longest:.1f} s)"
            if SERVE.ANSWERED_IN and "half_open" in selection:
                detail += f"; beside {SERVE.HALF_OPEN:,} idle connections another client waited {max(SERVE.ANSWERED_IN):.3f} s"
        failed = outcomes.failed
        rows.append(f"| {name} | {tried:,} | {detail if not failed else f'{failed} tests FAILED'} | "
                    f"{'0' if not failed else 'see above'} | {'0' if not failed else 'see above'} |")
    print("\n| category | inputs tried | outcome | crashes (tracebacks) | files lost or written outside |")
    print("|---|---:|---|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
