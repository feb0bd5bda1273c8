"""Self-checks of the comparison chapter, and the figures its hidden solutions state."""

import pytest

from lessons_lib import models
from lessons_lib.checks import check
from lessons_lib.checks.comparison import total_macs
from lessons_lib.profiler import profile


def test_cheapest_model():
    assert check("comparison-1", "mobilenet").correct
    assert check("comparison-1", " MobileNet ").correct
    wrong = check("comparison-1", "xception")
    assert not wrong.correct and "Hint" in wrong.message
    assert "not one of" in check("comparison-1", "vgg16").message
    assert "string" in check("comparison-1", 3).message


def test_ratios_stated_in_the_solutions():
    assert check("comparison-2", 1.46).correct          # solution: about 1.46
    assert not check("comparison-2", 1.0).correct
    assert check("comparison-3", 5.90).correct          # solution: about 5.90
    assert not check("comparison-3", 1 / 5.9).correct
    assert total_macs("xception") / 1e9 == pytest.approx(8.36, abs=0.01)
    assert total_macs("inception_v3") / 1e9 == pytest.approx(5.71, abs=0.01)


def test_model_budget_exercise_and_its_solution_figures():
    assert check("comparison-4", models.mobilenet(alpha=1.0)).correct
    half = models.mobilenet(alpha=0.5)
    assert check("comparison-4", half).correct
    assert profile(half)["macs"].sum() / 1e9 == pytest.approx(0.15, abs=0.005)
    assert half.count_params() / 1e6 == pytest.approx(1.3, abs=0.05)
    assert total_macs("mobilenet") / 1e9 == pytest.approx(0.57, abs=0.005)
    too_big = check("comparison-4", models.resnext50(input_shape=(224, 224, 3)))
    assert not too_big.correct and "too big" in too_big.message
    wrong_size = check("comparison-4", models.mobilenet(input_shape=(128, 128, 3)))
    assert not wrong_size.correct and "(224, 224, 3)" in wrong_size.message
    assert not check("comparison-4", "mobilenet").correct


def test_rounded_answers_and_the_solution_4_classifier_share():
    import numpy as np

    assert check("comparison-2", np.float64(1.4637)).correct
    assert check("comparison-2", 1.47).correct and check("comparison-2", 1.5).correct
    assert not check("comparison-2", 1.4).correct and not check("comparison-2", 1.6).correct
    assert check("comparison-3", 5.9).correct and not check("comparison-3", 5.8).correct
    half = models.mobilenet(alpha=0.5)
    classifier = profile(half).set_index("layer").loc["conv_preds", "params"]
    assert (half.count_params(), classifier) == (1_342_536, 513_000)   # solution 4's figures
    assert round(classifier / half.count_params(), 2) == 0.38
