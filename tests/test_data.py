"""Tests for lessons_lib.data: generated data, Batches, real-data loading, the offline fallback.

The real-data paths are checked without network: the tests write tiny image folders (and
tiny tar archives served through ``file://`` URLs) with Pillow and feed them through the same
code that reads TF flowers and Oxford-IIIT Pet. Everything here runs on the current Keras
backend and needs no TensorFlow (run it with KERAS_BACKEND=jax or torch too).
"""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import subprocess
import sys
import tarfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lessons_lib import data  # noqa: E402  (after the TF log level is set)
from lessons_lib.data import download  # noqa: E402

# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------

CLASS_COLOURS = {"blue": (40, 60, 220), "green": (50, 200, 60), "red": (220, 40, 50)}
CHANNEL_OF = {"red": 0, "green": 1, "blue": 2}


def write_class_folders(root: Path, per_class: int = 6) -> Path:
    """root/<colour>/<i>.png: 20x24 images of one dominant colour per class, small noise."""
    rng = np.random.default_rng(0)
    for name, colour in CLASS_COLOURS.items():
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = np.clip(np.array(colour) + rng.normal(0, 10, (20, 24, 3)), 0, 255)
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{i}.png")
    return root


def pet_trimap_32() -> np.ndarray:
    """A 32x32 trimap (1 pet, 2 background, 3 border) whose regions are aligned to 2x2 blocks."""
    trimap = np.full((32, 32), 2, dtype=np.uint8)
    trimap[8:24, 8:24] = 3
    trimap[10:22, 10:22] = 1
    return trimap


def expected_mask_16() -> np.ndarray:
    """pet_trimap_32 shrunk to 16x16 and shifted to 0 pet, 1 background, 2 border."""
    mask = np.ones((16, 16), dtype=np.int32)
    mask[4:12, 4:12] = 2
    mask[5:11, 5:11] = 0
    return mask


def write_oxford_layout(root: Path, n: int = 5) -> Path:
    """root/images/pet_<i>.jpg + root/annotations/trimaps/pet_<i>.png, plus junk to be skipped."""
    (root / "images").mkdir(parents=True)
    (root / "annotations" / "trimaps").mkdir(parents=True)
    trimap = pet_trimap_32()
    for i in range(n):
        pixels = np.zeros((32, 32, 3), dtype=np.uint8)
        pixels[...] = (30, 40, 200)  # blue background
        pixels[trimap != 2] = (230, 30, 30)  # red pet (and border)
        image = Image.fromarray(pixels)
        if i == 0:  # a few Oxford-IIIT Pet ".jpg" files are really PNGs
            image.save(root / "images" / f"pet_{i}.jpg", format="PNG")
        else:
            image.save(root / "images" / f"pet_{i}.jpg", quality=95)
        Image.fromarray(trimap).save(root / "annotations" / "trimaps" / f"pet_{i}.png")
    # Junk the real archive also has: macOS metadata files, an image without a trimap.
    (root / "annotations" / "trimaps" / "._pet_0.png").write_bytes(b"\x00\x05\x16\x07junk")
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(root / "images" / "lonely.jpg")
    return root


def make_tgz(archive: Path, source: Path, arcname: str) -> str:
    """Pack ``source`` as ``arcname`` into a .tgz; return its SHA-256 hex digest."""
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname=arcname)
    return hashlib.sha256(archive.read_bytes()).hexdigest()


def all_batches(batches):
    """Concatenate every batch of a Batches (``batches[i]`` = images, targets) into two arrays."""
    pairs = [batches[i] for i in range(len(batches))]
    return np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs])


def edge_features(images: np.ndarray) -> np.ndarray:
    """Rotation-invariant outline statistics per image, shape (n, 3).

    Edge pixels are where neighbouring pixels differ strongly in colour. From their
    distances to their centroid: relative spread (0 for a circle, larger for corners),
    edge length relative to size, and the share of edges near the centre (rings, stripes).
    """
    gy = np.abs(np.diff(images, axis=1))[:, :, :-1].sum(-1)
    gx = np.abs(np.diff(images, axis=2))[:, :-1, :].sum(-1)
    edges = (gx + gy) > 0.6
    side = edges.shape[1]
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float32)
    count = edges.sum((1, 2)) + 1e-6
    cy = (edges * ys).sum((1, 2)) / count
    cx = (edges * xs).sum((1, 2)) / count
    dist = np.hypot(ys - cy[:, None, None], xs - cx[:, None, None])
    mean = (edges * dist).sum((1, 2)) / count + 1e-6
    spread = np.sqrt((edges * (dist - mean[:, None, None]) ** 2).sum((1, 2)) / count)
    inner = (edges & (dist < 0.6 * mean[:, None, None])).sum((1, 2)) / count
    return np.stack([spread / mean, count / mean, inner], axis=1)


@pytest.fixture
def no_network(monkeypatch):
    """Make the HTTP probe fail, as it does without internet."""
    calls = []

    def unreachable(url, timeout_s=download.PROBE_TIMEOUT_S):
        calls.append(url)
        return None, "network error: simulated outage: no route to host"

    monkeypatch.setattr(download, "_probe", unreachable)
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    return calls


@pytest.fixture
def network_ok(monkeypatch):
    """Make the HTTP probe succeed (downloads then use file:// URLs)."""
    monkeypatch.setattr(download, "_probe", lambda url, timeout_s=None: (200, ""))
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)


# ----------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------


