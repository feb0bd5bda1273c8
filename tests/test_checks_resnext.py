"""Self-checks of the ResNeXt chapter: right answers pass, wrong ones get a hint, and the
numbers written in the hidden solutions are the ones accepted."""

import keras
import pytest
from keras import layers

from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.resnext import (BLOCKS_PER_STAGE, block_expected_params,
                                        split_conv2d_count, template_block_weights)

SOLUTIONS = {"resnext-1": 73_728, "resnext-2": 71_456, "resnext-3": 549}
WRONG = {"resnext-1": 2_359_296, "resnext-2": 70_144, "resnext-3": 53}


def block(groups=32, add=True, relu=True, bias=False):
    inputs = keras.Input((14, 14, 256))
    x = layers.Conv2D(128, 1, use_bias=bias)(inputs)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(128, 3, padding="same", groups=groups, use_bias=bias)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.BatchNormalization()(layers.Conv2D(256, 1, use_bias=bias)(x))
    if add:
        x = layers.Add()([inputs, x])
    return keras.Model(inputs, layers.ReLU()(x) if relu else x)


def test_all_chapter_ids_registered():
    ids = {i for i in EXERCISES if i.startswith("resnext-")}
    assert ids == {f"resnext-{n}" for n in range(1, 5)}
    assert all(EXERCISES[i].chapter == "resnext" for i in ids)


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    assert check(ex_id, SOLUTIONS[ex_id]).correct


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


@pytest.mark.parametrize("ex_id", [f"resnext-{n}" for n in range(1, 5)])
def test_placeholder_is_not_an_error(ex_id):
    assert "no answer yet" in check(ex_id, ...).message


def test_computed_values():
    from lessons_lib.models.resnext import STAGES

    assert BLOCKS_PER_STAGE == tuple(s[1] for s in STAGES)
    assert template_block_weights(256, 32, 4) == 70_144
    assert block_expected_params() == 72_192 == block().count_params()


def test_split_count_matches_the_built_model():
    from lessons_lib.models import resnext50

    for implementation, cardinality in (("split", 32), ("grouped", 1)):
        model = resnext50(implementation=implementation, input_shape=(32, 32, 3), weights=None)
        convs = sum(isinstance(layer, layers.Conv2D) for layer in model.layers)
        assert convs == split_conv2d_count(cardinality=cardinality)


def test_block_exercise():
    assert check("resnext-4", block()).correct
    assert "groups=32" in check("resnext-4", block(groups=1)).message
    assert "Add" in check("resnext-4", block(add=False)).message
    assert "negative" in check("resnext-4", block(relu=False)).message
    assert "use_bias" in check("resnext-4", block(bias=True)).message
    assert "keras.Model" in check("resnext-4", 3).message


def test_wrong_types_are_explained():
    assert "whole number" in check("resnext-1", "73728").message
