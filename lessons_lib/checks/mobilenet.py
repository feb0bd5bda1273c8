"""Self-checks for the chapter *MobileNet and a UNet decoder* (exercise IDs ``mobilenet-N``).

Expected answers are computed (with :mod:`lessons_lib.arithmetic`, the profiler, or by
building and inspecting the learner's model), never typed in.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from lessons_lib import arithmetic as ar
from lessons_lib.checks._core import (CheckResult, _plain_number, expect_float, expect_int,
                                      keras_answer, not_answered, register, register_written,
                                      unanswered)

CHAPTER = "mobilenet_unet"

#: The masks of exercise mobilenet-3 (as printed in the chapter).
IOU_TRUE = ((0, 0, 1, 1), (0, 2, 2, 1), (0, 0, 2, 2))
IOU_PRED = ((0, 1, 1, 1), (0, 2, 0, 1), (0, 0, 2, 0))
#: The source notes' input size (rows, cols) and classes for mobilenet-5.
NOTES_INPUT = (416, 608)
NOTES_CLASSES = 2
#: The MobileNet of mobilenet-2 (alpha, input size): in neither of the chapter's grids.
MACS_CONFIG = (0.6, 192)
#: The MobileNet of mobilenet-7 (alpha, input size), whose per-layer shares the chapter
#: does not print (it prints those of 1.0-224).
SHARE_CONFIG = (0.25, 224)


@register("mobilenet-1", CHAPTER, "Weights of a 256-to-512 depthwise-separable block",
          objective=1, difficulty="basic", points=1, minutes=4)
def _mobilenet_1(answer) -> CheckResult:
    expected = ar.separable_conv(14, 14, 256, 512, 3, use_bias=False).params
    return expect_int("mobilenet-1", answer, expected,
                      "the depthwise step has k*k*C_in weights, the pointwise step C_in*C_out.")


@functools.lru_cache(maxsize=None)
def _profile(alpha: float, size: int):
    """The profiler's table of ``mobilenet(alpha=alpha, input_shape=(size, size, 3))``."""
    from lessons_lib.models import mobilenet
    from lessons_lib.profiler import profile

    return profile(mobilenet(alpha=alpha, input_shape=(size, size, 3)))


def mobilenet_macs_millions(alpha: float, size: int) -> float:
    """MACs (millions) of ``mobilenet(alpha=alpha, input_shape=(size, size, 3))``, by the profiler."""
    return float(_profile(alpha, size).macs.sum()) / 1e6


def _number(answer):
    """``answer`` as a plain real number, or None when it is not one."""
    value = _plain_number(answer)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return value


@register("mobilenet-2", CHAPTER, "MACs of MobileNet 0.6-192",
          objective=2, difficulty="intermediate", points=2, minutes=6)
def _mobilenet_2(answer) -> CheckResult:
    if unanswered(answer):
        return not_answered("mobilenet-2")
    alpha, size = MACS_CONFIG
    expected = mobilenet_macs_millions(alpha, size)
    value = _number(answer)
    if value is not None and value > 1e5:
        return CheckResult("mobilenet-2", False,
                           f"{value:,} looks like a count of MACs, not millions. "
                           "Hint: divide by 1e6.")
    if value is not None and abs(value - expected) > 0.05:
        estimate = mobilenet_macs_millions(1.0, 224) * alpha ** 2 * (size / 224) ** 2
        if abs(value - estimate) <= 0.5:
            return CheckResult("mobilenet-2", False,
                               f"{value:.4g} is the alpha^2 rho^2 estimate from 1.0-224, not "
                               "the count. Hint: not every layer scales with alpha^2 (a depthwise "
                               "layer's MACs grow with its channels, not their square); build "
                               "the model and sum the profiler's macs column.")
    return expect_float("mobilenet-2", answer, expected,
                        f"build mobilenet(alpha={alpha}, input_shape=({size}, {size}, 3)) and "
                        "sum the profiler's macs column, in millions.", decimals=1)


def pointwise_mac_share(alpha: float, size: int, classifier: bool = False) -> float:
    """Share of the MACs of MobileNet ``alpha``-``size`` (classifier included in the total) done
    by its 13 pointwise convolutions ``conv_pw_1`` .. ``conv_pw_13``; with ``classifier``, the
    1x1 classifier ``conv_preds`` counted with them."""
    df = _profile(alpha, size)
    pointwise = df.layer.str.startswith("conv_pw_") & (df.type == "Conv2D")
    if classifier:
        pointwise |= df.layer == "conv_preds"
    return float(df.macs[pointwise].sum() / df.macs.sum())


@register("mobilenet-7", CHAPTER, "The 1x1 share of MobileNet 0.25-224's MACs",
          objective=3, difficulty="intermediate", points=2, minutes=6)
