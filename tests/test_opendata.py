"""Open data: entries.json validates against the published schema, entries.csv reads back to the same
flat records, both are the same bytes every time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import opendata, schema
from digest.content import read_site
from digest.model import Entry, Figure, Person, SourceRef
from digest.plan import entry_path

from .conftest import SEED_CONTENT


@pytest.fixture(scope="module")
def seed_entries() -> list[Entry]:
    return list(read_site(SEED_CONTENT).entries)


def made_entry(slug: str, **fields) -> Entry:
    values = dict(city="南京", slug=slug, code="320100", province="江苏省", theme="科创", date=dt.date(2026, 1, 4),
                  headline="标题", body="正文", source=SourceRef("2026-01-04-test", (6, 7), "第一句"))
    return Entry(**{**values, **fields})


FULL = made_entry(
    "full", parent="", summary="摘要", image_credit="南京发布",
    people=(Person("王剑锋", "市委书记"), Person("李四", "")),
    figures=(Figure(2.7, "万亿元", "规上工业总产值", "总产值2.7万亿元"), Figure(-3, "%", "降幅", ""), Figure(13800.0, "PFLOPS")),
    events=("大会;一", "推进会\u3000二"))
BARE = made_entry("bare", source=None, date=None)
HOSTILE = made_entry("hostile", headline='=HYPERLINK("http://x","点")', summary="+1", body="-  列表\r\n第二行,\"引号\"",
                     events=("@SUM(A1)",))


def validator() -> jsonschema.Draft202012Validator:
    published = json.loads(opendata.json_schema_bytes())
    jsonschema.Draft202012Validator.check_schema(published)
    return jsonschema.Draft202012Validator(published, format_checker=jsonschema.FormatChecker())


def test_the_json_validates_against_the_published_schema(seed_entries):
    entries = seed_entries + [FULL, BARE, HOSTILE]
    data = json.loads(opendata.entries_json(entries))
    validator().validate(data)
    assert len(data) == len(entries)
    assert data == opendata.entry_records(entries)


def test_the_schema_refuses_what_is_not_a_record(seed_entries):
    record = opendata.entry_records(seed_entries[:1])[0]
    check = validator()
    for broken in ({k: v for k, v in record.items() if k != "url"}, {**record, "extra": 1},
                   {**record, "date": "4 January"}, {**record, "figures": [{"unit": "座"}]}):
        assert not check.is_valid([broken])


def test_the_schema_is_the_models_declaration_plus_url_and_digest():
    items = opendata.json_schema()["items"]
    assert list(items["properties"]) == [*schema.names(Entry), "url", "digest"]
    assert items["required"] == [*schema.required(Entry), "url", "digest"]
    assert items["properties"]["people"] == schema.json_schema(Entry)["properties"]["people"]


def test_records_are_the_entries_with_their_page_and_digest(seed_entries):
    for entry, record in zip(sorted(seed_entries, key=lambda e: e.source.paragraphs[0]),
                             opendata.entry_records(seed_entries)):
        assert record == {**schema.to_data(entry), "url": entry_path(entry), "digest": entry.digest_id}


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_csv_reads_back_to_the_same_flat_records(seed_entries):
    entries = seed_entries + [FULL, BARE, HOSTILE]
    data = opendata.entries_csv(entries)
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    rows = read_csv(data)
    assert rows == opendata.flat_records(entries)
    assert len(rows) == len(entries) and all(rows[0].keys() == row.keys() for row in rows)


def test_nested_values_become_readable_columns():
    (row,) = opendata.flat_records([FULL])
    assert row["people.name"] == "王剑锋\n李四" and row["people.title"] == "市委书记\n"
    assert row["figures.value"] == "2.7\n-3\n13800" and row["figures.unit"] == "万亿元\n%\nPFLOPS"
    assert row["figures.label"] == "规上工业总产值\n降幅\n"
    assert row["events"] == "大会;一\n推进会\u3000二"
    assert (row["source.digest"], row["source.paragraphs"], row["source.quote"]) == ("2026-01-04-test", "6 7", "第一句")
    assert (row["url"], row["digest"], row["date"]) == ("digests/2026-01-04-test/full/index.html", "2026-01-04-test",
                                                        "2026-01-04")
    (bare,) = opendata.flat_records([BARE])
    assert bare["people.name"] == bare["source.paragraphs"] == bare["date"] == ""


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused_in_the_csv_only():
    (row,) = read_csv(opendata.entries_csv([HOSTILE]))
    assert row["headline"] == "'" + HOSTILE.headline and row["summary"] == "'+1" and row["events"] == "'@SUM(A1)"
    assert row["body"] == "'" + HOSTILE.body
    (record,) = json.loads(opendata.entries_json([HOSTILE]))
    assert record["headline"] == HOSTILE.headline
    (full,) = read_csv(opendata.entries_csv([FULL]))
    assert full["figures.value"].split("\n")[1] == "-3"  # numbers are never touched


def test_the_same_entries_give_the_same_bytes_in_any_order(seed_entries):
    entries = seed_entries + [FULL, BARE, HOSTILE]
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    for write in (opendata.entries_json, opendata.entries_csv):
        assert write(entries) == write(entries) == write(shuffled)
    assert opendata.json_schema_bytes() == opendata.json_schema_bytes()


def test_no_entries_still_make_valid_files():
    assert json.loads(opendata.entries_json([])) == []
    assert read_csv(opendata.entries_csv([])) == []
    assert opendata.entries_csv([]).decode("utf-8-sig").startswith("city,slug,code,")


texts = st.text(max_size=6)
entries = st.builds(
    Entry, city=texts, slug=texts, code=texts, province=texts, parent=texts, theme=texts,
    date=st.none() | st.dates(), headline=texts, summary=texts, body=texts, image_credit=texts,
    people=st.tuples() | st.lists(st.builds(Person, texts, texts), max_size=3).map(tuple),
    figures=st.lists(st.builds(Figure, st.integers() | st.floats(allow_nan=False), texts, texts, texts),
                     max_size=3).map(tuple),
    events=st.lists(texts, max_size=3).map(tuple),
    source=st.none() | st.builds(SourceRef, texts, st.lists(st.integers(1, 99), max_size=3).map(tuple), texts))


@settings(max_examples=300, deadline=None)
@given(entries)
def test_records_hold_the_declared_keys_in_order_as_plain_data(entry):
    record = schema.to_data(entry)
    declared = [k.name for k in schema.keys(Entry)]
    assert list(record) == [name for name in declared if name in record]
    assert all(name in record for name in schema.required(Entry))
    for k in schema.keys(Entry):
        value = getattr(entry, k.name)
        if k.name not in record:
            assert value in ("", (), None)
        elif k.kind == "date":
            assert record[k.name] == value.isoformat()
        elif k.record is not None:
            assert record[k.name] == ([schema.to_data(x) for x in value] if k.many else schema.to_data(value))
        else:
            assert record[k.name] == (list(value) if k.many else value)
    json.dumps(record, ensure_ascii=False)  # plain data, nothing else


def test_the_schema_in_docs_is_the_one_every_site_publishes():
    """docs/entries.schema.json is what the README links: it must not drift from the declaration."""
    published = (SEED_CONTENT.parent / "docs" / "entries.schema.json").read_bytes()
    assert published == opendata.json_schema_bytes(), \
        "regenerate docs/entries.schema.json from digest.opendata.json_schema_bytes()"


def test_the_digests_files_joined_in_id_order_are_the_whole_sites(seed_entries):
    mixed = seed_entries + [made_entry(f"p{n}", source=SourceRef(digest, (n,), "")) for n, digest in
                            enumerate(["2025-12-01-zhejiang", "2027-01-01-anhui", "2025-12-01-zhejiang"])]
    ids = sorted({entry.digest_id for entry in mixed})
    for whole, pieces in ((opendata.entries_json, opendata.json_pieces), (opendata.entries_csv, opendata.csv_pieces)):
        parts = [whole([e for e in mixed if e.digest_id == digest]) for digest in ids]
        assert b"".join(pieces(parts)) == whole(mixed)
        assert b"".join(pieces([])) == whole([])
        assert b"".join(pieces(parts + [whole([])])) == whole(mixed)


def test_a_part_that_is_not_such_a_file_is_refused():
    with pytest.raises(ValueError):
        b"".join(opendata.json_pieces([b"[\n{}\n"]))
    with pytest.raises(ValueError):
        b"".join(opendata.csv_pieces([b"city,slug\r\n"]))