def test_import_loads_neither_tensorflow_nor_keras_nor_pillow():
    code = (
        "import sys, lessons_lib.data; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules, 'PIL' in sys.modules); "
        "lessons_lib.data.Batches; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    tf_backend = os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow"
    assert out.stdout.split() == ["False", "False", "False", "True", str(tf_backend)]


def test_public_names_and_modules():
    from lessons_lib.data import generated, loaders, pipelines

    for name in data.__all__:
        assert hasattr(data, name), name
    assert data.Batches is pipelines.Batches and data.ImageData is loaders.ImageData
    assert data.make_shapes_classification is generated.make_shapes_classification
    assert data.FLOWERS_URL == download.FLOWERS_URL
    with pytest.raises(AttributeError, match="no_such_name"):
        data.no_such_name  # noqa: B018


# ----------------------------------------------------------------------------------------
# Generated data
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, image_size, n_classes", [(40, 64, 4), (13, 8, 2), (30, 37, 8)])
def test_shapes_classification_shapes_dtypes_classes(n, image_size, n_classes):
    images, labels, names = data.make_shapes_classification(n, image_size, n_classes, seed=1)
    assert images.shape == (n, image_size, image_size, 3) and images.dtype == np.float32
    assert labels.shape == (n,) and labels.dtype == np.int32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert names == list(data.SHAPE_KINDS[:n_classes])
    counts = np.bincount(labels, minlength=n_classes)
    assert len(counts) == n_classes and counts.min() >= 1  # every class present
    assert counts.max() - counts.min() <= 1  # balanced


def test_shapes_classification_with_chosen_kinds():
    kinds = ("ring", "cross", "star", "ellipse")
    images, labels, names = data.make_shapes_classification(40, 24, kinds=kinds, seed=1)
    assert names == list(kinds) and images.shape == (40, 24, 24, 3)
    assert np.bincount(labels, minlength=4).tolist() == [10, 10, 10, 10]
    # the same seed draws the same labels, backgrounds and positions whatever the kinds:
    # only the shapes differ
    default_images, default_labels, default_names = data.make_shapes_classification(
        40, 24, seed=1)
    assert default_names == ["circle", "square", "triangle", "stripes"]
    np.testing.assert_array_equal(labels, default_labels)
    corners = (slice(None), slice(0, 2), slice(0, 2))
    assert not np.array_equal(images, default_images)
    np.testing.assert_allclose(images[corners], default_images[corners])
    # a list works as well as a tuple, and n_classes may repeat the count
    again = data.make_shapes_classification(40, 24, 4, seed=1, kinds=list(kinds))
    np.testing.assert_array_equal(again[0], images)
    # the default is the first n_classes kinds, image for image
    named = data.make_shapes_classification(40, 24, seed=1, kinds=("circle", "square"))
    two = data.make_shapes_classification(40, 24, seed=1, n_classes=2)
    np.testing.assert_array_equal(named[0], two[0])
    assert named[2] == two[2] == ["circle", "square"]
    loaded = data.load_classification("generated", image_size=16, batch_size=8, n_generated=20,
                                      kinds_generated=["star", "ellipse"], fresh=False,
                                      verbose=False)
    assert loaded.class_names == ["star", "ellipse"]
    assert set(np.concatenate([loaded.train[i][1] for i in range(len(loaded.train))])) == {0, 1}


@pytest.mark.parametrize("kind", ["star", "ellipse"])
def test_the_new_kinds_draw_their_shape(kind):
    from lessons_lib.data.generated import _pixel_grid, _shape_mask

    size = 48
    yy, xx = _pixel_grid(size)
    centre = np.full((1, 1, 1), 24.0, np.float32)
    r = np.full((1, 1, 1), 16.0, np.float32)
    theta = np.zeros((1, 1, 1), np.float32)
    mask = _shape_mask(kind, yy, xx, centre, centre, r, theta)[0]
    disc = _shape_mask("circle", yy, xx, centre, centre, r, theta)[0]
    assert mask.any() and not (mask & ~disc).any()  # inside the circumcircle
    share = mask.sum() / disc.sum()
    if kind == "ellipse":  # semi-axes r and r / 2: half the disc
        assert 0.45 < share < 0.55
        assert mask[24, 24 + 14] and not mask[24 + 14, 24]  # long along x at theta 0
    else:  # five points reaching the circumcircle, dents at 0.45 r
        assert 0.3 < share < 0.6
        angles = np.arange(5) * 2 * np.pi / 5
        tips = [(int(24.5 + 14 * np.sin(a)), int(24.5 + 14 * np.cos(a))) for a in angles]
        dents = [(int(24.5 + 14 * np.sin(a + np.pi / 5)), int(24.5 + 14 * np.cos(a + np.pi / 5)))
                 for a in angles]
        assert all(mask[y, x] for y, x in tips) and not any(mask[y, x] for y, x in dents)
    images, labels, _ = data.make_shapes_classification(24, 32, kinds=(kind, "circle"), seed=0)
    # the shape stands out of every image: many pixels far from the background's corner colour
    far = np.abs(images - images[:, :1, :1, :]).max(axis=-1) > 0.25
    assert (far.mean(axis=(1, 2)) > 0.02).all()


def test_shapes_segmentation_shapes_dtypes_classes():
    images, masks, names = data.make_shapes_segmentation(60, image_size=48, n_classes=5, seed=2)
    assert images.shape == (60, 48, 48, 3) and images.dtype == np.float32
    assert masks.shape == (60, 48, 48) and masks.dtype == np.int32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert names == ["background", "circle", "square", "triangle", "stripes"]
    share = np.bincount(masks.ravel(), minlength=5) / masks.size
    assert len(share) == 5 and share.min() > 0.005  # every class covers some pixels
    assert 0.4 < share[0] < 0.97  # background dominates but shapes are not negligible
    per_image_fg = (masks > 0).mean(axis=(1, 2))
    assert per_image_fg.min() > 0  # every image has at least one visible shape


def test_random_noise_shapes_dtypes_ranges():
    images, labels = data.make_random_noise(500, image_size=16, n_classes=10, seed=0)
    assert images.shape == (500, 16, 16, 3) and images.dtype == np.float32
    assert labels.shape == (500,) and labels.dtype == np.int32
    assert 0.0 <= images.min() and images.max() < 1.0
    assert set(np.unique(labels)) == set(range(10))


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: data.make_shapes_classification(20, 24, seed=seed),
        lambda seed: data.make_shapes_segmentation(20, 24, seed=seed),
        lambda seed: data.make_random_noise(20, 24, seed=seed),
    ],
    ids=["classification", "segmentation", "noise"],
)
def test_generators_are_deterministic(make):
    first, again, other = make(5), make(5), make(6)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])
    assert not np.array_equal(first[1], other[1])


def test_generators_make_the_full_scale_sets():
    # No time limit (a timed test fails on a loaded machine: this one did, at 15 s against
    # 10); how long the chapters take is read from the book build's log.
    images, labels, names = data.make_shapes_classification(2000, image_size=64)
    assert images.shape == (2000, 64, 64, 3) and images.dtype == np.float32
    assert labels.shape == (2000,) and set(np.unique(labels)) == set(range(len(names)))
    images, masks, names = data.make_shapes_segmentation(2000, image_size=64)
    assert images.shape == (2000, 64, 64, 3) and masks.shape == (2000, 64, 64)
    assert set(np.unique(masks)) == set(range(len(names)))


