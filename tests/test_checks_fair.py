"""The self-checks grade what an answer computes, not how it is spelled.

Each case below comes from the instructor review (issue 18): a correct variant that an
earlier check rejected, or a wrong one that it accepted. Every correct variant must pass and
every wrong one must fail, with a message that is true of the answer.
"""

import keras
import numpy as np
import pytest
from keras import layers

from lessons_lib.checks import check
from lessons_lib.checks._core import Probe, keras_answer


# --- conv-arith-5: 32x32x64 -> 16x16x128, a 3x3 field, < 10,000 parameters ----------------


def _pool_and_tile():
    """No weights at all: a 3x3 average pool with stride 2, channels repeated twice."""
    return layers.Lambda(lambda x: keras.ops.tile(
        keras.ops.average_pool(x, 3, 2, padding="same"), (1, 1, 1, 2)))


@pytest.mark.parametrize("make", [
    lambda: layers.SeparableConv2D(128, 3, strides=2, padding="same"),
    lambda: layers.Conv2D(128, 3, strides=2, padding="same", groups=8),
], ids=["separable", "grouped"])
def test_conv_arith_5_accepts_cheap_layers_that_look_at_3x3(make):
    result = check("conv-arith-5", make())
    assert result.correct, result


def test_conv_arith_5_rejects_a_strided_1x1():
    result = check("conv-arith-5", layers.Conv2D(128, 1, strides=2))
    assert not result.correct and "1x1 patch" in result.message, result


def test_conv_arith_5_rejects_a_layer_with_no_weights():
    result = check("conv-arith-5", _pool_and_tile())
    assert not result.correct and "no weights" in result.message, result


# --- factorized-5: a 7x7 field on 17x17x64, < 100,000 parameters -----------------------------


@pytest.mark.parametrize("make", [
    lambda: keras.Sequential([layers.Conv2D(64, (1, 7), padding="same", activation="relu"),
                              layers.Conv2D(64, (7, 1), padding="same")]),
    lambda: layers.SeparableConv2D(64, 7, padding="same"),
], ids=["1x7+7x1", "separable-7x7"])
def test_factorized_5_accepts_cheap_7x7_fields(make):
    result = check("factorized-5", make())
    assert result.correct, result


def test_factorized_5_rejects_a_depthwise_7x7_that_mixes_no_channels():
    result = check("factorized-5", layers.DepthwiseConv2D(7, padding="same"))
    assert not result.correct and "mixes no channels" in result.message, result


def test_factorized_5_rejects_a_field_that_is_long_one_way():
    answer = keras.Sequential([layers.Conv2D(64, (1, 7), padding="same"),
                               layers.Conv2D(64, (1, 7), padding="same")])
    result = check("factorized-5", answer)
    assert not result.correct and "1x13" in result.message, result


# --- inception-module-5: >= 3 parallel branches concatenated ---------------------------------


def _branches(inputs, widths=(64, 64, 128)):
    return [layers.Conv2D(w, k, strides=2, padding="same")(inputs)
            for w, k in zip(widths, (1, 3, 5))]


def test_inception_module_5_accepts_the_concatenate_layer():
    inputs = keras.Input((32, 32, 64))
    answer = keras.Model(inputs, layers.Concatenate()(_branches(inputs)))
    assert check("inception-module-5", answer).correct


def test_inception_module_5_accepts_keras_ops_concatenate():
    inputs = keras.Input((32, 32, 64))
    answer = keras.Model(inputs, keras.ops.concatenate(_branches(inputs), axis=-1))
    result = check("inception-module-5", answer)
    assert result.correct, result


def test_inception_module_5_rejects_one_branch_joined_twice():
    inputs = keras.Input((32, 32, 64))
    a, b = _branches(inputs, (64, 128))[:2]
    answer = keras.Model(inputs, layers.Concatenate()([a, a, b]))
    result = check("inception-module-5", answer)
    assert not result.correct and "2 different branches" in result.message, result


# --- inception-module-6: the notes' module with real 3x3 convolutions ------------------------


def _notes_module(kernel=3):
    inputs = keras.Input(shape=(64, 64, 3))
    a = layers.Conv2D(128, 1, activation="relu", strides=2)(inputs)
    b = layers.Conv2D(128, 1, activation="relu")(inputs)
    b = layers.Conv2D(128, kernel, activation="relu", strides=2, padding="same")(b)
    c = layers.AveragePooling2D(3, strides=2, padding="same")(inputs)
    c = layers.Conv2D(128, 3, activation="relu", padding="same")(c)
    d = layers.Conv2D(128, 1, activation="relu")(inputs)
    d = layers.Conv2D(128, kernel, activation="relu", padding="same")(d)
    d = layers.Conv2D(128, kernel, activation="relu", strides=2, padding="same")(d)
    return keras.Model(inputs, layers.Concatenate()([a, b, c, d]))


