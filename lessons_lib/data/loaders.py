"""The two loaders: real photographs when they can be had, generated images otherwise.

:func:`load_classification` (TF flowers, or generated shapes) and :func:`load_segmentation`
(Oxford-IIIT Pet with its trimaps, or generated shapes) return an :class:`ImageData`: a
train and a validation :class:`~lessons_lib.data.pipelines.Batches` (what ``model.fit``
takes on TensorFlow, JAX and PyTorch), the class names, the counts, and why this source was
used. Each prints that in one line. Photos are decoded with Pillow, no TensorFlow needed.

Importing this module imports NumPy only; the pipelines (Keras, Pillow) are imported when a
loader builds them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lessons_lib.data import download
from lessons_lib.data.generated import (SHAPE_KINDS, make_shapes_classification,
                                        make_shapes_segmentation, resolve_kinds)
from lessons_lib.validation import (check_bool, check_choice, check_existing_folder,
                                    check_fraction, check_int)

__all__ = ["ImageData", "load_classification", "load_segmentation", "PET_MASK_CLASSES",
           "CLASSIFICATION_SOURCES", "SEGMENTATION_SOURCES"]

#: Mask classes of Oxford-IIIT Pet after subtracting 1 from the trimap values.
PET_MASK_CLASSES = ("pet", "background", "border")

#: Names accepted by ``prefer=`` in the two loaders.
CLASSIFICATION_SOURCES = ("flowers", "generated")
SEGMENTATION_SOURCES = ("oxford_pets", "generated")

#: File names read as images in class folders (as ``image_dataset_from_directory`` does).
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


@dataclass
class ImageData:
    """Train and validation :class:`~lessons_lib.data.pipelines.Batches`, and where they came from.

    Attributes:
        train: batches of ``(images, targets)`` NumPy arrays, reshuffled every epoch.
            images: float32 (batch, S, S, 3) in [0, 1]. targets: int32 labels (batch,) for
            classification, int32 masks (batch, S, S) for segmentation.
        val: the same, in a fixed order.
        class_names: one name per class index (labels or mask values).
        source: ``"flowers"``, ``"oxford_pets"``, ``"directory"`` or ``"generated"``.
        n_train, n_val: number of images in each split.
        reason: why this source was used (e.g. why the real data could not be had), and
            which files were skipped because Pillow cannot read them, if any.
        task: ``"classification"`` or ``"segmentation"``.
        image_size: side of the square images, in pixels.
        location: the folder the images were read from (None for generated data).
        rendered: True if the training images are rendered afresh every epoch (generated
            data with ``fresh=True``): ``n_train`` is then the number per epoch.
    """

    train: Any
    val: Any
    class_names: list[str]
    source: str
    n_train: int
    n_val: int
    reason: str
    task: str
    image_size: int
    location: str | None = field(default=None)
    rendered: bool = field(default=False)

    @property
    def num_classes(self) -> int:
        """Number of classes (labels for classification, mask values for segmentation)."""
        return len(self.class_names)

    def summary(self) -> str:
        """One line: source, task, counts, size, classes, reason."""
        if self.rendered:
            counts = (f"{self.n_train} new training images every epoch, {self.n_val} fixed "
                      "validation images")
        else:
            counts = (f"{self.n_train + self.n_val} images ({self.n_train} train / "
                      f"{self.n_val} val)")
        return (
            f"Data for {self.task}: {self.source}, {counts} at {self.image_size}x{self.image_size}, "
            f"{self.num_classes} classes {self.class_names}. Why: {self.reason}"
        )


# --------------------------------------------------------------------------------------
# Splits, sources and batches
# --------------------------------------------------------------------------------------


def _n_val(n: int, val_fraction: float) -> int:
    """Validation images out of ``n`` (>= 2): the rounded share, at least 1, leaving 1 to train."""
    return min(n - 1, max(1, int(round(n * val_fraction))))


def _batches(train_source, val_source, batch_size: int, seed: int):
    """Training batches (reshuffled every epoch, seeded) and validation batches (fixed order)."""
    from lessons_lib.data.pipelines import Batches

    return (Batches(train_source, batch_size, shuffle=True, seed=seed),
            Batches(val_source, batch_size, shuffle=False))


def _from_arrays(images: np.ndarray, targets: np.ndarray, batch_size: int, val_fraction: float,
                 seed: int):
    """Split in-memory arrays (first part train, last part val) into batches.

    Returns:
        ``(train, val, n_train, n_val)``; images stay float32, targets int32.
    """
    from lessons_lib.data.pipelines import ArraySource

    n_train = len(images) - _n_val(len(images), val_fraction)
    train, val = _batches(ArraySource(images[:n_train], targets[:n_train]),
                          ArraySource(images[n_train:], targets[n_train:]), batch_size, seed)
    return train, val, n_train, len(images) - n_train


def _rendered(make, n: int, val_fraction: float, batch_size: int, seed: int):
    """Training batches rendered afresh every epoch and a fixed validation set, both by ``make``.

    ``make(n, seed) -> (images, targets)`` is a generator of :mod:`lessons_lib.data.generated`
    with its size and classes fixed. The validation set is ``make(n_val, seed)``; the training
    images of epoch ``e`` come from another seed stream (:class:`RenderedSource`), so they never
    repeat the validation images.

    Returns:
        ``(train, val, n_train, n_val)``: ``n_train`` images per epoch.
    """
    from lessons_lib.data.pipelines import ArraySource, RenderedSource

    n_val = _n_val(n, val_fraction)
    n_train = n - n_val
    train, val = _batches(RenderedSource(make, n_train, seed), ArraySource(*make(n_val, seed)),
                          batch_size, seed)
    return train, val, n_train, n_val


def _generated(make, names, task, n_generated, val_fraction, batch_size, seed, fresh, reason,
               image_size) -> "ImageData":
    """Generated data from ``make(n, seed) -> (images, targets)``: rendered afresh every epoch
    (``fresh``, :func:`_rendered`) or ``n_generated`` examples made once and split."""
    if fresh:
        train, val, n_train, n_val = _rendered(make, n_generated, val_fraction, batch_size, seed)
    else:
        train, val, n_train, n_val = _from_arrays(*make(n_generated, seed), batch_size,
                                                  val_fraction, seed)
    return ImageData(train, val, names, "generated", n_train, n_val, reason, task, image_size,
                     rendered=fresh)


def _keep_readable(files: list[tuple[Path, ...]]) -> tuple[list[tuple[Path, ...]], list[Path]]:
    """Split tuples of files into those whose every file Pillow can open, and the others.

    Returns:
        ``(kept, skipped)``: the readable tuples in their order, and the unreadable files.
    """
    from lessons_lib.data.pipelines import readable

    kept, skipped = [], []
    for paths in files:
        bad = [p for p in paths if not readable(p)]
        if bad:
            skipped += bad
        else:
            kept.append(paths)
    return kept, skipped


def _skipped_note(skipped: list[Path]) -> str:
    """``""``, or ``"; skipped 2 files Pillow cannot read: a.jpg, b.png"`` (at most 3 named)."""
    if not skipped:
        return ""
    names = ", ".join(p.name for p in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
    files = "file" if len(skipped) == 1 else "files"
    return f"; skipped {len(skipped)} {files} Pillow cannot read: {names}"


def _classification_from_directory(directory: Path, image_size: int, batch_size: int,
                                   val_fraction: float, seed: int):
    """Read ``directory/<class_name>/**/*.jpg|png|...`` with Pillow.

    Class names are the sorted sub-folder names and label k is ``class_names[k]``. Files whose
    header Pillow cannot read are skipped (and named in the returned note). The split is a
    permutation seeded by ``seed``. Images are resized (bilinear) to ``image_size`` x
    ``image_size`` without keeping the aspect ratio, when a batch first needs them.

    Returns:
        ``(train, val, class_names, n_train, n_val, note)``.
    """
    from lessons_lib.data.pipelines import FileSource

    class_names = sorted(p.name for p in directory.iterdir()
                         if p.is_dir() and not p.name.startswith("."))
    files = [((path,), label) for label, name in enumerate(class_names)
             for path in sorted((directory / name).rglob("*"))
             if path.suffix.lower() in _IMAGE_SUFFIXES and not path.name.startswith(".")
             and path.is_file()]
    label_of = {paths: label for paths, label in files}
    kept, skipped = _keep_readable([paths for paths, _ in files])
    if len(kept) < 2:
        raise ValueError(f"`data_dir` must hold at least 2 images Pillow can read; received "
                         f"data_dir={str(directory)!r} with {len(kept)}{_skipped_note(skipped)}.")
    n_val = _n_val(len(kept), val_fraction)
    order = np.random.default_rng(seed).permutation(len(kept))
    parts = []
    for part in (order[:len(kept) - n_val], order[len(kept) - n_val:]):
        parts.append(FileSource([kept[i][0] for i in part], image_size,
                                labels=[label_of[kept[i]] for i in part]))
    train, val = _batches(*parts, batch_size, seed)
    return train, val, class_names, len(kept) - n_val, n_val, _skipped_note(skipped)


def _oxford_pet_pairs(root: Path) -> list[tuple[Path, Path]]:
    """Matching ``(image, trimap)`` file paths in the Oxford-IIIT Pet layout.

    Layout: ``root/images/<name>.jpg`` and ``root/annotations/trimaps/<name>.png``. Files
    whose name starts with ``"._"`` (macOS metadata shipped in the archive) are skipped, and
    so are images without a trimap and trimaps without an image. Sorted by name.
    """
    images = {
        p.stem: p
        for p in (root / "images").iterdir()
        if p.suffix.lower() in (".jpg", ".jpeg", ".png") and not p.name.startswith(".")
    }
    trimaps = {
        p.stem: p
        for p in (root / "annotations" / "trimaps").iterdir()
        if p.suffix.lower() == ".png" and not p.name.startswith(".")
    }
    return [(images[name], trimaps[name]) for name in sorted(images.keys() & trimaps.keys())]


def _segmentation_from_oxford_layout(root: Path, image_size: int, batch_size: int,
                                     val_fraction: float, seed: int):
    """Batches over Oxford-IIIT Pet images and trimaps, decoded with Pillow.

    Each image (JPEG, or PNG saved with a .jpg name, as a few Pet files are) is resized
    bilinearly to ``image_size`` squared; its trimap is resized with nearest neighbour (so no
    new values appear) and shifted from {1, 2, 3} to {0, 1, 2}: 0 = pet, 1 = background,
    2 = border. A pair with a file whose header Pillow cannot read is skipped (named in the
    note), so the counts are the pairs actually read.

    Returns:
        ``(train, val, class_names, n_train, n_val, note)``.
    """
    from lessons_lib.data.pipelines import FileSource

    pairs, skipped = _keep_readable(_oxford_pet_pairs(root))
    if len(pairs) < 2:
        raise ValueError(f"`data_dir` must hold at least 2 image/trimap pairs Pillow can read; "
                         f"received data_dir={str(root)!r} with {len(pairs)}"
                         f"{_skipped_note(skipped)}.")
    n_val = _n_val(len(pairs), val_fraction)
    order = np.random.default_rng(seed).permutation(len(pairs))
    parts = []
    for part in (order[:len(pairs) - n_val], order[len(pairs) - n_val:]):
        parts.append(FileSource([pairs[i][0] for i in part], image_size,
                                mask_paths=[pairs[i][1] for i in part]))
    train, val = _batches(*parts, batch_size, seed)
    return train, val, list(PET_MASK_CLASSES), len(pairs) - n_val, n_val, _skipped_note(skipped)


# --------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------


def _check_loader_args(image_size, batch_size, val_fraction, n_generated, seed) -> tuple:
    return (check_int("image_size", image_size, 8), check_int("batch_size", batch_size, 1),
            check_fraction("val_fraction", val_fraction),
            check_int("n_generated", n_generated, 2), check_int("seed", seed, 0))


def _check_class_folders(data_dir) -> Path:
    """Return ``data_dir`` as a Path if it is a folder with >= 2 class sub-folders, else raise."""
    path = check_existing_folder("data_dir", data_dir)
    classes = sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise ValueError(
            "`data_dir` must hold at least 2 class sub-folders (one per class, with the "
            f"images inside); received data_dir={str(data_dir)!r} with sub-folders {classes}."
        )
    return path


def _check_oxford_layout(data_dir) -> Path:
    """Return ``data_dir`` as a Path if it has ``images/`` and ``annotations/trimaps/``."""
    path = check_existing_folder("data_dir", data_dir)
    for sub in ("images", "annotations/trimaps"):
        if not (path / sub).is_dir():
            raise ValueError(
                "`data_dir` must follow the Oxford-IIIT Pet layout (images/<name>.jpg and "
                f"annotations/trimaps/<name>.png); received data_dir={str(data_dir)!r}, "
                f"which has no '{sub}/'."
            )
    n_pairs = len(_oxford_pet_pairs(path))
    if n_pairs < 2:
        raise ValueError(f"`data_dir` must hold at least 2 image/trimap pairs; received "
                         f"data_dir={str(data_dir)!r} with {n_pairs}.")
    return path


def _report(data: ImageData, verbose: bool) -> ImageData:
    if verbose:
        print(data.summary())
    return data


# --------------------------------------------------------------------------------------
# The loaders
# --------------------------------------------------------------------------------------


def load_classification(
    prefer: str = "flowers",
    *,
    image_size: int = 64,
    batch_size: int = 32,
    val_fraction: float = 0.2,
    n_generated: int = 2000,
    n_classes_generated: int | None = None,
    kinds_generated=None,
    seed: int = 0,
    fresh: bool = True,
    allow_download: bool = True,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    verbose: bool = True,
) -> ImageData:
    """Image classification data: TF flowers if it can be had, generated shapes otherwise.

    Order of decision:

    1. ``data_dir`` given: read that folder (one sub-folder per class) the same way as
       flowers; errors in it raise instead of falling back.
    2. ``prefer="generated"`` or ``LESSONS_OFFLINE=1``: generated shapes.
    3. Flowers from the cache (``<cache_dir>/datasets/flower_photos_extracted``), or a
       download when ``allow_download`` and the server answers within a few seconds.
    4. Otherwise (or if reading fails): generated shapes
       (:func:`make_shapes_classification`), and the printed line says why.

    Photos are decoded with Pillow the first time a batch needs them and kept in memory as
    uint8 (``S * S * 3`` bytes each: 0.55 GB for the 3,670 flowers at 224 pixels). A file
    whose header Pillow cannot read is skipped and named in ``reason``.

    Args:
        prefer: ``"flowers"`` or ``"generated"``.
        image_size: side of the square images in pixels (>= 8); photos are resized.
        batch_size: images per batch (>= 1).
        val_fraction: share of the images held out for validation, in (0, 1).
        n_generated: number of generated images (train + val) if generated data is used.
        n_classes_generated: number of shape classes for generated data (2 to 8): the first
            ones of :data:`~lessons_lib.data.generated.SHAPE_KINDS`. Default: 4, or
            ``len(kinds_generated)``.
        kinds_generated: the shapes of the generated classes, in class order (a list or
            tuple of names from ``SHAPE_KINDS``, e.g. ``("ring", "cross", "star")``), instead
            of the first ``n_classes_generated``; giving both, they must agree.
        seed: fixes the train/validation split, the shuffling and the generated images.
        fresh: generated data only: render new training images every epoch (True; the
            network cannot memorise them, and ``n_generated * (1 - val_fraction)`` is the
            number per epoch) or generate ``n_generated`` once and split them (False).
        allow_download: if False, only a cached copy of the real data is used.
        data_dir: a local folder with class sub-folders, read instead of flowers.
        cache_dir: Keras home for downloads (default ``~/.keras``, or ``$KERAS_HOME``).
        verbose: print one line saying which data is used, why, and how many images.

    Returns:
        :class:`ImageData` with batches of (float32 (B, S, S, 3) in [0, 1], int32 (B,)).
    """
    prefer = check_choice("prefer", prefer, CLASSIFICATION_SOURCES)
    image_size, batch_size, val_fraction, n_generated, seed = _check_loader_args(
        image_size, batch_size, val_fraction, n_generated, seed
    )
    kinds_generated = resolve_kinds(n_classes_generated, kinds_generated,
                                    "n_classes_generated", "kinds_generated")
    allow_download, verbose = check_bool("allow_download", allow_download), check_bool(
        "verbose", verbose)
    fresh = check_bool("fresh", fresh)

    if data_dir is not None:
        directory = _check_class_folders(data_dir)
        train, val, names, n_train, n_val, note = _classification_from_directory(
            directory, image_size, batch_size, val_fraction, seed
        )
        data = ImageData(train, val, names, "directory", n_train, n_val,
                         f"data_dir={str(data_dir)!r} was given{note}", "classification",
                         image_size, str(directory))
        return _report(data, verbose)

    if prefer == "generated":
        reason = "prefer='generated'"
    else:
        home = download._keras_home(cache_dir)
        destination = home / "datasets" / "flower_photos_extracted"
        directory, reason = download._fetch(
            "TF flowers",
            [((download.FLOWERS_URL,), download.FLOWERS_SHA256)],
            destination,
            destination / "flower_photos",
            home,
            allow_download,
            verbose,
        )
        if directory is not None:
            try:
                train, val, names, n_train, n_val, note = _classification_from_directory(
                    directory, image_size, batch_size, val_fraction, seed
                )
            except Exception as error:  # e.g. a damaged cache: fall back, and say so
                reason = (
                    f"reading TF flowers from {directory} failed: "
                    f"{type(error).__name__}: {error}"
                )
            else:
                data = ImageData(train, val, names, "flowers", n_train, n_val, reason + note,
                                 "classification", image_size, str(directory))
                return _report(data, verbose)

    names = list(kinds_generated)

    def make(n, seed):
        images, labels, _ = make_shapes_classification(
            n, image_size=image_size, kinds=kinds_generated, seed=seed)
        return images, labels

    return _report(_generated(make, names, "classification", n_generated, val_fraction,
                              batch_size, seed, fresh, reason, image_size), verbose)


def load_segmentation(
    prefer: str = "oxford_pets",
    *,
    image_size: int = 64,
    batch_size: int = 32,
    val_fraction: float = 0.2,
    n_generated: int = 2000,
    n_classes_generated: int = 3,
    seed: int = 0,
    fresh: bool = True,
    allow_download: bool = True,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    verbose: bool = True,
) -> ImageData:
    """Segmentation data: Oxford-IIIT Pet if it can be had, generated shapes otherwise.

    Mask classes differ between the two sources:

    - Oxford-IIIT Pet (and ``data_dir``): 0 = pet, 1 = background, 2 = border
      (trimap value minus 1);
    - generated (:func:`make_shapes_segmentation`): 0 = background, k = ``SHAPE_KINDS[k-1]``.

    Always read ``class_names`` rather than assuming an order. The decision order is the
    same as in :func:`load_classification`. The real data is about 770 MB to download,
    each archive from the first of :data:`~lessons_lib.data.download.PETS_MIRRORS` that
    has it. Photos and trimaps are decoded with Pillow the first time a batch needs them
    and kept in memory (``S * S * 4`` bytes per pair).

    Args:
        prefer: ``"oxford_pets"`` or ``"generated"``.
        image_size: side of the square images and masks in pixels (>= 8).
        batch_size: images per batch (>= 1).
        val_fraction: share of the images held out for validation, in (0, 1).
        n_generated: number of generated images (train + val) if generated data is used.
        n_classes_generated: mask classes of the generated data including background (2 to 9).
        seed: fixes the split, the shuffling and the generated images.
        fresh: generated data only, as in :func:`load_classification`.
        allow_download: if False, only a cached copy of the real data is used.
        data_dir: a local folder in the Oxford-IIIT Pet layout (``images/<name>.jpg`` and
            ``annotations/trimaps/<name>.png``), read instead of the download.
        cache_dir: Keras home for downloads (default ``~/.keras``, or ``$KERAS_HOME``).
        verbose: print one line saying which data is used, why, and how many images.

    Returns:
        :class:`ImageData` with batches of (float32 (B, S, S, 3) in [0, 1], int32 (B, S, S)).
    """
    prefer = check_choice("prefer", prefer, SEGMENTATION_SOURCES)
    image_size, batch_size, val_fraction, n_generated, seed = _check_loader_args(
        image_size, batch_size, val_fraction, n_generated, seed
    )
    n_classes_generated = check_int("n_classes_generated", n_classes_generated, 2,
                                    len(SHAPE_KINDS) + 1)
    allow_download, verbose = check_bool("allow_download", allow_download), check_bool(
        "verbose", verbose)
    fresh = check_bool("fresh", fresh)

    if data_dir is not None:
        root = _check_oxford_layout(data_dir)
        train, val, names, n_train, n_val, note = _segmentation_from_oxford_layout(
            root, image_size, batch_size, val_fraction, seed
        )
        data = ImageData(train, val, names, "directory", n_train, n_val,
                         f"data_dir={str(data_dir)!r} was given{note}", "segmentation",
                         image_size, str(root))
        return _report(data, verbose)

    if prefer == "generated":
        reason = "prefer='generated'"
    else:
        home = download._keras_home(cache_dir)
        destination = home / "datasets" / "oxford_iiit_pet"
        found, reason = download._fetch(
            "Oxford-IIIT Pet",
            [(download.PETS_IMAGES_URLS, download.PETS_IMAGES_MD5),
             (download.PETS_ANNOTATIONS_URLS, download.PETS_ANNOTATIONS_MD5)],
            destination,
            destination / "annotations" / "trimaps",
            home,
            allow_download,
            verbose,
        )
        if found is not None:
            try:
                train, val, names, n_train, n_val, note = _segmentation_from_oxford_layout(
                    destination, image_size, batch_size, val_fraction, seed
                )
            except Exception as error:  # e.g. a damaged cache: fall back, and say so
                reason = (
                    f"reading Oxford-IIIT Pet from {destination} failed: "
                    f"{type(error).__name__}: {error}"
                )
            else:
                data = ImageData(train, val, names, "oxford_pets", n_train, n_val,
                                 reason + note, "segmentation", image_size, str(destination))
                return _report(data, verbose)

    names = ["background", *SHAPE_KINDS[:n_classes_generated - 1]]

    def make(n, seed):
        images, masks, _ = make_shapes_segmentation(
            n, image_size=image_size, n_classes=n_classes_generated, seed=seed)
        return images, masks

    return _report(_generated(make, names, "segmentation", n_generated, val_fraction,
                              batch_size, seed, fresh, reason, image_size), verbose)
