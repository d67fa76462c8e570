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
"""

from __future__ import annotations

import contextlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor


@contextlib.contextmanager
def forked(workers: int):
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
