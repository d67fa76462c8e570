"""The build cache and the journal that makes in-place updates undoable.

The cache (`.digest-cache/<output name>/` beside the output folder, git-ignored)
keeps what the last successful build read and wrote: each content file's
model objects and each page's fingerprint.  A rebuild parses only changed
files and renders only pages whose fingerprint changed.

An incremental build changes the live site in place, so it keeps a journal:
before a page is replaced, its old version is hard-linked into the journal;
pages new to the site are listed there.  The build commits by saving the new
cache state under the journal's id.  A journal found at start-up without a
matching commit belongs to a build that was killed: it is rolled back, which
puts every page of the previous site back.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import tempfile
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .files import write_atomic

RACY_NS = 2_000_000_000
"""Files modified less than this long before a build are read afresh: timestamps are coarse, and a
second change within the same tick, size unchanged, would go unseen (git's "racy clean" problem)."""

FORMAT = 7
"""Bumped whenever what the cache stores changes shape."""


def cache_folder(output: Path) -> Path:
    return output.parent / ".digest-cache" / output.name


def compiled_templates_folder(output: Path, code: str) -> Path:
    """Where compiled templates are kept for builds by this version of digest's code (older ones are removed)."""
    parent = cache_folder(output) / "templates"
    folder = parent / code
    if not folder.is_dir():
        shutil.rmtree(parent, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_template_refs(compiled: Path) -> dict:
    """Template source hash → the templates it names (render.template_versions), kept beside the
    compiled templates: like them, valid for any build by this code, --clean ones too."""
    found = _read_pickle(compiled / "refs.pickle")
    return found if isinstance(found, dict) else {}


def save_template_refs(compiled: Path, refs: dict) -> None:
    write_atomic(compiled / "refs.pickle", pickle.dumps(refs, protocol=pickle.HIGHEST_PROTOCOL))


def spare_folder(output: Path) -> Path:
    """The previous generation of the site, recycled by the next full build."""
    return cache_folder(output) / "spare"


def output_files(output: Path, folders: tuple[str, ...] = ()) -> set[str] | None:
    """The files the output folder holds by the last build's state: its pages, and its assets but the
    `folders` among them (the search index); None when there is no readable state."""
    found = _read_pickle(cache_folder(output) / "state.pickle")
    if not isinstance(found, tuple) or len(found) != 2 or not isinstance(found[1], BuildState):
        return None
    return files_of(found[1], folders)


def files_of(state: BuildState, folders: tuple[str, ...] = ()) -> set[str]:
    """The files a build's output holds: its pages, and its assets but the `folders` among them."""
    return set(state.pages) | {path for path in state.assets if path not in folders}


def keep_spare_files(output: Path, files: set[str]) -> None:
    """Record what the spare (the output a full build just swapped out) holds, so the next full build
    prunes it without listing every folder.  The record names the spare by inode and change time:
    any later move of the folder, a file added at its top, or a new folder on a reused inode leaves
    it unmatched."""
    spare = spare_folder(output)
    with contextlib.suppress(OSError):
        identity = spare.stat()
        write_atomic(cache_folder(output) / "spare-files.pickle",
                     pickle.dumps(((identity.st_ino, identity.st_ctime_ns), files), protocol=pickle.HIGHEST_PROTOCOL),
                     durable=False)


def take_spare_files(output: Path) -> set[str] | None:
    """What the spare holds, if recorded for this very folder; the record is removed either way,
    before the spare is written to, so a build killed while writing leaves none."""
    record = cache_folder(output) / "spare-files.pickle"
    found = _read_pickle(record)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(record)
    try:
        identity = spare_folder(output).stat()
    except OSError:
        return None
    if (isinstance(found, tuple) and len(found) == 2 and found[0] == (identity.st_ino, identity.st_ctime_ns)
            and isinstance(found[1], set)):
        return found[1]
    return None


@dataclass
class BuildState:
    """What one build leaves for the next."""

    code: str = ""
    """Version of digest's own code and templates: a change voids the cache."""
    files: dict = field(default_factory=dict)
    """content.ReadCache entries: shown path → (file key, model object, problems)."""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Output path → (quick key, fingerprint) of the page written there (render.page_fingerprints)."""
    assets: dict[str, str] = field(default_factory=dict)
    """Output path → fingerprint of copied static files and the search index."""
    frame: str = ""
    """The pages' shared quick-key parts (render.Renderer.frame)."""
    templates: list[str] = field(default_factory=list)
    """The templates the pages were made with."""
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Output path → the content files the page shows (pages.PageJob.sources)."""
    build_id: str = ""


SHARDS = 64
"""The content cache is split by folder into this many files, so a rebuild rewrites only the shards it changed."""


def folder_of(shown_path: str) -> str:
    return shown_path.rsplit("/", 1)[0]


def _shard_of(folder: str) -> int:
    return zlib.crc32(folder.encode("utf-8", "surrogatepass")) % SHARDS


def _read_pickle(path: Path):
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return None


class FileId(NamedTuple):
    """What tells one version of a file from another: a stat's fields that the cache and the
    build's signature compare (a stat_result takes five times as long to pickle)."""
    st_mtime_ns: int
    st_size: int
    st_ino: int


def file_id(stat) -> FileId:
    return FileId(stat.st_mtime_ns, stat.st_size, stat.st_ino)


def saved_size(output: Path) -> int:
    """The size in bytes of the last build's state (its pages and their sources), 0 if there is none."""
    try:
        return (cache_folder(output) / "state.pickle").stat().st_size
    except OSError:
        return 0


def load(output: Path, code: str) -> BuildState:
    """The last build's state, or an empty one when there is none, it is unreadable or made by other code."""
    folder = cache_folder(output)
    found = _read_pickle(folder / "state.pickle")
    if (not isinstance(found, tuple) or len(found) != 2 or found[0] != FORMAT
            or not isinstance(found[1], BuildState) or found[1].code != code or not output.is_dir()):
        return BuildState(code=code)
    loaded = found[1]
    for shard in range(SHARDS):
        try:
            with open(folder / "files" / f"{shard}.pickle", "rb") as fh:
                for _, packed in _records(fh):
                    loaded.files.update(pickle.loads(packed)[0])
        except (OSError, AttributeError, TypeError, IndexError, EOFError, pickle.UnpicklingError, ValueError):
            loaded.pages = {}  # a lost shard: rebuild in full rather than trust half a cache
            return loaded
    return loaded


def _records(fh):
    """The (folder, packed) records of a shard file, which is a sequence of pickles."""
    while True:
        try:
            yield pickle.load(fh)
        except EOFError:
            return


def pack_folder(files: dict, *extra) -> bytes:
    """One folder's content cache entries (and anything else sent along with them) as stored in a shard."""
    return pickle.dumps((files, *extra), protocol=pickle.HIGHEST_PROTOCOL)


def _record(name: str, packed: bytes) -> bytes:
    """One folder's record in a shard file."""
    return pickle.dumps((name, packed), protocol=pickle.HIGHEST_PROTOCOL)


class PackedFolders:
    """Folders pickled by the workers that read them, appended to new shard files as they arrive, so
    a full build neither pickles them again nor holds them in memory.  save_files completes and
    commits the shards; until then the live cache is untouched."""

    def __init__(self, output: Path):
        self.cache = cache_folder(output)
        self.scratch: Path | None = None
        """Where the new shard files grow; made on the first record."""
        self.paths: dict[str, frozenset[str]] = {}
        """Folder → the content files its record holds."""
        self._handles: dict[int, object] = {}

    def add(self, name: str, packed: bytes, paths: frozenset[str]) -> None:
        shard = _shard_of(name)
        handle = self._handles.get(shard)
        if handle is None:
            handle = self._handles[shard] = open(self._scratch() / f"{shard}.pickle", "wb")
        handle.write(_record(name, packed))
        self.paths[name] = paths

    def commit(self, shard: int, more: bytes, target: Path) -> bool:
        """Append `more` to the shard's new file and move it to `target`; False if it has no records."""
        handle = self._handles.pop(shard, None)
        if handle is None:
            return False
        with handle:
            handle.write(more)
        os.replace(self._scratch() / f"{shard}.pickle", target)
        return True

    def discard(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _scratch(self) -> Path:
        if self.scratch is None:
            self.cache.mkdir(parents=True, exist_ok=True)
            for stale in self.cache.glob(".shards-*"):  # of a killed build (we hold the build lock)
                shutil.rmtree(stale, ignore_errors=True)
            self.scratch = Path(tempfile.mkdtemp(prefix=".shards-", dir=self.cache))
        return self.scratch


def save_files(output: Path, files: dict, changed: set[str] | None = None,
               packed: PackedFolders | None = None) -> None:
    """Write the content cache; `changed` (shown paths parsed or gone since the last save) limits
    which shards are rewritten (None: all).  `packed` holds folders the workers already pickled.

    The last build's state is let go first: it describes the pages of the shards it was saved with,
    and a build killed before saving its own would otherwise leave new shards under old pages, whose
    edits the next build would take as already shown."""
    folder = cache_folder(output)
    shards = set(range(SHARDS)) if changed is None else {_shard_of(folder_of(path)) for path in changed}
    if shards:
        discard(output)
    covered = packed.paths if packed else {}
    rest: dict[int, dict[str, dict]] = {shard: {} for shard in shards}
    for path, value in files.items():
        name = folder_of(path)
        shard = _shard_of(name)
        if shard in rest and path not in covered.get(name, ()):
            rest[shard].setdefault(name, {})[path] = value
    (folder / "files").mkdir(parents=True, exist_ok=True)
    try:
        for shard, folders in rest.items():
            target = folder / "files" / f"{shard}.pickle"
            more = b"".join(_record(name, pack_folder(part)) for name, part in folders.items())
            if not (packed and packed.commit(shard, more, target)):
                write_atomic(target, more)
    finally:
        if packed:
            packed.discard()


def save(output: Path, state: BuildState, changed: set[str] | None = None) -> None:
    """Write the state (the commit of a build): the shards of `changed` files first, then the rest."""
    folder = cache_folder(output)
    if changed is None or changed:
        save_files(output, state.files, changed)
    files, state.files = state.files, {}
    try:
        write_atomic(folder / "state.pickle", pickle.dumps((FORMAT, state), protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        state.files = files


def discard(output: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(cache_folder(output) / "state.pickle")
    forget_inputs(output)


def committed_id(output: Path) -> str:
    """The id of the last committed build (to tell a finished journal from an interrupted one)."""
    found = _read_pickle(cache_folder(output) / "state.pickle")
    return found[1].build_id if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], BuildState) else ""


def mark_unchanged(output: Path, inputs: str, pages: int, templates: list) -> None:
    """Record the signature of the inputs the output was just built from, and which template folders
    the site's settings file named (build.input_signature)."""
    write_atomic(cache_folder(output) / "inputs.json",
                 json.dumps({"inputs": inputs, "pages": pages, "templates": templates}))


def forget_inputs(output: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(cache_folder(output) / "inputs.json")


def recorded_inputs(output: Path) -> dict:
    """What mark_unchanged recorded, or {}."""
    try:
        recorded = json.loads((cache_folder(output) / "inputs.json").read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def unchanged_since(output: Path, recorded: dict, inputs: str) -> int | None:
    """The page count if the output was built from exactly these inputs and is still there; else None."""
    if recorded.get("inputs") != inputs or not output.is_dir():
        return None
    return recorded.get("pages") if isinstance(recorded.get("pages"), int) else None


class Journal:
    """Undo log for changing the live output folder file by file."""

    def __init__(self, output: Path):
        self.output = output
        self.folder = cache_folder(output) / "journal"
        self.id = uuid.uuid4().hex

    def __enter__(self) -> Journal:
        if self.folder.exists():
            shutil.rmtree(self.folder)
        (self.folder / "old").mkdir(parents=True)
        (self.folder / "id").write_text(self.id)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """After a clean exit (the commit, the state saved with this journal's id, is inside the block)
        the old files are forgotten; after an error the journal stays for the next start to roll back."""
        if kind is None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def replace(self, relative: str, data: bytes) -> None:
        """Write one output file, keeping the old one for rollback."""
        target = self.output / relative
        self._keep_old(relative, target)
        # Pages can be rebuilt, so no fsync; the temporary file is made in the journal, which a rollback removes.
        write_atomic(target, data, durable=False, scratch=self.folder)

    def remove(self, relative: str) -> None:
        target = self.output / relative
        if target.exists():
            self._keep_old(relative, target, move=True)
            _prune_empty(target.parent, self.output)

    def replace_folder(self, relative: str, new_folder: Path) -> None:
        """Swap a whole folder (the search index) in, keeping the old one."""
        target = self.output / relative
        if target.exists():
            self._keep_old(relative, target, move=True)
        else:
            self._record_new(relative)
        os.replace(new_folder, target)

    def _keep_old(self, relative: str, target: Path, move: bool = False) -> None:
        if not target.exists():
            self._record_new(relative)
            return
        saved = self.folder / "old" / relative
        saved.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            self._log("folders.txt", relative)
            os.replace(target, saved)
        elif move:
            os.replace(target, saved)
        else:
            os.link(target, saved)

    def _record_new(self, relative: str) -> None:
        self._log("new.txt", relative)

    def _log(self, name: str, relative: str) -> None:
        with open(self.folder / name, "a", encoding="utf-8") as fh:
            fh.write(relative + "\n")


def recover(output: Path) -> bool:
    """Roll back a journal left by a killed build; True when there was one to roll back."""
    folder = cache_folder(output) / "journal"
    if not folder.exists():
        return False
    try:
        journal_id = (folder / "id").read_text()
    except OSError:
        journal_id = ""
    # The id is written before any file is replaced and is the first thing the clean-up after a commit
    # may delete: a journal without one holds nothing to roll back (killed before the first replacement),
    # or belongs to a committed build whose clean-up was cut short, which rolling back would mix.
    if not journal_id or journal_id == committed_id(output):
        shutil.rmtree(folder, ignore_errors=True)
        return False
    for relative in _lines(folder / "new.txt"):
        _remove(output / relative)
    old = folder / "old"
    for relative in _lines(folder / "folders.txt"):
        if (old / relative).exists():
            _remove(output / relative)
            os.replace(old / relative, output / relative)
    for saved in [p for p in old.rglob("*") if not p.is_dir()] if old.exists() else ():
        target = output / saved.relative_to(old)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(saved, target)
    shutil.rmtree(folder, ignore_errors=True)
    return True


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
