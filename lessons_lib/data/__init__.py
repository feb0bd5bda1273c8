"""Datasets for the book: real photographs when they can be had, generated images otherwise.

One module per job:

- :mod:`lessons_lib.data.generated`: generated images, made with NumPy in about a second
  (coloured shapes for classification and segmentation, random noise);
- :mod:`lessons_lib.data.download`: where the real data lives (TF flowers, Oxford-IIIT Pet),
  the pinned hashes and mirrors, the HTTP probe, the download, the cache, ``LESSONS_OFFLINE``;
- :mod:`lessons_lib.data.pipelines`: :class:`Batches`, the input pipeline ``model.fit``
  takes on TensorFlow, JAX and PyTorch (a ``keras.utils.PyDataset``; photos decoded with
  Pillow, no TensorFlow);
- :mod:`lessons_lib.data.loaders`: :func:`load_classification` and
  :func:`load_segmentation`, which pick the source, say why, and return an
  :class:`ImageData`.

Conventions everywhere: images are ``float32`` in ``[0, 1]``, shape ``(height, width, 3)``
(channels last); class labels are ``int32``; segmentation masks are ``int32`` of shape
``(height, width)`` with values in ``[0, n_classes)``; ``image_size`` is the side of the
square images, in pixels. Oxford-IIIT Pet trimaps store 1 = pet, 2 = background, 3 = border;
we subtract 1, so **mask class 0 = pet, 1 = background, 2 = border**.

Importing this package imports NumPy only; Keras and Pillow are imported when batches are
built (``lessons_lib.data.Batches`` imports them on first use).
"""

from lessons_lib.data.download import (DOWNLOAD_STALL_TIMEOUT_S, FLOWERS_SHA256, FLOWERS_URL,
                                       OFFLINE_ENV_VAR, PETS_ANNOTATIONS_MD5,
                                       PETS_ANNOTATIONS_URLS, PETS_IMAGES_MD5, PETS_IMAGES_URLS,
                                       PETS_MIRRORS, PROBE_TIMEOUT_S, offline_requested)
from lessons_lib.data.generated import (SHAPE_KINDS, make_random_noise,
                                        make_shapes_classification, make_shapes_segmentation)
from lessons_lib.data.loaders import (CLASSIFICATION_SOURCES, PET_MASK_CLASSES,
                                      SEGMENTATION_SOURCES, ImageData, load_classification,
                                      load_segmentation)

__all__ = [
    "CLASSIFICATION_SOURCES",
    "SEGMENTATION_SOURCES",
    "SHAPE_KINDS",
    "PET_MASK_CLASSES",
    "OFFLINE_ENV_VAR",
    "ImageData",
    "Batches",
    "make_shapes_classification",
    "make_shapes_segmentation",
    "make_random_noise",
    "load_classification",
    "load_segmentation",
    "offline_requested",
    "FLOWERS_URL",
    "FLOWERS_SHA256",
    "PETS_MIRRORS",
    "PETS_IMAGES_URLS",
    "PETS_ANNOTATIONS_URLS",
    "PETS_IMAGES_MD5",
    "PETS_ANNOTATIONS_MD5",
    "PROBE_TIMEOUT_S",
    "DOWNLOAD_STALL_TIMEOUT_S",
]


def __getattr__(name: str):
    """``Batches`` is imported on first use: its module imports Keras and Pillow."""
    if name == "Batches":
        from lessons_lib.data.pipelines import Batches

        return Batches
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
