"""Timing helpers for the chapters: median wall-clock times, measured fairly, on any backend.

Importing this module imports only the standard library.

:func:`median_seconds` times several callables *alternately* (a, b, a, b, ...), after one
warm-up call each, and reports the median of each: slow drifts of a shared machine (other
processes, clock changes) then hit every candidate alike, and the median ignores the odd
slow run. :func:`timed` measures one call, such as building a model.

TensorFlow, JAX and PyTorch (on a GPU) all return before the work is done; both helpers wait
for the result (:func:`_block`) before they stop the clock.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable, Dict

from lessons_lib.validation import check_int, describe

__all__ = ["median_seconds", "timed"]


def call_seconds(fns: Dict[str, Callable[[], object]], repeats: int = 5,
                 warmup: int = 1) -> Dict[str, list]:
    """Seconds of every timed call of each function in ``fns`` (a dict name -> no-argument
    callable), in call order: their spread is the noise of the machine.

    Each function is called ``warmup`` times untimed (tracing, compilation, caches), then the
    functions are called in turn ``repeats`` times, so a slow moment hits all of them. Each
    call's result is waited for (a TensorFlow, JAX or PyTorch tensor, or a list, tuple or dict
    of them) before the clock stops.

    Returns:
        dict with the same keys: a list of ``repeats`` seconds, one per round.

    Raises:
        ValueError: ``fns`` is empty, or ``repeats`` < 1 or ``warmup`` < 0.
        TypeError: a value of ``fns`` is not callable, or ``repeats`` / ``warmup`` not an int.
    """
    if not isinstance(fns, dict) or not fns:
        raise ValueError("`fns` must be a dict naming at least one function; "
                         f"{describe('fns', fns)}.")
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"`fns[{name!r}]` must be callable; {describe(f'fns[{name!r}]', fn)}.")
    repeats = check_int("repeats", repeats, minimum=1)
    warmup = check_int("warmup", warmup, minimum=0)
    for fn in fns.values():
        for _ in range(warmup):
            _block(fn())
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            _block(fn())
            times[name].append(time.perf_counter() - start)
    return times


def median_seconds(fns: Dict[str, Callable[[], object]], repeats: int = 5,
                   warmup: int = 1) -> Dict[str, float]:
    """Median seconds per call of each function in ``fns``, timed as :func:`call_seconds` does.

    Returns:
        dict with the same keys: the median time of one call, in seconds.

    Raises:
        ValueError: ``fns`` is empty, or ``repeats`` < 1 or ``warmup`` < 0.
        TypeError: a value of ``fns`` is not callable, or ``repeats`` / ``warmup`` not an int.
    """
    return {name: statistics.median(values)
            for name, values in call_seconds(fns, repeats, warmup).items()}


def timed(fn: Callable, *args, **kwargs):
    """Call ``fn(*args, **kwargs)`` once; return ``(result, seconds)``, the result waited for."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    _block(result)
    return result, time.perf_counter() - start


def _block(result) -> None:
    """Wait until ``result`` is computed, whatever produced it.

    - JAX array: ``block_until_ready()``;
    - PyTorch tensor: ``detach().cpu()`` (a copy to the host waits for the GPU; free on a CPU);
    - TensorFlow tensor (or anything else with ``.numpy()``): ``.numpy()``;
    - list, tuple or dict: each element; NumPy arrays and plain values: nothing to wait for.
    """
    if isinstance(result, (list, tuple)):
        for item in result:
            _block(item)
    elif isinstance(result, dict):
        for item in result.values():
            _block(item)
    elif callable(getattr(result, "block_until_ready", None)):
        result.block_until_ready()
    elif callable(getattr(result, "detach", None)) and callable(getattr(result, "cpu", None)):
        result.detach().cpu()
    elif callable(getattr(result, "numpy", None)):
        result.numpy()
