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

ForkedCall runs one function in a forked child and pipes its value back;
beside() uses it to share one job between two cores.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading


@contextlib.contextmanager
def forked(workers: int):
    import multiprocessing  # here: a build that only checks its inputs (see ForkedCall) does not need them
    from concurrent.futures import ProcessPoolExecutor

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


class ChildFailed(Exception):
    """The forked call raised, or its process died before answering."""


class ForkedCall:
    """`function(*args)` run in a forked child while this process does something else; its value comes
    back pickled through a pipe.  Use it as a context manager: leaving it stops the child if it still
    runs, and reaps it."""

    def __init__(self, function, *args):
        self._pipe, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: answer and leave without running the parent's clean-up
            os.close(self._pipe)
            _answer(write, function, args)
        os.close(write)

    def result(self):
        """The function's value, waiting for it; ChildFailed if the child raised or died."""
        chunks = []
        while chunk := os.read(self._pipe, 1 << 20):
            chunks.append(chunk)
        data = b"".join(chunks)
        if not data:
            raise ChildFailed("the forked call ended without answering")
        return pickle.loads(data)

    def __enter__(self) -> ForkedCall:
        return self

    def __exit__(self, *exc) -> None:
        os.close(self._pipe)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # done by now, unless this process gave up on it
        os.waitpid(self.pid, 0)


def _answer(pipe: int, function, args) -> None:
    status = 1
    try:
        data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(pipe, view):]
        status = 0
    except BaseException:  # noqa: BLE001 - the parent does the work itself and reports any error
        pass
    finally:
        os._exit(status)


def beside(function, args: tuple, here, fallback):
    """(function(*args) on a forked child, here() in this process), computed at the same time; where
    forking fails or the child does, fallback() gives the child's part in this process."""
    try:
        call = ForkedCall(function, *args)
    except OSError:
        return fallback(), here()
    with call:
        mine = here()
        try:
            return call.result(), mine
        except ChildFailed:
            return fallback(), mine
