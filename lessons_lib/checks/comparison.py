"""Self-checks for the chapter *Side by side* (exercise IDs ``comparison-N``).

Expected answers come from building the book's models and profiling them
(cached, so a second check is instant) or from ``MODEL_CONFIGS``.
"""

from __future__ import annotations

import functools

from lessons_lib.checks._core import (CheckResult, expect_float, keras_answer, not_answered,
                                      register, unanswered)

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


def _normalise_name(answer) -> str:
    return str(answer).strip().lower().replace("-", "_").replace(" ", "_")


@register("comparison-1", "comparison", "The cheapest model in MACs",
          objective=1, difficulty="basic", points=1, minutes=3)
def _comparison_1(answer) -> CheckResult:
    ex_id = "comparison-1"
    if unanswered(answer):
        return not_answered(ex_id)
    if not isinstance(answer, str):
        return CheckResult(ex_id, False, f"expected a model name (a string), got {answer!r}.")
    expected = min(MODEL_NAMES, key=total_macs)
    name = _normalise_name(answer)
    if name not in MODEL_NAMES:
        return CheckResult(ex_id, False, f"{answer!r} is not one of {list(MODEL_NAMES)}.")
    if name == expected:
        return CheckResult(ex_id, True, f"{expected} needs {total_macs(expected) / 1e9:.3f} G MACs.")
    return CheckResult(ex_id, False, f"{name} needs {total_macs(name) / 1e9:.2f} G MACs; another "
                       "model needs fewer. Hint: sort the table by the MACs column.")


@register("comparison-2", "comparison", "Xception's MACs relative to InceptionV3's",
          objective=1, difficulty="basic", points=1, minutes=3)
def _comparison_2(answer) -> CheckResult:
    expected = total_macs("xception") / total_macs("inception_v3")
    # to 1 decimal place: the profiled ratio (1.463) and the ratio of the table's rounded
    # totals (1.464) both sit well inside the band of 1.5, so either way of computing it passes
    return expect_float("comparison-2", answer, expected,
                        "divide Xception's total MACs by InceptionV3's (both at 299x299).",
                        decimals=1)


@register("comparison-3", "comparison", "Parameters of ResNeXt-50 relative to MobileNet",
          objective=1, difficulty="basic", points=1, minutes=3)
def _comparison_3(answer) -> CheckResult:
    from lessons_lib.models.configs import MODEL_CONFIGS

    expected = MODEL_CONFIGS["resnext50"]["params"] / MODEL_CONFIGS["mobilenet"]["params"]
    return expect_float("comparison-3", answer, expected,
                        "use the params column: ResNeXt-50's count divided by MobileNet's.", decimals=2)


@register("comparison-4", "comparison",
          "A model under 1 G MACs and 5 M parameters at 224x224",
          objective=4, difficulty="challenge", points=3, minutes=10)
def _comparison_4(answer) -> CheckResult:
    ex_id = "comparison-4"
    probe = keras_answer(ex_id, answer, (224, 224, 3), models_only=True)
    if isinstance(probe, CheckResult):
        return probe
    macs, params = probe.macs(), probe.params
    if macs > 1e9 or params > 5e6:
        return CheckResult(ex_id, False,
                           f"{macs / 1e9:.2f} G MACs and {params / 1e6:.2f} M parameters: too "
                           "big. Hint: MobileNet's width multiplier alpha scales both.")
    return CheckResult(ex_id, True, f"{macs / 1e9:.3f} G MACs, {params / 1e6:.2f} M parameters.")