def test_shapes_classification_has_learnable_signal():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    images, labels, _ = data.make_shapes_classification(1200, image_size=64, n_classes=4, seed=3)
    features = edge_features(images)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(features[:800], labels[:800])
    accuracy = model.score(features[800:], labels[800:])
    assert accuracy > 0.55, f"held-out accuracy {accuracy:.2f}; chance is 0.25"


def test_segmentation_masks_match_image_edges():
    images, masks, _ = data.make_shapes_segmentation(200, image_size=48, seed=4)
    colour_jump = np.abs(np.diff(images, axis=2)).sum(-1)  # (n, S, S-1), horizontal neighbours
    label_change = np.diff(masks, axis=2) != 0
    # Where the mask changes class the image changes colour much more than elsewhere.
    assert colour_jump[label_change].mean() > 4 * colour_jump[~label_change].mean()


# ----------------------------------------------------------------------------------------
# Batches: what model.fit takes on every backend
# ----------------------------------------------------------------------------------------


def array_batches(n=10, batch_size=4, shuffle=True, seed=0, image_size=8):
    """Batches over n tiny images whose pixels all equal their index / 100, labelled index."""
    from lessons_lib.data.pipelines import ArraySource

    images = np.broadcast_to((np.arange(n, dtype=np.float32) / 100)[:, None, None, None],
                             (n, image_size, image_size, 3))
    return data.Batches(ArraySource(images, np.arange(n)), batch_size, shuffle=shuffle,
                        seed=seed)


def epoch_labels(batches) -> list[list[int]]:
    return [batches[i][1].tolist() for i in range(len(batches))]


def test_batches_len_shapes_dtypes_and_the_last_partial_batch():
    batches = array_batches(n=10, batch_size=4)
    assert isinstance(batches, __import__("keras").utils.PyDataset)
    assert len(batches) == 3 and batches.num_images == 10
    sizes = []
    for i in range(len(batches)):
        images, labels = batches[i]
        assert images.dtype == np.float32 and labels.dtype == np.int32
        assert images.shape[1:] == (8, 8, 3) and labels.shape == images.shape[:1]
        assert 0.0 <= images.min() and images.max() <= 1.0
        np.testing.assert_allclose(images[:, 0, 0, 0], labels / 100)  # each image with its label
        sizes.append(len(labels))
    assert sizes == [4, 4, 2]  # the last batch is smaller, nothing dropped
    assert sorted(sum(epoch_labels(batches), [])) == list(range(10))  # each example once
    with pytest.raises(IndexError) as info:
        batches[3]
    assert str(info.value) == "`index` must be an integer in [0, 2]; received index=3."
    assert [len(labels) for _, labels in batches] == [4, 4, 2]  # iteration stops at len


def test_batches_reshuffle_every_epoch_from_the_seed():
    first = array_batches(n=40, batch_size=8, seed=3)
    again = array_batches(n=40, batch_size=8, seed=3)
    other = array_batches(n=40, batch_size=8, seed=4)
    epochs = []
    for _ in range(3):
        labels = epoch_labels(first)
        assert labels == epoch_labels(first)  # stable within an epoch
        assert labels == epoch_labels(again)  # the same seed: the same batches, same order
        assert sorted(sum(labels, [])) == list(range(40))
        epochs.append(labels)
        first.on_epoch_end()
        again.on_epoch_end()
    assert epochs[0] != epochs[1] != epochs[2]  # a new order every epoch
    assert epoch_labels(other) != epochs[0]
    # The contract that makes every backend and every run agree: NumPy's seeded generator.
    rng = np.random.default_rng(3)
    assert sum(epochs[0], []) == rng.permutation(40).tolist()
    assert sum(epochs[1], []) == rng.permutation(40).tolist()


def test_validation_batches_keep_their_order():
    val = array_batches(n=10, batch_size=4, shuffle=False)
    assert epoch_labels(val) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    val.on_epoch_end()
    assert epoch_labels(val) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_take_map_and_chained_views():
    train = array_batches(n=10, batch_size=4, shuffle=False)
    assert len(train.take(2)) == 2 and train.take(2).num_images == 8
    assert len(train.take(-1)) == 3 and len(train.take(99)) == 3 and len(train) == 3
    assert epoch_labels(train.take(2)) == epoch_labels(train)[:2]

    def to_model_range(images, labels):
        return images * 2.0 - 1.0, labels

    images, labels = train.map(to_model_range)[1]
    np.testing.assert_allclose(images, train[1][0] * 2.0 - 1.0)
    np.testing.assert_array_equal(labels, train[1][1])
    for chained in (train.map(to_model_range).take(2), train.take(2).map(to_model_range)):
        assert len(chained) == 2
        np.testing.assert_allclose(chained[0][0], train[0][0] * 2.0 - 1.0)
    twice = train.map(to_model_range).map(lambda x, y: (x, y + 1))
    np.testing.assert_array_equal(twice[0][1], train[0][1] + 1)
    assert len(train) == 3 and train.map(to_model_range)._fns and not train._fns  # views


def test_a_views_epoch_end_reshuffles_the_source():
    train = array_batches(n=40, batch_size=8)
    view = train.map(lambda x, y: (x, y)).take(2)
    before = epoch_labels(train)
    assert epoch_labels(view) == before[:2]
    view.on_epoch_end()
    after = epoch_labels(train)
    assert after != before and epoch_labels(view) == after[:2]


