"""The content schema, derived from the model's `key(...)` declarations (model.py).

Validation (allowed and required keys), the order ingest writes keys in, the
`new` scaffold, the header comments of written files and the JSON Schema of
the open data all come from here, so a key is declared once, with its help.
Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import types
import typing

from . import model


@dataclasses.dataclass(frozen=True, slots=True)
class Key:
    """One key of a content file."""

    name: str
    help: str
    required: bool
    is_name: bool
    """Holds a name (city, slug, theme…): a number there is surely a mistake."""
    kind: str
    """text, number, integer, date, texts, numbers, or record (a nested mapping)."""
    record: type | None = None
    """The model class of a record or of the items of a list of records."""
    many: bool = False
    """A list (of texts, numbers or records)."""


@functools.cache
def keys(cls: type) -> tuple[Key, ...]:
    """The content keys of a model class, in declared order."""
    hints = typing.get_type_hints(cls)
    found = []
    for item in dataclasses.fields(cls):
        if "help" not in item.metadata:
            continue
        kind, record, many = _kind_of(hints[item.name])
        found.append(Key(item.name, item.metadata["help"], item.metadata["required"], item.metadata["name"],
                         kind, record, many))
    return tuple(found)


def names(cls: type) -> tuple[str, ...]:
    return tuple(k.name for k in keys(cls))


def required(cls: type) -> tuple[str, ...]:
    return tuple(k.name for k in keys(cls) if k.required)


def _kind_of(hint) -> tuple[str, type | None, bool]:
    """(kind, record class, many) of a field's type."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if set(args) == {float, int}:
            return "number", None, False
        return _kind_of(args[0])
    if typing.get_origin(hint) is tuple:
        kind, record, _ = _kind_of(args[0])
        return ("records" if record else f"{kind}s"), record, True
    if dataclasses.is_dataclass(hint):
        return "record", hint, False
    return {str: "text", int: "integer", float: "number", dt.date: "date"}[hint], None, False


_EMPTY = ("", (), None)


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, bool, type | None, bool], ...]:
    return tuple((k.name, k.required, k.record, k.many) for k in keys(cls))


def to_data(value, keep_empty: bool = False) -> dict:
    """A model object as the plain data written to YAML or JSON: its keys in declared order, dates as
    YYYY-MM-DD, records as mappings.  Keys that are neither required nor set are left out unless
    `keep_empty` (the header comment lists every key, so a person can still add them).  Each class's
    keys are looked up once, not each value tested for what it is (open data converts every entry)."""
    data = {}
    for name, required, record, many in _fields(type(value)):
        item = getattr(value, name)
        if not (required or keep_empty) and item in _EMPTY:
            continue
        if record is not None:
            item = [to_data(x, keep_empty) for x in item] if many else None if item is None else to_data(item, keep_empty)
        elif many:
            item = [x.isoformat() if isinstance(x, dt.date) else x for x in item]
        elif isinstance(item, dt.date):
            item = item.isoformat()
        data[name] = item
    return data


def header(cls: type, intro: str) -> str:
    """A file's header comment: `intro`, then each key with its help, one line each."""
    width = max(len(k.name) for k in keys(cls))
    lines = [intro, "Keys (* required):"]
    lines += [f"  {k.name + ('*' if k.required else ''):<{width + 1}}  {k.help}" for k in keys(cls)]
    return "\n".join(lines)


def scaffold(cls: type, values: dict[str, str]) -> str:
    """A YAML file to fill in: each key of `cls` with the value given (already YAML text) or an empty
    one, and its help as a comment after it."""
    lines = []
    for k in keys(cls):
        empty = "[]" if k.many else "''"
        lines.append(f"{k.name}: {values.get(k.name, empty)}  # {k.help}")
    return "\n".join(lines) + "\n"


_JSON_TYPES = {"text": {"type": "string"}, "number": {"type": "number"}, "integer": {"type": "integer"},
               "date": {"type": "string", "format": "date"}}


def json_schema(cls: type) -> dict:
    """JSON Schema (draft 2020-12) of a model class's records as to_data writes them."""
    properties = {}
    for k in keys(cls):
        if k.record is not None:
            item = json_schema(k.record)
        else:
            item = dict(_JSON_TYPES[k.kind[:-1] if k.many else k.kind])
        properties[k.name] = {"type": "array", "items": item, "description": k.help} if k.many \
            else {**item, "description": k.help}
    return {"type": "object", "properties": properties, "required": list(required(cls)),
            "additionalProperties": False}


SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
"""An entry's, theme's or page's address segment."""
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,100}$")
"""A digest's id: its folder's name and its address segment."""
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))})
"""Names some file systems refuse (Windows device names), whatever the case."""


XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids (and DEL): no feed reader accepts them, and HTML calls them errors."""


def text_problem(text: str) -> str:
    """What makes `text` unfit for a page or a feed ('' when nothing): a character XML forbids."""
    found = XML_FORBIDDEN.search(text)
    return f"holds the control character U+{ord(found.group()):04X}" if found else ""


def id_problem(digest_id: str) -> str:
    """What is wrong with a digest id ('' when nothing): ingest --id, new --digest and the build
    all apply this one rule, so an id that is written is an id that builds."""
    if not SAFE_ID.match(digest_id):
        return (f"'{digest_id[:60]}' is not a digest id: use 1 to 101 letters, digits, '-' and '_', "
                "starting with a letter or digit")
    if digest_id.lower() in RESERVED:
        return f"'{digest_id}' is a name some systems reserve for devices"
    return ""


def slug_problem(slug: str) -> str:
    """What is wrong with a slug ('' when nothing)."""
    if not SAFE_SLUG.match(slug):
        return f"'{slug[:60]}' is not a safe address segment: use lowercase letters, digits and '-'"
    if slug in RESERVED:
        return f"'{slug}' is a name some systems reserve for devices"
    return ""


ENTRY_KEYS = names(model.Entry)
DIGEST_KEYS = names(model.Digest)
SETTINGS_KEYS = names(model.Settings)
THEME_KEYS = names(model.Theme)
