"""Every quick-scale training run of the CI build reaches its target (tests/training_targets.py).

The built-book test reads the notebooks that `jupyter-book build` executed
(`_build/jupyter_execute/book`, quick scale, TensorFlow; skipped without a build unless
REQUIRE_BUILT_BOOK=1). The other tests feed made-up lines to the same checker, so each target
is shown to fail when missed.
"""

import math
import os
import pathlib

import pytest

from lessons_lib.evaluation import final_classification, final_segmentation, parse_final
from training_targets import PAIRS, TRAINING_CHAPTERS, final_lines, missed_targets

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "jupyter_execute" / "book"


def lines(*texts):
    return [parse_final(t) for t in texts]


@pytest.mark.parametrize("chapter", TRAINING_CHAPTERS)
def test_every_quick_training_run_of_the_ci_build_reaches_its_target(chapter):
    notebook = EXECUTED / f"{chapter}.ipynb"
    if not notebook.exists():
        if os.environ.get("REQUIRE_BUILT_BOOK") == "1":
            pytest.fail(f"REQUIRE_BUILT_BOOK=1 but {notebook} does not exist", pytrace=False)
        pytest.skip("the book is not built")
    found = final_lines(notebook)
    for line in found:  # in the pytest log, for the record
        print(f"{chapter}: {line.text}")
    assert missed_targets(chapter, found) == []


def test_a_classifier_that_learns_passes_and_one_that_does_not_fails():
    good = final_classification(0.93, 4, 0.21, what="net")
    assert missed_targets("xception", lines(good, final_classification(
        [0.5, 0.5, 0.52], 4, role="control", seeds=(0, 1, 2), what="plain"),
        final_classification([0.8, 0.82, 0.84], 4, role="experiment", seeds=(0, 1, 2),
                             what="residual"))) == []
    low = missed_targets("resnext", lines(final_classification(0.573, 4, 1.42, what="net")))
    assert low == ["resnext: validation accuracy 0.573 < 0.850: " + final_classification(
        0.573, 4, 1.42, what="net"), "resnext: validation loss 1.420 not below the chance loss "
        "1.386: " + final_classification(0.573, 4, 1.42, what="net")]
    # 10 classes: 3x chance is the bar
    assert missed_targets("x", lines(final_classification(0.31, 10, 1.0))) == []
    assert "0.290 < 0.300" in missed_targets("x", lines(final_classification(0.29, 10, 1.0)))[0]
    assert "no validation loss" in missed_targets("x", lines(final_classification(0.9, 4)))[0]


def test_a_control_may_stay_at_chance_but_a_compared_variant_needs_three_seeds():
    control = final_classification(0.1, 10, 2.5, role="control", what="noise")
    assert missed_targets("x", lines(control)) == []
    one_seed = final_classification([0.9], 4, role="experiment", seeds=(0,), what="wide")
    assert "over 1 seed(s)" in missed_targets("x", lines(one_seed))[0]


def test_segmentation_needs_the_mean_and_every_foreground_class():
    names = ["background", "circle", "square"]
    assert missed_targets("x", lines(final_segmentation([0.97, 0.71, 0.66], names))) == []
    missed = missed_targets("x", lines(final_segmentation([0.95, 0.8, 0.45], names)))
    assert [m.split(":")[1].strip() for m in missed] == ["IoU of square 0.450 < 0.5"]
    missed = missed_targets("x", lines(final_segmentation([0.8, 0.5, 0.6, math.nan],
                                                          names + ["triangle"])))
    assert any("IoU of triangle nan" in m for m in missed)  # a class never predicted fails


def test_a_pair_must_beat_its_control_by_more_than_both_spreads():
    assert ("xception", "plain", "residual", "beyond spreads") in PAIRS
    plain = final_classification([0.40, 0.45, 0.50], 4, role="control", seeds=(0, 1, 2),
                                 what="plain stack")
    close = final_classification([0.45, 0.48, 0.60], 4, role="experiment", seeds=(0, 1, 2),
                                 what="residual stack")
    missed = missed_targets("xception", lines(plain, close))
    assert missed and "not more than both spreads" in missed[0]
    assert "no single control line" in missed_targets("xception", lines(close))[0]


def test_fine_tuning_must_beat_training_from_scratch_by_0_15():
    assert ("inception_v3", "from scratch", "fine-tuned", "by 0.15") in PAIRS
    scratch = final_classification([0.30, 0.35, 0.28], 4, [3.0, 2.5, 3.5], role="control",
                                   seeds=(0, 1, 2), what="from scratch")
    tuned = final_classification([0.72, 0.74, 0.72], 4, [0.6, 0.5, 0.6], role="experiment",
                                 seeds=(0, 1, 2), what="fine-tuned")
    assert missed_targets("inception_v3", lines(scratch, tuned)) == []
    close = final_classification([0.40, 0.45, 0.42], 4, [1.0, 1.0, 1.0], role="experiment",
                                 seeds=(0, 1, 2), what="fine-tuned")
    assert "not 0.15 or more" in missed_targets("inception_v3", lines(scratch, close))[0]


def test_a_training_chapter_that_prints_no_line_fails_and_a_misprinted_line_is_an_error():
    assert missed_targets(TRAINING_CHAPTERS[0], []) == [
        f"{TRAINING_CHAPTERS[0]}: prints no `final` line"]
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["epoch 3\n", "final: 0.9\n"]}]}]}
    with pytest.raises(ValueError, match="neither form"):
        final_lines(notebook)
    notebook["cells"][0]["outputs"][0]["text"] = ["final: validation accuracy 0.900 (chance "
                                                  "0.25); validation loss 0.300 (chance 1.386)\n"]
    assert [ln.value for ln in final_lines(notebook)] == [0.9]
