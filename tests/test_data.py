"""Tests for lessons_lib.data: generated data, the real-data loading paths, the offline fallback.

The real-data paths are checked without network: the tests write tiny image folders (and
tiny tar archives served through ``file://`` URLs) with PIL and feed them through the same
code that reads TF flowers and Oxford-IIIT Pet.
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
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from lessons_lib import data  # noqa: E402  (after the TF log level is set)

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


def all_batches(dataset):
    """Concatenate every batch of a (images, targets) dataset into two NumPy arrays."""
    images, targets = [], []
    for x, y in dataset:
        images.append(x.numpy())
        targets.append(y.numpy())
    return np.concatenate(images), np.concatenate(targets)


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

    def unreachable(url, timeout_s=data.PROBE_TIMEOUT_S):
        calls.append(url)
        return None, "network error: simulated outage: no route to host"

    monkeypatch.setattr(data, "_probe", unreachable)
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    return calls


@pytest.fixture
def network_ok(monkeypatch):
    """Make the HTTP probe succeed (downloads then use file:// URLs)."""
    monkeypatch.setattr(data, "_probe", lambda url, timeout_s=None: (200, ""))
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)


# ----------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, lessons_lib.data; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ----------------------------------------------------------------------------------------
# Generated data
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, image_size, n_classes", [(40, 64, 4), (13, 8, 2), (30, 37, 6)])
def test_shapes_classification_shapes_dtypes_classes(n, image_size, n_classes):
    images, labels, names = data.make_shapes_classification(n, image_size, n_classes, seed=1)
    assert images.shape == (n, image_size, image_size, 3) and images.dtype == np.float32
    assert labels.shape == (n,) and labels.dtype == np.int32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert names == list(data.SHAPE_KINDS[:n_classes])
    counts = np.bincount(labels, minlength=n_classes)
    assert len(counts) == n_classes and counts.min() >= 1  # every class present
    assert counts.max() - counts.min() <= 1  # balanced


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


def test_generators_are_fast():
    start = time.perf_counter()
    data.make_shapes_classification(2000, image_size=64)
    data.make_shapes_segmentation(2000, image_size=64)
    assert time.perf_counter() - start < 10.0  # about 2-3 s on 2 slow CPU cores


def test_shapes_classification_has_learnable_signal():
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

    for x, y in result.train.take(1):
        assert x.shape[1:] == (16, 16, 3) and x.shape[0] <= 4
        assert x.dtype.name == "float32" and y.dtype.name == "int32"
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
    monkeypatch.setattr(data, "FLOWERS_URL", archive.as_uri())
    monkeypatch.setattr(data, "FLOWERS_SHA256", digest)
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
    monkeypatch.setattr(data, "_download_and_extract", pytest.fail)
    again = data.load_classification(image_size=16, batch_size=4, cache_dir=cache)
    assert again.source == "flowers" and "cache" in again.reason
    assert "flowers" in capsys.readouterr().out


def test_flowers_bad_hash_falls_back(tmp_path, monkeypatch, network_ok):
    folder = write_class_folders(tmp_path / "src" / "flower_photos", per_class=2)
    archive = tmp_path / "flower_photos.tgz"
    digest = make_tgz(archive, folder, "flower_photos")
    monkeypatch.setattr(data, "FLOWERS_URL", archive.as_uri())
    monkeypatch.setattr(data, "FLOWERS_SHA256", "0" * 64)
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
    monkeypatch.setattr(data, "PETS_IMAGES_URLS", (images_tgz.as_uri(),))
    monkeypatch.setattr(data, "PETS_IMAGES_MD5", None)
    monkeypatch.setattr(data, "PETS_ANNOTATIONS_URLS", (annotations_tgz.as_uri(),))
    monkeypatch.setattr(data, "PETS_ANNOTATIONS_MD5", None)
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
    assert no_network == [data.FLOWERS_URL]  # probed once, no download attempted
    printed = capsys.readouterr().out
    assert "generated" in printed and "100 images" in printed and "simulated outage" in printed
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
    monkeypatch.setattr(data, "_probe", pytest.fail)  # must not even probe
    result = data.load_segmentation(
        image_size=16, n_generated=20, cache_dir=tmp_path, verbose=False
    )
    assert result.source == "generated" and data.OFFLINE_ENV_VAR in result.reason


