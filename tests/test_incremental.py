"""Incremental builds: random edit sequences give output identical, file for file, to a clean build."""

from __future__ import annotations

import filecmp
import os
import re
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
    """The files of a site (a journal still in it aside: it is the build's, not the site's)."""
    return sorted(path for p in folder.rglob("*") if p.is_file()
                  and not (path := p.relative_to(folder).as_posix()).startswith(".digest/journal/"))


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


def _with_block(text: str, key: str, item: str) -> str:
    """The entry's text with `item` (a YAML list item) first in its `key:` list, made if missing."""
    if f"\n{key}:\n" in text:
        return text.replace(f"\n{key}:\n", f"\n{key}:\n{item}", 1)
    return text.rstrip("\n") + f"\n{key}:\n{item}"


def edit_people(content: Path, pick: int, text: str) -> None:
    """Name someone (a new name, or 王剑锋, whom 常州 already names: the same name in another place),
    rename an official, or change a title: person pages appear, vanish and change."""
    path = entries(content)[pick % len(entries(content))]
    source = path.read_text(encoding="utf-8")
    kind = pick % 4
    if kind < 2 or "\npeople:\n" not in source:
        name = text if kind % 2 else "王剑锋"
        if f"- name: {name}\n" not in source:
            source = _with_block(source, "people", f"- name: {name}\n  title: 市长\n")
    else:
        field = "name" if kind == 2 else "title"
        source = re.sub(r"(\npeople:\n- name: [^\n]*\n(?:  title: [^\n]*\n)?)", lambda m: re.sub(
            rf"((?:- |  ){field}: )[^\n]*", lambda f: f.group(1) + text, m.group(1), count=1), source, count=1)
    path.write_text(source, encoding="utf-8")


def edit_figures(content: Path, pick: int, text: str) -> None:
    """Relabel or revalue a figure, or give an entry one: the digest's table and the cards change."""
    path = entries(content)[pick % len(entries(content))]
    source = path.read_text(encoding="utf-8")
    if pick % 3 == 0 or "\nfigures:\n" not in source:
        source = _with_block(source, "figures", f"- value: {pick + 1}\n  unit: 个\n  label: {text}\n")
    elif pick % 3 == 1:
        source = re.sub(r"\n  label: [^\n]*", f"\n  label: {text}", source, count=1)
    else:
        source = re.sub(r"\n- value: [^\n]*", f"\n- value: {pick * 7 + 0.5}", source, count=1)
    path.write_text(source, encoding="utf-8")


EDITS = [edit_headline, change_theme, delete_entry, add_entry, edit_template, edit_settings, edit_people,
         edit_figures]
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
    assert again.rendered == again.written == 0
    edit_headline(content, 3, "新的标题")
    changed = build_site(content, tmp_path / "site", search=False)
    assert 0 < changed.written <= changed.rendered < first.rendered // 3
    assert changed.parsed == 1


def _killed(*args, **kwargs):
    raise KeyboardInterrupt  # stands for SIGKILL: nothing after this point runs


def _seed_site(tmp_path: Path) -> tuple[Path, Path]:
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SEED_CONTENT, content)
    build_site(content, site, search=False)
    return content, site


def _files(site: Path) -> dict[str, bytes]:
    return {f: (site / f).read_bytes() for f in tree(site)}


@pytest.mark.parametrize("killed", [False, True], ids=["failed", "killed"])
def test_a_build_stopped_half_way_leaves_the_old_site(tmp_path, monkeypatch, killed):
    """A build that fails after writing some pages rolls them back before it returns; one killed there
    (no clean-up runs) is rolled back by the next start."""
    from digest.build import output

    content, site = _seed_site(tmp_path)
    before = _files(site)
    edit_headline(content, 0, "改过的标题")
    calls = []
    real_write = output.Journal.write

    def dying_write(self, relative, data):
        calls.append(relative)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_write(self, relative, data)

    monkeypatch.setattr(output.Journal, "write", dying_write)
    if killed:
        monkeypatch.setattr(output, "roll_back", lambda *args: [])
    with pytest.raises(KeyboardInterrupt):
        build_site(content, site, search=False)
    monkeypatch.undo()
    assert len(calls) == 3 and (_files(site) != before) == killed
    output.recover(site)
    assert _files(site) == before


def test_a_commit_whose_journal_clean_up_was_cut_short_is_not_rolled_back(tmp_path, monkeypatch):
    """After the commit (the manifest names the build), deleting its journal may be killed: the next
    start keeps the committed site instead of mixing old pages into it."""
    from digest.build import output

    content, site = _seed_site(tmp_path)
    edit_headline(content, 0, "改过的标题")
    real_rmtree = shutil.rmtree
    monkeypatch.setattr(output.shutil, "rmtree", lambda path, **k: None if "journal" in str(path) else real_rmtree(path, **k))
    build_site(content, site, search=False)
    monkeypatch.undo()
    journals = list((site / ".digest" / "journal").iterdir())
    assert journals and any(log for journal in journals for log in journal.glob("*.log"))  # old pages kept
    committed = _files(site)
    assert output.recover(site) == []
    assert _files(site) == committed and not any(journal.exists() for journal in journals)


