"""Search index: Pagefind's extended build (Chinese segmentation), fed the site model in process.

Readers search for news, so the index holds one record per entry (its city
and headline, officials and body text, with city, theme, date and people as
filters) and one per digest (its title, intro and closing), made from the
site model the build has already read, not from the written HTML.  The
records go to `pagefind_extended --service` (the engine behind Pagefind's
Python API) over a pipe; the bundle it writes is published by the build
through the output's journal like every other file.

    records = search.records(site)          # what to index (pure)
    bundle = search.make_bundle(records, scratch, reuse=site_folder / "pagefind")

Why not the CLI or the Python wrapper's async API, and what was measured:
docs/search.md.  In short: the CLI re-reads all 14,039 written pages of the
10,000-entry benchmark to find the 10,000 entries in them; and the wrapper
of Pagefind 1.4.0 sleeps 0.1 s before reading each answer (10,000 records
take over 1,000 s), so `Service` speaks the same documented protocol
(base64 JSON messages ending in ",") directly, without asyncio, pipelined.

An index is a pure function of its records, so each bundle carries the key
of the records it holds (`digest.json`): a build whose records did not
change (a template edit) keeps the index it has.  Bundles made again start
from the last one's hashed files, which Pagefind then does not compress
again.  `deferred()` lets `serve` take the records and index them in the
background while the old bundle stays published.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import gzip
import hashlib
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import markup
from .errors import DigestError, Problem
from .model import Digest, Entry, Site

PAGEFIND_VERSION = "1.4.0"
"""The version pyproject pins: 1.5.x splits unknown place names into characters (docs/search.md)."""
RECORD_FORMAT = 2
"""Bumped whenever the records change shape: an index made by other code is made again."""
KEY_FILE = "digest.json"
"""In a bundle: the key of the records it holds."""
HASHED = ("fragment", "index", "filter")
"""Bundle folders whose files are named by a hash of their contents."""
OFF_PAGE = """// digest: search is off. Pagefind was not installed when this site was built.
export const digestSearchOff = "搜索未开启:构建本站时没有找到 Pagefind(扩展版)。在项目文件夹运行 pip install -e . 后重新构建即可。";
"""
"""What the search folder holds when Pagefind is missing: a module the search page reads its message from."""
OFF_NOTE = ("search is off: Pagefind (extended) is not installed — run pip install -e . "
            f"(or pip install 'pagefind[extended]=={PAGEFIND_VERSION}') and build again")


# ---------------------------------------------------------------- is Pagefind here?

@lru_cache(maxsize=1)
def unavailable() -> str:
    """Why the index cannot be built here ('' when it can): Pagefind missing, or not its extended
    build (the only one that segments Chinese)."""
    binary = _binary()
    if binary is None:
        return OFF_NOTE
    if not binary.name.startswith("pagefind_extended"):
        return (f"search is off: {binary} is not Pagefind's extended build, which Chinese needs — "
                f"pip install 'pagefind[extended]=={PAGEFIND_VERSION}' and build again")
    return ""


def available() -> bool:
    return not unavailable()


def _binary() -> Path | None:
    """The binary Pagefind's Python API would start (its get_executable's order: $PAGEFIND_BINARY_PATH,
    the extended then the plain binary package, one on PATH), found without importing its service
    module, which brings asyncio: every build asks, even one that then finds nothing changed."""
    if os.getenv("PAGEFIND_BINARY_PATH"):
        return Path(os.environ["PAGEFIND_BINARY_PATH"])
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for name in ("pagefind_extended", "pagefind_extended.exe", "pagefind", "pagefind.exe"):
                if (Path(folder) / name).is_file():
                    return Path(folder) / name
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(found) if found else None


# ---------------------------------------------------------------- what is indexed

def records(site: Site) -> list[dict]:
    """The records of the site's index: entries newest first, then digests.  Each is what
    Pagefind's AddRecord request takes: url (from the site's root), content, language, meta and
    filters.  No sort key: results without a search term come in this order already, and a sort
    would add its page list to the metadata every search loads first."""
    language = (site.settings.language or "zh-CN").lower()
    digests = {digest.id: digest for digest in site.digests}
    found = [entry_record(entry, digests.get(entry.digest_id), language)
             for entry in sorted(site.entries, key=lambda e: _date_of(e, digests.get(e.digest_id)), reverse=True)]
    found += [digest_record(digest, language) for digest in site.digests]
    return found


def entry_record(entry: Entry, digest: Digest | None, language: str = "zh-cn") -> dict:
    """An entry as readers look for it: 'city:headline', its officials, its body."""
    date = _date_of(entry, digest)
    people = [person.name for person in entry.people if person.name]
    head = entry.headline if entry.headline.startswith(entry.city) else f"{entry.city}:{entry.headline}"
    officials = "、".join(f"{person.title}{person.name}" for person in entry.people if person.name)
    filters = {"city": [entry.city], "theme": [entry.theme], "date": [date] if date else []}
    if people:
        filters["people"] = people
    return {"url": f"digests/{entry.digest_id}/{entry.slug}/",
            "content": _sentences(head, officials, plain_text(entry.body)),
            "language": language,
            "meta": {"title": head,
                     "city": entry.city, "theme": entry.theme, "date": date},
            "filters": {name: values for name, values in filters.items() if values}}


def digest_record(digest: Digest, language: str = "zh-cn") -> dict:
    """A digest by its own words: title, intro, section openings and closing (its places' text is
    in their entries)."""
    date = digest.date.isoformat() if digest.date else ""
    text = _sentences(digest.title, plain_text(digest.intro),
                      *(plain_text(section.intro) for section in digest.sections), plain_text(digest.closing))
    return {"url": f"digests/{digest.id}/", "content": text, "language": language,
            "meta": {"title": digest.title, "date": date, "kind": "汇编"},
            "filters": {"date": [date]} if date else {}}


def _date_of(entry: Entry, digest: Digest | None) -> str:
    day = entry.date or (digest.date if digest else None)
    return day.isoformat() if day else ""


_SENTENCE_END = "。!?!?…;;"


def _sentences(*parts: str) -> str:
    """Parts joined as sentences: each ends with its own stop, or gets '。'."""
    kept = [part.strip() for part in parts if part and part.strip()]
    return "".join(part if part[-1] in _SENTENCE_END else part + "。" for part in kept)


_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*>")
_BLOCK_TAGS = frozenset({"p", "li", "br", "h2", "h3", "h4", "tr", "td", "th", "blockquote", "pre", "hr"})


@lru_cache(maxsize=65536)
def plain_text(markdown_text: str) -> str:
    """What a reader sees of a Markdown text, as one line: the page's HTML without its tags."""
    if not markdown_text:
        return ""
    rendered = markup.to_html(markdown_text)
    text = _TAG.sub(lambda m: " " if m.group(2).lower() in _BLOCK_TAGS else "", rendered)
    return " ".join(html.unescape(text).split())


