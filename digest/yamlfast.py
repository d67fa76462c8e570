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
from itertools import repeat
from operator import sub

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
    """One reader per document.  Each line's text after its indentation and the indentation are
    worked out once, with a sentinel line (indentation -1) after the last, so no method checks for
    the end; methods take the index of the line they start at and return the index of the next
    line that is neither blank nor a comment (see _skip)."""

    def __init__(self, lines: list[str], mapping_type, loader, max_depth: int):
        self.typed_starts = _typed_starts(loader)
        self.lines = lines
        self.stripped = list(map(str.lstrip, lines, repeat(" ")))  # map and repeat: no Python code per line
        self.indents = list(map(sub, map(len, lines), map(len, self.stripped)))
        self.stripped.append(_END)
        self.indents.append(-1)
        self.mapping_type = mapping_type
        self.loader = loader
        self.tags = _MEMOS.setdefault(type(loader), {})
        self.max_depth = max_depth

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
        start = self._skip(0)
        if start == len(self.lines):
            return None
        if self.indents[start] != 0:
            raise _Unhandled
        value, after = self._node(start, 0, 1)
        if after != len(self.lines):
            raise _Unhandled
        return value

    def _skip(self, index: int) -> int:
        """The first line from `index` on that is neither blank nor a comment (the sentinel is neither)."""
        stripped = self.stripped
        while not stripped[index] or stripped[index][0] == "#":
            index += 1
        return index

    def _node(self, index: int, indent: int, depth: int):
        """The block collection starting at line `index`, which is indented `indent`."""
        if depth > self.max_depth:
            raise _Unhandled
        if _is_item(self.stripped[index]):
            return self._sequence(index, indent, depth)
        return self._mapping(index, indent, depth)

    def _mapping(self, index: int, indent: int, depth: int):
        """The mapping whose keys start at column `indent`.  The common case, a plain text value on one
        line (see _surely_text), is read inline: this loop runs for most lines of a content file."""
        result = self.mapping_type()
        key_lines = result.lines = {}
        result.line = index + 1
        stripped, indents, tags, typed_starts = self.stripped, self.indents, self.tags, self.typed_starts
        match_key = _KEY_LINE.match
        while True:
            match = match_key(stripped[index])
            if match is None:
                raise _Unhandled
            key, text = match.groups()
            if key in result or (tags.get(key) or self.resolve(key)) != _STR:
                raise _Unhandled
            index += 1
            key_lines[key] = index
            following = stripped[index]
            next_indent = indents[index]
            # _surely_text, written out: this is the commonest line
            if (next_indent <= indent and following and following[0] != "#" and text
                    and text[0] not in _NOT_PLAIN_START and text[-1] not in " :" and ": " not in text
                    and " #" not in text and (text[0] not in typed_starts or tags.get(text) == _STR)):
                result[key] = text
            else:
                result[key], index = self._value(text, index, indent, depth, same_indent_sequence=True)
                next_indent = indents[index]
            if next_indent != indent:
                if next_indent < indent:
                    return result, index
                raise _Unhandled

    def _surely_text(self, text: str | None) -> bool:
        """Whether `text` (after `key:` or `- `) is plain text that PyYAML surely reads as that string,
        provided the next line neither continues it (is deeper), is blank nor is a comment."""
        return bool(text and text[0] not in _NOT_PLAIN_START and text[-1] not in " :"
                    and ": " not in text and " #" not in text
                    and (text[0] not in self.typed_starts or self.tags.get(text) == _STR))

    def _sequence(self, index: int, indent: int, depth: int):
        result = []
        stripped, indents = self.stripped, self.indents
        match_key = _KEY_LINE.match
        while True:
            item = stripped[index]
            rest = item[1:].lstrip(" ")
            following = stripped[index + 1]
            if indents[index + 1] <= indent and following and following[0] != "#" and self._surely_text(rest):
                result.append(rest)
                index += 1
            elif match_key(rest) and not rest.startswith("- "):
                # "- key: value": a mapping whose keys line up with this first one
                stripped[index] = rest
                indents[index] = indent + len(item) - len(rest)
                value, index = self._mapping(index, indents[index], depth + 1)
                result.append(value)
            else:
                value, index = self._value(rest, index + 1, indent, depth, same_indent_sequence=False)
                result.append(value)
            next_indent = indents[index]
            if next_indent > indent:
                raise _Unhandled
            if next_indent < indent or not _is_item(stripped[index]):
                return result, index  # the collection holding the sequence checks what follows

    def _value(self, text: str | None, index: int, indent: int, depth: int, same_indent_sequence: bool):
        """The value after `key:` or `- ` on the line before `index`, and the line after it."""
        if not text or text[0] == "#":
            return self._nested(index, indent, depth, same_indent_sequence)
        if text == "|" or text == "|-":
            return self._literal(index, indent, keep_last=text == "|")
        return self._scalar(text, index), self._skip(index)

    def _nested(self, index: int, indent: int, depth: int, same_indent_sequence: bool):
        index = self._skip(index)
        inner = self.indents[index]
        if inner > indent:
            return self._node(index, inner, depth + 1)
        if inner == indent and same_indent_sequence and _is_item(self.stripped[index]):
            return self._sequence(index, indent, depth + 1)
        return None, index

    def _literal(self, index: int, indent: int, keep_last: bool):
        """A `|` or `|-` block: lines indented more than the key, up to the first line indented less."""
        lines, stripped, indents = self.lines, self.stripped, self.indents
        content = indents[index]
        if not stripped[index] or content <= indent:
            raise _Unhandled  # leading blank lines or an empty block: rare, PyYAML knows the rules
        body, last = [], index
        while True:
            if indents[index] >= content:  # blank lines as long as the indentation keep their extra spaces
                body.append(lines[index][content:])
                last = index if body[-1] else last
            elif not stripped[index]:
                body.append("")
            else:
                break
            index += 1
        while body and not body[-1]:
            body.pop()
        # `|` keeps the line break after the last line, if there is one: not at the end of a file without one
        ends_with_break = last < len(lines) - 1
        return "\n".join(body) + ("\n" if keep_last and ends_with_break else ""), self._skip(index)

    def _scalar(self, text: str, line: int):
        """The value of `text`, on the `line`th line (1-based)."""
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
            empty.lines, empty.line = {}, line
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


_END = "\x00"
"""The sentinel after a document's last line: neither blank nor a comment, and indented -1.  The
character itself never reaches the reader (load leaves such text to PyYAML)."""


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


def _is_item(text: str) -> bool:
    """Whether a line's text after its indentation starts a sequence item ("- …" or a lone "-")."""
    return text == "-" or text.startswith("- ")


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
