"""`digest serve`: build, serve the output folder on localhost, rebuild on change, reload open tabs,
and bring the search index up to date in the background.

Only files inside the output folder are served; requests naming a parent
folder in any encoding are refused, and so are requests whose Host header
is not this machine's (a web page elsewhere cannot reach the server through
DNS rebinding).  HTML responses get a small script that listens for
rebuilds (Server-Sent Events at /__digest__/events) and reloads the page;
while the content has errors, they also get an overlay listing the problems
over the last good page.  Nothing of this is written to disk: the built site
never contains the script.  Any failure of a rebuild (bad content, a
template error, a file that is not UTF-8, a bug) becomes that overlay; the
server stays up.

Search: a rebuild keeps the index it has and hands the site to an indexer
thread, so an edit shows at once.  The indexer makes the new bundle aside
(Pagefind runs in its own process) and publishes it in one short locked
step; until then searches use the last index, whole.  The search page
reloads when the index changes.

Connections: one selector thread accepts them and reads each request's
head; only a whole request goes to a worker thread.  A connection that sends
nothing costs a file descriptor, not a thread, is closed after IDLE_TIMEOUT,
and the oldest such goes first when MAX_CONNECTIONS are open: a flood of
half-open connections does not keep another client waiting.
"""

from __future__ import annotations

import contextlib
import html
import io
import ipaddress
import json
import os
import posixpath
import queue
import selectors
import shutil
import signal
import socket
import threading
import time
from collections import OrderedDict
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import content, search as search_index
from .build import SEARCH_FOLDER, build_site, publish_index, template_folders_of
from .build.place import place_of
from .errors import DigestError

PREFIX = "/__digest__/"
RELOAD_JS = """(function () {
  var source = new EventSource("/__digest__/events");
  var seen = null;
  var searchPage = document.querySelector("[data-pagefind-root]") !== null;
  source.onmessage = function (event) {
    var now = JSON.parse(event.data);
    document.documentElement.setAttribute("data-digest-search", now.search);
    if (seen !== null && (now.build !== seen.build || (searchPage && now.index !== seen.index))) {
      location.reload();
      return;
    }
    seen = now;
    document.dispatchEvent(new CustomEvent("digest:search", {detail: now}));
  };
}());
"""
OVERLAY = """<div id="digest-error" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;
z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#fff4f4;color:#7a0010;border-top:4px solid #c0001a;
font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap"><strong>digest: the last build failed — the page
below is the previous good build.</strong>
{problems}</div>"""

IDLE_TIMEOUT = 10.0
"""Seconds a connection may take to send its request's head, and a worker waits on a client."""
HEAD_LIMIT = 64 * 1024
"""Bytes of request head read at most (more is answered 414/431 by the parser)."""
MAX_PATH = 2048
"""Longest request path served; longer ones are answered 414."""
WORKERS = 16
"""Threads answering requests."""
MAX_STREAMS = 64
"""Reload streams (open tabs) at most; each has a thread of its own."""
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
"""Host headers always accepted (a port aside)."""


class BuildStatus:
    """The outcome of the latest build and of the search index, and a way to wait for a change.

    `search` is off (--no-search), unavailable (no Pagefind), indexing, ready or failed."""

    def __init__(self, search: str = "off"):
        self.generation = 0
        self.error = ""
        self.index = 0
        self.search = search
        self.search_error = ""
        self.changed = threading.Condition()

    def record(self, error: str = "") -> None:
        with self.changed:
            self.generation += 1
            self.error = error
            self.changed.notify_all()

    def searching(self, state: str, error: str = "", published: bool = False) -> None:
        with self.changed:
            self.search, self.search_error = state, error
            self.index += published
            self.changed.notify_all()

    def snapshot(self) -> dict:
        with self.changed:
            return {"build": self.generation, "index": self.index, "search": self.search}

    def wait_past(self, seen: dict, timeout: float) -> dict:
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot() != seen, timeout=timeout)
            return self.snapshot()


def escapes_root(raw_path: str) -> bool:
    """True when a request path, decoded once or twice, names a parent folder or is not a plain path."""
    path = urlsplit(raw_path).path
    for decoded in (path, unquote(path), unquote(unquote(path))):
        if "\x00" in decoded or "\\" in decoded:
            return True
        if any(part == ".." for part in decoded.split("/")):
            return True
    return False


