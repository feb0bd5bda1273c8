"""MobileNet-encoder UNet: output resolutions and skip features."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib.models import mobilenet_encoder, mobilenet_unet  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def test_encoder_skip_strides():
    inputs, features = mobilenet_encoder((128, 96, 3), alpha=0.5)
    assert inputs.shape == (None, 128, 96, 3)
    shapes = [tuple(f.shape) for f in features]
    assert shapes == [(None, 64, 48, 32), (None, 32, 24, 64), (None, 16, 12, 128),
                      (None, 8, 6, 256), (None, 4, 3, 512)]


@pytest.mark.parametrize("resolution,expected", [("full", (64, 96)), ("half", (32, 48))])
def test_unet_output_is_per_pixel_softmax(resolution, expected):
    model = mobilenet_unet(4, input_shape=(64, 96, 3), alpha=0.25,
                           output_resolution=resolution, decoder_filters=(32, 16, 16, 8, 8))
    assert model.output.shape == (None,) + expected + (4,)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 64, 96, 3)).astype("float32")
    probs = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, atol=1e-5)


def test_default_unet_is_full_resolution_224():
    assert mobilenet_unet(3).output.shape == (None, 224, 224, 3)


@pytest.mark.parametrize("kwargs,exc,word", [
    ({"n_classes": 3, "input_shape": (100, 224, 3)}, ValueError, "input_shape"),
    ({"n_classes": 0}, ValueError, "n_classes"),
    ({"n_classes": 2.5}, TypeError, "n_classes"),
    ({"n_classes": 3, "output_resolution": "quarter"}, ValueError, "output_resolution"),
])
def test_unet_bad_arguments(kwargs, exc, word, monkeypatch):
    monkeypatch.setattr(keras.layers, "Input", _no_layers)
    with pytest.raises(exc, match=word):
        mobilenet_unet(**kwargs)


def _no_layers(*args, **kwargs):
    raise AssertionError("a layer was built before the arguments were checked")
