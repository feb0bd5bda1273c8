"""Datasets for the book: real photographs when they can be had, generated images otherwise.

Two kinds of data, one calling convention:

- **Real data** (for Colab or any machine with internet access), downloaded once with
  ``keras.utils.get_file`` and a pinned file hash, then cached under ``~/.keras/datasets``:

  * TF flowers: 3,670 photos, 5 classes (daisy, dandelion, roses, sunflowers, tulips),
    read with ``keras.utils.image_dataset_from_directory``;
  * Oxford-IIIT Pet: 7,390 photos of cats and dogs with *trimaps* (pixel-wise masks),
    read with a ``tf.data`` pipeline. A trimap stores 1 = pet, 2 = background,
    3 = border (the uncertain outline); we subtract 1, so **mask class 0 = pet,
    1 = background, 2 = border**.

- **Generated data** (offline, tests, CPU runs), made with vectorised NumPy in about a
  second: coloured shapes on textured backgrounds for classification and segmentation,
  and pure random noise with random labels (to show that a network can memorise).

The loaders :func:`load_classification` and :func:`load_segmentation` return the real set
when it can be had and the generated one otherwise, and print which one, why, and how many
images. Before any download an HTTP probe asks each server for the file itself (a HEAD
request, or a one-byte ranged GET where HEAD is refused) with a short timeout, so without
internet they fall back in a few seconds, and a missing file is reported as what it is
("HTTP 404 for <url>") while the next mirror is tried. A download whose hash differs from
the pinned one is reported as a "hash mismatch" (expected and actual hash, the file, what
to do). Setting the environment variable ``LESSONS_OFFLINE=1`` forces the generated data
and skips all network access.

Conventions used everywhere in this module:

- images are ``float32`` in ``[0, 1]``, shape ``(height, width, 3)`` (channels last);
- class labels are ``int32`` scalars; segmentation masks are ``int32`` of shape
  ``(height, width)`` with values in ``[0, n_classes)``;
- ``image_size`` is the side of the square images, in pixels.

Importing this module imports NumPy only; TensorFlow and Keras are imported inside the
functions that build ``tf.data`` pipelines.
"""

from __future__ import annotations

import os
import shutil
import socket
import tarfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CLASSIFICATION_SOURCES",
    "SEGMENTATION_SOURCES",
    "SHAPE_KINDS",
    "PET_MASK_CLASSES",
    "OFFLINE_ENV_VAR",
    "ImageData",
    "make_shapes_classification",
    "make_shapes_segmentation",
    "make_random_noise",
    "load_classification",
    "load_segmentation",
]

# --------------------------------------------------------------------------------------
# Where the real data lives
# --------------------------------------------------------------------------------------

#: Environment variable that, set to 1/true/yes, forces the generated data (no download).
OFFLINE_ENV_VAR = "LESSONS_OFFLINE"

#: TF flowers archive (about 218 MiB, 3,670 JPEG photos in 5 class folders).
FLOWERS_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
)
#: SHA-256 of ``flower_photos.tgz`` as pinned by TensorFlow Datasets
#: (``tensorflow_datasets/datasets/tf_flowers/checksums.tsv``, 228,813,984 bytes; TFDS
#: lists the ``http://download.tensorflow.org/...`` address, which serves the same
#: Google Cloud Storage object as the ``storage.googleapis.com`` address above).
FLOWERS_SHA256 = "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c"

#: Folders that serve the Oxford-IIIT Pet archives, tried in this order. The VGG group moved
#: the files to ``thor.robots.ox.ac.uk`` in 2023 after the old host failed: keras-io's
#: ``oxford_pets_image_segmentation`` example fetches ``thor.../datasets/pets/``, TensorFlow
#: Datasets 4.0.0 (``oxford_iiit_pet``) ``thor.../~vgg/data/pets/``. The original
#: ``www.robots.ox.ac.uk`` address stays last, as a fallback.
PETS_MIRRORS = (
    "https://thor.robots.ox.ac.uk/datasets/pets/",
    "https://thor.robots.ox.ac.uk/~vgg/data/pets/",
    "https://www.robots.ox.ac.uk/~vgg/data/pets/data/",
)
#: Oxford-IIIT Pet photos (about 755 MiB) and annotations with trimaps (about 18 MiB), one
#: address per mirror.
PETS_IMAGES_URLS = tuple(mirror + "images.tar.gz" for mirror in PETS_MIRRORS)
PETS_ANNOTATIONS_URLS = tuple(mirror + "annotations.tar.gz" for mirror in PETS_MIRRORS)
#: MD5 sums of the two archives as pinned by torchvision's ``OxfordIIITPet`` dataset
#: (``get_file`` recognises a 32-character hash as MD5); the same archives on every mirror
#: (TFDS lists the ``thor`` copies at 791,918,971 and 19,173,078 bytes).
PETS_IMAGES_MD5 = "5c4f3ee8e5d25df40f4fd59a7f44e54c"
PETS_ANNOTATIONS_MD5 = "95a8c909bbe2e81eed6a22bccdf3f68f"

#: Mask classes of Oxford-IIIT Pet after subtracting 1 from the trimap values.
PET_MASK_CLASSES = ("pet", "background", "border")

#: Names accepted by ``prefer=`` in the two loaders.
CLASSIFICATION_SOURCES = ("flowers", "generated")
SEGMENTATION_SOURCES = ("oxford_pets", "generated")

