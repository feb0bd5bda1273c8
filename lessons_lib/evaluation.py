"""What a trained classifier gets right and wrong, and the one ``final:`` line every run prints.

- :func:`predict_labels`: a classifier's predicted labels over batches, with the images;
- :func:`show_confusion` and :func:`show_mistakes`: the confusion matrix and a few
  misclassified images (matplotlib);
- :func:`spread`: mean and spread of a result over seeds;
- :func:`final_classification` and :func:`final_segmentation`: the run's result in one line,
  the form the tests of the built book read (``tests/test_training_targets.py``).

The ``final`` line, one per training run:

- ``final: validation accuracy 0.93 (chance 0.25); validation loss 0.21 (chance 1.386)``
  for a classifier (chance loss: ``ln(n_classes)``, what a network that outputs the uniform
  distribution scores);
- ``final: mean IoU 0.78; per class background 0.97, circle 0.71, square 0.66`` for
  segmentation;
- ``final (control): ...`` for a run meant not to learn or to be beaten (memorising noise, a
  plain stack against a residual one, training from scratch against fine-tuning);
- ``final (experiment): ... mean 0.81, spread 0.03 over 3 seeds`` for a compared variant.

Words that name the run may follow the numbers (after `` - ``). Importing this module
imports NumPy only; the figures import matplotlib when called.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from lessons_lib.segmentation import confusion_matrix
from lessons_lib.validation import check_choice, check_int

__all__ = ["predict_labels", "show_confusion", "show_mistakes", "show_samples",
           "describe_confusion", "spread",
           "final_classification", "final_segmentation", "parse_final", "FinalLine", "ROLES"]

#: The kinds of run a ``final`` line can report: ``None`` (a run that should learn),
#: a control, or a compared variant.
ROLES = (None, "control", "experiment")


def predict_labels(model, batches):
    """Run a classifier over ``(images, labels)`` batches.

    Args:
        model: a Keras classifier whose output is (B, n_classes) probabilities or logits.
        batches: an iterable of ``(images, labels)`` NumPy batches (e.g. ``data.val``).

    Returns:
        ``(images, true, predicted)``: float32 images (N, S, S, 3) as the batches hold them,
        int labels (N,) and the argmax of the model's output (N,).
    """
    images, truths, preds = [], [], []
    for index in range(len(batches)):
        x, y = batches[index]
        images.append(np.asarray(x))
        truths.append(np.asarray(y))
        preds.append(np.asarray(model.predict_on_batch(x)).argmax(axis=-1))
    if not images:
        raise ValueError("`batches` must yield at least one batch; received none.")
    return np.concatenate(images), np.concatenate(truths), np.concatenate(preds)


def show_confusion(true, predicted, class_names, title: str = ""):
    """The confusion matrix as a picture: rows the true class, columns the predicted one.

    Each cell shows its count; the diagonal holds the right answers. Returns
    ``(figure, matrix)``, the matrix an int64 array (n_classes, n_classes).
    """
    import matplotlib.pyplot as plt

    n = len(class_names)
    cm = confusion_matrix(np.asarray(true), np.asarray(predicted), n)
    fig, ax = plt.subplots(figsize=(1.0 + 0.9 * n, 0.8 + 0.9 * n))
    ax.imshow(cm, cmap="Blues")
    for t in range(n):
        for p in range(n):
            ax.text(p, t, str(cm[t, p]), ha="center", va="center",
                    color="white" if cm[t, p] > cm.max() / 2 else "black")
    ax.set_xticks(range(n), class_names, rotation=45, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix (validation)")
    fig.tight_layout()
    return fig, cm


def show_mistakes(images, true, predicted, class_names, n: int = 6, to_unit=None):
    """Up to ``n`` misclassified images, each titled ``true -> predicted``.

    Args:
        images: (N, S, S, 3) images; ``to_unit`` maps them back to [0, 1] for display
            (e.g. ``lambda x: (x + 1) / 2`` for images in [-1, 1]); default: as they are.
        true, predicted: int labels (N,).
        class_names: one name per class.
        n: most images to show (>= 1).

    Returns:
        ``(figure, count)``: the figure (None when nothing is misclassified) and the number of
        misclassified images.
    """
    import matplotlib.pyplot as plt

    n = check_int("n", n, 1)
    wrong = np.flatnonzero(np.asarray(true) != np.asarray(predicted))
    if wrong.size == 0:
        return None, 0
    shown = wrong[:n]
    fig, axes = plt.subplots(1, len(shown), figsize=(1.8 * len(shown), 2.2), squeeze=False)
    for ax, i in zip(axes[0], shown):
        picture = images[i] if to_unit is None else to_unit(images[i])
        ax.imshow(np.clip(picture, 0, 1))
        ax.set_title(f"{class_names[true[i]]}\n-> {class_names[predicted[i]]}", fontsize=9)
        ax.axis("off")
    fig.suptitle(f"{wrong.size} of {len(true)} validation images misclassified "
                 "(true -> predicted)", fontsize=10)
    fig.tight_layout()
    return fig, int(wrong.size)


def describe_confusion(cm, class_names) -> str:
    """One sentence on a confusion matrix: how many images are wrong, and the commonest mistake.

    Args:
        cm: int array (n_classes, n_classes), rows the true class, columns the prediction.
        class_names: one name per class.

    Returns:
        e.g. ``"15 of the 256 validation images are misclassified; the most frequent mistake
        is square taken for circle (8 images)."``
    """
    cm = np.asarray(cm)
    off_diagonal = cm - np.diag(np.diag(cm))
    wrong, total = int(off_diagonal.sum()), int(cm.sum())
    text = f"{wrong} of the {total} validation images are misclassified"
    if not wrong:
        return text + "."
    true, predicted = np.unravel_index(off_diagonal.argmax(), cm.shape)
    return (text + f"; the most frequent mistake is {class_names[true]} taken for "
            f"{class_names[predicted]} ({off_diagonal.max()} image"
            f"{'s' if off_diagonal.max() > 1 else ''}).")


def spread(values) -> tuple[float, float]:
    """Mean and spread of a result over seeds: ``(mean, sample standard deviation)``.

    The spread is the standard deviation with ``ddof=1`` (0 for a single value): the error
    bar of the figures.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size < 1:
        raise ValueError("`values` must hold at least one result; received none.")
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def _head(role) -> str:
    check_choice("role", role, ROLES)
    return "final:" if role is None else f"final ({role}):"


