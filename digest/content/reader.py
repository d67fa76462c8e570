"""Typed values out of loaded YAML, every problem collected with its file and line.

A Reader is the read stage's notebook: the converters of records.py ask it
for text, lists and dates, and it notes what is wrong instead of raising, so
one build reports every problem of every file at once.  It also asks the
build's Memo whether a file was read before (see Memo): it knows no cache.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .. import yamlio
from ..errors import Problem, display_path



class Memo:
    """What a read may reuse from an earlier one.  This one reuses nothing; a build hands in one that
    remembers (build/cache.py).

    recall(path, context) gives (version, found): `version` names this state of the file read
    against `context` (a string that changes whenever the reading would: the themes defined, the
    digest's date…), and `found` is (value, problems) from an earlier read of that very version, or
    None.  remember(path, version, value, problems) is told what every file gave."""

    def recall(self, path: str, context: str) -> tuple[str, tuple | None]:
        return "", None

    def remember(self, path: str, version: str, value, problems: list[Problem]) -> None:
        pass


class Reader:
    """Collects problems while converting raw YAML values to model values."""

    def __init__(self, root: Path, memo: Memo | None = None, root_shown: str | None = None):
        self.root = root
        self.memo = memo or Memo()
        self.problems: list[Problem] = []
        self.records: list[tuple] = []
        """(path, version, value, problems) of every file read, for the memo (see read_site)."""
        self._root_text = str(root)
        self.root_shown = root_shown or display_path(root)
        """How messages show the root (resolving it takes system calls: workers are given it)."""

    def cached(self, shown: str, context: str, read):
        """read() for the file shown as `shown`, or what the memo kept of it for the same `context`."""
        version, found = self.memo.recall(shown, context)
        if found is not None:
            value, problems = found
            self.problems.extend(problems)
        else:
            before = len(self.problems)
            value = read()
            problems = self.problems[before:]
        self.records.append((shown, version, value, problems))
        return value

    def shown(self, path: Path | str) -> str:
        """The path as messages show it, without a filesystem call per file."""
        text = str(path)
        if text.startswith(self._root_text + "/"):
            return f"{self.root_shown}/{text[len(self._root_text) + 1:]}"
        return display_path(path)

    def report(self, path: Path | str, message: str, line: int | None = None, hint: str = "",
               warning: bool = False) -> None:
        self.problems.append(Problem(self.shown(path), message, line, hint, warning))

    def inside(self, path: Path | str) -> bool:
        """Whether `path` stays inside the content folder once links are followed (reported if not):
        a link to a file elsewhere would publish it."""
        if not os.path.islink(path):
            return True
        if Path(path).resolve().is_relative_to(self.root.resolve()):
            return True
        self.report(path, "links outside the content folder", hint="replace the link with a real folder or file")
        return False

    def load(self, path: Path | str):
        """The file's data, or UNREADABLE when it is no YAML (its one problem reported): nothing more
        is said about such a file, since every key would look missing."""
        data, problem = yamlio.load_file(path, self.shown(path))
        if problem:
            self.problems.append(problem)
            return UNREADABLE
        return data

    def mapping(self, data, path: Path | str, what: str):
        """`data` if it is a mapping (an empty file is an empty one); else reported, None (unreported
        for an UNREADABLE file: its problem is said already)."""
        if data is UNREADABLE:
            return None
        if data is None:
            data = yamlio.LineMap()
            data.lines, data.line = {}, 1
        if not isinstance(data, dict):
            self.report(path, f"{what} must be a mapping of keys to values", 1, "see README for an example")
            return None
        return data

    def unknown_keys(self, data: dict, allowed: tuple[str, ...], path: Path | str) -> None:
        for key in data:
            if key not in allowed:
                self.report(path, f"unknown key '{key}'", line_of(data, key), _unknown_key_hint(key, allowed))

    def text(self, data: dict, key: str, path: Path | str, required: bool = False, names: bool = False) -> str:
        """The text under `key`.  Numbers are taken as text (a code, a year) unless the key holds a
        name (`names`: a city, slug or theme), where a number is surely a mistake."""
        value = data.get(key)
        if value is None or value == "":
            if required and key in data:
                self.report(path, f"'{key}' is empty", line_of(data, key), f"write the {key} after '{key}:'")
            elif required:
                self.report(path, f"'{key}' is missing", getattr(data, "line", None), f"add a '{key}:' line")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if names:
                self.report(path, f"'{key}' must be a name, not the number {value}", line_of(data, key),
                            f"write the {key} as text, e.g. {key}: 南京" if key == "city" else f"write the {key} as text")
                return ""
            return str(value)
        if not isinstance(value, str):
            self.report(path, f"'{key}' must be text, not {_kind(value)}", line_of(data, key),
                        "write it as one line of text")
            return ""
        return value

    def texts(self, data: dict, key: str, path: Path | str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.report(path, f"'{key}' must be a list of text", line_of(data, key), "write one '- item' per line")
            return ()
        return tuple(str(v) for v in value)

    def date(self, data: dict, key: str, path: Path | str, required: bool = True) -> dt.date | None:
        value = data.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
        if value is not None or required:
            self.report(path, f"'{key}' must be a date like 2026-01-04, not {value!r}", line_of(data, key),
                        "write the date as YYYY-MM-DD")
        return None


UNREADABLE = object()
"""Reader.load's answer for a file that is not YAML (its problem is reported)."""


def _unknown_key_hint(key, allowed: tuple[str, ...]) -> str:
    """A key that is no name (第二段: …) is most likely a line of text that lost its indentation."""
    if isinstance(key, str) and not key.isascii():
        return "if this line belongs to the text above, indent it like the lines above (and quote it if it holds ': ')"
    return f"use one of {', '.join(allowed)} (or remove it)"


def line_of(data, key) -> int | None:
    """The line of `key` in a loaded mapping, or of the mapping itself."""
    lines = getattr(data, "lines", None)
    return lines.get(key) if lines else getattr(data, "line", None)


def _kind(value) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), type(value).__name__)