#: Seconds the HTTP probe of one file waits for an answer before declaring it unreachable.
PROBE_TIMEOUT_S = 3.0
#: HTTP statuses that mean "the file is there": 200 (HEAD or GET), 206 (ranged GET).
_PROBE_OK = (200, 206)
#: Seconds of silence after which a started download is abandoned (instead of hanging).
DOWNLOAD_STALL_TIMEOUT_S = 60.0

#: Shapes drawn by the generators, in class order.
SHAPE_KINDS = ("circle", "square", "triangle", "stripes", "ring", "cross")

_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


# --------------------------------------------------------------------------------------
# Argument checks (errors name the argument, the value and what is allowed)
# --------------------------------------------------------------------------------------


def _check_int(name: str, value, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise TypeError/ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if maximum is None and value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    if maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name} must be an int in [{minimum}, {maximum}], got {value}")
    return int(value)


def _check_fraction(name: str, value) -> float:
    """Return ``value`` as a float strictly between 0 and 1, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a float in (0, 1), got {value!r} ({type(value).__name__})")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be a float in (0, 1) (exclusive), got {value}")
    return float(value)


def _check_choice(name: str, value, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, or raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {allowed}, got {value!r}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def _check_seed(seed) -> int:
    return _check_int("seed", seed, 0)


# --------------------------------------------------------------------------------------
# Generated data: shapes
# --------------------------------------------------------------------------------------


def _pixel_grid(image_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in pixels: ``yy`` of shape (1, S, 1), ``xx`` of shape (1, 1, S)."""
    centres = np.arange(image_size, dtype=np.float32) + 0.5
    return centres[None, :, None], centres[None, None, :]


def _shape_mask(kind: str, yy, xx, cy, cx, r, theta) -> np.ndarray:
    """Boolean masks of one kind of shape, one per image.

    Args:
        kind: one of :data:`SHAPE_KINDS`.
        yy, xx: pixel-centre coordinates from :func:`_pixel_grid`.
        cy, cx, r, theta: centre (pixels), size (pixels; the circumradius) and rotation
            (radians), each of shape (m, 1, 1) for m images.

    Returns:
        bool array of shape (m, S, S), True inside the shape. For ``"stripes"`` this is
        the square patch that holds the stripes.
    """
    dy, dx = yy - cy, xx - cx
    cos, sin = np.cos(theta), np.sin(theta)
    u = dx * cos + dy * sin  # coordinates in the shape's own rotated frame
    v = -dx * sin + dy * cos
    if kind == "circle":
        return dx**2 + dy**2 <= r**2
    if kind in ("square", "stripes"):
        return np.maximum(np.abs(u), np.abs(v)) <= 0.8 * r
    if kind == "triangle":
        # An equilateral triangle is the intersection of three half-planes whose normals
        # are 120 degrees apart; its inradius is half its circumradius r.
        inside = np.ones(u.shape, dtype=bool)
        for k in range(3):
            angle = theta + 2.0 * np.pi * k / 3.0
            inside &= dx * np.cos(angle) + dy * np.sin(angle) <= 0.5 * r
        return inside
    if kind == "ring":
        d2 = dx**2 + dy**2
        return (d2 <= r**2) & (d2 >= (0.55 * r) ** 2)
    if kind == "cross":
        arm = 0.3 * r
        return ((np.abs(u) <= arm) & (np.abs(v) <= r)) | ((np.abs(v) <= arm) & (np.abs(u) <= r))
    raise ValueError(f"kind must be one of {SHAPE_KINDS}, got {kind!r}")


def _stripe_pattern(yy, xx, cy, cx, theta, period) -> np.ndarray:
    """True on every other stripe: bool array (m, S, S); ``period`` in pixels, shape (m, 1, 1)."""
    u = (xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta)
    return np.sin(2.0 * np.pi * u / period) > 0


def _contrasting_colours(rng: np.random.Generator, base: np.ndarray) -> np.ndarray:
    """Random RGB colours (m, 3) in [0, 1), each channel 0.3 to 0.7 away from ``base`` (m, 3)."""
    return (base + rng.uniform(0.3, 0.7, size=base.shape)) % 1.0


