"""MobileNet v1 (Howard et al., 2017) and a MobileNet-encoder UNet for segmentation.

``mobilenet`` matches ``keras.applications.MobileNet`` layer for layer (same
layer names, classes, order and weight shapes), so ``set_weights`` and the
official Keras ImageNet files work.

Each of the 13 "depthwise separable" blocks is: (ZeroPadding when strided) ->
DepthwiseConv2D 3x3 -> BN -> ReLU6 -> Conv2D 1x1 (pointwise) -> BN -> ReLU6.
Stride-2 blocks pad one pixel on the bottom/right only and use a 'valid'
conv, as TensorFlow's original checkpoints do.

Encoder feature maps (``mobilenet_encoder``) for a 224x224 input, alpha = 1:

====  =======  =================  ===================
name  stride   layer              shape
====  =======  =================  ===================
f1    2        conv_pw_1_relu     112 x 112 x 64
f2    4        conv_pw_3_relu     56 x 56 x 128
f3    8        conv_pw_5_relu     28 x 28 x 256
f4    16       conv_pw_11_relu    14 x 14 x 512
f5    32       conv_pw_13_relu    7 x 7 x 1024
====  =======  =================  ===================
"""

import keras
from keras import layers

from lessons_lib.models import configs
from lessons_lib.models._common import (check_choice, check_common_args, check_float,
                                        check_input_shape, check_int, check_weights,
                                        load_model_weights)
from lessons_lib.validation import describe

#: alpha values with official ImageNet weights (and rows 128, 160, 192, 224).
IMAGENET_ALPHAS = (0.25, 0.5, 0.75, 1.0)
IMAGENET_ROWS = (128, 160, 192, 224)

#: (pointwise filters at alpha = 1, stride) of the 13 depthwise separable blocks.
BLOCKS = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1),
    (1024, 2), (1024, 1),
)

#: Output layers of the encoder skip features f1..f5 (strides 2, 4, 8, 16, 32).
SKIP_LAYERS = ("conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu",
               "conv_pw_11_relu", "conv_pw_13_relu")


