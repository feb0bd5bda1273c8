"""The chapter's four-branch Inception module and its demo classifier."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib.models import inception_classifier, inception_module  # noqa: E402


def test_branches_concatenate_on_channels():
    inputs = keras.Input((64, 64, 3))
    out = inception_module(inputs, filters_a=16, filters_b=32, filters_c=8, filters_d=24)
    assert out.shape == (None, 32, 32, 16 + 32 + 8 + 24)
    model = keras.Model(inputs, out)
    # branch b is 1x1 then 3x3 (the textbook form, not the blog's two 1x1s)
    assert model.get_layer("inception_b3x3").kernel_size == (3, 3)
    assert model.get_layer("inception_d3x3_2").strides == (2, 2)
    assert isinstance(model.get_layer("inception_c_pool"), keras.layers.AveragePooling2D)


def test_default_module_on_64x64x3():
    out = inception_module(keras.Input((64, 64, 3)))
    assert out.shape == (None, 32, 32, 512)


def test_valid_padding_reproduces_the_concatenate_error():
    with pytest.raises(ValueError, match="Concatenate"):
        inception_module(keras.Input((64, 64, 3)), padding="valid")


def test_stride_is_a_parameter():
    assert inception_module(keras.Input((64, 64, 3)), strides=1).shape == (None, 64, 64, 512)


def test_classifier_trains_one_step():
    keras.utils.set_random_seed(0)
    model = inception_classifier(input_shape=(32, 32, 3), classes=10)
    assert model.output.shape == (None, 10)
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).uniform(0, 1, (8, 32, 32, 3)).astype("float32")
    y = np.arange(8) % 10
    history = model.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("kwargs,exc,word", [
    ({"padding": "full"}, ValueError, "padding"),
    ({"filters_a": 0}, ValueError, "filters_a"),
    ({"strides": 2.0}, TypeError, "strides"),
])
def test_module_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        inception_module(keras.Input((64, 64, 3)), **kwargs)
