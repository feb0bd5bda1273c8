"""ResNeXt-50 (32x4d) (Xie et al., CVPR 2017) with two interchangeable 3x3 implementations.

The network follows keras-applications' ``resnext.py`` (and torchvision's
``resnext50_32x4d``) so their ImageNet weights fit:

- stem: ZeroPadding 3 -> Conv 7x7/2 (64, no bias) -> BN -> ReLU -> ZeroPadding 1 ->
  MaxPool 3x3/2;
- stages conv2..conv5 with 3, 4, 6, 3 bottleneck blocks, bottleneck widths
  128, 256, 512, 1024 and block outputs 256, 512, 1024, 2048;
- a block: 1x1 conv -> BN -> ReLU -> ZeroPadding 1 -> *grouped* 3x3 conv
  (stride 2 in the first block of conv3..conv5) -> BN -> ReLU -> 1x1 conv -> BN,
  plus the shortcut (1x1 conv with the same stride + BN in each stage's first
  block, identity otherwise), then Add -> ReLU;
- no conv has a bias; BN epsilon is 1.001e-5.

The grouped 3x3 conv has two implementations that compute the same function:

``"grouped"``
    one ``GroupedConv2D(width, 3, groups=cardinality)`` (layer ``{block}_2_conv``),
    a ``keras.layers.Conv2D`` with the same weights (see below).
``"split"``
    the paper's Figure 3(b) written out: split the ``width`` channels into
    ``cardinality`` slices of ``width / cardinality``, one ``Conv2D`` per slice
    (``{block}_2_conv_g0`` ... ``_g31``), concatenate (``{block}_2_concat``).

``"grouped"`` uses :class:`GroupedConv2D`, a ``Conv2D`` that calls
TensorFlow's grouped kernel directly: Keras 3.15 would send a plain
``Conv2D(groups=32)`` through XLA on TensorFlow (a workaround for old
TensorFlow versions without a CPU grouped kernel), which is far slower on a CPU.

``"auto"`` is ``"split"`` on JAX without a GPU and ``"grouped"`` everywhere else.
On JAX, ``"grouped"`` is XLA's ``feature_group_count`` convolution, and XLA's CPU code for
it is slow, above all its gradient. One 3x3 layer at 56x56x128, batch 4, on the book's
2-core CPU (medians of 5 calls; ``jax.lax.conv_general_dilated`` with
``feature_group_count=32`` against 32 convolutions of channel slices, each under
``jax.jit``; JAX 0.10.2): forward 89.5 ms grouped vs 26.1 ms split, forward and gradient
4,900.7 ms vs 32.0 ms; a whole ResNeXt-50 training step at 96x96, batch 32, 50.7 s grouped
vs 3.2 s split. PyTorch's CPU grouped convolution is the faster one (same layer,
``torch.nn.functional.conv2d`` with ``groups=32`` vs 32 slices, PyTorch 2.13, medians of
7 calls: forward 4.5 vs 8.4 ms, with the gradient 20.9 vs 35.9 ms). On TensorFlow,
measured with
``python -m lessons_lib.bench --repeats 21`` on the book's 2-core CPU (TF 2.21,
batch 4, medians of interleaved runs; figures move with machine load): one 3x3
layer, Keras ``Conv2D(groups=32)`` / ``GroupedConv2D`` / split = 54.0 / 5.3 /
11.0 ms at 56x56x128 and 11.1 / 3.2 / 7.8 ms at 28x28x256; the whole network,
grouped 244.6 ms vs split 296.4 ms, and grouped ResNeXt-50 / ResNet-50 = 1.18.
On GPUs cuDNN has native grouped convolutions, so one layer is expected to beat
32 small ones there (a prediction: no GPU has timed it for this book). "split"
stays for teaching: it is equivalent to the paper's Figure 3(b) written out,
and it is what the source notes built.
"""

import re

import keras
import numpy as np
from keras import layers, ops

from lessons_lib.models import configs
from lessons_lib.models._common import (check_choice, check_common_args,
                                        check_input_shape, check_int, classifier_head,
                                        fetch_file)
from lessons_lib.scale import accelerator

