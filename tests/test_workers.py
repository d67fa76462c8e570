"""Work on forked processes: results come back in order, a dead worker is an error, not a hang, and no
forked process outlives its work."""

import os

import pytest
from concurrent.futures.process import BrokenProcessPool

from digest.build.workers import Workers


def _die(number: int) -> int:
    os._exit(3)


def test_workers_run_what_they_inherit_and_results_keep_their_order():
    offset = {"value": 1000, "unpicklable": lambda: None}  # inherited by the fork, never pickled
    pids = set()

    def shifted(number: int) -> tuple[int, int]:
        return number + offset["value"], os.getpid()

    found = Workers(2)(shifted, range(50))
    pids = {pid for _, pid in found}
    assert [n for n, _ in found] == [n + 1000 for n in range(50)]
    assert os.getpid() not in pids


def test_few_items_or_one_worker_run_here():
    assert {pid for pid in Workers(2, at_least=10)(lambda _: os.getpid(), range(3))} == {os.getpid()}
    assert {pid for pid in Workers(1)(lambda _: os.getpid(), range(30))} == {os.getpid()}


def test_a_worker_that_dies_fails_the_work_instead_of_leaving_it_waiting():
    with pytest.raises(BrokenProcessPool):
        Workers(2)(_die, range(4))


KILLED_PARENT = """
import multiprocessing, threading, time
from digest.build.workers import Workers

def report():
    time.sleep(0.5)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)

threading.Thread(target=report, daemon=True).start()
Workers(2)(time.sleep, [60, 60])
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
