"""`digest serve` as a real process on an ephemeral port, driven over HTTP.

Timing is asserted through events (the reload stream's build and index generations), never the
wall clock; the timeouts below only keep a broken server from hanging the suite."""

from __future__ import annotations

import http.client
import json
import queue
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest import content as content_stage, search
from digest.serve import host_allowed, is_editor_file

from .conftest import SEED_CONTENT

ROOT = Path(__file__).resolve().parent.parent
PATIENCE = 60
"""Seconds before a test gives up waiting for an event (generous: CI machines are slow)."""


class Serve:
    """A running `digest serve` and its log."""

    def __init__(self, content: Path, site: Path, *extra: str):
        self.content, self.site = content, site
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content), "--output", str(site),
             "--port", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        found = self.wait_for_line(r"http://127\.0\.0\.1:(\d+)/")
        self.port = int(found.group(1))

    def _read(self):
        for line in self.process.stdout:
            self.log.append(line)
            self.lines.put(line)

    def wait_for_line(self, pattern: str, seconds: float = PATIENCE) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"serve never printed {pattern!r}; log:\n{''.join(self.log)}")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def server(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    running = Serve(content, tmp_path / "site", "--no-search")
    yield running
    running.stop()


def get(port: int, path: str, host: str | None = None, timeout: float = 10) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.putrequest("GET", path, skip_host=host is not None)  # sent as written: no normalisation
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


class Events(threading.Thread):
    """Reads the reload stream: each state is {"build": n, "index": n, "search": state}."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
        self.states: list[dict] = []
        self.changed = threading.Condition()
        self.start()
        self.wait(lambda states: states)

    def run(self):
        self.connection.request("GET", "/__digest__/events")
        response = self.connection.getresponse()
        while line := response.fp.readline().decode():
            if line.startswith("data: "):
                with self.changed:
                    self.states.append(json.loads(line[6:]))
                    self.changed.notify_all()

    def wait(self, check, seconds: float = PATIENCE) -> dict:
        with self.changed:
            if not self.changed.wait_for(lambda: check(self.states), timeout=seconds):
                raise AssertionError(f"no such state within {seconds} s: {self.states[-5:]}")
            return self.states[-1]


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_serves_pages_with_reload_script_only_in_memory(server):
    status, body = get(server.port, "/cities/nanjing/")
    assert status == 200 and "南京" in body and "/__digest__/reload.js" in body
    assert "__digest__" not in (server.site / "cities" / "nanjing" / "index.html").read_text(encoding="utf-8")
    assert get(server.port, "/cities/nanjing")[0] == 301
    assert get(server.port, "/__digest__/reload.js")[0] == 200


@pytest.mark.parametrize("path", ["/no-such-page/", "/a/b/c/", "/a/b/c/d.html", "/assets/nothing.css"])
def test_a_missing_path_at_any_depth_gets_the_sites_404_page(server, path):
    status, body = get(server.port, path)
    assert status == 404 and "页面不存在" in body and "/__digest__/reload.js" in body


def test_an_edit_reloads_and_errors_show_an_overlay(server):
    events = Events(server.port)
    first = events.states[-1]["build"]
    entry = server.content / "2026-01-04-jiangsu" / "nanjing.yaml"

    edit(entry, "headline: ", "headline: 改写:")
    events.wait(lambda states: states[-1]["build"] > first)
    assert "改写:" in get(server.port, "/digests/2026-01-04-jiangsu/nanjing/")[1]

    seen = events.states[-1]["build"]
    entry.write_text(entry.read_text(encoding="utf-8") + "people: [unclosed\n", encoding="utf-8")
    events.wait(lambda states: states[-1]["build"] > seen)
    status, body = get(server.port, "/digests/2026-01-04-jiangsu/nanjing/")
    assert status == 200 and "digest-error" in body and "改写:" in body  # the last good page, under the overlay
    assert re.search(r"nanjing\.yaml:\d+", body)

    seen = events.states[-1]["build"]
    edit(entry, "people: [unclosed\n", "")
    events.wait(lambda states: states[-1]["build"] > seen)
    assert "digest-error" not in get(server.port, "/digests/2026-01-04-jiangsu/nanjing/")[1]


BAD_SAVES = {
    "not UTF-8": ("2026-01-04-jiangsu/nanjing.yaml", "headline: 南京".encode("gb18030") + b"\xff\xfe\n"),
    "template syntax": ("templates/entry.html", b"{% extends 'base.html' %}{% block main %}{% if %}{% endblock %}"),
    "template runtime": ("templates/entry.html", b"{% extends 'base.html' %}{% block main %}{{ 1 / 0 }}{% endblock %}"),
    "template not UTF-8": ("templates/entry.html", b"{% extends 'base.html' %}\xff\xfe"),
}


@pytest.mark.parametrize("case", BAD_SAVES)
def test_any_failed_rebuild_becomes_the_overlay_and_serve_stays_up(tmp_path, case):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    relative, data = BAD_SAVES[case]
    if relative.startswith("templates/"):
        (content / "templates").mkdir()
        (content / "site.yaml").write_text((content / "site.yaml").read_text(encoding="utf-8")
                                           + "templates: templates\n", encoding="utf-8")
    running = Serve(content, tmp_path / "site", "--no-search")
    try:
        events = Events(running.port)
        seen = events.states[-1]["build"]
        (content / relative).write_bytes(data)
        events.wait(lambda states: states[-1]["build"] > seen)
        status, body = get(running.port, "/digests/2026-01-04-jiangsu/nanjing/")
        assert status == 200 and "digest-error" in body
        assert running.process.poll() is None
        assert "Traceback" not in "".join(running.log)
    finally:
        running.stop()


ESCAPES = ["/../etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
           "/..%2f..%2f..%2fetc/passwd", "/%252e%252e/%252e%252e/etc/passwd", "/assets/..%5c..%5c..%5cetc%5cpasswd",
           "/cities/../../etc/passwd", "/%c0%ae%c0%ae/etc/passwd", "/assets/%00../passwd", "//etc/passwd"]


@pytest.mark.parametrize("path", ESCAPES)
def test_path_escapes_are_refused(server, path):
    status, body = get(server.port, path)
    assert status in (400, 403, 404) and "root:" not in body


@pytest.mark.parametrize("path", ["/" + "a" * 5000, "/" + "%E4%B8%AD" * 1700 + "/", "/x/" + "b/" * 2000])
def test_a_very_long_path_is_answered_cleanly(server, path):
    status, _ = get(server.port, path)
    assert status in (404, 414)
    assert get(server.port, "/")[0] == 200
    assert "Traceback" not in "".join(server.log)


@pytest.mark.parametrize("host, allowed", [("127.0.0.1:8000", True), ("localhost:8000", True), ("[::1]:8000", True),
                                           ("localhost", True), ("evil.example", False),
                                           ("evil.example:8000", False), ("127.0.0.1.nip.io", False)])
def test_only_requests_for_this_machine_are_answered(server, host, allowed):
    status, _ = get(server.port, "/", host=host)
    assert status == (200 if allowed else 403)


def test_host_check_rules():
    assert host_allowed("LOCALHOST:1", "127.0.0.1") and host_allowed(None, "127.0.0.1")
    assert host_allowed("myhost:8000", "myhost") and not host_allowed("other:8000", "myhost")
    assert host_allowed("192.168.1.20:8000", "0.0.0.0") and host_allowed("[fe80::1]:8000", "::")
    assert not host_allowed("192.168.1.20:8000", "127.0.0.1") and not host_allowed("attacker.example", "0.0.0.0")


HALF_OPEN = int(os.environ.get("DIGEST_HALF_OPEN", "1500"))
"""Connections the half-open test opens; benchmarks/hardening.py raises it."""
ANSWERED_IN: list[float] = []
"""Seconds another client waited in that test (benchmarks/hardening.py reports it; no test asserts on time)."""


def test_half_open_connections_do_not_keep_another_client_waiting(server):
    """Connections that send nothing (each would have held a thread before): another client is
    still answered, and the server outlives them."""
    idle = []
    try:
        for _ in range(HALF_OPEN):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            idle.append(sock)
        partial = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        partial.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # a request that never ends
        idle.append(partial)
        started = time.perf_counter()
        assert get(server.port, "/cities/nanjing/", timeout=10)[0] == 200
        ANSWERED_IN.append(time.perf_counter() - started)
    finally:
        for sock in idle:
            sock.close()
    assert get(server.port, "/")[0] == 200


def test_burst_of_requests_all_answered(server):
    """2,000 requests, 50 at a time: every one answered, nothing refused or dropped."""
    paths = ["/", "/cities/nanjing/", "/assets/style.css", "/feed.xml", "/digests/2026-01-04-jiangsu/"] * 400

    def fetch(path):
        return get(server.port, path)[0]

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(fetch, paths))
    assert statuses.count(200) == len(paths)


@pytest.mark.parametrize("name, editor", [("nanjing.yaml~", True), (".nanjing.yaml.swp", True), ("4913", True),
                                          ("#nanjing.yaml#", True), (".#nanjing.yaml", True), ("x.kate-swp", True),
                                          ("nanjing.yaml", False), ("about.md", False), ("2026.yaml", False)])
def test_editor_files_are_told_apart(name, editor):
    assert is_editor_file(name) is editor


def test_the_watcher_ignores_editor_files(server):
    events = Events(server.port)
    folder = server.content / "2026-01-04-jiangsu"
    for name in ("nanjing.yaml~", ".nanjing.yaml.swp", "4913", "#nanjing.yaml#", ".#nanjing.yaml"):
        (folder / name).write_text("x", encoding="utf-8")
    seen = events.states[-1]["build"]
    edit(folder / "wuxi.yaml", "headline: ", "headline: 改写")
    events.wait(lambda states: states[-1]["build"] > seen)
    changed = [line for line in server.log if line.startswith("changed:")]
    assert changed == ["changed: wuxi.yaml\n"]
    assert events.states[-1]["build"] == seen + 1  # one rebuild: the editor files made none


def test_an_output_inside_the_content_folder_is_refused(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
                             "--output", str(content / "site"), "--port", "0"], capture_output=True, text=True,
                            timeout=PATIENCE)
    assert result.returncode == 1 and "inside the content folder" in result.stderr
    assert not (content / "site").exists()


def test_ctrl_c_stops_cleanly(server):
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=PATIENCE) == 0
    with pytest.raises(OSError):
        get(server.port, "/")


# --- search while serving ---------------------------------------------------------------------

needs_pagefind = pytest.mark.skipif(not search.available(), reason="Pagefind (extended) is not installed")


@needs_pagefind
def test_serve_indexes_in_the_background_and_says_so(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    running = Serve(content, tmp_path / "site")
    try:
        events = Events(running.port)
        ready = events.wait(lambda states: states[-1]["search"] == "ready")
        status, body = get(running.port, "/search/index.html")
        assert 'data-digest-search", "ready"' in body
        assert search.live_key(running.site / "pagefind") != ""
        edit(content / "2026-01-04-jiangsu" / "nanjing.yaml", "headline: ", "headline: 检索测试词")
        events.wait(lambda states: states[-1]["index"] > ready["index"] and states[-1]["search"] == "ready")
        assert search.live_key(running.site / "pagefind") == search.key(search.records(content_stage.read_site(content)))
    finally:
        running.stop()


@pytest.mark.slow
@needs_pagefind
def test_at_a_few_thousand_entries_an_edit_shows_while_the_index_is_made_and_search_finds_it_after(tmp_path):
    """Issue 19's acceptance: after a save the page reloads with the edit while indexing still runs,
    searches meanwhile use the last index whole, and the search finds the edit once indexing ends."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import make_corpus
    from .test_browser import first_search_result

    content = tmp_path / "content"
    make_corpus.write(make_corpus.corpus(3000, seed=4), content)
    running = Serve(content, tmp_path / "site")
    try:
        events = Events(running.port)
        ready = events.wait(lambda states: states[-1]["search"] == "ready", seconds=600)
        entry = sorted(content.glob("*/*.yaml"))[7]
        url = "/digests/" + entry.parent.name + "/" + entry.stem + "/"
        old_entry_json = get(running.port, "/pagefind/pagefind-entry.json")[1]

        edit(entry, "headline: ", "headline: 独一无二的改写")
        reloaded = events.wait(lambda states: states[-1]["build"] > ready["build"])
        assert reloaded["search"] == "indexing" and reloaded["index"] == ready["index"]  # the page came first
        assert "独一无二的改写" in get(running.port, url)[1]
        # Meanwhile the last index is served whole: its entry file, and every file it names.
        assert get(running.port, "/pagefind/pagefind-entry.json")[1] == old_entry_json
        meta = json.loads(old_entry_json)["languages"]["zh-cn"]["hash"]
        assert get(running.port, f"/pagefind/pagefind.{meta}.pf_meta")[0] == 200

        events.wait(lambda states: states[-1]["index"] > ready["index"] and states[-1]["search"] == "ready",
                    seconds=600)
        _, first = first_search_result(f"http://127.0.0.1:{running.port}/search/index.html?q=独一无二的改写")
        assert first == url
        assert "Traceback" not in "".join(running.log)
    finally:
        running.stop()
