"""A build stopped at every one of its file-system steps in turn leaves, after the next start's recovery,
the old or the new site whole, and a cache from which the next build makes exactly the new site; an
ingest stopped so leaves content that the next ingest brings up to date.

The random SIGKILLs of test_crash.py rarely land in a window a few system calls wide; this walks
them all: every write of a page or journal record, every file created, cut, deleted or renamed.  An exception raised at the step stands for the kill (clean-up handlers still run, which a
real kill skips; the SIGKILL tests cover those)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from digest import build as build_module
from digest.build import build_site
from digest.build.output import recover
from digest.build.place import place_of
from digest.ingest import ingest

from .conftest import SEED_ARTICLE, SEED_CONTENT
from .test_crash import snapshot
from .test_incremental import assert_same_site, edit_headline, entries

STEPS = ("write", "ftruncate", "replace", "rename", "unlink", "rmdir", "mkdir")
"""The os calls that change a file's bytes or what a folder holds (digest writes pages with os.write)."""

PACKAGE = str(Path(build_module.__file__).parent)

STOPS_TRIED = [0]
"""How many stops the tests of this run tried (benchmarks/hardening.py reports it)."""


class Steps:
    """Counts file-system steps, noting where in digest each was taken, and raises at the `stop`-th, once."""

    def __init__(self, stop: int | None = None):
        self.stop, self.taken, self.fired = stop, [], False

    def wrap(self, real):
        def step(*args, **kwargs):
            self.taken.append(_caller_in_package())
            if len(self.taken) == self.stop and not self.fired:
                self.fired = True
                raise KeyboardInterrupt
            return real(*args, **kwargs)
        return step

    def patch(self, monkeypatch) -> None:
        for name in STEPS:
            monkeypatch.setattr(os, name, self.wrap(getattr(os, name)))


def run_until_stopped(steps: Steps, action) -> None:
    """action() with its file-system steps counted; the stop, if it comes, ends it like a kill."""
    with pytest.MonkeyPatch.context() as patched:
        steps.patch(patched)
        try:
            action()
        except KeyboardInterrupt:
            pass


def _caller_in_package() -> str:
    """Where the step was taken: the chain of digest's own calls that led to it."""
    frame, chain = sys._getframe(2), []
    while frame:
        if frame.f_code.co_filename.startswith(PACKAGE):
            chain.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(chain) or "?"


def stops_worth_trying(taken: list[str]) -> list[int]:
    """Step numbers (from 1) to stop at: of the steps taken by the same chain of calls (page after page,
    shard after shard), the first two and the last; the windows between them are all alike.  Counted
    in STOPS_TRIED."""
    seen: dict[str, list[int]] = {}
    for number, where in enumerate(taken, 1):
        seen.setdefault(where, []).append(number)
    stops = sorted({number for numbers in seen.values() for number in (*numbers[:2], numbers[-1])})
    STOPS_TRIED[0] += len(stops)
    return stops


def edit_one_entry(content: Path) -> dict:
    edit_headline(content, 1, "改过的标题")
    return {}


def delete_one_entry(content: Path) -> dict:
    entries(content)[2].unlink()
    return {}


def edit_site_title(content: Path) -> dict:
    settings = content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    return {}


def edit_and_rebuild_clean(content: Path) -> dict:
    edit_headline(content, 1, "改过的标题")
    return {"clean": True}


def age(content: Path, seconds: int) -> None:
    """Date every content file back, so that caches trust their stats (no racy re-reads)."""
    then = time.time_ns() - seconds * 10**9
    for path in content.rglob("*"):
        os.utime(path, ns=(then, then))


def first_build(content: Path) -> dict:
    return {}


@pytest.mark.parametrize("change", [edit_one_entry, delete_one_entry, edit_site_title, edit_and_rebuild_clean,
                                    first_build],
                         ids=["one entry", "entry deleted", "site title (every page)", "--clean", "first build"])
def test_a_build_stopped_at_any_step_leaves_a_whole_site_and_a_true_cache(tmp_path, change):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    age(content, 100)
    site, new, base = tmp_path / "run" / "site", tmp_path / "reference" / "site", tmp_path / "base"
    cache = place_of(content, site).cache
    site.parent.mkdir(parents=True)
    if change is not first_build:  # the old site and its cache, put back before each run
        build_site(content, site, search=False, workers=1)
        shutil.copytree(site, base / "site", symlinks=True)
        shutil.copytree(cache, base / "cache")
    old = snapshot(base / "site") if base.exists() else {}
    options = change(content)
    age(content, 50)
    build_site(content, new, search=False, workers=1)
    news = snapshot(new)

    def run(steps: Steps) -> None:
        for folder, saved in ((site, base / "site"), (cache, base / "cache")):
            shutil.rmtree(folder, ignore_errors=True)
            if saved.exists():
                shutil.copytree(saved, folder, symlinks=True)
        with pytest.MonkeyPatch.context() as patched:  # a kill runs no clean-up: nothing is rolled back at once
            patched.setattr(build_module.output, "roll_back", lambda *args: [])
            run_until_stopped(steps, lambda: build_site(content, site, search=False, workers=1, **options))

    whole = Steps()
    run(whole)
    assert len(whole.taken) > 3 and "?" not in whole.taken, "the build's steps are not being counted"
    assert_same_site(site, new)
    for stop in stops_worth_trying(whole.taken):
        steps = Steps(stop)
        run(steps)
        assert steps.fired and steps.taken[:stop] == whole.taken[:stop], f"step {stop} was not reached the same way"
        recover(site)
        after = snapshot(site) if site.exists() else {}
        assert after in (old, news), f"stopped at {whole.taken[stop - 1]}: a mixed or partial site"
        build_site(content, site, search=False, workers=1)
        assert_same_site(site, new)


def test_a_reingest_stopped_at_any_step_takes_no_file_for_a_persons_edit(tmp_path):
    """Re-ingesting a corrected article replaces files one by one; stopped between two, the next ingest
    of a later correction must still know every file as ingest's own and bring all of them up to date."""
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    versions = [tmp_path / f"version-{n}.txt" for n in range(3)]
    for path, unit in zip(versions, ("亿元", "万元", "千元")):
        path.write_text(text.replace("亿元", unit), encoding="utf-8")
    first, corrected, corrected_again = (str(path) for path in versions)
    base, content, reference = tmp_path / "base", tmp_path / "run", tmp_path / "reference"
    ingest(first, base)
    shutil.copytree(base, reference)
    ingest(corrected, reference)
    assert sum(snapshot(base).get(path) != digest for path, digest in snapshot(reference).items()) >= 3
    ingest(corrected_again, reference)
    expected = snapshot(reference)

    def run(steps: Steps) -> None:
        shutil.rmtree(content, ignore_errors=True)
        shutil.copytree(base, content)
        run_until_stopped(steps, lambda: ingest(corrected, content))

    whole = Steps()
    run(whole)
    assert len(whole.taken) > 3
    for stop in stops_worth_trying(whole.taken):
        run(Steps(stop))
        report = ingest(corrected_again, content)
        assert report.kept == [], f"stopped at {whole.taken[stop - 1]}: {report.kept} taken for edits"
        assert snapshot(content) == expected
