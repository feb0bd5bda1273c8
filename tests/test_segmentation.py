import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from lessons_lib.segmentation import (confusion_matrix, iou_per_class, mean_iou,  # noqa: E402
                                      show_masks)


def test_confusion_matrix_counts_pixels():
    y_true = np.array([[0, 0, 1], [1, 2, 2]])
    y_pred = np.array([[0, 1, 1], [1, 2, 0]])
    cm = confusion_matrix(y_true, y_pred, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert cm.sum() == y_true.size


def test_iou_by_hand():
    y_true = np.array([[0, 0, 1], [1, 2, 2]])
    y_pred = np.array([[0, 1, 1], [1, 2, 0]])
    ious = iou_per_class(confusion_matrix(y_true, y_pred, 3))
    # class 0: TP 1, FP 1, FN 1 -> 1/3; class 1: TP 2, FP 1 -> 2/3; class 2: TP 1, FN 1 -> 1/2
    np.testing.assert_allclose(ious, [1 / 3, 2 / 3, 1 / 2])
    assert mean_iou(y_true, y_pred, 3) == pytest.approx((1 / 3 + 2 / 3 + 1 / 2) / 3)


def test_perfect_and_absent_classes():
    y = np.array([[0, 1], [1, 0]])
    ious = iou_per_class(confusion_matrix(y, y, 3))
    assert ious[0] == 1 and ious[1] == 1 and np.isnan(ious[2])
    assert mean_iou(y, y, 3) == 1.0


def test_matches_keras_mean_iou():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, size=(3, 8, 8))
    y_pred = rng.integers(0, 4, size=(3, 8, 8))
    metric = keras.metrics.MeanIoU(num_classes=4)
    metric.update_state(y_true, y_pred)
    assert mean_iou(y_true, y_pred, 4) == pytest.approx(float(metric.result()), rel=1e-6)


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="same shape"):
        confusion_matrix(np.zeros((4, 4), int), np.zeros((2, 2), int), 2)
    with pytest.raises(ValueError, match="outside"):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)
    with pytest.raises(ValueError, match="integer"):
        confusion_matrix(np.zeros(3), np.zeros(3), 2)
    with pytest.raises(ValueError, match="n_classes"):
        confusion_matrix(np.zeros(3, int), np.zeros(3, int), 0)
    with pytest.raises(ValueError, match="square"):
        iou_per_class(np.zeros((2, 3)))


def test_show_masks_draws_three_columns():
    images = np.random.default_rng(0).random((2, 8, 8, 3))
    masks = np.zeros((2, 8, 8), int)
    fig = show_masks(images, masks, masks, ["background", "circle"], n=2, title="t")
    assert len(fig.axes) == 6
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_pixel_crossentropy_is_the_mean_sparse_crossentropy_and_trains():
    import keras

    from lessons_lib.segmentation import pixel_crossentropy

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 5, 5, 3)).astype("float32")
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.integers(0, 3, size=(2, 5, 5)).astype("int32")
    by_hand = -np.log(np.take_along_axis(probs, labels[..., None], -1)).mean()
    got = float(keras.ops.convert_to_numpy(pixel_crossentropy(labels, probs)))
    keras_mean = float(np.mean(keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(labels, probs))))
    assert abs(got - by_hand) < 1e-5 and abs(got - keras_mean) < 1e-5
    # A per-pixel softmax model trains with it on this backend (on torch 2.13 the 4-D
    # sparse_categorical_crossentropy fails in the backward pass; this loss does not).
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    outputs = keras.layers.Conv2D(3, 3, padding="same", activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss=pixel_crossentropy)
    images = rng.random((4, 8, 8, 3)).astype("float32")
    masks = rng.integers(0, 3, size=(4, 8, 8)).astype("int32")
    history = model.fit(images, masks, epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][0])
