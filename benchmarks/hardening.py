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

CATEGORIES = [
    # (row, test file, selection, inputs tried given the budgets)
    ("Parser fuzzing (Unicode, bytes, mangled round-ups)", "tests/test_fuzz.py", "", None),
    ("Hostile YAML (tags, alias bombs, nesting, duplicates, types, size, encoding)", "tests/test_hostile.py",
     "yaml or hostile_file", lambda k, f: len(HOSTILE.YAML_CASES) + 1),
    ("Paths (slugs, folder names, symlinks, writes outside)", "tests/test_hostile.py",
     "slugs or folders or symlinks or write_only", lambda k, f: len(HOSTILE.UNSAFE_SLUGS) + 5 + 2 + 1),
    ("Crash safety (SIGKILL during builds and ingests)", "tests/test_crash.py", "killed", lambda k, f: 3 * k),
    ("Crash points (builds and a re-ingest stopped at each kind of file-system step)", "tests/test_crash_points.py",
     "", lambda k, f: POINTS.STOPS_TRIED[0]),
    ("Concurrent use (two builds, two ingests)", "tests/test_crash.py", "two_", lambda k, f: 2),
    ("Dev server (2,000 requests 50 at a time, path escapes)", "tests/test_serve.py", "burst or escapes",
     lambda k, f: 2000 + len(SERVE.ESCAPES)),
]


class Outcomes:
    """A pytest plugin counting passed and failed tests."""

    def __init__(self):
        self.passed = self.failed = 0

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome == "failed":
            if report.outcome == "passed":
                self.passed += 1
            elif report.outcome == "failed":
                self.failed += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=7000, help="examples per fuzz property (3 properties)")
    parser.add_argument("--kills", type=int, default=40, help="SIGKILLs per crash test (3 tests)")
    args = parser.parse_args(argv)
    os.environ["DIGEST_FUZZ_EXAMPLES"] = str(args.fuzz)
    os.environ["DIGEST_KILLS"] = str(args.kills)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    global HOSTILE, POINTS, SERVE
    from tests import test_crash_points as POINTS, test_fuzz, test_hostile as HOSTILE, test_serve as SERVE  # noqa: N811

    rows = []
    for name, path, selection, count in CATEGORIES:
        outcomes = Outcomes()
        pytest.main(["-q", "-p", "no:cacheprovider", path, *(["-k", selection] if selection else [])],
                    plugins=[outcomes])
        tried = sum(test_fuzz.OUTCOMES.values()) if count is None else count(args.kills, args.fuzz)
        detail = (f"{test_fuzz.OUTCOMES['entries written']:,} valid entries, "
                  f"{test_fuzz.OUTCOMES['clear error']:,} clear errors") if count is None else \
            "clear error or handled, every one"
        failed = outcomes.failed
        rows.append(f"| {name} | {tried:,} | {detail if not failed else f'{failed} tests FAILED'} | "
                    f"{'0' if not failed else 'see above'} | {'0' if not failed else 'see above'} |")
    print("\n| category | inputs tried | outcome | crashes (tracebacks) | files lost or written outside |")
    print("|---|---:|---|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