@pytest.mark.parametrize("n, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                      (True, TypeError), ("2", TypeError)])
def test_take_refuses_bad_counts(n, error):
    with pytest.raises(error) as info:
        array_batches().take(n)
    assert str(info.value).startswith("`n` must be an integer") and f"received n={n!r}" in str(
        info.value)


def test_map_refuses_a_non_callable():
    with pytest.raises(TypeError) as info:
        array_batches().map(3)
    assert str(info.value) == ("`fn` must be a callable fn(images, targets) -> (images, "
                               "targets); received fn=3 (type int).")


def test_batches_repr_says_what_a_reader_needs():
    data_ = data.load_classification("generated", image_size=64, batch_size=32, n_generated=470,
                                     verbose=False)
    assert repr(data_.train) == (
        "Batches: 12 batches of 32 (376 images), images float32 (32, 64, 64, 3), targets int32 "
        "(32,), rendered afresh and reshuffled every epoch")
    assert repr(data_.val.take(2)) == (
        "Batches: 2 batches of 32 (64 images; the first 2 of 3), images float32 (32, 64, 64, 3), "
        "targets int32 (32,), in a fixed order")
    seg = data.load_segmentation("generated", image_size=16, batch_size=8, n_generated=20,
                                 verbose=False)

    def to_model_range(images, masks):
        return images * 2.0 - 1.0, masks

    assert repr(seg.train.map(to_model_range)) == (
        "Batches: 2 batches of 8 (16 images), images float32 (8, 16, 16, 3), targets int32 "
        "(8, 16, 16), then map(to_model_range), rendered afresh and reshuffled every epoch")
    fixed = data.load_classification("generated", image_size=16, batch_size=8, n_generated=20,
                                     fresh=False, verbose=False)
    assert repr(fixed.train).endswith("targets int32 (8,), reshuffled every epoch")


def test_generated_training_images_are_new_every_epoch_and_never_the_validation_images():
    first = data.load_classification("generated", image_size=16, batch_size=8, n_generated=50,
                                     seed=3, verbose=False)
    again = data.load_classification("generated", image_size=16, batch_size=8, n_generated=50,
                                     seed=3, verbose=False)
    source = first.train.source
    epoch0 = source.images.copy()
    assert first.rendered and first.n_train == 40 and first.n_val == 10
    assert "40 new training images every epoch, 10 fixed validation images" in first.summary()
    first.train.take(2).on_epoch_end()  # a view ends the epoch of every view
    assert source.epoch == 1 and not np.allclose(source.images, epoch0)
    again.train.on_epoch_end()
    np.testing.assert_array_equal(again.train.source.images, source.images)  # seeded
    validation = first.val.source.images
    for _ in range(3):
        for image in source.images:
            assert not np.any(np.all(np.isclose(validation, image), axis=(1, 2, 3)))
        first.train.on_epoch_end()
    np.testing.assert_array_equal(first.val.source.images, validation)  # fixed
    # labels stay balanced in every epoch
    assert np.bincount(first.train.source.targets, minlength=4).tolist() == [10, 10, 10, 10]


def test_rendered_source_refuses_bad_arguments():
    from lessons_lib.data.pipelines import RenderedSource

    with pytest.raises(TypeError, match=r"`render` must be a callable .*received render=3"):
        RenderedSource(3, 10)
    with pytest.raises(ValueError, match="`render` must return 10 images and targets; it "
                                         "returned 9 and 9"):
        RenderedSource(lambda n, seed: (np.zeros((n - 1, 4, 4, 3)), np.zeros(n - 1)), 10)
    with pytest.raises(TypeError, match="fresh"):
        data.load_classification("generated", fresh="yes", verbose=False)


def tiny_model(image_size: int, n_classes: int):
    import keras

    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((image_size, image_size, 3)),
        keras.layers.Conv2D(4, 3, strides=2, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])


def test_fit_evaluate_predict_take_batches_on_this_backend():
    result = data.load_classification("generated", image_size=16, batch_size=8, n_generated=50,
                                      verbose=False)
    model = tiny_model(16, result.num_classes)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    first_batch = result.train[0][1].copy()
    history = model.fit(result.train, validation_data=result.val, epochs=1, verbose=0,
                        shuffle=False)
    assert np.isfinite(history.history["loss"][0]) and "val_accuracy" in history.history
    assert not np.array_equal(result.train[0][1], first_batch)  # Keras ended the epoch: reshuffled
    loss, accuracy = model.evaluate(result.val.map(lambda x, y: (x, y)).take(1), verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
    probabilities = model.predict(result.val, verbose=0)
    assert probabilities.shape == (result.n_val, result.num_classes)


def test_fit_takes_segmentation_batches_on_this_backend():
    import keras

    result = data.load_segmentation("generated", image_size=16, batch_size=4, n_generated=10,
                                    verbose=False)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((16, 16, 3)),
                              keras.layers.Conv2D(result.num_classes, 3, padding="same")])
    # Logits: on PyTorch 2.13 (Keras 3.15) the backward pass of a softmax output with
    # "sparse_categorical_crossentropy" on (B, S, S, C) fails ("grad_input must be
    # contiguous") whatever the data; from_logits=True works on every backend.
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(result.train.map(lambda x, y: (x * 2.0 - 1.0, y)), epochs=1, verbose=0,
                        shuffle=False)
    assert np.isfinite(history.history["loss"][0])


# ----------------------------------------------------------------------------------------
# Image files decoded with Pillow: modes, lazy decoding, broken files
# ----------------------------------------------------------------------------------------


def test_decode_image_converts_every_mode_to_rgb(tmp_path):
    from lessons_lib.data.pipelines import decode_image

    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[..., 0] = 200
    files = {
        "grey.png": Image.fromarray(np.full((30, 40), 90, np.uint8)),
        "rgba.png": Image.fromarray(np.dstack([rgb, np.full((30, 40), 7, np.uint8)])),
        "palette.png": Image.fromarray(rgb).convert("P"),
        "cmyk.jpg": Image.fromarray(rgb).convert("CMYK"),
        "big.jpg": Image.fromarray(np.broadcast_to(rgb[:1, :1], (300, 400, 3)).copy()),
    }
    for name, image in files.items():
        image.save(tmp_path / name)
        pixels = decode_image(tmp_path / name, 12)
        assert pixels.shape == (12, 12, 3) and pixels.dtype == np.uint8, name
        expected = (90, 90, 90) if name == "grey.png" else (200, 0, 0)
        np.testing.assert_allclose(pixels.mean(axis=(0, 1)), expected, atol=6, err_msg=name)


def write_jpeg_classes(root: Path, per_class: int = 5) -> Path:
    """root/<colour>/<i>.jpg: JPEG photos (60x80, a gradient in one dominant colour)."""
    ramp = np.linspace(0.6, 1.0, 80)[None, :, None]
    for name, colour in CLASS_COLOURS.items():
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = np.broadcast_to(np.array(colour) * ramp, (60, 80, 3)).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.jpg", quality=90)
    return root


