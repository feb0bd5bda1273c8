"""Self-checks for the chapter *Factorized convolutions* (exercise IDs ``factorized-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic`, NumPy's SVD or by
inspecting the learner's Keras layer, never typed in.
"""

from __future__ import annotations

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_float, expect_int, not_answered,
                                      register, unanswered)

CHAPTER = "factorized_convolutions"

#: The Laplacian kernel of exercise factorized-3.
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)


def exercise_kernel() -> np.ndarray:
    """The 5x5 kernel of exercise factorized-4: ``default_rng(7).normal(size=(5, 5))``."""
    return np.random.default_rng(7).normal(size=(5, 5))


def rank1_relative_error(kernel) -> float:
    """``||K - K_1||_F / ||K||_F`` for the best rank-1 approximation ``K_1`` (from the SVD)."""
    s = np.linalg.svd(np.asarray(kernel, dtype=float), compute_uv=False)
    return float(np.sqrt(np.sum(s[1:] ** 2) / np.sum(s ** 2)))


@register("factorized-1", CHAPTER, "Parameters of a 1x7 + 7x1 pair, 192 channels")
def _factorized_1(answer) -> CheckResult:
    expected = ar.factorized_conv(17, 17, 192, 192, 7, use_bias=False).params
    return expect_int("factorized-1", answer, expected,
                      "each of the two layers has 7 * C_in * C_out weights; add both layers.")


@register("factorized-2", CHAPTER, "MAC ratio of 1x5 + 5x1 to 5x5")
def _factorized_2(answer) -> CheckResult:
    ratio = (ar.factorized_conv(17, 17, 64, 64, 5, use_bias=False).macs
             / ar.standard_conv(17, 17, 64, 64, 5, use_bias=False).macs)
    return expect_float("factorized-2", answer, ratio,
                        "with equal channels the pair costs 2k of the k*k weights per "
                        "input-output channel pair: a fraction between 0 and 1.", decimals=2)


@register("factorized-3", CHAPTER, "How many 1x3/3x1 pairs reproduce the Laplacian")
def _factorized_3(answer) -> CheckResult:
    expected = int(np.linalg.matrix_rank(LAPLACIAN))
    return expect_int("factorized-3", answer, expected,
                      "one pair holds a rank-1 kernel (an outer product); count the non-zero "
                      "singular values, np.linalg.matrix_rank.")


@register("factorized-4", CHAPTER, "Relative error of the best rank-1 approximation")
def _factorized_4(answer) -> CheckResult:
    return expect_float("factorized-4", answer, rank1_relative_error(exercise_kernel()),
                        "use np.linalg.svd: the error is sqrt(sum of s_i^2 for i >= 2) "
                        "divided by sqrt(sum of all s_i^2).", decimals=2)


def receptive_field(answer) -> tuple:
    """Receptive field ``(rows, cols)`` of a Keras conv layer or a Sequential chain of them.

    Every layer with a ``kernel_size`` must have stride 1 and dilation 1; other layers
    (activations, BatchNormalization) do not widen the field.
    """
    import keras

    layers = answer.layers if isinstance(answer, keras.Sequential) else [answer]
    rows = cols = 1
    for layer in layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            raise ValueError("nested models are not supported: use one Sequential of layers")
        size = getattr(layer, "kernel_size", None)
        if size is None:
            if isinstance(layer, (keras.layers.Dense, keras.layers.Flatten)) or \
                    "Pooling" in type(layer).__name__:
                raise ValueError(f"layer {layer.name} ({type(layer).__name__}) is not allowed "
                                 "here: use convolutions (and activations / normalization)")
            continue
        if tuple(layer.strides) != (1, 1) or tuple(layer.dilation_rate) != (1, 1):
            raise ValueError(f"layer {layer.name} must have strides=1 and dilation_rate=1")
        rows += size[0] - 1
        cols += size[1] - 1
    return rows, cols


@register("factorized-5", CHAPTER,
          "Build a 7x7 receptive field on 17x17x64 with fewer than 100,000 parameters")
def _factorized_5(answer) -> CheckResult:
    ex_id = "factorized-5"
    if unanswered(answer):
        return not_answered(ex_id)
    import keras

    if not isinstance(answer, (keras.layers.Layer, keras.Model)):
        return CheckResult(ex_id, False,
                           f"expected a Keras layer or Sequential model, got {type(answer).__name__}.")
    inputs = keras.Input(shape=(17, 17, 64))
    try:
        outputs = answer(inputs)
        field = receptive_field(answer)
    except Exception as err:  # say why instead of raising
        return CheckResult(ex_id, False, f"it cannot be checked: {err}")
    shape = tuple(outputs.shape[1:])
    params = keras.Model(inputs, outputs).count_params()
    if shape != (17, 17, 64):
        return CheckResult(ex_id, False, f"its output is {shape}, not (17, 17, 64). Hint: "
                           "padding='same' keeps 17x17; the last layer needs 64 filters.")
    if field != (7, 7):
        return CheckResult(ex_id, False, f"its receptive field is {field[0]}x{field[1]}, not "
                           "7x7. Hint: a chain of stride-1 kernels adds (k - 1) per layer "
                           "along each axis.")
    if params >= 100_000:
        return CheckResult(ex_id, False, f"7x7 field, but {params:,} parameters (needs "
                           "< 100,000). Hint: a 1x7 then a 7x1 costs 2/7 of a 7x7.")
    return CheckResult(ex_id, True, f"output {shape}, receptive field 7x7, {params:,} parameters.")
