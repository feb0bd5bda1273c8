"""Inception: the chapter's four-branch module, a tiny classifier, and InceptionV3.

``inception_module`` is the "Inception module" of the source notes (a blog
post): four parallel branches, each ending with stride 2, concatenated on the
channel axis. Note on branch b: the blog built it as two 1x1 convolutions;
the textbook version (and this code) uses a 1x1 "bottleneck" followed by a
3x3 conv -- a second 1x1 conv would see no spatial context at all.

``mini_inception_v3`` keeps a stem and three of its blocks, small enough to train on a CPU.

``inception_v3`` matches ``keras.applications.InceptionV3`` layer for layer
(same layer classes, order and weight shapes), so
``ours.set_weights(ref.get_weights())`` works and the official Keras ImageNet
file loads. Layer names are explicit: ``{block}_{branch}_conv/_bn/_act``.
"""

import keras
from keras import layers

from lessons_lib.models import configs
from lessons_lib.models._common import (check_choice, check_common_args,
                                        check_input_shape, check_int, classifier_head,
                                        conv_bn, load_model_weights)
from lessons_lib.validation import check_float, describe

# ---------------------------------------------------------------------------
# The chapter's Inception module
# ---------------------------------------------------------------------------


def inception_module(x, filters_a=128, filters_b=128, filters_c=128, filters_d=128,
                     strides=2, padding="same", name="inception"):
    """Four parallel branches, concatenated on channels (Conv2D + ReLU, no BN).

    ====== =====================================================================
    branch layers
    ====== =====================================================================
    a      1x1 conv, stride ``strides``
    b      1x1 conv, then 3x3 conv with stride ``strides`` (blog: two 1x1s)
    c      3x3 average pool with stride ``strides``, then 3x3 conv
    d      1x1 conv, 3x3 conv, then 3x3 conv with stride ``strides``
    ====== =====================================================================

    Args:
        x: input tensor (batch, H, W, C).
        filters_a, filters_b, filters_c, filters_d: output channels of each branch.
        strides: the one stride-s step of every branch (default 2 halves H and W).
        padding: "same" (default) makes every branch output ceil(H/s) x ceil(W/s),
            so the branches concatenate. "valid" reproduces the classic bug:
            each branch shrinks by a different amount (for H = 64, s = 2:
            a -> 32, b -> 31, c -> 29, d -> 30) and Keras raises ValueError at
            the Concatenate layer ("A `Concatenate` layer requires inputs with
            matching shapes except for the concatenation axis").
        name: prefix of the layer names ``{name}_a1x1`` ... ``{name}_concat``.

    Returns:
        tensor (batch, ceil(H/s), ceil(W/s), filters_a + filters_b + filters_c + filters_d);
        for a 64x64x3 input and the defaults: (batch, 32, 32, 512).
    """
    for arg, value in (("filters_a", filters_a), ("filters_b", filters_b),
                       ("filters_c", filters_c), ("filters_d", filters_d)):
        check_int(arg, value, minimum=1)
    check_int("strides", strides, minimum=1)
    check_choice("padding", padding, ("same", "valid"))

    def conv(t, filters, size, stride, label):
        return layers.Conv2D(filters, size, strides=stride, padding=padding,
                             activation="relu", name=f"{name}_{label}")(t)

    branch_a = conv(x, filters_a, 1, strides, "a1x1")

    branch_b = conv(x, filters_b, 1, 1, "b1x1")
    branch_b = conv(branch_b, filters_b, 3, strides, "b3x3")

    branch_c = layers.AveragePooling2D(3, strides=strides, padding=padding,
                                       name=f"{name}_c_pool")(x)
    branch_c = conv(branch_c, filters_c, 3, 1, "c3x3")

    branch_d = conv(x, filters_d, 1, 1, "d1x1")
    branch_d = conv(branch_d, filters_d, 3, 1, "d3x3_1")
    branch_d = conv(branch_d, filters_d, 3, strides, "d3x3_2")

    return layers.Concatenate(axis=-1, name=f"{name}_concat")(
        [branch_a, branch_b, branch_c, branch_d])


def inception_classifier(input_shape=(64, 64, 3), classes=10, padding="same",
                         name="inception_classifier"):
    """One ``inception_module`` + GlobalAveragePooling + Dense softmax (the training demo).

    Args:
        input_shape: (H, W, C) of the images.
        classes: number of classes.
        padding: passed to ``inception_module`` ("valid" raises the Concatenate error).

    Returns:
        keras.Model: (batch, H, W, C) -> (batch, classes) probabilities.
    """
    check_int("classes", classes, minimum=1)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise TypeError("`input_shape` must be a tuple (height, width, channels); "
                        f"{describe('input_shape', input_shape)}.")
    inputs = layers.Input(shape=tuple(input_shape))
    x = inception_module(inputs, padding=padding)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


