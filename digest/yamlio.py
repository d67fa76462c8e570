"""YAML in and out: safe loading with line numbers and limits; readable dumping.

Loading uses libyaml's CSafeLoader when present (8× faster) and refuses what
PyYAML would silently accept: duplicate keys, alias bombs, over-deep nesting,
oversized files.  Dumping writes Chinese as is, long text in block style and
keys in the order given.
"""

from __future__ import annotations

import codecs
import collections
import json
import os
import re
from pathlib import Path

import yaml

from . import schema, yamlfast
from .errors import Problem

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20
MAX_ALIASES = 20


class LineMap(dict):
    """A mapping that remembers the line of each key (1-based)."""

    __slots__ = ("lines", "line")


class _Loader(SafeLoader):
    """Safe loading that records key lines and refuses duplicate keys (aliases: _check_shape)."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)
        result = LineMap()
        result.lines = {}
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self._value(key_node)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be plain text", key_node.start_mark)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (the first is on line {result.lines[key]})",
                    key_node.start_mark)
            result[key] = self._value(value_node)
            result.lines[key] = key_node.start_mark.line + 1
        return result

    def construct_yaml_seq(self, node):
        yield [self._value(child) for child in node.value]

    def _value(self, node):
        """Text scalars directly (most of a file), everything else by PyYAML's constructors."""
        if node.tag == _STR and type(node) is yaml.ScalarNode:
            return node.value
        return self.construct_object(node, deep=True)

    def construct_yaml_timestamp(self, node):
        """A date-like value that is no real date (2026-13-45) stays text, so validation can say so."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return node.value

    def resolve(self, kind, value, implicit):
        """PyYAML's tag resolution, memoised: keys and short values repeat across files."""
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = _RESOLVED[value] = super().resolve(kind, value, implicit)
                if len(_RESOLVED) > 100_000:
                    _RESOLVED.clear()
            return tag
        return super().resolve(kind, value, implicit)


_STR = "tag:yaml.org,2002:str"
_RESOLVED: dict[str, str] = {}


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


_SCALARS = _Loader("")
"""Types plain scalars for the fast reader with the same resolver and constructors."""


# What one line may open before its value: indentation, "- ", "? ", ": ",
# anchors and tags.  Each nesting level needs one of these or a bracket.
_LINE_OPENERS = re.compile(r"^(?:[ \t\-?:]|[&!][^ \n]* )*", re.MULTILINE)


def _check_shape(text: str) -> tuple[str, int | None]:
    """('', None) if the document is within the alias and depth limits; else what is wrong, and where.

    libyaml's composer recurses in C, so a deeply nested file would crash the
    process before any Python limit applies, and a "billion laughs" file
    expands aliases exponentially.  A cheap upper bound (every alias needs a
    '*', every level a bracket or a line opener) clears ordinary files; the
    rest are measured exactly on libyaml's event stream, which does not recurse.
    """
    bound = text.count("[") + text.count("{") + max(map(len, _LINE_OPENERS.findall(text)), default=0) + 1
    if text.count("*") <= MAX_ALIASES and bound <= MAX_DEPTH:
        return "", None
    try:
        return _measure_shape(yaml.parse(text, Loader=SafeLoader))
    except yaml.MarkedYAMLError as exc:
        if "nesting" in str(exc.problem):  # newer libyaml stops deep nesting itself, in its own words
            return f"nested more than {MAX_DEPTH} levels deep", (exc.problem_mark.line + 1 if exc.problem_mark else None)
        raise


def _measure_shape(events) -> tuple[str, int | None]:
    """_check_shape's answer from the document's events, stopping at the first one past a limit."""
    depth = aliases = 0
    for event in events:
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return f"more than {MAX_ALIASES} aliases (*name)", event.start_mark.line + 1
    return "", None


