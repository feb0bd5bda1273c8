import time

import pytest

from lessons_lib.timing import median_seconds, timed


def test_median_seconds_orders_slow_and_fast():
    calls = []
    times = median_seconds({"fast": lambda: calls.append("f"),
                            "slow": lambda: (time.sleep(0.01), calls.append("s"))},
                           repeats=3, warmup=1)
    assert set(times) == {"fast", "slow"}
    assert times["slow"] > times["fast"] and times["slow"] >= 0.009
    assert calls == ["f", "s"] + ["f", "s"] * 3  # warm-up, then interleaved


def test_timed_returns_result_and_seconds():
    result, seconds = timed(lambda a, b=1: a + b, 2, b=3)
    assert result == 5 and seconds >= 0


def test_numpy_results_are_waited_for():
    class Lazy:
        done = False

        def numpy(self):
            Lazy.done = True

    median_seconds({"x": Lazy}, repeats=1, warmup=0)
    assert Lazy.done


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one"):
        median_seconds({})
    with pytest.raises(TypeError, match="callable"):
        median_seconds({"x": 3})
    with pytest.raises(ValueError, match="repeats"):
        median_seconds({"x": lambda: None}, repeats=0)
