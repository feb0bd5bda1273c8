"""The machinery of the self-checks: results, the exercise registry and answer matchers.

Chapter modules (``lessons_lib/checks/<chapter>.py``) register their exercises
with :func:`register`; :func:`lessons_lib.checks.check` looks them up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict


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


def expect_int(ex_id: str, answer, expected: int, hint: str) -> CheckResult:
    if unanswered(answer):
        return not_answered(ex_id)
    if isinstance(answer, bool) or not isinstance(answer, int):
        if isinstance(answer, float) and answer.is_integer():
            answer = int(answer)
        else:
            return CheckResult(ex_id, False, f"expected a whole number (int), got {answer!r}.")
    if answer == expected:
        return CheckResult(ex_id, True, f"{answer:,} is correct.")
    return CheckResult(ex_id, False, f"{answer:,} is not it. Hint: {hint}")


def expect_tuple(ex_id: str, answer, expected: tuple, hint: str,
                 what: str | None = None) -> CheckResult:
    """Right if ``answer`` (a tuple or list) equals ``expected`` element by element.

    ``what`` describes the tuple in the "wrong type" message, e.g. ``"(rows, cols, channels)"``;
    by default it says how many whole numbers are expected.
    """
    if unanswered(answer):
        return not_answered(ex_id)
    if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
        shape = what or f"of {len(expected)} whole numbers"
        return CheckResult(ex_id, False, f"expected a tuple {shape}, got {answer!r}.")
    if tuple(answer) == tuple(expected):
        return CheckResult(ex_id, True, f"{tuple(answer)} is correct.")
    return CheckResult(ex_id, False, f"{tuple(answer)} is not it. Hint: {hint}")


def expect_float(ex_id: str, answer, expected: float, hint: str,
                  rel_tol: float = 1e-3) -> CheckResult:
    if unanswered(answer):
        return not_answered(ex_id)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return CheckResult(ex_id, False, f"expected a number, got {answer!r}.")
    if math.isclose(answer, expected, rel_tol=rel_tol):
        return CheckResult(ex_id, True, f"{answer:.4g} is correct.")
    return CheckResult(ex_id, False, f"{answer:.4g} is not it. Hint: {hint}")
