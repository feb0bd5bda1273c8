"""Self-checks of the comparison chapter, and the figures its hidden solutions state."""

import pathlib

import pytest

from lessons_lib import models
from lessons_lib.checks import EXERCISES, check
from lessons_lib.checks.comparison import (attainable_gmacs, roof_layer_traffic,
                                           total_macs)
from lessons_lib.profiler import profile
import solutions

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book" / "comparison.ipynb"


def solution_answer(ex_id):
    """The answer the chapter's solution of ``ex_id`` assigns."""
    return solutions.solution_answer("comparison", ex_id)


def test_all_chapter_ids_registered():
    ids = {i for i in EXERCISES if i.startswith("comparison-")}
    assert ids == {f"comparison-{n}" for n in range(1, 8)}
    assert {i for i in ids if EXERCISES[i].written} == {"comparison-5", "comparison-6"}
    assert [EXERCISES[f"comparison-{n}"].objective for n in range(1, 8)] == [1, 1, 1, 4, 2, 3, 5]


def test_mobilenet_images_per_inception_image():
    assert total_macs("inception_v3") // total_macs("mobilenet") == 10
    assert check("comparison-1", 10).correct and check("comparison-1", 10.0).correct
    wrong = check("comparison-1", 11)
    assert not wrong.correct and "Hint" in wrong.message
    assert "whole number" in check("comparison-1", 10.05).message
    assert "whole number" in check("comparison-1", "mobilenet").message
    # the chapter prints MobileNet's share of InceptionV3's MACs, not this count
    assert not check("comparison-1", 0.1).correct


def test_ratios_stated_in_the_solutions():
    assert check("comparison-2", 1.98).correct          # solution: about 1.98
    assert not check("comparison-2", 1.46).correct      # Xception / InceptionV3, printed
    wrong = check("comparison-2", 1 / 1.98)
    assert not wrong.correct and "Hint" in wrong.message
    assert check("comparison-3", 5.90).correct          # solution: about 5.90
    assert not check("comparison-3", 1 / 5.9).correct
    assert total_macs("xception") / 1e9 == pytest.approx(8.36, abs=0.01)
    assert total_macs("inception_v3") / 1e9 == pytest.approx(5.71, abs=0.01)
    assert total_macs("resnext50") / 1e9 == pytest.approx(4.23, abs=0.005)


def test_model_budget_exercise_and_its_solution_figures():
    half = models.mobilenet(alpha=0.5)
    assert check("comparison-4", half).correct
    assert profile(half)["macs"].sum() / 1e9 == pytest.approx(0.15, abs=0.005)
    assert half.count_params() / 1e6 == pytest.approx(1.34, abs=0.005)
    default = check("comparison-4", models.mobilenet(alpha=1.0))   # over both limits
    assert not default.correct and "MACs and parameters" in default.message
    assert "Hint" in default.message and "alpha" not in default.message
    three_quarters = models.mobilenet(alpha=0.75)                   # the solution: still misses
    assert profile(three_quarters)["macs"].sum() / 1e9 == pytest.approx(0.33, abs=0.005)
    assert three_quarters.count_params() / 1e6 == pytest.approx(2.6, abs=0.05)
    assert not check("comparison-4", three_quarters).correct
    assert total_macs("mobilenet") / 1e9 == pytest.approx(0.57, abs=0.005)
    wrong_size = check("comparison-4", models.mobilenet(alpha=0.5, input_shape=(128, 128, 3)))
    assert not wrong_size.correct and "(224, 224, 3)" in wrong_size.message
    few_classes = check("comparison-4", models.mobilenet(alpha=0.5, classes=10))
    assert not few_classes.correct and "1,000" in few_classes.message
    assert not check("comparison-4", "mobilenet").correct


def test_rounded_answers_and_the_solution_4_classifier_share():
    import numpy as np

    assert check("comparison-2", np.float64(1.9755)).correct
    assert check("comparison-2", 8.357 / 4.23).correct and check("comparison-2", 8.36 / 4.23).correct
    assert not check("comparison-2", 1.97).correct and not check("comparison-2", 2.0).correct
    assert check("comparison-3", 5.9).correct and not check("comparison-3", 5.8).correct
    half = models.mobilenet(alpha=0.5)
    classifier = profile(half).set_index("layer").loc["conv_preds", "params"]
    assert (half.count_params(), classifier) == (1_342_536, 513_000)   # solution 4's figures
    assert round(classifier / half.count_params(), 2) == 0.38


def test_roofline_exercise():
    macs, moved = roof_layer_traffic()
    assert (macs, moved) == (1_806_336, 1_614_848)                    # solution 7's counts
    assert (macs, moved) == (28 * 28 * 256 * 9, 4 * (2 * 28 * 28 * 256 + 9 * 256))
    expected = attainable_gmacs(macs, moved, 500.0, 40.0)
    assert expected == pytest.approx(44.74, abs=0.005)
    assert attainable_gmacs(macs, moved, 10.0, 40.0) == 10.0          # above the ridge: compute
    assert check("comparison-7", 44.7).correct and check("comparison-7", expected).correct
    roof = check("comparison-7", 500)
    assert not roof.correct and "compute roof" in roof.message and "Hint" in roof.message
    intensity = check("comparison-7", macs / moved)
    assert not intensity.correct and "Hint" in intensity.message
    assert "44.7" not in intensity.message


@pytest.mark.parametrize("ex_id", ["comparison-5", "comparison-6"])
def test_written_exercises(ex_id):
    ex = EXERCISES[ex_id]
    assert ex.points == 3 and [level[0] for level in ex.rubric] == ["3", "2", "1", "0"]
    assert "no answer yet" in check(ex_id, ...).message
    short = check(ex_id, "The timing is not fair.")
    assert not short.correct and not short.recorded and "Not yet" in str(short)
    assert check(ex_id, solution_answer(ex_id)).recorded
