"""Self-checks for the chapter *Convolution arithmetic* (exercise IDs ``conv-arith-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic` (or by
building the learner's layer), never typed in.
"""

from __future__ import annotations

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_int, expect_tuple, not_answered,
                                      register, unanswered)


@register("conv-arith-1", "conv_arithmetic", "Parameters of a standard 3x3 convolution with bias")
def _conv_arith_1(answer) -> CheckResult:
    expected = ar.standard_conv(32, 32, 64, 128, 3, use_bias=True).params
    return expect_int("conv-arith-1", answer, expected,
                      "kernel weights are k*k*C_in*C_out; add one bias per filter.")


@register("conv-arith-2", "conv_arithmetic", "MACs of a separable convolution")
def _conv_arith_2(answer) -> CheckResult:
    expected = ar.separable_conv(56, 56, 128, 128, 3, use_bias=False).macs
    return expect_int("conv-arith-2", answer, expected,
                       "add the depthwise MACs (H*W*C_in*k*k) and the pointwise MACs "
                       "(H*W*C_in*C_out); with stride 1 and 'same' padding H and W do not change.")


@register("conv-arith-3", "conv_arithmetic", "Output shape with stride 2 and 'valid' padding")
def _conv_arith_3(answer) -> CheckResult:
    rows, cols = ar.conv_output_shape(31, 31, 5, 2, "valid")
    return expect_tuple("conv-arith-3", answer, (rows, cols, 32),
                        "with 'valid' padding, rows = floor((n - k) / stride) + 1; "
                        "channels = number of filters.", what="(rows, cols, channels)")


def smallest_groups_for_budget(in_channels: int, out_channels: int, kernel_size: int,
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


@register("conv-arith-4", "conv_arithmetic", "Choose groups for a weight budget")
def _conv_arith_4(answer) -> CheckResult:
    expected = smallest_groups_for_budget(256, 256, 3, 10_000)
    return expect_int("conv-arith-4", answer, expected,
                       "weights = k*k*(C_in/g)*C_out, and g must divide both 256s "
                       "(so g is a power of two).")


@register("conv-arith-5", "conv_arithmetic",
           "Build a layer: 32x32x64 to 16x16x128, a 3x3 field, fewer than 10,000 parameters")
def _conv_arith_5(answer) -> CheckResult:
    ex_id = "conv-arith-5"
    if unanswered(answer):
        return not_answered(ex_id)
    import keras  # only this exercise needs Keras

    if not isinstance(answer, (keras.layers.Layer, keras.Model)):
        return CheckResult(ex_id, False,
                           f"expected a Keras layer or model, got {type(answer).__name__}.")
    inputs = keras.Input(shape=(32, 32, 64))
    try:
        outputs = answer(inputs)
    except Exception as err:  # a learner's layer may reject the input: say why
        return CheckResult(ex_id, False, f"it does not accept a 32x32x64 input: {err}")
    shape = tuple(outputs.shape[1:])
    params = keras.Model(inputs, outputs).count_params()
    if shape != (16, 16, 128):
        return CheckResult(ex_id, False,
                           f"its output is {shape}, not (16, 16, 128). Hint: stride 2 halves "
                           "rows and columns with padding='same'.")
    if params >= 10_000:
        return CheckResult(ex_id, False,
                           f"right shape, but {params:,} parameters (needs < 10,000). "
                           "Hint: a separable convolution pays k*k*C_in + C_in*C_out.")
    rows, cols = _patch_seen(answer, keras)
    if rows < 3 or cols < 3:
        return CheckResult(ex_id, False,
                           f"right shape and {params:,} parameters, but each output pixel sees "
                           f"only a {rows}x{cols} patch of the input: it mixes channels without "
                           "looking at a neighbourhood. Hint: use a 3x3 kernel; a separable "
                           "convolution pays k*k*C_in + C_in*C_out.")
    return CheckResult(ex_id, True, f"output {shape} with {params:,} parameters; each output "
                                    f"pixel sees a {rows}x{cols} patch of the input.")


def _patch_seen(layer, keras, row=8, col=8):
    """Rows and columns of the 32x32 input patch that output pixel (row, col) of ``layer``
    depends on, found by changing one input pixel at a time (all pixels of a 9x9 window
    around the matching input position) and seeing which changes reach that output."""
    import itertools

    import numpy as np

    rng = np.random.default_rng(0)
    base = rng.standard_normal((1, 32, 32, 64)).astype("float32")
    window = list(itertools.product(range(2 * row - 4, 2 * row + 5),
                                    range(2 * col - 4, 2 * col + 5)))
    batch = np.repeat(base, len(window), axis=0)
    for n, (r, c) in enumerate(window):
        batch[n, r, c, :] += 10.0
    reference = keras.ops.convert_to_numpy(layer(base))[0, row, col]
    moved = keras.ops.convert_to_numpy(layer(batch))[:, row, col]
    changed = np.abs(moved - reference).max(axis=1) > 1e-3 * (1.0 + np.abs(reference).max())
    seen = [pixel for pixel, hit in zip(window, changed) if hit]
    if not seen:
        return 0, 0
    rows = {r for r, _ in seen}
    cols = {c for _, c in seen}
    return max(rows) - min(rows) + 1, max(cols) - min(cols) + 1
