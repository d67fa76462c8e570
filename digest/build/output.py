"""The write stage: the output folder as digest owns it.

Ownership.  A manifest (`.digest/manifest` in the output) lists every file
digest wrote there, with a hash of its bytes, one `hash  path` line each.  digest deletes or replaces only those; any other
file is left alone, and one standing where a page must go stops the build
with its name.  A folder digest did not make is used only when empty (dot
files and CNAME aside, which are never touched) or with --force-output.
Writes go through the output path, never around it: a link to a folder
elsewhere, or a mount point, is written into, not replaced.

Undo.  Each build writes under a journal (`.digest/journal/<id>/`): before a
file is created, changed or deleted, its old bytes (or that it was new) are
appended to the writing process's log.  Once every file is written, the
build puts the manifest it is about to commit into its journal, then
replaces the output's manifest: the commit.  A journal whose manifest is not
the output's belongs to a build that failed or was killed before it
committed: it is rolled back, at once after a failure, or by the next
command after a kill, and the previous site is back whole.  Files whose
bytes would not change are not written at all.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import shutil
import stat
import struct
import uuid
from pathlib import Path

from ..errors import DigestError, Problem, display_path
from ..files import DIR_MODE, FILE_MODE, write_atomic

OWN_FOLDER = ".digest"
MANIFEST = f"{OWN_FOLDER}/manifest"
MANIFEST_HEADER = "# The files digest wrote in this folder, each with a BLAKE2b hash of its bytes.\n"
COMMITTING = "manifest"
"""In a journal: the manifest its build is committing (written once every file is)."""
KEPT = ("CNAME",)
"""Files at the output's root that are never digest's, like its dot files (.git, .nojekyll, .well-known)."""
NEW, OLD, MADE = b"N", b"O", b"D"
"""Journal records: a file that did not exist, a file's old bytes, a folder made."""
_HEADER = struct.Struct("<cIQ")


def safe_join(root: Path | str, relative: str) -> str:
    """root/relative, refusing anything that could land outside root (Pelican's sanitised_join): a
    plain relative path of safe segments.  Folders on the way are checked by Journal._parents."""
    parts = relative.split("/")
    if ("\x00" in relative or "\\" in relative or relative.startswith("/")
            or any(part in ("", ".", "..") for part in parts)):
        raise DigestError(Problem(relative, "output path is not a plain relative path inside the output folder"))
    return f"{root}/{relative}"


class Output:
    """An output folder digest may write into, with what it owns there."""

    def __init__(self, folder: Path, manifest: bytes, notes: list[str]):
        self.folder = folder
        self.manifest = manifest
        """The manifest as stored (b'' when there is none)."""
        self.version = version_of(manifest)
        """A hash of the manifest: the state of the output a build's cache must describe ('' if none)."""
        self.notes = notes
        """One-line notes for the user: what recovery found."""

    @functools.cached_property
    def owned(self) -> dict[str, str]:
        """The files the last committed build wrote, with their hashes: read from the manifest when a
        build needs them (one that finds nothing changed does not)."""
        return parse_manifest(self.manifest) or {}

    @classmethod
    def open(cls, folder: Path, force: bool = False) -> Output:
        """The output folder, after rolling back any build that did not finish; DigestError if it holds
        files digest did not write and `force` is not given."""
        notes = recover(folder)
        text = manifest_text(folder)
        if not text and (foreign := _foreign_files(folder)) and not force:
            raise DigestError(Problem(display_path(folder), f"holds files digest did not write (e.g. {foreign})",
                                      hint="build into a new or empty folder, or pass --force-output to "
                                           "build beside them (digest deletes none of them)"))
        return cls(folder, text, notes)

    def journal(self) -> Journal:
        return Journal(self)