def _mobilenet_7(answer) -> CheckResult:
    ex_id = "mobilenet-7"
    if unanswered(answer):
        return not_answered(ex_id)
    alpha, size = SHARE_CONFIG
    expected = pointwise_mac_share(alpha, size)
    value = _number(answer)
    if value is not None and 1 < value <= 100:
        return CheckResult(ex_id, False, f"{value:.4g} looks like a percentage. Hint: give a "
                           "fraction between 0 and 1.")
    if value is not None and abs(value - expected) > 0.005:
        if abs(value - pointwise_mac_share(alpha, size, classifier=True)) <= 0.005:
            return CheckResult(ex_id, False, f"{value:.4g} counts conv_preds with the pointwise "
                               "layers. Hint: conv_preds is the classifier (a 1x1 convolution "
                               "on the pooled 1x1 map); leave it out of the numerator.")
        if abs(value - pointwise_mac_share(1.0, 224)) <= 0.005:
            return CheckResult(ex_id, False, f"{value:.4g} is the share of the full-width "
                               f"1.0-224 model. Hint: profile mobilenet(alpha={alpha}, "
                               f"input_shape=({size}, {size}, 3)).")
    return expect_float(ex_id, answer, expected,
                        f"profile mobilenet(alpha={alpha}, input_shape=({size}, {size}, 3)); add "
                        "the macs of the Conv2D rows conv_pw_1 .. conv_pw_13 and divide by the "
                        "total of all rows.", decimals=2)


def iou_exercise_expected() -> float:
    """The mean IoU of the exercise mobilenet-3 masks, by :func:`lessons_lib.segmentation.mean_iou`."""
    from lessons_lib.segmentation import mean_iou

    return mean_iou(np.array(IOU_TRUE), np.array(IOU_PRED), 3)


@register("mobilenet-3", CHAPTER, "Mean IoU of a small prediction",
          objective=5, difficulty="intermediate", points=2, minutes=6)
def _mobilenet_3(answer) -> CheckResult:
    if unanswered(answer):
        return not_answered("mobilenet-3")
    truth, pred = np.array(IOU_TRUE), np.array(IOU_PRED)
    if isinstance(answer, (int, float)) and not isinstance(answer, bool) \
            and np.isclose(answer, float((truth == pred).mean()), rtol=1e-3):
        return CheckResult("mobilenet-3", False,
                           f"{answer:.4g} is the pixel accuracy. Hint: IoU per class is "
                           "TP / (TP + FP + FN); average the three classes.")
    return expect_float("mobilenet-3", answer, iou_exercise_expected(),
                        "for each class count TP (right), FP (predicted c, truly not c) and FN "
                        "(truly c, predicted otherwise); IoU = TP / (TP + FP + FN); average the "
                        "three classes.", decimals=2)


def block_expected_params(in_channels: int = 64, out_channels: int = 128) -> int:
    """Parameters of the MobileNet block of mobilenet-4: weights plus 4 BN numbers per channel."""
    dw = ar.depthwise_conv(32, 32, in_channels, 3, strides=2, use_bias=False)
    pw = ar.pointwise_conv(16, 16, in_channels, out_channels, use_bias=False)
    return dw.params + pw.params + 4 * (in_channels + out_channels)


def block_expected_macs(in_channels: int = 64, out_channels: int = 128) -> int:
    """MACs of the mobilenet-4 block: the depthwise 3x3 with stride 2 on 32x32, then the
    1x1 on the 16x16 map it leaves."""
    return (ar.depthwise_conv(32, 32, in_channels, 3, strides=2).macs
            + ar.pointwise_conv(16, 16, in_channels, out_channels).macs)


@register("mobilenet-4", CHAPTER, "Build a MobileNet block: 32x32x64 to 16x16x128",
          objective=1, difficulty="challenge", points=3, minutes=12)
def _mobilenet_4(answer) -> CheckResult:
    ex_id = "mobilenet-4"
    probe = keras_answer(ex_id, answer, (32, 32, 64), models_only=True)
    if isinstance(probe, CheckResult):
        return probe
    shape = probe.output_shape
    if shape != (16, 16, 128):
        return CheckResult(ex_id, False, f"its output is {shape}, not (16, 16, 128). Hint: "
                           "stride 2 on the depthwise step, 128 pointwise filters.")
    params, expected = probe.params, block_expected_params()
    if params != expected:
        return CheckResult(ex_id, False, f"{params:,} parameters, expected {expected:,}. Hint: "
                           "a depthwise 3x3 (9 weights per channel), a 1x1 to 128 channels, "
                           "use_bias=False on both, a BatchNormalization after each.")
    macs, wanted = probe.macs(), block_expected_macs()
    if macs != wanted:
        more = "more" if macs > wanted else "fewer"
        return CheckResult(ex_id, False, f"the right parameters, but {macs:,} MACs, {more} than "
                           f"the block's {wanted:,}: the work is done at the wrong resolution. "
                           "Hint: the stride belongs to the depthwise step, so that the 1x1 "
                           "runs on the 16x16 map.")
    if probe.mixes_channels() is False:
        return CheckResult(ex_id, False, "no output channel reads more than one input channel. "
                           "Hint: the 1x1 convolution mixes the channels.")
    relu6 = probe.relu6_count()
    if relu6 < 2:
        return CheckResult(ex_id, False, f"{relu6} ReLU6 found; the block has one after each "
                           "BatchNormalization. Hint: layers.ReLU(max_value=6.0) or "
                           "layers.Activation(\"relu6\").")
    return CheckResult(ex_id, True, f"output {shape}, {params:,} parameters, {macs:,} MACs, "
                       "ReLU6 after both steps.")