def _textured_backgrounds(
    rng: np.random.Generator, n: int, image_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Backgrounds: a random colour per image plus a soft linear shading.

    Returns:
        ``(images, colours)``: images float32 (n, S, S, 3), colours float32 (n, 3) in
        [0, 1]. The shading is a ramp in a random direction that changes the intensity by
        at most about 0.2 between the centre and a corner.
    """
    yy, xx = _pixel_grid(image_size)
    colour = rng.uniform(0.0, 1.0, size=(n, 3)).astype(np.float32)
    direction = rng.uniform(0.0, 2.0 * np.pi, size=(n, 1, 1)).astype(np.float32)
    amplitude = rng.uniform(0.0, 0.3, size=(n, 1, 1)).astype(np.float32)
    ramp = ((xx - image_size / 2) * np.cos(direction) + (yy - image_size / 2) * np.sin(direction))
    ramp = amplitude * ramp / image_size  # (n, S, S)
    return colour[:, None, None, :] + ramp[..., None], colour


def _paint_shapes(
    rng: np.random.Generator,
    images: np.ndarray,
    kinds: np.ndarray,
    size_range: tuple[float, float],
    background: np.ndarray,
    masks: np.ndarray | None = None,
    present: np.ndarray | None = None,
) -> None:
    """Draw one shape per image into ``images`` (in place); optionally record it in ``masks``.

    Args:
        images: float32 (n, S, S, 3), modified in place.
        kinds: int (n,), index into :data:`SHAPE_KINDS` of the shape to draw in each image.
        size_range: circumradius range as fractions of the image size.
        background: float (n, 3), the background colours (shape colours contrast with them).
        masks: optional int32 (n, S, S); pixels of the shape are set to ``kinds + 1``.
        present: optional bool (n,); images where it is False get no shape.
    """
    n, size = images.shape[0], images.shape[1]
    yy, xx = _pixel_grid(size)
    # All random draws happen for every image, in a fixed order, so that the result
    # depends only on the seed (not on which images hold which shape).
    r = (rng.uniform(*size_range, size=n) * size).astype(np.float32)
    cy = rng.uniform(r, size - r).astype(np.float32)
    cx = rng.uniform(r, size - r).astype(np.float32)
    theta = rng.uniform(0.0, 2.0 * np.pi, size=n).astype(np.float32)
    colour = _contrasting_colours(rng, background).astype(np.float32)
    second_colour = _contrasting_colours(rng, colour).astype(np.float32)  # for stripes
    period = np.maximum(3.0, r * rng.uniform(0.35, 0.6, size=n)).astype(np.float32)
    if present is None:
        present = np.ones(n, dtype=bool)

    for k, kind in enumerate(SHAPE_KINDS):
        idx = np.flatnonzero(present & (kinds == k))
        if idx.size == 0:
            continue
        geometry = (cy[idx, None, None], cx[idx, None, None], r[idx, None, None])
        angle = theta[idx, None, None]
        inside = _shape_mask(kind, yy, xx, *geometry, angle)  # (m, S, S)
        paint = np.broadcast_to(colour[idx, None, None, :], (idx.size, size, size, 3))
        if kind == "stripes":
            on = _stripe_pattern(yy, xx, geometry[0], geometry[1], angle, period[idx, None, None])
            paint = np.where(on[..., None], paint, second_colour[idx, None, None, :])
        images[idx] = np.where(inside[..., None], paint, images[idx])
        if masks is not None:
            masks[idx] = np.where(inside, k + 1, masks[idx])


def _finish(rng: np.random.Generator, images: np.ndarray, noise_std: float) -> np.ndarray:
    """Add Gaussian pixel noise (std ``noise_std``), clip to [0, 1] and return float32."""
    images += noise_std * rng.standard_normal(size=images.shape, dtype=np.float32)
    np.clip(images, 0.0, 1.0, out=images)
    return images.astype(np.float32, copy=False)


def make_shapes_classification(
    n: int, image_size: int = 64, n_classes: int = 4, seed: int = 0, noise_std: float = 0.05
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images of one coloured shape each, labelled by the kind of shape.

    Class k is ``SHAPE_KINDS[k]`` (circle, square, triangle, stripes, ring, cross). Each
    image has a random background colour with soft shading, one shape of random colour
    (always contrasting with the background), size, position and rotation, and Gaussian
    pixel noise. Colour and position carry no information about the class: only the
    shape (and, for stripes, the texture) does.

    Args:
        n: number of images (>= 1). Classes are balanced (counts differ by at most one)
            and all present when ``n >= n_classes``.
        image_size: side of the square images in pixels (>= 8).
        n_classes: number of shape classes, 2 to 6; the first ``n_classes`` kinds are used.
        seed: the same seed gives the same images and labels.
        noise_std: standard deviation of the pixel noise, in [0, 1] intensity units.

    Returns:
        ``(images, labels, class_names)``: images float32 (n, S, S, 3) in [0, 1], labels
        int32 (n,) in [0, n_classes), class_names a list of n_classes strings.
    """
    n = _check_int("n", n, 1)
    image_size = _check_int("image_size", image_size, 8)
    n_classes = _check_int("n_classes", n_classes, 2, len(SHAPE_KINDS))
    seed = _check_seed(seed)
    noise_std = _check_noise(noise_std)

    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % n_classes).astype(np.int32)
    images, background = _textured_backgrounds(rng, n, image_size)
    _paint_shapes(rng, images, labels, size_range=(0.2, 0.4), background=background)
    return _finish(rng, images, noise_std), labels, list(SHAPE_KINDS[:n_classes])