# ---------------------------------------------------------------------------
# InceptionV3 (Szegedy et al., 2016)
# ---------------------------------------------------------------------------


def _conv(x, filters, kernel_size, name, strides=1, padding="same"):
    """InceptionV3's unit: Conv2D (no bias) -> BN without gamma (scale=False) -> ReLU."""
    return conv_bn(x, filters, kernel_size, name=name, strides=strides, padding=padding,
                   bn_scale=False)


def _inception_a(x, pool_filters, name):
    """35x35 block (Fig. 5 of the paper): 1x1 | 1x1-5x5 | 1x1-3x3-3x3 | avgpool-1x1.

    Shape: (35, 35, C) -> (35, 35, 64 + 64 + 96 + pool_filters).
    """
    branch1x1 = _conv(x, 64, 1, f"{name}_1x1")

    branch5x5 = _conv(x, 48, 1, f"{name}_5x5_reduce")
    branch5x5 = _conv(branch5x5, 64, 5, f"{name}_5x5")

    branch3x3dbl = _conv(x, 64, 1, f"{name}_3x3dbl_reduce")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}_3x3dbl_1")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}_3x3dbl_2")

    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same",
                                          name=f"{name}_pool")(x)
    branch_pool = _conv(branch_pool, pool_filters, 1, f"{name}_pool_proj")
    return layers.Concatenate(axis=-1, name=name)(
        [branch1x1, branch5x5, branch3x3dbl, branch_pool])


def _reduction_a(x, name):
    """35 -> 17 grid reduction: 3x3/2 | 1x1-3x3-3x3/2 | maxpool 3x3/2 (all 'valid').

    Shape: (35, 35, 288) -> (17, 17, 384 + 96 + 288).
    """
    branch3x3 = _conv(x, 384, 3, f"{name}_3x3", strides=2, padding="valid")

    branch3x3dbl = _conv(x, 64, 1, f"{name}_3x3dbl_reduce")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}_3x3dbl_1")
    branch3x3dbl = _conv(branch3x3dbl, 96, 3, f"{name}_3x3dbl_2", strides=2, padding="valid")

    branch_pool = layers.MaxPooling2D(3, strides=2, name=f"{name}_pool")(x)
    return layers.Concatenate(axis=-1, name=name)([branch3x3, branch3x3dbl, branch_pool])


def _inception_b(x, channels_7x7, name):
    """17x17 block with factorized 7x7 convs (1x7 then 7x1), Fig. 6 of the paper.

    ``channels_7x7`` is the width inside the 7x7 branches (128, 160 or 192).
    Shape: (17, 17, 768) -> (17, 17, 4 * 192).
    """
    c7 = channels_7x7
    branch1x1 = _conv(x, 192, 1, f"{name}_1x1")

    branch7x7 = _conv(x, c7, 1, f"{name}_7x7_reduce")
    branch7x7 = _conv(branch7x7, c7, (1, 7), f"{name}_7x7_1x7")
    branch7x7 = _conv(branch7x7, 192, (7, 1), f"{name}_7x7_7x1")

    branch7x7dbl = _conv(x, c7, 1, f"{name}_7x7dbl_reduce")
    branch7x7dbl = _conv(branch7x7dbl, c7, (7, 1), f"{name}_7x7dbl_7x1_1")
    branch7x7dbl = _conv(branch7x7dbl, c7, (1, 7), f"{name}_7x7dbl_1x7_1")
    branch7x7dbl = _conv(branch7x7dbl, c7, (7, 1), f"{name}_7x7dbl_7x1_2")
    branch7x7dbl = _conv(branch7x7dbl, 192, (1, 7), f"{name}_7x7dbl_1x7_2")

    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same",
                                          name=f"{name}_pool")(x)
    branch_pool = _conv(branch_pool, 192, 1, f"{name}_pool_proj")
    return layers.Concatenate(axis=-1, name=name)(
        [branch1x1, branch7x7, branch7x7dbl, branch_pool])


