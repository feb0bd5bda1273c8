"""Generated datasets, made with vectorised NumPy in about a second (offline, tests, CPU runs).

- :func:`make_shapes_classification`: coloured shapes on textured backgrounds, one per image,
  labelled by the kind of shape;
- :func:`make_shapes_segmentation`: 1 to 5 overlapping shapes per image with a class per pixel;
- :func:`make_random_noise`: uniform noise with random labels (nothing to learn: a network
  that fits it has memorised it).

Images are ``float32`` in ``[0, 1]``, shape ``(n, S, S, 3)`` (channels last, ``S`` =
``image_size`` in pixels); labels ``int32`` ``(n,)``; masks ``int32`` ``(n, S, S)``. The same
seed gives the same arrays. Imports NumPy only.
"""

from __future__ import annotations

import numpy as np

from lessons_lib.validation import check_float, check_int, describe

#: Shapes drawn by the generators, in class order (new kinds are added at the end, so a
#: class keeps its index).
SHAPE_KINDS = ("circle", "square", "triangle", "stripes", "ring", "cross", "star", "ellipse")


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
    if kind == "star":
        # Five points: the boundary's distance from the centre runs linearly with the polar
        # angle (in the rotated frame) from r at a point to 0.45 r between two points.
        points = 5
        phase = (np.arctan2(v, u) * points / (2.0 * np.pi)) % 1.0  # 0 at a point
        edge = r * (0.45 + 0.55 * np.abs(2.0 * phase - 1.0))
        return u**2 + v**2 <= edge**2
    if kind == "ellipse":
        # semi-axes r (along u) and 0.5 r (along v)
        return (u / r) ** 2 + (v / (0.5 * r)) ** 2 <= 1.0
    raise ValueError(f"`kind` must be one of {list(SHAPE_KINDS)}; received kind={kind!r}.")


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


def _check_kinds(kinds, name: str) -> tuple[str, ...]:
    """Return ``kinds`` as a tuple if it names 2 or more different shapes of :data:`SHAPE_KINDS`.

    ``name`` is the argument's name in the messages.

    Raises:
        TypeError: ``kinds`` is not a list or tuple of strings.
        ValueError: it names fewer than 2 kinds, a kind twice, or a kind not in
            :data:`SHAPE_KINDS`.
    """
    allowed = list(SHAPE_KINDS)
    if not isinstance(kinds, (list, tuple)) or not all(isinstance(k, str) for k in kinds):
        raise TypeError(f"`{name}` must be a list or tuple of shape names from {allowed}; "
                        f"{describe(name, kinds)}.")
    unknown = [k for k in kinds if k not in SHAPE_KINDS]
    if unknown:
        raise ValueError(f"`{name}` must name shapes from {allowed}; received {name}={kinds!r}, "
                         f"in which {unknown!r} is not one.")
    if len(kinds) < 2 or len(set(kinds)) != len(kinds):
        raise ValueError(f"`{name}` must name 2 or more different shapes from {allowed}; "
                         f"received {name}={kinds!r}.")
    return tuple(kinds)


def resolve_kinds(n_classes, kinds, n_classes_name: str = "n_classes",
                  kinds_name: str = "kinds") -> tuple[str, ...]:
    """The shapes of a classification task, from a number of classes and/or their names.

    ``kinds=None``: the first ``n_classes`` of :data:`SHAPE_KINDS` (default 4). Otherwise
    ``kinds`` itself, checked; ``n_classes``, when given too, must equal ``len(kinds)``. The
    ``*_name`` arguments are the names the caller's messages use.

    Raises:
        TypeError / ValueError: as :func:`_check_kinds`, or ``n_classes`` not an int in
            2..len(SHAPE_KINDS), or ``n_classes`` and ``kinds`` disagreeing.
    """
    if n_classes is not None:
        n_classes = check_int(n_classes_name, n_classes, 2, len(SHAPE_KINDS))
    if kinds is None:
        return SHAPE_KINDS[:4 if n_classes is None else n_classes]
    kinds = _check_kinds(kinds, kinds_name)
    if n_classes is not None and n_classes != len(kinds):
        raise ValueError(f"`{n_classes_name}` must equal the number of `{kinds_name}` "
                         f"({len(kinds)}) when both are given; received "
                         f"{n_classes_name}={n_classes!r}, {kinds_name}={kinds!r}.")
    return kinds