def test_decoding_is_lazy_and_cached(tmp_path, monkeypatch):
    from lessons_lib.data import pipelines

    folder = write_jpeg_classes(tmp_path / "photos", per_class=10)
    result = data.load_classification(data_dir=folder, image_size=16, batch_size=4,
                                      val_fraction=0.2, verbose=False)
    assert (result.n_train, result.n_val) == (24, 6)
    source = result.train.source
    assert source.n_decoded == 0  # listing the files decodes nothing
    calls = []
    decode = pipelines.decode_image
    monkeypatch.setattr(pipelines, "decode_image", lambda *a: calls.append(a) or decode(*a))
    images, labels = result.train.take(1)[0]
    assert len(calls) == 4 and source.n_decoded == 4  # one batch's files, no more
    result.train.take(1)[0]
    assert len(calls) == 4  # read again from memory
    all_batches(result.train)
    assert len(calls) == 24
    result.train.on_epoch_end()
    images, labels = all_batches(result.train)  # the next epoch decodes nothing
    assert len(calls) == 24 and images.shape == (24, 16, 16, 3)
    dominant = images.mean(axis=(1, 2)).argmax(axis=1)
    np.testing.assert_array_equal(dominant, [CHANNEL_OF[result.class_names[k]] for k in labels])


def test_unreadable_files_are_skipped_and_named(tmp_path, capsys):
    folder = write_class_folders(tmp_path / "colours", per_class=4)
    (folder / "red" / "not_a_photo.jpg").write_bytes(b"<html>404 Not Found</html>")
    (folder / "blue" / "empty.png").write_bytes(b"")
    result = data.load_classification(data_dir=folder, image_size=16, batch_size=4,
                                      val_fraction=0.25)
    assert (result.n_train, result.n_val) == (9, 3)  # the 12 readable images, counted honestly
    assert "skipped 2 files Pillow cannot read: " in result.reason
    assert "empty.png" in result.reason and "not_a_photo.jpg" in result.reason
    assert "skipped 2 files" in capsys.readouterr().out
    images, labels = all_batches(result.train)
    assert images.shape == (9, 16, 16, 3) and not result.train.failed


