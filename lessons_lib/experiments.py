"""Small networks for the book's experiments: residual against plain stacks, a mini Xception,
equal-MAC-budget networks and single-layer models for a measured roofline.

Every builder returns a ``keras.Model`` for images (H, W, 3) and ``classes`` softmax outputs
(the roofline layers excepted). Importing this module imports Keras; every function runs on
the TensorFlow, JAX and PyTorch backends.
"""

from __future__ import annotations

import keras
from keras import layers

from lessons_lib.validation import check_choice, check_int

#: The conv kinds of the equal-budget experiment (comparison chapter).
BUDGET_KINDS = ("standard", "separable", "grouped", "factorized")
#: Groups of the grouped kind (every width is a multiple of it).
BUDGET_GROUPS = 4


def deep_stack(depth: int, residual: bool, width: int = 16, input_shape=(32, 32, 3),
               classes: int = 4) -> keras.Model:
    """A deep stack of ``depth`` 3x3 convolutions (``width`` channels, 'same', no pooling),
    plain or residual, with no batch normalisation, then global pooling and a classifier.

    Plain: ``depth`` times Conv-ReLU (He initialisation). Residual: ``depth / 2`` blocks
    ``x + Conv(ReLU(Conv(x)))`` whose second convolution starts at zero, so every block starts
    as the identity (zero-initialised residual branch). A first Conv-ReLU maps the image to
    ``width`` channels in both. Conv kernels are named ``conv1``, ``conv2``, ... from the input.

    Raises:
        TypeError: ``depth``, ``width`` or ``classes`` is not an int.
        ValueError: ``depth`` is not even and >= 2, ``width`` < 1 or ``classes`` < 2.
    """
    check_int("depth", depth, 2)
    if depth % 2:
        raise ValueError("`depth` must be an even integer >= 2 (residual blocks hold two "
                         f"convolutions); received depth={depth}.")
    check_int("width", width, 1)
    check_int("classes", classes, 2)
    inputs = keras.Input(tuple(input_shape))
    x = layers.Conv2D(width, 3, padding="same", activation="relu", kernel_initializer="he_normal",
                      name="conv0")(inputs)
    for i in range(1, depth + 1, 2):
        if residual:
            f = layers.Conv2D(width, 3, padding="same", activation="relu",
                              kernel_initializer="he_normal", name=f"conv{i}")(x)
            f = layers.Conv2D(width, 3, padding="same", kernel_initializer="zeros",
                              name=f"conv{i + 1}")(f)
            x = layers.Add(name=f"add{i + 1}")([x, f])
        else:
            for j in (i, i + 1):
                x = layers.Conv2D(width, 3, padding="same", activation="relu",
                                  kernel_initializer="he_normal", name=f"conv{j}")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name="residual_stack" if residual else "plain_stack")


def conv_gradient_norms(model: keras.Model, images, labels) -> dict:
    """The L2 norm of the loss gradient with respect to each Conv2D kernel, for one batch.

    Args:
        model: a classifier with softmax outputs.
        images: float32 (B, H, W, C); labels: int (B,).

    Returns:
        dict layer name -> gradient norm (float), in layer order (input first).
        Sparse categorical cross-entropy, averaged over the batch, in training mode, on any
        backend (:func:`lessons_lib.gradients.weight_gradient_norms`).
    """
    from lessons_lib.gradients import weight_gradient_norms

    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]
    return weight_gradient_norms(model, keras.losses.sparse_categorical_crossentropy, images,
                                 labels, convs)


def _xception_block(x, filters, name, downsample):
    """Xception's residual unit in miniature: ReLU-SepConv-BN twice (entry and exit flows, then a
    stride-2 max-pool and a 1x1 stride-2 shortcut) or three times (middle flow, identity)."""
    shortcut = x
    if downsample:
        shortcut = layers.Conv2D(filters, 1, strides=2, padding="same", use_bias=False,
                                 name=f"{name}_residual_conv")(x)
        shortcut = layers.BatchNormalization(name=f"{name}_residual_bn")(shortcut)
    for k in range(1, 3 if downsample else 4):
        x = layers.ReLU(name=f"{name}_sepconv{k}_act")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False,
                                   name=f"{name}_sepconv{k}")(x)
        x = layers.BatchNormalization(name=f"{name}_sepconv{k}_bn")(x)
    if downsample:
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{name}_pool")(x)
    return layers.Add(name=f"{name}_add")([x, shortcut])


