"""Self-checks for the chapter *ResNeXt-50* (exercise IDs ``resnext-N``).

Expected answers are computed (with :mod:`lessons_lib.arithmetic`, from the model
builder's stage table, or by building and inspecting the learner's model), never typed in.
"""

from __future__ import annotations

import numbers

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_int, keras_answer, not_answered,
                                      register, register_written, unanswered)


def _to_numpy(tensor) -> np.ndarray:
    """A model's output as a NumPy array on every backend (a PyTorch output that tracks
    gradients refuses ``np.asarray``)."""
    import keras

    return keras.ops.convert_to_numpy(tensor)

CHAPTER = "resnext"
#: (blocks per stage) of ResNeXt-50, as in lessons_lib.models.resnext.STAGES (kept here so
#: that importing the checks does not import Keras; a test checks they agree).
BLOCKS_PER_STAGE = (3, 4, 6, 3)
CARDINALITY = 32


#: The grouped 3x3 layer of resnext-1: channels in and out, and groups (not a ResNeXt-50
#: stage, whose layers the chapter's per-stage table prints).
RESNEXT_1_CHANNELS, RESNEXT_1_GROUPS = 384, 24


@register("resnext-1", CHAPTER, "Weights of a grouped 3x3 convolution with 24 groups",
          objective=2, difficulty="basic", points=1, minutes=3)
def _resnext_1(answer) -> CheckResult:
    channels, groups = RESNEXT_1_CHANNELS, RESNEXT_1_GROUPS
    expected = ar.grouped_conv(14, 14, channels, channels, 3, groups=groups,
                               use_bias=False).params
    dense = ar.standard_conv(14, 14, channels, channels, 3, use_bias=False).params
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool) and answer == dense:
        return CheckResult("resnext-1", False, f"{answer:,} is the dense layer. Hint: with "
                           f"{groups} groups each filter sees only {channels} / {groups} input "
                           "channels.")
    return expect_int("resnext-1", answer, expected,
                      "weights = 3 * 3 * (C_in / groups) * C_out.")


def template_block_weights(c_in: int, cardinality: int, d: int) -> int:
    """Weights of the paper's template block: 1x1 c_in->C*d, grouped 3x3 (C groups), 1x1 back."""
    width = cardinality * d
    return (ar.pointwise_conv(56, 56, c_in, width, use_bias=False).params
            + ar.grouped_conv(56, 56, width, width, 3, cardinality, use_bias=False).params
            + ar.pointwise_conv(56, 56, width, c_in, use_bias=False).params)


#: Cardinality and path width of resnext-2's template block (not one of the five templates
#: of the paper's Table 2, which the chapter tabulates).
RESNEXT_2_C, RESNEXT_2_D = 16, 8


@register("resnext-2", CHAPTER, "Weights of the 16x8d template block",
          objective=2, difficulty="intermediate", points=2, minutes=6)
def _resnext_2(answer) -> CheckResult:
    c, d = RESNEXT_2_C, RESNEXT_2_D
    return expect_int("resnext-2", answer, template_block_weights(256, c, d),
                      "the middle width is C*d; add the 1x1 in (256 to C*d), the grouped 3x3 "
                      "(each of its C*d filters sees d channels) and the 1x1 out (C*d to 256).")


def split_conv2d_count(blocks=BLOCKS_PER_STAGE, cardinality: int = CARDINALITY) -> int:
    """Conv2D layers of ``resnext50(implementation="split")``: per block two 1x1 convs and
    ``cardinality`` path convs, one projection per stage, one stem conv."""
    return sum(blocks) * (2 + cardinality) + len(blocks) + 1


@register("resnext-3", CHAPTER, "Conv2D layers of the split ResNeXt-50",
          objective=1, difficulty="intermediate", points=2, minutes=6)