@pytest.mark.parametrize("clean", [False, True], ids=["incremental", "--clean"])
def test_a_build_killed_before_saving_its_state_leaves_no_stale_page(tmp_path, monkeypatch, clean):
    """The output is committed before the cache that describes it is saved, and the last build's cache
    is let go before the output changes: a build killed in between leaves no cache that claims an edit
    was shown, so the next build makes exactly the new site."""
    from digest.build import cache

    content, site = _seed_site(tmp_path)
    edit_headline(content, 0, "改过的标题")
    edited = entries(content)[0]
    os.utime(edited, ns=(edited.stat().st_mtime_ns - 10**10,) * 2)  # not racy: a cache may trust its stat
    real_write = cache.write_atomic
    monkeypatch.setattr(cache, "write_atomic", lambda target, *a, **k: (
        _killed() if Path(target).name == "state.pickle" else real_write(target, *a, **k)))
    with pytest.raises(KeyboardInterrupt):
        build_site(content, site, search=False, clean=clean)
    monkeypatch.undo()
    build_site(content, site, search=False)
    build_site(content, tmp_path / "reference", search=False)
    assert_same_site(site, tmp_path / "reference")


def test_no_change_check_sees_edits_in_the_template_folder_site_yaml_names(tmp_path, monkeypatch):
    """The folder named by `templates:` (here beside the content folder) is remembered between builds
    rather than read from site.yaml each time; an edit in it, or to site.yaml, is still noticed."""
    from digest.build import cache, changes

    for module in (changes, cache):
        monkeypatch.setattr(module, "RACY_NS", 0)  # trust timestamps at once, so the no-change check runs
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
    assert build_site(content, site, search=False).rendered == 0
    page.write_text('{% extends "base.html" %}{% block main %}<h1>第二版</h1>{% endblock %}', encoding="utf-8")
    assert build_site(content, site, search=False).written > 0
    assert "第二版" in (site / "404.html").read_text(encoding="utf-8")
    settings_file.write_text(settings_file.read_text(encoding="utf-8").replace("templates: ../mytheme\n", ""),
                             encoding="utf-8")
    build_site(content, site, search=False)
    assert "第二版" not in (site / "404.html").read_text(encoding="utf-8")
    page.write_text("{{ broken", encoding="utf-8")  # no longer the site's template: no rebuild, no error
    assert build_site(content, site, search=False).rendered == 0


@pytest.fixture(scope="module")
def pooled_corpus(tmp_path_factory) -> Path:
    """600 synthetic entries: enough digest folders for the read to use its workers.  Read only."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import make_corpus

    from digest.build import READ_IN_PARALLEL

    content = tmp_path_factory.mktemp("pooled") / "content"
    make_corpus.write(make_corpus.corpus(600, seed=5), content)
    assert len([p for p in content.iterdir() if p.is_dir()]) >= READ_IN_PARALLEL
    return content


def test_reading_on_workers_gives_the_same_site_and_memo(pooled_corpus):
    """The read stage run through forked workers' map gives what it gives on this process alone."""
    from digest import content as reading
    from digest.build.cache import ContentCache
    from digest.build.workers import Workers
    from digest.errors import display_path

    memos = [ContentCache(pooled_corpus, display_path(pooled_corpus)) for _ in range(2)]
    sites = [reading.read_site(pooled_corpus, memo=memo, map=spread) for memo, spread in zip(memos, (map, Workers(2)))]
    assert sites[0] == sites[1] and len(sites[0].entries) == 600
    assert memos[0].current.keys() == memos[1].current.keys()


def test_a_clean_build_on_workers_leaves_a_cache_the_next_builds_trust(pooled_corpus, tmp_path, monkeypatch):
    """--clean reads everything (on worker processes here); the next build finds nothing changed
    without reading, and an edit is seen and read alone."""
    from digest.build import cache, changes

    for module in (changes, cache):
        monkeypatch.setattr(module, "RACY_NS", 0)
    content, site = tmp_path / "content", tmp_path / "site"
    shutil.copytree(pooled_corpus, content)
    build_site(content, site, search=False, clean=True, workers=2)
    unchanged = build_site(content, site, search=False)
    assert unchanged.rendered == 0 and set(unchanged.phases) == {"check"}
    entry = sorted(p for p in content.glob("*/*.yaml") if p.name != "digest.yaml")[7]
    entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", "headline: 改", 1), encoding="utf-8")
    changed = build_site(content, site, search=False)
    assert changed.written > 0 and changed.parsed == 1
    build_site(content, tmp_path / "clean", search=False, clean=True)
    assert_same_site(site, tmp_path / "clean")


def test_every_page_of_a_city_follows_an_edit_of_its_newest_entry(tmp_path):
    """A city's pages are all headed by its newest entry's place (name, province, code): after an edit
    of that entry, the pages after the first equal a clean build's too."""
    content = tmp_path / "content"
    shutil.copytree(SEED_CONTENT, content)
    for day in ("2026-01-05", "2026-01-06"):  # three digests: each city gets a page per digest
        copy = content / f"{day}-jiangsu"
        shutil.copytree(content / DIGEST, copy)
        for path in copy.glob("*.yaml"):
            path.write_text(path.read_text(encoding="utf-8").replace("2026-01-04", day), encoding="utf-8")
    settings = content / "site.yaml"
    settings.write_text(re.sub(r"(?m)^per_page: .*$", "per_page: 1", settings.read_text(encoding="utf-8")),
                        encoding="utf-8")
    site, clean = tmp_path / "site", tmp_path / "clean"
    build_site(content, site, search=False)
    newest = content / "2026-01-06-jiangsu" / "nanjing.yaml"
    newest.write_text(newest.read_text(encoding="utf-8").replace("code: '320100'", "code: '320199'"), encoding="utf-8")
    build_site(content, site, search=False)
    build_site(content, clean, search=False)
    assert "320199" in (site / "cities/nanjing/page/3/index.html").read_text(encoding="utf-8")
    assert_same_site(site, clean)
