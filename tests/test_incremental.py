"""Incremental builds: random edit sequences give output identical, file for file, to a clean build."""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from digest.build import build_site

from .conftest import SEED_CONTENT

ROOT = Path(__file__).resolve().parent.parent

DIGEST = "2026-01-04-jiangsu"
NEW_PLACES = {"kunshan": "昆山", "jiangyin": "江阴", "changshu": "常熟"}


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def assert_same_site(a: Path, b: Path) -> None:
    files = tree(a)
    assert files == tree(b)
    different = [f for f in files if not filecmp.cmp(a / f, b / f, shallow=False)]
    assert different == []


def entries(content: Path) -> list[Path]:
    return sorted(p for p in (content / DIGEST).glob("*.yaml") if p.name != "digest.yaml")


def edit_headline(content: Path, pick: int, text: str) -> None:
    path = entries(content)[pick % len(entries(content))]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(f"headline: {text}\n" if line.startswith("headline:") else line for line in lines),
                    encoding="utf-8")


def change_theme(content: Path, pick: int, theme: str) -> None:
    path = entries(content)[pick % len(entries(content))]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(f"theme: {theme}\n" if line.startswith("theme:") else line for line in lines),
                    encoding="utf-8")


def delete_entry(content: Path, pick: int, _: str) -> None:
    if len(entries(content)) > 2:
        entries(content)[pick % len(entries(content))].unlink()


def add_entry(content: Path, pick: int, text: str) -> None:
    slug = sorted(NEW_PLACES)[pick % len(NEW_PLACES)]
    source = entries(content)[0].read_text(encoding="utf-8")
    lines = [f"city: {NEW_PLACES[slug]}\n" if line.startswith("city:") else
             f"slug: {slug}\n" if line.startswith("slug:") else
             f"headline: {text}\n" if line.startswith("headline:") else line
             for line in source.splitlines(keepends=True)]
    (content / DIGEST / f"{slug}.yaml").write_text("".join(lines), encoding="utf-8")


def edit_template(content: Path, pick: int, text: str) -> None:
    theme = content / "theme"
    if not theme.exists():
        theme.mkdir()
        site = content / "site.yaml"
        site.write_text(site.read_text(encoding="utf-8") + "templates: theme\n", encoding="utf-8")
    name = ["entry.html", "city.html", "partials/footer.html"][pick % 3]
    target = theme / name
    target.parent.mkdir(parents=True, exist_ok=True)
    original = (Path(__file__).resolve().parent.parent / "templates" / name).read_text(encoding="utf-8")
    target.write_text(original.replace("</main>", f"<!-- {text} --></main>").replace(
        "<footer", f"<!-- {text} --><footer"), encoding="utf-8")


def edit_settings(content: Path, pick: int, text: str) -> None:
    site = content / "site.yaml"
    lines = site.read_text(encoding="utf-8").splitlines(keepends=True)
    site.write_text("".join(f"title: {text}\n" if line.startswith("title:") else line for line in lines),
                    encoding="utf-8")


