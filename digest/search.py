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


def index_site(folder: Path) -> bool:
    """Run Pagefind over `folder`; False when it is not installed."""
    if not available():
        return False
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise DigestError(Problem(str(folder), f"search indexing failed: {result.stderr.strip()[:500]}",
                                  hint="rebuild with --no-search to skip the index"))
    return True
