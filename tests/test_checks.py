"""Exercise self-checks: right answers pass, wrong ones fail with a hint, and the
numbers written in each solution are the ones the checker accepts."""

import pathlib
import re

import keras
import numpy as np
import pytest

import lessons_lib.checks
from lessons_lib.checks import EXERCISES, CheckResult, check
from lessons_lib.checks.conv_arithmetic import _smallest_groups_for_budget as smallest_groups_for_budget

ROOT = pathlib.Path(__file__).resolve().parents[1]

# The answers as the chapter's hidden solutions state them.
SOLUTIONS = {
    "conv-arith-1": 115_296,
    "conv-arith-2": 54_992_896,
    "conv-arith-3": (14, 14, 32),
    "conv-arith-4": 64,
}
WRONG = {
    "conv-arith-1": 115_200,           # forgot the biases
    "conv-arith-2": 462_422_016,       # the standard convolution's count
    "conv-arith-3": (13, 13, 32),
    "conv-arith-4": 59,                # does not divide 256
}


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    result = check(ex_id, SOLUTIONS[ex_id])
    assert isinstance(result, CheckResult) and result.correct, result


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_not_yet_and_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct
    assert "Hint" in result.message
    assert "Not yet" in str(result) and "Not yet" in result._repr_html_()


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_unanswered_placeholder_is_not_an_error(ex_id):
    result = check(ex_id, ...)
    assert not result.correct and "no answer yet" in result.message


def test_wrong_types_are_explained_not_raised():
    assert "whole number" in check("conv-arith-1", "115296").message
    assert "tuple" in check("conv-arith-3", 14).message
    assert check("conv-arith-1", 115296.0).correct  # a float that is a whole number is fine


def test_layer_exercise_accepts_a_cheap_layer_and_rejects_others():
    assert check("conv-arith-5", keras.layers.SeparableConv2D(128, 3, strides=2,
                                                              padding="same")).correct
    assert check("conv-arith-5", keras.layers.Conv2D(128, 3, strides=2, padding="same",
                                                     groups=8)).correct
    too_big = check("conv-arith-5", keras.layers.Conv2D(128, 3, strides=2, padding="same"))
    assert not too_big.correct and "73,856" in too_big.message
    wrong_shape = check("conv-arith-5", keras.layers.SeparableConv2D(128, 3, padding="same"))
    assert not wrong_shape.correct and "(32, 32, 128)" in wrong_shape.message
    assert not check("conv-arith-5", "a layer").correct


def test_groups_budget_helper():
    assert smallest_groups_for_budget(256, 256, 3, 10_000) == 64
    assert smallest_groups_for_budget(256, 256, 3, 10**9) == 1
    with pytest.raises(ValueError, match="max_weights"):
        smallest_groups_for_budget(4, 4, 3, 1)


def test_unknown_exercise_id_is_a_clear_error():
    with pytest.raises(ValueError, match="exercise_id='nope'.*known"):
        check("nope", 1)


def test_every_exercise_has_an_id_chapter_and_title():
    for ex_id, ex in EXERCISES.items():
        assert ex.id == ex_id and ex.chapter and ex.title


# --------------------------------------------------------------------------- precision, NumPy
def test_float_answers_are_judged_at_the_precision_the_exercise_states():
    from lessons_lib.checks._core import expect_float

    for good in (0.29, 0.2857, 2 / 7, np.float32(0.29), np.float64(2 / 7), np.array(0.29)):
        assert expect_float("x-1", good, 2 / 7, "h", decimals=2).correct, good
    for bad in (0.28, 0.3, 0.295, 29):
        result = expect_float("x-1", bad, 2 / 7, "h", decimals=2)
        assert not result.correct and "to 2 decimal places" in result.message, bad
    assert expect_float("x-1", 8.9, 8.8896, "h", decimals=1).correct
    assert expect_float("x-1", 77.0, 77.3, "h", decimals=0).correct
    assert expect_float("x-1", 1230.0, 1234.5, "h", sig_figs=3).correct
    assert not expect_float("x-1", 1240.0, 1234.5, "h", sig_figs=3).correct
    assert not expect_float("x-1", "0.29", 2 / 7, "h", decimals=2).correct
    assert not expect_float("x-1", True, 1.0, "h", decimals=2).correct


