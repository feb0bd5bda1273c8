"""Segmentation helpers: a confusion matrix, intersection-over-union per class, mask pictures.

Importing this module imports NumPy only; :func:`show_masks` imports matplotlib and
:func:`pixel_crossentropy` Keras when called.

Conventions (the same as :mod:`lessons_lib.data`): a mask is an integer array of shape
``(..., height, width)`` with one class index per pixel in ``[0, n_classes)``; a predicted
mask is the ``argmax`` of the model's per-pixel softmax over the last axis.

Intersection over union (IoU, the Jaccard index) of class ``c``:

    IoU_c = TP_c / (TP_c + FP_c + FN_c)

counted over every pixel of every image. With the confusion matrix ``cm`` (rows = true
class, columns = predicted class) ``TP_c = cm[c, c]``, ``FP_c`` is the rest of column ``c``
and ``FN_c`` the rest of row ``c``. The mean IoU averages the classes that occur (in the
truth or the prediction); a class absent from both has no IoU (NaN) and is left out.
"""

from __future__ import annotations

import numpy as np

from lessons_lib.validation import check_int

__all__ = ["confusion_matrix", "iou_per_class", "mean_iou", "pixel_crossentropy", "predict_masks",
           "show_masks"]


def pixel_crossentropy(y_true, y_pred):
    """The mean cross-entropy over every pixel: the segmentation loss, on every Keras backend.

    The same number as ``keras.losses.sparse_categorical_crossentropy`` averaged over the
    batch and the pixels, computed on flattened tensors: ``(B, H, W)`` labels and
    ``(B, H, W, C)`` softmax outputs become ``(B*H*W,)`` and ``(B*H*W, C)``. Flattening
    sidesteps a PyTorch bug: on the torch backend Keras moves the class axis of a 4-D output
    with ``movedim`` and PyTorch's 2-D ``nll_loss`` backward then fails with
    "grad_input must be contiguous" (pytorch/pytorch#175084, in torch 2.13).

    Args:
        y_true: int class indices, shape (B, H, W) (or (B, H, W, 1)).
        y_pred: probabilities (softmax output), shape (B, H, W, C).

    Returns:
        A scalar tensor: the loss to pass as ``model.compile(loss=pixel_crossentropy)``.
    """
    import keras
    from keras import ops

    classes = ops.shape(y_pred)[-1]
    return ops.mean(keras.losses.sparse_categorical_crossentropy(
        ops.reshape(y_true, (-1,)), ops.reshape(y_pred, (-1, classes))))


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Pixel counts ``cm[t, p]``: pixels of true class ``t`` predicted as class ``p``.

    Args:
        y_true: integer masks, any shape.
        y_pred: integer masks of the same shape (class indices, not probabilities).
        n_classes: number of classes.

    Returns:
        int64 array of shape (n_classes, n_classes); it sums to the number of pixels.

    Raises:
        ValueError: different shapes, non-integer values, or classes outside [0, n_classes).
    """
    n_classes = check_int("n_classes", n_classes, 1)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and "
                         f"{y_pred.shape} (pass class indices, e.g. probs.argmax(-1), and masks "
                         "at the model's output resolution)")
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if values.size and not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"{name} must hold integer class indices, got dtype {values.dtype}")
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(f"{name} has classes outside [0, {n_classes}): "
                             f"min {values.min()}, max {values.max()}")
    flat = y_true.astype(np.int64).ravel() * n_classes + y_pred.astype(np.int64).ravel()
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def iou_per_class(cm) -> np.ndarray:
    """IoU of each class from a confusion matrix: ``TP / (TP + FP + FN)``; NaN where undefined.

    Args:
        cm: square confusion matrix (rows = true class, columns = predicted class).

    Returns:
        float64 array of shape (n_classes,), values in [0, 1] or NaN for a class that is in
        neither the truth nor the prediction.
    """
    cm = np.asarray(cm, dtype=np.float64)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square matrix, got shape {cm.shape}")
    tp = np.diag(cm)
    union = cm.sum(axis=0) + cm.sum(axis=1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan)


def mean_iou(y_true, y_pred, n_classes: int) -> float:
    """Mean of :func:`iou_per_class` over the classes that occur (NaN-free mean)."""
    ious = iou_per_class(confusion_matrix(y_true, y_pred, n_classes))
    if np.all(np.isnan(ious)):
        return float("nan")
    return float(np.nanmean(ious))


def predict_masks(model, dataset, max_batches: int | None = None):
    """Run ``model`` over a batched ``(images, masks)`` dataset and return numpy arrays.

    Returns:
        ``(images, true_masks, predicted_masks)``: float images (N, H, W, 3), int masks
        (N, H, W) and the argmax of the model's output (N, H', W') as int64.
    """
    images, truths, preds = [], [], []
    for i, (x, y) in enumerate(dataset):
        if max_batches is not None and i >= max_batches:
            break
        probs = model.predict_on_batch(x)
        images.append(np.asarray(x))
        truths.append(np.asarray(y))
        preds.append(np.asarray(probs).argmax(axis=-1))
    if not images:
        raise ValueError("the dataset yielded no batches")
    return np.concatenate(images), np.concatenate(truths), np.concatenate(preds)


def show_masks(images, true_masks, pred_masks, class_names, n: int = 4, title: str = ""):
    """A grid of ``n`` rows: the image, its true mask and the predicted mask (matplotlib).

    Masks use one colour per class (a legend names them). Returns the figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    n = min(int(n), len(images))
    if n < 1:
        raise ValueError("need at least one image to show")
    n_classes = len(class_names)
    colours = plt.get_cmap("tab10")(np.arange(n_classes) % 10)
    cmap = ListedColormap(colours)
    fig, axes = plt.subplots(n, 3, figsize=(7.5, 2.5 * n), squeeze=False)
    for row in range(n):
        panels = (images[row], true_masks[row], pred_masks[row])
        for col, (panel, label) in enumerate(zip(panels, ("image", "true mask", "predicted"))):
            ax = axes[row, col]
            if col == 0:
                ax.imshow(np.clip(panel, 0, 1))
            else:
                ax.imshow(panel, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5,
                          interpolation="nearest")
            if row == 0:
                ax.set_title(label)
            ax.axis("off")
    fig.legend(handles=[Patch(color=colours[i], label=name)
                        for i, name in enumerate(class_names)],
               loc="lower center", ncol=n_classes, frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
