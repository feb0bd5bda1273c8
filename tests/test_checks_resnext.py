"""Self-checks of the ResNeXt chapter: right answers pass, wrong ones get a hint, and the
numbers written in the hidden solutions are the ones accepted."""

import keras
import pytest
from keras import layers

from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.resnext import (BLOCKS_PER_STAGE, block_expected_params,
                                        split_conv2d_count, template_block_weights)

import solutions

SOLUTIONS = {"resnext-1": 55_296, "resnext-2": 74_752, "resnext-3": 549}
WRONG = {"resnext-1": 1_327_104, "resnext-2": 212_992, "resnext-3": 53}


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
    assert ids == {f"resnext-{n}" for n in range(1, 8)}
    assert all(EXERCISES[i].chapter == "resnext" for i in ids)


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    assert check(ex_id, SOLUTIONS[ex_id]).correct


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


@pytest.mark.parametrize("ex_id", [f"resnext-{n}" for n in range(1, 8)])
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
    assert "shortcut" in check("resnext-4", block(add=False)).message
    assert "negative" in check("resnext-4", block(relu=False)).message
    assert "use_bias" in check("resnext-4", block(bias=True)).message
    assert "keras.Model" in check("resnext-4", 3).message


def test_wrong_types_are_explained():
    assert "whole number" in check("resnext-1", "55296").message


def test_rewritten_counts_are_computed_and_not_the_chapter_tables():
    from lessons_lib import arithmetic as ar

    assert template_block_weights(256, 16, 8) == 74_752
    assert template_block_weights(256, 8, 14) == 71_456          # the table's 8x14d: not it
    assert not check("resnext-2", 71_456).correct
    assert not check("resnext-1", 73_728).correct                 # conv4's, in the stage table
    dense = check("resnext-1", 1_327_104)
    assert "dense layer" in dense.message and "55,296" not in dense.message
    assert ar.grouped_conv(14, 14, 384, 384, 3, groups=24, use_bias=False).params == 55_296


def test_written_measure_exercise():
    ex = EXERCISES["resnext-7"]
    assert ex.written and ex.objective == 3 and ex.points == 3
    assert [level[0] for level in ex.rubric] == ["3", "2", "1", "0"]
    assert "no answer yet" in check("resnext-7", ...).message
    short = check("resnext-7", "GroupedConv2D was the faster one.")
    assert not short.correct and not short.recorded and "Not yet" in str(short)
    assert check("resnext-7", solution_answer("resnext-7")).recorded


def solution_answer(ex_id):
    """The answer the chapter's solution of ``ex_id`` assigns."""
    return solutions.solution_answer("resnext", ex_id)


def _lambda_paths(bind):
    def build(x, cardinality=32, group_width=4):
        outs = []
        for c in range(cardinality):
            if bind:
                piece = layers.Lambda(lambda t, c=c: t[..., c * group_width:(c + 1) * group_width])(x)
            else:
                piece = layers.Lambda(lambda t: t[..., c * group_width:(c + 1) * group_width])(x)
            outs.append(layers.Conv2D(group_width, 3, padding="same", use_bias=False)(piece))
        return layers.Concatenate()(outs)
    return build


def test_lambda_debugging_exercise():
    from keras import ops

    assert check("resnext-5", _lambda_paths(bind=True)).correct
    wrong = check("resnext-5", _lambda_paths(bind=False))
    assert not wrong.correct and "when it runs" in wrong.message
    assert "c=c" not in wrong.message   # the hint points the way, it does not give the fix

    def split(x, cardinality=32, group_width=4):   # no Lambda at all: also right
        return layers.Concatenate()([layers.Conv2D(group_width, 3, padding="same", use_bias=False)(p)
                                     for p in ops.split(x, cardinality, axis=-1)])
    assert check("resnext-5", split).correct
    assert "Conv2D" in check("resnext-5", lambda x, **kw: x).message
    assert "function" in check("resnext-5", 3).message


def test_unused_adam_debugging_exercise():
    def notes(model):
        opt = keras.optimizers.Adam(learning_rate=1e-4)  # noqa: F841  (the notes' bug)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    def fixed(model):
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4),
                      loss="sparse_categorical_crossentropy")

    wrong = check("resnext-6", notes)
    assert not wrong.correct and "0.001" in wrong.message and "Hint" in wrong.message
    assert "optimizer=opt" not in wrong.message and "pass the object" not in wrong.message
    assert check("resnext-6", fixed).correct
    sgd = check("resnext-6", lambda m: m.compile(optimizer=keras.optimizers.SGD(1e-4), loss="mse"))
    assert not sgd.correct and "SGD" in sgd.message
    assert "failed" in check("resnext-6", lambda m: 1 / 0).message
