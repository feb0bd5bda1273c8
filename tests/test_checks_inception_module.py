"""Self-checks of the chapter *The Inception module*: right answers pass, wrong ones get a
hint, and the numbers stated in the hidden solutions are the ones accepted."""

import keras
import pytest
from keras import layers

from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.inception_module import (BRANCH_B_CONFIG, VALID_SIDE, branch_b_macs,
                                                 branch_d_params, valid_branch_rows)
from lessons_lib.models import inception_module
from lessons_lib.profiler import profile
import solutions

SOLUTIONS = {  # as the chapter's solutions state them
    "inception-module-1": (14, 14, 224),
    "inception-module-2": 86_208,
    "inception-module-3": (24, 23, 21, 22),
    "inception-module-4": 35_323_904,
}
WRONG = {
    "inception-module-1": (13, 13, 224),
    "inception-module-2": 73_856,
    "inception-module-3": (24, 23, 22, 22),   # branch c: forgot the 3x3 after the pool
    "inception-module-4": 28_901_376,         # forgot the 1x1
}


def test_all_seven_exercises_are_registered():
    assert {f"inception-module-{n}" for n in range(1, 8)} <= set(EXERCISES)


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    assert check(ex_id, SOLUTIONS[ex_id]).correct


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


def test_wrong_types_are_explained():
    assert "tuple" in check("inception-module-1", 224).message
    assert "tuple" in check("inception-module-3", "same").message
    assert "tuple" in check("inception-module-3", (24, 23, 21)).message
    import numpy as np

    assert check("inception-module-3", np.array([24, 23, 21, 22])).correct
    assert check("inception-module-3", [24, 23, 21, 22]).correct


def test_the_same_padding_shapes_are_named_as_such():
    result = check("inception-module-3", (24, 24, 24, 24))
    assert not result.correct and "padding='same'" in result.message and "Hint" in result.message


def test_valid_rows_are_the_shapes_keras_refuses_to_concatenate():
    """The helper gives the rows Keras's Concatenate error lists, for the exercise's input
    and for the chapter's 64x64 (the Pitfalls cell)."""
    import re

    for side in (VALID_SIDE, 64):
        with pytest.raises(ValueError, match="Concatenate") as info:
            inception_module(keras.Input((side, side, 3)), 8, 8, 8, 8, padding="valid")
        listed = tuple(int(r) for r in re.findall(r"\(None, (\d+), \1, 8\)", str(info.value)))
        assert listed == valid_branch_rows(side), (side, str(info.value))
    assert valid_branch_rows(64) == (32, 31, 29, 30)


def test_the_written_exercise_is_recorded_for_a_person():
    assert EXERCISES["inception-module-7"].written
    assert EXERCISES["inception-module-7"].objective == 4
    assert "no answer yet" in check("inception-module-7", ...).message
    short = check("inception-module-7", "the noise run memorised")
    assert not short.correct and not short.recorded and "Not yet" in str(short)
    model = _model_answer("inception-module-7")
    result = check("inception-module-7", model)
    assert result.recorded and not result.correct, result


def _model_answer(ex_id):
    """The answer the chapter's solution of ``ex_id`` assigns."""
    return solutions.solution_answer("inception_module", ex_id)


def test_expected_values_agree_with_the_profiler():
    x = keras.Input((28, 28, 192))
    table = profile(keras.Model(x, inception_module(x, 64, 96, 32, 64, name="m")))
    assert table[table["layer"].str.startswith("m_d")]["params"].sum() == branch_d_params(192, 64)
    x = keras.Input((64, 64, 3))
    table = profile(keras.Model(x, inception_module(x, name="m")))
    assert table[table["layer"].str.startswith("m_b")]["macs"].sum() == branch_b_macs()
    side, channels, filters = BRANCH_B_CONFIG
    x = keras.Input((side, side, channels))
    table = profile(keras.Model(x, inception_module(x, filters, filters, filters, filters,
                                                    name="m")))
    assert (table[table["layer"].str.startswith("m_b")]["macs"].sum()
            == branch_b_macs(*BRANCH_B_CONFIG) == SOLUTIONS["inception-module-4"])


def test_build_exercise():
    x = keras.Input((32, 32, 64))
    assert check("inception-module-5", keras.Model(x, inception_module(x, 64, 64, 64, 64))).correct
    plain = keras.Model(x, layers.Conv2D(256, 3, strides=2, padding="same")(x))
    result = check("inception-module-5", plain)
    assert not result.correct and "concatenated" in result.message
    narrow = check("inception-module-5", keras.Model(x, inception_module(x, 8, 8, 8, 8)))
    assert not narrow.correct and "(16, 16, 32)" in narrow.message
    other = keras.Input((64, 64, 64))
    wrong_input = check("inception-module-5",
                        keras.Model(other, inception_module(other, 64, 64, 64, 64)))
    assert not wrong_input.correct and "input" in wrong_input.message
    assert not check("inception-module-5", layers.Conv2D(256, 3)).correct


def _notes_module(fix_b=False, fix_d=False, swap=False):
    """The source notes' module (branches b and d of 1x1s), optionally fixed."""
    inputs = keras.Input(shape=(64, 64, 3))
    a = layers.Conv2D(128, 1, activation="relu", strides=2)(inputs)
    b = layers.Conv2D(128, 1, activation="relu")(inputs)
    b = layers.Conv2D(128, 3 if fix_b else 1, strides=2, padding="same", activation="relu")(b)
    c = layers.AveragePooling2D(3, strides=2, padding="same")(inputs)
    c = layers.Conv2D(128, 3, activation="relu", padding="same")(c)
    d = layers.Conv2D(128, 1, activation="relu")(inputs)
    d = layers.Conv2D(128, 3 if fix_d else 1, padding="same", activation="relu")(d)
    d = layers.Conv2D(128, 3 if fix_d else 1, strides=2, padding="same", activation="relu")(d)
    branches = [d, c, b, a] if swap else [a, b, c, d]
    return keras.Model(inputs, layers.Concatenate()(branches))


def test_debugging_exercise_checks_the_fix():
    from lessons_lib.checks.inception_module import branch_receptive_fields

    buggy = _notes_module()
    assert branch_receptive_fields(buggy) == [(1, 1), (1, 1), (7, 7), (1, 1)]
    result = check("inception-module-6", buggy)
    assert not result.correct and "Hint" in result.message
    assert not check("inception-module-6", _notes_module(fix_b=True)).correct   # d still blind
    assert not check("inception-module-6", _notes_module(fix_d=True)).correct   # b still blind
    assert check("inception-module-6", _notes_module(fix_b=True, fix_d=True)).correct
    assert check("inception-module-6", _notes_module(True, True, swap=True)).correct
    x = keras.Input((64, 64, 3))
    assert check("inception-module-6", keras.Model(x, inception_module(x))).correct
    assert "keras.Model" in check("inception-module-6", layers.Conv2D(8, 3)).message
    plain = keras.Model(x, layers.Conv2D(512, 3, strides=2, padding="same")(x))
    assert not check("inception-module-6", plain).correct
    assert "no answer yet" in check("inception-module-6", ...).message
