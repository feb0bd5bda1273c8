"""Run-wide hooks of the test suite.

The browser tests record what they measure (the live panels' start-up and update times) with
`record_property(MEASUREMENT, line)`; the lines are printed at the end of the run, also under
`-q` and from pytest-xdist workers (scripts/test.sh uses `-n 2`). These hooks live here, not in
tests/browser/conftest.py, because with `pytest tests -n 2` the main process, which prints the
summary, loads only this conftest.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "browser"))
from browser_support import MEASUREMENT  # noqa: E402

_measured: list[str] = []


def pytest_runtest_logreport(report):
    """Collect the measurements (in the main process: xdist sends reports with their
    user_properties back to it)."""
    if report.when == "call":
        _measured.extend(value for name, value in report.user_properties
                         if name == MEASUREMENT)


def pytest_terminal_summary(terminalreporter):
    """Print what the browser tests measured, even under `-q`."""
    if _measured:
        terminalreporter.section("browser test measurements")
        for line in _measured:
            terminalreporter.write_line(line)


#: Tests whose answer does not depend on the Keras backend: they check lessons_lib's
#: formulas against Keras's own shape and parameter bookkeeping, or start every backend
#: themselves. The TensorFlow run (scripts/test.sh step 3) and the Colab legs run them;
#: scripts/backend_tests.sh sets LESSONS_TESTS=backend, and then the JAX and PyTorch runs
#: leave them out (they were the JAX run's slowest third: test_arithmetic alone took 123 s).
RUN_ONCE = (
    "tests/test_arithmetic.py",
    "tests/test_bench.py::test_one_number_per_model_and_backend",
)


def pytest_collection_modifyitems(config, items):
    """With LESSONS_TESTS=backend, deselect the RUN_ONCE tests (pytest reports the count)."""
    import os

    mode = os.environ.get("LESSONS_TESTS", "all")
    if mode not in ("all", "backend"):
        raise ValueError(f"LESSONS_TESTS must be 'all' or 'backend', got {mode!r}")
    if mode == "all":
        return
    once = [item for item in items
            if any(item.nodeid == name or item.nodeid.startswith(name + "::")
                   for name in RUN_ONCE)]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if item not in once]
