"""``call_in_child``: the work runs in another process; the result and the errors come back."""
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.core.forked import ChildFailed, call_in_child


def _pid_and_sum(numbers: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(numbers)


def _fail(message: str) -> None:
    raise ValueError(message)


def _unpicklable() -> None:
    raise ValueError(lambda: None)


def test_the_result_comes_from_another_process():
    pid, total = call_in_child(_pid_and_sum, list(range(1000)))
    assert pid != os.getpid() and total == 499500


def test_errors_come_back_as_they_were_raised():
    with pytest.raises(ValueError, match="no such template"):
        call_in_child(_fail, "no such template")
    with pytest.raises(ChildFailed, match="ValueError"):
        call_in_child(_unpicklable)


def test_a_child_that_dies_is_an_error_not_a_hang():
    with pytest.raises(ChildFailed, match="without a result"):
        call_in_child(os._exit, 3)


def _nap(seconds: float) -> tuple[float, float]:
    began = time.monotonic()
    time.sleep(seconds)
    return began, time.monotonic()


def test_one_child_at_a_time_so_that_two_renders_do_not_add_their_peaks():
    with ThreadPoolExecutor(2) as pool:
        first, second = sorted(pool.map(lambda _: call_in_child(_nap, 0.3), range(2)))
    assert second[0] >= first[1]
