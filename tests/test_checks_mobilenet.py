"""Self-checks of the MobileNet/UNet chapter: right answers pass, wrong ones get a hint, and the
numbers written in the hidden solutions are the ones accepted."""

import pathlib

import keras
import numpy as np
import pytest
from keras import layers

from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.mobilenet import (block_expected_params, iou_exercise_expected,
                                          mobilenet_macs_millions, pointwise_mac_share)
from lessons_lib.segmentation import mean_iou
import solutions

SOLUTIONS = {  # as the chapter's solutions state them
    "mobilenet-1": 133_376,
    "mobilenet-2": 154.7,         # 0.6-192, to 1 decimal place
    "mobilenet-3": 0.607,
    "mobilenet-5": (63232, 2),
    "mobilenet-7": 0.82,          # 0.25-224, to 2 decimal places
}
WRONG = {
    "mobilenet-1": 1_179_648,     # the standard convolution
    "mobilenet-2": 150.4,         # the alpha^2 rho^2 estimate from 1.0-224
    "mobilenet-3": 0.75,          # the pixel accuracy
    "mobilenet-5": (416 * 608, 2),
    "mobilenet-7": 0.95,          # the share of 1.0-224, printed by the chapter
}
WRITTEN = ("mobilenet-8",)
BOOK = pathlib.Path(__file__).resolve().parents[1] / "book" / "mobilenet_unet.ipynb"


def mobilenet_block(bias=False, relu6=True, strides=2):
    inputs = keras.Input((32, 32, 64))
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=bias)(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU(6.0 if relu6 else None)(x)
    x = layers.Conv2D(128, 1, use_bias=bias)(x)
    x = layers.BatchNormalization()(x)
    return keras.Model(inputs, layers.ReLU(6.0 if relu6 else None)(x))


def test_all_chapter_ids_registered():
    ids = {i for i in EXERCISES if i.startswith("mobilenet-")}
    assert ids == {f"mobilenet-{n}" for n in range(1, 9)}
    assert all(EXERCISES[i].chapter == "mobilenet_unet" for i in ids)


@pytest.mark.parametrize("ex_id", sorted(SOLUTIONS))
def test_solution_values_are_accepted(ex_id):
    result = check(ex_id, SOLUTIONS[ex_id])
    assert result.correct, result


@pytest.mark.parametrize("ex_id", sorted(WRONG))
def test_wrong_answers_get_a_hint(ex_id):
    result = check(ex_id, WRONG[ex_id])
    assert not result.correct and "Hint" in result.message


@pytest.mark.parametrize("ex_id", [f"mobilenet-{n}" for n in range(1, 9)])
def test_placeholder_is_not_an_error(ex_id):
    assert "no answer yet" in check(ex_id, ...).message


def test_expected_values_are_computed_right():
    assert mobilenet_macs_millions(0.5, 160) == pytest.approx(76.5, abs=0.1)
    assert mobilenet_macs_millions(0.6, 192) == pytest.approx(154.73, abs=0.01)
    assert pointwise_mac_share(1.0, 224) == pytest.approx(0.9486, abs=1e-4)  # the paper's 94.86%
    assert pointwise_mac_share(0.25, 224) < pointwise_mac_share(0.25, 224, classifier=True)
    truth = np.array([[0, 0, 1, 1], [0, 2, 2, 1], [0, 0, 2, 2]])
    pred = np.array([[0, 1, 1, 1], [0, 2, 0, 1], [0, 0, 2, 0]])
    assert iou_exercise_expected() == pytest.approx((4 / 7 + 3 / 4 + 2 / 4) / 3)
    assert mean_iou(truth, pred, 3) == iou_exercise_expected()
    assert block_expected_params() == 9_536 == mobilenet_block().count_params()


def test_millions_mixup_is_explained():
    assert "millions" in check("mobilenet-2", 154_732_844).message
    assert "estimate" in check("mobilenet-2", 150.4).message


def test_pointwise_share_mixups_are_explained():
    assert "percentage" in check("mobilenet-7", 82.2).message
    assert "conv_preds" in check("mobilenet-7", 0.83).message      # the classifier counted
    assert "full-width" in check("mobilenet-7", 0.95).message


def model_answer(ex_id):
    """The answer the chapter's solution of ``ex_id`` assigns."""
    return solutions.solution_answer("mobilenet_unet", ex_id)


@pytest.mark.parametrize("ex_id", WRITTEN)
def test_written_exercises(ex_id):
    ex = EXERCISES[ex_id]
    assert ex.written and ex.points == 3 and ex.objective == 4
    assert "no answer yet" in check(ex_id, ...).message
    short = check(ex_id, "the skips bring the detail")
    assert str(short).startswith("[Not yet]") and not short.recorded
    done = check(ex_id, model_answer(ex_id))
    assert done.recorded and not done.correct, done


def test_block_exercise():
    assert check("mobilenet-4", mobilenet_block()).correct
    assert "Bias" in check("mobilenet-4", mobilenet_block(bias=True)).message.replace("bias", "Bias")
    assert "ReLU6" in check("mobilenet-4", mobilenet_block(relu6=False)).message
    assert "(32, 32, 128)" in check("mobilenet-4", mobilenet_block(strides=1)).message
    inputs = keras.Input((32, 32, 64))
    separable = keras.Model(inputs, layers.SeparableConv2D(128, 3, strides=2, padding="same")(inputs))
    assert "BatchNormalization" in check("mobilenet-4", separable).message
    assert "keras.Model" in check("mobilenet-4", layers.Dense(3)).message


def test_tuple_answers_are_type_checked():
    assert "tuple" in check("mobilenet-5", 63232).message
    assert check("mobilenet-5", [63232, 2]).correct


def test_half_resolution_targets_debugging_exercise():
    fixed = check("mobilenet-6", lambda m: m[:, ::2, ::2].reshape(len(m), -1))
    assert fixed.correct, fixed
    assert check("mobilenet-6", lambda m: m[:, 1::2, 1::2].reshape(len(m), -1, 1)).correct
    notes = check("mobilenet-6", lambda m: m.reshape(len(m), -1))   # the notes' bug
    assert not notes.correct and "input pixel" in notes.message
    crop = check("mobilenet-6", lambda m: m[:, : m.shape[1] // 2, : m.shape[2] // 2].reshape(len(m), -1))
    assert not crop.correct and "nearest neighbour" in crop.message
    assert "::2" not in crop.message   # the hint points the way, it does not give the fix
    column_order = check("mobilenet-6", lambda m: m[:, ::2, ::2].transpose(0, 2, 1).reshape(len(m), -1))
    assert not column_order.correct
    average = check("mobilenet-6", lambda m: m.reshape(len(m), m.shape[1] // 2, 2, m.shape[2] // 2, 2)
                    .mean(axis=(2, 4)).reshape(len(m), -1))
    assert not average.correct and "class numbers" in average.message
    assert "function" in check("mobilenet-6", 3).message


def test_rounded_answers_at_the_stated_precision():
    assert check("mobilenet-2", 154.7).correct and check("mobilenet-2", np.float32(154.73)).correct
    assert not check("mobilenet-2", 155).correct and not check("mobilenet-2", 154.6).correct
    assert check("mobilenet-7", np.float64(0.8218)).correct and check("mobilenet-7", 0.822).correct
    assert not check("mobilenet-7", 0.81).correct
    assert check("mobilenet-3", 0.61).correct and check("mobilenet-3", np.float64(0.607)).correct
    assert not check("mobilenet-3", 0.60).correct