def load_file(path: Path | str, shown: str) -> tuple[object, Problem | None]:
    """(data, None) or (None, problem) — never raises for bad content."""
    try:
        data, size = _read_within_limit(path)
    except OSError as exc:
        return None, Problem(shown, f"cannot read the file: {exc.strerror}")
    if data is None:
        return None, Problem(shown, f"file is {size // 1024} KiB, over the {MAX_BYTES // 1024} KiB limit",
                             hint="split it into smaller files")
    try:
        text = (data[3:] if data.startswith(codecs.BOM_UTF8) else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Problem(shown, f"not UTF-8 text (byte {exc.start})",
                             hint="save the file as UTF-8")
    return load_text(text, shown)


def _read_within_limit(path: Path | str) -> tuple[bytes | None, int]:
    """(the file's bytes, size), or (None, size) when it is over MAX_BYTES.  One open and one fstat:
    a stat by path and Python's buffered file cost more than the read itself for a content file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_BYTES:
            return None, size
        data = b""
        while len(data) <= MAX_BYTES:
            # the rest and one byte more, which finds the end; or more, if the file grew since fstat
            chunk = os.read(fd, size - len(data) + 1 if len(data) <= size else 65536)
            if not chunk:
                return data, len(data)
            data += chunk
        return None, len(data)
    finally:
        os.close(fd)


READERS = collections.Counter()
"""Files this process read by each reader ("fast", "pyyaml"): `build --timings` reports them."""


def _forbidden_text(data, key: str = "", line: int | None = None) -> tuple[str, str, int | None]:
    """(the key, what is wrong, its line) of the first text value holding a character XML forbids,
    or ('', '', None).  Only escapes in double quotes ("\\v", "\\x01", "\\uFFFE") can put one there:
    YAML refuses them written as they are."""
    if isinstance(data, str):
        return (key, trouble, line) if (trouble := schema.text_problem(data)) else ("", "", None)
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    lines = getattr(data, "lines", None) or {}
    for inner, value in items:
        found = _forbidden_text(value, inner if isinstance(inner, str) else key, lines.get(inner, line))
        if found[0] or found[1]:
            return found
    return "", "", None


def load_text(text: str, shown: str) -> tuple[object, Problem | None]:
    data, problem = _load_text(text, shown)
    if problem is None and "\\" in text:
        key, trouble, line = _forbidden_text(data)
        if trouble:
            return None, Problem(shown, f"'{key}' {trouble}" if key else trouble, line,
                                 hint="remove it (feeds and pages cannot carry it)")
    return data, problem


def _load_text(text: str, shown: str) -> tuple[object, Problem | None]:
    data = yamlfast.load(text, LineMap, _SCALARS, MAX_DEPTH)
    if data is not yamlfast.NOT_HANDLED:
        READERS["fast"] += 1
        return data, None
    READERS["pyyaml"] += 1
    return _load_with_pyyaml(text, shown)


def _load_with_pyyaml(text: str, shown: str) -> tuple[object, Problem | None]:
    loader = _Loader(text)
    try:
        shape, line = _check_shape(text)
        if shape:
            return None, Problem(shown, shape, line, hint="write the values out and flatten the nesting")
        node = loader.get_single_node()
        if node is None:
            return None, None
        return loader.construct_document(node), None
    except yaml.MarkedYAMLError as exc:
        return None, _marked_problem(exc, text, shown)
    except yaml.reader.ReaderError as exc:
        # libyaml counts the position in bytes of the UTF-8 text
        line = text.encode("utf-8", "surrogatepass")[: exc.position].count(b"\n") + 1 \
            if isinstance(exc.position, int) else None
        code = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
        return None, Problem(shown, f"character U+{code:04X} is not allowed in YAML", line,
                             hint="remove it (control characters cannot appear in YAML text)")
    except yaml.YAMLError as exc:
        return None, Problem(shown, str(exc).splitlines()[0], hint="check the file is valid YAML")
    except (ValueError, TypeError, OverflowError) as exc:
        return None, Problem(shown, f"a value cannot be read: {exc}", hint="check the values' spelling")
    except RecursionError:
        return None, Problem(shown, "nested too deeply", hint="flatten the structure")
    finally:
        loader.dispose()


def _marked_problem(exc: yaml.MarkedYAMLError, text: str, shown: str) -> Problem:
    """PyYAML's error as a Problem, at the line where the mistake is and with what to do about it."""
    mark = exc.problem_mark or exc.context_mark
    message = (exc.problem or exc.context or "invalid YAML").strip()
    if "could not determine a constructor" in message:
        return Problem(shown, "unsafe or unknown YAML tag (!!python/… and the like are refused)",
                       mark.line + 1 if mark else None, "remove the tag")
    if "duplicate" in message:
        return Problem(shown, message, mark.line + 1 if mark else None, "keep one of them")
    lines = text.split("\n")
    if exc.context == "while scanning a simple key" and exc.context_mark is not None:
        found = _line_without_colon(lines, exc.context_mark.line)
    elif message.startswith("mapping values are not allowed") and exc.problem_mark is not None:
        found = _colon_out_of_place(lines, exc.problem_mark.line, exc.problem_mark.column)
    else:
        found = None
    if found:
        line, message, hint = found
        return Problem(shown, message, line + 1, hint)
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in line[: len(line) - len(line.lstrip(" \t-?"))]:
        return Problem(shown, "a tab in the indentation", mark.line + 1, "indent with spaces, not tabs")
    return Problem(shown, message, mark.line + 1 if mark else None, "check the indentation and quoting")


# A key typed with the full-width colon of a Chinese keyboard (headline：…), or without the space
# YAML needs after a colon (headline:…): either makes the line one piece of text, not a key.
_FULL_WIDTH_KEY = re.compile(r"^( *(?:- +)?)([A-Za-z_][A-Za-z0-9_-]*) *：")
_KEY_WITHOUT_SPACE = re.compile(r"^( *(?:- +)?)([A-Za-z_][A-Za-z0-9_-]*):(?=[^ \n/])")  # not http://
_BLOCK_HEADER = re.compile(r"^( *)(?:- +)?([A-Za-z_][A-Za-z0-9_-]*): *([|>])[-+0-9]* *(?:#.*)?$")


def _key_typo(line: str) -> tuple[str, str] | None:
    """(message, hint) when `line` is a key written with a full-width colon or no space after ':'."""
    if match := _FULL_WIDTH_KEY.match(line):
        key = match.group(2)
        return f"full-width colon '：' after '{key}'", f"use the half-width ':' and a space: {key}: …"
    if match := _KEY_WITHOUT_SPACE.match(line):
        key = match.group(2)
        return f"no space after '{key}:'", f"put a space after the colon: {key}: {line[match.end():].strip()[:20]}"
    return None


def _line_without_colon(lines: list[str], number: int) -> tuple[int, str, str] | None:
    """(line, message, hint) for a line PyYAML read as a key and found no ':' after (line `number`,
    0-based): a key typo, a line of a '|' block that lost its indentation, or stray text."""
    line = lines[number] if number < len(lines) else ""
    if typo := _key_typo(line):
        return number, *typo
    if block := _block_above(lines, number):
        key, style, indent = block
        return (number, f"this line of '{key}: {style}' is not indented, so it ends the text",
                f"indent it by {indent} spaces like the lines above it")
    return (number, f"'{line.strip()[:30]}' is not a 'key: value' line",
            "write it as key: value, or indent it if it continues the value above")


def _block_above(lines: list[str], number: int) -> tuple[str, str, int] | None:
    """(key, '|' or '>', indentation of its text) of the block just above line `number` whose text the
    line would continue were it indented: the lines between are all indented deeper than it."""
    indent = len(lines[number]) - len(lines[number].lstrip(" "))
    inner = None
    for above in range(number - 1, -1, -1):
        text = lines[above]
        if not text.strip():
            continue
        if match := _BLOCK_HEADER.match(text):
            return match.group(2), match.group(3), inner or len(match.group(1)) + 2
        depth = len(text) - len(text.lstrip(" "))
        if depth <= indent:
            return None
        inner = depth
    return None


def _colon_out_of_place(lines: list[str], number: int, column: int) -> tuple[int, str, str] | None:
    """(line, message, hint) for a ':' PyYAML did not expect: a key typo on the line above (whose text
    ran on into this line), a ': ' inside a value, or a key indented under another line's value."""
    previous = next((n for n in range(number - 1, -1, -1) if lines[n].strip() and not lines[n].lstrip().startswith("#")),
                    None)
    if previous is not None and (typo := _key_typo(lines[previous])):
        return previous, *typo
    line = lines[number] if number < len(lines) else ""
    key = re.match(r"^( *(?:- +)?)([^:#'\"]+?): ", line)
    if key and key.end() - 2 < column:
        return number, *_quote_hint(key.group(1), key.group(2).strip(), line[key.end():].rstrip())
    if key and previous is not None:
        return (number, f"'{key.group(2).strip()}' is indented under the line above",
                "start it at the same column as the keys above it")
    return None


def _quote_hint(start: str, key: str, value: str) -> tuple[str, str]:
    """(message, hint) for a value holding ': ', which YAML reads as a second key: the value quoted
    (a list item whose 'key' is no key name is text as a whole, and is quoted whole)."""
    def quoted(text: str) -> str:
        return f"'{text}'" if "'" not in text else json.dumps(text, ensure_ascii=False)

    if start.strip() == "-" and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key):
        return "': ' inside a list item", f"quote the item: {start}{quoted(f'{key}: {value}')}"
    return f"': ' inside the value of '{key}'", f"quote the value: {key}: {quoted(value)}"


class _Dumper(SafeDumper):
    """Block style for long or multi-line text, plain Chinese, no key sorting."""


def _represent_str(dumper, value: str):
    if "\n" in value or len(value) > 70:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dump(data, header: str = "") -> str:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False, indent=2)
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + text