BN_EPSILON = 1.001e-5
#: (stage name, blocks, bottleneck width, stride of the first block)
STAGES = (("conv2", 3, 128, 1), ("conv3", 4, 256, 2), ("conv4", 6, 512, 2),
          ("conv5", 3, 1024, 2))
#: Layer names of keras-applications' files that differ from ours.
_H5_NAMES = {"predictions": "probs"}
_SPLIT_NAME = re.compile(r"^(.*_2_conv)_g(\d+)$")


def resolve_implementation(implementation):
    """Map "auto" to the faster implementation (measurements in the module docstring).

    "split" on the JAX backend when it sees no GPU (``lessons_lib.scale.accelerator()``;
    XLA's CPU grouped convolution is slow, its gradient above all); "grouped" on
    TensorFlow, on PyTorch and on JAX with a GPU.
    "grouped" runs on every Keras backend: ``GroupedConv2D`` calls TensorFlow's grouped
    kernel on TensorFlow and is plain ``Conv2D(groups=...)`` on JAX and PyTorch
    (tests/backends checks both against TensorFlow's outputs).
    """
    check_choice("implementation", implementation, ("auto", "grouped", "split"))
    if implementation != "auto":
        return implementation
    if keras.backend.backend() == "jax" and accelerator() == "CPU":
        return "split"
    return "grouped"


@keras.saving.register_keras_serializable(package="lessons_lib")
class GroupedConv2D(layers.Conv2D):
    """``Conv2D(filters, kernel_size, groups=g)`` that runs TensorFlow's grouped kernel directly.

    Same arguments, weights and output as ``keras.layers.Conv2D`` (kernel
    ``(kh, kw, C_in / groups, filters)``). The only change: Keras 3.15 sends
    every grouped convolution on the TensorFlow backend through XLA
    (``jit_compile=True``), a workaround for TensorFlow versions without a CPU
    grouped-convolution kernel. TensorFlow 2.21 has one (oneDNN), forward and
    backward, and calling it directly is several times faster on a CPU (see
    the module docstring). On other backends this is plain ``Conv2D``.
    """

    def convolution_op(self, inputs, kernel):
        if keras.backend.backend() != "tensorflow" or self.groups == 1:
            return super().convolution_op(inputs, kernel)
        import tensorflow as tf

        return tf.nn.convolution(
            inputs, kernel, strides=list(self.strides), padding=self.padding.upper(),
            dilations=list(self.dilation_rate),
            data_format="NHWC" if self.data_format == "channels_last" else "NCHW")


def _grouped_conv3x3(x, width, cardinality, strides, name, implementation):
    """ZeroPadding 1 -> grouped 3x3 conv: (H, W, width) -> (H/strides, W/strides, width).

    Each of the ``cardinality`` groups sees ``width / cardinality`` input
    channels and produces as many output channels (4 and 4 for 32x4d).
    """
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    if implementation == "grouped":
        return GroupedConv2D(width, 3, strides=strides, groups=cardinality, use_bias=False,
                             name=f"{name}_2_conv")(x)
    group_width = width // cardinality
    paths = ops.split(x, cardinality, axis=-1)
    paths = [layers.Conv2D(group_width, 3, strides=strides, use_bias=False,
                           name=f"{name}_2_conv_g{g}")(path)
             for g, path in enumerate(paths)]
    return layers.Concatenate(axis=-1, name=f"{name}_2_concat")(paths)


