"""The machinery of the self-checks: results, the exercise registry and answer matchers.

Chapter modules (``lessons_lib/checks/<chapter>.py``) register their exercises
with :func:`register`; :func:`lessons_lib.checks.check` looks them up.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable, Dict

from lessons_lib.validation import check_int


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer."""

    exercise: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        mark = "Right" if self.correct else "Not yet"
        return f"[{mark}] {self.exercise}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.correct else "#b35900"
        mark = "&#10004; Right" if self.correct else "&#10008; Not yet"
        return (f'<p style="color:{colour}"><strong>{mark}</strong> '
                f"({self.exercise}): {self.message}</p>")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its ID, the chapter that asks it, a title and its checker."""

    id: str
    chapter: str
    title: str
    checker: Callable[[object], CheckResult]


EXERCISES: Dict[str, Exercise] = {}


def register(ex_id: str, chapter: str, title: str):
    """Decorator: register ``fn(answer) -> CheckResult`` as the checker of ``ex_id``."""
    def wrap(fn):
        if ex_id in EXERCISES:
            raise ValueError(f"exercise id {ex_id!r} is registered twice")
        EXERCISES[ex_id] = Exercise(ex_id, chapter, title, fn)
        return fn
    return wrap


def unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis


def not_answered(ex_id: str) -> CheckResult:
    return CheckResult(ex_id, False, "no answer yet: replace `...` with your answer and run the cell again.")


def _plain_number(answer):
    """``answer`` as a Python number when it is a NumPy scalar or a 0-d array, else unchanged."""
    if hasattr(answer, "item") and getattr(answer, "shape", None) == ():
        return answer.item()
    return answer


def expect_int(ex_id: str, answer, expected: int, hint: str) -> CheckResult:
    """Right if ``answer`` is the whole number ``expected`` (an int, a NumPy integer, or a
    float with no fractional part)."""
    if unanswered(answer):
        return not_answered(ex_id)
    answer = _plain_number(answer)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return CheckResult(ex_id, False, f"expected a whole number (int), got {answer!r}.")
    if not isinstance(answer, numbers.Integral):
        if not float(answer).is_integer():
            return CheckResult(ex_id, False, f"expected a whole number (int), got {answer!r}.")
    answer = int(answer)
    if answer == expected:
        return CheckResult(ex_id, True, f"{answer:,} is correct.")
    return CheckResult(ex_id, False, f"{answer:,} is not it. Hint: {hint}")


def expect_tuple(ex_id: str, answer, expected: tuple, hint: str,
                 what: str | None = None) -> CheckResult:
    """Right if ``answer`` (a tuple, list or 1-D array) equals ``expected`` element by element.

    ``what`` describes the tuple in the "wrong type" message, e.g. ``"(rows, cols, channels)"``;
    by default it says how many whole numbers are expected.
    """
    if unanswered(answer):
        return not_answered(ex_id)
    if hasattr(answer, "tolist") and not isinstance(answer, (tuple, list)):
        answer = answer.tolist()
    if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
        shape = what or f"of {len(expected)} whole numbers"
        return CheckResult(ex_id, False, f"expected a tuple {shape}, got {answer!r}.")
    answer = tuple(_plain_number(a) for a in answer)
    if answer == tuple(expected):
        return CheckResult(ex_id, True, f"{answer} is correct.")
    return CheckResult(ex_id, False, f"{answer} is not it. Hint: {hint}")


def precision_text(decimals: int | None = None, sig_figs: int | None = None) -> str:
    """How an exercise states its precision: "to 2 decimal places", "to 3 significant figures"."""
    if decimals is not None:
        return f"to {decimals} decimal place{'s' if decimals != 1 else ''}"
    return f"to {sig_figs} significant figure{'s' if sig_figs != 1 else ''}"


def float_tolerance(expected: float, decimals: int | None = None,
                    sig_figs: int | None = None) -> float:
    """Half a unit in the last place asked for: the largest error a correctly rounded answer
    can have. ``decimals=2`` gives 0.005; ``sig_figs=3`` for 0.2857 gives 0.0005.

    Raises:
        ValueError: not exactly one of ``decimals`` (>= 0) and ``sig_figs`` (>= 1) is given,
            or it is out of range; TypeError: it is not an integer.
    """
    if (decimals is None) == (sig_figs is None):
        raise ValueError("give exactly one of `decimals` and `sig_figs`; received "
                         f"decimals={decimals!r}, sig_figs={sig_figs!r}.")
    if decimals is not None:
        return 0.5 * 10.0 ** -check_int("decimals", decimals, 0)
    sig_figs = check_int("sig_figs", sig_figs, 1)
    exponent = math.floor(math.log10(abs(expected))) if expected else 0
    return 0.5 * 10.0 ** (exponent - sig_figs + 1)


def expect_float(ex_id: str, answer, expected: float, hint: str, *,
                 decimals: int | None = None, sig_figs: int | None = None) -> CheckResult:
    """Right if ``answer`` (any real number, NumPy scalars included) rounds to ``expected`` at
    the precision the exercise asks for: ``decimals`` places or ``sig_figs`` significant figures
    (exactly one of the two). ``2/7`` asked to 2 decimal places accepts 0.29 and 0.2857."""
    tolerance = float_tolerance(expected, decimals, sig_figs)
    if unanswered(answer):
        return not_answered(ex_id)
    answer = _plain_number(answer)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return CheckResult(ex_id, False, f"expected a number, got {answer!r}.")
    wanted = precision_text(decimals, sig_figs)
    if abs(float(answer) - expected) <= tolerance * (1 + 1e-9):
        return CheckResult(ex_id, True, f"{answer:.4g} is correct ({wanted}).")
    return CheckResult(ex_id, False, f"{answer:.4g} is not it ({wanted}). Hint: {hint}")
