"""lessons_lib.evaluation: the final lines, their parser, the confusion sentence and figures."""

import math

import keras
import matplotlib
import numpy as np
import pytest

from lessons_lib.evaluation import (
    describe_confusion,
    final_classification,
    final_segmentation,
    parse_final,
    predict_labels,
    show_confusion,
    show_mistakes,
    show_samples,
    spread,
)

matplotlib.use("Agg")


def test_final_lines_print_the_forms_the_tests_read_and_read_back_the_same():
    line = final_classification(0.9412, 4, 0.2184, what="mini_xception")
    assert line == ("final: validation accuracy 0.941 (chance 0.25); validation loss 0.218 "
                    "(chance 1.386) - mini_xception")
    parsed = parse_final(line)
    assert (parsed.role, parsed.kind, parsed.value, parsed.loss, parsed.chance_loss,
            parsed.what) == (None, "classification", 0.941, 0.218, 1.386, "mini_xception")
    seeds = final_classification([0.4, 0.5, 0.6], 4, [1.0, 1.1, 1.2], role="experiment",
                                 seeds=(0, 1, 2), what="residual")
    assert seeds.startswith("final (experiment): validation accuracy mean 0.500, spread 0.100 "
                            "over 3 seeds (chance 0.25); validation loss mean 1.100")
    parsed = parse_final(seeds)
    assert (parsed.value, parsed.spread, parsed.seeds, parsed.loss) == (0.5, 0.1, 3, 1.1)
    seg = final_segmentation([0.97, 0.71, 0.66], ["background", "circle", "square"])
    assert seg == ("final: mean IoU 0.780; per class background 0.970, circle 0.710, "
                   "square 0.660")
    assert parse_final(seg).per_class == {"background": 0.97, "circle": 0.71, "square": 0.66}
    assert parse_final("final training accuracy 0.9") is None  # not a final line
    with pytest.raises(ValueError, match="neither form"):
        parse_final("final: 0.93")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="role"):
        final_classification(0.9, 4, role="baseline")
    with pytest.raises(ValueError, match="n_classes"):
        final_classification(0.9, 1)
    with pytest.raises(ValueError, match=r"one IoU per class \(2\)"):
        final_segmentation([0.9, 0.8, 0.7], ["background", "circle"])
    with pytest.raises(ValueError, match="at least one result"):
        spread([])


def test_spread_is_the_sample_standard_deviation_and_zero_for_one_value():
    assert spread([0.4, 0.5, 0.6]) == pytest.approx((0.5, 0.1))
    assert spread([0.7]) == (0.7, 0.0)


def test_describe_confusion_counts_the_mistakes_and_names_the_commonest():
    cm = np.array([[50, 3, 0], [8, 40, 1], [0, 0, 60]])
    assert describe_confusion(cm, ["circle", "square", "triangle"]) == (
        "12 of the 162 validation images are misclassified; the most frequent mistake is square "
        "taken for circle (8 images).")
    assert describe_confusion(np.diag([5, 5]), ["a", "b"]) == (
        "0 of the 10 validation images are misclassified.")
    assert describe_confusion(np.array([[5, 1], [0, 5]]), ["a", "b"]).endswith("(1 image).")


def test_predict_labels_and_the_figures_on_a_tiny_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(
        keras.layers.GlobalAveragePooling2D()(inputs)))
    rng = np.random.default_rng(0)
    batches = [(rng.random((4, 8, 8, 3), dtype=np.float32), np.array([0, 1, 2, 0]))
               for _ in range(2)]
    images, true, predicted = predict_labels(model, batches)
    assert images.shape == (8, 8, 8, 3) and true.tolist() == [0, 1, 2, 0] * 2
    assert predicted.shape == (8,) and set(predicted.tolist()) <= {0, 1, 2}
    fig, cm = show_confusion(true, predicted, ["a", "b", "c"])
    assert cm.sum() == 8 and np.trace(cm) == int((true == predicted).sum())
    fig, wrong = show_mistakes(images, true, predicted, ["a", "b", "c"], n=2)
    assert wrong == int((true != predicted).sum())
    assert show_mistakes(images, true, true, ["a", "b", "c"]) == (None, 0)
    fig = show_samples(images, true, ["a", "b", "c"], n=7)
    assert sum(ax.get_title() != "" for ax in fig.axes) == 7
    with pytest.raises(ValueError, match="at least one batch"):
        predict_labels(model, [])
    assert math.isclose(spread([1.0, 1.0])[1], 0.0)