def host_allowed(header: str | None, bound: str) -> bool:
    """Whether a Host header names this machine: localhost, 127.0.0.1 or [::1] (any port), the
    address the server was bound to, or (bound to every interface) any IP address.  A name such a
    check refuses is how DNS rebinding reaches a local server from a web page."""
    if not header:
        return True  # only HTTP/1.0 clients omit it; browsers always send it
    host = header.strip().lower()
    if host.startswith("["):
        host = host[: host.find("]") + 1] if "]" in host else host
    else:
        host = host.rpartition(":")[0] if host.count(":") == 1 else host
    bound = bound.lower()
    if host in LOCAL_HOSTS or host in (bound, f"[{bound}]"):
        return True
    if bound in ("0.0.0.0", "::", ""):
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host.strip("[]"))
            return True
    return False


def is_editor_file(name: str) -> bool:
    """Files editors make beside the one being saved: swap, backup and lock files, vim's 4913."""
    return (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".kate-swp",
                                                           "___jb_tmp___", "___jb_old___"))
            or name.isdigit())


class _Writer(io.RawIOBase):
    """A socket's sending side as a file: every write sent whole."""

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._sock.sendall(data)
        return len(memoryview(data))


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files from the output folder, with the reload script and error overlay added to HTML.
    Made for one request whose head the server has read: `request` is (socket, head)."""

    status: BuildStatus
    root: Path
    bound_host: str = "127.0.0.1"

    def setup(self):
        self.connection, head = self.request
        self.rfile = io.BytesIO(head)
        self.wfile = _Writer(self.connection)

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")  # a rebuilt file is fetched again, an unchanged one gets 304
        super().end_headers()

    def do_GET(self):
        self._answer(head=False)

    def do_HEAD(self):
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.bound_host):
            self.send_error(HTTPStatus.FORBIDDEN, "unexpected Host header",
                            f"digest serve answers only requests for this machine; open "
                            f"http://127.0.0.1:{self.server.server_address[1]}/")
            return
        if len(self.path) > MAX_PATH:
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG, "path too long")
            return
        if escapes_root(self.path):
            self.send_error(HTTPStatus.FORBIDDEN, "path outside the site")
            return
        path = urlsplit(self.path).path
        if path == PREFIX + "events":
            self._events()
        elif path == PREFIX + "reload.js":
            self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
        elif not path.endswith("/") and _is_dir(self.root / unquote(path).lstrip("/")):
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
        try:
            if target.is_dir():
                target = target / "index.html"
            target.resolve().relative_to(self.root)
            return target if target.is_file() else None
        except (ValueError, OSError):  # outside the site, a name too long for the file system…
            return None

    def _not_found(self, head: bool) -> None:
        """The site's 404 page, with status 404, for a missing path at any depth."""
        page = self.root / "404.html"
        body = self._with_reload(page.read_bytes()) if page.is_file() else b"not found"
        self._send(body, "text/html; charset=utf-8", head, HTTPStatus.NOT_FOUND)

    def _with_reload(self, body: bytes) -> bytes:
        now = self.status.snapshot()
        extra = (f'<script>document.documentElement.setAttribute("data-digest-search", {json.dumps(now["search"])});'
                 f'</script><script src="{PREFIX}reload.js"></script>')
        if self.status.error:
            extra = OVERLAY.format(problems=html.escape(self.status.error)) + extra
        marker = body.rfind(b"</body>")
        data = extra.encode("utf-8")
        return body[:marker] + data + body[marker:] if marker >= 0 else body + data

    def _send(self, body: bytes, kind: str, head: bool, code: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """Server-Sent Events: the state of the build and of the index now and after every change."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.connection.settimeout(None)
        seen = self.status.snapshot()
        try:
            self.wfile.write(f"data: {json.dumps(seen)}\n\n".encode())
            while not self.server.stopping.is_set():
                now = self.status.wait_past(seen, timeout=10)
                self.wfile.write((f"data: {json.dumps(now)}\n\n" if now != seen else ": still here\n\n").encode())
                seen = now
        except OSError:
            pass


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class _Waiting:
    """A connection whose request head is still coming."""

    __slots__ = ("address", "head", "since")

    def __init__(self, address):
        self.address, self.head, self.since = address, bytearray(), time.monotonic()


class DevServer:
    """HTTP/1.0 on one address (see the module's docstring for how connections are handled)."""

    def __init__(self, address: tuple[str, int], handler: type, workers: int = WORKERS,
                 max_connections: int | None = None, idle_timeout: float = IDLE_TIMEOUT):
        host, port = address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=1024)
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()[:2]
        self.handler = handler
        self.max_connections = max_connections or _connection_cap()
        self.idle_timeout = idle_timeout
        self.stopping = threading.Event()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._streams = threading.BoundedSemaphore(MAX_STREAMS)
        self._stopped = threading.Event()
        for number in range(workers):
            threading.Thread(target=self._work, daemon=True, name=f"serve-{number}").start()

    def serve_forever(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)
        waiting: OrderedDict[socket.socket, _Waiting] = OrderedDict()
        try:
            while not self.stopping.is_set():
                for key, _ in selector.select(timeout=0.25):
                    if key.fileobj is self.socket:
                        self._accept(selector, waiting)
                    else:
                        self._read(key.fileobj, selector, waiting)
                limit = time.monotonic() - self.idle_timeout
                while waiting and next(iter(waiting.values())).since < limit:
                    self._drop(next(iter(waiting)), selector, waiting)
        finally:
            for sock in list(waiting):
                self._drop(sock, selector, waiting)
            selector.close()
            self._stopped.set()

    def shutdown(self) -> None:
        self.stopping.set()
        self._stopped.wait(timeout=5)

    def server_close(self) -> None:
        self.socket.close()

    def _accept(self, selector, waiting) -> None:
        for _ in range(256):
            try:
                sock, address = self.socket.accept()
            except BlockingIOError:
                return
            except OSError:  # out of file descriptors: make room, the client is accepted next time round
                if waiting:
                    self._drop(next(iter(waiting)), selector, waiting)
                    continue
                time.sleep(0.01)
                return
            if len(waiting) >= self.max_connections:
                self._drop(next(iter(waiting)), selector, waiting)
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
            waiting[sock] = _Waiting(address)

    def _read(self, sock, selector, waiting) -> None:
        try:
            data = sock.recv(HEAD_LIMIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(sock, selector, waiting)
            return
        pending = waiting[sock]
        pending.head += data
        if b"\r\n\r\n" not in pending.head and b"\n\n" not in pending.head and len(pending.head) < HEAD_LIMIT:
            return
        selector.unregister(sock)
        del waiting[sock]
        head = bytes(pending.head)
        if head.startswith(f"GET {PREFIX}events".encode()):
            if not self._streams.acquire(blocking=False):
                self._refuse(sock, b"503 Service Unavailable")
                return
            threading.Thread(target=self._answer, args=(sock, pending.address, head, True), daemon=True).start()
        else:
            self._jobs.put((sock, pending.address, head))

    def _work(self) -> None:
        while True:
            sock, address, head = self._jobs.get()
            self._answer(sock, address, head)

    def _answer(self, sock: socket.socket, address, head: bytes, stream: bool = False) -> None:
        try:
            sock.setblocking(True)
            sock.settimeout(self.idle_timeout)
            self.handler((sock, head), address, self)
        except OSError:
            pass  # the client went away
        except Exception as exc:  # noqa: BLE001 - one line in the log, never a traceback
            print(f"serve: error answering {head.split(b' ', 2)[1][:80].decode('latin-1', 'replace')}: "
                  f"{type(exc).__name__}: {exc}", flush=True)
        finally:
            if stream:
                self._streams.release()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
            sock.close()

    def _refuse(self, sock: socket.socket, status: bytes) -> None:
        with contextlib.suppress(OSError):
            sock.sendall(b"HTTP/1.0 " + status + b"\r\nContent-Length: 0\r\n\r\n")
        sock.close()

    @staticmethod
    def _drop(sock, selector, waiting) -> None:
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(sock)
        waiting.pop(sock, None)
        sock.close()


def _connection_cap() -> int:
    """Connections waiting for their request at most: well within the file descriptors this process
    may open (its soft limit raised to the hard one, as servers do)."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = 16384 if hard == resource.RLIM_INFINITY else min(hard, 16384)
        if soft < wanted:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
                soft = wanted
    except ImportError:  # not on POSIX
        soft = 1024
    return max(32, min(4096, soft - 256))


class Indexer:
    """Makes the search index in a thread of its own, from the newest site handed in, and publishes
    it with build.publish_index; `status` follows what it does."""

    def __init__(self, content_dir: Path, output: Path, status: BuildStatus):
        self.content_dir, self.output, self.status = content_dir, output, status
        self.scratch = place_of(content_dir, output).cache / "search-next"
        self._pending: list = []
        self._wake = threading.Condition()
        threading.Thread(target=self._run, daemon=True, name="search-index").start()

    def submit(self, site) -> None:
        """Index `site` (None: read the content folder first) once the work in hand is done."""
        with self._wake:
            self._pending[:] = [site]
            self.status.searching("indexing")
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending)
                site = self._pending.pop()
            try:
                published = self._index(site)
            except DigestError as exc:
                self._done("failed", exc.format(), False)
                print(f"search index not updated: {exc.format()}", flush=True)
            except Exception as exc:  # noqa: BLE001 - reported, and serve goes on
                self._done("failed", f"{type(exc).__name__}: {exc}", False)
                print(f"search index not updated: {type(exc).__name__}: {exc}", flush=True)
            else:
                self._done("ready", "", published)

    def _done(self, state: str, error: str, published: bool) -> None:
        with self._wake:
            self.status.searching("indexing" if self._pending else state, error, published)

    def _index(self, site) -> bool:
        started = time.perf_counter()
        if site is None:  # check the live index against the content as it is
            site = content.read_site(self.content_dir)
        found = search_index.records(site)
        key = search_index.key(found)
        folder = self.output / SEARCH_FOLDER
        if search_index.live_key(folder) == key and (folder / "pagefind-entry.json").is_file():
            return False
        shutil.rmtree(self.scratch, ignore_errors=True)
        try:
            bundle = search_index.make_bundle(found, self.scratch / SEARCH_FOLDER, key, reuse=folder)
            published = publish_index(self.content_dir, self.output, bundle)
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)
        if published:
            print(f"search index updated: {len(found)} records ({time.perf_counter() - started:.2f} s)", flush=True)
        return published


def serve(content_dir: Path, output: Path, host: str = "127.0.0.1", port: int = 8000, search: bool = True) -> int:
    content_dir, output = Path(content_dir), Path(output)
    place_of(content_dir, output)  # an output digest may not use is refused before anything starts
    why_not = search_index.unavailable() if search else ""
    status = BuildStatus("off" if not search else "unavailable" if why_not else "indexing")
    if why_not:
        print(why_not, flush=True)
    indexer = Indexer(content_dir, output, status) if search and not why_not else None
    _build(content_dir, output, status, indexer)
    output.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_SiteHandler,), {"status": status, "root": output.resolve(), "bound_host": host,
                                                "__init__": _bind_directory(output.resolve())})
    server = DevServer((host, port), handler)
    stop = threading.Event()
    try:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        shown = f"[{host}]" if ":" in host else host
        _rebuild_on_change(content_dir, output, status, indexer, stop, ready=lambda: print(
            f"serving {output} at http://{shown}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True))
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


def _build(content_dir: Path, output: Path, status: BuildStatus, indexer: Indexer | None) -> str:
    """One build; whatever goes wrong becomes the overlay (and one line here), never a crash.  With
    an indexer, the index is left to it.  'built' or 'failed'."""
    try:
        with search_index.deferred() as handoff:
            result = build_site(content_dir, output, search=indexer is not None)
    except DigestError as exc:
        print(exc.format(), flush=True)
        status.record(exc.format())
        return "failed"
    except Exception as exc:  # noqa: BLE001 - a bug or an unforeseen input must not stop the server
        message = f"digest: the build stopped on an unexpected error: {type(exc).__name__}: {exc}"
        print(message, flush=True)
        status.record(message)
        return "failed"
    print(result.summary(), flush=True)
    if indexer is not None and handoff.site is not None:
        indexer.submit(handoff.site)
    elif indexer is not None and status.search != "ready":
        indexer.submit(None)  # no page changed, but the index was never checked (at start) or failed: check it
    status.record("")
    return "built"


def _rebuild_on_change(content_dir: Path, output: Path, status: BuildStatus, indexer: Indexer | None,
                       stop: threading.Event, ready=None) -> None:
    """Rebuild on every change to the content or the templates; `ready()` once the watcher is up."""
    from watchfiles import watch

    ignored = [str(output.resolve()), str(place_of(content_dir, output).cache.parent)]

    def wanted(change, path: str) -> bool:
        if is_editor_file(os.path.basename(path)):
            return False
        return not any(path == folder or path.startswith(folder + os.sep) for folder in ignored)

    while not stop.is_set():
        folders = [content_dir, *template_folders_of(content_dir)]
        try:
            for changes in watch(*folders, stop_event=stop, debounce=150, step=50, watch_filter=wanted,
                                 yield_on_timeout=True, rust_timeout=250):
                if not changes:
                    if ready is not None:
                        ready()  # the watcher is up: an edit from now on is seen
                        ready = None
                    continue
                started = time.perf_counter()
                names = sorted({os.path.basename(path) for _, path in changes})
                print(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}", flush=True)
                _build(content_dir, output, status, indexer)
                print(f"  ({time.perf_counter() - started:.2f} s)", flush=True)
                if folders != [content_dir, *template_folders_of(content_dir)]:
                    break  # site.yaml names other templates: watch those
        except (OSError, RuntimeError) as exc:  # a watched folder went away…: watch again shortly
            print(f"serve: watching stopped ({exc}); watching again", flush=True)
            stop.wait(1.0)