def _bottleneck_block(x, width, cardinality, strides, conv_shortcut, name, implementation):
    """ResNeXt bottleneck: 1x1 (width) -> grouped 3x3 (width, stride) -> 1x1 (2 * width).

    Args:
        x: (batch, H, W, C_in).
        width: bottleneck channels (128 in conv2 for 32x4d = 32 groups x 4 channels).
        cardinality: number of groups in the 3x3 conv.
        strides: 1, or 2 to halve H and W (on the 3x3 conv and the shortcut).
        conv_shortcut: True for a 1x1 projection shortcut, False for identity.
        name: prefix such as ``conv3_block1``.

    Returns:
        (batch, H / strides, W / strides, 2 * width).
    """
    out_channels = 2 * width
    if conv_shortcut:
        shortcut = layers.Conv2D(out_channels, 1, strides=strides, use_bias=False,
                                 name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON,
                                             name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x

    x = layers.Conv2D(width, 1, use_bias=False, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)

    x = _grouped_conv3x3(x, width, cardinality, strides, name, implementation)
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)

    x = layers.Conv2D(out_channels, 1, use_bias=False, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON, name=f"{name}_3_bn")(x)

    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def resnext50(include_top=True, weights=None, input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              cardinality=32, implementation="auto", name="resnext50"):
    """Build ResNeXt-50 (32x4d); arguments follow keras.applications' ResNet builders.

    Args:
        include_top: add GlobalAveragePooling + Dense(``classes``) ("predictions").
        weights: None (random init, the default here so the book runs offline),
            "imagenet" (keras-applications' release file, converted on load) or
            the path of a weights file: keras-applications layout (``.h5`` with
            a ``DepthwiseConv2D`` per 3x3, converted) or one saved from this
            model (``.weights.h5``).
        input_tensor: optional Keras tensor to use as the input.
        input_shape: (H, W, 3), H and W >= 32 pixels; default (224, 224, 3).
        pooling: with include_top=False: None, "avg" or "max".
        classes: number of output classes.
        classifier_activation: activation of the top Dense layer.
        cardinality: groups of every 3x3 conv; must divide 128 (the widths stay
            128/256/512/1024 whatever the cardinality). ImageNet weights: 32.
        implementation: "grouped", "split" or "auto" (see the module docstring).
        name: model name.

    Returns:
        keras.Model: (batch, H, W, 3) images in "torch" preprocessing ->
        (batch, classes). 25,097,128 parameters, 25,028,904 trainable
        (= torchvision resnext50_32x4d).
    """
    cfg = configs.MODEL_CONFIGS["resnext50"]
    weights = check_common_args(include_top, weights, pooling, classes, classifier_activation)
    check_int("cardinality", cardinality, minimum=1)
    for _, _, width, _ in STAGES:
        if width % cardinality != 0:
            raise ValueError("`cardinality` must divide every bottleneck width "
                             f"{[s[2] for s in STAGES]}; received cardinality={cardinality} "
                             f"({width} % {cardinality} = {width % cardinality}).")
    if weights == "imagenet" and cardinality != 32:
        raise ValueError("ImageNet weights exist for cardinality=32 only; received "
                         f"cardinality={cardinality}.")
    implementation = resolve_implementation(implementation)
    input_shape = check_input_shape(input_shape, default_size=cfg["default_size"],
                                    min_size=cfg["min_size"], include_top=include_top,
                                    weights=weights, model_name="ResNeXt-50")

    inputs = input_tensor if input_tensor is not None else layers.Input(shape=input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)

    for stage, blocks, width, first_stride in STAGES:
        for i in range(1, blocks + 1):
            x = _bottleneck_block(x, width, cardinality,
                                  strides=first_stride if i == 1 else 1,
                                  conv_shortcut=(i == 1), name=f"{stage}_block{i}",
                                  implementation=implementation)

    x = classifier_head(x, include_top=include_top, pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation)
    model_inputs = keras.utils.get_source_inputs(inputs) if input_tensor is not None else inputs
    model = keras.Model(model_inputs, x, name=name)

    if weights == "imagenet":
        file_name, url, file_hash = cfg["weights"]["top" if include_top else "notop"]
        weights = fetch_file(file_name, url, file_hash)
    if weights is not None:
        if str(weights).endswith(".weights.h5"):
            model.load_weights(weights)
        else:
            load_keras_applications_h5(model, weights)
    return model


# ---------------------------------------------------------------------------
# Weight conversion
# ---------------------------------------------------------------------------


