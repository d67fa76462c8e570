"""`ingest https://…`: the page is fetched (timeout, size limit, charset from the headers or the page),
its address kept as the digest's url; failures are one line and write nothing.  Pages are served
from a local server on 127.0.0.1 that each test stops."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from digest import ingest as ingest_module
from digest.cli import main

from .conftest import SEED_ARTICLE
from .test_ingest_seed import load_entries, to_html

PAGES: dict[str, tuple[int, str, bytes, float]] = {}
"""path → (status, content type, body, delay in seconds)."""


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        status, kind, body, delay = PAGES.get(self.path, (404, "text/html", b"not found", 0))
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)
    PAGES.clear()


def run(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err


def test_an_address_is_fetched_with_the_charset_its_headers_give_and_kept_as_the_url(server, tmp_path, capsys):
    html = to_html(SEED_ARTICLE.read_text(encoding="utf-8")).replace('<meta charset="utf-8">', "")
    PAGES["/news/kaigong.html"] = (200, "text/html; charset=GBK", html.encode("gb18030"), 0)
    content = tmp_path / "content"
    address = f"{server}/news/kaigong.html"
    code, err = run(capsys, "ingest", address, "--content", str(content))
    assert code == 0, err
    entries = load_entries(content / "2026-01-04-jiangsu")
    assert len(entries) == 13 and "南京" in entries
    digest = yaml.safe_load((content / "2026-01-04-jiangsu" / "digest.yaml").read_text(encoding="utf-8"))
    assert digest["url"] == address and digest["source_file"] == "articles/2026-01-04-jiangsu.html"
    assert (content / "articles" / "2026-01-04-jiangsu.html").read_bytes() == html.encode("gb18030")


@pytest.mark.parametrize("page, message", [
    ((404, "text/html", b"gone", 0), "404"),
    ((200, "application/pdf", b"%PDF-1.4", 0), "application/pdf"),
])
def test_a_failed_fetch_is_one_line_and_writes_nothing(server, tmp_path, capsys, page, message):
    PAGES["/a"] = page
    content = tmp_path / "content"
    code, err = run(capsys, "ingest", f"{server}/a", "--content", str(content))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not content.exists()


def test_a_page_over_the_size_limit_is_refused(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ingest_module, "MAX_ARTICLE_BYTES", 1000)
    PAGES["/big"] = (200, "text/html", b"<p>" + "南京召开大会。".encode() * 500 + b"</p>", 0)
    code, err = run(capsys, "ingest", f"{server}/big", "--content", str(tmp_path / "content"))
    assert code == 1 and "limit" in err and not (tmp_path / "content").exists()


def test_a_server_that_does_not_answer_in_time_is_given_up(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ingest_module, "FETCH_TIMEOUT", 0.3)
    PAGES["/slow"] = (200, "text/html", b"<p>late</p>", 1.5)
    code, err = run(capsys, "ingest", f"{server}/slow", "--content", str(tmp_path / "content"))
    assert code == 1 and "no answer within" in err and not (tmp_path / "content").exists()


def test_nothing_listens_at_the_address(tmp_path, capsys):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, err = run(capsys, "ingest", f"http://127.0.0.1:{port}/x", "--content", str(tmp_path / "content"))
    assert code == 1 and "cannot fetch" in err and len(err.strip().splitlines()) == 1