def test_a_file_that_fails_to_decode_is_left_out_with_a_warning(tmp_path):
    folder = write_jpeg_classes(tmp_path / "photos", per_class=4)
    damaged = folder / "green" / "0.jpg"
    jpeg = damaged.read_bytes()
    damaged.write_bytes(jpeg[:jpeg.index(b"\xff\xda") + 20])  # header intact, pixels cut off
    result = data.load_classification(data_dir=folder, image_size=16, batch_size=12,
                                      val_fraction=0.25, verbose=False)
    assert result.n_train + result.n_val == 12  # the header check lets it through
    split = result.train if str(damaged) in result.train.source.image_paths else result.val
    with pytest.warns(RuntimeWarning, match="left out .*0.jpg: Pillow cannot decode it"):
        images, labels = all_batches(split)
    assert len(labels) == split.num_images - 1 and split.failed == [str(damaged)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second attempt, no second warning
        assert len(all_batches(split)[1]) == split.num_images - 1
    assert "1 files left out (failed to decode)" in repr(split)


def test_segmentation_pairs_with_an_unreadable_trimap_are_skipped(tmp_path):
    folder = write_oxford_layout(tmp_path / "pets", n=5)
    (folder / "annotations" / "trimaps" / "pet_3.png").write_bytes(b"truncated")
    result = data.load_segmentation(data_dir=folder, image_size=16, batch_size=2,
                                    val_fraction=0.25, verbose=False)
    assert (result.n_train, result.n_val) == (3, 1) and "pet_3.png" in result.reason


# ----------------------------------------------------------------------------------------
# Real loading paths, fed with tiny local folders
# ----------------------------------------------------------------------------------------


def test_classification_from_directory(tmp_path, capsys):
    folder = write_class_folders(tmp_path / "colours")
    result = data.load_classification(
        data_dir=folder, image_size=16, batch_size=4, val_fraction=0.25, seed=0
    )
    assert result.source == "directory" and result.task == "classification"
    assert result.class_names == ["blue", "green", "red"]
    assert (result.n_train, result.n_val) == (14, 4)
    assert "18 images" in capsys.readouterr().out

    x, y = result.train.take(1)[0]
    assert x.shape == (4, 16, 16, 3) and y.shape == (4,)
    assert x.dtype == np.float32 and y.dtype == np.int32
    for split, count in ((result.train, 14), (result.val, 4)):
        images, labels = all_batches(split)
        assert images.shape == (count, 16, 16, 3) and labels.shape == (count,)
        assert 0.0 <= images.min() and images.max() <= 1.0
        dominant = images.mean(axis=(1, 2)).argmax(axis=1)
        expected = [CHANNEL_OF[result.class_names[k]] for k in labels]
        np.testing.assert_array_equal(dominant, expected)  # each label matches its folder


def test_segmentation_from_oxford_layout(tmp_path):
    folder = write_oxford_layout(tmp_path / "pets", n=5)
    result = data.load_segmentation(
        data_dir=folder, image_size=16, batch_size=2, val_fraction=0.4, seed=0, verbose=False
    )
    assert result.source == "directory" and result.task == "segmentation"
    assert result.class_names == ["pet", "background", "border"]
    assert (result.n_train, result.n_val) == (3, 2)  # junk and unpaired files skipped

    for split, count in ((result.train, 3), (result.val, 2)):
        images, masks = all_batches(split)
        assert images.shape == (count, 16, 16, 3) and images.dtype == np.float32
        assert masks.shape == (count, 16, 16) and masks.dtype == np.int32
        for mask in masks:
            np.testing.assert_array_equal(mask, expected_mask_16())
        pet_pixels = images[masks == 0]
        assert pet_pixels[:, 0].mean() > 0.7 and pet_pixels[:, 2].mean() < 0.3  # red pet


# ----------------------------------------------------------------------------------------
# Download path without internet: file:// archives stand in for the servers
# ----------------------------------------------------------------------------------------


def test_flowers_download_extract_and_cache(tmp_path, monkeypatch, network_ok, capsys):
    folder = write_class_folders(tmp_path / "src" / "flower_photos", per_class=4)
    archive = tmp_path / "flower_photos.tgz"
    digest = make_tgz(archive, folder, "flower_photos")
    monkeypatch.setattr(download, "FLOWERS_URL", archive.as_uri())
    monkeypatch.setattr(download, "FLOWERS_SHA256", digest)
    cache = tmp_path / "keras_home"

    result = data.load_classification(image_size=16, batch_size=4, cache_dir=cache)
    assert result.source == "flowers", result.reason
    assert "downloaded" in result.reason
    assert (result.n_train + result.n_val) == 12
    assert (cache / "datasets" / "flower_photos.tgz").is_file()  # the archive, kept by get_file
    assert (cache / "datasets" / "flower_photos_extracted" / "flower_photos" / "red").is_dir()
    images, labels = all_batches(result.val)
    assert images.shape[1:] == (16, 16, 3) and labels.dtype == np.int32

    # Second call: found in the cache, no download attempted.
    monkeypatch.setattr(download, "_download_and_extract", pytest.fail)
    again = data.load_classification(image_size=16, batch_size=4, cache_dir=cache)
    assert again.source == "flowers" and "cache" in again.reason
    assert "flowers" in capsys.readouterr().out


def test_flowers_bad_hash_falls_back(tmp_path, monkeypatch, network_ok):
    folder = write_class_folders(tmp_path / "src" / "flower_photos", per_class=2)
    archive = tmp_path / "flower_photos.tgz"
    digest = make_tgz(archive, folder, "flower_photos")
    monkeypatch.setattr(download, "FLOWERS_URL", archive.as_uri())
    monkeypatch.setattr(download, "FLOWERS_SHA256", "0" * 64)
    result = data.load_classification(
        image_size=16, n_generated=40, cache_dir=tmp_path / "home", verbose=False
    )
    assert result.source == "generated"
    assert "hash mismatch" in result.reason and "network" not in result.reason
    assert f"expected sha256 {'0' * 64}, got {digest}" in result.reason
    assert not (tmp_path / "home" / "datasets" / "flower_photos_extracted").exists()


def test_pets_download_extract(tmp_path, monkeypatch, network_ok):
    source = write_oxford_layout(tmp_path / "src", n=4)
    images_tgz, annotations_tgz = tmp_path / "images.tar.gz", tmp_path / "annotations.tar.gz"
    monkeypatch.setattr(download, "PETS_IMAGES_URLS", (images_tgz.as_uri(),))
    monkeypatch.setattr(download, "PETS_IMAGES_MD5", None)
    monkeypatch.setattr(download, "PETS_ANNOTATIONS_URLS", (annotations_tgz.as_uri(),))
    monkeypatch.setattr(download, "PETS_ANNOTATIONS_MD5", None)
    make_tgz(images_tgz, source / "images", "images")
    make_tgz(annotations_tgz, source / "annotations", "annotations")

    result = data.load_segmentation(
        image_size=16, batch_size=2, val_fraction=0.25, cache_dir=tmp_path / "home", verbose=False
    )
    assert result.source == "oxford_pets", result.reason
    for name in ("images.tar.gz", "annotations.tar.gz", "oxford_iiit_pet/images"):
        assert (tmp_path / "home" / "datasets" / name).exists()
    assert (result.n_train, result.n_val) == (3, 1)
    images, masks = all_batches(result.train)
    assert images.shape == (3, 16, 16, 3) and masks.shape == (3, 16, 16)
    assert set(np.unique(masks)) == {0, 1, 2}


# ----------------------------------------------------------------------------------------
# Offline fallback
# ----------------------------------------------------------------------------------------


def test_no_network_falls_back_quickly_and_says_why(tmp_path, no_network, capsys):
    start = time.perf_counter()
    result = data.load_classification(
        image_size=16, batch_size=8, n_generated=100, cache_dir=tmp_path, seed=1
    )
    elapsed = time.perf_counter() - start
    assert result.source == "generated" and result.task == "classification"
    assert (result.n_train, result.n_val) == (80, 20)
    assert "simulated outage" in result.reason
    assert no_network == [download.FLOWERS_URL]  # probed once, no download attempted
    printed = capsys.readouterr().out
    assert "generated" in printed and "80 new training images every epoch" in printed
    assert "simulated outage" in printed
    assert elapsed < 15.0
    images, labels = all_batches(result.train)
    assert images.shape == (80, 16, 16, 3) and images.dtype == np.float32
    assert labels.dtype == np.int32 and set(np.unique(labels)) == {0, 1, 2, 3}


def test_no_network_segmentation_falls_back(tmp_path, no_network, capsys):
    result = data.load_segmentation(image_size=16, n_generated=50, cache_dir=tmp_path)
    assert result.source == "generated" and result.class_names[0] == "background"
    assert "simulated outage" in capsys.readouterr().out
    images, masks = all_batches(result.val)
    assert images.shape == (10, 16, 16, 3) and masks.shape == (10, 16, 16)
    assert masks.dtype == np.int32 and masks.max() < result.num_classes


def test_offline_env_var_forces_generated(tmp_path, monkeypatch):
    monkeypatch.setenv(data.OFFLINE_ENV_VAR, "1")
    monkeypatch.setattr(download, "_probe", pytest.fail)  # must not even probe
    result = data.load_segmentation(
        image_size=16, n_generated=20, cache_dir=tmp_path, verbose=False
    )
    assert result.source == "generated" and data.OFFLINE_ENV_VAR in result.reason


def test_allow_download_false_without_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    monkeypatch.setattr(download, "_probe", pytest.fail)
    result = data.load_classification(
        image_size=16, n_generated=20, allow_download=False, cache_dir=tmp_path, verbose=False
    )
    assert result.source == "generated" and "allow_download=False" in result.reason


def test_prefer_generated(tmp_path):
    result = data.load_classification("generated", image_size=16, n_generated=30,
                                      n_classes_generated=3, verbose=False)
    assert result.source == "generated" and result.num_classes == 3
    assert result.n_train + result.n_val == 30


def test_probe_fails_fast_for_unreachable_host():
    start = time.perf_counter()
    status, why = download._probe("https://no-such-host.invalid/file.tgz", timeout_s=2.0)
    assert status is None and why.startswith("network error") and "no-such-host.invalid" in why
    assert time.perf_counter() - start < 3.0
    assert download._probe("file:///tmp/x.tgz") == (None, "no host name in 'file:///tmp/x.tgz'")


# ----------------------------------------------------------------------------------------
# The HTTP probe and the mirrors, against a local server on 127.0.0.1
# ----------------------------------------------------------------------------------------


class LocalServer:
    """An HTTP server on 127.0.0.1 in a thread, serving ``files`` ({path: bytes}).

    ``status`` ({path: code}) answers a path with that status instead; paths in
    ``refuse_head`` answer HEAD with 405. Honours ``Range: bytes=0-0`` with 206 and one
    byte. ``log`` records every request as (method, path, Range header or None).
    """

    def __init__(self):
        self.files, self.status, self.refuse_head, self.log = {}, {}, set(), []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 10  # seconds a connection may stay silent

            def log_message(self, *args):  # keep the test output clean
                pass

            def answer(self, send_body):
                server.log.append((self.command, self.path, self.headers.get("Range")))
                if self.command == "HEAD" and self.path in server.refuse_head:
                    return self.send_error(405)
                code = server.status.get(self.path, 200 if self.path in server.files else 404)
                if code != 200:
                    return self.send_error(code)
                body = server.files[self.path]
                if self.command == "GET" and self.headers.get("Range") == "bytes=0-0":
                    code, body = 206, body[:1]
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def do_HEAD(self):
                self.answer(send_body=False)

            def do_GET(self):
                self.answer(send_body=True)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"

    def requests(self, method: str) -> list[str]:
        return [path for m, path, _ in self.log if m == method]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server(monkeypatch):
    """A LocalServer; proxies bypassed and LESSONS_OFFLINE unset so the real probe runs."""
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "*")
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    local = LocalServer()
    yield local
    local.close()