def mini_xception(input_shape=(64, 64, 3), classes: int = 4, widths=(32, 64, 128),
                  middle_blocks: int = 2) -> keras.Model:
    """A small Xception: the entry, middle and exit flows of the real network in miniature.

    Entry: Conv 3x3/2 (``widths[0] / 2``) and Conv 3x3 (``widths[0]``), each BN-ReLU, then one
    downsampling block per width in ``widths[:-1]`` (two ReLU-SeparableConv-BN, max-pool /2,
    1x1 stride-2 shortcut). Middle: ``middle_blocks`` identity blocks of three
    ReLU-SeparableConv-BN at ``widths[-2]`` channels. Exit: one downsampling block to
    ``widths[-1]``, SeparableConv-BN-ReLU, global average pooling, softmax classifier.
    Layer names follow Xception's (``block{n}_...``). An image of side S ends at about S / 16.

    Raises:
        TypeError: a width, ``middle_blocks`` or ``classes`` is not an int.
        ValueError: fewer than two widths, a width < 2, ``middle_blocks`` < 0 or ``classes`` < 2.
    """
    widths = tuple(widths)
    if len(widths) < 2:
        raise ValueError(f"`widths` must hold at least two widths; received widths={widths!r}.")
    for i, w in enumerate(widths):
        check_int(f"widths[{i}]", w, 2)
    check_int("middle_blocks", middle_blocks, 0)
    check_int("classes", classes, 2)
    inputs = keras.Input(tuple(input_shape))
    x = inputs
    for k, (filters, strides) in enumerate(((widths[0] // 2, 2), (widths[0], 1)), 1):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False,
                          name=f"block1_conv{k}")(x)
        x = layers.BatchNormalization(name=f"block1_conv{k}_bn")(x)
        x = layers.ReLU(name=f"block1_conv{k}_act")(x)
    n = 2
    for filters in widths[:-1]:                       # entry flow
        x = _xception_block(x, filters, f"block{n}", downsample=True)
        n += 1
    for _ in range(middle_blocks):                    # middle flow
        x = _xception_block(x, widths[-2], f"block{n}", downsample=False)
        n += 1
    x = _xception_block(x, widths[-1], f"block{n}", downsample=True)   # exit flow
    x = layers.SeparableConv2D(widths[-1], 3, padding="same", use_bias=False,
                               name=f"block{n + 1}_sepconv1")(x)
    x = layers.BatchNormalization(name=f"block{n + 1}_sepconv1_bn")(x)
    x = layers.ReLU(name=f"block{n + 1}_sepconv1_act")(x)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="mini_xception")


def _budget_conv(x, kind, filters, name, init):
    """One 3x3 'convolution' of the given kind, no bias (BN follows); ``init``: its kernels'
    initializer."""
    conv = dict(padding="same", use_bias=False, kernel_initializer=init)
    if kind == "standard":
        return layers.Conv2D(filters, 3, name=name, **conv)(x)
    if kind == "separable":
        return layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name,
                                      depthwise_initializer=init, pointwise_initializer=init)(x)
    if kind == "grouped":
        from lessons_lib.models.resnext import GroupedConv2D   # Conv2D(groups) without XLA on TF

        return GroupedConv2D(filters, 3, groups=BUDGET_GROUPS, name=name, **conv)(x)
    x = layers.Conv2D(filters, (1, 3), name=f"{name}_1x3", **conv)(x)
    return layers.Conv2D(filters, (3, 1), name=f"{name}_3x1", **conv)(x)