def _conv_block(x, filters, alpha, strides=2):
    """First full 3x3 conv: Conv2D (no bias) -> BN -> ReLU6, ``int(filters * alpha)`` channels."""
    x = layers.Conv2D(int(filters * alpha), (3, 3), padding="same", use_bias=False,
                      strides=strides, name="conv1")(x)
    x = layers.BatchNormalization(axis=-1, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_separable_block(x, pointwise_filters, alpha, depth_multiplier, strides,
                               block_id):
    """Depthwise 3x3 (``depth_multiplier`` filters per channel) then pointwise 1x1.

    Shape: (H, W, C) -> (H / strides, W / strides, int(pointwise_filters * alpha)).
    Layers: ``conv_pad_{id}`` (strided only), ``conv_dw_{id}[_bn|_relu]``,
    ``conv_pw_{id}[_bn|_relu]``.
    """
    if strides == 1:
        padding = "same"
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D((3, 3), padding=padding, depth_multiplier=depth_multiplier,
                               strides=strides, use_bias=False,
                               name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_filters * alpha), (1, 1), padding="same", use_bias=False,
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=-1, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def _check_mobilenet_args(alpha, depth_multiplier, dropout, weights):
    alpha = check_float("alpha", alpha, 0, open_min=True)
    check_int("depth_multiplier", depth_multiplier, minimum=1)
    check_float("dropout", dropout, 0, 1, open_max=True)
    if weights == "imagenet":
        if alpha not in IMAGENET_ALPHAS:
            raise ValueError(f"ImageNet weights exist for alpha in {list(IMAGENET_ALPHAS)} "
                             f"only; received alpha={alpha}. Use weights=None for other "
                             "widths.")
        if depth_multiplier != 1:
            raise ValueError("ImageNet weights exist for depth_multiplier=1 only; received "
                             f"depth_multiplier={depth_multiplier}.")
    return alpha


def mobilenet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3,
              include_top=True, weights=None, input_tensor=None, pooling=None,
              classes=1000, classifier_activation="softmax", name=None):
    """Build MobileNet v1; arguments follow ``keras.applications.MobileNet``.

    Args:
        input_shape: (H, W, 3), H and W >= 32 pixels; default (224, 224, 3).
        alpha: width multiplier: every layer has ``int(filters * alpha)`` channels
            (ImageNet weights: 0.25, 0.5, 0.75, 1.0).
        depth_multiplier: resolution multiplier of the paper is the input size;
            this is the depthwise channel multiplier (1 for ImageNet weights).
        dropout: dropout rate before the classifier.
        include_top: add the classifier (GAP -> Dropout -> 1x1 conv -> Reshape -> softmax).
        weights: None (random init, the default here so the book runs offline),
            "imagenet" (Keras's file for this alpha; the size is the input rows if
            they are 128/160/192/224, else 224 as in Keras) or a weights file path.
        input_tensor: optional Keras tensor to use as the input.
        pooling: with include_top=False: None, "avg" or "max".
        classes: number of output classes.
        classifier_activation: activation of the "predictions" layer.
        name: model name; default ``mobilenet_{alpha:0.2f}_{rows}``.

    Returns:
        keras.Model: (batch, H, W, 3) images scaled to -1..1 -> (batch, classes).
        4,253,864 parameters at alpha = 1 with the 1000-class top.
    """
    cfg = configs.MODEL_CONFIGS["mobilenet"]
    weights = check_common_args(include_top, weights, pooling, classes, classifier_activation)
    alpha = _check_mobilenet_args(alpha, depth_multiplier, dropout, weights)
    default_size = 224
    if input_shape is not None and isinstance(input_shape, (tuple, list)) \
            and len(input_shape) == 3 and input_shape[0] == input_shape[1] \
            and input_shape[0] in IMAGENET_ROWS:
        default_size = input_shape[0]
    input_shape = check_input_shape(input_shape, default_size=default_size,
                                    min_size=cfg["min_size"], include_top=include_top,
                                    weights=weights, model_name="MobileNet")
    rows = input_shape[0]
    if weights == "imagenet" and (rows != input_shape[1] or rows not in IMAGENET_ROWS):
        rows = 224  # Keras loads the 224 weights then (the conv weights fit any size)
    if alpha == int(alpha):
        alpha = float(alpha)

    inputs = input_tensor if input_tensor is not None else layers.Input(shape=input_shape)
    x = _conv_block(inputs, 32, alpha, strides=2)
    for block_id, (filters, strides) in enumerate(BLOCKS, start=1):
        x = _depthwise_separable_block(x, filters, alpha, depth_multiplier, strides, block_id)

    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True, name="global_average_pooling2d")(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model_inputs = keras.utils.get_source_inputs(inputs) if input_tensor is not None else inputs
    model = keras.Model(model_inputs, x, name=name)
    imagenet_file = None
    if weights == "imagenet":
        imagenet_file = configs.mobilenet_weights_file(alpha, rows, include_top)
    return load_model_weights(model, weights, imagenet_file)


def mobilenet_encoder(input_shape=(224, 224, 3), alpha=1.0, weights=None):
    """The MobileNet v1 body as an encoder: returns ``(inputs, [f1, f2, f3, f4, f5])``.

    f1..f5 are the block outputs at strides 2, 4, 8, 16, 32 (see the module table).
    ``weights`` may be None, "imagenet" (the no-top file) or a path to a no-top file.
    """
    base = mobilenet(input_shape=input_shape, alpha=alpha, include_top=False, weights=weights)
    return base.inputs[0], [base.get_layer(layer_name).output for layer_name in SKIP_LAYERS]


def _decoder_block(x, skip, filters, name):
    """UpSampling2D x2 -> [Concatenate skip] -> Conv2D 3x3 -> BN -> ReLU.

    Shape: (H, W, C) -> (2H, 2W, filters).
    """
    x = layers.UpSampling2D(2, name=f"{name}_up")(x)
    if skip is not None:
        x = layers.Concatenate(axis=-1, name=f"{name}_concat")([x, skip])
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=-1, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def mobilenet_unet(n_classes, input_shape=(224, 224, 3), alpha=1.0,
                   output_resolution="full", encoder_weights=None,
                   decoder_filters=(512, 256, 128, 64, 32), name="mobilenet_unet"):
    """UNet with a MobileNet v1 encoder and per-pixel softmax.

    Decoder: start at f5 (stride 32); four ``_decoder_block`` steps go up to
    strides 16, 8, 4, 2, each concatenating the encoder skip f4, f3, f2, f1.
    ``output_resolution="half"`` stops there (the blog's variant: its masks
    are H/2 x W/2, so labels must be downsampled); ``"full"`` (default) adds
    one more up-sampling block without a skip to reach H x W.

    Args:
        n_classes: number of segmentation classes (>= 1; softmax over them).
        input_shape: (H, W, C); H and W must be divisible by 32.
        alpha: MobileNet width multiplier.
        output_resolution: "full" -> (H, W, n_classes); "half" -> (H/2, W/2, n_classes).
        encoder_weights: None, "imagenet" or a no-top MobileNet weights file.
        decoder_filters: conv widths of the decoder blocks at strides 16, 8, 4, 2, 1.

    Returns:
        keras.Model: (batch, H, W, C) -> (batch, H', W', n_classes) class probabilities.
    """
    check_int("n_classes", n_classes, minimum=1)
    check_choice("output_resolution", output_resolution, ("full", "half"))
    check_float("alpha", alpha, 0, open_min=True)
    check_weights(encoder_weights)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise TypeError("`input_shape` must be a tuple (height, width, channels); "
                        f"{describe('input_shape', input_shape)}.")
    height, width, _ = input_shape
    for dim in (height, width):
        if isinstance(dim, bool) or not isinstance(dim, int) or dim % 32 != 0 or dim < 32:
            raise ValueError("mobilenet_unet needs input height and width divisible by 32 "
                             "(positive multiples of 32: the encoder halves them 5 times); "
                             f"received input_shape={tuple(input_shape)}.")
    if not isinstance(decoder_filters, (tuple, list)) or len(decoder_filters) != 5:
        raise ValueError("`decoder_filters` must be 5 integers (strides 16, 8, 4, 2, 1); "
                         f"received decoder_filters={decoder_filters!r}.")

    inputs, (f1, f2, f3, f4, f5) = mobilenet_encoder(tuple(input_shape), alpha,
                                                     encoder_weights)
    x = f5
    for skip, filters, label in ((f4, decoder_filters[0], "dec16"),
                                 (f3, decoder_filters[1], "dec8"),
                                 (f2, decoder_filters[2], "dec4"),
                                 (f1, decoder_filters[3], "dec2")):
        x = _decoder_block(x, skip, filters, label)
    if output_resolution == "full":
        x = _decoder_block(x, None, decoder_filters[4], "dec1")
    x = layers.Conv2D(n_classes, 1, padding="same", name="seg_logits")(x)
    outputs = layers.Softmax(axis=-1, name="seg_softmax")(x)
    return keras.Model(inputs, outputs, name=name)
