"""Our builders against keras.applications: same layers, same weights, same outputs."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib.models import inception_v3, mobilenet, randomize_weights, xception  # noqa: E402


def _compare(ours, ref, input_shape, seed=0):
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in ref.layers]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    randomize_weights(ref, seed=seed)
    ours.set_weights(ref.get_weights())
    x = np.random.default_rng(seed).uniform(-1, 1, (2,) + input_shape).astype("float32")
    expected = keras.ops.convert_to_numpy(ref(x, training=False))
    got = keras.ops.convert_to_numpy(ours(x, training=False))
    # The reference must not be (nearly) constant, or atol 1e-5 would prove nothing.
    assert expected.std() > 1e-2
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield
    keras.backend.clear_session()


def test_xception_matches_keras_applications():
    ours = xception(classifier_activation=None)
    ref = keras.applications.Xception(weights=None, classifier_activation=None)
    assert ours.count_params() == ref.count_params() == 22_910_480
    trainable = sum(int(np.prod(w.shape)) for w in ours.trainable_weights)
    assert trainable == 22_855_952
    _compare(ours, ref, (299, 299, 3))


def test_inception_v3_matches_keras_applications():
    ours = inception_v3(classifier_activation=None)
    ref = keras.applications.InceptionV3(weights=None, classifier_activation=None)
    assert ours.count_params() == ref.count_params() == 23_851_784
    _compare(ours, ref, (299, 299, 3))


@pytest.mark.parametrize("alpha,size", [(0.25, 128), (0.5, 160), (0.75, 192), (1.0, 224)])
def test_mobilenet_matches_keras_applications(alpha, size):
    shape = (size, size, 3)
    ours = mobilenet(input_shape=shape, alpha=alpha, classifier_activation=None)
    ref = keras.applications.MobileNet(input_shape=shape, alpha=alpha, weights=None,
                                       classifier_activation=None)
    assert ours.name == ref.name == f"mobilenet_{alpha:0.2f}_{size}"
    assert ours.count_params() == ref.count_params()
    if alpha == 1.0:
        assert ours.count_params() == 4_253_864
    _compare(ours, ref, shape)


def test_notop_and_pooling_shapes():
    assert xception(include_top=False, input_shape=(71, 71, 3)).output.shape == (None, 3, 3, 2048)
    assert inception_v3(include_top=False, pooling="avg",
                        input_shape=(75, 75, 3)).output.shape == (None, 2048)
    assert mobilenet(include_top=False, pooling="max",
                     input_shape=(32, 32, 3)).output.shape == (None, 1024)
