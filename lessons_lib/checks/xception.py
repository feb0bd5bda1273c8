"""Self-checks for the chapter *Xception* (exercise IDs ``xception-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic`, the profiler or
by building :func:`lessons_lib.models.xception`, never typed in.
"""

from __future__ import annotations

import functools
import numbers
import re

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, _plain_number, expect_float, expect_int,
                                      expect_tuple, register, register_written)

CHAPTER = "xception"
#: The middle-flow width of xception-1 (Xception's own is 728).
NARROW_WIDTH = 512
#: The input side of xception-2 (the full mode's training size).
SMALL_SIDE = 150


def flow_of(layer_name: str) -> str:
    """Xception's flow of a layer: ``entry`` (block1-4), ``middle`` (block5-12), ``exit``
    (block13-14) or ``head`` (pooling and classifier)."""
    match = re.match(r"^block(\d+)_", layer_name)
    if not match:
        return "head"
    n = int(match.group(1))
    return "entry" if n <= 4 else "middle" if n <= 12 else "exit"


@functools.lru_cache(maxsize=None)
def _profile(side: int = 299):
    from lessons_lib.models import xception
    from lessons_lib.profiler import profile

    return profile(xception(input_shape=(side, side, 3)))


def middle_block_params() -> int:
    """Parameters of one middle-flow block (block5) of Xception itself, from the profiler."""
    df = _profile()
    return int(df[df.layer.str.startswith("block5_")].params.sum())


@functools.lru_cache(maxsize=None)
def narrow_middle_block_params(width: int = NARROW_WIDTH) -> int:
    """Parameters of one middle-flow block ``width`` channels wide, batch normalization
    included: Xception's own block builder on a 19x19x``width`` input."""
    import keras

    from lessons_lib.models.xception import _middle_block

    inputs = keras.Input((19, 19, width))
    return int(keras.Model(inputs, _middle_block(inputs, "block5", filters=width)).count_params())


def flow_mac_share(flow: str = "middle", side: int = 299) -> float:
    """Share of Xception's MACs (``side`` x ``side`` input, with the 1000-class classifier)
    spent in ``flow``."""
    df = _profile(side)
    flows = df.layer.map(flow_of)
    return float(df.macs[flows == flow].sum() / df.macs.sum())


def middle_flow_mac_share() -> float:
    """Share of Xception's MACs (299x299 input, with the classifier) spent in the middle flow."""
    return flow_mac_share("middle", 299)


@register("xception-1", CHAPTER, "Parameters of a narrower middle-flow block",
          objective=2, difficulty="basic", points=1, minutes=5)
def _xception_1(answer) -> CheckResult:
    return expect_int("xception-1", answer, narrow_middle_block_params(),
                      f"three SeparableConv2D 3x3 from {NARROW_WIDTH} to {NARROW_WIDTH} channels "
                      "without bias (a depthwise k*k*C plus a pointwise C*C each) and three "
                      "BatchNormalization layers (4 numbers per channel: the moving mean and "
                      "variance count too).")


@register("xception-2", CHAPTER, "The middle flow's share of the MACs at 150x150",
          objective=3, difficulty="intermediate", points=2, minutes=6)
def _xception_2(answer) -> CheckResult:
    value = _plain_number(answer)
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and 1 < value <= 100:
        return CheckResult("xception-2", False, f"{value:.4g} looks like a percentage. Hint: "
                           "give a fraction between 0 and 1.")
    return expect_float("xception-2", answer, flow_mac_share("middle", SMALL_SIDE),
                        f"profile xception(input_shape=({SMALL_SIDE}, {SMALL_SIDE}, 3)), not "
                        "the 299x299 model; group its rows by flow (block5..block12 is the "
                        "middle flow) and divide by the total, classifier included.", decimals=3)


@register("xception-3", CHAPTER, "Standard against separable at 19x19x728",
          objective=1, difficulty="basic", points=1, minutes=4)
def _xception_3(answer) -> CheckResult:
    std = ar.standard_conv(19, 19, 728, 728, 3, use_bias=False)
    sep = ar.separable_conv(19, 19, 728, 728, 3, use_bias=False)
    return expect_float("xception-3", answer, std.macs / sep.macs,
                        "standard / separable = 1 / (1/N + 1/k^2) with N = 728 and k = 3.", decimals=2)


@register("xception-4", CHAPTER, "Xception's feature map at 96x96",
          objective=2, difficulty="basic", points=1, minutes=4)
def _xception_4(answer) -> CheckResult:
    side = ar.conv_output_length(96, 3, 2, "valid")          # block1_conv1
    side = ar.conv_output_length(side, 3, 1, "valid")        # block1_conv2
    for _ in ("block2", "block3", "block4", "block13"):      # four 'same' stride-2 pools
        side = ar.conv_output_length(side, 3, 2, "same")
    return expect_tuple("xception-4", answer, (side, side, 2048),
                        "block1's two convs are 'valid' (stride 2, then 1); each of the four "
                        "downsampling blocks then takes ceil(n / 2).",
                        what="(rows, cols, channels)")


@register("xception-5", CHAPTER, "How many separable convolutions",
          objective=2, difficulty="basic", points=1, minutes=5)
def _xception_5(answer) -> CheckResult:
    df = _profile()
    expected = int((df.type == "SeparableConv2D").sum())
    return expect_int("xception-5", answer, expected,
                      "entry flow: 2 per block in block2..block4; middle flow: 3 per block, "
                      "8 blocks; exit flow: 2 in block13 and 2 in block14.")


register_written(
    "xception-6", CHAPTER, "What the plain-against-residual measurement shows and leaves open",
    objective=4, difficulty="challenge", points=3, minutes=15,
    rubric=("3: reports the chapter's numbers correctly (the gradient norms of the two stacks "
            "and how they compare at conv20 and at depth, the two stacks' validation accuracy "
            "and loss over the seeds against chance and ln 4, and whether the difference "
            "exceeds the spread), draws only the conclusion they support, names at least two "
            "things this setup cannot establish (the gradients measured with one seed; "
            "shortcuts and zero initialisation changed together; no batch normalisation; 21 "
            "layers, not 36; a short run; three seeds are few) and proposes a concrete "
            "measurement that would: a residual stack with He initialisation trained too (or "
            "the same initialisation in both), the gradients over several seeds, possibly "
            "with batch normalisation",
            "2: the numbers and a sound conclusion, with one limit named and a measurement "
            "that addresses it, or two limits without a concrete measurement",
            "1: reports the numbers, or claims what they do not show (e.g. that the plain "
            "stack's gradients vanish towards the input) without naming a limit",
            "0: no numbers from the run, or conclusions the run contradicts"))

register_written(
    "xception-7", CHAPTER, "Read the mini Xception's accuracy and loss curves",
    objective=5, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: says whether the run over- or under-fits and quotes the numbers that show it "
            "(final training and validation accuracy and their gap, validation loss against "
            "the chance loss ln(classes), how the curves move over the epochs), and proposes "
            "two changes that fit the diagnosis, each with its expected effect on the "
            "training and on the validation curve (e.g. augmentation or dropout: training "
            "accuracy lower or slower, validation closer to it; more epochs or a larger "
            "learning rate for underfitting: both curves higher)",
            "2: a right diagnosis with the numbers and two changes, but the expected effect "
            "on the curves missing or wrong for one of them",
            "1: a diagnosis without the numbers that show it, or changes that do not fit the "
            "diagnosis",
            "0: no diagnosis, or one the printed numbers contradict"))
