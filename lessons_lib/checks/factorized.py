"""Self-checks for the chapter *Factorized convolutions* (exercise IDs ``factorized-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic`, NumPy's SVD or by
inspecting the learner's Keras layer, never typed in.
"""

from __future__ import annotations

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib import factorized as fz
from lessons_lib.checks._core import (CheckResult, expect_float, expect_int, expect_tuple,
                                      keras_answer, register, register_written)

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


@register("factorized-1", CHAPTER, "Parameters of a 1x5 + 5x1 pair, 160 -> 96 -> 160 channels",
          objective=1, difficulty="basic", points=1, minutes=3)
def _factorized_1(answer) -> CheckResult:
    expected = ar.factorized_conv(17, 17, 160, 160, 5, mid_channels=96, use_bias=False).params
    return expect_int("factorized-1", answer, expected,
                      "each of the two layers has 5 * (its input channels) * (its output "
                      "channels) weights; add both layers.")


@register("factorized-2", CHAPTER, "Parameter share of a 1x5 + 5x1 pair, biases included",
          objective=1, difficulty="basic", points=1, minutes=4)
def _factorized_2(answer) -> CheckResult:
    ratio = (ar.factorized_conv(17, 17, 8, 8, 5, use_bias=True).params
             / ar.standard_conv(17, 17, 8, 8, 5, use_bias=True).params)
    return expect_float("factorized-2", answer, ratio,
                        "count weights and biases of each layer: the pair has two layers, "
                        "each with its own bias vector.", decimals=3)


@register("factorized-3", CHAPTER, "How many 1x3/3x1 pairs reproduce the Laplacian",
          objective=4, difficulty="intermediate", points=2, minutes=6)
def _factorized_3(answer) -> CheckResult:
    expected = int(np.linalg.matrix_rank(LAPLACIAN))
    return expect_int("factorized-3", answer, expected,
                      "one pair holds a rank-1 kernel (an outer product); count the non-zero "
                      "singular values, np.linalg.matrix_rank.")


@register("factorized-4", CHAPTER, "Relative error of the best rank-1 approximation",
          objective=4, difficulty="intermediate", points=2, minutes=8)
def _factorized_4(answer) -> CheckResult:
    return expect_float("factorized-4", answer, rank1_relative_error(exercise_kernel()),
                        "use np.linalg.svd: the error is sqrt(sum of s_i^2 for i >= 2) "
                        "divided by sqrt(sum of all s_i^2).", decimals=2)


@register("factorized-5", CHAPTER,
          "Build a 7x7 receptive field on 17x17x64 with fewer than 100,000 parameters",
          objective=5, difficulty="challenge", points=3, minutes=10)
def _factorized_5(answer) -> CheckResult:
    ex_id = "factorized-5"
    probe = keras_answer(ex_id, answer, (17, 17, 64))
    if isinstance(probe, CheckResult):
        return probe
    shape, params = probe.output_shape, probe.params
    if shape != (17, 17, 64):
        return CheckResult(ex_id, False, f"its output is {shape}, not (17, 17, 64). Hint: "
                           "stride 1 and padding='same' keep 17x17; the last layer needs 64 "
                           "filters.")
    field = probe.patch_seen((8, 8), radius=7)
    if field != (7, 7):
        return CheckResult(ex_id, False, f"each output pixel sees a {field[0]}x{field[1]} "
                           "patch of the input, not 7x7. Hint: a chain of stride-1 kernels "
                           "adds (k - 1) per layer along each axis.")
    if params >= 100_000:
        return CheckResult(ex_id, False, f"7x7 field, but {params:,} parameters (needs "
                           "< 100,000). Hint: a 1x7 then a 7x1 costs 2/7 of a 7x7.")
    if not probe.mixes_channels():
        return CheckResult(ex_id, False, f"7x7 field and {params:,} parameters, but it mixes "
                           "no channels: each output channel reads one input channel, so it "
                           "is not a replacement for Conv2D(64, 7). Hint: a convolution whose "
                           "every filter reads all 64 channels, factorized.")
    return CheckResult(ex_id, True, f"output {shape}, receptive field 7x7, {params:,} "
                       "parameters, and every output channel mixes input channels.")


register_written(
    "factorized-6", CHAPTER, "Explain why InceptionV3's side-by-side bank is not a factorized 3x3",
    objective=2, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: both differences, with the chapter's numbers: cost (the bank's share of a 3x3 "
            "with the same outputs against the chain's) and windows (half the bank's channels "
            "see 1x3, half 3x1, none the 3x3 square; a chain's every channel sees 3x3; a 1x1 "
            "after the bank sees a cross of 5 pixels, not 9); and where each fits",
            "2: both differences right but without the chapter's numbers, or one difference "
            "with numbers",
            "1: one difference stated without numbers or reasons",
            "0: agrees with the colleague, or nothing about cost or windows"))

#: The chain of exercise factorized-7, in order from the input.
CHAIN_7 = [(1, 5), 3, (5, 1)]


@register("factorized-7", CHAPTER, "Walk one output pixel back through a 1x5, 3x3, 5x1 chain",
          objective=3, difficulty="intermediate", points=2, minutes=8)
def _factorized_7(answer) -> CheckResult:
    paths = fz.receptive_field_map(CHAIN_7)
    centre = paths.shape[0] // 2
    expected = (int(np.count_nonzero(paths)), int(paths[centre, centre]))
    return expect_tuple("factorized-7", answer, expected,
                        "walk back one layer at a time: each layer spreads every path over its "
                        "kernel window (rows and columns separately); fz.receptive_field_map "
                        "counts the paths per input pixel.",
                        what="(input pixels reached, paths from the centre pixel)")
