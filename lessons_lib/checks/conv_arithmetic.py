"""Self-checks for the chapter *Convolution arithmetic* (exercise IDs ``conv-arith-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic` (or by
building the learner's layer), never typed in.
"""

from __future__ import annotations

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_int, expect_tuple, keras_answer, register,
                                      register_written)


@register("conv-arith-1", "conv_arithmetic", "Parameters of a standard 5x5 convolution with bias",
          objective=2, difficulty="basic", points=1, minutes=3)
def _conv_arith_1(answer) -> CheckResult:
    expected = ar.standard_conv(32, 32, 48, 96, 5, use_bias=True).params
    return expect_int("conv-arith-1", answer, expected,
                      "kernel weights are k*k*C_in*C_out; add one bias per filter.")


@register("conv-arith-2", "conv_arithmetic", "MACs of a separable convolution",
          objective=2, difficulty="intermediate", points=2, minutes=5)
def _conv_arith_2(answer) -> CheckResult:
    expected = ar.separable_conv(56, 56, 128, 128, 3, use_bias=False).macs
    return expect_int("conv-arith-2", answer, expected,
                       "add the depthwise MACs (H*W*C_in*k*k) and the pointwise MACs "
                       "(H*W*C_in*C_out); with stride 1 and 'same' padding H and W do not change.")


@register("conv-arith-3", "conv_arithmetic", "Output shape with stride 2 and 'valid' padding",
          objective=1, difficulty="basic", points=1, minutes=3)
def _conv_arith_3(answer) -> CheckResult:
    rows, cols = ar.conv_output_shape(31, 31, 5, 2, "valid")
    return expect_tuple("conv-arith-3", answer, (rows, cols, 32),
                        "with 'valid' padding, rows = floor((n - k) / stride) + 1; "
                        "channels = number of filters.", what="(rows, cols, channels)")


def _smallest_groups_for_budget(in_channels: int, out_channels: int, kernel_size: int,
                               max_weights: int) -> int:
    """Smallest ``groups`` (dividing both channel counts) whose grouped conv has at most
    ``max_weights`` kernel weights; raises ``ValueError`` if even depthwise-like grouping
    does not fit."""
    for groups in range(1, min(in_channels, out_channels) + 1):
        if in_channels % groups or out_channels % groups:
            continue
        cost = ar.grouped_conv(8, 8, in_channels, out_channels, kernel_size, groups,
                               use_bias=False)
        if cost.weights <= max_weights:
            return groups
    raise ValueError(f"max_weights={max_weights} cannot be met by any groups value")


@register("conv-arith-4", "conv_arithmetic", "Choose groups for a weight budget",
          objective=4, difficulty="intermediate", points=2, minutes=8)
def _conv_arith_4(answer) -> CheckResult:
    expected = _smallest_groups_for_budget(256, 256, 3, 10_000)
    return expect_int("conv-arith-4", answer, expected,
                       "weights = k*k*(C_in/g)*C_out, and g must divide both 256s "
                       "(so g is a power of two).")


@register("conv-arith-5", "conv_arithmetic",
           "Build a layer: 32x32x64 to 16x16x128, a 3x3 field, fewer than 10,000 parameters",
          objective=4, difficulty="challenge", points=3, minutes=10)
def _conv_arith_5(answer) -> CheckResult:
    ex_id = "conv-arith-5"
    probe = keras_answer(ex_id, answer, (32, 32, 64))
    if isinstance(probe, CheckResult):
        return probe
    shape, params = probe.output_shape, probe.params
    if shape != (16, 16, 128):
        return CheckResult(ex_id, False,
                           f"its output is {shape}, not (16, 16, 128). Hint: stride 2 halves "
                           "rows and columns with padding='same'.")
    if params >= 10_000:
        return CheckResult(ex_id, False,
                           f"right shape, but {params:,} parameters (needs < 10,000). "
                           "Hint: a separable convolution pays k*k*C_in + C_in*C_out.")
    if probe.trainable == 0:
        return CheckResult(ex_id, False,
                           "right shape, but the layer has no weights to learn: it is a fixed "
                           "function of its input. Hint: a convolution whose weights cost "
                           "less, such as a separable or a grouped one.")
    rows, cols = probe.patch_seen((8, 8), stride=2, radius=4)
    if rows < 3 or cols < 3:
        return CheckResult(ex_id, False,
                           f"right shape and {params:,} parameters, but each output pixel sees "
                           f"only a {rows}x{cols} patch of the input: it does not look at a "
                           "3x3 neighbourhood. Hint: use a 3x3 kernel; a separable "
                           "convolution pays k*k*C_in + C_in*C_out.")
    return CheckResult(ex_id, True, f"output {shape} with {params:,} parameters; each output "
                                    f"pixel sees a {rows}x{cols} patch of the input.")


register_written(
    "conv-arith-6", "conv_arithmetic", "Derive the separable-to-standard cost ratio and say when it is small",
    objective=3, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: derives 1/N + 1/D_K^2 from the depthwise, pointwise and standard MAC counts "
            "(M and the map size cancel) and explains both cases: few output channels "
            "(N = 8, about 0.24) and a 1x1 kernel (ratio above 1, nothing to separate)",
            "2: the right ratio with one case explained, or both cases right with a gap in "
            "the derivation",
            "1: states 1/N + 1/D_K^2 without deriving it, or derives it and explains neither case",
            "0: no ratio, or a wrong one"))
