"""`digest serve`: build, serve the output folder on localhost, rebuild when content changes.

Serves only files inside the output folder; binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import build_site
from .errors import DigestError
from .render import DEFAULT_THEME


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files from the output folder; nothing outside it (SimpleHTTPRequestHandler drops '..')."""

    def log_message(self, *args):
        pass


def serve(content_dir: Path, output: Path, host: str = "127.0.0.1", port: int = 8000, search: bool = True) -> int:
    try:
        print(build_site(content_dir, output, search=search).summary(), flush=True)
    except DigestError as exc:
        print(exc.format(), flush=True)
    handler = functools.partial(_SiteHandler, directory=str(Path(output).resolve()))
    server = ThreadingHTTPServer((host, port), handler)
    print(f"serving {output} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _rebuild_on_change(content_dir, output, search)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0


def _rebuild_on_change(content_dir: Path, output: Path, search: bool) -> None:
    from watchfiles import watch

    for _changes in watch(content_dir, DEFAULT_THEME):
        try:
            print(build_site(content_dir, output, search=search).summary(), flush=True)
        except DigestError as exc:
            print(exc.format(), flush=True)
