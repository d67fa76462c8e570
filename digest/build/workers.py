"""Work spread over processes forked from this one, which inherit what it has read.

    spread = Workers(2)
    results = spread(function, items)     # like list(map(function, items))
    results = spread(function, items, meanwhile=other_work)

The function (with everything it closes over: the site, the renderer, the
memo) is never pickled: each call forks fresh workers that inherit it; only
the items and results travel.  Few items, or one worker, run here instead.
`meanwhile()`, if given, runs here while the workers work (or after, here).
The stages are handed the callable and know nothing of processes.

A concurrent.futures pool on the fork context, not multiprocessing.Pool:
its worker handler loops without pause while results sit in the pipe, and
a worker that dies leaves the caller waiting.  Workers end with the process
that forked them even when it is killed: each holds the read end of a pipe
whose only write end the parent keeps, and exits when that reads end of file.
"""

from __future__ import annotations

import os
import threading

_FUNCTION = None
"""In a worker: the function it runs, inherited from the parent at the fork."""


class Workers:
    """A `map` that runs on `count` forked processes when there are at least `at_least` items, handed to
    them `chunk` at a time (several small items to a task: a round trip each would cost more than they do)."""

    def __init__(self, count: int, at_least: int = 2, chunk: int = 1):
        self.count, self.at_least, self.chunk = count, at_least, chunk

    def __call__(self, function, items, meanwhile=None) -> list:
        items = list(items)
        if self.count < 2 or len(items) < self.at_least or not hasattr(os, "fork"):
            results = list(map(function, items))
            if meanwhile:
                meanwhile()
            return results
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        parent_alive, keep_alive = os.pipe()
        pool = ProcessPoolExecutor(min(self.count, len(items)), mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_worker, initargs=(function, parent_alive, keep_alive))
        try:
            results = pool.map(_run, items, chunksize=self.chunk)  # the workers are forked and at work on return
            if meanwhile:
                meanwhile()
            return list(results)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            os.close(keep_alive)
            os.close(parent_alive)


def _start_worker(function, parent_alive: int, keep_alive: int) -> None:
    """In a new worker: keep the function it inherited, drop its copy of the pipe's write end, and
    end the process once the parent's is closed."""
    global _FUNCTION
    _FUNCTION = function
    os.close(keep_alive)
    threading.Thread(target=_exit_at_end_of_file, args=(parent_alive,), daemon=True).start()


def _run(item):
    return _FUNCTION(item)


def _exit_at_end_of_file(fd: int) -> None:
    os.read(fd, 1)  # nothing is ever written: this returns when the last write end closes
    os._exit(1)