def final_classification(accuracy, n_classes: int, loss=None, *, role=None, what: str = "",
                         seeds=None) -> str:
    """The ``final`` line of a classifier.

    Args:
        accuracy: validation accuracy in [0, 1]; with ``seeds``, one value per seed.
        n_classes: number of classes (>= 2): chance accuracy ``1 / n_classes``, chance loss
            ``ln(n_classes)``.
        loss: validation loss (cross-entropy, nats), or one per seed; None to leave it out.
        role: ``None``, ``"control"`` or ``"experiment"`` (see the module docstring).
        what: words naming the run, printed after the numbers (e.g. ``"mini-Xception"``).
        seeds: the seeds, when ``accuracy`` holds one value per seed.

    Returns:
        e.g. ``"final: validation accuracy 0.93 (chance 0.25); validation loss 0.21
        (chance 1.386) - mini-Xception"``, or with seeds ``"final (experiment): validation
        accuracy mean 0.81, spread 0.03 over 3 seeds (chance 0.25) - residual"``.
    """
    n_classes = check_int("n_classes", n_classes, 2)
    chance, chance_loss = 1.0 / n_classes, math.log(n_classes)
    if seeds is not None:
        mean, sd = spread(accuracy)
        text = (f"{_head(role)} validation accuracy mean {mean:.3f}, spread {sd:.3f} over "
                f"{len(np.atleast_1d(accuracy))} seeds (chance {chance:.2f})")
        if loss is not None:
            loss_mean, loss_sd = spread(loss)
            text += (f"; validation loss mean {loss_mean:.3f}, spread {loss_sd:.3f} "
                     f"(chance {chance_loss:.3f})")
    else:
        text = f"{_head(role)} validation accuracy {float(accuracy):.3f} (chance {chance:.2f})"
        if loss is not None:
            text += f"; validation loss {float(loss):.3f} (chance {chance_loss:.3f})"
    return text + (f" - {what}" if what else "")


def final_segmentation(ious, class_names, *, role=None, what: str = "") -> str:
    """The ``final`` line of a segmentation run: mean IoU, then the IoU of every class.

    Args:
        ious: IoU per class (NaN for a class absent from truth and prediction), in the order
            of ``class_names``.
        class_names: one name per mask class.

    Returns:
        e.g. ``"final: mean IoU 0.780; per class background 0.970, circle 0.710,
        square 0.660"``.
    """
    ious = np.asarray(ious, dtype=np.float64)
    if ious.shape != (len(class_names),):
        raise ValueError(f"`ious` must hold one IoU per class ({len(class_names)}); "
                         f"received shape {ious.shape}.")
    per_class = ", ".join(f"{name} {iou:.3f}" for name, iou in zip(class_names, ious))
    text = f"{_head(role)} mean IoU {np.nanmean(ious):.3f}; per class {per_class}"
    return text + (f" - {what}" if what else "")