EDITS = [edit_headline, change_theme, delete_entry, add_entry, edit_template, edit_settings]
words = st.text(alphabet="南京算力零工市场新年一二三abc", min_size=1, max_size=8)
edit = st.tuples(st.sampled_from(EDITS), st.integers(0, 20), words | st.sampled_from(["科创", "产业", "民生"]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(edit, min_size=1, max_size=4))
def test_incremental_output_equals_clean_build(tmp_path_factory, sequence):
    work = tmp_path_factory.mktemp("inc")
    content = work / "content"
    shutil.copytree(SEED_CONTENT, content)
    build_site(content, work / "site", search=False)
    for change, pick, text in sequence:
        if change is change_theme and text not in ("科创", "产业", "民生"):
            text = "民生"
        change(content, pick, text)
        build_site(content, work / "site", search=False)
        clean = work / f"clean-{len(list(work.iterdir()))}"
        build_site(content, clean, search=False, clean=True)
        assert_same_site(work / "site", clean)


def test_no_change_renders_nothing_and_one_entry_only_its_pages(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    first = build_site(content, tmp_path / "site", search=False)
    again = build_site(content, tmp_path / "site", search=False)
    assert again.incremental and again.files == 0
    edit_headline(content, 3, "新的标题")
    changed = build_site(content, tmp_path / "site", search=False)
    assert changed.incremental and 0 < changed.files < first.files // 3
    assert changed.parsed == 1


def test_a_killed_in_place_update_is_rolled_back(tmp_path, monkeypatch):
    """An incremental build that dies after replacing some pages leaves, at the next start, the old site."""
    from digest import state

    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    site = tmp_path / "site"
    build_site(content, site, search=False)
    before = {f: (site / f).read_bytes() for f in tree(site)}
    edit_headline(content, 0, "改过的标题")
    calls = []
    real_replace = state.Journal.replace

    def dying_replace(self, relative, data):
        calls.append(relative)
        if len(calls) == 3:
            raise KeyboardInterrupt  # stands for SIGKILL: nothing after this point runs
        real_replace(self, relative, data)

    monkeypatch.setattr(state.Journal, "replace", dying_replace)
    try:
        build_site(content, site, search=False)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    state.recover(site)
    assert {f: (site / f).read_bytes() for f in tree(site)} == before


def test_a_commit_whose_journal_clean_up_was_cut_short_is_not_rolled_back(tmp_path, monkeypatch):
    """After the commit, removing the journal may be killed half-way, its id already gone and some old
    pages still in it: the next start keeps the committed site instead of mixing old pages into it."""
    from digest import state

    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    site = tmp_path / "site"
    build_site(content, site, search=False)
    edit_headline(content, 0, "改过的标题")
    kept = {}

    def cut_short(path, ignore_errors=False):  # the clean-up, killed after deleting the id only
        if Path(path).name == "journal":
            (Path(path) / "id").unlink()
            kept["journal"] = Path(path)
        else:
            real_rmtree(path, ignore_errors=ignore_errors)

    real_rmtree = shutil.rmtree
    monkeypatch.setattr(shutil, "rmtree", cut_short)
    changed = build_site(content, site, search=False)
    monkeypatch.undo()
    old_pages = [p for p in (kept["journal"] / "old").rglob("*") if p.is_file()]
    assert changed.incremental and old_pages  # old copies of replaced pages are still in the journal
    committed = {f: (site / f).read_bytes() for f in tree(site)}
    state.recover(site)
    assert {f: (site / f).read_bytes() for f in tree(site)} == committed and not kept["journal"].exists()


@pytest.mark.parametrize("clean", [False, True], ids=["in-place", "full"])
def test_a_build_killed_after_saving_the_content_cache_leaves_no_stale_page(tmp_path, monkeypatch, clean):
    """The content cache's shards are written before the state that describes the pages: a build killed
    in between must not leave shards that claim an edit was seen while its pages are the old ones."""
    from digest import state

    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    site = tmp_path / "site"
    build_site(content, site, search=False)
    edit_headline(content, 0, "改过的标题")
    edited = entries(content)[0]
    os.utime(edited, ns=(edited.stat().st_mtime_ns - 10**10,) * 2)  # not racy: a cache may trust its stat

    def killed(*args, **kwargs):  # stands for SIGKILL: nothing after this point runs
        raise KeyboardInterrupt

    real_write = state.write_atomic
    monkeypatch.setattr(state, "write_atomic", lambda target, *a, **k: (
        killed() if Path(target).name == "state.pickle" else real_write(target, *a, **k)))
    if clean:  # a full build: killed where its read lets the old state go (before the fix: after saving shards)
        monkeypatch.setattr(state, "discard", killed)
    with pytest.raises(KeyboardInterrupt):
        build_site(content, site, search=False, clean=clean)
    monkeypatch.undo()
    build_site(content, site, search=False)
    build_site(content, tmp_path / "reference", search=False)
    assert_same_site(site, tmp_path / "reference")


def test_no_change_check_sees_edits_in_the_template_folder_site_yaml_names(tmp_path, monkeypatch):
    """The folder named by `templates:` (here outside the content folder) is remembered between builds
    rather than read from site.yaml each time; an edit in it, or to site.yaml, is still noticed."""
    from digest import state

    monkeypatch.setattr(state, "RACY_NS", 0)  # trust timestamps at once, so the no-change check runs
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    theme = tmp_path / "mytheme"
    theme.mkdir()
    page = theme / "404.html"
    page.write_text('{% extends "base.html" %}{% block main %}<h1>第一版</h1>{% endblock %}', encoding="utf-8")
    settings_file = content / "site.yaml"
    settings_file.write_text(settings_file.read_text(encoding="utf-8") + "templates: ../mytheme\n", encoding="utf-8")
    site = tmp_path / "site"
    build_site(content, site, search=False)
    assert build_site(content, site, search=False).files == 0
    page.write_text('{% extends "base.html" %}{% block main %}<h1>第二版</h1>{% endblock %}', encoding="utf-8")
    assert build_site(content, site, search=False).files > 0
    assert "第二版" in (site / "404.html").read_text(encoding="utf-8")
    settings_file.write_text(settings_file.read_text(encoding="utf-8").replace("templates: ../mytheme\n", ""),
                             encoding="utf-8")
    build_site(content, site, search=False)
    assert "第二版" not in (site / "404.html").read_text(encoding="utf-8")
    page.write_text("{{ broken", encoding="utf-8")  # no longer the site's template: no rebuild, no error
    assert build_site(content, site, search=False).files == 0


@pytest.fixture(scope="module")
def pooled_corpus(tmp_path_factory) -> Path:
    """600 synthetic entries: enough digest folders for the read to use its worker pool.  Read only."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import make_corpus

    from digest.content import PARALLEL_MIN_FOLDERS

    content = tmp_path_factory.mktemp("pooled") / "content"
    make_corpus.write(make_corpus.corpus(600, seed=5), content)
    assert len([p for p in content.iterdir() if p.is_dir()]) >= PARALLEL_MIN_FOLDERS
    return content


def test_a_clean_build_records_the_inputs_it_read_for_the_next_no_change_check(pooled_corpus, tmp_path, monkeypatch):
    """--clean reads everything anyway, so it signs the inputs from the stats its read (on worker
    processes here) took; the next build finds nothing changed without reading, and an edit is seen."""
    from digest import content as reading, state

    for module in (state, reading):  # trust timestamps at once: the no-change check runs, the cache is used
        monkeypatch.setattr(module, "RACY_NS", 0)
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(pooled_corpus, content)
    build_site(content, site, search=False, clean=True, workers=2)
    unchanged = build_site(content, site, search=False)
    assert unchanged.files == 0 and set(unchanged.phases) == {"check"}
    entry = sorted(p for p in content.glob("*/*.yaml") if p.name != "digest.yaml")[7]
    entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", "headline: 改", 1), encoding="utf-8")
    changed = build_site(content, site, search=False)
    assert changed.files > 0 and changed.parsed == 1


def test_the_read_runs_meanwhile_once_while_its_workers_read(pooled_corpus):
    """The build imports the renderer in `meanwhile` of the read: on the pool's path it runs while the
    workers are alive, on the serial path after the folders are read; once either way."""
    import multiprocessing

    from digest import content as reading

    for workers, alive in ((2, 2), (1, 0)):
        seen = []
        site = reading.read_site(pooled_corpus, workers=workers,
                                 meanwhile=lambda: seen.append(len(multiprocessing.active_children())))
        assert seen == [alive] and len(site.entries) == 600


def test_a_forked_process_shares_the_no_change_check(pooled_corpus, tmp_path, monkeypatch):
    """Big sites stat part of their files on a forked process: the signature is the one a single
    process works out, nothing changed is seen, an edit is seen, and a child that dies leaves its
    share to this process."""
    from digest import build, content as reading, forked, state

    for module in (state, reading):
        monkeypatch.setattr(module, "RACY_NS", 0)
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(pooled_corpus, content)
    build_site(content, site, search=False)
    flags = (None, False)
    alone = build.input_signature(content, "code", flags)
    monkeypatch.setattr(build, "SPLIT_CHECK_MIN_FOLDERS", 1)
    forks = []

    class Recorded(forked.ForkedCall):
        def __init__(self, function, folders):
            forks.append(len(folders))
            super().__init__(function, folders)

    monkeypatch.setattr(forked, "ForkedCall", Recorded)
    shared = build.input_signature(content, "code", flags)
    assert forks and 0 < forks[0] < len(shared[1])
    assert shared[0] == alone[0] and shared[1].keys() == alone[1].keys()
    assert build_site(content, site, search=False).files == 0
    entries = sorted(p for p in content.glob("*/*.yaml") if p.name != "digest.yaml")
    entries[3].write_text(entries[3].read_text(encoding="utf-8").replace("headline: ", "headline: 改", 1),
                          encoding="utf-8")
    changed = build_site(content, site, search=False)
    assert changed.incremental and changed.parsed == 1

    def die(folders):
        os._exit(3)

    monkeypatch.setattr(build, "_file_ids_in", die)
    entries[5].write_text(entries[5].read_text(encoding="utf-8").replace("headline: ", "headline: 新", 1),
                          encoding="utf-8")
    assert build_site(content, site, search=False).parsed == 1
    assert build_site(content, site, search=False).files == 0
    build_site(content, tmp_path / "clean", search=False, clean=True)
    assert_same_site(site, tmp_path / "clean")
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every forked process was reaped


def test_with_no_signature_to_compare_the_check_runs_beside_the_state_load(pooled_corpus, tmp_path, monkeypatch):
    """When the last build left no signature (a file had just changed), nothing-changed cannot be
    concluded: a forked process takes the whole check while the build loads its state; an edit is
    seen either way, and a child that dies leaves the check to this process."""
    from digest import build, content as reading, forked, state

    for module in (state, reading):
        monkeypatch.setattr(module, "RACY_NS", 0)
    monkeypatch.setattr(build, "LOAD_BESIDE_CHECK_MIN_STATE", 0)
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(pooled_corpus, content)
    build_site(content, site, search=False)
    beside = []

    class Recorded(forked.ForkedCall):
        def __init__(self, function, *args):
            beside.append(function.__name__)
            super().__init__(function, *args)

    monkeypatch.setattr(forked, "ForkedCall", Recorded)
    entries = sorted(p for p in content.glob("*/*.yaml") if p.name != "digest.yaml")
    for number, (pick, mark) in enumerate([(2, "改"), (4, "新")]):
        if number:
            monkeypatch.setattr(build, "_signature_to_send", lambda *args: os._exit(3))
        state.forget_inputs(site)
        entries[pick].write_text(entries[pick].read_text(encoding="utf-8").replace("headline: ", f"headline: {mark}", 1),
                                 encoding="utf-8")
        changed = build_site(content, site, search=False)
        assert beside[-1] in ("_signature_to_send", "<lambda>") and changed.incremental and changed.parsed == 1
    assert build_site(content, site, search=False).files == 0  # signed again: the no-change check is back
    build_site(content, tmp_path / "clean", search=False, clean=True)
    assert_same_site(site, tmp_path / "clean")
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
