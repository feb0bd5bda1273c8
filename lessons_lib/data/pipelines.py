"""Input pipelines without TensorFlow: :class:`Batches`, what ``model.fit`` takes on every backend.

A :class:`Batches` is a ``keras.utils.PyDataset``: ``fit``, ``evaluate`` and ``predict``
accept it on TensorFlow, JAX and PyTorch alike. ``batches[i]`` is one batch
``(images, targets)`` of NumPy arrays:

- images ``float32`` ``(B, S, S, 3)`` in ``[0, 1]``;
- targets ``int32``: labels ``(B,)`` or masks ``(B, S, S)``.

``B`` is the batch size (the last batch may be smaller) and ``S`` the side of the square
images in pixels. Training batches are reshuffled at the end of every epoch from a seeded
``np.random.default_rng(seed)``, so the same seed gives the same batches in the same order
on every backend and every run.

Three sources of images stand behind it:

- :class:`ArraySource`: arrays in memory (a fixed generated set, e.g. validation);
- :class:`RenderedSource`: generated images rendered afresh every epoch from a seeded
  generator, so a network sees new examples each epoch and cannot memorise them;
- :class:`FileSource`: image files decoded with Pillow (photos, trimaps) the first time a
  batch asks for them, resized to ``S x S`` and kept as ``uint8`` in memory, so later
  epochs decode nothing. A batch's files are decoded by a small thread pool (Pillow
  releases the GIL while it decodes and resizes).

Importing this module imports Keras (for ``PyDataset``) and Pillow.
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
from PIL import Image

from lessons_lib.validation import check_bool, check_int, describe

__all__ = ["Batches", "ArraySource", "RenderedSource", "FileSource", "readable"]

#: Threads that decode one batch's image files (at most one per file).
DECODE_THREADS = os.cpu_count() or 1


def readable(path) -> bool:
    """True if Pillow recognises the file at ``path`` as an image (a cheap check).

    Only the file's header is read (tens of microseconds), so a file whose pixel data is
    damaged still passes; :class:`FileSource` leaves such files out when it decodes them.
    """
    try:
        with Image.open(path) as image:
            return image.width > 0 and image.height > 0
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def decode_image(path, size: int) -> np.ndarray:
    """One photo as ``uint8`` ``(size, size, 3)`` RGB, resized bilinearly (aspect ratio not kept).

    Grey, palette, RGBA and CMYK files are converted to RGB (alpha dropped). A JPEG is
    decoded directly at 1/2, 1/4 or 1/8 of its size when that is still at least ``size``
    pixels on both sides (Pillow's ``draft``), which makes small ``size`` much faster.
    """
    with Image.open(path) as image:
        image.draft("RGB", (size, size))
        rgb = image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.uint8)


def decode_trimap(path, size: int) -> np.ndarray:
    """One trimap (or any one-channel mask image) as ``uint8`` ``(size, size)`` raw values.

    Resized with nearest neighbour, so no new values appear. Grey (``L``) and palette
    (``P``) images keep their stored values; any other mode is converted to grey first.
    """
    with Image.open(path) as mask:
        if mask.mode not in ("L", "P"):
            mask = mask.convert("L")
        small = mask.resize((size, size), Image.Resampling.NEAREST)
    return np.asarray(small, dtype=np.uint8)


class ArraySource:
    """Images and targets already in memory.

    Args:
        images: float32 (n, S, S, 3) in [0, 1].
        targets: int32 labels (n,) or masks (n, S, S).
    """

    def __init__(self, images: np.ndarray, targets: np.ndarray):
        if len(images) != len(targets) or len(images) < 1:
            raise ValueError("`images` and `targets` must hold the same number (>= 1) of "
                             f"examples; received {len(images)} images and {len(targets)} "
                             "targets.")
        self.images = np.asarray(images, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.int32)
        self.failed: list[str] = []  # nothing to decode, nothing can fail

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_shape(self) -> tuple:
        return self.images.shape[1:]

    @property
    def target_shape(self) -> tuple:
        return self.targets.shape[1:]

    def get(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The examples at ``indices`` (int array): float32 images and int32 targets."""
        return self.images[indices], self.targets[indices]


class RenderedSource(ArraySource):
    """Generated examples, rendered afresh every epoch: epoch ``e`` holds ``render(n, seed_e)``.

    An :class:`ArraySource` whose arrays are replaced at the end of every epoch.

    ``seed_e`` is drawn from ``np.random.SeedSequence([seed, e])``, so the same ``seed``
    gives the same examples in every epoch on every backend, each epoch's examples differ
    from the others', and no epoch repeats a validation set made from a plain integer seed
    with the same generator (its seed stream is a different one). :class:`Batches` calls
    :meth:`next_epoch` when Keras ends an epoch.

    Args:
        render: ``render(n, seed) -> (images, targets)``: float32 images (n, S, S, 3) in
            [0, 1] and int32 targets, labels (n,) or masks (n, S, S), e.g. a
            :func:`~lessons_lib.data.generated.make_shapes_classification` with its size fixed.
        n: examples per epoch (>= 1).
        seed: seeds every epoch's rendering (>= 0).
    """

    def __init__(self, render, n: int, seed: int = 0):
        if not callable(render):
            raise TypeError("`render` must be a callable render(n, seed) -> (images, targets); "
                            f"{describe('render', render)}.")
        self.render = render
        self.n = check_int("n", n, 1)
        self.seed = check_int("seed", seed, 0)
        self.epoch = 0
        self.failed: list[str] = []  # nothing to decode, nothing can fail
        self._render()

    def _render(self) -> None:
        epoch_seed = int(np.random.SeedSequence([self.seed, self.epoch]).generate_state(1)[0])
        images, targets = self.render(self.n, epoch_seed)
        self.images = np.asarray(images, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.int32)
        if len(self.images) != self.n or len(self.targets) != self.n:
            raise ValueError(f"`render` must return {self.n} images and targets; it returned "
                             f"{len(self.images)} and {len(self.targets)}.")

    def next_epoch(self) -> None:
        """Render the next epoch's examples."""
        self.epoch += 1
        self._render()

    def rewind(self) -> None:
        """Render epoch 0's examples again."""
        self.epoch = 0
        self._render()


class FileSource:
    """Image files, decoded with Pillow when a batch first asks for them, then kept in memory.

    Classification: ``labels`` gives one int class per image. Segmentation: ``mask_paths``
    gives one trimap per image; its stored values minus 1 are the mask classes (Oxford-IIIT
    Pet: 0 = pet, 1 = background, 2 = border). Images are kept as ``uint8`` (4x less memory
    than float32) and converted to float32 in [0, 1] per batch; trimaps as their raw values.

    A file that fails to decode (its header was readable, its pixel data is not) is left out
    of its batch, that batch and every later one, with a warning that names it; its path is
    added to :attr:`failed`. The loaders skip files whose header Pillow cannot read before
    they build a source (:func:`readable`), so this only happens to damaged files.

    Args:
        image_paths: one path per image.
        image_size: side ``S`` of the square images (and masks) in pixels.
        labels: int class per image (classification), or None.
        mask_paths: one trimap path per image (segmentation), or None.
    """

    def __init__(self, image_paths, image_size: int, *, labels=None, mask_paths=None):
        if (labels is None) == (mask_paths is None):
            raise ValueError("give exactly one of `labels` (classification) and `mask_paths` "
                             f"(segmentation); received labels={labels!r}, "
                             f"mask_paths={mask_paths!r}.")
        self.image_paths = [str(p) for p in image_paths]
        self.image_size = check_int("image_size", image_size, 1)
        n = len(self.image_paths)
        other = labels if labels is not None else mask_paths
        if n < 1 or len(other) != n:
            raise ValueError("`image_paths` must hold at least one path, and as many as "
                             f"{'labels' if labels is not None else 'mask_paths'}; received "
                             f"{n} and {len(other)}.")
        self.labels = None if labels is None else np.asarray(labels, dtype=np.int32)
        self.mask_paths = None if mask_paths is None else [str(p) for p in mask_paths]
        self.failed: list[str] = []
        self._images = np.zeros((n, image_size, image_size, 3), dtype=np.uint8)
        self._trimaps = (None if mask_paths is None
                         else np.zeros((n, image_size, image_size), dtype=np.uint8))
        self._state = np.zeros(n, dtype=np.int8)  # 0 not decoded, 1 decoded, -1 failed

    def __len__(self) -> int:
        return len(self.image_paths)

    @property
    def image_shape(self) -> tuple:
        return (self.image_size, self.image_size, 3)

    @property
    def target_shape(self) -> tuple:
        return () if self.labels is not None else (self.image_size, self.image_size)

    @property
    def n_decoded(self) -> int:
        """How many files have been decoded so far (successfully or not)."""
        return int(np.count_nonzero(self._state))

    def _decode(self, i: int) -> None:
        try:
            self._images[i] = decode_image(self.image_paths[i], self.image_size)
            if self.mask_paths is not None:
                self._trimaps[i] = decode_trimap(self.mask_paths[i], self.image_size)
            self._state[i] = 1
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            self._state[i] = -1
            paths = [self.image_paths[i]] + ([] if self.mask_paths is None
                                             else [self.mask_paths[i]])
            self.failed.append(" + ".join(paths))
            warnings.warn(f"left out {' + '.join(paths)}: Pillow cannot decode it "
                          f"({type(error).__name__}: {error})", RuntimeWarning, stacklevel=2)

    def get(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The examples at ``indices`` (int array), decoding the files not decoded yet.

        Returns:
            images float32 (k, S, S, 3) in [0, 1] and int32 targets, labels (k,) or masks
            (k, S, S); ``k`` is ``len(indices)`` minus the files that failed to decode.

        Raises:
            ValueError: every file asked for failed to decode (the message names them).
        """
        todo = [int(i) for i in indices if self._state[i] == 0]
        if len(todo) > 1:
            with ThreadPoolExecutor(min(DECODE_THREADS, len(todo))) as pool:
                list(pool.map(self._decode, todo))
        elif todo:
            self._decode(todo[0])
        kept = np.asarray(indices)[self._state[indices] == 1]
        if kept.size == 0:
            names = [self.image_paths[i] for i in indices]
            raise ValueError(f"every file of this batch failed to decode: {names}; delete or "
                             "replace them and load the data again.")
        images = self._images[kept].astype(np.float32) / 255.0
        if self.labels is not None:
            return images, self.labels[kept]
        return images, self._trimaps[kept].astype(np.int32) - 1


class Batches(keras.utils.PyDataset):
    """Batches of ``(images, targets)`` NumPy arrays; ``fit/evaluate/predict`` take them everywhere.

    ``len(batches)`` is the number of batches; ``batches[i]`` is batch ``i``: images float32
    ``(B, S, S, 3)`` in [0, 1], targets int32 labels ``(B,)`` or masks ``(B, S, S)``; the last
    batch may be smaller. With ``shuffle=True`` the examples are put in a new order from
    ``np.random.default_rng(seed)`` when the batches are made and at the end of every epoch
    (Keras calls :meth:`on_epoch_end`), the way ``tf.data``'s ``shuffle`` with
    ``reshuffle_each_iteration`` does; the same seed gives the same batches in the same
    order everywhere. Pass ``shuffle=False`` to ``fit``: Keras's own shuffle of a
    ``PyDataset`` would only permute whole batches, with Python's unseeded ``random``.

    :meth:`take` and :meth:`map` return views that share the examples and their order (the
    chapters call ``data.train.take(k)`` and ``data.train.map(f).take(k)`` as they did with
    ``tf.data``); a view's :meth:`on_epoch_end` reshuffles the examples of every view.

    Args:
        source: an :class:`ArraySource`, a :class:`RenderedSource` (new examples every epoch)
            or a :class:`FileSource`.
        batch_size: examples per batch (>= 1).
        shuffle: reshuffle every epoch (training) or keep the source's order (validation).
        seed: seeds the shuffling (>= 0).
    """

    def __init__(self, source, batch_size: int, *, shuffle: bool, seed: int = 0):
        super().__init__(workers=1, use_multiprocessing=False, max_queue_size=10)
        if not isinstance(source, (ArraySource, RenderedSource, FileSource)):
            raise TypeError(f"`source` must be an ArraySource, a RenderedSource or a FileSource; "
                            f"{describe('source', source)}.")
        self.source = source
        self.batch_size = check_int("batch_size", batch_size, 1)
        self.shuffle = check_bool("shuffle", shuffle)
        self._order = _Order(len(source), self.shuffle, check_int("seed", seed, 0))
        self._n_batches = math.ceil(len(source) / self.batch_size)
        self._fns: tuple = ()

    def __len__(self) -> int:
        return self._n_batches

    @property
    def num_images(self) -> int:
        """Number of examples in these batches (all of them, or those of the batches taken)."""
        return min(self._n_batches * self.batch_size, len(self.source))

    @property
    def failed(self) -> list[str]:
        """Files left out because they failed to decode (always empty for arrays)."""
        return list(self.source.failed)

    def __getitem__(self, index: int):
        """Batch ``index`` (0 to ``len - 1``) as ``(images, targets)`` NumPy arrays."""
        index = check_int("index", index)
        if not 0 <= index < self._n_batches:
            raise IndexError(f"`index` must be an integer in [0, {self._n_batches - 1}]; "
                             f"received index={index}.")
        start = index * self.batch_size
        images, targets = self.source.get(self._order.indices[start:start + self.batch_size])
        for fn in self._fns:
            images, targets = fn(images, targets)
        return images, targets

    def on_epoch_end(self) -> None:
        """Keras calls it after every epoch: a :class:`RenderedSource` renders new examples,
        and the examples are reshuffled (training batches only)."""
        if isinstance(self.source, RenderedSource):
            self.source.next_epoch()
        self._order.next_epoch()

    def rewind(self) -> None:
        """Start again from the first epoch: the same examples in the same order as when these
        batches were made, for a second model to train on exactly what the first one saw
        (every view shares the rewind)."""
        if isinstance(self.source, RenderedSource):
            self.source.rewind()
        self._order.rewind()

    def take(self, n: int) -> "Batches":
        """The first ``n`` batches (``n=-1``, or ``n`` larger than ``len``: all of them), a view."""
        n = check_int("n", n, -1)
        if n == 0:
            raise ValueError("`n` must be an integer >= 1, or -1 for every batch; received n=0.")
        view = copy.copy(self)
        view._n_batches = self._n_batches if n == -1 else min(n, self._n_batches)
        return view

    def map(self, fn) -> "Batches":
        """A view whose every batch is ``fn(images, targets)`` (NumPy arrays in and out)."""
        if not callable(fn):
            raise TypeError("`fn` must be a callable fn(images, targets) -> (images, targets); "
                            f"{describe('fn', fn)}.")
        view = copy.copy(self)
        view._fns = self._fns + (fn,)
        return view

    def __repr__(self) -> str:
        images = (self.batch_size, *self.source.image_shape)
        targets = (self.batch_size, *self.source.target_shape)
        total = math.ceil(len(self.source) / self.batch_size)
        taken = f"; the first {self._n_batches} of {total}" if self._n_batches < total else ""
        mapped = "".join(f", then map({getattr(fn, '__name__', repr(fn))})" for fn in self._fns)
        order = "reshuffled every epoch" if self.shuffle else "in a fixed order"
        if isinstance(self.source, RenderedSource):
            order = "rendered afresh and " + order
        failed = f", {len(self.failed)} files left out (failed to decode)" if self.failed else ""
        return (f"Batches: {self._n_batches} batches of {self.batch_size} ({self.num_images} "
                f"images{taken}), images float32 {images}, targets int32 {targets}{mapped}, "
                f"{order}{failed}")


class _Order:
    """The order of a source's examples, shared by a :class:`Batches` and its views."""

    def __init__(self, n: int, shuffle: bool, seed: int):
        self.shuffle = shuffle
        self._seed = seed
        self._n = n
        self.rewind()

    def rewind(self) -> None:
        self._rng = np.random.default_rng(self._seed)
        self.indices = np.arange(self._n)
        self.next_epoch()

    def next_epoch(self) -> None:
        if self.shuffle:
            self.indices = self._rng.permutation(len(self.indices))
