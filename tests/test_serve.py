"""`digest serve` as a real process on an ephemeral port, driven over HTTP."""

from __future__ import annotations

import http.client
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import SEED_CONTENT

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content), "--output",
         str(tmp_path / "site"), "--port", "0", "--no-search"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    port = None
    deadline = time.monotonic() + 60
    while port is None and time.monotonic() < deadline:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines.get(timeout=60))
        port = int(found.group(1)) if found else None
    assert port, "serve did not start"
    yield port, content, tmp_path / "site", process, lines
    if process.poll() is None:
        process.kill()
        process.wait()


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)  # sent as written: no client-side normalisation
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def wait_until(check, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


class EventListener(threading.Thread):
    """Reads the reload stream and remembers the generations announced."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.generations: list[str] = []

    def run(self):
        self.connection.request("GET", "/__digest__/events")
        response = self.connection.getresponse()
        while True:
            line = response.fp.readline().decode()
            if not line:
                return
            if line.startswith("data: "):
                self.generations.append(line[6:].strip())


def test_serves_pages_with_reload_script_only_in_memory(server):
    port, content, site, _, _ = server
    status, body = get(port, "/cities/nanjing/")
    assert status == 200 and "南京" in body and "/__digest__/reload.js" in body
    assert "__digest__" not in (site / "cities" / "nanjing" / "index.html").read_text(encoding="utf-8")
    assert get(port, "/cities/nanjing")[0] == 301
    assert get(port, "/__digest__/reload.js")[0] == 200
    assert get(port, "/no/such/page/")[0] == 404


def test_edit_rebuilds_reloads_and_errors_show_an_overlay(server):
    port, content, site, _, _ = server
    entry = content / "2026-01-04-jiangsu" / "nanjing.yaml"
    listener = EventListener(port)
    listener.start()
    wait_until(lambda: listener.generations, 5)
    first = listener.generations[-1]

    entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", "headline: 改写:", 1), encoding="utf-8")
    took = wait_until(lambda: "改写:" in get(port, "/digests/2026-01-04-jiangsu/nanjing/")[1], 2.0)
    wait_until(lambda: listener.generations[-1] != first, 2.0)
    assert took < 2.0

    entry.write_text(entry.read_text(encoding="utf-8") + "people: [unclosed\n", encoding="utf-8")
    wait_until(lambda: "digest-error" in get(port, "/digests/2026-01-04-jiangsu/nanjing/")[1], 3.0)
    status, body = get(port, "/digests/2026-01-04-jiangsu/nanjing/")
    assert status == 200 and "改写:" in body  # the last good page, under the overlay
    assert re.search(r"nanjing\.yaml:\d+", body)

    entry.write_text(entry.read_text(encoding="utf-8").replace("people: [unclosed\n", ""), encoding="utf-8")
    wait_until(lambda: "digest-error" not in get(port, "/digests/2026-01-04-jiangsu/nanjing/")[1], 3.0)


ESCAPES = ["/../etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
           "/..%2f..%2f..%2fetc/passwd", "/%252e%252e/%252e%252e/etc/passwd", "/assets/..%5c..%5c..%5cetc%5cpasswd",
           "/cities/../../etc/passwd", "/%c0%ae%c0%ae/etc/passwd", "/assets/%00../passwd", "//etc/passwd"]


@pytest.mark.parametrize("path", ESCAPES)
def test_path_escapes_are_refused(server, path):
    port = server[0]
    status, body = get(port, path)
    assert status in (400, 403, 404) and "root:" not in body


def test_burst_of_requests_all_answered(server):
    """2,000 requests, 50 at a time: every one answered, nothing refused or dropped."""
    port = server[0]
    paths = ["/", "/cities/nanjing/", "/assets/style.css", "/feed.xml", "/digests/2026-01-04-jiangsu/"] * 400

    def fetch(path):
        return get(port, path)[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(fetch, paths))
    assert statuses.count(200) == len(paths)


def test_ctrl_c_stops_cleanly(server):
    port, _, _, process, lines = server
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    with pytest.raises(OSError):
        get(port, "/")
