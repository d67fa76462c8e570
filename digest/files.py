"""Small file-system tools every command shares: atomic writes and an exclusive lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import DigestError, Problem, display_path


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_current_umask()
DIR_MODE = 0o777 & ~_current_umask()


def write_atomic(path: Path, data: bytes | str | list[bytes] | Callable[[BinaryIO], object], durable: bool = True,
                 scratch: Path | None = None) -> None:
    """Write `data` (its pieces one after another, or what it writes to the file given) to a
    temporary file, fsync (when `durable`), then rename over `path`.

    Readers and killed processes never see a half-written file either way;
    `durable` also survives a power cut, at the cost of a disk flush per file.
    The temporary file is made beside `path`, or in `scratch` (a folder on the
    same filesystem) so that a killed writer leaves no stray file next to it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=scratch or path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.writelines([data] if isinstance(data, bytes) else data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def locked(folder: Path, what: str, wait: float = 600.0, lock_file: Path | None = None):
    """Hold an exclusive lock for `folder` so two builds or ingests never interleave.

    The lock file is `lock_file`, or one in the project's .digest-cache/ (the
    folder's parent's): never a file among a person's own.  A second process
    waits (saying so once), and gives up after `wait` seconds.
    """
    lock_path = lock_file or Path(folder).parent / ".digest-cache" / f"{Path(folder).name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise DigestError(Problem(display_path(folder), f"another {what} is still running",
                                              hint="wait for it to finish and try again")) from None
                if not told:
                    print(f"waiting for another {what} of {display_path(folder)} to finish…", flush=True)
                    told = True
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
