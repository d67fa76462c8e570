"""Search index: Pagefind's extended build (Chinese segmentation) over the built pages.

Optional: when pagefind is not installed the site builds without an index
and the search page says so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .errors import DigestError, Problem


def available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True


def build_index(folder: Path, target: Path | None = None) -> bool:
    """Run Pagefind over `folder`, writing the index to `target` (default: folder/pagefind).

    False when Pagefind is not installed.
    """
    if not available():
        return False
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"]
    if target is not None:
        command += ["--output-path", str(target)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise DigestError(Problem(str(folder), f"search indexing failed: {result.stderr.strip()[:500]}",
                                  hint="rebuild with --no-search to skip the index"))
    return True
