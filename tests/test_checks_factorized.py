"""Self-checks of the chapter *Factorized convolutions*: right answers pass, wrong ones get a
hint, and the numbers stated in the hidden solutions are the ones accepted."""

import keras
import numpy as np
import pytest
from keras import layers

from lessons_lib import arithmetic as ar
from lessons_lib import factorized as fz
from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.factorized import LAPLACIAN, exercise_kernel, rank1_relative_error

SOLUTIONS = {  # as the chapter's solutions state them
    "factorized-1": 516_096,
    "factorized-2": 0.4,
    "factorized-3": 2,
    "factorized-4": 0.711,
}
WRONG = {
    "factorized-1": 1_806_336,   # the full 7x7
    "factorized-2": 0.72,        # two stacked 3x3 instead
    "factorized-3": 1,
    "factorized-4": 0.5,
}


@pytest.mark.parametrize("ex_id, rounded, wrong", [("factorized-2", 0.40, 0.41),
                                                   ("factorized-4", 0.71, 0.70)])
def test_answers_rounded_to_two_decimals_are_accepted(ex_id, rounded, wrong):
    """Both exercises ask for 2 decimal places: the rounded value passes, the next one does
    not, and NumPy floats count as numbers."""
    assert check(ex_id, rounded).correct
    assert check(ex_id, np.float32(rounded)).correct
    result = check(ex_id, wrong)
    assert not result.correct and "2 decimal places" in result.message


def test_all_five_exercises_are_registered():
    assert {f"factorized-{n}" for n in range(1, 6)} <= set(EXERCISES)


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    assert check(ex_id, SOLUTIONS[ex_id]).correct


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


def test_expected_values_agree_with_independent_computations():
    assert ar.factorized_conv(17, 17, 192, 192, 7, use_bias=False).params == 2 * 7 * 192 * 192
    assert np.linalg.matrix_rank(LAPLACIAN) == 2
    assert rank1_relative_error(exercise_kernel()) == pytest.approx(
        fz.rank_errors(exercise_kernel())[0])
    # the decomposition stated in the solution of factorized-3
    a, b = np.array([0, 1, 0]), np.array([1, -2, 1])
    np.testing.assert_array_equal(np.outer(a, b) + np.outer(b, a), LAPLACIAN)


def test_build_exercise_accepts_the_solution_and_rejects_others():
    solution = keras.Sequential([layers.Conv2D(64, (1, 7), padding="same", activation="relu"),
                                 layers.Conv2D(64, (7, 1), padding="same")])
    result = check("factorized-5", solution)
    assert result.correct and "57,472" in result.message
    full = check("factorized-5", layers.Conv2D(64, 7, padding="same"))
    assert not full.correct and "200,768" in full.message
    small = check("factorized-5", keras.Sequential([layers.Conv2D(64, 3, padding="same"),
                                                    layers.Conv2D(64, 3, padding="same")]))
    assert not small.correct and "5x5" in small.message
    three = check("factorized-5", keras.Sequential([layers.Conv2D(64, 3, padding="same")
                                                    for _ in range(3)]))
    assert not three.correct and "110,784" in three.message
    valid = check("factorized-5", keras.Sequential([layers.Conv2D(64, (1, 7)),
                                                    layers.Conv2D(64, (7, 1))]))
    assert not valid.correct and "(11, 11, 64)" in valid.message
    assert not check("factorized-5", "a layer").correct
    strided = check("factorized-5", layers.Conv2D(64, 7, strides=2, padding="same"))
    assert not strided.correct


