"""Self-checks for the chapter *Side by side* (exercise IDs ``comparison-N``).

Expected answers come from building the book's models and profiling them
(cached, so a second check is instant), from ``MODEL_CONFIGS``, or from the roofline
model with the profiler's traffic count; comparison-5 and -6 are written (graded by a person).
"""

from __future__ import annotations

import functools

from lessons_lib.checks._core import (CheckResult, expect_float, expect_int, keras_answer,
                                      register, register_written)

#: The classifiers the chapter compares, by the name a learner types.
MODEL_NAMES = ("mobilenet", "inception_v3", "xception", "resnext50")


@functools.lru_cache(maxsize=None)
def total_macs(model_name: str) -> int:
    """MACs for one image at the model's default input size (built and profiled once)."""
    import keras

    from lessons_lib import models
    from lessons_lib.profiler import profile

    builders = {"mobilenet": models.mobilenet, "inception_v3": models.inception_v3,
                "xception": models.xception, "resnext50": models.resnext50}
    model = builders[model_name]()
    macs = int(profile(model)["macs"].sum())
    del model
    keras.backend.clear_session()
    return macs


@register("comparison-1", "comparison", "MobileNet images for the MACs of one InceptionV3 image",
          objective=1, difficulty="basic", points=1, minutes=4)
def _comparison_1(answer) -> CheckResult:
    expected = total_macs("inception_v3") // total_macs("mobilenet")
    return expect_int("comparison-1", answer, expected,
                      "divide InceptionV3's total MACs (at 299x299) by MobileNet 1.0's (at "
                      "224x224) and round down: only whole images count.")


@register("comparison-2", "comparison", "Xception's MACs relative to ResNeXt-50's",
          objective=1, difficulty="basic", points=1, minutes=3)
def _comparison_2(answer) -> CheckResult:
    expected = total_macs("xception") / total_macs("resnext50")
    # to 2 decimal places: the profiled ratio (1.9755) and the ratio of the table's rounded
    # totals (8.357 / 4.23 = 1.9757, or 8.36 / 4.23 = 1.9764) all round to 1.98
    return expect_float("comparison-2", answer, expected,
                        "divide Xception's total MACs (at 299x299) by ResNeXt-50's (at 224x224).",
                        decimals=2)


@register("comparison-3", "comparison", "Parameters of ResNeXt-50 relative to MobileNet",
          objective=1, difficulty="basic", points=1, minutes=3)
def _comparison_3(answer) -> CheckResult:
    from lessons_lib.models.configs import MODEL_CONFIGS

    expected = MODEL_CONFIGS["resnext50"]["params"] / MODEL_CONFIGS["mobilenet"]["params"]
    return expect_float("comparison-3", answer, expected,
                        "use the params column: ResNeXt-50's count divided by MobileNet's.", decimals=2)


#: The budget of comparison-4, at 224x224x3 with 1,000 classes (the default MobileNet, 0.57 G
#: MACs and 4.25 M parameters, does not meet it).
BUDGET_MACS, BUDGET_PARAMS, BUDGET_CLASSES = 300_000_000, 2_000_000, 1000


@register("comparison-4", "comparison",
          "Design a classifier under 0.3 G MACs and 2 M parameters at 224x224",
          objective=4, difficulty="challenge", points=3, minutes=15)
def _comparison_4(answer) -> CheckResult:
    ex_id = "comparison-4"
    probe = keras_answer(ex_id, answer, (224, 224, 3), models_only=True)
    if isinstance(probe, CheckResult):
        return probe
    if probe.output_shape != (BUDGET_CLASSES,):
        return CheckResult(ex_id, False, f"its output is {probe.output_shape}, not "
                           f"({BUDGET_CLASSES},): the question asks for a classifier of "
                           f"{BUDGET_CLASSES:,} classes, one score per class.")
    macs, params = probe.macs(), probe.params
    found = f"{macs / 1e9:.3f} G MACs and {params / 1e6:.2f} M parameters"
    over = [what for what, value, limit in (("MACs", macs, BUDGET_MACS),
                                            ("parameters", params, BUDGET_PARAMS))
            if value > limit]
    if over:
        return CheckResult(ex_id, False, f"{found}: too many {' and '.join(over)} for the "
                           "budget (at most 0.3 G MACs and 2 M parameters). Hint: which of "
                           "the book's builders can be made thinner, and how do its MACs and "
                           "parameters scale when it is?")
    return CheckResult(ex_id, True, f"{found}, a {BUDGET_CLASSES:,}-class classifier within the "
                       "budget.")


