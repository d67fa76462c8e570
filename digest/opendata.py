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
from typing import Iterable, Iterator

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
    return [_record(entry) for entry in sorted(entries, key=_order)]


_RECORDS: dict[int, tuple[Entry, dict]] = {}
"""id(entry) → (the entry, its record): a digest's entries.json and entries.csv are made one after the
other from the same entries, and converting each entry once halves their cost.  The entry is kept
beside its record, so an id reused by another object is never taken for it.  Callers only read records."""


def _record(entry: Entry) -> dict:
    found = _RECORDS.get(id(entry))
    if found is not None and found[0] is entry:
        return found[1]
    if len(_RECORDS) >= 512:
        _RECORDS.clear()
    record = {**schema.to_data(entry), "url": entry_path(entry), "digest": entry.digest_id}
    _RECORDS[id(entry)] = (entry, record)
    return record


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
"""One encoder for every record (json.dumps with options makes a new one per call)."""


def entries_json(entries: Iterable[Entry]) -> bytes:
    """A UTF-8 JSON array of the records, one record a line (diffs between builds stay readable)."""
    encode = _JSON.encode
    lines = [encode(record) for record in entry_records(entries)]
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
    if type(value) is str:
        return value
    if isinstance(value, list):
        return (" " if kind in ("numbers", "integers") else "\n").join(_text(item, kind) for item in value)
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return "" if value is None else str(value)


def _guarded(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell_reader(name: str, key: schema.Key | None, inner: schema.Key | None):
    """The function that makes one column's cell out of a record, worked out once per column (every
    cell of every row goes through one): text cells are guarded against formulas, numbers are not."""
    kind = "text" if key is None else key.kind if inner is None else inner.kind
    guard = _guarded if kind in ("text", "texts") else (lambda cell: cell)
    if key is None:
        return lambda record: guard(_text(record[name], kind))
    if inner is None:
        return lambda record: guard(_text(record.get(name), kind))

    def nested(record: dict) -> str:
        value = record.get(key.name)
        items = value if isinstance(value, list) else [value or {}]
        return guard("\n".join(_text(item.get(inner.name), kind) for item in items))
    return nested


def flat_rows(entries: Iterable[Entry]) -> list[list[str]]:
    """The records flattened to the CSV's columns, as rows in csv_columns() order."""
    readers = [_cell_reader(*column) for column in csv_columns()]
    return [[read(record) for read in readers] for record in entry_records(entries)]


def flat_records(entries: Iterable[Entry]) -> list[dict[str, str]]:
    """The records flattened to the CSV's columns: what csv.DictReader gives back from entries.csv."""
    names = [name for name, _, _ in csv_columns()]
    return [dict(zip(names, row)) for row in flat_rows(entries)]


def entries_csv(entries: Iterable[Entry]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), one row per entry,
    CRLF line ends as RFC 4180 has them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in csv_columns()])
    writer.writerows(flat_rows(entries))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- the whole site's files as the join of the digests' --------------------------------------------
#
# Records are sorted by digest id first, so the site's entries.json and entries.csv are the digests'
# files one after another: a build can join the digests' files it already has instead of converting
# every entry again after one changed.

def json_pieces(parts: Iterable[bytes]) -> Iterator[bytes]:
    """entries.json of several digests' entries, from each one's entries.json in digest id order,
    as pieces (a big site's file need never be held whole)."""
    first = True
    for part in parts:
        if part == b"[]\n":
            continue
        if not (part.startswith(b"[\n") and part.endswith(b"\n]\n")):
            raise ValueError("not an entries.json as entries_json writes it")
        yield b"[\n" if first else b",\n"
        yield memoryview(part)[2:-3]
        first = False
    yield b"[]\n" if first else b"\n]\n"


def csv_pieces(parts: Iterable[bytes]) -> Iterator[bytes]:
    """entries.csv of several digests' entries, from each one's entries.csv in digest id order."""
    header = entries_csv(())
    yield header
    for part in parts:
        if not part.startswith(header):
            raise ValueError("not an entries.csv with these columns")
        yield memoryview(part)[len(header):]


PIECES = {"json": json_pieces, "csv": csv_pieces}
"""How the site's file of each kind is made from the digests' files of that kind."""
