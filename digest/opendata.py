"""Open data: the entries as the records of data/entries.json and data/entries.csv, and their JSON Schema.

Every field comes from the model's one declaration through digest.schema — `to_data` gives the values,
`json_schema` the schema, `keys` the CSV's columns — so a key added to the model appears in all three.
This module adds only two fields: where each entry's page is (`url`) and which digest it comes from
(`digest`).  Pure: entries in, bytes out; the same entries give the same bytes, whatever their order.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable

from . import schema
from .model import Entry
from .plan import entry_path

EXTRA = {
    "url": "the entry's page, relative to the site's root, e.g. digests/2026-01-04-jiangsu/nanjing/index.html",
    "digest": "the id of the digest it comes from (its folder's name)",
}
"""The fields the records have besides the model's keys, with their help."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Spreadsheet programs run a cell starting with these as a formula: a text cell that does gets a
leading apostrophe in the CSV (the JSON keeps the text as it is)."""


def _order(entry: Entry) -> tuple:
    """Digests by id (ids start with their date), then the article's order, then the slug."""
    paragraphs = entry.source.paragraphs if entry.source else ()
    return (entry.digest_id, paragraphs[0] if paragraphs else 10**9, entry.slug)


def entry_records(entries: Iterable[Entry]) -> list[dict]:
    """Each entry as schema.to_data gives it, plus its page and its digest, in a fixed order."""
    return [{**schema.to_data(entry), "url": entry_path(entry), "digest": entry.digest_id}
            for entry in sorted(entries, key=_order)]


def entries_json(entries: Iterable[Entry]) -> bytes:
    """A UTF-8 JSON array of the records, one record a line (diffs between builds stay readable)."""
    lines = [json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
             for record in entry_records(entries)]
    return ("[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n").encode("utf-8")


def json_schema() -> dict:
    """JSON Schema (2020-12) of entries.json: an array of schema.json_schema(Entry) records with the
    two added fields."""
    record = schema.json_schema(Entry)
    added = {name: {"type": "string", "description": help_text} for name, help_text in EXTRA.items()}
    record = {**record, "properties": {**record["properties"], **added},
              "required": [*record["required"], *EXTRA]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "digest entries",
            "description": "The entries of a digest site: one place's part of one round-up each. "
                           "entries.csv has the same records, flattened.",
            "type": "array", "items": record}


def json_schema_bytes() -> bytes:
    return (json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def csv_columns() -> list[tuple[str, schema.Key | None, schema.Key | None]]:
    """(column name, key, key within a record) for every column: a record's keys get a column each,
    named record.key (people.name, people.title, source.paragraphs …); the added fields come last."""
    columns = []
    for key in schema.keys(Entry):
        if key.record is None:
            columns.append((key.name, key, None))
        else:
            columns += [(f"{key.name}.{inner.name}", key, inner) for inner in schema.keys(key.record)]
    return columns + [(name, None, None) for name in EXTRA]


def _text(value, kind: str) -> str:
    """One value as a cell: lists one item a line (numbers: separated by spaces), numbers exactly."""
    if isinstance(value, list):
        return (" " if kind in ("numbers", "integers") else "\n").join(_text(item, kind) for item in value)
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return "" if value is None else str(value)


def _cell(record: dict, name: str, key: schema.Key | None, inner: schema.Key | None) -> str:
    if key is None:
        cell, kind = _text(record[name], "text"), "text"
    elif inner is None:
        cell, kind = _text(record.get(key.name), key.kind), key.kind
    else:
        value = record.get(key.name)
        items = value if isinstance(value, list) else [value or {}]
        cell = "\n".join(_text(item.get(inner.name), inner.kind) for item in items)
        kind = inner.kind
    if kind in ("text", "texts") and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def flat_records(entries: Iterable[Entry]) -> list[dict[str, str]]:
    """The records flattened to the CSV's columns: what csv.DictReader gives back from entries.csv."""
    columns = csv_columns()
    return [{name: _cell(record, name, key, inner) for name, key, inner in columns}
            for record in entry_records(entries)]


def entries_csv(entries: Iterable[Entry]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), one row per entry,
    CRLF line ends as RFC 4180 has them."""
    out = io.StringIO()
    writer = csv.DictWriter(out, [name for name, _, _ in csv_columns()], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat_records(entries))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
