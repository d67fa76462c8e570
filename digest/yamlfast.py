"""A fast reader for the plain block YAML that digest writes and people usually keep.

Content files are block mappings of simple keys to plain, quoted or literal
(`|-`) text, lists and small nested mappings.  PyYAML spends most of a
content file's load building node and event objects; reading lines of this
common shape directly is about twice as fast as libyaml's CSafeLoader.  Anything outside the shape
(flow collections, anchors, tags, folded or multi-line plain text, tabs,
odd indentation, duplicate keys…) makes `load` return NOT_HANDLED, and the
caller loads the file with PyYAML, which gives the same values or the error.
A property test holds the two readers to the same values, key lines included.

Plain scalars are typed by PyYAML's own resolver and constructors, so
`2026-01-04`, `12`, `yes` and `~` mean what they mean to PyYAML.
"""

from __future__ import annotations

import re

import yaml

NOT_HANDLED = object()
"""load's answer for text outside the shape it reads: load it with PyYAML instead."""

# Characters YAML forbids or treats as line breaks, tabs and carriage returns: left to PyYAML.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
_NOT_PLAIN_START = frozenset("""-?:,[]{}#&*!|>'"%@` """)
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_DECIMAL = re.compile(r"[1-9][0-9]{0,17}|0|(?:0|[1-9][0-9]{0,17})\.[0-9]{1,17}")
"""Plain decimal numbers, which PyYAML's resolver types as int (no point) or float (one)."""
_NULL = "tag:yaml.org,2002:null"


class _Unhandled(Exception):
    pass


_MEMOS: dict[type, dict[str, str]] = {}
"""Per loader class, plain text → its resolved tag: keys and short values repeat across files."""


