"""Self-checks for the exercises: ``check("conv-arith-1", my_answer)``.

Every exercise in the book has a stable ID (``<chapter>-<n>``) listed in
:data:`EXERCISES`. A check never raises on a wrong answer: it returns a
:class:`CheckResult` that says right or not yet, and gives a hint. Expected
answers are computed with :mod:`lessons_lib.arithmetic` (or by building the
learner's model), never typed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict

from lessons_lib import arithmetic as ar


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


def _register(ex_id: str, chapter: str, title: str):
    def wrap(fn):
        EXERCISES[ex_id] = Exercise(ex_id, chapter, title, fn)
        return fn
    return wrap


def _unanswered(answer) -> bool:
    return answer is None or answer is Ellipsis


def _not_answered(ex_id: str) -> CheckResult:
    return CheckResult(ex_id, False, "no answer yet: replace `...` with your answer and run the cell again.")


def _expect_int(ex_id: str, answer, expected: int, hint: str) -> CheckResult:
    if _unanswered(answer):
        return _not_answered(ex_id)
    if isinstance(answer, bool) or not isinstance(answer, int):
        if isinstance(answer, float) and answer.is_integer():
            answer = int(answer)
        else:
            return CheckResult(ex_id, False, f"expected a whole number (int), got {answer!r}.")
    if answer == expected:
        return CheckResult(ex_id, True, f"{answer:,} is correct.")
    return CheckResult(ex_id, False, f"{answer:,} is not it. Hint: {hint}")


def _expect_float(ex_id: str, answer, expected: float, hint: str,
                  rel_tol: float = 1e-3) -> CheckResult:
    if _unanswered(answer):
        return _not_answered(ex_id)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return CheckResult(ex_id, False, f"expected a number, got {answer!r}.")
    if math.isclose(answer, expected, rel_tol=rel_tol):
        return CheckResult(ex_id, True, f"{answer:.4g} is correct.")
    return CheckResult(ex_id, False, f"{answer:.4g} is not it. Hint: {hint}")


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


# --------------------------------------------------------------------------- #
# Chapter: convolution arithmetic
# --------------------------------------------------------------------------- #
@_register("conv-arith-1", "conv_arithmetic", "Parameters of a standard 3x3 convolution with bias")
def _conv_arith_1(answer) -> CheckResult:
    expected = ar.standard_conv(32, 32, 64, 128, 3, use_bias=True).params
    return _expect_int("conv-arith-1", answer, expected,
                       "kernel weights are k*k*C_in*C_out; add one bias per filter.")


@_register("conv-arith-2", "conv_arithmetic", "MACs of a separable convolution")
def _conv_arith_2(answer) -> CheckResult:
    expected = ar.separable_conv(56, 56, 128, 128, 3, use_bias=False).macs
    return _expect_int("conv-arith-2", answer, expected,
                       "add the depthwise MACs (H*W*C_in*k*k) and the pointwise MACs "
                       "(H*W*C_in*C_out); with stride 1 and 'same' padding H and W do not change.")


@_register("conv-arith-3", "conv_arithmetic", "Output shape with stride 2 and 'valid' padding")
def _conv_arith_3(answer) -> CheckResult:
    rows, cols = ar.conv_output_shape(31, 31, 5, 2, "valid")
    expected = (rows, cols, 32)
    ex_id = "conv-arith-3"
    if _unanswered(answer):
        return _not_answered(ex_id)
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return CheckResult(ex_id, False, f"expected a tuple (rows, cols, channels), got {answer!r}.")
    if tuple(answer) == expected:
        return CheckResult(ex_id, True, f"{tuple(answer)} is correct.")
    hint = "with 'valid' padding, rows = floor((n - k) / stride) + 1; channels = number of filters."
    return CheckResult(ex_id, False, f"{tuple(answer)} is not it. Hint: {hint}")


def smallest_groups_for_budget(in_channels: int, out_channels: int, kernel_size: int,
                               max_weights: int) -> int:
    """Smallest ``groups`` (dividing both channel counts) whose grouped conv has at most
    ``max_weights`` kernel weights; raises ``ValueError`` if even depthwise-like grouping
    does not fit."""
    for groups in range(1, min(in_channels, out_channels) + 1):
        if in_channels % groups or out_channels % groups:
            continue
        cost = ar.grouped_conv(8, 8, in_channels, out_channels, kernel_size, groups,
                               use_bias=False)
        if cost.weights <= max_weights:
            return groups
    raise ValueError(f"max_weights={max_weights} cannot be met by any groups value")


@_register("conv-arith-4", "conv_arithmetic", "Choose groups for a weight budget")
def _conv_arith_4(answer) -> CheckResult:
    expected = smallest_groups_for_budget(256, 256, 3, 10_000)
    return _expect_int("conv-arith-4", answer, expected,
                       "weights = k*k*(C_in/g)*C_out, and g must divide both 256s "
                       "(so g is a power of two).")


@_register("conv-arith-5", "conv_arithmetic",
           "Build a layer: 32x32x64 to 16x16x128 with fewer than 10,000 parameters")
def _conv_arith_5(answer) -> CheckResult:
    ex_id = "conv-arith-5"
    if _unanswered(answer):
        return _not_answered(ex_id)
    import keras  # only this exercise needs Keras

    if not isinstance(answer, (keras.layers.Layer, keras.Model)):
        return CheckResult(ex_id, False,
                           f"expected a Keras layer or model, got {type(answer).__name__}.")
    inputs = keras.Input(shape=(32, 32, 64))
    try:
        outputs = answer(inputs)
    except Exception as err:  # a learner's layer may reject the input: say why
        return CheckResult(ex_id, False, f"it does not accept a 32x32x64 input: {err}")
    shape = tuple(outputs.shape[1:])
    params = keras.Model(inputs, outputs).count_params()
    if shape != (16, 16, 128):
        return CheckResult(ex_id, False,
                           f"its output is {shape}, not (16, 16, 128). Hint: stride 2 halves "
                           "rows and columns with padding='same'.")
    if params >= 10_000:
        return CheckResult(ex_id, False,
                           f"right shape, but {params:,} parameters (needs < 10,000). "
                           "Hint: a separable convolution pays k*k*C_in + C_in*C_out.")
    return CheckResult(ex_id, True, f"output {shape} with {params:,} parameters.")