def _reduction_b(x, name):
    """17 -> 8 grid reduction: 1x1-3x3/2 | 1x1-1x7-7x1-3x3/2 | maxpool 3x3/2.

    Shape: (17, 17, 768) -> (8, 8, 320 + 192 + 768).
    """
    branch3x3 = _conv(x, 192, 1, f"{name}_3x3_reduce")
    branch3x3 = _conv(branch3x3, 320, 3, f"{name}_3x3", strides=2, padding="valid")

    branch7x7x3 = _conv(x, 192, 1, f"{name}_7x7x3_reduce")
    branch7x7x3 = _conv(branch7x7x3, 192, (1, 7), f"{name}_7x7x3_1x7")
    branch7x7x3 = _conv(branch7x7x3, 192, (7, 1), f"{name}_7x7x3_7x1")
    branch7x7x3 = _conv(branch7x7x3, 192, 3, f"{name}_7x7x3_3x3", strides=2, padding="valid")

    branch_pool = layers.MaxPooling2D(3, strides=2, name=f"{name}_pool")(x)
    return layers.Concatenate(axis=-1, name=name)([branch3x3, branch7x7x3, branch_pool])


def _inception_c(x, name):
    """8x8 block with expanded filter banks (1x3 and 3x1 side by side), Fig. 7.

    Shape: (8, 8, C) -> (8, 8, 320 + 768 + 768 + 192) = (8, 8, 2048).
    """
    branch1x1 = _conv(x, 320, 1, f"{name}_1x1")

    branch3x3 = _conv(x, 384, 1, f"{name}_3x3_reduce")
    branch3x3_1 = _conv(branch3x3, 384, (1, 3), f"{name}_3x3_1x3")
    branch3x3_2 = _conv(branch3x3, 384, (3, 1), f"{name}_3x3_3x1")
    branch3x3 = layers.Concatenate(axis=-1, name=f"{name}_3x3_concat")(
        [branch3x3_1, branch3x3_2])

    branch3x3dbl = _conv(x, 448, 1, f"{name}_3x3dbl_reduce")
    branch3x3dbl = _conv(branch3x3dbl, 384, 3, f"{name}_3x3dbl_3x3")
    branch3x3dbl_1 = _conv(branch3x3dbl, 384, (1, 3), f"{name}_3x3dbl_1x3")
    branch3x3dbl_2 = _conv(branch3x3dbl, 384, (3, 1), f"{name}_3x3dbl_3x1")
    branch3x3dbl = layers.Concatenate(axis=-1, name=f"{name}_3x3dbl_concat")(
        [branch3x3dbl_1, branch3x3dbl_2])

    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same",
                                          name=f"{name}_pool")(x)
    branch_pool = _conv(branch_pool, 192, 1, f"{name}_pool_proj")
    return layers.Concatenate(axis=-1, name=name)(
        [branch1x1, branch3x3, branch3x3dbl, branch_pool])


def mini_inception_v3(input_shape=(32, 32, 3), include_top=False, pooling=None, classes=4,
                      classifier_activation="softmax", bn_momentum=0.9,
                      name="mini_inception_v3"):
    """A small InceptionV3 for a CPU: a short stem and three of its blocks, unchanged.

    The blocks are InceptionV3's own, with the names they have in it: ``mixed0`` (the
    35x35 kind, Fig. 5), ``mixed3`` (the grid-size reduction, Fig. 10) and ``mixed4`` (the
    17x17 kind with 1x7 / 7x1 pairs, Fig. 6); the stem is two convolutions and a max-pool.
    Shapes for the default 32x32 input (a 48x48 one gives 23, 11 and 5 in their place)::

        stem_conv1 3x3/2 valid  (32, 32, 3)  -> (15, 15, 32)
        stem_conv2 3x3          (15, 15, 32) -> (15, 15, 64)
        stem_pool1 3x3/2 valid  (15, 15, 64) -> (7, 7, 64)
        mixed0                  (7, 7, 64)   -> (7, 7, 256)
        mixed3                  (7, 7, 256)  -> (3, 3, 736)
        mixed4                  (3, 3, 736)  -> (3, 3, 768)

    2,569,072 parameters without the top (InceptionV3: 21,802,784), whatever the input
    size; random weights only (there is no pretrained file). On so small a grid the 1x7 and
    7x1 kernels of ``mixed4`` reach past its edges: the block keeps its structure, not the
    reason for its kernel sizes.

    Args:
        input_shape: (H, W, C) with H and W >= 15 pixels (below that ``mixed3`` has no
            3x3 window left).
        include_top: add GlobalAveragePooling + Dense(``classes``) ("predictions").
        pooling: with include_top=False: None (4-D output), "avg" or "max".
        classes: number of output classes with the top.
        classifier_activation: activation of the top Dense layer.
        bn_momentum: momentum of every BatchNormalization's moving mean and variance, in
            [0, 1). InceptionV3 uses 0.99, made for hundreds of thousands of steps; after
            a few hundred the moving statistics would still be far from the data's, and
            the network would score at chance in inference mode. 0.9 follows the data
            within a few dozen steps.
        name: model name.

    Returns:
        keras.Model: (batch, H, W, C) images scaled to -1..1 -> (batch, 3, 3, 768) at 32x32
        (or pooled (batch, 768), or (batch, classes) with the top).
    """
    check_common_args(include_top, None, pooling, classes, classifier_activation)
    input_shape = check_input_shape(input_shape, default_size=32, min_size=15,
                                    include_top=include_top, weights=None,
                                    model_name="mini_inception_v3")
    bn_momentum = check_float("bn_momentum", bn_momentum, 0, 1, open_max=True)
    inputs = layers.Input(shape=input_shape)
    x = _conv(inputs, 32, 3, "stem_conv1", strides=2, padding="valid")
    x = _conv(x, 64, 3, "stem_conv2")
    x = layers.MaxPooling2D(3, strides=2, name="stem_pool1")(x)
    x = _inception_a(x, 32, "mixed0")
    x = _reduction_a(x, "mixed3")
    x = _inception_b(x, 128, "mixed4")
    x = classifier_head(x, include_top=include_top, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)
    model = keras.Model(inputs, x, name=name)
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = bn_momentum
    return model


