"""Self-checks for the exercises: ``check("conv-arith-1", my_answer)``.

Every exercise in the book has a stable ID (``<chapter prefix>-<n>``) listed in
:data:`EXERCISES` with its chapter and title. A check never raises on a wrong
answer: it returns a :class:`CheckResult` that says right or not yet and gives
a hint. Each chapter's checkers live in their own module here.
"""

from lessons_lib.checks._core import EXERCISES, CheckResult, Exercise
from lessons_lib.checks import conv_arithmetic  # noqa: F401  (registers conv-arith-*)
from lessons_lib.checks import mobilenet  # noqa: F401
from lessons_lib.checks import resnext  # noqa: F401
from lessons_lib.checks import inception_v3  # noqa: F401
from lessons_lib.checks import xception  # noqa: F401
from lessons_lib.checks import comparison  # noqa: F401  (registers comparison-*)
from lessons_lib.checks import factorized, inception_module  # noqa: F401


def check(exercise_id: str, answer) -> CheckResult:
    """Check ``answer`` for the exercise ``exercise_id`` and say right or not yet.

    Raises:
        ValueError: for an unknown exercise ID (the message lists the known ones).
    """
    if exercise_id not in EXERCISES:
        raise ValueError(
            f"exercise_id={exercise_id!r} is not a known exercise; known: {sorted(EXERCISES)}"
        )
    return EXERCISES[exercise_id].checker(answer)


__all__ = ["EXERCISES", "CheckResult", "Exercise", "check"]
