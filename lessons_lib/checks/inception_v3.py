"""Self-checks for the chapter *InceptionV3* (exercise IDs ``inception-v3-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic` or by building
:func:`lessons_lib.models.inception_v3`, never typed in.
"""

from __future__ import annotations

import functools
import re

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_float, expect_int, expect_tuple,
                                      register)

CHAPTER = "inception_v3"

#: The grid-size-changing steps of InceptionV3 in order: (kernel, stride, padding).
#: Convolutions and pools with stride 1 and 'same' padding do not change the size.
INCEPTION_V3_SPATIAL_STEPS = (
    (3, 2, "valid"),   # stem_conv1
    (3, 1, "valid"),   # stem_conv2
    (3, 2, "valid"),   # stem_pool1
    (3, 1, "valid"),   # stem_conv5 (stem_conv4 is 1x1 valid: no change)
    (3, 2, "valid"),   # stem_pool2
    (3, 2, "valid"),   # mixed3 (35 -> 17)
    (3, 2, "valid"),   # mixed8 (17 -> 8)
)


def block_of(layer_name: str) -> str:
    """The InceptionV3 block a layer belongs to: ``stem``, ``mixed0`` .. ``mixed10`` or ``head``.

    Matches ``mixed1`` only as a whole word (``mixed1`` or ``mixed1_...``), so the
    layers of ``mixed10`` are not counted in ``mixed1``.
    """
    match = re.match(r"^(stem|mixed\d+)(?:_|$)", layer_name)
    return match.group(1) if match else "head"


def final_grid(side: int) -> int:
    """Side of InceptionV3's last feature map for a ``side x side`` input (ValueError if < 1)."""
    for kernel, stride, padding in INCEPTION_V3_SPATIAL_STEPS:
        side = ar.conv_output_length(side, kernel, stride, padding)
    return side


def smallest_input_side() -> int:
    """Smallest square input side for which every InceptionV3 stage has a non-empty output."""
    side = 1
    while True:
        try:
            final_grid(side)
            return side
        except ValueError:
            side += 1


@functools.lru_cache(maxsize=1)
def _base_model():
    from lessons_lib.models import inception_v3

    return inception_v3(include_top=False, input_shape=(299, 299, 3))


def block_params(block: str) -> int:
    """Parameters of one block (e.g. ``"mixed4"``) of InceptionV3."""
    return sum(layer.count_params() for layer in _base_model().layers
               if block_of(layer.name) == block)


def fine_tune_trainable_params(blocks=("mixed9", "mixed10"), freeze_batch_norm=True) -> int:
    """Trainable parameters of the base when only the layers of ``blocks`` are unfrozen.

    With ``freeze_batch_norm`` (the chapter's phase 2) every ``BatchNormalization`` layer stays
    frozen, so only the convolution kernels count; without it, BatchNormalization's beta counts
    too (its moving statistics never are trainable).
    """
    import keras

    total = 0
    for layer in _base_model().layers:
        if block_of(layer.name) not in blocks:
            continue
        if freeze_batch_norm and isinstance(layer, keras.layers.BatchNormalization):
            continue
        total += sum(int(w.numpy().size) for w in layer.trainable_weights)
    return total


@register("inception-v3-1", CHAPTER, "Cost of 1x7 + 7x1 against 7x7",
          objective=2, difficulty="basic", points=1, minutes=4)
def _inception_v3_1(answer) -> CheckResult:
    fact = ar.factorized_conv(17, 17, 192, 192, kernel_size=7, use_bias=False)
    full = ar.standard_conv(17, 17, 192, 192, kernel_size=7, use_bias=False)
    return expect_float("inception-v3-1", answer, fact.macs / full.macs,
                        "the pair costs 1*7 + 7*1 weights per channel pair, the full "
                        "kernel 7*7; give the ratio as a fraction (not a percentage).", decimals=2)


@register("inception-v3-2", CHAPTER, "Parameters of block mixed4",
          objective=2, difficulty="intermediate", points=2, minutes=6)
def _inception_v3_2(answer) -> CheckResult:
    return expect_int("inception-v3-2", answer, block_params("mixed4"),
                      "sum count_params() over the layers whose name is 'mixed4' or starts "
                      "with 'mixed4_' (BatchNormalization counts 3 numbers per channel here: "
                      "beta, moving mean and moving variance).")


@register("inception-v3-3", CHAPTER, "Smallest input InceptionV3 accepts",
          objective=1, difficulty="intermediate", points=2, minutes=5)
def _inception_v3_3(answer) -> CheckResult:
    return expect_int("inception-v3-3", answer, smallest_input_side(),
                      "follow the side through every 'valid' 3x3 step (stride 2: "
                      "floor((n - 3) / 2) + 1) and ask that the 17 -> 8 reduction still "
                      "has a 3x3 window to fit.")


@register("inception-v3-4", CHAPTER, "Trainable parameters when fine-tuning mixed9 and mixed10",
          objective=4, difficulty="intermediate", points=2, minutes=8)
def _inception_v3_4(answer) -> CheckResult:
    return expect_int("inception-v3-4", answer, fine_tune_trainable_params(),
                      "count only the trainable weights of the layers of mixed9 and mixed10 "
                      "with their BatchNormalization layers frozen, as in phase 2: that leaves "
                      "the convolution kernels (no bias). Neither the BN beta nor the moving "
                      "statistics count.")


@register("inception-v3-5", CHAPTER, "Feature map of InceptionV3 at 150x150",
          objective=1, difficulty="basic", points=1, minutes=4)
def _inception_v3_5(answer) -> CheckResult:
    side = final_grid(150)
    return expect_tuple("inception-v3-5", answer, (side, side, 2048),
                        "the channels stay 2048 (320 + 768 + 768 + 192); follow the side "
                        "through the 'valid' stride-2 steps, or build inception_v3("
                        "include_top=False, input_shape=(150, 150, 3)).",
                        what="(rows, cols, channels)")
