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
