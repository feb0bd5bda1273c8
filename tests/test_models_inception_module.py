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


def test_mini_inception_v3_keeps_inceptionv3s_blocks_at_the_documented_shapes():
    from lessons_lib.models.inception import mini_inception_v3

    model = mini_inception_v3()
    assert model.count_params() == 2_569_072
    assert [tuple(model.get_layer(n).output.shape[1:]) for n in ("mixed0", "mixed3", "mixed4")] \
        == [(7, 7, 256), (3, 3, 736), (3, 3, 768)]
    # the blocks are InceptionV3's own: under the same names, the same kernel sizes and
    # output channels (only the input channels of a block's first layers differ)
    from lessons_lib.models import inception_v3

    def kernels(m):
        return [(layer.name, tuple(w.shape[:-2]) + tuple(w.shape[-1:]))
                for layer in m.layers if layer.name.startswith("mixed4_")
                for w in layer.weights]

    full = inception_v3(include_top=False, input_shape=(75, 75, 3))
    assert kernels(model) == kernels(full) and len(kernels(model)) > 20
    momenta = {layer.momentum for layer in model.layers if hasattr(layer, "momentum")}
    assert momenta == {0.9}
    top = mini_inception_v3((48, 48, 3), include_top=True, classes=5)
    assert top.output.shape[1:] == (5,)
    with pytest.raises(ValueError, match="bn_momentum"):
        mini_inception_v3(bn_momentum=1.0)
    with pytest.raises(ValueError, match="15"):
        mini_inception_v3((14, 14, 3))