def _resnext_3(answer) -> CheckResult:
    if not unanswered(answer) and answer == split_conv2d_count(cardinality=1):
        return CheckResult("resnext-3", False, f"{answer} is the grouped model's count. Hint: "
                           "the split model has one Conv2D per path.")
    return expect_int("resnext-3", answer, split_conv2d_count(),
                      "16 blocks x (two 1x1 + 32 paths) + 4 projection shortcuts + 1 stem.")


def block_expected_params(channels: int = 256, width: int = 128, groups: int = 32) -> int:
    """Parameters of the resnext-4 block: three convolutions (no bias) and three BNs (4 per channel)."""
    weights = (ar.pointwise_conv(14, 14, channels, width, use_bias=False).params
               + ar.grouped_conv(14, 14, width, width, 3, groups, use_bias=False).params
               + ar.pointwise_conv(14, 14, width, channels, use_bias=False).params)
    return weights + 4 * (width + width + channels)


@register("resnext-4", CHAPTER, "Build a ResNeXt bottleneck block with a grouped 3x3",
          objective=4, difficulty="challenge", points=3, minutes=12)
def _resnext_4(answer) -> CheckResult:
    ex_id = "resnext-4"
    probe = keras_answer(ex_id, answer, (14, 14, 256), models_only=True)
    if isinstance(probe, CheckResult):
        return probe
    if probe.output_shape != (14, 14, 256):
        return CheckResult(ex_id, False, f"its output is {probe.output_shape}, not (14, 14, "
                           "256). Hint: stride 1 everywhere and 256 filters in the last 1x1.")
    params, expected = probe.params, block_expected_params()
    if params != expected:
        return CheckResult(ex_id, False, f"{params:,} parameters, expected {expected:,}. Hint: "
                           "a 1x1 to 128, a 3x3 with groups=32, a 1x1 back to 256, "
                           "use_bias=False, one BatchNormalization after each convolution.")
    x = probe.base_input(seed=1)
    if probe.run(x).min() < 0:
        return CheckResult(ex_id, False, "the output has negative values. Hint: a ReLU after "
                           "the addition.")
    # with every kernel zeroed the convolutions add nothing: what is left is the shortcut
    left = probe.run_with_kernels_zeroed(x)
    if not np.allclose(left, np.maximum(x, 0.0), atol=1e-3):
        return CheckResult(ex_id, False, "with its convolution weights set to zero the block "
                           "should pass relu(input) through, but it does not: there is no "
                           "identity shortcut. Hint: add the block's input to the last "
                           "BatchNormalization's output, then the ReLU.")
    return CheckResult(ex_id, True, f"a grouped bottleneck block with {params:,} parameters "
                       "and an identity shortcut.")


#: Groups and group width the resnext-5 check builds the learner's function with.
LAMBDA_CHECK_GROUPS, LAMBDA_CHECK_WIDTH = 8, 4


@register("resnext-5", CHAPTER, "Debug the notes' Lambda slices",
          objective=1, difficulty="challenge", points=3, minutes=10)