def key(found: list[dict]) -> str:
    """The key of a list of records: equal keys, equal indexes."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{RECORD_FORMAT} {PAGEFIND_VERSION}\n".encode())
    digest.update(json.dumps(found, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return digest.hexdigest()


def live_key(bundle: Path) -> str:
    """The key of the records the bundle in `bundle` holds ('' if none is recorded)."""
    try:
        found = json.loads((Path(bundle) / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return found.get("key", "") if isinstance(found, dict) else ""


# ---------------------------------------------------------------- serve: index later

class Handoff:
    """A site whose index a build left for whoever deferred it to make."""

    def __init__(self):
        self.site: Site | None = None


_handoff: contextvars.ContextVar[Handoff | None] = contextvars.ContextVar("digest_search_handoff", default=None)


@contextlib.contextmanager
def deferred():
    """Builds inside this block keep the index they have and leave the site in the Handoff yielded
    (its `site` stays None when no page changed)."""
    handoff = Handoff()
    token = _handoff.set(handoff)
    try:
        yield handoff
    finally:
        _handoff.reset(token)


def defer(site: Site) -> bool:
    """Hand the site over when a deferred() block is open: True if taken."""
    handoff = _handoff.get()
    if handoff is None:
        return False
    handoff.site = site
    return True


# ---------------------------------------------------------------- making a bundle

@dataclass(frozen=True)
class Bundle:
    """A Pagefind bundle written to `folder`: its files in the order to publish them (named by
    hash first, then the files that name them, pagefind-entry.json last)."""

    folder: Path
    files: list[str]
    key: str


def make_bundle(found: list[dict], folder: Path, found_key: str = "", reuse: Path | None = None) -> Bundle:
    """Index `found` into `folder` (made if missing).  The hashed files of the bundle in `reuse`,
    if any, are linked in first: Pagefind leaves a hashed file that exists alone, so only what
    changed is compressed and written.  DigestError when Pagefind fails."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if reuse is not None:
        _link_hashed(Path(reuse), folder)
    language = found[0]["language"] if found else "zh-cn"
    log = folder.parent / f".{folder.name}.log"
    try:
        with Service(log=log) as service:
            index = service.call({"type": "NewIndex", "config": {"force_language": language}})["index_id"]
            sent = [service.send({"type": "AddRecord", "index_id": index, **record}) for record in found]
            for message in sent:
                service.wait(message)
            service.call({"type": "WriteFiles", "index_id": index, "output_path": str(folder.resolve())})
            files = _written(folder)  # before the service ends: it exits at once, its last writes with it
    except ServiceError as exc:
        raise DigestError(Problem("search index", f"Pagefind failed: {exc}",
                                  hint="build with --no-search to skip the index, and report this")) from None
    finally:
        with contextlib.suppress(OSError):
            log.unlink()
    found_key = found_key or key(found)
    (folder / KEY_FILE).write_text(json.dumps({"key": found_key, "pagefind": PAGEFIND_VERSION,
                                               "records": len(found)}) + "\n", encoding="utf-8")
    return Bundle(folder, files + [KEY_FILE], found_key)