@register("mobilenet-5", CHAPTER, "Output shape of the notes' half-resolution UNet",
          objective=4, difficulty="basic", points=1, minutes=4)
def _mobilenet_5(answer) -> CheckResult:
    ex_id = "mobilenet-5"
    if unanswered(answer):
        return not_answered(ex_id)
    rows, cols = NOTES_INPUT
    expected = ((rows // 2) * (cols // 2), NOTES_CLASSES)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return CheckResult(ex_id, False, f"expected a tuple (pixels, n_classes), got {answer!r}.")
    if tuple(answer) == expected:
        return CheckResult(ex_id, True, f"{tuple(answer)} is correct.")
    hint = "the map is H/2 x W/2 and the reshape lists its pixels; the last axis is the classes."
    if tuple(answer) == (rows * cols, NOTES_CLASSES):
        hint = "that is full resolution; the notes' output is at half the input size. " + hint
    return CheckResult(ex_id, False, f"{tuple(answer)} is not it. Hint: {hint}")


def _notes_check_masks() -> np.ndarray:
    """Masks (2, 8, 12) for mobilenet-6: random classes 0..2 in 2x2 blocks with one odd pixel
    per block, so that a crop, a transposed order or an average gives different targets."""
    rng = np.random.default_rng(0)
    masks = np.repeat(np.repeat(rng.integers(0, 3, size=(2, 4, 6)), 2, axis=1), 2, axis=2)
    masks[:, 1::2, 1::2] = (masks[:, 1::2, 1::2] + 1) % 3
    return masks.astype("int32")


@register("mobilenet-6", CHAPTER, "Debug the targets of the notes' half-resolution UNet",
          objective=4, difficulty="challenge", points=3, minutes=10)
def _mobilenet_6(answer) -> CheckResult:
    ex_id = "mobilenet-6"
    if unanswered(answer):
        return not_answered(ex_id)
    if not callable(answer):
        return CheckResult(ex_id, False, "expected your fixed function notes_targets, got "
                           f"{type(answer).__name__}.")
    masks = _notes_check_masks()
    batch, rows, cols = masks.shape
    try:
        got = np.asarray(answer(masks.copy()))
    except Exception as err:  # a learner's function may fail: say why
        return CheckResult(ex_id, False, f"calling it on masks of shape {masks.shape} failed: "
                           f"{type(err).__name__}: {err}")
    want = (batch, rows // 2 * cols // 2)
    if got.shape not in (want, want + (1,)):
        hint = ("that is one target per input pixel; the model predicts H/2 x W/2 pixels."
                if got.size == masks.size else "one class number per output pixel, flattened.")
        return CheckResult(ex_id, False, f"masks of shape {masks.shape} give targets of shape "
                           f"{got.shape}, expected {want}. Hint: {hint}")
    got = got.reshape(want)
    if not np.array_equal(got, np.round(got)) or not np.isin(got, (0, 1, 2)).all():
        return CheckResult(ex_id, False, "some targets are not class numbers. Hint: never "
                           "average or interpolate masks; keep one pixel of each 2x2 block.")
    # nearest neighbour: any one pixel of each 2x2 block, the same one everywhere
    candidates = [masks[:, i::2, j::2].reshape(want) for i in (0, 1) for j in (0, 1)]
    if any(np.array_equal(got, c) for c in candidates):
        return CheckResult(ex_id, True, f"{want[1]} targets per image, one per output pixel, "
                           "row by row.")
    return CheckResult(ex_id, False, "the shape is right but the targets are not the masks "
                       "downsampled by nearest neighbour in row-major order. Hint: keep the same "
                       "one pixel of every 2x2 block of the mask, then flatten row by row.")


register_written(
    "mobilenet-8", CHAPTER, "Explain the UNet decoder's skip connections and its mask resolution",
    objective=4, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: says what the decoder does at each step (upsample x2, concatenate the encoder "
            "feature of the same size on the channel axis, convolve), that the skips bring "
            "fine spatial detail (where the edges are) that the stride-32 features have lost, "
            "what goes wrong without them (blurry, blocky masks, small objects and boundaries "
            "lost, from a 7x7-per-224 grid upsampled), and why the mask must have the output's "
            "resolution (one target class per predicted pixel, in the same order; the loss "
            "fails or compares the wrong pixels; nearest-neighbour downsampling, never "
            "interpolated class numbers)",
            "2: the decoder steps and the skips' role right, with either the failure without "
            "skips or the mask resolution missing or vague",
            "1: describes upsampling and concatenation without saying what the skips bring, or "
            "only the mask-resolution rule",
            "0: no mechanism, or a wrong one (e.g. the skips add capacity or speed up "
            "training, masks may be interpolated)"))