def test_inception_module_6_accepts_the_fix():
    result = check("inception-module-6", _notes_module())
    assert result.correct, result


def test_inception_module_6_rejects_3x1_kernels():
    result = check("inception-module-6", _notes_module(kernel=(3, 1)))
    assert not result.correct and "3x1" in result.message, result


# --- mobilenet-4: a MobileNet block, 32x32x64 -> 16x16x128 -----------------------------------


def _mobilenet_block(relu6="layer", depthwise_stride=2):
    activations = {"layer": lambda x: layers.ReLU(6.0)(x),
                   "activation": lambda x: layers.Activation("relu6")(x),
                   "ops": lambda x: keras.ops.relu6(x)}
    act = activations[relu6]
    inputs = keras.Input((32, 32, 64))
    x = layers.DepthwiseConv2D(3, strides=depthwise_stride, padding="same",
                               use_bias=False)(inputs)
    x = act(layers.BatchNormalization()(x))
    x = layers.Conv2D(128, 1, strides=2 // depthwise_stride, use_bias=False)(x)
    x = act(layers.BatchNormalization()(x))
    return keras.Model(inputs, x)


@pytest.mark.parametrize("relu6", ["layer", "activation", "ops"])
def test_mobilenet_4_accepts_every_spelling_of_relu6(relu6):
    result = check("mobilenet-4", _mobilenet_block(relu6))
    assert result.correct, result


def test_mobilenet_4_rejects_the_stride_on_the_1x1():
    result = check("mobilenet-4", _mobilenet_block(depthwise_stride=1))
    assert not result.correct and "MACs" in result.message, result


# --- resnext-4: a bottleneck block with an identity shortcut ---------------------------------


def _resnext_block(join="layer"):
    inputs = keras.Input((14, 14, 256))
    x = layers.Conv2D(128, 1, use_bias=False)(inputs)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(128, 3, padding="same", groups=32, use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.BatchNormalization()(layers.Conv2D(256, 1, use_bias=False)(x))
    joins = {"layer": lambda: layers.Add()([inputs, x]), "plus": lambda: x + inputs,
             "ops": lambda: keras.ops.add(inputs, x), "none": lambda: x}
    return keras.Model(inputs, layers.ReLU()(joins[join]()))


@pytest.mark.parametrize("join", ["layer", "plus", "ops"])
def test_resnext_4_accepts_every_way_of_adding_the_input(join):
    result = check("resnext-4", _resnext_block(join))
    assert result.correct, result


def test_resnext_4_rejects_a_block_without_the_shortcut():
    result = check("resnext-4", _resnext_block("none"))
    assert not result.correct and "shortcut" in result.message, result


# --- comparison-2: Xception's MACs over ResNeXt-50's, to 2 decimal places --------------------


@pytest.mark.parametrize("answer", [1.98, 1.976, 1.9755, 8.357 / 4.23, 8.36 / 4.23])
def test_comparison_2_accepts_each_rounding_of_the_ratio(answer):
    result = check("comparison-2", answer)
    assert result.correct, result


@pytest.mark.parametrize("answer", [0.51, 1.46, 1.97, 2.0])
def test_comparison_2_rejects_other_ratios(answer):
    assert not check("comparison-2", answer).correct


# --- the shared probe ------------------------------------------------------------------------


def test_probe_measures_fields_and_channel_mixing():
    probe = Probe(layers.Conv2D(8, (1, 5), padding="same"), (12, 12, 4))
    assert probe.patch_seen((6, 6)) == (1, 5)
    assert probe.mixes_channels()
    depthwise = Probe(layers.DepthwiseConv2D(3, padding="same"), (12, 12, 4))
    assert depthwise.patch_seen((6, 6)) == (3, 3)
    assert not depthwise.mixes_channels()
    assert depthwise.channels_read().sum() == 4


def test_keras_answer_says_what_is_wrong_instead_of_raising():
    assert "no answer yet" in keras_answer("x-1", ..., (8, 8, 3)).message
    assert "expected a Keras layer" in keras_answer("x-1", 3, (8, 8, 3)).message
    assert isinstance(keras_answer("x-1", layers.Dense(4), (8, 8, 3)), Probe)
    rejected = keras_answer("x-1", layers.Reshape((5,)), (8, 8, 3))
    assert not rejected.correct and "does not accept a 8x8x3 input" in rejected.message
    built_for_other = keras.Sequential([keras.Input((5,)), layers.Dense(2)])
    result = keras_answer("x-1", built_for_other, (8, 8, 3), models_only=True)
    assert not result.correct and "its input is (5,)" in result.message
