"""Bad arguments fail fast, before any layer is built, with a message naming the argument."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402

from lessons_lib.models import (inception_v3, mobilenet, mobilenet_unet, resnext50,  # noqa: E402
                                xception)


@pytest.fixture(autouse=True)
def _no_layers(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("a layer was built before the arguments were checked")
    monkeypatch.setattr(keras.layers, "Input", fail)


CASES = [
    # (builder, kwargs, exception, words that must appear in the message)
    (xception, {"include_top": False, "input_shape": (70, 70, 3)}, ValueError, ["71", "(70, 70, 3)"]),
    (inception_v3, {"include_top": False, "input_shape": (74, 100, 3)}, ValueError, ["75", "input_shape"]),
    (mobilenet, {"include_top": False, "input_shape": (31, 64, 3)}, ValueError, ["32", "input_shape"]),
    (resnext50, {"include_top": False, "input_shape": (16, 16, 3)}, ValueError, ["32", "input_shape"]),
    (xception, {"weights": "imagenet", "classes": 10}, ValueError, ["classes", "10", "1000"]),
    (resnext50, {"weights": "imagenet", "classes": 5}, ValueError, ["classes", "5", "1000"]),
    (mobilenet, {"weights": "imagenet", "alpha": 0.3}, ValueError, ["alpha", "0.3", "0.25"]),
    (inception_v3, {"weights": "imagenet", "include_top": False,
                    "input_shape": (299, 299, 1)}, ValueError, ["channels", "(299, 299, 1)"]),
    (mobilenet, {"weights": "imagenet", "include_top": False,
                 "input_shape": (224, 224, 4)}, ValueError, ["3 channels", "(224, 224, 4)"]),
    (xception, {"classes": 0}, ValueError, ["classes", "0", ">= 1"]),
    (resnext50, {"cardinality": 3}, ValueError, ["cardinality", "3", "128"]),
    (resnext50, {"cardinality": 64, "weights": "imagenet"}, ValueError, ["cardinality", "64"]),
    (resnext50, {"implementation": "fast"}, ValueError, ["implementation", "fast", "split"]),
    (xception, {"weights": "imagenet21k"}, ValueError, ["weights", "imagenet21k"]),
    (mobilenet, {"weights": "/no/such/file.h5"}, ValueError, ["weights", "/no/such/file.h5"]),
    (xception, {"weights": 1}, TypeError, ["weights", "int"]),
    (xception, {"classes": "10"}, TypeError, ["classes", "'10'"]),
    (inception_v3, {"include_top": "yes"}, TypeError, ["include_top", "'yes'"]),
    (inception_v3, {"input_shape": 299}, TypeError, ["input_shape", "299"]),
    (mobilenet, {"alpha": "1.0"}, TypeError, ["alpha", "'1.0'"]),
    (mobilenet, {"depth_multiplier": 1.5}, TypeError, ["depth_multiplier", "1.5"]),
    (resnext50, {"cardinality": 32.0}, TypeError, ["cardinality", "32.0"]),
    (xception, {"pooling": "mean"}, ValueError, ["pooling", "mean", "avg"]),
    (mobilenet_unet, {"n_classes": 3, "input_shape": (224, 200, 3)}, ValueError,
     ["divisible", "32"]),
]


@pytest.mark.parametrize("builder,kwargs,exc,words", CASES,
                         ids=[f"{c[0].__name__}-{sorted(c[1])}" for c in CASES])
def test_bad_argument(builder, kwargs, exc, words):
    with pytest.raises(exc) as info:
        builder(**kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
