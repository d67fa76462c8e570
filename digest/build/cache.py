"""What one build keeps for the next, in its cache folder (build/place.py): the content cache, each
page's key, and the signature of the inputs the output was built from.

The content cache remembers what each content file gave (model objects and
problems) under the file's version: its identity (changes.FileId) and what it
was read against.  It is split by folder into SHARDS files, so a rebuild
rewrites only the shards of the files it read again.  Nothing here is needed
for a correct build: a missing or unreadable cache means a full one.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..files import write_atomic
from .changes import RACY_NS, FileId, file_id

FORMAT = 9
"""Bumped whenever what the cache stores changes shape."""
SHARDS = 64


class ContentCache:
    """The read stage's memo (content.Memo's two methods): a file whose version is the one recorded
    gives what it gave then.

    A file's version is its identity and the read's context; a file changed
    in the last moments (RACY_NS) may change again within one clock tick, size
    unchanged, so it is never trusted: its version is unique to this build."""

    def __init__(self, root: Path, root_shown: str, previous: dict | None = None,
                 files: dict[str, FileId] | None = None, spill: Path | None = None):
        self.root, self.root_shown = str(root), root_shown
        self.previous = previous or {}
        self.files = files or {}
        """Path → identity taken before the read (by changes.scan_inputs), so no file is stat'ed twice."""
        self.started_ns = time.time_ns()
        self.current: dict[str, tuple] = {}
        """Shown path → (version, value, problems) of this read: the next build's cache."""
        self.spill = spill
        """A folder where results read on worker processes wait, by shard, as the workers pickled them:
        the cache stores those bytes as they are (see build.ReadOnWorkers), without holding them."""
        self.packed_paths: set[str] = set()
        """The files those results hold."""
        self._spilled: dict[int, object] = {}
        self._changed: set[str] | None = None
        self.readers: dict[str, int] = {}
        """Files read by each YAML reader (for `build --timings`)."""

    def recall(self, path: str, context: str) -> tuple[str, tuple | None]:
        identity = self._identity(path.partition("#")[0])
        if identity is None:
            return f"missing:{self.started_ns}", None
        if identity.mtime_ns > self.started_ns - RACY_NS:
            return f"racy:{self.started_ns}:{context}", None
        version = f"{identity.mtime_ns}:{identity.size}:{identity.ino}:{identity.ctime_ns}:{context}"
        hit = self.previous.get(path)
        return version, ((hit[1], hit[2]) if hit is not None and hit[0] == version else None)

    def remember(self, path: str, version: str, value, problems) -> None:
        self.current[path] = (version, value, problems)

    def shown(self, path: Path | str) -> str:
        """A path under the content folder as the read shows it."""
        text = str(path)
        return self.root_shown + text[len(self.root):] if text.startswith(self.root) else text

    def keep_packed(self, folder: str, data: bytes, paths: list[str]) -> None:
        """Keep a folder's result as a worker pickled it, with the files it holds, for the next save."""
        shard = _shard_of(folder + "/")
        if shard not in self._spilled:
            self.spill.mkdir(parents=True, exist_ok=True)
            self._spilled[shard] = open(self.spill / str(shard), "wb", buffering=0)  # no buffer a fork could copy
        self._spilled[shard].write(data)
        self.packed_paths.update(paths)

    def spilled(self, shard: int) -> bytes:
        """The results kept for a shard (b'' if none)."""
        handle = self._spilled.pop(shard, None)
        if handle is None:
            return b""
        handle.close()
        return (self.spill / str(shard)).read_bytes()

    def forget_spilled(self) -> None:
        for handle in self._spilled.values():
            handle.close()
        self._spilled.clear()
        if self.spill is not None:
            shutil.rmtree(self.spill, ignore_errors=True)

    def versions(self) -> dict[str, str]:
        """Shown path → version of every file read."""
        return {path: found[0] for path, found in self.current.items()}

    def changed(self) -> set[str]:
        """Files whose version differs from the last build's, or gone since (worked out once the read
        is over: it remembers nothing after that)."""
        if self._changed is None:
            self._changed = {path for path, found in self.current.items()
                             if self.previous.get(path, ("",))[0] != found[0]}
            self._changed |= self.previous.keys() - self.current.keys()
        return self._changed

    def _identity(self, shown: str) -> FileId | None:
        real = self.root + shown[len(self.root_shown):] if shown.startswith(self.root_shown) else shown
        known = self.files.get(real)
        if known is not None:
            return known
        try:
            return file_id(os.stat(real))
        except OSError:
            return None


