"""The search index without a browser: records, bundles, the service client, and how builds and
`serve` publish the index (search.py, build.publish / publish_index)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from digest import content, search
from digest.content import read_site
from digest.build import SEARCH_FOLDER, build_site, publish_index
from digest.build.output import read_manifest

from .conftest import SEED_CONTENT

needs_pagefind = pytest.mark.skipif(not search.available(), reason="Pagefind (extended) is not installed")


@pytest.fixture(scope="module")
def seed_model():
    return content.read_site(SEED_CONTENT)


def test_one_record_per_entry_and_digest(seed_model):
    found = search.records(seed_model)
    assert len(found) == len(seed_model.entries) + len(seed_model.digests)
    urls = [record["url"] for record in found]
    assert len(set(urls)) == len(urls)
    assert "digests/2026-01-04-jiangsu/changzhou/" in urls and "digests/2026-01-04-jiangsu/" in urls


def test_an_entry_record_holds_what_readers_look_for(seed_model):
    changzhou = next(r for r in search.records(seed_model) if r["url"].endswith("/changzhou/"))
    assert changzhou["language"] == "zh-cn"
    assert changzhou["filters"] == {"city": ["常州"], "theme": ["科创"], "date": ["2026-01-04"], "people": ["王剑锋"]}
    assert changzhou["meta"] == {"title": "常州走出了另一条特色路径", "city": "常州", "theme": "科创", "date": "2026-01-04"}
    text = changzhou["content"]
    assert text.startswith("常州走出了另一条特色路径。市委书记王剑锋。同样瞄准人工智能")  # the city is not doubled
    assert "灯塔工厂" in text and "**" not in text and "\n" not in text


def test_a_headline_without_its_city_gets_it(seed_model):
    for record in search.records(seed_model):
        meta = record["meta"]
        if "city" in meta:
            assert meta["title"].startswith(meta["city"]), meta


def test_plain_text_is_what_the_page_shows():
    assert search.plain_text("**加粗**开头。\n\n- 第一项\n- 第二项") == "加粗开头。 第一项 第二项"
    assert search.plain_text("见[报道](https://example.org)与 `代码` &amp;") == "见报道与 代码 &"  # as the page shows it
    assert search.plain_text("") == ""


def test_the_key_follows_the_records(seed_model):
    found = search.records(seed_model)
    assert search.key(found) == search.key(search.records(seed_model))
    changed = [dict(found[0], content=found[0]["content"] + "改")] + found[1:]
    assert search.key(changed) != search.key(found)


def test_cbor_strings_are_all_found():
    # {0: "1.4.0", 1: [["zh-cn_abc", 12]], 2: [_ "a", "b" ]} with an indefinite-length array
    data = bytes([0xA3, 0x00, 0x65]) + b"1.4.0" + bytes([0x01, 0x81, 0x82, 0x69]) + b"zh-cn_abc" + bytes([0x0C]) \
        + bytes([0x02, 0x9F, 0x61]) + b"a" + bytes([0x61]) + b"b" + bytes([0xFF])
    found: set[str] = set()
    assert search._cbor_strings(data, 0, found) == len(data)
    assert found == {"1.4.0", "zh-cn_abc", "a", "b"}


@needs_pagefind
def test_a_bundle_is_what_pagefind_writes_less_its_ui(tmp_path, seed_model):
    found = search.records(seed_model)
    bundle = search.make_bundle(found, tmp_path / "bundle")
    written = {p.relative_to(bundle.folder).as_posix() for p in bundle.folder.rglob("*") if p.is_file()}
    ui = {name for name in written if name.startswith("pagefind-") and name != "pagefind-entry.json"}
    assert set(bundle.files) == written - ui
    assert bundle.files[-2:] == ["pagefind-entry.json", search.KEY_FILE] and bundle.files[0].startswith("fragment/")
    assert sum(name.startswith("fragment/") for name in bundle.files) == len(found)
    assert search.live_key(bundle.folder) == bundle.key == search.key(found)


@needs_pagefind
def test_a_bundle_made_again_reuses_the_last_ones_files_and_equals_a_fresh_one(tmp_path, seed_model):
    found = search.records(seed_model)
    first = search.make_bundle(found, tmp_path / "first")
    edited = [dict(found[0], content=found[0]["content"] + "新增的一句话。")] + found[1:]
    again = search.make_bundle(edited, tmp_path / "again", reuse=first.folder)
    fresh = search.make_bundle(edited, tmp_path / "fresh")
    assert again.files == fresh.files
    for name in again.files:
        assert (again.folder / name).read_bytes() == (fresh.folder / name).read_bytes(), name
    linked = [n for n in again.files if n.startswith("fragment/") and (first.folder / n).exists()]
    assert len(linked) == len(found) - 1  # every fragment but the edited one came from the first bundle
    assert (again.folder / linked[0]).stat().st_ino == (first.folder / linked[0]).stat().st_ino
    stale = set(f"fragment/{p.name}" for p in (again.folder / "fragment").iterdir()) - set(again.files)
    assert len(stale) == 1  # the edited entry's old fragment is there, and not part of the bundle


@needs_pagefind
def test_an_empty_site_gets_an_empty_index(tmp_path):
    bundle = search.make_bundle([], tmp_path / "empty")
    assert "pagefind-entry.json" in bundle.files and not any(n.startswith("fragment/") for n in bundle.files)


@needs_pagefind
def test_the_service_reports_errors_and_a_stopped_service(tmp_path):
    with search.Service() as service:
        with pytest.raises(search.ServiceError):
            service.call({"type": "AddRecord", "index_id": 99, "url": "x/", "content": "x", "language": "zh-cn"})
        index = service.call({"type": "NewIndex", "config": None})["index_id"]
        assert service.call({"type": "AddRecord", "index_id": index, "url": "x/", "content": "文字",
                             "language": "zh-cn"})["type"] == "IndexedFile"
    with pytest.raises(search.ServiceError, match="stopped"):
        service.call({"type": "NewIndex", "config": None})


@needs_pagefind
def test_a_build_indexes_the_records_and_publishes_them_through_its_manifest(tmp_path):
    site = tmp_path / "site"
    build_site(SEED_CONTENT, site)
    _, owned = read_manifest(site)
    on_disk = {p.relative_to(site).as_posix() for p in (site / SEARCH_FOLDER).rglob("*") if p.is_file()}
    assert on_disk == {path for path in owned if path.startswith(SEARCH_FOLDER + "/")}
    assert search.live_key(site / SEARCH_FOLDER) == search.key(search.records(content.read_site(SEED_CONTENT)))


@needs_pagefind
def test_a_template_edit_keeps_the_index_and_a_content_edit_makes_it_again(tmp_path, seed_content, monkeypatch):
    site = tmp_path / "site"
    build_site(seed_content, site)
    key = search.live_key(site / SEARCH_FOLDER)
    themes = seed_content / "templates"
    (themes).mkdir()
    (themes / "entry.html").write_text("{% extends 'base.html' %}{% block main %}<p>{{ entry.headline }}</p>"
                                       "{% endblock %}", encoding="utf-8")
    (seed_content / "site.yaml").write_text((seed_content / "site.yaml").read_text(encoding="utf-8")
                                            + "templates: templates\n", encoding="utf-8")
    made = []
    real = search.make_bundle
    monkeypatch.setattr(search, "make_bundle", lambda *a, **k: made.append(1) or real(*a, **k))
    result = build_site(seed_content, site)
    assert result.rendered > 10 and made == [] and search.live_key(site / SEARCH_FOLDER) == key
    entry = seed_content / "2026-01-04-jiangsu" / "nanjing.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", "headline: 改写", 1), encoding="utf-8")
    build_site(seed_content, site)
    assert made == [1] and search.live_key(site / SEARCH_FOLDER) not in ("", key)


@needs_pagefind
def test_a_build_with_search_after_one_without_brings_the_index_up_to_date(tmp_path, seed_content):
    site = tmp_path / "site"
    build_site(seed_content, site)
    entry = seed_content / "2026-01-04-jiangsu" / "nanjing.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", "headline: 改写", 1), encoding="utf-8")
    build_site(seed_content, site, search=False)
    before = search.live_key(site / SEARCH_FOLDER)
    build_site(seed_content, site)  # no page changes now, but the index is behind the pages
    expected = search.key(search.records(read_site(seed_content)))
    assert before != expected and search.live_key(site / SEARCH_FOLDER) == expected


def test_without_pagefind_the_build_says_so_once_and_so_does_the_search_page(tmp_path, monkeypatch, capsys):
    from digest.cli import main

    monkeypatch.setattr(search, "unavailable", lambda: search.OFF_NOTE)
    site = tmp_path / "site"
    assert main(["build", "--content", str(SEED_CONTENT), "--output", str(site)]) == 0
    err = capsys.readouterr().err
    assert err.count("search is off") == 1 and "pip install -e ." in err and "--no-search" not in err
    assert sorted(p.name for p in (site / SEARCH_FOLDER).rglob("*") if p.is_file()) == ["pagefind.js"]
    assert "digestSearchOff" in (site / SEARCH_FOLDER / "pagefind.js").read_text(encoding="utf-8")


@needs_pagefind
def test_deferred_builds_keep_the_index_and_publish_index_brings_it_up_to_date(tmp_path, seed_content):
    site = tmp_path / "site"
    build_site(seed_content, site)
    old_key = search.live_key(site / SEARCH_FOLDER)
    entry = seed_content / "2026-01-04-jiangsu" / "nanjing.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("headline: ", "headline: 改写", 1), encoding="utf-8")
    with search.deferred() as handoff:
        build_site(seed_content, site)
    assert handoff.site is not None and search.live_key(site / SEARCH_FOLDER) == old_key
    assert "改写" in (site / "digests" / "2026-01-04-jiangsu" / "nanjing" / "index.html").read_text(encoding="utf-8")

    found = search.records(handoff.site)
    bundle = search.make_bundle(found, tmp_path / "next", reuse=site / SEARCH_FOLDER)
    assert publish_index(seed_content, site, bundle) is True
    assert publish_index(seed_content, site, bundle) is False  # already there
    assert search.live_key(site / SEARCH_FOLDER) == bundle.key
    _, owned = read_manifest(site)
    on_disk = {p.relative_to(site).as_posix() for p in (site / SEARCH_FOLDER).rglob("*") if p.is_file()}
    assert on_disk == {path for path in owned if path.startswith(SEARCH_FOLDER + "/")}
    assert build_site(seed_content, site).summary().startswith("nothing changed")  # the cache followed the manifest

    (seed_content / "2026-01-04-jiangsu" / "wuxi.yaml").write_text(
        (seed_content / "2026-01-04-jiangsu" / "wuxi.yaml").read_text(encoding="utf-8").replace(
            "headline: ", "headline: 再改", 1), encoding="utf-8")
    with search.deferred():
        assert build_site(seed_content, site).rendered < 20  # an incremental build (a full one renders 40)


def test_records_of_the_benchmark_corpus_have_unique_urls(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import make_corpus

    make_corpus.write(make_corpus.corpus(200, seed=5), tmp_path / "content")
    found = search.records(content.read_site(tmp_path / "content"))
    assert len({r["url"] for r in found}) == len(found)
    assert all(json.dumps(r, ensure_ascii=False) for r in found)
    shutil.rmtree(tmp_path / "content")
