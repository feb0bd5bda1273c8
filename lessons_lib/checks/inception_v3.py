"""Self-checks for the chapter *InceptionV3* (exercise IDs ``inception-v3-N``).

Expected answers are computed with :mod:`lessons_lib.arithmetic` or by building
:func:`lessons_lib.models.inception_v3`, never typed in.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, expect_float, expect_int, expect_tuple,
                                      not_answered, register, register_written, unanswered)

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


#: The channels of inception-v3-1: (in, between, out) of the 1x7 / 7x1 pair. The chapter derives
#: 2/k for equal channels; with unequal ones the fraction has to be worked out.
FACTORIZED_CHANNELS = (192, 160, 320)


def factorized_fraction(in_channels: int, mid_channels: int, out_channels: int,
                        kernel_size: int = 7, grid: int = 17) -> float:
    """MACs of a ``1 x k`` then ``k x 1`` pair (no bias) over those of one ``k x k`` convolution
    from ``in_channels`` to ``out_channels`` on a ``grid x grid`` map."""
    fact = ar.factorized_conv(grid, grid, in_channels, out_channels, kernel_size=kernel_size,
                              mid_channels=mid_channels, use_bias=False)
    full = ar.standard_conv(grid, grid, in_channels, out_channels, kernel_size=kernel_size,
                            use_bias=False)
    return fact.macs / full.macs


@register("inception-v3-1", CHAPTER, "Cost of 1x7 + 7x1 against 7x7 with unequal channels",
          objective=2, difficulty="intermediate", points=2, minutes=6)
def _inception_v3_1(answer) -> CheckResult:
    ex_id = "inception-v3-1"
    expected = factorized_fraction(*FACTORIZED_CHANNELS)
    result = expect_float(ex_id, answer, expected,
                          "count each convolution with its own channels: the 1x7 maps the input "
                          "channels to the middle ones, the 7x1 the middle ones to the output; "
                          "the 7x7 maps input to output directly. Give the ratio as a fraction "
                          "(not a percentage).", decimals=3)
    if not result.correct and isinstance(answer, float) and abs(answer - 2 / 7) < 0.0005:
        return CheckResult(ex_id, False, f"{answer:.4g} is not it (to 3 decimal places). Hint: "
                           "2/k holds only when the input, middle and output channels are "
                           "equal; here they differ, so count the MACs of each layer.")
    return result


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


def preprocess_reference(images) -> np.ndarray:
    """What InceptionV3's ImageNet weights expect: pixels 0..255 scaled to -1..1 (float32)."""
    return np.asarray(images, dtype="float32") / 127.5 - 1.0


def _probe_images() -> list:
    """Arrays the check of inception-v3-6 feeds the learner's function: a uint8 batch holding 0
    and 255, one float image, and a float64 batch of one."""
    import numpy as np

    rng = np.random.default_rng(0)
    batch = rng.integers(0, 256, size=(2, 5, 5, 3), dtype=np.uint8)
    batch[0, 0, 0] = 0
    batch[1, -1, -1] = 255
    single = rng.uniform(0, 255, size=(6, 4, 3)).astype("float32")
    single[0, 0] = (0.0, 127.5, 255.0)
    one = np.full((1, 3, 3, 3), 255.0)
    one[0, 1, 1] = 0.0
    return [batch, single, one]


def _as_array(values):
    import numpy as np

    try:
        return np.asarray(values, dtype="float64")
    except Exception:  # a backend tensor NumPy cannot read directly
        import keras

        return np.asarray(keras.ops.convert_to_numpy(values), dtype="float64")


@register("inception-v3-6", CHAPTER, "Write the preprocessing InceptionV3's weights expect",
          objective=3, difficulty="intermediate", points=2, minutes=6)
def _inception_v3_6(answer) -> CheckResult:
    import numpy as np

    ex_id = "inception-v3-6"
    if unanswered(answer):
        return not_answered(ex_id)
    if not callable(answer) or isinstance(answer, type):
        return CheckResult(ex_id, False, "expected a function, such as `preprocess` itself "
                           f"(answer = preprocess, no parentheses), got {type(answer).__name__}.")
    for images in _probe_images():
        kept = images.copy()
        what = f"{images.dtype} array of shape {images.shape}"
        try:
            out = answer(images)
        except Exception as err:  # the learner's function may fail: say why, never raise
            return CheckResult(ex_id, False, f"it raised {type(err).__name__} on a {what}: "
                               f"{str(err)[:200]}. Hint: it must take uint8 and float arrays, a "
                               "batch or a single image.")
        if not np.array_equal(images, kept):
            return CheckResult(ex_id, False, f"it changed the {what} it was given. Hint: "
                               "return a new array instead of dividing in place (the Porting "
                               "note of the chapter).")
        try:
            got = _as_array(out)
        except Exception:
            return CheckResult(ex_id, False, f"on a {what} it returned "
                               f"{type(out).__name__}, not an array.")
        if got.shape != images.shape:
            return CheckResult(ex_id, False, f"on a {what} it returned shape {got.shape}. "
                               "Hint: keep the shape: scale every pixel, and leave a single "
                               "image a single image and a batch a batch.")
        wanted = preprocess_reference(images)
        if not np.allclose(got, wanted, atol=1e-4):
            low, high = float(got.min()), float(got.max())
            return CheckResult(ex_id, False, f"on a {what} with pixels from 0 to 255 its "
                               f"values run from {low:.3g} to {high:.3g}, not as the weights "
                               "expect. Hint: check what your function gives for 0, for 255 "
                               "and for the middle of the range, against the range the chapter's "
                               "section on preparing an image names.")
    return CheckResult(ex_id, True, "it scales batches and single images, uint8 or float, "
                       "as InceptionV3's weights expect.")


register_written(
    "inception-v3-7", CHAPTER, "Name the stages and say why each factorization sits on its grid",
    objective=1, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: names the four parts in order with their grids (the stem down to 35x35, "
            "mixed0-mixed2 at 35x35, mixed3-mixed7 at 17x17 with mixed3 reducing, mixed8-mixed10 "
            "at 8x8 with mixed8 reducing, then the head); places the 1x7 / 7x1 pairs one after "
            "the other in mixed4-mixed7 (and a branch of mixed8) and the 1x3 / 3x1 kernels side "
            "by side on one tensor in mixed9 and mixed10; and gives both reasons: the asymmetric "
            "factorization works well on medium grids (about 12 to 20) and poorly early, so "
            "none at 35x35, and the bank on the coarsest grid widens the output cheaply (each "
            "output sees 1x3 or 3x1, not a factorized 3x3)",
            "2: stages and placements right with one reason missing or wrong, or both reasons "
            "right with a stage, a block range or the wiring of one pair wrong",
            "1: the stages named or the kernels placed, without reasons",
            "0: wrong stages and placements, or no answer to the question"))