@dataclass
class BuildState:
    """What one build leaves for the next."""

    code: str = ""
    """Version of digest's own code: a change voids the cache."""
    output: str = ""
    """The version of the output it describes (output.version_of its manifest): a site replaced behind
    digest's back, or restored, voids the cache."""
    files: dict = field(default_factory=dict)
    """ContentCache.current: shown path → (version, value, problems)."""
    pages: dict[str, str] = field(default_factory=dict)
    """Output path → the key of the page written there (changes.page_keys)."""
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Output path → the content files the page shows (plan.PageJob.sources)."""
    frame: str = ""
    """The pages' shared key (changes.frame_of)."""
    template_refs: dict = field(default_factory=dict)
    """Template source hash → the templates it names (changes.template_versions)."""
    templates: list[str] = field(default_factory=list)
    """The templates the frame was worked out with."""
    indexed: bool = False
    """Whether the output's search index was made from these pages (a build with --no-search, or one
    whose index serve is still making, leaves it behind them: the next build with search makes it)."""


def load(folder: Path, code: str, output: str) -> BuildState:
    """The last build's state, or an empty one when there is none, it is unreadable, made by other
    code or describes another version of the output."""
    found = _read_pickle(folder / "state.pickle")
    if not isinstance(found, tuple) or len(found) != 2 or found[0] != FORMAT or not isinstance(found[1], BuildState) \
            or found[1].code != code or not output or found[1].output != output:
        return BuildState(code=code)
    state = found[1]
    for shard in range(SHARDS):
        try:
            _load_shard(folder / "files" / f"{shard}.pickle", state.files)
        except Exception:  # noqa: BLE001 - a lost or damaged shard: rebuild in full rather than trust half a cache
            return BuildState(code=code, template_refs=state.template_refs)
    return state


def _load_shard(path: Path, files: dict) -> None:
    """Add a shard's records to `files`.  A shard is a sequence of pickles: a mapping of records the
    build pickled, then results of folders read on worker processes, stored as they sent them."""
    with open(path, "rb") as fh:
        while True:
            try:
                found = pickle.load(fh)
            except EOFError:
                return
            if isinstance(found, dict):
                files.update(found)
            else:
                files.update((record[0], record[1:]) for record in found.records)


class StateWriter:
    """Saves a build's state in two steps.  `write_files` writes the content cache's shards, and may
    run while pages render, once the last build's state is let go (build.write discards it first):
    shards without a state are never read.  `write` writes the state that makes them the cache, once
    the output is committed: it must never describe an output that may yet be rolled back."""

    def __init__(self, folder: Path, state: BuildState, changed: set[str] | None,
                 memo: ContentCache | None = None):
        self.folder, self.state = folder, state
        self.shards = set(range(SHARDS)) if changed is None else {_shard_of(path) for path in changed}
        """The shards to write: those holding `changed` files (None: all)."""
        self.memo = memo
        self.files_written = False

    def write_files(self) -> None:
        packed = self.memo.packed_paths if self.memo else set()
        grouped: dict[int, dict] = {shard: {} for shard in self.shards}
        for path, value in self.state.files.items():
            if (shard := _shard_of(path)) in grouped and path not in packed:
                grouped[shard][path] = value
        for shard, records in grouped.items():
            data = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL)
            spilled = self.memo.spilled(shard) if self.memo else b""
            write_atomic(self.folder / "files" / f"{shard}.pickle", data + spilled, durable=False)
        if self.memo:
            self.memo.forget_spilled()
        self.files_written = True

    def write(self) -> None:
        if not self.files_written:
            self.write_files()
        files, self.state.files = self.state.files, {}
        try:
            write_atomic(self.folder / "state.pickle",  # streamed: it comes when the build's memory is at its peak
                         lambda fh: pickle.dump((FORMAT, self.state), fh, protocol=pickle.HIGHEST_PROTOCOL),
                         durable=False)
        finally:
            self.state.files = files


def save(folder: Path, state: BuildState, changed: set[str] | None) -> None:
    """Write the state: the shards holding `changed` files (None: all), then the rest."""
    StateWriter(folder, state, changed).write()


def discard(folder: Path) -> None:
    """Forget the last build's state (before the output changes: it would no longer describe it)."""
    for name in ("state.pickle", "inputs.json"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / name)


def _shard_of(path: str) -> int:
    folder = path.rpartition("/")[0]
    return zlib.crc32(folder.encode("utf-8", "surrogatepass")) % SHARDS


def _read_pickle(path: Path):
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - any unreadable cache file only means a full build
        return None


def recorded_inputs(folder: Path) -> dict:
    """What mark_unchanged recorded, or {}."""
    try:
        recorded = json.loads((folder / "inputs.json").read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def mark_unchanged(folder: Path, signature: str, output: str, pages: int, settings: list) -> None:
    """Record the signature of the inputs the output (at version `output`) was just built from, its
    page count, and site.yaml's identity with the templates setting it held (so the next check need
    not parse it)."""
    write_atomic(folder / "inputs.json", json.dumps({"inputs": signature, "output": output, "pages": pages,
                                                     "settings": settings}), durable=False)
