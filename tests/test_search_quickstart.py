"""The README's quick start gives working search (issue 17): a fresh virtualenv, `pip install -e .`,
`python build.py`, and a search for a word of the seed returns its entry.

Slow (pip installs every dependency into the new environment, from pip's cache and the registries
this machine reaches), so it runs with the full suite, not with `-m "not slow"`."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
import venv
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .test_browser import first_search_result

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is needed"),
              pytest.mark.skipif(sys.platform != "linux", reason="the wheel markers are checked on Linux")]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _project_copy(target: Path) -> Path:
    """The project's tracked files, as a fresh clone would have them."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode("utf-8").split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_quick_start_gives_working_search(tmp_path):
    project = _project_copy(tmp_path / "digest")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", "."], cwd=project,
                             capture_output=True, text=True, timeout=1500)
    assert install.returncode == 0, install.stderr[-3000:]
    build = subprocess.run([str(python), "build.py"], cwd=project, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "search is off" not in build.stdout + build.stderr
    assert (project / "site" / "pagefind" / "pagefind-entry.json").is_file()

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(project / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, first = first_search_result(f"http://127.0.0.1:{server.server_address[1]}/search/index.html?q=零工市场")
    finally:
        server.shutdown()
        server.server_close()
    assert status.startswith("找到"), status
    assert first == "/digests/2026-01-04-jiangsu/taizhou-jiangsu/"
