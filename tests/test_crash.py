"""Killed and concurrent builds and ingests lose nothing: SIGKILL at random moments, two at once."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.build.output import recover
from digest.check import problems_in

from .conftest import SEED_ARTICLE, SEED_CONTENT

ROOT = Path(__file__).resolve().parent.parent
KILLS = int(os.environ.get("DIGEST_KILLS", "8"))
"""Kills per test; benchmarks/hardening.py raises it."""


def snapshot(folder: Path) -> dict[str, str]:
    """Each file's hash (a journal still in the output aside: it is the build's, not the site's)."""
    return {path: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file() and not (path := p.relative_to(folder).as_posix()).startswith(".digest/journal/")}


def digest_cli(*argv: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), *argv]


def kill_after(command: list[str], seconds: float) -> int | None:
    """Start `command`, SIGKILL it after `seconds` (if still running); its exit code or None if killed."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def startup_recovery(site: Path) -> None:
    """What the next build does first: roll back an unfinished journal."""
    recover(site)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A few hundred entries, so a build lasts long enough to be killed in the middle."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import make_corpus

    content = tmp_path / "content"
    make_corpus.write(make_corpus.corpus(300, seed=5), content)
    return content


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_killed_builds_leave_the_old_or_the_new_site_whole(corpus, tmp_path, mode):
    site = tmp_path / "site"
    subprocess.run(digest_cli("build", "--content", str(corpus), "--output", str(site), "--no-search"), check=True)
    rng = random.Random(7)
    entries = sorted(p for p in corpus.glob("*/*.yaml") if p.name != "digest.yaml")
    for round_ in range(KILLS):
        before = snapshot(site)
        entry = entries[rng.randrange(len(entries))]
        entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", f"headline: 第{round_}次", 1),
                         encoding="utf-8")
        extra = ["--clean"] if mode == "full" else []
        kill_after(digest_cli("build", "--content", str(corpus), "--output", str(site), "--no-search", *extra),
                   rng.uniform(0.05, 1.2))
        startup_recovery(site)
        after = snapshot(site)
        finished = tmp_path / f"reference-{round_}"
        subprocess.run(digest_cli("build", "--content", str(corpus), "--output", str(finished), "--no-search"),
                       check=True)
        new = snapshot(finished)
        odd = sorted(p for p in after.keys() | before.keys() | new.keys() if after.get(p) != before.get(p))
        assert after in (before, new), f"round {round_}: a mixed or partial site; differs from the old in {odd[:10]}"
        shutil.rmtree(finished)


def test_killed_ingests_leave_valid_content(tmp_path):
    rng = random.Random(11)
    for round_ in range(KILLS):
        content = tmp_path / f"content-{round_}"
        shutil.copytree(SEED_CONTENT, content)
        shutil.rmtree(content / "2026-01-04-jiangsu")
        before = snapshot(content)
        code = kill_after(digest_cli("ingest", str(SEED_ARTICLE), "--content", str(content)), rng.uniform(0.2, 1.5))
        after = snapshot(content)
        added = {path for path in after if path not in before}
        assert all(after[path] == before[path] for path in before if path in after)  # nothing changed or lost
        entries = {p for p in added if p.startswith("2026-01-04-jiangsu/")}
        assert not entries or len(entries) >= 14, f"round {round_}: half a digest ({len(entries)} files)"
        assert [p for p in problems_in(content) if not p.warning] == []
        if code == 0:
            assert len(entries) >= 14


def test_two_builds_at_once_do_not_interleave(corpus, tmp_path):
    site = tmp_path / "site"
    command = digest_cli("build", "--content", str(corpus), "--output", str(site), "--no-search", "--clean")
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.1)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    outputs = [first.communicate(timeout=300)[0], second.communicate(timeout=300)[0]]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert any("waiting for another build" in out for out in outputs), outputs
    reference = tmp_path / "reference"
    subprocess.run(digest_cli("build", "--content", str(corpus), "--output", str(reference), "--no-search"),
                   check=True)
    assert snapshot(site) == snapshot(reference)


def test_two_ingests_at_once_both_land(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    shutil.rmtree(content / "2026-01-04-jiangsu")
    commands = [digest_cli("ingest", str(SEED_ARTICLE), "--content", str(content), "--id", f"copy-{n}")
                for n in (1, 2)]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for c in commands]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    for n in (1, 2):
        assert len(list((content / f"copy-{n}").glob("*.yaml"))) == 14
    assert [p for p in problems_in(content) if not p.warning] == []
