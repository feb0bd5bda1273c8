"""Self-checks for the chapter *The Inception module* (exercise IDs ``inception-module-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic` or by building
:func:`lessons_lib.models.inception_module`, never typed in.
"""

from __future__ import annotations

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_int, expect_tuple, not_answered,
                                      register, unanswered)

CHAPTER = "inception_module"


@register("inception-module-1", CHAPTER, "Output shape of a module with given branch filters")
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


@register("inception-module-2", CHAPTER, "Parameters of branch d")
def _inception_2(answer) -> CheckResult:
    return expect_int("inception-module-2", answer, branch_d_params(192, 64),
                      "1x1: C_in * 64 + 64; each 3x3: 9 * 64 * 64 + 64; there are two 3x3s.")


@register("inception-module-3", CHAPTER, "Which padding lets the branches concatenate")
def _inception_3(answer) -> CheckResult:
    ex_id = "inception-module-3"
    if unanswered(answer):
        return not_answered(ex_id)
    if not isinstance(answer, str):
        return CheckResult(ex_id, False, f"expected a string such as 'valid', got {answer!r}.")
    import keras

    from lessons_lib.models import inception_module

    try:
        inception_module(keras.Input((64, 64, 3)), 8, 8, 8, 8, padding=answer.strip().lower())
    except ValueError as err:
        return CheckResult(ex_id, False, f"{answer!r} does not work ({str(err)[:120]}...). "
                           "Hint: the padding that keeps every branch at ceil(H / stride).")
    return CheckResult(ex_id, True, f"{answer!r}: every branch gives 32x32, so they concatenate.")


def branch_b_macs(height: int = 64, in_channels: int = 3, filters: int = 128) -> int:
    """MACs of the textbook branch b: 1x1 (stride 1) then 3x3 with stride 2, 'same'."""
    first = ar.pointwise_conv(height, height, in_channels, filters)
    h, w, c = first.output_shape
    return first.macs + ar.standard_conv(h, w, c, filters, 3, strides=2).macs


@register("inception-module-4", CHAPTER, "MACs of branch b on a 64x64x3 image")
def _inception_4(answer) -> CheckResult:
    return expect_int("inception-module-4", answer, branch_b_macs(),
                      "the 1x1 runs at 64x64 (64*64*3*128 MACs); the strided 3x3 produces "
                      "32x32 outputs, each 3*3*128 MACs per filter.")


@register("inception-module-5", CHAPTER,
          "Build a module: 32x32x64 to 16x16x256 with parallel branches")
def _inception_5(answer) -> CheckResult:
    ex_id = "inception-module-5"
    if unanswered(answer):
        return not_answered(ex_id)
    import keras

    if not isinstance(answer, keras.Model):
        return CheckResult(ex_id, False, "expected a keras.Model built with the functional API "
                           f"(keras.Model(inputs, outputs)), got {type(answer).__name__}.")
    in_shape = tuple(answer.inputs[0].shape[1:]) if answer.inputs else None
    out_shape = tuple(answer.outputs[0].shape[1:]) if answer.outputs else None
    if in_shape != (32, 32, 64):
        return CheckResult(ex_id, False, f"its input is {in_shape}, not (32, 32, 64). "
                           "Hint: keras.Input(shape=(32, 32, 64)).")
    if out_shape != (16, 16, 256):
        return CheckResult(ex_id, False, f"its output is {out_shape}, not (16, 16, 256). Hint: "
                           "stride 2 with 'same' padding in every branch; the branch filters "
                           "must add up to 256.")
    concats = [layer for layer in answer.layers
               if isinstance(layer, keras.layers.Concatenate)]
    widest = max((len(layer._inbound_nodes[0].input_tensors) for layer in concats), default=0)
    if widest < 3:
        return CheckResult(ex_id, False, "right shapes, but no Concatenate joins three or more "
                           "branches. Hint: build at least three parallel branches from the "
                           "same input and concatenate them on the channel axis.")
    return CheckResult(ex_id, True, f"{in_shape} -> {out_shape}, with {widest} branches "
                       f"and {answer.count_params():,} parameters.")


def _field_and_jump(tensor) -> tuple:
    """Receptive field (input pixels along one axis) and jump (input pixels between two
    neighbouring outputs) of ``tensor``, following the functional graph back to the input."""
    layer, node_index, _ = tensor._keras_history
    inputs = layer._inbound_nodes[node_index].input_tensors
    if not inputs:                       # an Input
        return 1, 1
    field, jump = max(_field_and_jump(t) for t in inputs)
    size = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    if size is not None:
        strides = getattr(layer, "strides", None) or size
        field += (size[0] - 1) * jump
        jump *= strides[0]
    return field, jump


def branch_receptive_fields(model) -> list:
    """Receptive field (pixels, along the rows) of each input of the model's widest
    ``Concatenate``: for the chapter's ``inception_module`` with stride 2, ``[1, 3, 7, 5]``
    (a, b, c, d). A branch of 1x1 convolutions only has a field of 1.

    Raises:
        ValueError: if the model has no ``Concatenate`` layer.
    """
    import keras

    concats = [layer for layer in model.layers if isinstance(layer, keras.layers.Concatenate)]
    if not concats:
        raise ValueError("the model has no Concatenate layer")
    widest = max(concats, key=lambda layer: len(layer._inbound_nodes[0].input_tensors))
    return [_field_and_jump(t)[0] for t in widest._inbound_nodes[0].input_tensors]


@register("inception-module-6", CHAPTER, "Debug: the notes' module with 1x1-only branches")
def _inception_6(answer) -> CheckResult:
    ex_id = "inception-module-6"
    if unanswered(answer):
        return not_answered(ex_id)
    import keras

    from lessons_lib.models import inception_module

    if not isinstance(answer, keras.Model):
        return CheckResult(ex_id, False, "expected the fixed keras.Model (keras.Model(input, "
                           f"output)), got {type(answer).__name__}.")
    in_shape = tuple(answer.inputs[0].shape[1:])
    out_shape = tuple(answer.outputs[0].shape[1:])
    reference = keras.Input((64, 64, 3))
    wanted = keras.Model(reference, inception_module(reference))
    if in_shape != (64, 64, 3) or out_shape != tuple(wanted.output.shape[1:]):
        return CheckResult(ex_id, False, f"it maps {in_shape} to {out_shape}; the module maps "
                           f"(64, 64, 3) to {tuple(wanted.output.shape[1:])}. Hint: keep the "
                           "input, the filters, the strides and padding='same'.")
    try:
        fields = branch_receptive_fields(answer)
    except ValueError as err:
        return CheckResult(ex_id, False, f"{err}. Hint: keep the Concatenate of the branches.")
    expected = branch_receptive_fields(wanted)
    if sorted(fields) == sorted(expected):
        return CheckResult(ex_id, True, f"the branches now see {fields} pixels across: only "
                           "branch a is a lone 1x1.")
    blind = sum(1 for f in fields if f == 1)
    return CheckResult(ex_id, False, f"the branches see {fields} pixels across ({blind} of them "
                       f"one pixel only); the fixed module's see {expected}. Hint: in branch b "
                       "the second convolution is a 3x3; branch d is 1x1, 3x3, then a 3x3 "
                       "with stride 2.")