def closed_port_url(path: str) -> str:
    """An http://127.0.0.1 address on a port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def test_probe_reports_the_http_status_of_the_file(server):
    server.files["/here.tgz"] = b"archive bytes"
    server.files["/no_head.tgz"] = b"archive bytes"
    server.refuse_head.add("/no_head.tgz")
    server.status["/broken.tgz"] = 503

    assert download._probe(server.url("/here.tgz")) == (200, "")
    gone, broken = server.url("/gone.tgz"), server.url("/broken.tgz")
    assert download._probe(gone) == (404, f"HTTP 404 for {gone}")
    assert download._probe(broken)[1] == f"HTTP 503 for {broken}"
    assert download._probe(server.url("/no_head.tgz")) == (206, "")  # HEAD refused: ranged GET
    assert ("GET", "/no_head.tgz", "bytes=0-0") in server.log
    assert server.requests("GET") == ["/broken.tgz", "/no_head.tgz"]  # never a GET on 200/404


def test_probe_connection_refused_is_a_network_error():
    start = time.perf_counter()
    status, why = download._probe(closed_port_url("/x.tgz"), timeout_s=2.0)
    assert status is None and why.startswith("network error") and "127.0.0.1" in why
    assert time.perf_counter() - start < 3.0


def test_pets_404_is_reported_and_the_next_mirror_used(tmp_path, server, monkeypatch, capsys):
    source = write_oxford_layout(tmp_path / "src", n=4)
    md5 = {}
    for name in ("images", "annotations"):
        archive = tmp_path / f"{name}.tar.gz"
        make_tgz(archive, source / name, name)
        server.files[f"/mirror/{name}.tar.gz"] = archive.read_bytes()
        md5[name] = hashlib.md5(archive.read_bytes()).hexdigest()
    for name, constant in (("images", "PETS_IMAGES"), ("annotations", "PETS_ANNOTATIONS")):
        urls = (server.url(f"/moved/{name}.tar.gz"), server.url(f"/mirror/{name}.tar.gz"))
        monkeypatch.setattr(download, constant + "_URLS", urls)
        monkeypatch.setattr(download, constant + "_MD5", md5[name])

    result = data.load_segmentation(image_size=16, batch_size=2, val_fraction=0.25,
                                    cache_dir=tmp_path / "home")
    assert result.source == "oxford_pets", result.reason
    assert (result.n_train, result.n_val) == (3, 1)
    missing = server.url("/moved/images.tar.gz")
    assert f"HTTP 404 for {missing}" in result.reason
    assert f"HTTP 404 for {missing}; using the next mirror" in capsys.readouterr().out
    assert server.requests("GET") == ["/mirror/images.tar.gz", "/mirror/annotations.tar.gz"]


def test_flowers_download_proceeds_when_head_is_refused(tmp_path, server, monkeypatch):
    folder = write_class_folders(tmp_path / "src" / "flower_photos", per_class=2)
    archive = tmp_path / "flower_photos.tgz"
    digest = make_tgz(archive, folder, "flower_photos")
    server.files["/flower_photos.tgz"] = archive.read_bytes()
    server.refuse_head.add("/flower_photos.tgz")
    monkeypatch.setattr(download, "FLOWERS_URL", server.url("/flower_photos.tgz"))
    monkeypatch.setattr(download, "FLOWERS_SHA256", digest)

    result = data.load_classification(image_size=16, cache_dir=tmp_path / "home", verbose=False)
    assert result.source == "flowers" and "downloaded" in result.reason, result.reason
    assert result.n_train + result.n_val == 6
    assert [request[2] for request in server.log] == [None, "bytes=0-0", None]  # HEAD, probe, GET


def test_hash_mismatch_over_http_says_so(tmp_path, server, monkeypatch):
    folder = write_class_folders(tmp_path / "src" / "flower_photos", per_class=2)
    archive = tmp_path / "flower_photos.tgz"
    digest = make_tgz(archive, folder, "flower_photos")
    server.files["/flower_photos.tgz"] = archive.read_bytes()
    monkeypatch.setattr(download, "FLOWERS_URL", server.url("/flower_photos.tgz"))
    monkeypatch.setattr(download, "FLOWERS_SHA256", "f" * 64)

    home = tmp_path / "home"
    result = data.load_classification(image_size=16, n_generated=40, cache_dir=home,
                                      verbose=False)
    cached = home / "datasets" / "flower_photos.tgz"
    assert result.source == "generated"
    assert f"hash mismatch for {cached}" in result.reason
    assert f"expected sha256 {'f' * 64}, got {digest}" in result.reason
    assert f"Delete {cached}" in result.reason and "network" not in result.reason
    assert not (home / "datasets" / "flower_photos_extracted").exists()


def test_connection_refused_falls_back_with_a_network_message(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    dead = closed_port_url("/a/images.tar.gz")
    monkeypatch.setattr(download, "PETS_IMAGES_URLS", (dead, dead.replace("/a/", "/b/")))
    start = time.perf_counter()
    result = data.load_segmentation(image_size=16, n_generated=20, cache_dir=tmp_path)
    assert time.perf_counter() - start < 10.0
    assert result.source == "generated"
    assert "network error: cannot reach 127.0.0.1" in result.reason
    assert "did not answer" in result.reason  # the second address on that host: not asked
    assert "network error" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------
# Bad arguments
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: data.make_shapes_classification(0), ValueError, "n"),
        (lambda: data.make_shapes_classification(10, image_size=7), ValueError, "image_size"),
        (lambda: data.make_shapes_classification(10, n_classes=9), ValueError, "n_classes"),
        (lambda: data.make_shapes_classification(10, n_classes=1), ValueError, "n_classes"),
        (lambda: data.make_shapes_classification(10.0), TypeError, "n"),
        (lambda: data.make_shapes_classification(True), TypeError, "n"),
        (lambda: data.make_shapes_classification(10, seed=-1), ValueError, "seed"),
        (lambda: data.make_shapes_classification(10, seed="a"), TypeError, "seed"),
        (lambda: data.make_shapes_segmentation(10, n_classes=10), ValueError, "n_classes"),
        (lambda: data.make_shapes_classification(10, kinds="ring"), TypeError, "kinds"),
        (lambda: data.make_shapes_classification(10, kinds=("ring", 3)), TypeError, "kinds"),
        (lambda: data.make_shapes_classification(10, kinds=("ring", "oval")), ValueError,
         "kinds"),
        (lambda: data.make_shapes_classification(10, kinds=("ring",)), ValueError, "kinds"),
        (lambda: data.make_shapes_classification(10, kinds=("ring", "ring")), ValueError,
         "kinds"),
        (lambda: data.make_shapes_classification(10, 16, 3, kinds=("ring", "star")), ValueError,
         "n_classes"),
        (lambda: data.load_classification(kinds_generated=["star", "hexagon"]), ValueError,
         "kinds_generated"),
        (lambda: data.load_classification(kinds_generated="star"), TypeError,
         "kinds_generated"),
        (lambda: data.load_classification(n_classes_generated=3, kinds_generated=("ring", "star")),
         ValueError, "n_classes_generated"),
        (lambda: data.make_shapes_segmentation(10, max_shapes=0), ValueError, "max_shapes"),
        (lambda: data.make_shapes_segmentation(10, noise_std=2.0), ValueError, "noise_std"),
        (lambda: data.make_random_noise(-3), ValueError, "n"),
        (lambda: data.make_random_noise(10, image_size="64"), TypeError, "image_size"),
        (lambda: data.load_classification("imagenet"), ValueError, "prefer"),
        (lambda: data.load_classification(3), TypeError, "prefer"),
        (lambda: data.load_segmentation("flowers"), ValueError, "prefer"),
        (lambda: data.load_classification(batch_size=0), ValueError, "batch_size"),
        (lambda: data.load_classification(image_size=4), ValueError, "image_size"),
        (lambda: data.load_classification(val_fraction=1.0), ValueError, "val_fraction"),
        (lambda: data.load_classification(val_fraction=0), ValueError, "val_fraction"),
        (lambda: data.load_segmentation(val_fraction="0.2"), TypeError, "val_fraction"),
        (lambda: data.load_classification(n_generated=1), ValueError, "n_generated"),
        (lambda: data.load_classification(n_classes_generated=9), ValueError,
         "n_classes_generated"),
        (lambda: data.load_classification(data_dir="/no/such/folder"), ValueError, "data_dir"),
        (lambda: data.load_segmentation(data_dir="/no/such/folder"), ValueError, "data_dir"),
        (lambda: data.load_classification(data_dir=42), TypeError, "data_dir"),
        (lambda: data.load_classification(verbose=1), TypeError, "verbose"),
        (lambda: data.load_segmentation(allow_download="no"), TypeError, "allow_download"),
    ],
)
def test_bad_arguments_name_the_argument(call, error, name):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert message.startswith(f"`{name}` must "), message
    assert f"received {name}=" in message, message


def test_bad_arguments_state_value_and_allowed_range():
    with pytest.raises(ValueError) as info:
        data.make_shapes_classification(10, n_classes=9)
    assert str(info.value) == "`n_classes` must be an integer in [2, 8]; received n_classes=9."
    with pytest.raises(ValueError) as info:
        data.make_shapes_classification(10, kinds=("ring", "oval"))
    assert str(info.value) == (
        "`kinds` must name shapes from ['circle', 'square', 'triangle', 'stripes', 'ring', "
        "'cross', 'star', 'ellipse']; received kinds=('ring', 'oval'), in which ['oval'] is "
        "not one.")
    with pytest.raises(ValueError) as info:
        data.load_classification("pets")
    assert str(info.value) == ("`prefer` must be one of ['flowers', 'generated']; "
                               "received prefer='pets'.")
    with pytest.raises(TypeError) as info:
        data.make_shapes_segmentation(10, noise_std="0.1")
    assert str(info.value) == ("`noise_std` must be a number in [0, 1]; "
                               "received noise_std='0.1' (type str).")


def test_data_dir_with_one_class_folder_is_rejected(tmp_path):
    (tmp_path / "only_class").mkdir()
    with pytest.raises(ValueError, match="at least 2 class sub-folders"):
        data.load_classification(data_dir=tmp_path)


def test_data_dir_without_oxford_layout_is_rejected(tmp_path):
    (tmp_path / "images").mkdir()
    with pytest.raises(ValueError, match="annotations/trimaps"):
        data.load_segmentation(data_dir=tmp_path)


def test_rewind_gives_a_second_run_the_same_batches_in_the_same_order():
    loaded = data.load_classification("generated", image_size=16, batch_size=8, n_generated=50,
                                      seed=2, verbose=False)
    view = loaded.train.map(lambda x, y: (x * 2, y)).take(-1)

    def epochs(batches, n=3):
        seen = []
        for _ in range(n):
            seen.append([batches[i][1].tolist() for i in range(len(batches))])
            seen.append(batches[0][0].sum())
            batches.on_epoch_end()
        return seen

    first = epochs(view)
    view.rewind()
    assert epochs(view) == first
    assert loaded.train.source.epoch == 3
    fixed = data.load_classification("generated", image_size=16, batch_size=8, n_generated=50,
                                     seed=2, fresh=False, verbose=False)
    before = epochs(fixed.train)
    fixed.train.rewind()
    assert epochs(fixed.train) == before