def budget_net(kind: str, width: int, input_shape=(32, 32, 3), classes: int = 4,
               kernel_initializer="glorot_uniform") -> keras.Model:
    """A small classifier whose 3x3 convolutions are of one kind.

    A standard Conv 3x3/2 stem to ``width`` channels (the same for every kind), then three
    stages at ``width``, ``2 width`` and ``4 width`` channels, each: a 3x3 convolution of
    ``kind`` -> BN -> ReLU, then a 2x2 max-pool (the last stage global average pooling),
    and a softmax classifier. ``kind``: ``"standard"`` (Conv2D), ``"separable"``
    (SeparableConv2D), ``"grouped"`` (Conv2D with ``BUDGET_GROUPS`` groups) or
    ``"factorized"`` (a 1x3 then a 3x1 Conv2D). ``kernel_initializer`` initializes every
    kernel (Keras's default, ``"glorot_uniform"``; :func:`width_for_budget` builds with
    ``"zeros"``, see there).

    Raises:
        TypeError: ``kind`` is not a string or ``width`` not an int.
        ValueError: an unknown ``kind``, ``width`` < 1, or (for ``"grouped"``) a ``width`` that is
            not a multiple of ``BUDGET_GROUPS``.
    """
    check_choice("kind", kind, BUDGET_KINDS)
    check_int("width", width, 1)
    if kind == "grouped" and width % BUDGET_GROUPS:
        raise ValueError(f"`width` must be a multiple of {BUDGET_GROUPS} for kind='grouped'; "
                         f"received width={width}.")
    inputs = keras.Input(tuple(input_shape))
    x = layers.Conv2D(width, 3, strides=2, padding="same", use_bias=False, name="stem",
                      kernel_initializer=kernel_initializer)(inputs)
    x = layers.ReLU(name="stem_relu")(layers.BatchNormalization(name="stem_bn")(x))
    for s, filters in enumerate((width, 2 * width, 4 * width), 1):
        x = _budget_conv(x, kind, filters, f"stage{s}", kernel_initializer)
        x = layers.ReLU(name=f"stage{s}_relu")(layers.BatchNormalization(name=f"stage{s}_bn")(x))
        x = (layers.MaxPooling2D(2, name=f"stage{s}_pool")(x) if s < 3
             else layers.GlobalAveragePooling2D(name="pool")(x))
    outputs = layers.Dense(classes, activation="softmax", name="classifier",
                           kernel_initializer=kernel_initializer)(x)
    return keras.Model(inputs, outputs, name=f"{kind}_net")


def width_for_budget(kind: str, macs: int, input_shape=(32, 32, 3), classes: int = 4,
                     max_width: int = 1024) -> int:
    """The width (for ``"grouped"`` a multiple of ``BUDGET_GROUPS``) whose :func:`budget_net`
    has MACs closest to ``macs`` (per image, counted by :func:`lessons_lib.profiler.profile`).

    The candidate networks are built with zero kernels: only their shapes count, and on JAX a
    random initializer compiles one program per new kernel shape (about 1.5 s per network on
    a 2-core CPU, against 0.15 s with zeros).

    Raises:
        TypeError: ``macs`` is not an int (Python or NumPy).
        ValueError: ``macs`` < 1, an unknown ``kind``, or no width up to ``max_width`` reaches
            ``macs``.
    """
    from lessons_lib.profiler import profile

    macs = check_int("macs", macs, 1)
    check_choice("kind", kind, BUDGET_KINDS)

    def cost(w):
        return int(profile(budget_net(kind, w, input_shape, classes, "zeros")).macs.sum())

    step = BUDGET_GROUPS if kind == "grouped" else 1
    lo, hi = step, step
    while cost(hi) < macs:            # double until the budget is passed
        lo, hi = hi, 2 * hi
        if hi > max_width:
            raise ValueError(f"`macs` must be reachable with a {kind} width <= "
                             f"max_width={max_width}; received macs={macs:,}.")
    while hi - lo > step:             # bisect on multiples of step
        mid = (lo + hi) // 2 // step * step
        lo, hi = (mid, hi) if cost(mid) < macs else (lo, mid)
    return min((lo, hi), key=lambda w: abs(cost(w) - macs))


