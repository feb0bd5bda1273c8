"""Self-checks for the chapter *The Inception module* (exercise IDs ``inception-module-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic` or by building
:func:`lessons_lib.models.inception_module`, never typed in.
"""

from __future__ import annotations

import numbers

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, Probe, expect_int, expect_tuple, keras_answer,
                                      register, register_written, unanswered)

CHAPTER = "inception_module"


@register("inception-module-1", CHAPTER, "Output shape of a module with given branch filters",
          objective=1, difficulty="basic", points=1, minutes=4)
def _inception_1(answer) -> CheckResult:
    import keras

    from lessons_lib.models import inception_module

    out = inception_module(keras.Input((28, 28, 192)), 64, 96, 32, 32)
    expected = tuple(int(d) for d in out.shape[1:])
    return expect_tuple("inception-module-1", answer, expected,
                         "every branch ends with stride 2 and 'same' padding, so rows and "
                         "columns are ceil(28 / 2); the channels of the branches add up.")


def branch_d_params(in_channels: int, filters: int) -> int:
    """Parameters (with biases) of branch d: 1x1, 3x3, 3x3, all ``filters`` wide."""
    one = ar.standard_conv(28, 28, in_channels, filters, 1)
    three = ar.standard_conv(28, 28, filters, filters, 3)
    return one.params + 2 * three.params


@register("inception-module-2", CHAPTER, "Parameters of branch d",
          objective=2, difficulty="basic", points=1, minutes=4)
def _inception_2(answer) -> CheckResult:
    return expect_int("inception-module-2", answer, branch_d_params(192, 64),
                      "1x1: C_in * 64 + 64; each 3x3: 9 * 64 * 64 + 64; there are two 3x3s.")


def valid_branch_rows(side: int, strides: int = 2) -> tuple:
    """Rows (= columns) of each branch of ``inception_module`` (a, b, c, d) on a ``side x side``
    input with ``padding="valid"``, layer by layer with
    :func:`lessons_lib.arithmetic.conv_output_length`: the shapes Keras's ``Concatenate`` error
    lists (for 64 and stride 2: ``(32, 31, 29, 30)``)."""
    def out(n, kernel, stride=1):
        return ar.conv_output_length(n, kernel, stride, "valid")

    branch_a = out(side, 1, strides)
    branch_b = out(out(side, 1), 3, strides)
    branch_c = out(out(side, 3, strides), 3)
    branch_d = out(out(out(side, 1), 3), 3, strides)
    return branch_a, branch_b, branch_c, branch_d


#: The input side of inception-module-3 (the chapter's Pitfalls cell shows 64).
VALID_SIDE = 47


@register("inception-module-3", CHAPTER,
          "Predict the shapes of the Concatenate error ('valid' padding, 47x47 input)",
          objective=3, difficulty="intermediate", points=2, minutes=6)
def _inception_3(answer) -> CheckResult:
    ex_id = "inception-module-3"
    expected = valid_branch_rows(VALID_SIDE)
    result = expect_tuple(ex_id, answer, expected,
                          "follow each branch layer by layer: with 'valid' padding a k x k "
                          "window gives floor((n - k) / stride) + 1 rows, and a 1x1 or a "
                          "stride-1 layer counts too (pooling windows as well).",
                          what="(a, b, c, d) of 4 whole numbers, the rows of each branch")
    if not result.correct and not unanswered(answer) and "is not it" in result.message:
        same = ar.conv_output_length(VALID_SIDE, 3, 2, "same")
        values = answer.tolist() if hasattr(answer, "tolist") else list(answer)
        if all(isinstance(v, numbers.Real) and v == same for v in values):
            return CheckResult(ex_id, False, f"{tuple(answer)} is not it: those are the rows with "
                               "padding='same', where every branch agrees. Hint: with 'valid' "
                               "each window shrinks the map, and the branches have different "
                               "windows.")
    return result


def branch_b_macs(height: int = 64, in_channels: int = 3, filters: int = 128) -> int:
    """MACs of the textbook branch b: 1x1 (stride 1) then 3x3 with stride 2, 'same'."""
    first = ar.pointwise_conv(height, height, in_channels, filters)
    h, w, c = first.output_shape
    return first.macs + ar.standard_conv(h, w, c, filters, 3, strides=2).macs


#: The configuration of inception-module-4: (side, input channels, filters). The chapter
#: profiles branch b on 64x64x3 with 128 filters; the exercise asks another one.
BRANCH_B_CONFIG = (56, 32, 64)


@register("inception-module-4", CHAPTER, "MACs of branch b on a 56x56x32 feature map",
          objective=2, difficulty="intermediate", points=2, minutes=6)