def test_allow_download_false_without_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(data.OFFLINE_ENV_VAR, raising=False)
    monkeypatch.setattr(data, "_probe", pytest.fail)
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
    status, why = data._probe("https://no-such-host.invalid/file.tgz", timeout_s=2.0)
    assert status is None and why.startswith("network error") and "no-such-host.invalid" in why
    assert time.perf_counter() - start < 3.0
    assert data._probe("file:///tmp/x.tgz") == (None, "no host name in 'file:///tmp/x.tgz'")


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

    assert data._probe(server.url("/here.tgz")) == (200, "")
    assert data._probe(server.url("/gone.tgz")) == (404, f"HTTP 404 for {server.url('/gone.tgz')}")
    assert data._probe(server.url("/broken.tgz"))[1] == f"HTTP 503 for {server.url('/broken.tgz')}"
    assert data._probe(server.url("/no_head.tgz")) == (206, "")  # HEAD refused: ranged GET
    assert ("GET", "/no_head.tgz", "bytes=0-0") in server.log
    assert server.requests("GET") == ["/broken.tgz", "/no_head.tgz"]  # never a GET on 200/404


def test_probe_connection_refused_is_a_network_error():
    start = time.perf_counter()
    status, why = data._probe(closed_port_url("/x.tgz"), timeout_s=2.0)
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
        monkeypatch.setattr(data, constant + "_URLS", urls)
        monkeypatch.setattr(data, constant + "_MD5", md5[name])

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
    monkeypatch.setattr(data, "FLOWERS_URL", server.url("/flower_photos.tgz"))
    monkeypatch.setattr(data, "FLOWERS_SHA256", digest)

    result = data.load_classification(image_size=16, cache_dir=tmp_path / "home", verbose=False)
    assert result.source == "flowers" and "downloaded" in result.reason, result.reason
    assert result.n_train + result.n_val == 6
    assert [request[2] for request in server.log] == [None, "bytes=0-0", None]  # HEAD, probe, GET


def test_hash_mismatch_over_http_says_so(tmp_path, server, monkeypatch):
    folder = write_class_folders(tmp_path / "src" / "flower_photos", per_class=2)
    archive = tmp_path / "flower_photos.tgz"
    digest = make_tgz(archive, folder, "flower_photos")
    server.files["/flower_photos.tgz"] = archive.read_bytes()
    monkeypatch.setattr(data, "FLOWERS_URL", server.url("/flower_photos.tgz"))
    monkeypatch.setattr(data, "FLOWERS_SHA256", "f" * 64)

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
    monkeypatch.setattr(data, "PETS_IMAGES_URLS", (dead, dead.replace("/a/", "/b/")))
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
        (lambda: data.make_shapes_classification(10, n_classes=7), ValueError, "n_classes"),
        (lambda: data.make_shapes_classification(10, n_classes=1), ValueError, "n_classes"),
        (lambda: data.make_shapes_classification(10.0), TypeError, "n"),
        (lambda: data.make_shapes_classification(True), TypeError, "n"),
        (lambda: data.make_shapes_classification(10, seed=-1), ValueError, "seed"),
        (lambda: data.make_shapes_classification(10, seed="a"), TypeError, "seed"),
        (lambda: data.make_shapes_segmentation(10, n_classes=8), ValueError, "n_classes"),
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
    ],
)
def test_bad_arguments_name_the_argument(call, error, name):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert message.startswith(name + " ") or message.startswith(name + "="), message
    assert "must" in message


def test_bad_arguments_state_value_and_allowed_range():
    with pytest.raises(ValueError, match=r"n_classes must be an int in \[2, 6\], got 9"):
        data.make_shapes_classification(10, n_classes=9)
    expected = r"prefer must be one of \('flowers', 'generated'\), got 'pets'"
    with pytest.raises(ValueError, match=expected):
        data.load_classification("pets")


def test_data_dir_with_one_class_folder_is_rejected(tmp_path):
    (tmp_path / "only_class").mkdir()
    with pytest.raises(ValueError, match="at least 2 class sub-folders"):
        data.load_classification(data_dir=tmp_path)


def test_data_dir_without_oxford_layout_is_rejected(tmp_path):
    (tmp_path / "images").mkdir()
    with pytest.raises(ValueError, match="annotations/trimaps"):
        data.load_segmentation(data_dir=tmp_path)
