"""Self-checks for the chapter *Xception* (exercise IDs ``xception-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic`, the profiler or
by building :func:`lessons_lib.models.xception`, never typed in.
"""

from __future__ import annotations

import functools
import re

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_float, expect_int, expect_tuple,
                                      register)

CHAPTER = "xception"


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
    """Parameters of one middle-flow block (block5), from the profiler."""
    df = _profile()
    return int(df[df.layer.str.startswith("block5_")].params.sum())


def middle_flow_mac_share() -> float:
    """Share of Xception's MACs (299x299 input, with the classifier) spent in the middle flow."""
    df = _profile()
    flows = df.layer.map(flow_of)
    return float(df.macs[flows == "middle"].sum() / df.macs.sum())


@register("xception-1", CHAPTER, "Parameters of one middle-flow block",
          objective=2, difficulty="basic", points=1, minutes=4)
def _xception_1(answer) -> CheckResult:
    return expect_int("xception-1", answer, middle_block_params(),
                      "three SeparableConv2D 3x3 from 728 to 728 channels without bias "
                      "(3*3*728 + 728*728 each) plus three BatchNormalization layers "
                      "(4 numbers per channel).")


@register("xception-2", CHAPTER, "Share of the MACs in the middle flow",
          objective=3, difficulty="intermediate", points=2, minutes=6)
def _xception_2(answer) -> CheckResult:
    return expect_float("xception-2", answer, middle_flow_mac_share(),
                        "group the profiler rows by flow (block5..block12 is the middle flow) "
                        "and divide by the total; give a fraction, not a percentage.", decimals=2)


@register("xception-3", CHAPTER, "Standard against separable at 19x19x728",
          objective=1, difficulty="basic", points=1, minutes=4)
def _xception_3(answer) -> CheckResult:
    std = ar.standard_conv(19, 19, 728, 728, 3, use_bias=False)
    sep = ar.separable_conv(19, 19, 728, 728, 3, use_bias=False)
    return expect_float("xception-3", answer, std.macs / sep.macs,
                        "standard / separable = 1 / (1/N + 1/k^2) with N = 728 and k = 3.", decimals=1)


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
