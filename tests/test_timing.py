"""lessons_lib.timing: fair medians, and results waited for on every backend."""

import subprocess
import sys
import time

import pytest

from lessons_lib.timing import _block, call_seconds, median_seconds, timed


def test_median_seconds_orders_slow_and_fast():
    calls = []
    times = median_seconds({"fast": lambda: calls.append("f"),
                            "slow": lambda: (time.sleep(0.01), calls.append("s"))},
                           repeats=3, warmup=1)
    assert set(times) == {"fast", "slow"}
    assert times["slow"] > times["fast"] and times["slow"] >= 0.009
    assert calls == ["f", "s"] + ["f", "s"] * 3  # warm-up, then interleaved


def test_call_seconds_gives_every_timed_call_and_median_seconds_their_median():
    calls = []
    rounds = call_seconds({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 4)
    assert list(rounds) == ["a", "b"] and all(len(v) == 4 for v in rounds.values())
    assert calls == ["a", "b"] + ["a", "b"] * 4  # one warm-up each, then interleaved rounds
    assert all(t >= 0 for v in rounds.values() for t in v)


def test_timed_returns_result_and_seconds():
    result, seconds = timed(lambda a, b=1: a + b, 2, b=3)
    assert result == 5 and seconds >= 0


class _Recorder:
    """Stands for a tensor of one framework: records which wait method was called."""

    def __init__(self, *methods):
        self.called = []
        for method in methods:
            setattr(self, method, self._record(method))

    def _record(self, method):
        def call():
            self.called.append(method)
            return self
        return call


def test_each_framework_is_waited_for_its_own_way():
    jax_like = _Recorder("block_until_ready", "numpy")
    torch_like = _Recorder("detach", "cpu", "numpy")
    tf_like = _Recorder("numpy")
    for result in (jax_like, torch_like, tf_like):
        _block(result)
    assert jax_like.called == ["block_until_ready"]
    assert torch_like.called == ["detach", "cpu"]   # .numpy() fails on a GPU tensor
    assert tf_like.called == ["numpy"]


def test_nested_results_are_waited_for():
    inner = [_Recorder("numpy") for _ in range(4)]
    _block((inner[0], [inner[1], {"a": inner[2]}], {"b": (inner[3],)}))
    assert all(r.called == ["numpy"] for r in inner)
    _block(None)
    _block(3.0)


def test_median_seconds_waits_for_every_call():
    lazy = _Recorder("numpy")
    median_seconds({"x": lambda: lazy}, repeats=2, warmup=1)
    assert lazy.called == ["numpy"] * 3


def test_a_real_backend_tensor():
    """The current Keras backend's own tensor (TensorFlow, JAX or PyTorch) goes through."""
    keras = pytest.importorskip("keras")
    ones = keras.ops.ones((64, 64))
    result, seconds = timed(keras.ops.matmul, ones, ones)
    assert seconds > 0 and float(keras.ops.convert_to_numpy(result)[0, 0]) == 64.0


def test_importing_timing_imports_only_the_standard_library():
    code = ("import sys, lessons_lib.timing; "
            "print([m for m in ('numpy', 'keras', 'tensorflow', 'jax', 'torch') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_bad_arguments():
    with pytest.raises(ValueError, match="`fns` must be a dict naming at least one"):
        median_seconds({})
    with pytest.raises(TypeError, match=r"`fns\['x'\]` must be callable.*received"):
        median_seconds({"x": 3})
    with pytest.raises(ValueError, match="`repeats` must be an integer >= 1; received repeats=0"):
        median_seconds({"x": lambda: None}, repeats=0)
    with pytest.raises(TypeError, match="`warmup` must be an integer >= 0"):
        median_seconds({"x": lambda: None}, warmup=1.5)
