"""Weights: local files round-trip, offline downloads fail loudly, pre/post-processing."""

import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib.models import (MODEL_CONFIGS, WeightsUnavailableError,  # noqa: E402
                                decode_predictions, inception_v3, mobilenet, preprocess_input,
                                randomize_weights, resnext50, xception)


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


@pytest.fixture
def offline(monkeypatch):
    """Make every download fail the way keras.utils.get_file fails without a network."""
    def fail(fname, origin, **kwargs):
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -2] "
                        "Name or service not known")
    monkeypatch.setattr(keras.utils, "get_file", fail)


def test_local_weights_file_round_trip(tmp_path):
    shape = (128, 128, 3)
    source = mobilenet(input_shape=shape, alpha=0.25, classifier_activation=None)
    randomize_weights(source, seed=5)
    path = str(tmp_path / "mobilenet_025.weights.h5")
    source.save_weights(path)
    loaded = mobilenet(input_shape=shape, alpha=0.25, weights=path, classifier_activation=None)
    x = np.random.default_rng(0).uniform(-1, 1, (2,) + shape).astype("float32")
    expected = keras.ops.convert_to_numpy(source(x, training=False))
    assert expected.std() > 1e-2
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x, training=False)), expected, atol=1e-6)
    fresh = mobilenet(input_shape=shape, alpha=0.25, classifier_activation=None)
    assert not np.allclose(keras.ops.convert_to_numpy(fresh(x, training=False)), expected, atol=1e-3)


def test_resnext_native_weights_file_round_trip(tmp_path):
    source = resnext50(include_top=False, pooling="avg", input_shape=(64, 64, 3),
                       implementation="grouped")
    randomize_weights(source, seed=6)
    path = str(tmp_path / "resnext.weights.h5")
    source.save_weights(path)
    loaded = resnext50(include_top=False, pooling="avg", input_shape=(64, 64, 3),
                       implementation="grouped", weights=path)
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("builder,kwargs,file_name", [
    (mobilenet, {"alpha": 0.25, "input_shape": (128, 128, 3)}, "mobilenet_2_5_128_tf.h5"),
    (mobilenet, {"alpha": 0.5, "include_top": False, "input_shape": (96, 96, 3)},
     "mobilenet_5_0_224_tf_no_top.h5"),
    (resnext50, {"include_top": False, "input_shape": (64, 64, 3)},
     "resnext50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
])
def test_imagenet_offline_raises_clear_error(offline, builder, kwargs, file_name):
    start = time.perf_counter()
    with pytest.raises(WeightsUnavailableError) as info:
        builder(weights="imagenet", **kwargs)
    message = str(info.value)
    assert file_name in message and "https://" in message
    assert "weights=None" in message and "path" in message
    assert time.perf_counter() - start < 30


def test_error_is_a_runtime_error():
    assert issubclass(WeightsUnavailableError, RuntimeError)


def test_imagenet_urls_and_hashes_match_keras_applications():
    import keras.src.applications.inception_v3 as keras_inception
    import keras.src.applications.resnet as keras_resnet
    import keras.src.applications.xception as keras_xception

    assert MODEL_CONFIGS["xception"]["weights"]["top"][1] == keras_xception.WEIGHTS_PATH
    assert MODEL_CONFIGS["xception"]["weights"]["notop"][1] == keras_xception.WEIGHTS_PATH_NO_TOP
    assert MODEL_CONFIGS["inception_v3"]["weights"]["top"][1] == keras_inception.WEIGHTS_PATH
    assert MODEL_CONFIGS["resnext50"]["weights"]["top"][2] == \
        keras_resnet.WEIGHTS_HASHES["resnext50"][0]
    assert MODEL_CONFIGS["resnext50"]["weights"]["notop"][2] == \
        keras_resnet.WEIGHTS_HASHES["resnext50"][1]


def test_preprocess_modes():
    x = np.array([[[[0, 127.5, 255]]]], dtype="float32")
    for name in ("xception", "inception_v3", "mobilenet"):
        np.testing.assert_allclose(preprocess_input(x, name), [[[[-1, 0, 1]]]], atol=1e-6)
    got = preprocess_input(np.full((1, 1, 1, 3), 255, dtype="uint8"), "resnext50")
    expected = (1 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(got[0, 0, 0], expected, rtol=1e-5)
    with pytest.raises(ValueError, match="model_name"):
        preprocess_input(x, "vgg16")


def test_decode_predictions_offline_raises(offline):
    with pytest.raises(WeightsUnavailableError, match="imagenet_class_index.json"):
        decode_predictions(np.ones((1, 1000)) / 1000)


def test_decode_predictions_with_a_local_index(tmp_path, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: str(path))
    preds = np.zeros((2, 1000))
    preds[0, [7, 3, 500]] = [0.5, 0.3, 0.2]
    preds[1, 999] = 1.0
    decoded = decode_predictions(preds, top=2)
    assert [d[1] for d in decoded[0]] == ["class_7", "class_3"]
    assert decoded[1][0] == ("n00000999", "class_999", 1.0)
    with pytest.raises(ValueError, match="1000"):
        decode_predictions(np.ones((1, 10)))


@pytest.mark.parametrize("builder", [xception, inception_v3])
def test_imagenet_top_requires_default_size(builder):
    with pytest.raises(ValueError, match="299"):
        builder(weights="imagenet", input_shape=(224, 224, 3))


def test_lessons_offline_downloads_no_weights_but_uses_the_cache(monkeypatch, tmp_path):
    from lessons_lib.models._common import fetch_file

    calls = []
    monkeypatch.setattr(keras.utils, "get_file",
                        lambda fname, origin, **kw: calls.append(origin) or f"/cache/{fname}")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("LESSONS_OFFLINE", "1")
    with pytest.raises(WeightsUnavailableError, match="LESSONS_OFFLINE=1 is set") as info:
        fetch_file("w.h5", "https://example.org/w.h5")
    assert calls == [] and "weights=None" in str(info.value)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "w.h5").write_bytes(b"cached")
    assert fetch_file("w.h5", "https://example.org/w.h5") == "/cache/w.h5"
    monkeypatch.delenv("LESSONS_OFFLINE")
    (tmp_path / "models" / "w.h5").unlink()
    assert fetch_file("w.h5", "https://example.org/w.h5") == "/cache/w.h5"
    assert calls == ["https://example.org/w.h5"] * 2