class Journal:
    """The writes of one build, undoable until commit.  Use as a context manager: leaving it by an
    exception rolls the writes back.  Forked workers write through the same journal, each to its
    own log, decided at their first write."""

    def __init__(self, output: Output):
        self.output = output
        self.root = str(output.folder)
        self.id = uuid.uuid4().hex
        self.folder = output.folder / OWN_FOLDER / "journal" / self.id
        self._log_fd: int | None = None
        self._log_pid = 0
        self._folders: set[str] = set()
        """Folders known to be real folders of the output (not links), per process."""
        self.written = 0
        """Files this process changed."""
        self.hashes: dict[str, str] = {}
        """Output path → hash of the bytes this process wrote there."""

    def __enter__(self) -> Journal:
        self.output.folder.mkdir(parents=True, exist_ok=True)
        (self.output.folder / OWN_FOLDER).mkdir(exist_ok=True)
        self.folder.mkdir(parents=True)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self._close_log()
        if kind is not None:
            roll_back(self.output.folder, self.folder)

    def write(self, relative: str, data: bytes) -> bool:
        """Make the file at `relative` hold `data`; False when it held it already."""
        path = safe_join(self.root, relative)
        self._parents(relative)
        fd, found = self._open_own(relative, path)
        if fd is None:
            self._create(relative, path, (data,))
            self._wrote(relative, data)
            return True
        try:
            old = _read_all(fd, found.st_size)
            if old == data:
                if not self.output.owned[relative]:
                    self.hashes[relative] = hash_of(data)
                return False
            self._log(OLD, relative, old)
            os.lseek(fd, 0, os.SEEK_SET)
            _write_all(fd, data)
            if len(data) < len(old):
                os.ftruncate(fd, len(data))
        finally:
            os.close(fd)
        self._wrote(relative, data)
        return True

    def write_parts(self, relative: str, parts) -> bool:
        """Like write, for a file of tens of MB made of parts (the site's open data): `parts()` gives
        the pieces again for each pass — size and hash, comparison, writing — so the file is never
        held whole, and neither are its old bytes, which go to the log a block at a time.  Nothing
        changes until the first pass is through, so an error there (ValueError from the parts)
        leaves the file as it was."""
        digest, size = hashlib.blake2b(digest_size=12), 0
        for piece in parts():
            digest.update(piece)
            size += len(piece)
        path = safe_join(self.root, relative)
        self._parents(relative)
        fd, found = self._open_own(relative, path)
        if fd is None:
            self._create(relative, path, parts())
            return self._wrote_hash(relative, digest.hexdigest())
        try:
            if found.st_size == size and _holds(fd, parts()):
                if not self.output.owned[relative]:
                    self.hashes[relative] = digest.hexdigest()
                return False
            self._log_file(OLD, relative, fd, found.st_size)
            os.lseek(fd, 0, os.SEEK_SET)
            _write_pieces(fd, parts())
            os.ftruncate(fd, size)
        finally:
            os.close(fd)
        return self._wrote_hash(relative, digest.hexdigest())

    def _open_own(self, relative: str, path: str) -> tuple[int | None, os.stat_result | None]:
        """The file at `path` opened for writing, and its stat, when it is one digest wrote; (None,
        None) when there is none.  A link there, or a file digest did not write, stops the build."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise self._in_the_way(relative, "a link") if exc.errno == errno.ELOOP else exc
        found = os.fstat(fd)
        if relative not in self.output.owned or not stat.S_ISREG(found.st_mode):
            os.close(fd)
            raise self._in_the_way(relative, "a file digest did not write")
        return fd, found

    def _create(self, relative: str, path: str, pieces) -> None:
        self._log(NEW, relative)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
        try:
            _write_pieces(fd, pieces)
        finally:
            os.close(fd)

    def _wrote_hash(self, relative: str, digest: str) -> bool:
        self.written += 1
        self.hashes[relative] = digest
        return True

    def _wrote(self, relative: str, data: bytes) -> None:
        self._wrote_hash(relative, hash_of(data))

    def remove(self, relative: str) -> None:
        """Delete a file the last build wrote (and folders that leaves empty)."""
        if relative not in self.output.owned:
            return
        path = safe_join(self.root, relative)
        self._parents(relative, make=False)
        try:
            with open(path, "rb", opener=_no_follow) as fh:
                self._log(OLD, relative, fh.read())
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return  # replaced by a link since: not digest's any more
            raise
        os.unlink(path)
        self.written += 1
        parent = relative.rpartition("/")[0]
        while parent:
            try:
                os.rmdir(safe_join(self.root, parent))  # the file's own folder, if that emptied it
            except OSError:
                break
            self._folders.discard(parent)
            parent = parent.rpartition("/")[0]

    def commit(self, files: dict[str, str]) -> str:
        """Record `files` (path → hash) as the output's, then forget the journal (see the module's
        docstring); the output's new version."""
        manifest = self.output.folder / MANIFEST
        try:
            self._log(OLD, MANIFEST, manifest.read_bytes())
        except FileNotFoundError:
            self._log(NEW, MANIFEST)
        self._close_log()
        # line by line: a site's manifest is MBs, and the build's memory is at its peak here
        lines = [MANIFEST_HEADER.encode("utf-8")]
        lines += [f"{files[path]}  {path}\n".encode("utf-8") for path in sorted(files)]
        write_atomic(self.folder / COMMITTING, lines, durable=False)
        write_atomic(manifest, lines, durable=False, scratch=self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder.parent.rmdir()  # the journal folder, when no other build's journal is in it
        return version_of(lines)

    def _parents(self, relative: str, make: bool = True) -> None:
        """Make sure each folder on the way to `relative` is a real folder inside the output (a link
        there would lead writes out of it), making the missing ones when `make`."""
        if relative.rpartition("/")[0] in self._folders:  # the usual case: its folder is known already
            return
        parts = relative.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            if folder in self._folders:
                continue
            path = f"{self.root}/{folder}"
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                if not make:
                    return
                self._log(MADE, folder)
                with contextlib.suppress(FileExistsError):  # another worker may make it meanwhile
                    os.mkdir(path, DIR_MODE)
                mode = os.lstat(path).st_mode
            if not stat.S_ISDIR(mode):
                raise self._in_the_way(folder, "a link" if stat.S_ISLNK(mode) else "a file digest did not write")
            self._folders.add(folder)

    def _log(self, kind: bytes, relative: str, data: bytes = b"", size: int | None = None) -> None:
        """Append a record to this process's log before the change it describes (of `size` bytes of
        data when the caller writes them after): a kill leaves it whole or cut short, and a record
        cut short is before any change."""
        if self._log_pid != os.getpid():
            self._log_fd = os.open(self.folder / f"{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._log_pid = os.getpid()
        name = relative.encode("utf-8", "surrogateescape")
        head = _HEADER.pack(kind, len(name), len(data) if size is None else size) + name
        if len(data) < 1 << 16:
            _write_all(self._log_fd, head + data)
        else:  # a big file's old bytes are not copied once more (a record cut short is before any change)
            _write_all(self._log_fd, head)
            _write_all(self._log_fd, data)

    def _log_file(self, kind: bytes, relative: str, fd: int, size: int) -> None:
        """_log with the bytes of an open file as its data, copied a block at a time."""
        self._log(kind, relative, b"", size)
        offset = 0
        while offset < size:
            block = os.pread(fd, min(1 << 20, size - offset), offset)
            if not block:
                raise OSError(errno.EIO, f"{relative} shrank while being read")
            _write_all(self._log_fd, block)
            offset += len(block)

    def _close_log(self) -> None:
        if self._log_fd is not None and self._log_pid == os.getpid():
            os.close(self._log_fd)
        self._log_fd, self._log_pid = None, 0

    def _in_the_way(self, relative: str, what: str) -> DigestError:
        return DigestError(Problem(display_path(Path(self.root) / relative), f"{what} stands where digest must write",
                                   hint="move it away (digest never replaces what it did not write)"))


def recover(folder: Path) -> list[str]:
    """Roll back the journals of builds that did not commit; clear those of builds that did.  The
    notes say what was done."""
    journals = folder / OWN_FOLDER / "journal"
    if not journals.is_dir() or journals.is_symlink():
        return []
    try:
        manifest = (folder / MANIFEST).read_bytes()
    except OSError:
        manifest = None
    notes = []
    for journal in sorted(journals.iterdir()):
        try:
            committed = (journal / COMMITTING).read_bytes() == manifest
        except OSError:
            committed = False
        if not committed:
            notes += roll_back(folder, journal)
            notes.append(f"{display_path(folder)}: rolled back a build that did not finish")
        shutil.rmtree(journal, ignore_errors=True)
    for leftover in (folder / OWN_FOLDER).glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    return notes


def roll_back(folder: Path, journal: Path) -> list[str]:
    """Undo what a journal's logs record: files back to their old bytes, new files and folders gone.
    Each path is checked as the journal's writer checked it; anything else is skipped with a note."""
    notes: list[str] = []
    records = [record for log in sorted(journal.glob("*.log")) for record in _records(log, notes)]
    root = str(folder)
    for kind, relative, data in reversed(records):
        try:
            path = safe_join(root, relative)
            if _through_link(root, relative):
                notes.append(f"{display_path(folder)}: journal names {relative!r} behind a link; left alone")
                continue
            if kind == NEW:
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    os.unlink(path)
            elif kind == OLD:
                os.makedirs(os.path.dirname(path), DIR_MODE, exist_ok=True)
                _restore(path, data)
        except (DigestError, OSError) as exc:
            notes.append(f"{display_path(folder)}: could not undo {relative!r}: {exc}")
    for relative in sorted((r for k, r, _ in records if k == MADE), key=lambda r: r.count("/"), reverse=True):
        with contextlib.suppress(OSError, DigestError):
            if not _through_link(root, relative):
                os.rmdir(safe_join(root, relative))
    shutil.rmtree(journal, ignore_errors=True)
    return notes


def _records(log: Path, notes: list[str]):
    """(kind, relative path, data) of each whole record of a log; a record cut short ends it."""
    try:
        data = log.read_bytes()
    except OSError:
        notes.append(f"{display_path(log)}: unreadable journal log, discarded")
        return
    at = 0
    while at + _HEADER.size <= len(data):
        kind, name_length, data_length = _HEADER.unpack_from(data, at)
        end = at + _HEADER.size + name_length + data_length
        if kind not in (NEW, OLD, MADE) or end > len(data):
            if kind not in (NEW, OLD, MADE):
                notes.append(f"{display_path(log)}: damaged journal log, its remainder discarded")
            return
        name = data[at + _HEADER.size: at + _HEADER.size + name_length].decode("utf-8", "surrogateescape")
        yield kind, name, data[at + _HEADER.size + name_length:end]
        at = end


def _through_link(root: str, relative: str) -> bool:
    """Whether a folder on the way to `relative` is a link (or no folder): the journal's writer never
    wrote through one, so a record that would is not the writer's."""
    parts = relative.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        try:
            if not stat.S_ISDIR(os.lstat(f"{root}/{'/'.join(parts[:depth])}").st_mode):
                return True
        except FileNotFoundError:
            return False
    return False


def _restore(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    try:
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def manifest_text(folder: Path) -> bytes:
    """The output's manifest as stored, or b'' when there is none (or the file is no manifest)."""
    try:
        text = (folder / MANIFEST).read_bytes()
    except OSError:
        return b""
    return text if text.startswith(MANIFEST_HEADER.encode("utf-8")) else b""


def parse_manifest(text: bytes) -> dict[str, str] | None:
    """A manifest's path → hash; None when it is not one."""
    try:
        lines = text.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None
    if not lines or lines[0] + "\n" != MANIFEST_HEADER:
        return None
    owned = {}
    for line in lines[1:]:
        digest, _, path = line.partition("  ")
        if not path:
            return None
        owned[path] = digest
    return owned


def read_manifest(folder: Path) -> tuple[bytes, dict[str, str] | None]:
    """The output's manifest as stored, and as path → hash (None when there is none, or it is not one)."""
    text = manifest_text(folder)
    owned = parse_manifest(text)
    return (text, owned) if owned is not None else (b"", None)


def hash_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def version_of(manifest: bytes | list[bytes]) -> str:
    """The output's version: a hash of its manifest's bytes (given whole or as lines), '' for none."""
    lines = [manifest] if isinstance(manifest, bytes) else manifest
    if not any(lines):
        return ""
    digest = hashlib.blake2b(digest_size=12)
    for line in lines:
        digest.update(line)
    return digest.hexdigest()


def _foreign_files(folder: Path) -> str:
    """The first file or folder of `folder` that is neither digest's own nor kept ('' if none)."""
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return ""
    return next((name for name in names if not name.startswith(".") and name not in KEPT), "")


def read_owned(folder: Path, relative: str) -> tuple[bytes | None, tuple]:
    """The bytes of a file in the output, not through a link at its own name (None when there is no
    such regular file), and the file's identity as it was read: device, inode, size and the times of
    its last change, which any write moves.  Callers check the bytes against the hash they expect."""
    try:
        fd = os.open(safe_join(folder, relative), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None, ()
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            return None, ()
        data = _read_all(fd, found.st_size)
        after = os.fstat(fd)
        return data, (after.st_dev, after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns)
    finally:
        os.close(fd)


def _no_follow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes: its size and one more (which finds the end), or more if it grew meanwhile."""
    chunks = []
    while chunk := os.read(fd, size + 1 if not chunks else 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_pieces(fd: int, pieces) -> None:
    for piece in pieces:
        _write_all(fd, piece)


def _holds(fd: int, pieces) -> bool:
    """Whether the open file holds the pieces one after another (its size already checked)."""
    offset = 0
    for piece in pieces:
        if os.pread(fd, len(piece), offset) != piece:
            return False
        offset += len(piece)
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