@pytest.mark.parametrize("kwargs, error, message", [
    ({}, ValueError, "give exactly one of `decimals` and `sig_figs`; received decimals=None, "
                     "sig_figs=None."),
    ({"decimals": 2, "sig_figs": 3}, ValueError, "give exactly one of `decimals` and "
                                                 "`sig_figs`; received decimals=2, sig_figs=3."),
    ({"decimals": -1}, ValueError, "`decimals` must be an integer >= 0; received decimals=-1."),
    ({"sig_figs": 0}, ValueError, "`sig_figs` must be an integer >= 1; received sig_figs=0."),
    ({"decimals": 1.5}, TypeError, "`decimals` must be an integer >= 0; received decimals=1.5 "
                                   "(type float)."),
])
def test_a_float_exercise_must_state_one_valid_precision(kwargs, error, message):
    from lessons_lib.checks._core import float_tolerance

    with pytest.raises(error) as info:
        float_tolerance(0.5, **kwargs)
    assert str(info.value) == message


def test_numpy_integers_and_arrays_are_accepted():
    from lessons_lib.checks._core import expect_int, expect_tuple

    assert expect_int("x-1", np.int64(73_856), 73_856, "h").correct
    assert expect_int("x-1", np.float64(73_856.0), 73_856, "h").correct
    assert expect_int("x-1", np.array(7), 7, "h").correct
    assert not expect_int("x-1", np.float64(7.5), 7, "h").correct
    assert not expect_int("x-1", np.bool_(True), 1, "h").correct   # a truth value is no count
    assert expect_tuple("x-1", np.array([14, 14, 224]), (14, 14, 224), "h").correct
    assert expect_tuple("x-1", (np.int64(3), 3, 2048), (3, 3, 2048), "h").correct
    assert not expect_tuple("x-1", np.array([14, 14]), (14, 14, 224), "h").correct


def test_no_answer_helper_is_student_facing():
    """The student-facing API is the checker and the registry: nothing that returns an
    expected answer (issue 18), and the hand-outs import only ``check``."""
    assert sorted(lessons_lib.checks.__all__) == ["CheckResult", "EXERCISES", "Exercise", "check"]
    public = {name for name in vars(lessons_lib.checks) if not name.startswith("_")}
    modules = {"comparison", "conv_arithmetic", "factorized", "inception_module", "inception_v3",
               "mobilenet", "resnext", "xception"}
    assert public - modules <= {"CheckResult", "EXERCISES", "Exercise", "check"}
    for handout in (ROOT / "colab" / "book" / "exercises").glob("*.ipynb"):
        imports = set(re.findall(r"from lessons_lib\.checks\S* import [\w, ]+", handout.read_text()))
        assert imports <= {"from lessons_lib.checks import check"}, (handout.name, imports)


def test_register_refuses_incomplete_grading_metadata():
    from lessons_lib.checks._core import register

    with pytest.raises(ValueError, match="difficulty='hard'"):
        register("x-1", "c", "t", objective=1, difficulty="hard", points=1, minutes=1)
    with pytest.raises(ValueError, match="points"):
        register("x-1", "c", "t", objective=1, difficulty="basic", points=0, minutes=1)
    with pytest.raises(TypeError):
        register("x-1", "c", "t")


def test_written_exercises_are_recorded_for_a_person_not_judged():
    """A written answer's check counts words only: `...` is not answered, a short text is not
    yet, a paragraph is recorded (shown as such, and never "Right")."""
    from lessons_lib.checks._core import expect_written

    assert "no answer yet" in expect_written("x-1", ..., 40, 3).message
    assert "no answer yet" in expect_written("x-1", "   ", 40, 3).message
    assert "(3 points)" in expect_written("x-1", ..., 40, 3).message
    short = expect_written("x-1", "too short", 40)
    assert not short.correct and not short.recorded and "2 words" in short.message
    done = expect_written("x-1", "word " * 40, 40)
    assert done.recorded and not done.correct and not bool(done)
    assert str(done).startswith("[Recorded]") and "Recorded" in done._repr_html_()
    assert "a string" in expect_written("x-1", 42, 40).message


@pytest.mark.parametrize("rubric, match", [
    (("3: all",), "2 or more levels"),
    (("3: all", "zero"), "2 or more levels"),
    (("2: most", "0: none"), "run down from points=3"),
    (("3: all", "1: some", "2: most", "0: none"), "run down"),
    (("3: all", "1: some"), "run down"),
])
def test_a_rubric_that_does_not_add_up_is_refused(rubric, match):
    from lessons_lib.checks._core import register_written

    with pytest.raises(ValueError, match=match):
        register_written("never-1", "nowhere", "t", objective=1, difficulty="basic", points=3,
                         minutes=5, rubric=rubric)
    assert "never-1" not in EXERCISES


def test_every_written_exercise_has_a_rubric_from_its_points_to_zero():
    written = [ex for ex in EXERCISES.values() if ex.written]
    assert written
    for ex in written:
        marks = [int(level.split(":")[0]) for level in ex.rubric]
        assert marks[0] == ex.points and marks[-1] == 0, ex.id
