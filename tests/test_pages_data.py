"""Open data on the site (issue 20): data/entries.json and .csv for the whole site and per digest, the
JSON Schema they follow, linked from the about page and each digest page."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup

from digest import content as reading
from digest.build import build_site
from digest.opendata import flat_records

from .test_reader_site import reader_content, reader_model, reader_site  # noqa: F401 - fixtures

FILES = ["data/entries.json", "data/entries.csv", "data/entries.schema.json"]


def records(site: Path, relative: str) -> list[dict]:
    return json.loads((site / relative).read_text(encoding="utf-8"))


def test_the_json_validates_against_the_published_schema(reader_site, reader_model):
    schema = json.loads((reader_site / "data/entries.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    everything = records(reader_site, "data/entries.json")
    jsonschema.Draft202012Validator(schema).validate(everything)
    assert len(everything) == len(reader_model.entries)
    for digest in reader_model.digests:
        own = records(reader_site, f"digests/{digest.id}/entries.json")
        jsonschema.Draft202012Validator(schema).validate(own)
        assert {r["digest"] for r in own} == {digest.id}
        assert len(own) == sum(e.digest_id == digest.id for e in reader_model.entries)
    assert all((reader_site / r["url"]).exists() for r in everything)


def test_the_csv_round_trips_through_the_csv_module(reader_site, reader_model):
    for relative, entries in [("data/entries.csv", reader_model.entries)] + [
            (f"digests/{d.id}/entries.csv", [e for e in reader_model.entries if e.digest_id == d.id])
            for d in reader_model.digests]:
        data = (reader_site / relative).read_bytes()
        assert data.startswith("\ufeff".encode("utf-8")), relative  # spreadsheet programs read it as UTF-8
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert rows == flat_records(entries), relative


def test_open_data_is_byte_identical_across_two_builds(reader_content, reader_model, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build_site(reader_content, first, search=False)
    build_site(reader_content, second, search=False)
    paths = FILES + [f"digests/{d.id}/entries.{kind}" for d in reader_model.digests for kind in ("json", "csv")]
    assert all((first / p).read_bytes() == (second / p).read_bytes() for p in paths)


@pytest.mark.parametrize("page", ["about/index.html", "digests/2026-01-04-jiangsu/index.html"])
def test_the_about_page_and_each_digest_page_link_the_files_and_schema(seed_site, page):
    doc = BeautifulSoup((seed_site / page).read_text(encoding="utf-8"), "html.parser")
    folder = (seed_site / page).parent
    targets = {(folder / a["href"]).resolve().relative_to(seed_site.resolve()).as_posix() for a in doc.select("#data a")}
    assert set(FILES) <= targets
    if page.startswith("digests/"):
        assert {"digests/2026-01-04-jiangsu/entries.json", "digests/2026-01-04-jiangsu/entries.csv"} <= targets


def test_an_edited_entry_changes_its_records_in_both_files(seed_content, tmp_path):
    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    nanjing = seed_content / "2026-01-04-jiangsu" / "nanjing.yaml"
    nanjing.write_text(nanjing.read_text(encoding="utf-8").replace("headline: ", "headline: 改", 1), encoding="utf-8")
    build_site(seed_content, site, search=False)
    model = reading.read_site(seed_content)
    headline = next(e.headline for e in model.entries if e.slug == "nanjing")
    for relative in ("data/entries.json", "digests/2026-01-04-jiangsu/entries.json"):
        assert headline in {r["headline"] for r in records(site, relative)}


def test_the_site_files_are_every_entry_converted_though_made_from_the_digests_files(reader_site, reader_model):
    from digest import opendata

    assert (reader_site / "data/entries.json").read_bytes() == opendata.entries_json(reader_model.entries)
    assert (reader_site / "data/entries.csv").read_bytes() == opendata.entries_csv(reader_model.entries)


def test_a_digest_file_changed_by_hand_is_not_joined_into_the_site_files(seed_content, tmp_path):
    """The site's files join the digests' files read back from the output: one that is not what
    digest wrote (edited, deleted) must not leak in; the site's files are then converted whole."""
    import shutil

    from digest import opendata

    copy = seed_content / "2026-01-05-jiangsu"  # a second digest, whose edit leaves the first's files alone
    shutil.copytree(seed_content / "2026-01-04-jiangsu", copy)
    for path in copy.glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("2026-01-04-jiangsu", copy.name), encoding="utf-8")
    site = tmp_path / "site"
    build_site(seed_content, site, search=False)
    own = site / "digests/2026-01-04-jiangsu/entries.json"
    own.write_bytes(own.read_bytes().replace("南京".encode(), "北京".encode()))
    (site / "digests/2026-01-04-jiangsu/entries.csv").unlink()
    wuxi = copy / "wuxi.yaml"
    wuxi.write_text(wuxi.read_text(encoding="utf-8").replace("headline: ", "headline: 改", 1), encoding="utf-8")
    build_site(seed_content, site, search=False)
    assert "北京".encode() in own.read_bytes()  # not re-rendered: the check below is the join's
    entries = reading.read_site(seed_content).entries
    assert (site / "data/entries.json").read_bytes() == opendata.entries_json(entries)
    assert (site / "data/entries.csv").read_bytes() == opendata.entries_csv(entries)
