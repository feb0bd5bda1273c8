"""Self-checks for the chapter *Factorized convolutions* (exercise IDs ``factorized-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic`, NumPy's SVD or by
inspecting the learner's Keras layer, never typed in.
"""

from __future__ import annotations

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import CheckResult, expect_float, expect_int, keras_answer, register

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


@register("factorized-1", CHAPTER, "Parameters of a 1x7 + 7x1 pair, 192 channels",
          objective=1, difficulty="basic", points=1, minutes=3)
def _factorized_1(answer) -> CheckResult:
    expected = ar.factorized_conv(17, 17, 192, 192, 7, use_bias=False).params
    return expect_int("factorized-1", answer, expected,
                      "each of the two layers has 7 * C_in * C_out weights; add both layers.")


@register("factorized-2", CHAPTER, "MAC ratio of 1x5 + 5x1 to 5x5",
          objective=1, difficulty="basic", points=1, minutes=4)
def _factorized_2(answer) -> CheckResult:
    ratio = (ar.factorized_conv(17, 17, 64, 64, 5, use_bias=False).macs
             / ar.standard_conv(17, 17, 64, 64, 5, use_bias=False).macs)
    return expect_float("factorized-2", answer, ratio,
                        "with equal channels the pair costs 2k of the k*k weights per "
                        "input-output channel pair: a fraction between 0 and 1.", decimals=2)


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