class Reader:
    """One reader per document: `lines` are mutated as sequence items are read (see _sequence)."""

    def __init__(self, lines: list[str], mapping_type, loader, max_depth: int):
        self.typed_starts = _typed_starts(loader)
        self.lines = lines
        self.mapping_type = mapping_type
        self.loader = loader
        self.tags = _MEMOS.setdefault(type(loader), {})
        self.max_depth = max_depth
        self.index = 0

    def resolve(self, text: str) -> str:
        tag = self.tags.get(text)
        if tag is None and _DECIMAL.fullmatch(text):
            return _FLOAT if "." in text else _INT  # unique figures would fill the memo
        if tag is None:
            if len(self.tags) > 100_000:
                self.tags.clear()
            tag = self.tags[text] = self.loader.resolve(yaml.ScalarNode, text, (True, False))
        return tag

    def document(self):
        self._skip_comments()
        if self.index >= len(self.lines):
            return None
        if _indent(self.lines[self.index]) != 0:
            raise _Unhandled
        value = self._node(0, 1)
        self._skip_comments()
        if self.index < len(self.lines):
            raise _Unhandled
        return value

    def _skip_comments(self) -> None:
        lines = self.lines
        while self.index < len(lines):
            stripped = lines[self.index].lstrip(" ")
            if stripped and not stripped.startswith("#"):
                return
            self.index += 1

    def _node(self, indent: int, depth: int):
        """The block collection starting at the current line, which is indented `indent`."""
        if depth > self.max_depth:
            raise _Unhandled
        line = self.lines[self.index]
        if _is_item(line, indent):
            return self._sequence(indent, depth)
        return self._mapping(indent, depth)

    def _mapping(self, indent: int, depth: int):
        """The mapping whose keys start at column `indent`.  The common case, a plain text value on one
        line (see _surely_text), is read inline: this loop runs for most lines of a content file."""
        result = self.mapping_type()
        key_lines = result.lines = {}
        result.line = self.index + 1
        lines, tags = self.lines, self.tags
        count = len(lines)
        match_key = _KEY_LINE.match
        index = self.index
        while True:
            match = match_key(lines[index], indent)
            if match is None:
                raise _Unhandled
            key, text = match.groups()
            if key in result or (tags.get(key) or self.resolve(key)) != _STR:
                raise _Unhandled
            key_lines[key] = index + 1
            index += 1
            following = lines[index] if index < count else ""
            if following and self._surely_text(text):
                stripped = following.lstrip(" ")
                next_indent = len(following) - len(stripped)
                if next_indent <= indent and stripped[:1] not in ("", "#"):
                    result[key] = text
                    if next_indent < indent:
                        self.index = index
                        return result
                    continue
            self.index = index - 1
            result[key] = self._value(text, indent, depth, same_indent_sequence=True)
            index = self.index
            if index >= count:
                return result
            line = lines[index]
            next_indent = len(line) - len(line.lstrip(" "))
            if next_indent < indent:
                return result
            if next_indent > indent:
                raise _Unhandled

    def _surely_text(self, text: str | None) -> bool:
        """Whether `text` (after `key:` or `- `) is plain text that PyYAML surely reads as that string,
        provided the next line neither continues it (is deeper), is blank nor is a comment."""
        return bool(text and text[0] not in _NOT_PLAIN_START and text[-1] not in " :"
                    and ": " not in text and " #" not in text
                    and (text[0] not in self.typed_starts or self.tags.get(text) == _STR))

    def _sequence(self, indent: int, depth: int) -> list:
        result = []
        lines = self.lines
        count = len(lines)
        match_key = _KEY_LINE.match
        while True:
            index = self.index
            line = lines[index]
            rest = line[indent + 1:].lstrip(" ")
            following = lines[index + 1] if index + 1 < count else ""
            stripped = following.lstrip(" ")
            if (following and len(following) - len(stripped) <= indent and stripped[:1] not in ("", "#")
                    and self._surely_text(rest)):
                result.append(rest)
                self.index = index = index + 1
            elif match_key(rest) and not rest.startswith("- "):
                # "- key: value": a mapping whose keys line up with this first one
                inner = len(line) - len(rest)
                lines[index] = " " * inner + rest
                result.append(self._mapping(inner, depth + 1))
                index = self.index
            else:
                result.append(self._value(rest, indent, depth, same_indent_sequence=False))
                index = self.index
            if index >= count:
                return result
            line = lines[index]
            stripped = line.lstrip(" ")
            next_indent = len(line) - len(stripped)
            if next_indent > indent:
                raise _Unhandled
            if next_indent < indent or not _is_item(line, indent):
                return result  # the collection holding the sequence checks what follows

    def _value(self, text: str | None, indent: int, depth: int, same_indent_sequence: bool):
        """The value after `key:` or `- ` on the current line; moves past everything it reads."""
        self.index += 1
        if not text or text.startswith("#"):
            return self._nested(indent, depth, same_indent_sequence)
        if text in ("|", "|-"):
            return self._literal(indent, keep_last=text == "|")
        value = self._scalar(text)
        self._skip_comments()
        return value

    def _nested(self, indent: int, depth: int, same_indent_sequence: bool):
        self._skip_comments()
        if self.index >= len(self.lines):
            return None
        line = self.lines[self.index]
        inner = _indent(line)
        if inner > indent:
            return self._node(inner, depth + 1)
        if inner == indent and same_indent_sequence and _is_item(line, indent):
            return self._sequence(indent, depth + 1)
        return None

    def _literal(self, indent: int, keep_last: bool) -> str:
        """A `|` or `|-` block: lines indented more than the key, up to the first line indented less."""
        lines = self.lines
        start = self.index
        if start >= len(lines) or not lines[start].strip(" "):
            raise _Unhandled  # leading blank lines or an empty block: rare, PyYAML knows the rules
        content = _indent(lines[start])
        if content <= indent:
            raise _Unhandled
        body = []
        while self.index < len(lines):
            line = lines[self.index]
            if line.startswith(" " * content):
                body.append(line[content:])
            elif not line.strip(" "):
                if len(line) > content:
                    raise _Unhandled
                body.append("")
            else:
                break
            self.index += 1
        while body and not body[-1]:
            body.pop()
        self._skip_comments()
        return "\n".join(body) + ("\n" if keep_last else "")

    def _scalar(self, text: str):
        first = text[0]
        if first == "'":
            if len(text) < 2 or not text.endswith("'") or "'" in text[1:-1].replace("''", ""):
                raise _Unhandled
            return text[1:-1].replace("''", "'")
        if first == '"':
            if len(text) < 2 or not text.endswith('"') or '"' in text[1:-1] or "\\" in text:
                raise _Unhandled
            return text[1:-1]
        if text == "[]":
            return []
        if text == "{}":
            empty = self.mapping_type()
            empty.lines, empty.line = {}, self.index
            return empty
        if text[-1] == " ":
            text = text.rstrip(" ")
        if first in _NOT_PLAIN_START or ": " in text or " #" in text or text[-1] == ":":
            raise _Unhandled
        if _DECIMAL.fullmatch(text):
            return float(text) if "." in text else int(text)  # what PyYAML's constructors make of them
        tag = self.resolve(text)
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        construct = self.loader.yaml_constructors.get(tag)
        if construct is None:
            raise _Unhandled
        return construct(self.loader, yaml.ScalarNode(tag, text))


def _typed_starts(loader) -> frozenset:
    """First characters of plain text that PyYAML may read as something other than text."""
    found = _TYPED_STARTS.get(type(loader))
    if found is None:
        resolvers = loader.yaml_implicit_resolvers
        found = _TYPED_STARTS[type(loader)] = _Anything() if None in resolvers else frozenset(resolvers)
    return found


class _Anything:
    """Any first character (a resolver registered for all of them)."""

    def __contains__(self, item) -> bool:
        return True


_TYPED_STARTS: dict[type, frozenset] = {}


def _is_item(line: str, indent: int) -> bool:
    """Whether the line, indented `indent`, starts a sequence item ("- …" or a lone "-")."""
    return line.startswith("-", indent) and (len(line) == indent + 1 or line[indent + 1] == " ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def load(text: str, mapping_type, loader, max_depth: int):
    """The document's value, or NOT_HANDLED when the text is not of the common shape.

    `loader` is a PyYAML loader instance whose resolver and constructors type plain
    scalars; `mapping_type` is the dict type made for mappings (given `lines` and `line`).
    """
    lines = text.split("\n")
    # Every character _UNUSUAL finds is one Python does not print: a line it prints has none.
    if not all(map(str.isprintable, lines)) and _UNUSUAL.search(text):
        return NOT_HANDLED
    try:
        return Reader(lines, mapping_type, loader, max_depth).document()
    except (_Unhandled, IndexError, ValueError, TypeError, OverflowError, yaml.YAMLError):
        return NOT_HANDLED
