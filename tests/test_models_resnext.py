"""ResNeXt-50: parameter counts, grouped == split, and the keras-applications weight layout."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from keras import layers  # noqa: E402

from lessons_lib.models import (convert_resnext_weights, depthwise_to_grouped_kernel,  # noqa: E402
                                randomize_weights, resnext50)
from lessons_lib.models.resnext import resolve_implementation  # noqa: E402

SMALL = (64, 64, 3)


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield
    keras.backend.clear_session()


def _images(shape=SMALL, n=2, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, (n,) + shape).astype("float32")


def test_parameter_counts_equal_torchvision():
    for implementation in ("grouped", "split"):
        model = resnext50(implementation=implementation)
        trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        assert model.count_params() == 25_097_128
        assert trainable == 25_028_904
        keras.backend.clear_session()


def test_stage_shapes():
    model = resnext50(include_top=False, implementation="grouped")
    for name, shape in (("pool1_pool", (56, 56, 64)), ("conv2_block3_out", (56, 56, 256)),
                        ("conv3_block1_2_conv", (28, 28, 256)),
                        ("conv4_block6_out", (14, 14, 1024)),
                        ("conv5_block3_out", (7, 7, 2048))):
        assert tuple(model.get_layer(name).output.shape[1:]) == shape
    assert model.get_layer("conv3_block1_1_conv").strides == (1, 1)  # stride on the 3x3
    assert model.get_layer("conv3_block1_2_conv").groups == 32


def test_grouped_and_split_give_identical_outputs():
    grouped = resnext50(include_top=True, classes=10, input_shape=SMALL,
                        implementation="grouped", classifier_activation=None)
    split = resnext50(include_top=True, classes=10, input_shape=SMALL,
                      implementation="split", classifier_activation=None)
    randomize_weights(grouped, seed=1)
    convert_resnext_weights(grouped, split)
    x = _images()
    expected = keras.ops.convert_to_numpy(grouped(x, training=False))
    assert expected.std() > 1e-2
    np.testing.assert_allclose(keras.ops.convert_to_numpy(split(x, training=False)), expected, atol=1e-4, rtol=1e-4)
    # and back: split -> grouped reproduces every array exactly
    back = resnext50(include_top=True, classes=10, input_shape=SMALL,
                     implementation="grouped", classifier_activation=None)
    convert_resnext_weights(split, back)
    for a, b in zip(grouped.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_auto_picks_split_on_jax_without_a_gpu_and_grouped_elsewhere():
    from lessons_lib.scale import accelerator

    jax_cpu = keras.backend.backend() == "jax" and accelerator() == "CPU"
    expected = "split" if jax_cpu else "grouped"
    assert resolve_implementation("auto") == expected
    assert resolve_implementation("grouped") == "grouped"
    assert resolve_implementation("split") == "split"
    with pytest.raises(ValueError, match="implementation"):
        resolve_implementation("lambda")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="GroupedConv2D has its own kernel on TensorFlow only; elsewhere it is "
                           "Conv2D(groups) itself")
@pytest.mark.parametrize("strides, padding", [(1, "valid"), (2, "valid"), (1, "same")])
def test_grouped_conv2d_equals_keras_conv2d_forward_and_backward(strides, padding):
    import tensorflow as tf

    from lessons_lib.models.resnext import GroupedConv2D

    keras.utils.set_random_seed(1)
    x = tf.random.normal((2, 15, 15, 64))
    ref = keras.layers.Conv2D(32, 3, strides=strides, padding=padding, groups=8)
    ours = GroupedConv2D(32, 3, strides=strides, padding=padding, groups=8)
    ref.build(x.shape)
    ours.build(x.shape)
    ours.set_weights(ref.get_weights())
    assert isinstance(ours, keras.layers.Conv2D) and ours.count_params() == ref.count_params()
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y_ref, y_ours = ref(x), ours(x)
        loss_ref, loss_ours = tf.reduce_sum(y_ref ** 2), tf.reduce_sum(y_ours ** 2)
    np.testing.assert_allclose(y_ours.numpy(), y_ref.numpy(), atol=1e-4, rtol=1e-4)
    for a, b in zip(tape.gradient(loss_ours, [x, ours.kernel]),
                    tape.gradient(loss_ref, [x, ref.kernel])):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-2, rtol=1e-3)


# --- keras-applications' block3 layout, rebuilt in Keras 3 ---------------------------


def _keras_applications_3x3(x, filters, groups, stride, name):
    """The 3x3 part of keras_applications/resnext.py `block`, line for line."""
    c = filters // groups
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.DepthwiseConv2D(3, strides=stride, depth_multiplier=c, use_bias=False,
                               name=name + "_2_conv")(x)
    x_shape = tuple(x.shape[1:-1])
    x = layers.Reshape(x_shape + (groups, c, c))(x)
    x = layers.Lambda(lambda t: sum([t[:, :, :, :, i] for i in range(c)]),
                      name=name + "_2_reduce")(x)
    return layers.Reshape(x_shape + (filters,))(x)


def _keras_applications_block(x, filters, stride=1, groups=32, conv_shortcut=True, name=None):
    eps = 1.001e-5
    if conv_shortcut:
        shortcut = layers.Conv2D((64 // groups) * filters, 1, strides=stride, use_bias=False,
                                 name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(epsilon=eps, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, use_bias=False, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(epsilon=eps, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = _keras_applications_3x3(x, filters, groups, stride, name)
    x = layers.BatchNormalization(epsilon=eps, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D((64 // groups) * filters, 1, use_bias=False, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(epsilon=eps, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def _keras_applications_resnext50(input_shape, classes):
    inputs = keras.Input(input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=1.001e-5, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, filters, blocks, stride1 in (("conv2", 128, 3, 1), ("conv3", 256, 4, 2),
                                            ("conv4", 512, 6, 2), ("conv5", 1024, 3, 2)):
        x = _keras_applications_block(x, filters, stride=stride1, name=stage + "_block1")
        for i in range(2, blocks + 1):
            x = _keras_applications_block(x, filters, conv_shortcut=False,
                                          name=f"{stage}_block{i}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dense(classes, name="probs")(x)
    return keras.Model(inputs, x)


def _write_keras2_h5(model, path):
    """Write `model`'s weights in the Keras 2 .h5 layout keras-applications released."""
    with h5py.File(path, "w") as f:
        names = []
        for layer in model.layers:
            if not layer.weights:
                continue
            names.append(layer.name.encode())
            group = f.create_group(layer.name)
            weight_names = []
            for w in layer.weights:
                short = "depthwise_kernel" if isinstance(layer, layers.DepthwiseConv2D) else w.name
                weight_name = f"{layer.name}/{short}:0"
                group.create_dataset(weight_name, data=w.numpy())
                weight_names.append(weight_name.encode())
            group.attrs["weight_names"] = weight_names
        f.attrs["layer_names"] = names


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_regrouping_equals_grouped_conv(stride):
    """The index mapping, on one 3x3 layer: keras-applications' depthwise+sum == groups conv."""
    filters, groups = 128, 32
    inputs = keras.Input((9, 9, filters))
    ref = keras.Model(inputs, _keras_applications_3x3(inputs, filters, groups, stride, "b"))
    randomize_weights(ref, seed=2)
    depthwise = ref.get_layer("b_2_conv").get_weights()[0]
    assert depthwise.shape == (3, 3, filters, filters // groups)

    padded = layers.ZeroPadding2D(1)(inputs)
    grouped = layers.Conv2D(filters, 3, strides=stride, groups=groups, use_bias=False)
    ours = keras.Model(inputs, grouped(padded))
    grouped.set_weights([depthwise_to_grouped_kernel(depthwise, groups)])
    x = _images((9, 9, filters), seed=3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(ref(x)), atol=1e-4, rtol=1e-4)
    # a plain reshape (the naive mapping) must NOT work, or the test would prove nothing
    grouped.set_weights([depthwise.reshape(3, 3, filters // groups, filters)])
    assert not np.allclose(keras.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(ref(x)), atol=1e-3)


@pytest.mark.parametrize("implementation", ["grouped", "split"])
def test_load_keras_applications_h5(tmp_path, implementation):
    ref = _keras_applications_resnext50(SMALL, classes=7)
    randomize_weights(ref, seed=4)
    path = str(tmp_path / "resnext50_keras_applications.h5")
    _write_keras2_h5(ref, path)
    ours = resnext50(weights=path, input_shape=SMALL, classes=7, classifier_activation=None,
                     implementation=implementation)
    x = _images()
    expected = keras.ops.convert_to_numpy(ref(x, training=False))
    assert expected.std() > 1e-2
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x, training=False)), expected, atol=1e-4, rtol=1e-4)
