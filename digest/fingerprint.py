"""Fingerprints: a short hash of everything a page is made from.

Incremental builds compare a page's fingerprint with the one recorded at the
last build and render the page only when it differs.  A fingerprint covers
the page's context, with each content object (entry, digest, page) standing
in by the version of the file it was read from, so that hashing a theme page
of twenty entries costs twenty lookups instead of twenty deep walks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Mapping

from .model import Digest, Entry, Page


def fingerprint(*parts, versions: Mapping[str, str], memo: dict | None = None) -> str:
    """Hex digest of `parts` (values of the model, dicts, lists and scalars).

    `memo` (shared across the calls of one build) remembers the token of each
    model object by identity, so an object shown on many pages is looked at once.
    """
    tokens: list = []
    memo = {} if memo is None else memo
    for part in parts:
        _tokens(part, versions, tokens, memo)
    return hashlib.blake2b(repr(tokens).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_VERSIONED = (Entry, Digest, Page)
_SCALARS = (str, int, float, bool, type(None))


def _tokens(value, versions: Mapping[str, str], out: list, memo: dict) -> None:
    kind = type(value)
    if kind in _SCALARS:
        out.append(value)
    elif kind is dict:
        out.append("{")
        for key in sorted(value, key=str):
            out.append(key)
            _tokens(value[key], versions, out, memo)
        out.append("}")
    elif kind is list or isinstance(value, tuple):  # named tuples too (the plan's views)
        out.append("[")
        for item in value:
            _tokens(item, versions, out, memo)
        out.append("]")
    else:
        token = memo.get(id(value))
        if token is None:
            token = memo[id(value)] = (value, _object_token(value, versions))  # keeps `value` alive: ids stay unique
        out.append(token[1])


def _object_token(value, versions: Mapping[str, str]) -> str:
    if isinstance(value, _VERSIONED) and versions.get(value.path):
        return f"{value.path}@{versions[value.path]}"
    if isinstance(value, _SCALARS) or isinstance(value, dt.date) or dataclasses.is_dataclass(value):
        return repr(value)
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def of_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