@dataclass(frozen=True)
class FinalLine:
    """One ``final`` line, read back (:func:`parse_final`).

    Attributes:
        role: ``None``, ``"control"`` or ``"experiment"``.
        kind: ``"classification"`` or ``"segmentation"``.
        value: validation accuracy (its mean over seeds, when there are seeds) or mean IoU.
        spread: standard deviation over seeds (0 for a single run).
        seeds: number of seeds (1 for a single run).
        chance: chance accuracy (classification), else None.
        loss, chance_loss: validation loss (mean over seeds) and ``ln(n_classes)``, or None.
        per_class: segmentation only: class name -> IoU.
        what: the words after the numbers ("" if none).
        text: the whole line.
    """

    role: str | None
    kind: str
    value: float
    spread: float = 0.0
    seeds: int = 1
    chance: float | None = None
    loss: float | None = None
    chance_loss: float | None = None
    per_class: dict = field(default_factory=dict)
    what: str = ""
    text: str = ""


_HEAD = re.compile(r"^final(?: \((control|experiment)\))?: (.*)$")
_NUMBER = r"(-?[0-9]+(?:\.[0-9]+)?|nan)"
_ACCURACY = re.compile(
    rf"^validation accuracy (?:mean {_NUMBER}, spread {_NUMBER} over ([0-9]+) seeds|{_NUMBER})"
    rf" \(chance {_NUMBER}\)"
    rf"(?:; validation loss (?:mean {_NUMBER}, spread {_NUMBER}|{_NUMBER}) \(chance {_NUMBER}\))?")
_IOU = re.compile(rf"^mean IoU {_NUMBER};"
                  r" per class ((?:[^,;]+? -?[0-9.]+|[^,;]+? nan)(?:, [^,;]+? (?:-?[0-9.]+|nan))*)")


def parse_final(line: str) -> FinalLine | None:
    """Read a line printed by :func:`final_classification` or :func:`final_segmentation`.

    Returns None for a line that does not start with ``final:`` or ``final (role):``.

    Raises:
        ValueError: the line starts like a ``final`` line but its numbers are not in one of
            the two forms (so a misprinted result is an error, not a skipped line).
    """
    head = _HEAD.match(line.strip())
    if head is None:
        return None
    role, rest = head.group(1), head.group(2)
    accuracy = _ACCURACY.match(rest)
    if accuracy:
        g = accuracy.groups()
        value, sd, seeds = ((float(g[0]), float(g[1]), int(g[2])) if g[0] is not None
                            else (float(g[3]), 0.0, 1))
        loss = g[5] if g[5] is not None else g[7]
        what = rest[accuracy.end():].removeprefix(" - ").strip()
        return FinalLine(role, "classification", value, sd, seeds, float(g[4]),
                         None if loss is None else float(loss),
                         None if g[8] is None else float(g[8]), what=what, text=line.strip())
    iou = _IOU.match(rest)
    if iou:
        per_class = {}
        for item in iou.group(2).split(", "):
            name, _, number = item.rpartition(" ")
            per_class[name] = float(number)
        what = rest[iou.end():].removeprefix(" - ").strip()
        return FinalLine(role, "segmentation", float(iou.group(1)), per_class=per_class,
                         what=what, text=line.strip())
    raise ValueError(f"a `final` line in neither form: {line.strip()!r}; see "
                     "lessons_lib.evaluation for the two forms.")


def show_samples(images, labels, class_names, n: int = 12, title: str = "", to_unit=None):
    """A grid of images with their labels, as the data first appears in a chapter.

    Args:
        images: (N, S, S, 3) images in [0, 1] (or mapped there by ``to_unit``).
        labels: int labels (N,).
        class_names: one name per class.
        n: images to show (the first ``n``; >= 1), in rows of 6.

    Returns:
        the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    n = min(check_int("n", n, 1), len(images))
    cols = min(6, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.7 * cols, 1.9 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            picture = images[k] if to_unit is None else to_unit(images[k])
            ax.imshow(np.clip(picture, 0, 1))
            ax.set_title(class_names[int(labels[k])], fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
