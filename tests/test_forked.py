"""Work on forked processes: results come back in order, a dead worker is an error, not a hang, and no
forked process outlives its work."""

import os

import pytest
from concurrent.futures.process import BrokenProcessPool

from digest.forked import ChildFailed, ForkedCall, forked

_INHERITED = {"offset": 0}


def _shifted(number: int) -> int:
    return number + _INHERITED["offset"]


def _die(number: int) -> int:
    os._exit(3)


def test_workers_see_what_the_parent_set_before_forking_and_results_keep_their_order():
    _INHERITED["offset"] = 1000
    try:
        with forked(2) as pool:
            assert list(pool.map(_shifted, range(50), chunksize=4)) == [n + 1000 for n in range(50)]
    finally:
        _INHERITED["offset"] = 0


def test_a_worker_that_dies_fails_the_work_instead_of_leaving_it_waiting():
    with pytest.raises(BrokenProcessPool):
        with forked(2) as pool:
            list(pool.map(_die, range(4)))


KILLED_PARENT = """
import multiprocessing, sys, time
from digest.forked import ChildFailed, ForkedCall, forked

with forked(2) as pool:
    pending = pool.map(time.sleep, [60, 60])
    time.sleep(0.5)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(60)
"""


def test_workers_end_when_the_process_that_forked_them_is_killed():
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen([sys.executable, "-c", KILLED_PARENT], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    """Whether the process exists and has not ended (an ended orphan may stay a zombie until reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _answer(number: int) -> dict:
    return {"value": number * 2, "pid": os.getpid(), "big": "x" * 300_000}  # more than a pipe holds


def _fail() -> tuple:
    raise ValueError("in the child")


def test_a_forked_call_answers_from_another_process_and_is_reaped():
    with ForkedCall(_answer, 21) as call:
        assert call.result() == {"value": 42, "pid": call.pid, "big": "x" * 300_000}
        assert call.pid != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(call.pid, os.WNOHANG)  # reaped: no zombie left


def test_a_forked_call_that_raises_is_reported_and_reaped():
    with ForkedCall(_fail) as call:
        with pytest.raises(ChildFailed):
            call.result()
    with pytest.raises(ChildProcessError):
        os.waitpid(call.pid, os.WNOHANG)
