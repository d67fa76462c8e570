"""Ingest: an article file → YAML files under content/, never overwriting a person's edits.

Read the article (decode), parse it (article.parse), then write the digest
file, one file per place and a copy of the article.  What ingest wrote is
recorded by hash in `<digest>/.ingest.json`: a file whose text no longer
matches was edited by a person and is kept unless --force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import content, schema, yamlio
from .article.decode import decode_bytes, html_to_lines, looks_like_html
from .article.parse import parse_article
from .errors import DigestError, Problem, display_path
from .model import Digest, Entry, Theme
from .files import locked, write_atomic

RECORD = ".ingest.json"
ENTRY_HEADER = schema.header(Entry, """\
One place's part of a round-up, written by `digest ingest`.
Edit freely: ingest never overwrites a file you changed (unless --force).""")
DIGEST_HEADER = schema.header(Digest, """\
A round-up as published, written by `digest ingest`. Entries cite paragraphs by
number (1 = the first item of 'paragraphs'). Edit freely; your edits are kept.""")


@dataclass
class IngestReport:
    digest_id: str
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    entries: int = 0


def read_article(source: str, stdin=None) -> tuple[list[str], str]:
    """The article's lines and a name for messages; '-' reads standard input."""
    if source == "-":
        data = (stdin or sys.stdin.buffer).read()
        name = "<stdin>"
    else:
        path = Path(source)
        if not path.is_file():
            raise DigestError(Problem(source, "file not found", hint="check the path of the article"))
        data, name = path.read_bytes(), display_path(path)
    text = decode_bytes(data, name)
    if looks_like_html(text, name):
        return html_to_lines(text), name
    return text.splitlines(), name


def ingest(source: str, content_dir: Path, digest_id: str = "", force: bool = False,
           date: dt.date | None = None, stdin=None) -> IngestReport:
    lines, name = read_article(source, stdin)
    themes = _known_themes(content_dir)
    parsed = parse_article(lines, themes, name, digest_id=digest_id, date=date)
    article_copy = _article_copy_name(source, parsed.digest)
    digest = replace(parsed.digest, source_file=article_copy, themes=tuple(parsed.new_themes))
    files = {f"{digest.id}/{content.DIGEST_FILE}": yamlio.dump(schema.to_data(digest), DIGEST_HEADER)}
    for entry in parsed.entries:
        files[f"{digest.id}/{entry.slug}.yaml"] = yamlio.dump(schema.to_data(entry), ENTRY_HEADER)
    raw = Path(source).read_bytes() if source != "-" else "\n".join(lines).encode("utf-8")
    with locked(content_dir, "ingest"):
        _remove_unfinished(content_dir)
        if (content_dir / digest.id).exists():
            report = _write_all(content_dir, digest.id, files, force)
        else:
            report = _write_new_digest(content_dir, digest.id, files)
        target = content_dir / article_copy
        if not target.exists():
            write_atomic(target, raw)
    report.entries = len(parsed.entries)
    return report


def _known_themes(content_dir: Path) -> list[Theme]:
    return content.load_themes(content_dir) or default_themes()


def default_themes() -> list[Theme]:
    from importlib import resources

    data = yamlio.load_text(resources.files("digest.data").joinpath("themes.yaml").read_text(encoding="utf-8"),
                            "themes.yaml")[0]
    return [Theme(t["name"], t["slug"], t.get("description", ""), tuple(t.get("keywords", ())),
                  t.get("color", content.DEFAULT_THEME_COLOR)) for t in data["themes"]]


def _article_copy_name(source: str, digest: Digest) -> str:
    suffix = Path(source).suffix.lower() if source != "-" else ".txt"
    return f"articles/{digest.id}{suffix if suffix in ('.txt', '.html', '.htm') else '.txt'}"


def _write_new_digest(content_dir: Path, digest_id: str, files: dict[str, str]) -> IngestReport:
    """A new digest folder appears whole or not at all: written aside, then renamed into place."""
    content_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{digest_id}.ingest-", dir=content_dir))
    try:
        report = _write_all(staging, digest_id, files, force=False)
        os.replace(staging / digest_id, content_dir / digest_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.written = [content_dir / p.relative_to(staging) for p in report.written]
    return report


def _remove_unfinished(content_dir: Path) -> None:
    """Staging folders and temporary files of ingests that were killed before they finished."""
    for leftover in content_dir.glob(".*.ingest-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in [*content_dir.glob("*/.*.tmp"), *content_dir.glob("articles/.*.tmp")]:
        leftover.unlink(missing_ok=True)


def _write_all(content_dir: Path, digest_id: str, files: dict[str, str], force: bool) -> IngestReport:
    """Write what is new or untouched since the last ingest; keep what a person edited.

    The record names, for each file, the texts ingest wrote there.  Before any file is replaced it
    names both the old text and the new, so an ingest killed half-way leaves every file recognised
    as ingest's own (a later ingest updates it); once all are written only the new texts remain."""
    report = IngestReport(digest_id)
    record_path = content_dir / digest_id / RECORD
    record = _read_record(record_path)
    to_write = {}
    for relative, text in files.items():
        path = content_dir / relative
        new_hash = _hash(text)
        if path.exists():
            current = _hash(path.read_text(encoding="utf-8", errors="replace"))
            if current == new_hash:
                report.unchanged.append(path)
                record[relative] = [new_hash]
                continue
            if current not in record.get(relative, ()) and not force:
                report.kept.append(path)
                continue
        to_write[relative] = (text, new_hash)
    if to_write:
        _write_record(record_path, {**record, **{r: [*record.get(r, ()), h] for r, (_, h) in to_write.items()}})
    for relative, (text, new_hash) in to_write.items():
        write_atomic(content_dir / relative, text)
        record[relative] = [new_hash]
        report.written.append(content_dir / relative)
    _write_record(record_path, record)
    return report


def _read_record(path: Path) -> dict[str, list[str]]:
    """File → the hashes of the texts ingest wrote there (one, or two while an ingest was under way;
    records of older versions hold a single hash as text)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {relative: [hashes] if isinstance(hashes, str) else [h for h in hashes if isinstance(h, str)]
            for relative, hashes in data.items() if isinstance(hashes, (str, list))}


def _write_record(path: Path, record: dict[str, list[str]]) -> None:
    write_atomic(path, json.dumps(dict(sorted(record.items())), ensure_ascii=False, indent=1) + "\n")


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
