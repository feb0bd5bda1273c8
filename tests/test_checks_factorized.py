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
    "factorized-1": 153_600,
    "factorized-2": 0.408,
    "factorized-3": 2,
    "factorized-4": 0.711,
}
WRONG = {
    "factorized-1": 640_000,     # the full 5x5
    "factorized-2": 0.4,         # 2/5: the biases left out
    "factorized-3": 1,
    "factorized-4": 0.5,
}


@pytest.mark.parametrize("ex_id, rounded, wrong, places", [("factorized-2", 0.408, 0.409, 3),
                                                           ("factorized-4", 0.71, 0.70, 2)])
def test_answers_rounded_as_asked_are_accepted(ex_id, rounded, wrong, places):
    """Each exercise states its decimal places: the rounded value passes, the next one does
    not, and NumPy floats count as numbers."""
    assert check(ex_id, rounded).correct
    assert check(ex_id, np.float32(rounded)).correct
    result = check(ex_id, wrong)
    assert not result.correct and f"{places} decimal places" in result.message


def test_factorized_2_counts_both_bias_vectors():
    """656 / 1,608: two layers of 5*8*8 weights and 8 biases against 25*8*8 + 8."""
    assert check("factorized-2", 656 / 1608).correct
    assert not check("factorized-2", 640 / 1608).correct   # one bias vector left out


def test_factorized_7_walks_the_chain_back():
    """A 1x5, 3x3, 5x1 chain: a 7x7 field (49 pixels), 3 row paths x 3 column paths to the
    centre; the check rejects the plain kernel area and a chain read in the wrong order."""
    assert check("factorized-7", (49, 9)).correct
    assert check("factorized-7", np.array([49, 9])).correct
    assert not check("factorized-7", (49, 1)).correct       # one path per pixel, as for a 7x7
    assert not check("factorized-7", (75, 9)).correct       # 5*5*3: kernel areas multiplied
    assert "tuple" in check("factorized-7", 49).message


def test_factorized_6_is_written_and_graded_by_a_person():
    """The written exercise: no answer yet, too short, and a paragraph (recorded, not judged)."""
    ex = EXERCISES["factorized-6"]
    assert ex.written and ex.rubric[0].startswith(f"{ex.points}:")
    assert "no answer yet" in check("factorized-6", ...).message
    short = check("factorized-6", "they are different layers")
    assert not short.correct and not short.recorded and "4 words" in short.message
    paragraph = check("factorized-6", " ".join(["word"] * 60))
    assert paragraph.recorded and not paragraph.correct and "Recorded" in str(paragraph)
    assert "text" in check("factorized-6", 3).message


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
    assert ar.factorized_conv(17, 17, 160, 160, 5, mid_channels=96,
                              use_bias=False).params == 2 * 5 * 160 * 96
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


