"""Self-checks for the chapter *ResNeXt-50* (exercise IDs ``resnext-N``).

Expected answers are computed (with :mod:`lessons_lib.arithmetic`, from the model
builder's stage table, or by building and inspecting the learner's model), never typed in.
"""

from __future__ import annotations

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import CheckResult, expect_int, not_answered, register, unanswered

CHAPTER = "resnext"
#: (blocks per stage) of ResNeXt-50, as in lessons_lib.models.resnext.STAGES (kept here so
#: that importing the checks does not import Keras; a test checks they agree).
BLOCKS_PER_STAGE = (3, 4, 6, 3)
CARDINALITY = 32


@register("resnext-1", CHAPTER, "Weights of the grouped 3x3 convolution of conv4")
def _resnext_1(answer) -> CheckResult:
    expected = ar.grouped_conv(14, 14, 512, 512, 3, groups=32, use_bias=False).params
    if answer == ar.standard_conv(14, 14, 512, 512, 3, use_bias=False).params:
        return CheckResult("resnext-1", False, f"{answer:,} is the dense layer. Hint: with 32 "
                           "groups each filter sees only 512 / 32 input channels.")
    return expect_int("resnext-1", answer, expected,
                      "weights = 3 * 3 * (C_in / groups) * C_out.")


def template_block_weights(c_in: int, cardinality: int, d: int) -> int:
    """Weights of the paper's template block: 1x1 c_in->C*d, grouped 3x3 (C groups), 1x1 back."""
    width = cardinality * d
    return (ar.pointwise_conv(56, 56, c_in, width, use_bias=False).params
            + ar.grouped_conv(56, 56, width, width, 3, cardinality, use_bias=False).params
            + ar.pointwise_conv(56, 56, width, c_in, use_bias=False).params)


@register("resnext-2", CHAPTER, "Weights of the 8x14d template block")
def _resnext_2(answer) -> CheckResult:
    return expect_int("resnext-2", answer, template_block_weights(256, 8, 14),
                      "the middle width is C*d = 112: add 256*112, 3*3*(112/8)*112 and 112*256.")


def split_conv2d_count(blocks=BLOCKS_PER_STAGE, cardinality: int = CARDINALITY) -> int:
    """Conv2D layers of ``resnext50(implementation="split")``: per block two 1x1 convs and
    ``cardinality`` path convs, one projection per stage, one stem conv."""
    return sum(blocks) * (2 + cardinality) + len(blocks) + 1


@register("resnext-3", CHAPTER, "Conv2D layers of the split ResNeXt-50")
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


@register("resnext-4", CHAPTER, "Build a ResNeXt bottleneck block with a grouped 3x3")
def _resnext_4(answer) -> CheckResult:
    ex_id = "resnext-4"
    if unanswered(answer):
        return not_answered(ex_id)
    import keras

    if not isinstance(answer, keras.Model):
        return CheckResult(ex_id, False, f"expected a keras.Model, got {type(answer).__name__}. "
                           "Hint: keras.Model(inputs, outputs).")
    x = np.random.default_rng(0).normal(size=(1, 14, 14, 256)).astype("float32")
    try:
        output = np.asarray(answer(x, training=False))
    except Exception as err:  # a learner's model may reject the input: say why
        return CheckResult(ex_id, False, f"it does not accept a 14x14x256 input: {err}")
    if output.shape[1:] != (14, 14, 256):
        return CheckResult(ex_id, False, f"its output is {output.shape[1:]}, not (14, 14, 256). "
                           "Hint: stride 1 everywhere and 256 filters in the last 1x1.")
    grouped = [layer for layer in answer.layers if isinstance(layer, keras.layers.Conv2D)
               and getattr(layer, "groups", 1) == 32 and tuple(layer.kernel_size) == (3, 3)]
    if not grouped:
        return CheckResult(ex_id, False, "no 3x3 Conv2D with groups=32. Hint: "
                           "layers.Conv2D(128, 3, padding='same', groups=32).")
    if "Add" not in [type(layer).__name__ for layer in answer.layers]:
        return CheckResult(ex_id, False, "no Add layer: the input must be added back. Hint: "
                           "layers.Add()([inputs, x]).")
    if output.min() < 0:
        return CheckResult(ex_id, False, "the output has negative values. Hint: a ReLU after "
                           "the addition.")
    params, expected = answer.count_params(), block_expected_params()
    if params != expected:
        return CheckResult(ex_id, False, f"{params:,} parameters, expected {expected:,}. Hint: "
                           "use_bias=False, and one BatchNormalization after each convolution.")
    return CheckResult(ex_id, True, f"a grouped bottleneck block with {params:,} parameters.")