def inception_v3(include_top=True, weights=None, input_tensor=None, input_shape=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="inception_v3"):
    """Build InceptionV3; arguments follow ``keras.applications.InceptionV3``.

    Args:
        include_top: add GlobalAveragePooling + Dense(``classes``) ("predictions").
        weights: None (random init, the default here so the book runs offline),
            "imagenet" (downloads Keras's official file, 92 MB) or a weights file path.
        input_tensor: optional Keras tensor to use as the input.
        input_shape: (H, W, 3), H and W >= 75 pixels; default (299, 299, 3).
        pooling: with include_top=False: None (4-D output), "avg" or "max".
        classes: number of output classes (1000 with ImageNet weights and the top).
        classifier_activation: activation of the top Dense layer.
        name: model name.

    Returns:
        keras.Model: (batch, H, W, 3) images scaled to -1..1 -> (batch, classes),
        or (batch, 8, 8, 2048) features at 299x299. 23,851,784 parameters with
        the 1000-class top.
    """
    cfg = configs.MODEL_CONFIGS["inception_v3"]
    weights = check_common_args(include_top, weights, pooling, classes, classifier_activation)
    input_shape = check_input_shape(input_shape, default_size=cfg["default_size"],
                                    min_size=cfg["min_size"], include_top=include_top,
                                    weights=weights, model_name="InceptionV3")
    inputs = input_tensor if input_tensor is not None else layers.Input(shape=input_shape)

    # Stem: 299 -> 35 with plain convs and two max-pools.
    x = _conv(inputs, 32, 3, "stem_conv1", strides=2, padding="valid")   # 149x149x32
    x = _conv(x, 32, 3, "stem_conv2", padding="valid")                   # 147x147x32
    x = _conv(x, 64, 3, "stem_conv3")                                    # 147x147x64
    x = layers.MaxPooling2D(3, strides=2, name="stem_pool1")(x)          # 73x73x64
    x = _conv(x, 80, 1, "stem_conv4", padding="valid")                   # 73x73x80
    x = _conv(x, 192, 3, "stem_conv5", padding="valid")                  # 71x71x192
    x = layers.MaxPooling2D(3, strides=2, name="stem_pool2")(x)          # 35x35x192

    x = _inception_a(x, 32, "mixed0")                                    # 35x35x256
    x = _inception_a(x, 64, "mixed1")                                    # 35x35x288
    x = _inception_a(x, 64, "mixed2")                                    # 35x35x288
    x = _reduction_a(x, "mixed3")                                        # 17x17x768
    x = _inception_b(x, 128, "mixed4")
    x = _inception_b(x, 160, "mixed5")
    x = _inception_b(x, 160, "mixed6")
    x = _inception_b(x, 192, "mixed7")                                   # 17x17x768
    x = _reduction_b(x, "mixed8")                                        # 8x8x1280
    x = _inception_c(x, "mixed9")
    x = _inception_c(x, "mixed10")                                       # 8x8x2048

    x = classifier_head(x, include_top=include_top, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)
    model_inputs = keras.utils.get_source_inputs(inputs) if input_tensor is not None else inputs
    model = keras.Model(model_inputs, x, name=name)
    imagenet_file = cfg["weights"]["top" if include_top else "notop"]
    return load_model_weights(model, weights, imagenet_file)