#: The layers of the measured roofline: (kind, map side, channels).
ROOFLINE_LAYERS = tuple((kind, side, channels)
                        for kind in ("3x3 conv", "1x1 conv", "grouped 3x3 (32 groups)",
                                     "depthwise 3x3", "dense")
                        for side, channels in ((56, 64), (28, 256), (14, 512)))


def roofline_layer(kind: str, side: int, channels: int) -> keras.Model:
    """A one-layer model for the roofline: ``kind`` on a (side, side, channels) input, as many
    channels out as in, 'same' padding, no bias. ``"dense"`` is a Dense layer from
    ``side * channels`` features to ``channels``: a matrix-vector product at batch 1.

    Raises:
        TypeError / ValueError: ``kind`` is not one of the kinds of :data:`ROOFLINE_LAYERS`.
    """
    kinds = sorted({k for k, _s, _c in ROOFLINE_LAYERS})
    check_choice("kind", kind, kinds)
    if kind == "dense":
        inputs = keras.Input((side * channels,))
        return keras.Model(inputs, layers.Dense(channels, use_bias=False, name="layer")(inputs))
    inputs = keras.Input((side, side, channels))
    if kind == "3x3 conv":
        layer = layers.Conv2D(channels, 3, padding="same", use_bias=False, name="layer")
    elif kind == "1x1 conv":
        layer = layers.Conv2D(channels, 1, use_bias=False, name="layer")
    elif kind == "depthwise 3x3":
        layer = layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="layer")
    else:
        from lessons_lib.models.resnext import GroupedConv2D

        layer = GroupedConv2D(channels, 3, padding="same", groups=32, use_bias=False, name="layer")
    return keras.Model(inputs, layer(inputs))


#: The calibration models of the measured roofline's roofs: ``(name, what it measures)``.
#: See :func:`roof_models`.
ROOF_PROBES = (("matmul", "compute roof: GMAC/s of a large matrix product"),
               ("matvec", "bandwidth roof: GB/s of a large matrix-vector product, which streams "
                          "its weights once for one multiply-add each"),
               ("empty", "cost of one call: an elementwise scaling of 8 numbers"))


def roof_models(matmul_side: int = 1024, matvec_side: int = 4096) -> dict:
    """The three calibration models of the measured roofline, each with its work at batch 1.

    - ``"matmul"``: a ``Dense(matmul_side)`` on a (matmul_side, matmul_side) input, one
      matrix product of ``matmul_side ** 3`` MACs (the compute roof: what this machine's
      backend reaches on the densest work there is);
    - ``"matvec"``: a ``Dense(matvec_side)`` on ``matvec_side`` features at batch 1, a
      matrix-vector product that reads each of its ``matvec_side ** 2`` weights once for one
      MAC (4096: 64 MiB of float32, larger than a typical CPU's caches): the bandwidth roof,
      measured with a well-optimised streaming kernel (a plain copy's 64 MiB output would be
      copied once more when the timer waits for it);
    - ``"empty"``: ``Rescaling(0.5)`` of 8 numbers (the fixed cost of one call).

    Returns:
        dict ``name -> (keras.Model, macs, bytes)``: MACs and bytes moved per call at batch 1
        (float32 input + output + weights, each once).

    Raises:
        TypeError / ValueError: a side is not an int >= 8.
    """
    matmul_side = check_int("matmul_side", matmul_side, minimum=8)
    matvec_side = check_int("matvec_side", matvec_side, minimum=8)
    n, m = matmul_side, matvec_side
    inputs = keras.Input((n, n))
    matmul = keras.Model(inputs, layers.Dense(n, use_bias=False, name="layer")(inputs),
                         name="roof_matmul")
    inputs = keras.Input((m,))
    matvec = keras.Model(inputs, layers.Dense(m, use_bias=False, name="layer")(inputs),
                         name="roof_matvec")
    inputs = keras.Input((8,))
    empty = keras.Model(inputs, layers.Rescaling(0.5, name="layer")(inputs), name="roof_empty")
    return {"matmul": (matmul, n ** 3, 4 * 3 * n * n),
            "matvec": (matvec, m * m, 4 * (m * m + 2 * m)),
            "empty": (empty, 0, 4 * 2 * 8)}
