"""Ingest: an article (a file, standard input or an address) → YAML files under content/, never
overwriting or resurrecting a person's edits.

Read the article (fetch, decode), parse it (article.parse), then write the digest file, one file per
place and a copy of the article.  What ingest wrote is recorded in `<digest>/.ingest.json`: the hash
of each file's text (a file whose text no longer matches was edited by a person and is kept unless
--force), the entries a person deleted (they stay deleted), and the article's own fingerprint (a
different article under the same id is refused unless --force).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import content, schema, yamlio
from .article.decode import decode_bytes, html_to_lines, looks_like_html
from .article.parse import parse_article
from .errors import DigestError, Problem, display_path
from .files import locked, write_atomic
from .model import Digest, Entry, Theme

RECORD = ".ingest.json"
RECORD_VERSION = 2
ENTRY_HEADER = schema.header(Entry, """\
One place's part of a round-up, written by `digest ingest`.
Edit freely: ingest never overwrites a file you changed (unless --force).""")
DIGEST_HEADER = schema.header(Digest, """\
A round-up as published, written by `digest ingest`. Entries cite paragraphs by
number (1 = the first item of 'paragraphs'). Edit freely; your edits are kept.""")
MAX_ARTICLE_BYTES = 16 * 1024 * 1024
"""A saved page (HTML with its scripts) may be large; an article's text never is."""
FETCH_TIMEOUT = 20.0
FETCH_AGENT = "digest-ingest/0.1 (+static news-digest generator)"
FILE_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
SAME_ARTICLE_SHARE = 0.5
"""A re-ingested text sharing at least this share of paragraphs (or its title) is the same article,
corrected; less, and it is a different article."""


@dataclass
class IngestReport:
    digest_id: str
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    """Entries a person deleted, left deleted."""
    entries: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ArticleText:
    """An article as read: its lines, a name for messages, and what ingest keeps a copy of."""

    lines: list[str]
    name: str
    raw: bytes
    suffix: str
    """.txt or .html: the kind of the copy kept under content/articles/."""
    file_date: dt.date | None = None
    """The file's own date (in its name, else its modification time): the last resort for the digest's."""
    url: str = ""


def read_article(source: str, stdin=None) -> ArticleText:
    """The article's lines and a name for messages; '-' reads standard input, http(s) addresses are fetched."""
    if is_address(source):
        data, declared = fetch_page(source)
        return _article_from(data, source, declared, ".html", dt.date.today(), url=source)
    if source == "-":
        data = _read_limited((stdin or sys.stdin.buffer), "<stdin>")
        return _article_from(data, "<stdin>", "", ".txt", dt.date.today())
    path = Path(source)
    if not path.is_file():
        raise DigestError(Problem(source, "file not found", hint="check the path of the article"))
    name = display_path(path)
    with open(path, "rb") as fh:
        data = _read_limited(fh, name)
    suffix = path.suffix.lower() if path.suffix.lower() in (".txt", ".html", ".htm") else ".txt"
    return _article_from(data, name, "", suffix, _file_date(path))


def _article_from(data: bytes, name: str, declared: str, suffix: str, file_date, url: str = "") -> ArticleText:
    text = decode_bytes(data, name, declared)
    if looks_like_html(text, name):
        return ArticleText(html_to_lines(text), name, data, ".html" if suffix == ".txt" else suffix, file_date, url)
    return ArticleText(text.splitlines(), name, data, suffix, file_date, url)


def _read_limited(stream, name: str) -> bytes:
    data = stream.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        raise DigestError(Problem(name, f"the article is over the {MAX_ARTICLE_BYTES // 2**20} MiB limit",
                                  hint="save only the article's page or text"))
    return data


def _file_date(path: Path) -> dt.date:
    """A date in the file's name (2025-03-04-…, 20250304…), else the day it was last modified."""
    match = FILE_DATE.search(path.name)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    return dt.date.fromtimestamp(path.stat().st_mtime)