def depthwise_to_grouped_kernel(depthwise_kernel, cardinality):
    """keras-applications' 3x3 kernel -> the kernel of ``Conv2D(groups=cardinality)``.

    keras-applications computes the grouped conv as
    ``DepthwiseConv2D(3, depth_multiplier=c)`` on ``width = G * c`` channels
    (kernel shape (3, 3, width, c)); depthwise output channel ``i * c + m``
    comes from input channel ``i = g * c + j``. It then reshapes to
    (..., G, c, c) -- axes (g, j, m) -- and sums over ``j``, giving output
    channel ``g * c + m``. So

        grouped[kh, kw, j, g * c + m] = depthwise[kh, kw, g * c + j, m]

    where the grouped kernel has Keras's shape (3, 3, c, width): input channel
    ``j`` of the group of output ``g * c + m``.
    """
    kh, kw, width, c = depthwise_kernel.shape
    if width != cardinality * c:
        raise ValueError(f"depthwise kernel of shape {depthwise_kernel.shape} does not fit "
                         f"cardinality={cardinality} (expected width = cardinality * c).")
    k = np.asarray(depthwise_kernel).reshape(kh, kw, cardinality, c, c)  # (kh, kw, g, j, m)
    return k.transpose(0, 1, 3, 2, 4).reshape(kh, kw, c, width)          # (kh, kw, j, g*c+m)


def _grouped_arrays(model):
    """{layer name: [arrays]} of ``model`` with split 3x3 paths merged into grouped kernels."""
    arrays, paths = {}, {}
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        match = _SPLIT_NAME.match(layer.name)
        if match:
            paths.setdefault(match.group(1), {})[int(match.group(2))] = weights[0]
        else:
            arrays[layer.name] = weights
    for base, kernels in paths.items():
        arrays[base] = [np.concatenate([kernels[g] for g in range(len(kernels))], axis=-1)]
    return arrays


def _assign_grouped_arrays(model, arrays):
    """Set every weighted layer of ``model`` (grouped or split) from grouped-layout arrays."""
    used = set()
    for layer in model.layers:
        if not layer.weights:
            continue
        match = _SPLIT_NAME.match(layer.name)
        source = match.group(1) if match else layer.name
        if source not in arrays:
            raise ValueError(f"No weights for layer {layer.name!r} (looked for {source!r}).")
        values = arrays[source]
        if match:  # one path of a split conv: its slice of the grouped output channels
            group, group_width = int(match.group(2)), layer.weights[0].shape[-1]
            values = [values[0][..., group * group_width:(group + 1) * group_width]]
        layer.set_weights(values)
        used.add(source)
    unused = sorted(set(arrays) - used)
    if unused:
        raise ValueError(f"Weights left unused (architecture mismatch?): {unused[:5]}")


def convert_resnext_weights(src_model, dst_model):
    """Copy weights between the "grouped" and "split" implementations (either direction).

    Grouped kernel (3, 3, c, width) <-> path ``g`` kernel ``[..., g*c:(g+1)*c]``;
    every other layer is copied by name. Returns ``dst_model``.
    """
    _assign_grouped_arrays(dst_model, _grouped_arrays(src_model))
    return dst_model


def load_keras_applications_h5(model, path):
    """Load a keras-applications ResNeXt ``.h5`` (by layer name) into ``model``.

    The file holds, per layer name, the arrays listed in the layer's
    ``weight_names`` attribute. ``{block}_2_conv`` layers hold a depthwise
    kernel (3, 3, width, width / G) and are converted with
    ``depthwise_to_grouped_kernel``; the top Dense is called "probs" there.
    """
    import h5py

    arrays = {}
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        for layer in model.layers:
            if not layer.weights:
                continue
            match = _SPLIT_NAME.match(layer.name)
            our_name = match.group(1) if match else layer.name
            if our_name in arrays:
                continue
            file_name = _H5_NAMES.get(our_name, our_name)
            if file_name not in root:
                raise ValueError(f"{path}: no weights for layer {file_name!r}; is this a "
                                 "keras-applications ResNeXt-50 file with the same "
                                 "include_top?")
            group = root[file_name]
            names = [n.decode() if isinstance(n, bytes) else n
                     for n in group.attrs["weight_names"]]
            values = [np.asarray(group[n]) for n in names]
            if "depthwise_kernel" in names[0]:  # keras-applications' 3x3 layout
                width, c = values[0].shape[2], values[0].shape[3]
                values = [depthwise_to_grouped_kernel(values[0], width // c)]
            arrays[our_name] = values
    _assign_grouped_arrays(model, arrays)
    return model