def make_shapes_classification(
    n: int,
    image_size: int = 64,
    n_classes: int | None = None,
    seed: int = 0,
    noise_std: float = 0.05,
    *,
    kinds=None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images of one coloured shape each, labelled by the kind of shape.

    By default class k is ``SHAPE_KINDS[k]`` (circle, square, triangle, stripes, ring,
    cross, star, ellipse); ``kinds`` picks other shapes, e.g. ``("ring", "cross")`` for a
    task whose class 0 is ring and class 1 cross. Each image has a random background colour
    with soft shading, one shape of random colour (always contrasting with the background),
    size, position and rotation, and Gaussian pixel noise. Colour and position carry no
    information about the class: only the shape (and, for stripes, the texture) does.

    Args:
        n: number of images (>= 1). Classes are balanced (counts differ by at most one)
            and all present when ``n >= n_classes``.
        image_size: side of the square images in pixels (>= 8).
        n_classes: number of shape classes, 2 to 8; the first ``n_classes`` kinds are used.
            Default: 4, or ``len(kinds)`` when ``kinds`` is given (giving both, they must
            agree).
        seed: the same seed gives the same images and labels.
        noise_std: standard deviation of the pixel noise, in [0, 1] intensity units.
        kinds: the shapes of the classes, in class order: a list or tuple of 2 or more
            different names from :data:`SHAPE_KINDS` (default: its first ``n_classes``).
            The same seed draws the same labels, colours, sizes and positions whatever the
            kinds.

    Returns:
        ``(images, labels, class_names)``: images float32 (n, S, S, 3) in [0, 1], labels
        int32 (n,) in [0, n_classes), class_names a list of n_classes strings (the kinds).
    """
    n = check_int("n", n, 1)
    image_size = check_int("image_size", image_size, 8)
    kinds = resolve_kinds(n_classes, kinds)
    n_classes = len(kinds)
    seed = check_int("seed", seed, 0)
    noise_std = check_float("noise_std", noise_std, 0, 1)

    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % n_classes).astype(np.int32)
    images, background = _textured_backgrounds(rng, n, image_size)
    kind_index = np.array([SHAPE_KINDS.index(k) for k in kinds])[labels]
    _paint_shapes(rng, images, kind_index, size_range=(0.2, 0.4), background=background)
    return _finish(rng, images, noise_std), labels, list(kinds)


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
        n_classes: number of mask classes including the background, 2 to 9.
        seed: the same seed gives the same images and masks.
        max_shapes: most shapes per image (1 to 5); each image draws 1..max_shapes.
        noise_std: standard deviation of the pixel noise, in [0, 1] intensity units.

    Returns:
        ``(images, masks, class_names)``: images float32 (n, S, S, 3) in [0, 1], masks
        int32 (n, S, S) in [0, n_classes), class_names a list of n_classes strings
        starting with ``"background"``.
    """
    n = check_int("n", n, 1)
    image_size = check_int("image_size", image_size, 8)
    n_classes = check_int("n_classes", n_classes, 2, len(SHAPE_KINDS) + 1)
    seed = check_int("seed", seed, 0)
    max_shapes = check_int("max_shapes", max_shapes, 1, 5)
    noise_std = check_float("noise_std", noise_std, 0, 1)

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
    n = check_int("n", n, 1)
    image_size = check_int("image_size", image_size, 8)
    n_classes = check_int("n_classes", n_classes, 2, 1000)
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    images = rng.random(size=(n, image_size, image_size, 3), dtype=np.float32)
    labels = rng.integers(0, n_classes, size=n).astype(np.int32)
    return images, labels