def _inception_4(answer) -> CheckResult:
    return expect_int("inception-module-4", answer, branch_b_macs(*BRANCH_B_CONFIG),
                      "the 1x1 runs on the full 56x56 grid and reads all 32 input channels; "
                      "the strided 3x3 produces outputs on the halved grid, each 3*3*64 MACs "
                      "per filter. Add the two.")


@register("inception-module-5", CHAPTER,
          "Build a module: 32x32x64 to 16x16x256 with parallel branches",
          objective=1, difficulty="challenge", points=3, minutes=12)
def _inception_5(answer) -> CheckResult:
    ex_id = "inception-module-5"
    probe = keras_answer(ex_id, answer, (32, 32, 64), models_only=True)
    if isinstance(probe, CheckResult):
        return probe
    if probe.output_shape != (16, 16, 256):
        return CheckResult(ex_id, False, f"its output is {probe.output_shape}, not (16, 16, "
                           "256). Hint: stride 2 with 'same' padding in every branch; the "
                           "branch filters must add up to 256.")
    joins = probe.concatenations()
    widest = max((probe.distinct_branches(tensors) for tensors in joins), default=0)
    if widest < 3:
        found = (f"its widest concatenation joins {widest} different branches" if joins
                 else "nothing is concatenated")
        return CheckResult(ex_id, False, f"right shapes, but {found}. Hint: build at least "
                           "three parallel branches that compute different things from the "
                           "same input and concatenate them on the channel axis.")
    return CheckResult(ex_id, True, f"(32, 32, 64) -> {probe.output_shape}, with {widest} "
                       f"branches and {probe.params:,} parameters.")


def branch_receptive_fields(model, input_shape=(64, 64, 3)) -> list:
    """(rows, cols) of the input patch each input of the model's widest concatenation sees,
    measured by :meth:`Probe.patch_seen`: for the chapter's ``inception_module`` with
    stride 2, ``[(1, 1), (3, 3), (7, 7), (5, 5)]`` (a, b, c, d).

    Raises:
        ValueError: if the model concatenates nothing.
    """
    probe = Probe(model, input_shape)
    joins = probe.concatenations()
    if not joins:
        raise ValueError("the model has no concatenation")
    widest = max(joins, key=len)
    return [probe.submodel(t).patch_seen((8, 8), stride=2, radius=5) for t in widest]


def _fields_text(fields) -> str:
    return "[" + ", ".join(f"{r}x{c}" for r, c in fields) + "]"


@register("inception-module-6", CHAPTER, "Debug: the notes' module with 1x1-only branches",
          objective=1, difficulty="challenge", points=3, minutes=10)
def _inception_6(answer) -> CheckResult:
    ex_id = "inception-module-6"
    probe = keras_answer(ex_id, answer, (64, 64, 3), models_only=True)
    if isinstance(probe, CheckResult):
        return probe
    import keras

    from lessons_lib.models import inception_module

    reference = keras.Input((64, 64, 3))
    wanted = keras.Model(reference, inception_module(reference))
    if probe.output_shape != tuple(wanted.output.shape[1:]):
        return CheckResult(ex_id, False, f"it maps (64, 64, 3) to {probe.output_shape}; the "
                           f"module maps it to {tuple(wanted.output.shape[1:])}. Hint: keep the "
                           "input, the filters, the strides and padding='same'.")
    try:
        fields = branch_receptive_fields(answer)
    except ValueError as err:
        return CheckResult(ex_id, False, f"{err}. Hint: keep the Concatenate of the branches.")
    expected = branch_receptive_fields(wanted)
    if sorted(fields) == sorted(expected):
        return CheckResult(ex_id, True, f"the branches now see {_fields_text(fields)} input "
                           "patches: only branch a is a lone 1x1.")
    blind = sum(1 for f in fields if f == (1, 1))
    return CheckResult(ex_id, False, f"the branches see {_fields_text(fields)} input patches "
                       f"({blind} of them one pixel only); the fixed module's see "
                       f"{_fields_text(expected)}. Hint: in branch b the second convolution "
                       "is a 3x3; branch d is 1x1, 3x3, then a 3x3 with stride 2.")


register_written(
    "inception-module-7", CHAPTER, "Memorisation or learning: read the two training runs",
    objective=4, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: calls the noise run memorisation and the shapes run learning, citing the final "
            "training and validation accuracies the learner's run printed against each chance "
            "level (1/10 and 1/4): on noise training far above chance with validation at or "
            "near 1/10, on shapes validation far above 1/4 and close to training; and names a "
            "check that tells them apart, such as a held-out validation set compared with "
            "chance and its spread for that many images, or the same model trained on "
            "shuffled labels as a control",
            "2: the right verdict for both runs with the numbers, but the check is missing or "
            "vague; or the right check with one run misread or no chance level",
            "1: one run read correctly, or a verdict without numbers or chance levels",
            "0: judges by the training accuracy alone, or calls the noise run learning"))
