"""Work spread over processes forked from this one, which inherit what it has read.

    with forked(workers) as pool:
        results = pool.map(function, items, chunksize=8)

A concurrent.futures process pool on the fork context: the work's data is
set in a module global before the fork and never pickled; only results
travel back.  Not multiprocessing.Pool: its worker handler waits on the
result pipe too, so while results sit in the pipe it goes round its loop
without pause (at 10,000 entries, 0.1–0.25 s of the main process's CPU
during the read, on a machine with two cores).  Here one thread reads
each result as it comes, and a worker that dies breaks the pool with an
error instead of leaving the build waiting.

Workers end with the process that forked them, even when it is killed:
each holds the read end of a pipe whose only write end the parent keeps,
and exits when that reads end of file.  (The pool's own queues cannot tell
them: every worker inherits their write ends too.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor


@contextlib.contextmanager
def forked(workers: int):
    parent_alive, keep_alive = os.pipe()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_exit_with_parent, initargs=(parent_alive, keep_alive))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        os.close(keep_alive)
        os.close(parent_alive)


def _exit_with_parent(parent_alive: int, keep_alive: int) -> None:
    """In a worker: drop its copy of the write end, and end the process once the parent's is closed."""
    os.close(keep_alive)
    threading.Thread(target=_exit_at_end_of_file, args=(parent_alive,), daemon=True).start()


def _exit_at_end_of_file(fd: int) -> None:
    os.read(fd, 1)  # nothing is ever written: this returns when the last write end closes
    os._exit(1)
