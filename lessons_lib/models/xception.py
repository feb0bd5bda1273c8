"""Xception (Chollet, CVPR 2017), written block by block next to the paper's Figure 5.

The graph matches ``keras.applications.Xception`` layer for layer (same layer
classes, order and weight shapes), so ``ours.set_weights(ref.get_weights())``
works and the official Keras ImageNet file loads. Layers that Keras leaves
unnamed (the 1x1 residual projections) get explicit names here:
``block{n}_residual_conv`` / ``block{n}_residual_bn``.

Shapes for the default 299x299x3 input:

=========  ==================  ===========================================
flow       blocks              output (H x W x C)
=========  ==================  ===========================================
entry      block1 (2 convs)    147 x 147 x 64
entry      block2..block4      74x74x128, 37x37x256, 19x19x728
middle     block5..block12     19 x 19 x 728 (8 identical residual blocks)
exit       block13, block14    10 x 10 x 1024, then 10 x 10 x 2048
=========  ==================  ===========================================
"""

import keras
from keras import layers

from lessons_lib.models import configs
from lessons_lib.models._common import (check_common_args, check_input_shape,
                                        classifier_head, load_model_weights)


def _separable_bn(x, filters, name, relu_first=True):
    """[ReLU ->] SeparableConv2D 3x3 (stride 1, same) -> BatchNormalization.

    A separable conv = depthwise 3x3 (one filter per input channel) followed by
    a pointwise 1x1 conv to ``filters`` channels. Xception puts the ReLU
    *before* each separable conv (except the very first of block2).
    Layers: ``{name}_act``, ``{name}``, ``{name}_bn``. Shape: (H, W, C) -> (H, W, filters).
    """
    if relu_first:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=-1, name=f"{name}_bn")(x)


def _downsampling_block(x, filters, name, relu_first=True):
    """Entry/exit-flow residual block that halves H and W.

    main path: two separable convs (``filters[0]`` then ``filters[1]`` channels)
    and a 3x3 max-pool with stride 2; shortcut: 1x1 conv with stride 2 + BN.
    Shape: (H, W, C) -> (ceil(H/2), ceil(W/2), filters[1]).
    """
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False, name=f"{name}_residual_conv")(x)
    residual = layers.BatchNormalization(axis=-1, name=f"{name}_residual_bn")(residual)

    x = _separable_bn(x, filters[0], f"{name}_sepconv1", relu_first=relu_first)
    x = _separable_bn(x, filters[1], f"{name}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"{name}_pool")(x)
    return layers.Add(name=f"{name}_add")([x, residual])


def _middle_block(x, name, filters=728):
    """Middle-flow block: three ReLU-separable-BN units plus an identity shortcut.

    Shape: (H, W, 728) -> (H, W, 728).
    """
    residual = x
    x = _separable_bn(x, filters, f"{name}_sepconv1")
    x = _separable_bn(x, filters, f"{name}_sepconv2")
    x = _separable_bn(x, filters, f"{name}_sepconv3")
    return layers.Add(name=f"{name}_add")([x, residual])


def xception(include_top=True, weights=None, input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Build Xception; arguments follow ``keras.applications.Xception``.

    Args:
        include_top: add GlobalAveragePooling + Dense(``classes``) ("predictions").
        weights: None (random init, the default here so the book runs offline),
            "imagenet" (downloads Keras's official file, 88 MB) or a weights file path.
        input_tensor: optional Keras tensor to use as the input.
        input_shape: (H, W, 3), H and W >= 71 pixels; default (299, 299, 3).
        pooling: with include_top=False: None (4-D output), "avg" or "max".
        classes: number of output classes (1000 with ImageNet weights and the top).
        classifier_activation: activation of the top Dense layer.
        name: model name.

    Returns:
        keras.Model: (batch, H, W, 3) images scaled to -1..1 (``preprocess_input``)
        -> (batch, classes) probabilities, or (batch, H/32, W/32, 2048) features.
        22,910,480 parameters with the 1000-class top (22,855,952 trainable).
    """
    cfg = configs.MODEL_CONFIGS["xception"]
    weights = check_common_args(include_top, weights, pooling, classes, classifier_activation)
    input_shape = check_input_shape(input_shape, default_size=cfg["default_size"],
                                    min_size=cfg["min_size"], include_top=include_top,
                                    weights=weights, model_name="Xception")
    inputs = input_tensor if input_tensor is not None else layers.Input(shape=input_shape)

    # Entry flow: two plain 3x3 convs (the first with stride 2, both 'valid').
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(inputs)
    x = layers.BatchNormalization(axis=-1, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=-1, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    # block2's first separable conv follows block1's ReLU directly.
    x = _downsampling_block(x, (128, 128), "block2", relu_first=False)
    x = _downsampling_block(x, (256, 256), "block3")
    x = _downsampling_block(x, (728, 728), "block4")

    # Middle flow: 8 identical residual blocks at 728 channels.
    for i in range(8):
        x = _middle_block(x, f"block{i + 5}")

    # Exit flow.
    x = _downsampling_block(x, (728, 1024), "block13")
    x = layers.SeparableConv2D(1536, (3, 3), padding="same", use_bias=False,
                               name="block14_sepconv1")(x)
    x = layers.BatchNormalization(axis=-1, name="block14_sepconv1_bn")(x)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = layers.SeparableConv2D(2048, (3, 3), padding="same", use_bias=False,
                               name="block14_sepconv2")(x)
    x = layers.BatchNormalization(axis=-1, name="block14_sepconv2_bn")(x)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

    x = classifier_head(x, include_top=include_top, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)
    model_inputs = keras.utils.get_source_inputs(inputs) if input_tensor is not None else inputs
    model = keras.Model(model_inputs, x, name=name)
    imagenet_file = cfg["weights"]["top" if include_top else "notop"]
    return load_model_weights(model, weights, imagenet_file)
