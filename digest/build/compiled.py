"""Compiled templates kept between builds, in the output's cache folder."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import jinja2
import jinja2.bccache

from ..files import write_atomic

_HASH_SIZE = 16


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept between builds (Jinja checks each against its template's source).
    Each file carries a hash of its bytes: one damaged in any way (a flipped byte can still unmarshal,
    as wrong code) is compiled again, never run."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def for_code(cls, cache: Path, code: str) -> CompiledTemplates:
        """Those of this version of digest's code (the folders of older versions are removed)."""
        parent = cache / "templates"
        folder = parent / code
        if not folder.is_dir():
            shutil.rmtree(parent, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        return cls(folder)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = (self.folder / f"{bucket.key}.cache").read_bytes()
        except OSError:
            return
        digest, body = data[:_HASH_SIZE], data[_HASH_SIZE:]
        if hashlib.blake2b(body, digest_size=_HASH_SIZE).digest() == digest:
            bucket.load_bytecode(io.BytesIO(body))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        out = io.BytesIO()
        bucket.write_bytecode(out)
        body = out.getvalue()
        write_atomic(self.folder / f"{bucket.key}.cache", hashlib.blake2b(body, digest_size=_HASH_SIZE).digest() + body,
                     durable=False)
