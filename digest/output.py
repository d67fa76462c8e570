"""Writing files safely: atomic file writes, a whole-folder swap, and a lock.

A reader never sees a half-written file or site: files are written to a
temporary name and renamed; a site is built in a sibling folder and swapped
in at the end.  Nothing is written outside the folder it was given.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

from .files import DIR_MODE, FILE_MODE, locked, write_atomic  # noqa: F401
from .errors import DigestError, Problem


def safe_join(root: Path | str, relative: str) -> str:
    """root/relative, refusing anything that could land outside root (Pelican's sanitised_join).

    A string check, no filesystem call: output paths are plain relative paths
    made of safe segments, and the folders under root are ours (no symlinks).
    """
    parts = relative.split("/")
    if ("\x00" in relative or "\\" in relative or relative.startswith("/")
            or any(part in ("", ".", "..") for part in parts)):
        raise DigestError(Problem(relative, "output path is not a plain relative path inside the output folder"))
    return f"{root}/{relative}"


def staging_folder(output: Path, spare: Path | None = None) -> Path:
    """A folder beside `output` to build into: the spare (the previous generation of the site) when
    there is one, since overwriting files is several times faster than creating them; else a new one."""
    output.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.build-", dir=output.parent))
    if spare is not None and spare.is_dir():
        os.rmdir(folder)
        os.replace(spare, folder)
    folder.chmod(DIR_MODE)
    return folder


def overwrite(path: Path | str, data: bytes) -> None:
    """Write `data` to `path`, reusing the file's blocks when it exists, making missing folders.

    Opening with O_TRUNC frees a file's blocks before they are written again,
    which on filesystems mounted with `discard` costs several times the write
    itself; writing first and cutting off any old tail does not.  Folders are
    made only when the open fails, not checked for every page.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if os.fstat(fd).st_size != len(data):
            os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def prune(folder: Path, keep: set[str]) -> int:
    """Delete files under `folder` whose relative path is not in `keep`, and folders left empty.

    Folders that will hold a kept file are never removed, so pruning may run
    while the kept files are still being written.
    """
    removed = 0
    emptied: set[str] = set()
    needed = _folders_holding(keep)
    top = len(str(folder)) + 1
    for current, dirs, files in os.walk(folder, topdown=False):
        prefix = current[top:].replace(os.sep, "/") + "/" if len(current) >= top else ""
        left = 0
        for name in files:
            if prefix + name not in keep:
                os.unlink(os.path.join(current, name))
                removed += 1
            else:
                left += 1
        if (prefix and not left and prefix[:-1] not in needed
                and all(os.path.join(current, name) in emptied for name in dirs)):
            os.rmdir(current)
            emptied.add(current)
    return removed


def prune_listed(folder: Path, listed: set[str], keep: set[str]) -> int:
    """prune() for a folder whose files are known to be `listed`: only the listed files not in `keep`
    are deleted, with the folders they leave empty, and no folder is listed."""
    needed = _folders_holding(keep)
    removed = 0
    for path in sorted(listed - keep):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
            os.unlink(safe_join(str(folder), path))
            removed += 1
        parent = path.rpartition("/")[0]
        while parent and parent not in needed:
            try:
                os.rmdir(safe_join(str(folder), parent))
            except OSError:
                break  # not empty (it holds other stale files, removed later, or someone else's)
            parent = parent.rpartition("/")[0]
    return removed


def _folders_holding(files: set[str]) -> set[str]:
    """Every folder on the way to one of `files` (relative paths): a/b/c.html → a, a/b."""
    return {"/".join(parts[:depth]) for parts in (path.split("/") for path in files) for depth in range(1, len(parts))}


def swap_in(staging: Path, output: Path, spare: Path | None = None) -> None:
    """Make `staging` the output in one atomic step; the old site becomes the spare, or is removed.

    Linux exchanges the two folders atomically (renameat2 RENAME_EXCHANGE), so
    at no moment is there no site.  Elsewhere two renames are used, and a
    build killed between them leaves `.<name>.old-*`, which remove_stale
    puts back.
    """
    if output.exists() and _exchange(staging, output):
        old = staging
    else:
        old = None
        if output.exists():
            old = output.with_name(f".{output.name}.old-{os.getpid()}-{time.monotonic_ns()}")
            os.replace(output, old)
        os.replace(staging, output)
    if old is None:
        return
    if spare is not None and not spare.exists():
        spare.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, spare)
    else:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def remove_stale(output: Path, spare: Path | None = None) -> None:
    """Leftovers of builds that were killed mid-way.

    A previous site set aside by a swap that did not finish is put back when
    the output is missing; a half-built folder becomes the spare (it will be
    overwritten and pruned); anything else is removed.
    """
    olds = sorted(output.parent.glob(f".{output.name}.old-*"))
    if olds and not output.exists():
        os.replace(olds.pop(), output)
    for stale in [*output.parent.glob(f".{output.name}.build-*"), *olds]:
        if spare is not None and not spare.exists():
            spare.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stale, spare)
        else:
            shutil.rmtree(stale, ignore_errors=True)