WRITE_TIMEOUT = 120.0
"""Seconds to wait for Pagefind's writes to land after it has answered WriteFiles."""


def _written(folder: Path) -> list[str]:
    """The bundle's files once every one is whole.  Pagefind 1.4.0's service answers WriteFiles
    while its last writes are still under way (tokio hands them to threads it does not wait for),
    so each file is read until it is complete: gzip files decompress, JSON parses, pagefind.js ends
    with its exports."""
    deadline = time.monotonic() + WRITE_TIMEOUT
    checked: set[str] = set()
    while True:
        try:
            files = bundle_files(folder)
            waiting = [name for name in files if name not in checked and not _whole(folder / name)]
        except (OSError, ValueError, EOFError, zlib.error, IndexError, DigestError):
            files, waiting = [], ["pagefind-entry.json"]
        if not waiting:
            return files
        if time.monotonic() > deadline:
            raise ServiceError(f"Pagefind did not finish writing {waiting[0]}")
        checked.update(name for name in files if name not in waiting)
        time.sleep(0.02)


def _whole(path: Path) -> bool:
    data = path.read_bytes()
    if not data:
        return False
    try:
        if path.suffix == ".json":
            json.loads(data)
        elif path.name == "pagefind.js":
            return data.rstrip().endswith(b"}") and b"export{" in data[-1000:]
        else:
            gzip.decompress(data)
    except (ValueError, EOFError, OSError, zlib.error):
        return False
    return True


def _link_hashed(source: Path, target: Path) -> None:
    """Hard links (copies where links cannot be made) of the hashed files of `source` in `target`.
    Only hashed files: Pagefind rewrites the others in place, which would change the originals."""
    if not source.is_dir() or source.is_symlink():
        return
    names = [(sub, entry.name) for sub in HASHED if (source / sub).is_dir()
             for entry in os.scandir(source / sub) if entry.is_file(follow_symlinks=False)]
    names += [("", entry.name) for entry in os.scandir(source)
              if entry.name.endswith(".pf_meta") and entry.is_file(follow_symlinks=False)]
    made: set[str] = set()
    for sub, name in names:
        if sub not in made:
            (target / sub).mkdir(exist_ok=True)
            made.add(sub)
        destination = target / sub / name
        if destination.exists():
            continue
        try:
            os.link(source / sub / name, destination)
        except OSError:
            shutil.copyfile(source / sub / name, destination)


def bundle_files(folder: Path) -> list[str]:
    """The files of the bundle Pagefind last wrote to `folder` (which may hold older bundles' hashed
    files too), in the order to publish them, the key file aside.  Pagefind's UI files are left
    out: the search page uses its JavaScript API."""
    folder = Path(folder)
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    metas, wasm, names = [], {"wasm.unknown.pagefind"}, set()
    for language in entry.get("languages", {}).values():
        meta = f"pagefind.{language['hash']}.pf_meta"
        metas.append(meta)
        names |= _meta_names((folder / meta).read_bytes())
        if language.get("wasm"):
            wasm.add(f"wasm.{language['wasm']}.pagefind")
    hashed = [f"{sub}/{name}" for sub in HASHED if (folder / sub).is_dir()
              for name in sorted(os.listdir(folder / sub)) if name.rpartition(".")[0] in names]
    tail = [name for name in sorted(wasm) if (folder / name).is_file()] + ["pagefind.js"]
    return hashed + metas + [name for name in tail if (folder / name).is_file()] + ["pagefind-entry.json"]


