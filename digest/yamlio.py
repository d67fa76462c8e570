"""YAML in and out: safe loading with line numbers and limits; readable dumping.

Loading uses libyaml's CSafeLoader when present (8× faster) and refuses what
PyYAML would silently accept: duplicate keys, alias bombs, over-deep nesting,
oversized files.  Dumping writes Chinese as is, long text in block style and
keys in the order given.
"""

from __future__ import annotations

from pathlib import Path

import yaml

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
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be plain text", key_node.start_mark)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (the first is on line {result.lines[key]})",
                    key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line + 1
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)


def _check_shape(node) -> str:
    """'' if the node tree is within limits; else what is wrong.

    Walks nodes, not values: an alias is a node seen twice, so a "billion
    laughs" file is refused after MAX_ALIASES re-uses, before it can expand.
    """
    seen: set[int] = set()
    aliases = 0
    stack = [(node, 0)]
    while stack:
        current, level = stack.pop()
        if id(current) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                return f"more than {MAX_ALIASES} aliases (*name) — write the values out"
            continue
        seen.add(id(current))
        if level > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(current, yaml.MappingNode):
            stack.extend((child, level + 1) for pair in current.value for child in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, level + 1) for child in current.value)
    return ""


def load_file(path: Path, shown: str) -> tuple[object, Problem | None]:
    """(data, None) or (None, problem) — never raises for bad content."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, Problem(shown, f"file is {size // 1024} KiB, over the {MAX_BYTES // 1024} KiB limit",
                                 hint="split it into smaller files")
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem(shown, f"cannot read the file: {exc.strerror}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Problem(shown, f"not UTF-8 text (byte {exc.start})",
                             hint="save the file as UTF-8")
    return load_text(text, shown)


def load_text(text: str, shown: str) -> tuple[object, Problem | None]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        shape = _check_shape(node)
        if shape:
            return None, Problem(shown, shape, line=node.start_mark.line + 1, hint="simplify the file")
        return loader.construct_document(node), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = (exc.problem or exc.context or "invalid YAML").strip()
        hint = "check the indentation and quoting" if "duplicate" not in message else "keep one of them"
        if "could not determine a constructor" in message:
            message, hint = "unsafe or unknown YAML tag (!!python/… and the like are refused)", "remove the tag"
        return None, Problem(shown, message, line=mark.line + 1 if mark else None, hint=hint)
    except yaml.YAMLError as exc:
        return None, Problem(shown, str(exc))
    except RecursionError:
        return None, Problem(shown, "nested too deeply", hint="flatten the structure")
    finally:
        loader.dispose()


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