register_written(
    "comparison-5", "comparison", "Find the flaws of a timing procedure and fix them",
    objective=2, difficulty="intermediate", points=3, minutes=10,
    rubric=("3: names at least five of the flaws (no warm-up, so the first call's tracing and "
            "compilation is timed; one call per timing; model A timed before model B instead "
            "of interleaved; different batch sizes compared; the mean of two runs; predict() "
            "with its pipeline overhead) and gives for each the fix the chapter's "
            "forward_latency uses (one untimed warm-up call, the same batch reported per "
            "image, interleaved rounds, the median of several calls, the compiled inference "
            "call, waiting for the result), with why it matters",
            "2: three or four flaws with their fixes, or five flaws with a fix or reason "
            "missing",
            "1: one or two flaws with a fix, or flaws listed without fixes",
            "0: no flaw identified, or fixes that would make the comparison less fair"))


register_written(
    "comparison-6", "comparison", "Explain from the page's measurements why MACs do not predict "
    "latency",
    objective=3, difficulty="challenge", points=3, minutes=15,
    rubric=("3: cites at least two numbers measured on the page (e.g. the GMAC/s range of the "
            "five models, the depthwise layers' MACs per byte against the ridge point, the "
            "empty call's time) and explains with them three causes: arithmetic per byte "
            "moved (a layer below the ridge point cannot reach the compute roof), depthwise "
            "layers (few MACs per byte and per call), and the fixed cost of running a layer, "
            "which small layers cannot amortise",
            "2: two of the three causes explained with a measured number, or all three "
            "without numbers from the page",
            "1: one cause explained, or causes named without reasoning",
            "0: no cause, or the claim that MACs do predict latency"))


#: The invented machine of comparison-7: compute roof (GMAC/s) and memory bandwidth (GB/s),
#: and its layer: (kind, map side, channels) of lessons_lib.experiments.roofline_layer.
ROOF_PEAK_GMACS, ROOF_BANDWIDTH_GBS = 500.0, 40.0
ROOF_LAYER = ("depthwise 3x3", 28, 256)


@functools.lru_cache(maxsize=None)
def roof_layer_traffic() -> tuple:
    """(MACs, bytes moved) of comparison-7's layer for one image, by the profiler's
    ``traffic=True`` count (built and profiled once)."""
    from lessons_lib.experiments import roofline_layer
    from lessons_lib.profiler import profile

    row = profile(roofline_layer(*ROOF_LAYER), traffic=True).iloc[0]
    return int(row.macs), int(row.bytes)


def attainable_gmacs(macs: int, moved: int, peak_gmacs: float, bandwidth_gbs: float) -> float:
    """The roofline model's attainable speed: min(compute roof, intensity x bandwidth)."""
    return min(peak_gmacs, macs / moved * bandwidth_gbs)


@register("comparison-7", "comparison", "Read a roofline: the attainable speed of a depthwise layer",
          objective=5, difficulty="intermediate", points=2, minutes=8)
def _comparison_7(answer) -> CheckResult:
    ex_id = "comparison-7"
    macs, moved = roof_layer_traffic()
    expected = attainable_gmacs(macs, moved, ROOF_PEAK_GMACS, ROOF_BANDWIDTH_GBS)
    if (isinstance(answer, (int, float)) and not isinstance(answer, bool)
            and abs(answer - ROOF_PEAK_GMACS) < 0.05):
        return CheckResult(ex_id, False, f"{answer:g} GMAC/s is the compute roof. Hint: compare "
                           "the layer's MACs per byte with the ridge point (compute roof / "
                           "bandwidth): which roof is lower at its intensity?")
    return expect_float(ex_id, answer, expected,
                        "intensity = MACs / bytes moved (input, output and weights, 4 bytes "
                        "each); below the ridge point the bandwidth roof, intensity x GB/s, "
                        "is the lower one.", decimals=1)