def _meta_names(data: bytes) -> set[str]:
    """Every text string in a .pf_meta file: among them the hashes of the fragments, index chunks
    and filter files the bundle uses.  The file is gzip, a 'pagefind_dcd' marker, then CBOR."""
    data = gzip.decompress(data)
    marker = b"pagefind_dcd"
    if not data.startswith(marker):
        raise DigestError(Problem("search index", "Pagefind wrote a .pf_meta file digest cannot read",
                                  hint=f"install pagefind[extended]=={PAGEFIND_VERSION}"))
    found: set[str] = set()
    _cbor_strings(data, len(marker), found)
    return found


def _cbor_strings(data: bytes, at: int, found: set[str]) -> int:
    """Read one CBOR item at `at` (RFC 8949), adding its text strings to `found`; where it ends."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info == 31:  # indefinite length: items until a break
        while data[at] != 0xFF:
            at = _cbor_strings(data, at, found)
        return at + 1
    if info < 24:
        length = info
    else:
        size = 1 << (info - 24)
        length = int.from_bytes(data[at:at + size], "big")
        at += size
    if major in (0, 1, 7):
        return at
    if major == 2:
        return at + length
    if major == 3:
        found.add(data[at:at + length].decode("utf-8", "replace"))
        return at + length
    if major == 6:
        return _cbor_strings(data, at, found)
    for _ in range(length * 2 if major == 5 else length):
        at = _cbor_strings(data, at, found)
    return at


# ---------------------------------------------------------------- the service

class ServiceError(Exception):
    """Pagefind's service answered with an error, or stopped."""


class Service:
    """`pagefind_extended --service`, driven synchronously.

    Each request is base64(JSON) followed by ','; so is each answer, which
    carries the request's message_id.  Requests are written as they come
    (send), a reader thread collects the answers, and wait() blocks for one:
    thousands of records are pipelined without a round trip each."""

    def __init__(self, binary: Path | None = None, log: Path | None = None):
        binary = binary or _binary()
        if binary is None:
            raise ServiceError(OFF_NOTE)
        self._log = open(log, "wb") if log else subprocess.DEVNULL
        self._process = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._log, bufsize=1 << 16)
        self._log_path = log
        self._next = 0
        self._answers: dict[int, dict] = {}
        self._ended = ""
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True, name="pagefind-answers")
        self._reader.start()

    def send(self, payload: dict) -> int:
        self._next += 1
        message = json.dumps({"message_id": self._next, "payload": payload}, ensure_ascii=False)
        try:
            self._process.stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
        except (BrokenPipeError, ValueError):
            raise ServiceError(self._why_ended()) from None
        return self._next

    def wait(self, message_id: int) -> dict:
        try:
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise ServiceError(self._why_ended()) from None
        with self._changed:
            self._changed.wait_for(lambda: message_id in self._answers or 0 in self._answers or self._ended)
            answer = self._answers.pop(message_id, None) or self._answers.pop(0, None)
        if answer is None:
            raise ServiceError(self._why_ended())
        if answer.get("type") == "Error":
            raise ServiceError(str(answer.get("message", "unknown error"))[:500])
        return answer

    def call(self, payload: dict) -> dict:
        return self.wait(self.send(payload))

    def _read(self) -> None:
        pending = b""
        stdout = self._process.stdout
        while chunk := stdout.read1(1 << 20):
            pending += chunk
            *messages, pending = pending.split(b",")
            answers = []
            for message in messages:
                try:
                    answer = json.loads(base64.b64decode(message))
                except ValueError:
                    continue
                if isinstance(answer, dict) and isinstance(answer.get("payload"), dict):
                    answers.append(answer)
            if answers:
                with self._changed:
                    for answer in answers:
                        self._answers[answer.get("message_id") or _original_id(answer)] = answer["payload"]
                    self._changed.notify_all()
        with self._changed:
            self._ended = "Pagefind's service stopped"
            self._changed.notify_all()

    def _why_ended(self) -> str:
        detail = ""
        if self._log_path:
            with contextlib.suppress(OSError):
                detail = self._log_path.read_text(encoding="utf-8", errors="replace").strip()[-300:]
        return "Pagefind's service stopped" + (f": {detail}" if detail else "")

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._process.stdin.close()  # end of input: the service exits
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _original_id(answer: dict) -> int:
    """The message_id of the request an error answers when the service could not read it."""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        return int(json.loads(answer["payload"].get("original_message") or "{}").get("message_id") or 0)
    return 0
