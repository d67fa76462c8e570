#!/usr/bin/env python3
"""Build the site: `python build.py` (same as `digest build`); see `python build.py --help`."""

from digest.cli import run

if __name__ == "__main__":
    run()
