"""Self-checks of the chapter *The Inception module*: right answers pass, wrong ones get a
hint, and the numbers stated in the hidden solutions are the ones accepted."""

import keras
import pytest
from keras import layers

from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.inception_module import branch_b_macs, branch_d_params
from lessons_lib.models import inception_module
from lessons_lib.profiler import profile

SOLUTIONS = {  # as the chapter's solutions state them
    "inception-module-1": (14, 14, 224),
    "inception-module-2": 86_208,
    "inception-module-3": "same",
    "inception-module-4": 152_567_808,
}
WRONG = {
    "inception-module-1": (13, 13, 224),
    "inception-module-2": 73_856,
    "inception-module-3": "valid",
    "inception-module-4": 150_994_944,   # forgot the 1x1
}


def test_all_five_exercises_are_registered():
    assert {f"inception-module-{n}" for n in range(1, 6)} <= set(EXERCISES)


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    assert check(ex_id, SOLUTIONS[ex_id]).correct


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


def test_wrong_types_are_explained():
    assert "tuple" in check("inception-module-1", 224).message
    assert "string" in check("inception-module-3", 1).message
    assert check("inception-module-3", " SAME ").correct


def test_expected_values_agree_with_the_profiler():
    x = keras.Input((28, 28, 192))
    table = profile(keras.Model(x, inception_module(x, 64, 96, 32, 64, name="m")))
    assert table[table["layer"].str.startswith("m_d")]["params"].sum() == branch_d_params(192, 64)
    x = keras.Input((64, 64, 3))
    table = profile(keras.Model(x, inception_module(x, name="m")))
    assert table[table["layer"].str.startswith("m_b")]["macs"].sum() == branch_b_macs()


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
