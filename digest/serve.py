"""`digest serve`: build, serve the output folder on localhost, rebuild on change, reload open tabs.

Only files inside the output folder are served; requests naming a parent
folder in any encoding are refused.  HTML responses get a small script that
listens for rebuilds (Server-Sent Events at /__digest__/events) and reloads
the page; while the content has errors, they also get an overlay listing the
problems over the last good page.  Nothing of this is written to disk: the
built site never contains the script.
"""

from __future__ import annotations

import html
import os
import posixpath
import signal
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .build import build_site, template_folders_of
from .errors import DigestError

PREFIX = "/__digest__/"
RELOAD_JS = """(function () {
  var source = new EventSource("/__digest__/events");
  var seen = null;
  source.onmessage = function (event) {
    if (seen !== null && event.data !== seen) location.reload();
    seen = event.data;
  };
}());
"""
OVERLAY = """<div id="digest-error" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;
z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#fff4f4;color:#7a0010;border-top:4px solid #c0001a;
font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap"><strong>digest: the last build failed — the page
below is the previous good build.</strong>
{problems}</div>"""


class BuildStatus:
    """The outcome of the latest build, and a way to wait for the next one."""

    def __init__(self):
        self.generation = 0
        self.error = ""
        self.changed = threading.Condition()

    def record(self, error: str = "") -> None:
        with self.changed:
            self.generation += 1
            self.error = error
            self.changed.notify_all()

    def wait_past(self, generation: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout=timeout)
            return self.generation


def escapes_root(raw_path: str) -> bool:
    """True when a request path, decoded once or twice, names a parent folder or is not a plain path."""
    path = urlsplit(raw_path).path
    for decoded in (path, unquote(path), unquote(unquote(path))):
        if "\x00" in decoded or "\\" in decoded:
            return True
        if any(part == ".." for part in decoded.split("/")):
            return True
    return False


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files from the output folder, with the reload script and error overlay added to HTML."""

    status: BuildStatus
    root: Path

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._answer(head=False)

    def do_HEAD(self):
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        if escapes_root(self.path):
            self.send_error(HTTPStatus.FORBIDDEN, "path outside the site")
            return
        path = urlsplit(self.path).path
        if path == PREFIX + "events":
            self._events()
        elif path == PREFIX + "reload.js":
            self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
        elif (self.root / unquote(path).lstrip("/")).is_dir() and not path.endswith("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            target = self._file_for(path)
            if target is None:
                self._not_found(head)
            elif target.suffix == ".html":
                self._send(self._with_reload(target.read_bytes()), "text/html; charset=utf-8", head)
            else:
                super().do_HEAD() if head else super().do_GET()

    def _file_for(self, path: str) -> Path | None:
        """The file a URL path names inside the site (index.html for folders), or None."""
        relative = posixpath.normpath(unquote(path)).lstrip("/")
        target = (self.root / relative) if relative not in ("", ".") else self.root
        if target.is_dir():
            target = target / "index.html"
        try:
            target.resolve().relative_to(self.root.resolve())
        except ValueError:
            return None
        return target if target.is_file() else None

    def _not_found(self, head: bool) -> None:
        page = self.root / "404.html"
        body = self._with_reload(page.read_bytes()) if page.is_file() else b"not found"
        self._send(body, "text/html; charset=utf-8", head, HTTPStatus.NOT_FOUND)

    def _with_reload(self, body: bytes) -> bytes:
        extra = f'<script src="{PREFIX}reload.js"></script>'
        if self.status.error:
            extra = OVERLAY.format(problems=html.escape(self.status.error)) + extra
        marker = body.rfind(b"</body>")
        data = extra.encode("utf-8")
        return body[:marker] + data + body[marker:] if marker >= 0 else body + data

    def _send(self, body: bytes, kind: str, head: bool, code: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-Sent Events: the build generation now and after every rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        generation = self.status.generation
        try:
            self.wfile.write(f"data: {generation}\n\n".encode())
            self.wfile.flush()
            while not self.server.stopping.is_set():
                now = self.status.wait_past(generation, timeout=10)
                message = f"data: {now}\n\n" if now != generation else ": still here\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                generation = now
        except (BrokenPipeError, ConnectionResetError):
            pass


class DevServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default listen backlog of 5 drops connections under a burst of 50

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.stopping = threading.Event()


def serve(content_dir: Path, output: Path, host: str = "127.0.0.1", port: int = 8000, search: bool = True) -> int:
    status = BuildStatus()
    content_dir, output = Path(content_dir), Path(output)
    _build(content_dir, output, search, status)
    output.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_SiteHandler,), {"status": status, "root": output.resolve(),
                                                "__init__": _bind_directory(output.resolve())})
    server = DevServer((host, port), handler)
    stop = threading.Event()
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        print(f"serving {output} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
        _rebuild_on_change(content_dir, output, search, status, stop)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        status.record(status.error)  # wake event streams so they end
        server.shutdown()
        server.server_close()
        print("stopped", flush=True)
    return 0


def _bind_directory(directory: Path):
    def __init__(self, *args, **kwargs):
        SimpleHTTPRequestHandler.__init__(self, *args, directory=str(directory), **kwargs)
    return __init__


def _build(content_dir: Path, output: Path, search: bool, status: BuildStatus) -> None:
    try:
        result = build_site(content_dir, output, search=search)
        print(result.summary(), flush=True)
        status.record("")
    except DigestError as exc:
        print(exc.format(), flush=True)
        status.record(exc.format())


def _rebuild_on_change(content_dir: Path, output: Path, search: bool, status: BuildStatus,
                       stop: threading.Event) -> None:
    from watchfiles import watch

    for changes in watch(content_dir, *template_folders_of(content_dir), stop_event=stop, debounce=150, step=50,
                         watch_filter=lambda change, path: not os.path.basename(path).startswith(".")):
        started = time.perf_counter()
        names = sorted({os.path.basename(path) for _, path in changes})
        print(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}", flush=True)
        _build(content_dir, output, search, status)
        print(f"  ({time.perf_counter() - started:.2f} s)", flush=True)