def _resnext_5(answer) -> CheckResult:
    ex_id = "resnext-5"
    if unanswered(answer):
        return not_answered(ex_id)
    if not callable(answer):
        return CheckResult(ex_id, False, f"expected your fixed function lambda_paths, got "
                           f"{type(answer).__name__}.")
    import keras
    from keras import layers

    groups, width = LAMBDA_CHECK_GROUPS, LAMBDA_CHECK_WIDTH
    channels = groups * width
    inputs = keras.Input((6, 6, channels))
    try:
        outputs = answer(inputs, cardinality=groups, group_width=width)
        # a function that returns its input builds no model (Keras 3.10 refuses one)
        model = None if outputs is inputs else keras.Model(inputs, outputs)
    except Exception as err:  # a learner's function may fail: say why
        return CheckResult(ex_id, False, f"calling it with cardinality={groups}, "
                           f"group_width={width} failed: {type(err).__name__}: {err}")
    convs = [] if model is None else [
        layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    if len(convs) != groups or any(tuple(c.kernel.shape) != (3, 3, width, width) for c in convs):
        return CheckResult(ex_id, False, f"expected {groups} Conv2D layers of {width} to {width} "
                           "channels, one per path. Hint: keep the loop; fix only the slice.")
    kernel = np.random.default_rng(0).normal(size=(3, 3, width, channels)).astype("float32")
    for g, conv in enumerate(convs):
        conv.set_weights([kernel[..., g * width:(g + 1) * width]])
    x = np.random.default_rng(1).normal(size=(2, 6, 6, channels)).astype("float32")
    reference = layers.Conv2D(channels, 3, padding="same", groups=groups, use_bias=False)
    reference.build((None, 6, 6, channels))
    reference.set_weights([kernel])
    expected = _to_numpy(reference(x))
    got = _to_numpy(model(x))
    if got.shape != expected.shape:
        return CheckResult(ex_id, False, f"output {got.shape[1:]}, expected {expected.shape[1:]}.")
    if np.abs(got - expected).max() < 1e-4:
        return CheckResult(ex_id, True, f"all {groups} paths read their own slice: the output "
                           f"equals Conv2D(groups={groups}).")
    return CheckResult(ex_id, False, "the model builds, but its output differs from the grouped "
                       "convolution: the paths do not read their own slices. Hint: a lambda looks "
                       "its variables up when it runs, not when it is made; which c do the "
                       "paths read once the loop has finished?")


@register("resnext-6", CHAPTER, "Debug the notes' unused Adam(1e-4)",
          objective=4, difficulty="intermediate", points=2, minutes=6)
def _resnext_6(answer) -> CheckResult:
    ex_id = "resnext-6"
    if unanswered(answer):
        return not_answered(ex_id)
    if not callable(answer):
        return CheckResult(ex_id, False, "expected your fixed function compile_like_the_notes, "
                           f"got {type(answer).__name__}.")
    import keras

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    try:
        answer(model)
    except Exception as err:  # a learner's function may fail: say why
        return CheckResult(ex_id, False, f"calling it on a model failed: {type(err).__name__}: {err}")
    optimizer = getattr(model, "optimizer", None)
    if not isinstance(optimizer, keras.optimizers.Adam):
        return CheckResult(ex_id, False, f"the model's optimizer is {type(optimizer).__name__}, "
                           "not Adam. Hint: compile it with the Adam object you made.")
    rate = float(np.asarray(optimizer.learning_rate))
    if abs(rate - 1e-4) > 1e-10:
        return CheckResult(ex_id, False, f"the model trains with Adam at learning rate {rate:g}, "
                           "not 1e-4. Hint: which object does compile() train with? Compare "
                           "model.optimizer with the Adam the function makes.")
    return CheckResult(ex_id, True, "the model trains with Adam at learning rate 1e-4.")


register_written(
    "resnext-7", CHAPTER, "Measure the grouped 3x3 three ways and explain the ratios",
    objective=3, difficulty="intermediate", points=3, minutes=12,
    rubric=("3: reports both measured ratios (GroupedConv2D / split and Conv2D(groups) / split) "
            "with the machine and backend, explains them by the code path each version takes "
            "(Keras's XLA-compiled Conv2D(groups), TensorFlow's direct grouped kernel, 32 small "
            "convolutions with a split and a concatenation, each call with its own fixed cost "
            "and little work) at equal MACs, says why another machine or backend can reverse "
            "them, and gives a GPU prediction with its reason (one cuDNN grouped call against "
            "32 small kernel launches), stated as a prediction to check",
            "2: the ratios and a correct code-path explanation, but the hardware dependence or "
            "the reasoned GPU prediction is missing",
            "1: the ratios with only a vague explanation (one is faster), or a sound "
            "explanation with no measurement reported",
            "0: no measurement and no reasoning, or the claim that equal MACs must take equal "
            "time"))