def is_address(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def fetch_page(url: str) -> tuple[bytes, str]:
    """The page's bytes and the charset its headers declare ('' when none).

    httpx with a timeout, at most five redirects and a size limit read as the body streams in, so a
    slow, endless or huge answer stops with one line instead of hanging or filling memory."""
    import httpx

    try:
        with httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=True, max_redirects=5,
                          headers={"User-Agent": FETCH_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise DigestError(Problem(url, f"the server answered {response.status_code} "
                                                   f"{response.reason_phrase}".rstrip(),
                                              hint="check the address, or save the page and ingest the file"))
                kind = response.headers.get("content-type", "text/html").split(";")[0].strip().lower()
                if not (kind.startswith("text/") or kind in ("application/xhtml+xml", "application/xml")):
                    raise DigestError(Problem(url, f"the address gives {kind}, not a web page",
                                              hint="give the address of the article's page"))
                return _limited_body(response, url), response.charset_encoding or ""
    except httpx.TimeoutException:
        raise DigestError(Problem(url, f"no answer within {FETCH_TIMEOUT:g} s",
                                  hint="try again later, or save the page and ingest the file")) from None
    except httpx.HTTPError as exc:
        raise DigestError(Problem(url, f"cannot fetch the page ({type(exc).__name__}: {exc})".replace("\n", " "),
                                  hint="check the address and the network, or save the page and ingest the file")) \
            from None


def _limited_body(response, url: str) -> bytes:
    declared = response.headers.get("content-length", "")
    too_big = DigestError(Problem(url, f"the page is over the {MAX_ARTICLE_BYTES // 2**20} MiB limit",
                                  hint="give the address of the article itself"))
    if declared.isdigit() and int(declared) > MAX_ARTICLE_BYTES:
        raise too_big
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_ARTICLE_BYTES:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _print_note(line: str) -> None:
    print(line, file=sys.stderr)


def ingest(source: str, content_dir: Path, digest_id: str = "", force: bool = False,
           date: dt.date | None = None, stdin=None, note=_print_note) -> IngestReport:
    """Write the article's digest and entries under `content_dir`; `note` receives one line for each
    thing a person may want to check (a guessed date, a kept edit citing changed paragraphs…)."""
    if digest_id:
        _check_id(digest_id, "--id")
    article = read_article(source, stdin)
    themes = _known_themes(content_dir)
    parsed = parse_article(article.lines, themes, article.name, digest_id=digest_id, date=date,
                           file_date=article.file_date)
    _check_id(parsed.digest.id, article.name)
    copy_name = f"articles/{parsed.digest.id}{article.suffix}"
    digest = replace(parsed.digest, source_file=copy_name, url=article.url, themes=tuple(parsed.new_themes))
    files = {f"{digest.id}/{content.DIGEST_FILE}": yamlio.dump(schema.to_data(digest), DIGEST_HEADER).encode("utf-8")}
    for entry in parsed.entries:
        files[f"{digest.id}/{entry.slug}.yaml"] = yamlio.dump(schema.to_data(entry), ENTRY_HEADER).encode("utf-8")
    files[copy_name] = article.raw
    _check_sizes(files, article.name)
    fingerprint = Fingerprint.of(digest)
    with locked(content_dir, "ingest"):
        for relative in [*files, f"{digest.id}/{RECORD}"]:
            _confined(content_dir, relative)
        _remove_unfinished(content_dir)
        notes = list(parsed.notes)
        notes += [f"{article.name}: this article was already ingested as {other}"
                  for other in _same_article_elsewhere(content_dir, digest.id, fingerprint)]
        if (content_dir / digest.id).exists():
            report = _update_digest(content_dir, digest.id, files, fingerprint, force, article.name)
        else:
            report = _write_new_digest(content_dir, digest.id, files, fingerprint)
    report.entries = len(parsed.entries)
    report.notes = notes + report.notes
    for line in report.notes:
        note(line)
    return report


def _check_id(digest_id: str, where: str) -> None:
    problem = schema.id_problem(digest_id)
    if problem:
        raise DigestError(Problem(where, problem, hint="give an id such as 2026-01-04-jiangsu"))


def _check_sizes(files: dict[str, bytes], name: str) -> None:
    """Every content file ingest writes must load again: the build's limit applies here first."""
    for relative, data in files.items():
        if relative.endswith(".yaml") and len(data) > yamlio.MAX_BYTES:
            raise DigestError(Problem(name, f"{relative} would be {len(data) // 1024} KiB, over the "
                                            f"{yamlio.MAX_BYTES // 1024} KiB limit of a content file",
                                      hint="split the article, or ingest only its text"))


def _confined(content_dir: Path, relative: str) -> Path:
    """`content_dir/relative` after resolving symlinks, refused when it lands outside the content folder."""
    root = content_dir.resolve()
    target = (content_dir / relative).resolve()
    if not target.is_relative_to(root) or target == root:
        raise DigestError(Problem(display_path(content_dir / relative), "leads outside the content folder",
                                  hint="remove the symlink or choose another --id"))
    return target


def _known_themes(content_dir: Path) -> list[Theme]:
    return content.load_themes(content_dir) or default_themes()


def default_themes() -> list[Theme]:
    from importlib import resources

    data = yamlio.load_text(resources.files("digest.data").joinpath("themes.yaml").read_text(encoding="utf-8"),
                            "themes.yaml")[0]
    return [Theme(t["name"], t["slug"], t.get("description", ""), tuple(t.get("keywords", ())),
                  t.get("color", content.DEFAULT_THEME_COLOR)) for t in data["themes"]]


@dataclass(frozen=True)
class Fingerprint:
    """What makes an article itself: the hash of its paragraphs, their short hashes, its title."""

    text: str
    title: str
    paragraphs: tuple[str, ...]

    @staticmethod
    def of(digest: Digest) -> Fingerprint:
        paragraphs = tuple(_hash(p.encode("utf-8"))[:12] for p in digest.paragraphs)
        return Fingerprint(_hash("\n".join(digest.paragraphs).encode("utf-8")), digest.title, paragraphs)

    @staticmethod
    def load(data) -> Fingerprint | None:
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return None
        paragraphs = tuple(p for p in data.get("paragraphs", ()) if isinstance(p, str))
        return Fingerprint(data["text"], str(data.get("title", "")), paragraphs)

    def same_article(self, other: Fingerprint) -> bool:
        """The same article, perhaps corrected: same title, or most paragraphs unchanged."""
        if self.text == other.text or (self.title and self.title == other.title):
            return True
        shared = len(set(self.paragraphs) & set(other.paragraphs))
        return shared >= SAME_ARTICLE_SHARE * max(len(self.paragraphs), len(other.paragraphs), 1)


@dataclass
class Record:
    """`.ingest.json`: the hashes of the texts ingest wrote to each file (one, or, while an ingest is
    under way, the old and the new: '' stands for 'no file'), the entries a person deleted, and the
    fingerprint of the article."""

    files: dict[str, list[str]] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    article: Fingerprint | None = None

    @staticmethod
    def read(path: Path) -> Record:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Record()
        if not isinstance(data, dict):
            return Record()
        if data.get("version") != RECORD_VERSION:  # the first form: file → hash(es)
            return Record(_hash_lists(data))
        deleted = [d for d in data.get("deleted", ()) if isinstance(d, str)]
        return Record(_hash_lists(data.get("files", {})), deleted, Fingerprint.load(data.get("article")))

    def write(self, path: Path) -> None:
        data = {"version": RECORD_VERSION, "files": dict(sorted(self.files.items())),
                "deleted": sorted(set(self.deleted))}
        if self.article:
            data["article"] = {"text": self.article.text, "title": self.article.title,
                               "paragraphs": list(self.article.paragraphs)}
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _hash_lists(data) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        return {}
    return {relative: [hashes] if isinstance(hashes, str) else [h for h in hashes if isinstance(h, str)]
            for relative, hashes in data.items() if isinstance(hashes, (str, list))}


def _same_article_elsewhere(content_dir: Path, digest_id: str, fingerprint: Fingerprint) -> list[str]:
    """Ids of other digests made from exactly this article's text."""
    found = []
    for record_path in sorted(content_dir.glob(f"*/{RECORD}")):
        other = record_path.parent.name
        if other != digest_id:
            article = Record.read(record_path).article
            if article and article.text == fingerprint.text:
                found.append(other)
    return found


def _write_new_digest(content_dir: Path, digest_id: str, files: dict[str, bytes], fingerprint) -> IngestReport:
    """A new digest folder appears whole or not at all: written aside, then renamed into place; the
    article's copy goes beside it afterwards."""
    content_dir.mkdir(parents=True, exist_ok=True)
    own = {r: d for r, d in files.items() if r.startswith(f"{digest_id}/")}
    staging = Path(tempfile.mkdtemp(prefix=f".{digest_id}.ingest-", dir=content_dir))
    try:
        record = Record(article=fingerprint)
        report = _write_files(staging, digest_id, own, record, force=False)
        os.replace(staging / digest_id, content_dir / digest_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.written = [content_dir / p.relative_to(staging) for p in report.written]
    rest = {r: d for r, d in files.items() if r not in own}
    record = Record.read(content_dir / digest_id / RECORD)
    more = _write_files(content_dir, digest_id, rest, record, force=False)
    report.written += more.written
    report.kept += more.kept
    report.unchanged += more.unchanged
    return report


def _update_digest(content_dir: Path, digest_id: str, files: dict[str, bytes], fingerprint: Fingerprint,
                   force: bool, name: str) -> IngestReport:
    """Re-ingest into an existing digest: the same article (perhaps corrected) updates what ingest
    wrote; a different article is refused unless --force, and then replaces every entry ingest wrote,
    keeping (and flagging) those a person edited."""
    record_path = content_dir / digest_id / RECORD
    record = Record.read(record_path)
    previous = record.article
    different = previous is not None and not previous.same_article(fingerprint)
    if different and not force:
        raise DigestError(Problem(display_path(content_dir / digest_id), f"already holds another article "
                                  f"(“{previous.title[:40]}”), not {name}",
                                  hint="give this one its own --id, or pass --force to replace it"))
    if different:
        record.deleted = []
    record.article = fingerprint
    report = _write_files(content_dir, digest_id, files, record, force=force and not different)
    if different:
        report.removed, stale_edits = _remove_stale(content_dir, digest_id, files, record)
        report.kept += stale_edits
        record.write(record_path)
    if previous is not None and previous.text != fingerprint.text:
        report.notes += _flag_kept(report.kept, content_dir, previous, fingerprint)
    return report


def _flag_kept(kept: list[Path], content_dir: Path, before: Fingerprint, after: Fingerprint) -> list[str]:
    """A kept edit citing paragraphs whose text changed may now cite the wrong text: say which."""
    notes = []
    for path in kept:
        if path.suffix != ".yaml" or path.name == content.DIGEST_FILE:
            continue
        try:
            data, _ = yamlio.load_text(path.read_text(encoding="utf-8"), str(path))
            cited = data["source"]["paragraphs"]
        except (OSError, ValueError, TypeError, KeyError, DigestError):
            continue
        changed = [n for n in cited if isinstance(n, int) and
                   (n > len(after.paragraphs) or n > len(before.paragraphs) or
                    before.paragraphs[n - 1] != after.paragraphs[n - 1])]
        if changed:
            notes.append(f"{display_path(path)}: kept your edit, but it cites paragraph"
                         f"{'s' if len(changed) > 1 else ''} {', '.join(map(str, changed))}, changed in the new "
                         "article — check it against digest.yaml")
    return notes


def _remove_stale(content_dir: Path, digest_id: str, files: dict[str, bytes],
                  record: Record) -> tuple[list[Path], list[Path]]:
    """After a different article replaced this digest, the old article's entries: those ingest wrote
    and nobody edited go (they cite paragraphs that now hold other text); edited ones are kept."""
    removed, kept = [], []
    for relative, hashes in list(record.files.items()):
        path = content_dir / relative
        if relative in files or not relative.startswith(f"{digest_id}/") or not relative.endswith(".yaml"):
            continue
        if path.exists() and _hash(path.read_bytes()) in hashes:
            path.unlink()
            removed.append(path)
        elif path.exists():
            kept.append(path)
        if not path.exists():
            del record.files[relative]
    return removed, kept


def _remove_unfinished(content_dir: Path) -> None:
    """Staging folders and temporary files of ingests that were killed before they finished."""
    for leftover in content_dir.glob(".*.ingest-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in [*content_dir.glob("*/.*.tmp"), *content_dir.glob("articles/.*.tmp")]:
        leftover.unlink(missing_ok=True)


def _write_files(content_dir: Path, digest_id: str, files: dict[str, bytes], record: Record,
                 force: bool) -> IngestReport:
    """Write what is new or untouched since the last ingest; keep what a person edited or deleted.

    Before any file is replaced the record names both the old text and the new ('' for a file not
    there yet), so an ingest killed half-way leaves every file recognised as ingest's own (a later
    ingest updates it) and no missing file taken for a deletion; once all are written only the new
    texts remain."""
    report = IngestReport(digest_id)
    record_path = content_dir / digest_id / RECORD
    to_write = {}
    for relative, data in files.items():
        path = content_dir / relative
        new_hash = _hash(data)
        known = record.files.get(relative, [])
        if path.exists():
            current = _hash(path.read_bytes())
            if current == new_hash:
                report.unchanged.append(path)
                record.files[relative] = [new_hash]
                continue
            if current not in known and not force:
                report.kept.append(path)
                continue
            to_write[relative] = (data, new_hash, current)
        elif _deleted_by_a_person(relative, known, record) and not force:
            if relative not in record.deleted:
                record.deleted.append(relative)
            report.deleted.append(path)
        else:
            to_write[relative] = (data, new_hash, "")
    if to_write:
        pending = {r: [*dict.fromkeys([old, *record.files.get(r, ()), h])] for r, (_, h, old) in to_write.items()}
        Record({**record.files, **pending}, record.deleted, record.article).write(record_path)
    for relative, (data, new_hash, _) in to_write.items():
        write_atomic(content_dir / relative, data)
        record.files[relative] = [new_hash]
        if relative in record.deleted:
            record.deleted.remove(relative)
        report.written.append(content_dir / relative)
    record.write(record_path)
    return report


def _deleted_by_a_person(relative: str, known: list[str], record: Record) -> bool:
    """An entry ingest wrote and finished writing ('' is not among its hashes) that is gone now."""
    if relative in record.deleted:
        return True
    return bool(known) and "" not in known and relative.endswith(".yaml") \
        and not relative.endswith(f"/{content.DIGEST_FILE}")


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
