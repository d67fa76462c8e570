"""Work on forked processes: results come back in order, and a dead worker is an error, not a hang."""

import os

import pytest
from concurrent.futures.process import BrokenProcessPool

from digest.forked import forked

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