def make_shapes_segmentation(
    n: int,
    image_size: int = 64,
    n_classes: int = 3,
    seed: int = 0,
    max_shapes: int = 3,
    noise_std: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images of 1 to ``max_shapes`` overlapping shapes, with a class per pixel.

    Mask class 0 is the background; class k >= 1 is ``SHAPE_KINDS[k - 1]`` (so with the
    default ``n_classes=3``: background, circle, square). Later shapes are drawn over
    earlier ones, and the mask shows what is visible. The first shape of every image
    cycles through the shape classes, so each class appears when ``n >= n_classes - 1``.

    Args:
        n: number of images (>= 1).
        image_size: side of the square images in pixels (>= 8).
        n_classes: number of mask classes including the background, 2 to 7.
        seed: the same seed gives the same images and masks.
        max_shapes: most shapes per image (1 to 5); each image draws 1..max_shapes.
        noise_std: standard deviation of the pixel noise, in [0, 1] intensity units.

    Returns:
        ``(images, masks, class_names)``: images float32 (n, S, S, 3) in [0, 1], masks
        int32 (n, S, S) in [0, n_classes), class_names a list of n_classes strings
        starting with ``"background"``.
    """
    n = _check_int("n", n, 1)
    image_size = _check_int("image_size", image_size, 8)
    n_classes = _check_int("n_classes", n_classes, 2, len(SHAPE_KINDS) + 1)
    seed = _check_seed(seed)
    max_shapes = _check_int("max_shapes", max_shapes, 1, 5)
    noise_std = _check_noise(noise_std)

    n_shape_classes = n_classes - 1
    rng = np.random.default_rng(seed)
    images, background = _textured_backgrounds(rng, n, image_size)
    masks = np.zeros((n, image_size, image_size), dtype=np.int32)
    n_shapes = rng.integers(1, max_shapes + 1, size=n)
    for slot in range(max_shapes):
        if slot == 0:
            kinds = rng.permutation(np.arange(n) % n_shape_classes)
        else:
            kinds = rng.integers(0, n_shape_classes, size=n)
        _paint_shapes(
            rng,
            images,
            kinds,
            size_range=(0.12, 0.28),
            background=background,
            masks=masks,
            present=slot < n_shapes,
        )
    class_names = ["background", *SHAPE_KINDS[:n_shape_classes]]
    return _finish(rng, images, noise_std), masks, class_names


def make_random_noise(
    n: int, image_size: int = 64, n_classes: int = 10, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random images with uniformly random labels: there is nothing to learn.

    A network that reaches high *training* accuracy on this data has memorised it; its
    validation accuracy stays at chance (1 / n_classes).

    Args:
        n: number of images (>= 1).
        image_size: side of the square images in pixels (>= 8).
        n_classes: number of label values (2 to 1000).
        seed: the same seed gives the same data.

    Returns:
        ``(images, labels)``: images float32 (n, S, S, 3) uniform in [0, 1), labels int32
        (n,) uniform in [0, n_classes).
    """
    n = _check_int("n", n, 1)
    image_size = _check_int("image_size", image_size, 8)
    n_classes = _check_int("n_classes", n_classes, 2, 1000)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    images = rng.random(size=(n, image_size, image_size, 3), dtype=np.float32)
    labels = rng.integers(0, n_classes, size=n).astype(np.int32)
    return images, labels


def _check_noise(noise_std) -> float:
    if isinstance(noise_std, bool) or not isinstance(noise_std, (int, float, np.floating)):
        raise TypeError(f"noise_std must be a float in [0, 1], got {noise_std!r}")
    if not 0.0 <= float(noise_std) <= 1.0:
        raise ValueError(f"noise_std must be a float in [0, 1], got {noise_std}")
    return float(noise_std)


# --------------------------------------------------------------------------------------
# What the loaders return
# --------------------------------------------------------------------------------------


@dataclass
class ImageData:
    """A train/validation pair of batched ``tf.data.Dataset`` objects and where they came from.

    Attributes:
        train: batches of ``(images, targets)``, shuffled every epoch. images: float32
            (batch, S, S, 3) in [0, 1]. targets: int32 labels (batch,) for classification,
            int32 masks (batch, S, S) for segmentation.
        val: the same, not shuffled.
        class_names: one name per class index (labels or mask values).
        source: ``"flowers"``, ``"oxford_pets"``, ``"directory"`` or ``"generated"``.
        n_train, n_val: number of images in each split.
        reason: why this source was used (e.g. why the real data could not be had).
        task: ``"classification"`` or ``"segmentation"``.
        image_size: side of the square images, in pixels.
        location: the folder the images were read from (None for generated data).
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

    @property
    def num_classes(self) -> int:
        """Number of classes (labels for classification, mask values for segmentation)."""
        return len(self.class_names)

    def summary(self) -> str:
        """One line: source, task, counts, size, classes, reason."""
        return (
            f"Data for {self.task}: {self.source}, {self.n_train + self.n_val} images "
            f"({self.n_train} train / {self.n_val} val) at {self.image_size}x{self.image_size}, "
            f"{self.num_classes} classes {self.class_names}. Why: {self.reason}"
        )


# --------------------------------------------------------------------------------------
# Network and download helpers
# --------------------------------------------------------------------------------------


def _offline_requested(env=None) -> bool:
    """True if ``LESSONS_OFFLINE`` is set to 1/true/yes (``env`` defaults to ``os.environ``)."""
    env = os.environ if env is None else env
    return env.get(OFFLINE_ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")


def _probe(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> tuple[int | None, str]:
    """Ask the server for the file at ``url`` itself, giving up after ``timeout_s`` seconds.

    Sends a HEAD request; if the server answers anything but 200 or 404 (some refuse HEAD
    with 403, 405 or 501), asks again with a GET of one byte (``Range: bytes=0-0``) and
    closes the connection without reading the body. Redirects are followed. Name
    resolution has no timeout of its own, so the requests run in a background thread and
    we wait for them at most ``timeout_s`` seconds in all.

    Returns:
        ``(status, why)``: ``status`` is the HTTP status of the last answer (200 or 206
        means the file is there; ``why`` is then ``""``), or None when no HTTP answer came
        (no network, refused connection, timeout); ``why`` says what went wrong, as
        ``"HTTP 404 for <url>"`` or ``"network error: ..."``.
    """
    import urllib.error
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return None, f"no host name in {url!r}"
    if parts.scheme not in ("http", "https"):
        return None, f"only http(s) addresses can be probed, got {url!r}"
    outcome: dict[str, Any] = {}

    def ask(method: str, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    def attempt() -> None:
        try:
            status = ask("HEAD", {})
            if status not in (200, 404):
                status = ask("GET", {"Range": "bytes=0-0"})
            outcome["status"] = status
        except Exception as error:  # URLError (an OSError), a malformed answer, a bad URL
            cause = getattr(error, "reason", None)  # URLError wraps the socket error
            cause = cause if isinstance(cause, BaseException) else error
            outcome["error"] = f"{type(cause).__name__}: {cause}"

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout_s)
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    if "status" in outcome:
        status = outcome["status"]
        return status, "" if status in _PROBE_OK else f"HTTP {status} for {url}"
    if "error" in outcome:
        return None, f"network error: cannot reach {where} ({outcome['error']})"
    return None, f"network error: no answer from {where} within {timeout_s:g} s"


def _keras_home(cache_dir: str | os.PathLike | None) -> Path:
    """The Keras home (``get_file`` caches in ``<it>/datasets``): ``cache_dir`` or the default."""
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


def _extract(archive: Path, destination: Path) -> None:
    """Extract a tar archive into ``destination``, refusing unsafe members where Python allows."""
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 / 3.12
            tar.extractall(destination, filter="data")
        else:
            tar.extractall(destination)


class _HashMismatch(ValueError):
    """A downloaded archive's hash is not the pinned one (the message says what to do)."""


def _file_digest(path: Path, algorithm: str) -> str:
    """Hex digest of the file at ``path`` with ``algorithm`` (``"md5"`` or ``"sha256"``)."""
    import hashlib

    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _get_archive(url: str, file_hash: str | None, cache_dir: Path) -> Path:
    """Download ``url`` into ``cache_dir/datasets`` with ``keras.utils.get_file``; return its path.

    ``get_file`` re-downloads a cached copy whose hash is wrong, and raises a ValueError
    ("Incomplete or corrupted file detected...") when the fresh download does not match
    either, leaving the file in place. We check that file ourselves and raise
    :class:`_HashMismatch`, which names both hashes, the file and what to do.
    """
    import keras  # imported here: only downloads need it

    name = os.path.basename(urllib.parse.urlsplit(url).path)
    target = cache_dir / "datasets" / name
    try:
        return Path(keras.utils.get_file(fname=name, origin=url, file_hash=file_hash,
                                         cache_dir=str(cache_dir), cache_subdir="datasets"))
    except ValueError as error:
        if file_hash is None or not target.is_file():
            raise
        algorithm = "sha256" if len(file_hash) == 64 else "md5"  # get_file's "auto" rule
        got = _file_digest(target, algorithm)
        if got == file_hash:
            raise
        raise _HashMismatch(
            f"hash mismatch for {target} (downloaded from {url}): expected {algorithm} "
            f"{file_hash}, got {got}. The download is incomplete or the server sent another "
            f"file. Delete {target} and run again; if the mismatch repeats, the file on the "
            "server has changed."
        ) from error


def _download_and_extract(
    archives: list[tuple[str, str | None]], destination: Path, cache_dir: Path, verbose: bool
) -> None:
    """Download archives (hash-checked) and extract them.

    Args:
        archives: ``(url, file_hash)`` pairs; ``get_file`` picks SHA-256 or MD5 from the
            hash length (``file_hash=None`` skips the check); a wrong hash raises
            :class:`_HashMismatch`.
        destination: folder that receives the extracted contents of all archives. It is
            written under a temporary name and renamed at the end, so a half-finished
            extraction never looks like a complete one.
        cache_dir: Keras home; archives are kept in ``cache_dir/datasets``.
    """
    # get_file silently switches to /tmp/.keras when cache_dir is not (yet) writable.
    (cache_dir / "datasets").mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_STALL_TIMEOUT_S)  # a stalled transfer raises, not hangs
    try:
        for url, file_hash in archives:
            if verbose:
                print(f"Downloading {url} (once; cached in {cache_dir / 'datasets'}) ...")
            _extract(_get_archive(url, file_hash, cache_dir), partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # leave no half-extracted folder behind
        raise
    finally:
        socket.setdefaulttimeout(previous_timeout)
    shutil.rmtree(destination, ignore_errors=True)
    os.replace(partial, destination)


def _first_available(urls: tuple[str, ...], dead_hosts: set[str]) -> tuple[str | None, list[str]]:
    """Probe ``urls`` in order and return the first one whose file is there.

    A host that gave no HTTP answer at all is added to ``dead_hosts`` and not asked again
    (so a machine without network waits at most one probe timeout per host).

    Returns:
        ``(url, failures)``: the first available address (None if none is), and one line
        per address that failed before it (``"HTTP 404 for <url>"``, ``"network error:..."``).
    """
    failures = []
    for url in urls:
        host = urllib.parse.urlsplit(url).hostname
        if host in dead_hosts:
            failures.append(f"skipped {url} ({host} did not answer)")
            continue
        status, why = _probe(url)
        if status in _PROBE_OK:
            return url, failures
        if status is None:
            dead_hosts.add(host)
        failures.append(why)
    return None, failures


def _fetch(
    name: str,
    archives: list[tuple[tuple[str, ...], str | None]],
    destination: Path,
    expected: Path,
    cache_dir: Path,
    allow_download: bool,
    verbose: bool,
) -> tuple[Path | None, str]:
    """Find a real dataset in the cache or download it.

    Args:
        name: dataset name for messages.
        archives: ``(urls, file_hash)`` pairs, one per archive to download; ``urls`` are
            the mirrors of that archive, tried in order (the first whose probe answers
            200/206 is used).
        destination: folder the archives are extracted into.
        expected: the folder that must exist once extraction is done.

    Returns:
        ``(expected, how)`` on success, ``(None, why_not)`` otherwise. Never raises for
        network or download problems: they become the ``why_not`` text, which names each
        failed address with its HTTP status or network error, or the hash mismatch.
    """
    if _offline_requested():
        return None, f"{OFFLINE_ENV_VAR}={os.environ.get(OFFLINE_ENV_VAR)} is set"
    if expected.is_dir():
        return expected, f"{name} found in the cache at {expected}"
    if not allow_download:
        return None, f"allow_download=False and {name} is not in the cache ({expected})"
    chosen, notes, dead_hosts = [], [], set()
    for urls, file_hash in archives:
        url, failures = _first_available(tuple(urls), dead_hosts)
        notes += failures
        if url is None:
            return None, f"{name} cannot be downloaded: {'; '.join(failures)}"
        if failures and verbose:
            print(f"{'; '.join(failures)}; using the next mirror, {url}")
        chosen.append((url, file_hash))
    start = time.perf_counter()
    try:
        _download_and_extract(chosen, destination, cache_dir, verbose)
    except _HashMismatch as error:
        return None, f"downloading {name} failed: {error}"
    except Exception as error:  # network, disk or extraction failure -> fall back
        return None, (f"downloading {name} failed ({type(error).__name__}: {error}); check the "
                      "network connection and the free disk space, then run again")
    if not expected.is_dir():
        return None, f"{name} archive did not contain the expected folder {expected}"
    mirrors = f" (after {'; '.join(notes)})" if notes else ""
    return expected, (f"{name} downloaded in {time.perf_counter() - start:.0f} s to "
                      f"{expected}{mirrors}")


# --------------------------------------------------------------------------------------
# tf.data pipelines
# --------------------------------------------------------------------------------------


def _finish_pipeline(train_uint8, val_uint8, n_train: int, batch_size: int, seed: int):
    """cache -> shuffle (train only) -> batch -> convert to float/int32 -> prefetch.

    The inputs yield unbatched ``(image uint8 (S, S, 3), target uint8/int32)`` pairs. We cache
    the uint8 images (4x less memory than float32) after the expensive decode and resize,
    and convert to float32 in [0, 1] per batch after the cache.
    """
    import tensorflow as tf

    def to_model_dtypes(images, targets):
        return tf.cast(images, tf.float32) / 255.0, tf.cast(targets, tf.int32)

    buffer = min(n_train, 10_000)
    train = (
        train_uint8.cache()
        .shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(to_model_dtypes, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    val = (
        val_uint8.cache()
        .batch(batch_size)
        .map(to_model_dtypes, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    return train, val


def _classification_from_directory(directory: Path, image_size: int, batch_size: int,
                                   val_fraction: float, seed: int):
    """Read ``directory/<class_name>/*.jpg|png|...`` with ``image_dataset_from_directory``.

    Returns:
        ``(train, val, class_names, n_train, n_val)``; class names are the sorted folder
        names and label k is ``class_names[k]``. Images are resized (bilinear) to
        ``image_size`` x ``image_size`` without keeping the aspect ratio.
    """
    import keras
    import tensorflow as tf

    train_raw, val_raw = keras.utils.image_dataset_from_directory(
        str(directory),
        labels="inferred",
        label_mode="int",
        image_size=(image_size, image_size),
        batch_size=None,  # unbatched: we cache before batching
        shuffle=True,
        seed=seed,  # the same seed makes the same train/validation split
        validation_split=val_fraction,
        subset="both",
        verbose=False,
    )
    class_names = list(train_raw.class_names)
    n_train, n_val = len(train_raw.file_paths), len(val_raw.file_paths)

    def to_uint8(image, label):  # image: float32 (S, S, 3) in [0, 255]
        return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8), label

    train, val = _finish_pipeline(
        train_raw.map(to_uint8), val_raw.map(to_uint8), n_train, batch_size, seed
    )
    return train, val, class_names, n_train, n_val


def _oxford_pet_pairs(root: Path) -> list[tuple[str, str]]:
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
    names = sorted(images.keys() & trimaps.keys())
    return [(str(images[name]), str(trimaps[name])) for name in names]


def _segmentation_from_oxford_layout(root: Path, image_size: int, batch_size: int,
                                     val_fraction: float, seed: int):
    """A ``tf.data`` pipeline over Oxford-IIIT Pet images and trimaps.

    Each image is decoded (JPEG, or PNG saved with a .jpg name, as a few Pet files are),
    resized bilinearly to ``image_size`` squared; its trimap is resized with nearest
    neighbour (so no new values appear) and shifted from {1, 2, 3} to {0, 1, 2}:
    0 = pet, 1 = background, 2 = border. Files that fail to decode are skipped
    (``ignore_errors``), so the counts may overstate the images actually read by the
    few broken files of the original archive.

    Returns:
        ``(train, val, class_names, n_train, n_val)``.
    """
    import tensorflow as tf

    pairs = _oxford_pet_pairs(root)
    n_val = max(1, int(round(len(pairs) * val_fraction)))
    n_train = len(pairs) - n_val
    if n_train < 1:
        raise ValueError(
            f"data_dir must hold at least 2 image/trimap pairs, got {len(pairs)} in {str(root)!r}"
        )
    order = np.random.default_rng(seed).permutation(len(pairs))
    image_paths = np.array([pairs[i][0] for i in order])
    mask_paths = np.array([pairs[i][1] for i in order])

    def load(image_path, mask_path):
        image = tf.io.decode_image(tf.io.read_file(image_path), channels=3, expand_animations=False)
        image = tf.image.resize(image, (image_size, image_size), method="bilinear")
        image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)  # (S, S, 3)
        trimap = tf.io.decode_png(tf.io.read_file(mask_path), channels=1)
        trimap = tf.image.resize(trimap, (image_size, image_size), method="nearest")
        mask = tf.cast(trimap[..., 0], tf.int32) - 1  # (S, S): 0 pet, 1 background, 2 border
        return image, mask

    def pipeline(images, masks):
        return (
            tf.data.Dataset.from_tensor_slices((images, masks))
            .map(load, num_parallel_calls=tf.data.AUTOTUNE)
            .ignore_errors()
        )

    train, val = _finish_pipeline(
        pipeline(image_paths[:n_train], mask_paths[:n_train]),
        pipeline(image_paths[n_train:], mask_paths[n_train:]),
        n_train,
        batch_size,
        seed,
    )
    return train, val, list(PET_MASK_CLASSES), n_train, n_val


def _from_arrays(images: np.ndarray, targets: np.ndarray, batch_size: int, val_fraction: float,
                 seed: int):
    """Split in-memory arrays (first part train, last part val) into batched datasets.

    Returns:
        ``(train, val, n_train, n_val)``; images stay float32, targets int32.
    """
    import tensorflow as tf

    n = len(images)
    n_val = max(1, int(round(n * val_fraction)))
    n_train = n - n_val
    train = (
        tf.data.Dataset.from_tensor_slices((images[:n_train], targets[:n_train]))
        .shuffle(n_train, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    val = (
        tf.data.Dataset.from_tensor_slices((images[n_train:], targets[n_train:]))
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    return train, val, n_train, n_val


# --------------------------------------------------------------------------------------
# The loaders
# --------------------------------------------------------------------------------------


def _check_loader_args(image_size, batch_size, val_fraction, n_generated, seed) -> tuple:
    image_size = _check_int("image_size", image_size, 8)
    batch_size = _check_int("batch_size", batch_size, 1)
    val_fraction = _check_fraction("val_fraction", val_fraction)
    n_generated = _check_int("n_generated", n_generated, 2)
    seed = _check_seed(seed)
    return image_size, batch_size, val_fraction, n_generated, seed


def _check_class_folders(data_dir) -> Path:
    """Return ``data_dir`` as a Path if it is a folder with >= 2 class sub-folders, else raise."""
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(
            f"data_dir must be a str or path, got {data_dir!r} ({type(data_dir).__name__})"
        )
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        raise ValueError(f"data_dir must be an existing folder, got {str(data_dir)!r}")
    classes = sorted(p.name for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise ValueError(
            "data_dir must hold at least 2 class sub-folders (one per class, with the "
            f"images inside), got {str(data_dir)!r} with sub-folders {classes}"
        )
    return path


def _check_oxford_layout(data_dir) -> Path:
    """Return ``data_dir`` as a Path if it has ``images/`` and ``annotations/trimaps/``."""
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(
            f"data_dir must be a str or path, got {data_dir!r} ({type(data_dir).__name__})"
        )
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        raise ValueError(f"data_dir must be an existing folder, got {str(data_dir)!r}")
    for sub in ("images", "annotations/trimaps"):
        if not (path / sub).is_dir():
            raise ValueError(
                "data_dir must follow the Oxford-IIIT Pet layout (images/<name>.jpg and "
                f"annotations/trimaps/<name>.png), got {str(data_dir)!r} without '{sub}/'"
            )
    n_pairs = len(_oxford_pet_pairs(path))
    if n_pairs < 2:
        raise ValueError(
            f"data_dir must hold at least 2 image/trimap pairs, got {n_pairs} in {str(data_dir)!r}"
        )
    return path


def _report(data: ImageData, verbose: bool) -> ImageData:
    if verbose:
        print(data.summary())
    return data


def load_classification(
    prefer: str = "flowers",
    *,
    image_size: int = 64,
    batch_size: int = 32,
    val_fraction: float = 0.2,
    n_generated: int = 2000,
    n_classes_generated: int = 4,
    seed: int = 0,
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

    Args:
        prefer: ``"flowers"`` or ``"generated"``.
        image_size: side of the square images in pixels (>= 8); photos are resized.
        batch_size: images per batch (>= 1).
        val_fraction: share of the images held out for validation, in (0, 1).
        n_generated: number of generated images (train + val) if generated data is used.
        n_classes_generated: number of shape classes for generated data (2 to 6).
        seed: fixes the train/validation split, the shuffling and the generated images.
        allow_download: if False, only a cached copy of the real data is used.
        data_dir: a local folder with class sub-folders, read instead of flowers.
        cache_dir: Keras home for downloads (default ``~/.keras``, or ``$KERAS_HOME``).
        verbose: print one line saying which data is used, why, and how many images.

    Returns:
        :class:`ImageData` with batches of (float32 (B, S, S, 3) in [0, 1], int32 (B,)).
    """
    prefer = _check_choice("prefer", prefer, CLASSIFICATION_SOURCES)
    image_size, batch_size, val_fraction, n_generated, seed = _check_loader_args(
        image_size, batch_size, val_fraction, n_generated, seed
    )
    n_classes_generated = _check_int(
        "n_classes_generated", n_classes_generated, 2, len(SHAPE_KINDS)
    )

    if data_dir is not None:
        directory = _check_class_folders(data_dir)
        train, val, names, n_train, n_val = _classification_from_directory(
            directory, image_size, batch_size, val_fraction, seed
        )
        data = ImageData(train, val, names, "directory", n_train, n_val,
                         f"data_dir={str(data_dir)!r} was given", "classification",
                         image_size, str(directory))
        return _report(data, verbose)

    if prefer == "generated":
        reason = "prefer='generated'"
    else:
        home = _keras_home(cache_dir)
        destination = home / "datasets" / "flower_photos_extracted"
        directory, reason = _fetch(
            "TF flowers",
            [((FLOWERS_URL,), FLOWERS_SHA256)],
            destination,
            destination / "flower_photos",
            home,
            allow_download,
            verbose,
        )
        if directory is not None:
            try:
                train, val, names, n_train, n_val = _classification_from_directory(
                    directory, image_size, batch_size, val_fraction, seed
                )
            except Exception as error:  # e.g. a damaged cache: fall back, and say so
                reason = (
                    f"reading TF flowers from {directory} failed: "
                    f"{type(error).__name__}: {error}"
                )
            else:
                data = ImageData(train, val, names, "flowers", n_train, n_val, reason,
                                 "classification", image_size, str(directory))
                return _report(data, verbose)

    images, labels, names = make_shapes_classification(
        n_generated, image_size=image_size, n_classes=n_classes_generated, seed=seed
    )
    train, val, n_train, n_val = _from_arrays(images, labels, batch_size, val_fraction, seed)
    data = ImageData(train, val, names, "generated", n_train, n_val, reason,
                     "classification", image_size)
    return _report(data, verbose)


def load_segmentation(
    prefer: str = "oxford_pets",
    *,
    image_size: int = 64,
    batch_size: int = 32,
    val_fraction: float = 0.2,
    n_generated: int = 2000,
    n_classes_generated: int = 3,
    seed: int = 0,
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
    each archive from the first of :data:`PETS_MIRRORS` that has it.

    Args:
        prefer: ``"oxford_pets"`` or ``"generated"``.
        image_size: side of the square images and masks in pixels (>= 8).
        batch_size: images per batch (>= 1).
        val_fraction: share of the images held out for validation, in (0, 1).
        n_generated: number of generated images (train + val) if generated data is used.
        n_classes_generated: mask classes of the generated data including background (2 to 7).
        seed: fixes the split, the shuffling and the generated images.
        allow_download: if False, only a cached copy of the real data is used.
        data_dir: a local folder in the Oxford-IIIT Pet layout (``images/<name>.jpg`` and
            ``annotations/trimaps/<name>.png``), read instead of the download.
        cache_dir: Keras home for downloads (default ``~/.keras``, or ``$KERAS_HOME``).
        verbose: print one line saying which data is used, why, and how many images.

    Returns:
        :class:`ImageData` with batches of (float32 (B, S, S, 3) in [0, 1], int32 (B, S, S)).
    """
    prefer = _check_choice("prefer", prefer, SEGMENTATION_SOURCES)
    image_size, batch_size, val_fraction, n_generated, seed = _check_loader_args(
        image_size, batch_size, val_fraction, n_generated, seed
    )
    n_classes_generated = _check_int(
        "n_classes_generated", n_classes_generated, 2, len(SHAPE_KINDS) + 1
    )

    if data_dir is not None:
        root = _check_oxford_layout(data_dir)
        train, val, names, n_train, n_val = _segmentation_from_oxford_layout(
            root, image_size, batch_size, val_fraction, seed
        )
        data = ImageData(train, val, names, "directory", n_train, n_val,
                         f"data_dir={str(data_dir)!r} was given", "segmentation",
                         image_size, str(root))
        return _report(data, verbose)

    if prefer == "generated":
        reason = "prefer='generated'"
    else:
        home = _keras_home(cache_dir)
        destination = home / "datasets" / "oxford_iiit_pet"
        found, reason = _fetch(
            "Oxford-IIIT Pet",
            [(PETS_IMAGES_URLS, PETS_IMAGES_MD5), (PETS_ANNOTATIONS_URLS, PETS_ANNOTATIONS_MD5)],
            destination,
            destination / "annotations" / "trimaps",
            home,
            allow_download,
            verbose,
        )
        if found is not None:
            try:
                train, val, names, n_train, n_val = _segmentation_from_oxford_layout(
                    destination, image_size, batch_size, val_fraction, seed
                )
            except Exception as error:  # e.g. a damaged cache: fall back, and say so
                reason = (
                    f"reading Oxford-IIIT Pet from {destination} failed: "
                    f"{type(error).__name__}: {error}"
                )
            else:
                data = ImageData(train, val, names, "oxford_pets", n_train, n_val, reason,
                                 "segmentation", image_size, str(destination))
                return _report(data, verbose)

    images, masks, names = make_shapes_segmentation(
        n_generated, image_size=image_size, n_classes=n_classes_generated, seed=seed
    )
    train, val, n_train, n_val = _from_arrays(images, masks, batch_size, val_fraction, seed)
    data = ImageData(train, val, names, "generated", n_train, n_val, reason,
                     "segmentation", image_size)
    return _report(data, verbose)
