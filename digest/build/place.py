"""Where a build writes: an output folder it may use, and its own folder for cache and lock.

The output folder is refused, with one line naming it and why, when it is
or holds the content folder, the project folder, the folder the command runs
in, digest's own files, the home folder or `/`, or when it lies inside the
content folder or the cache (which would be read back as input or deleted as
cache).  A build's cache and lock live in the project's `.digest-cache/`,
under a name made from the output folder's real path: whatever `--output`
says, they never land on the project's own files.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import DigestError, Problem, display_path
from ..theme import DEFAULT_THEME

CACHE_FOLDER = ".digest-cache"
DIGEST_CODE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Place:
    """The folders one build of `content` into `output` uses."""

    content: Path
    output: Path
    """As given: writes go through it, so a link to a folder elsewhere is written through."""
    cache: Path
    """This output's cache folder (build/cache.py), with the build lock."""

    @property
    def lock(self) -> Path:
        return self.cache.with_name(self.cache.name + ".lock")

    def remember_output(self) -> None:
        """Note, in the cache folder, which output it is for (so that a later build can tell it is stale)."""
        self.cache.mkdir(parents=True, exist_ok=True)
        marker = self.cache / "output"
        if not marker.exists():
            marker.write_text(str(self.output.resolve()) + "\n", encoding="utf-8")


def forget_gone_outputs(cache_root: Path) -> None:
    """Delete the cache folders of outputs that no longer exist (each is only a build's speed-up), unless
    a build of one holds its lock."""
    for marker in cache_root.glob("*/output"):
        folder = marker.parent
        try:
            gone = not Path(marker.read_text(encoding="utf-8").strip()).exists()
        except OSError:
            continue
        lock = folder.with_name(folder.name + ".lock")
        if gone and _unlocked(lock):
            shutil.rmtree(folder, ignore_errors=True)
            lock.unlink(missing_ok=True)


def _unlocked(lock: Path) -> bool:
    try:
        with open(lock, "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            return True
    except OSError:
        return False


def place_of(content_dir: Path, output: Path) -> Place:
    """The Place of a build, or DigestError when the output folder would put other files at risk."""
    content, target = Path(content_dir).resolve(), Path(output).resolve()
    project = content.parent
    cache_root = project / CACHE_FOLDER
    why = _refusal(target, content, project, cache_root)
    if why:
        raise DigestError(Problem(display_path(output), f"cannot be the output folder: {why}",
                                  hint="pass another folder with --output, e.g. --output site"))
    if Path(output).exists() and not Path(output).is_dir():
        raise DigestError(Problem(display_path(output), "cannot be the output folder: it is a file",
                                  hint="pass a folder with --output"))
    name = re.sub(r"[^A-Za-z0-9_-]", "_", target.name)[:40] or "root"
    key = hashlib.blake2b(str(target).encode("utf-8", "surrogatepass"), digest_size=5).hexdigest()
    return Place(Path(content_dir), Path(output), cache_root / f"{name}-{key}")


def _refusal(target: Path, content: Path, project: Path, cache_root: Path) -> str:
    """Why `target` cannot be an output folder ('' when it can)."""
    if target == Path(target.anchor):
        return "it is the root of the file system"
    if target == Path.home().resolve():
        return "it is your home folder"
    for folder, what in ((content, "the content folder"), (cache_root, "digest's cache")):
        if target == folder or folder.is_relative_to(target):
            return f"it is or holds {what} ({display_path(folder)})"
        if target.is_relative_to(folder):
            return f"it is inside {what} ({display_path(folder)})"
    for folder, what in ((project, "the project folder"), (Path.cwd().resolve(), "the folder you are in"),
                         (DEFAULT_THEME, "digest's default theme"), (DIGEST_CODE, "digest's code")):
        if folder.is_relative_to(target):
            return f"it is or holds {what} ({display_path(folder)})"
    if target.is_relative_to(DIGEST_CODE) or target.is_relative_to(DEFAULT_THEME):
        return "it is inside digest's own files"
    return ""
