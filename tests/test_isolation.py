import time

import pytest

from billexplain.bills.isolation import ParseFailed, run_isolated


def add(a, b):
    return a + b


def refuse():
    raise ValueError("a plain error from the parser")


def loop_for_ever():
    while True:
        pass


def balloon():
    return bytearray(4 * 1024**3)


def test_the_childs_answer_comes_back():
    assert run_isolated(add, 2, 3) == 5


def test_the_childs_exception_is_raised_again_in_the_parent():
    with pytest.raises(ValueError, match="plain error"):
        run_isolated(refuse)


def test_a_parse_that_never_ends_is_stopped_within_its_time():
    started = time.monotonic()
    with pytest.raises(ParseFailed):
        run_isolated(loop_for_ever, seconds=1)
    assert time.monotonic() - started < 4


def test_a_child_that_stops_working_is_stopped_by_the_clock():
    started = time.monotonic()
    with pytest.raises(ParseFailed):
        run_isolated(time.sleep, 60, seconds=1)
    assert time.monotonic() - started < 6


def test_a_parse_that_balloons_is_stopped_by_its_memory_limit():
    with pytest.raises((ParseFailed, MemoryError)):
        run_isolated(balloon, seconds=5, memory_mb=256)
