"""The source notes' ImageNet demo: an elephant photo through InceptionV3's ImageNet weights.

The notes ran ``InceptionV3(weights="imagenet")`` on their own ``elephant.jpg`` (not
published) and printed the top 5 in :data:`NOTES_TOP5`. We use the African elephant photo of
the keras.io Grad-CAM example (:data:`ELEPHANT_URL`): another photo, so the probabilities
can differ while the classes should agree. Downloads go through
:func:`lessons_lib.models._common.fetch_file` (cached in ``~/.keras/models``); nothing is
downloaded when ``LESSONS_OFFLINE=1`` (CI), and a failed download raises
:class:`~lessons_lib.models.WeightsUnavailableError`, which a chapter catches.
"""

from __future__ import annotations

import numpy as np

from lessons_lib.data import download
from lessons_lib.models._common import WeightsUnavailableError, fetch_file
from lessons_lib.validation import check_int

#: The elephant photo of the keras.io Grad-CAM example ("african_elephant.jpg").
ELEPHANT_URL = "https://i.imgur.com/Bvro0YD.png"
ELEPHANT_FILE = "african_elephant.jpg"

#: The notes' printed prediction: ``decode_predictions(preds)`` for their elephant.jpg.
NOTES_TOP5 = (("n02504458", "African_elephant", 0.50874853),
              ("n01871265", "tusker", 0.19524273),
              ("n02504013", "Indian_elephant", 0.1566972),
              ("n01917289", "brain_coral", 0.0008956835),
              ("n01695060", "Komodo_dragon", 0.0008260256))


def offline_requested() -> bool:
    """True when ``LESSONS_OFFLINE`` asks for no downloads (as :mod:`lessons_lib.data` reads it)."""
    return download.offline_requested()


def load_photo(size: int = 299, url: str = ELEPHANT_URL,
               file_name: str = ELEPHANT_FILE) -> np.ndarray:
    """Download (or reuse the cached) photo and resize it to ``size x size``.

    Returns:
        float32 array (size, size, 3), RGB pixel values 0..255.

    Raises:
        WeightsUnavailableError: ``LESSONS_OFFLINE`` is set, or the download failed.
        TypeError, ValueError: ``size`` is not an integer >= 75 (InceptionV3's smallest input).
    """
    size = check_int("size", size, 75)
    if offline_requested():
        raise WeightsUnavailableError(f"{download.OFFLINE_ENV_VAR} is set, so the photo {url} "
                                      "is not downloaded.")
    import keras

    path = fetch_file(file_name, url, what="photo")
    image = keras.utils.load_img(path, target_size=(size, size), color_mode="rgb")
    return keras.utils.img_to_array(image).astype("float32")


def compare_top5(ours):
    """The notes' top 5 next to ours, one row per rank.

    Args:
        ours: the top 5 of one image as ``decode_predictions`` returns it, a list of
            ``(wordnet_id, class_name, probability)``; or None (offline: only the notes').

    Returns:
        pandas.DataFrame with columns ``rank``, ``notes: class``, ``notes: probability``,
        and, when ``ours`` is given, ``this book: class``, ``this book: probability``.
    """
    import pandas as pd

    table = pd.DataFrame({"rank": range(1, 6),
                          "notes: class": [c for _, c, _ in NOTES_TOP5],
                          "notes: probability": [round(p, 3) for _, _, p in NOTES_TOP5]})
    if ours is not None:
        if len(ours) != 5:
            raise ValueError(f"ours must hold 5 (wordnet_id, class, probability) tuples, "
                             f"got {len(ours)}")
        table["this book: class"] = [c for _, c, _ in ours]
        table["this book: probability"] = [round(float(p), 3) for _, _, p in ours]
    return table
