"""Timing helpers for the chapters: median wall-clock times, measured fairly.

Importing this module imports only the standard library.

:func:`median_seconds` times several callables *alternately* (a, b, a, b, ...), after one
warm-up call each, and reports the median of each: slow drifts of a shared machine (other
processes, clock changes) then hit every candidate alike, and the median ignores the odd
slow run. :func:`timed` measures one call, such as building a model.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable, Dict

__all__ = ["median_seconds", "timed"]


def median_seconds(fns: Dict[str, Callable[[], object]], repeats: int = 5,
                   warmup: int = 1) -> Dict[str, float]:
    """Median seconds per call of each function in ``fns`` (a dict name -> no-argument callable).

    Each function is called ``warmup`` times untimed (tracing, caches), then the functions
    are called in turn ``repeats`` times. A function's result is passed to ``_block`` so
    that asynchronous work (a TensorFlow tensor) finishes before the clock stops.

    Returns:
        dict with the same keys: the median time of one call, in seconds.
    """
    if not fns:
        raise ValueError("fns must name at least one function")
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"fns[{name!r}] must be callable, got {type(fn).__name__}")
    for arg, value, low in (("repeats", repeats, 1), ("warmup", warmup, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{arg} must be an int >= {low}, got {value!r}")
    for fn in fns.values():
        for _ in range(warmup):
            _block(fn())
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            _block(fn())
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def timed(fn: Callable, *args, **kwargs):
    """Call ``fn(*args, **kwargs)`` once; return ``(result, seconds)``."""
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    _block(result)
    return result, time.perf_counter() - start


def _block(result) -> None:
    """Wait for a tensor-like result to be computed (``.numpy()`` when it has one)."""
    if hasattr(result, "numpy") and callable(result.numpy):
        result.numpy()
