#!/usr/bin/env python3
"""Build the site: `python build.py` (same as `digest build`); see `python build.py --help`."""

import sys

from digest.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
