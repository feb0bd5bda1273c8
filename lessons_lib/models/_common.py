"""Shared helpers of the model builders: argument checks, ``conv_bn`` and weight files.

Everything in the ``check_*`` family is plain Python: the builders call those
checks *before* they create a single layer, so a wrong argument fails in
microseconds with a message that names the argument, the value received and
what is allowed. The generic ones (``check_int``, ``check_bool``, ``check_choice``,
``check_float``) are :mod:`lessons_lib.validation`'s, the one wording of the package.

Weight files
------------
``fetch_file`` wraps :func:`keras.utils.get_file`. When the download fails (no
network, a firewall, a wrong hash) it raises :class:`WeightsUnavailableError`
that says which URL failed and how to proceed. It never returns a model with
random weights in place of the requested ones.
"""

import math
import os
import socket

import keras
from keras import layers

from lessons_lib.validation import check_bool, check_choice, check_float, check_int, describe

#: Seconds a weights download may stall (connect or read) before it fails.
#: Without a network the name lookup fails at once (measured: 0.05 s here).
DOWNLOAD_TIMEOUT_S = 30


class WeightsUnavailableError(RuntimeError):
    """A pretrained weights file (or the ImageNet class index) could not be fetched."""


# ---------------------------------------------------------------------------
# Argument checks (pure Python, run before any layer is built)
# ---------------------------------------------------------------------------
# check_bool, check_choice, check_float and check_int are lessons_lib.validation's own
# (imported above): the builders import them from here.


def check_weights(weights):
    """Allowed: ``None`` (random init), ``"imagenet"``, or the path of an existing file."""
    if weights is None or weights == "imagenet":
        return weights
    if not isinstance(weights, (str, os.PathLike)):
        raise TypeError("`weights` must be None, 'imagenet' or a file path; "
                        f"{describe('weights', weights)}.")
    if not os.path.isfile(weights):
        raise ValueError("`weights` must be None (random initialization), 'imagenet' "
                         "(download the official ImageNet weights) or the path of an "
                         f"existing weights file; received weights={weights!r}, which is "
                         "neither 'imagenet' nor an existing file.")
    return os.fspath(weights)


def check_common_args(include_top, weights, pooling, classes, classifier_activation):
    """The keras.applications conventions shared by every classifier builder."""
    check_bool("include_top", include_top)
    weights = check_weights(weights)
    check_choice("pooling", pooling, (None, "avg", "max"))
    check_int("classes", classes, minimum=1)
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("With weights='imagenet' and include_top=True, `classes` must be "
                         f"1000 (the ImageNet classes); received classes={classes}. Use "
                         "include_top=False and add your own head, or weights=None.")
    if weights == "imagenet" and include_top and classifier_activation not in (None, "softmax"):
        raise ValueError("With weights='imagenet' and include_top=True, "
                         "`classifier_activation` must be None or 'softmax'; received "
                         f"classifier_activation={classifier_activation!r}.")
    return weights


def check_input_shape(input_shape, *, default_size, min_size, include_top, weights,
                      model_name):
    """Return the (height, width, channels) input shape, checked like keras.applications.

    - ``None`` gives ``(default_size, default_size, 3)``.
    - ``include_top=True`` with ImageNet weights needs exactly the default size
      (the Dense head was trained for one feature-map size).
    - height and width (when given) must be >= ``min_size`` pixels, the smallest
      input for which every stride-2 stage still has a non-empty output.
    - ImageNet weights need 3 channels (RGB).
    """
    if input_shape is None:
        return (default_size, default_size, 3)
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError("`input_shape` must be a tuple (height, width, channels); "
                        f"{describe('input_shape', input_shape)}.")
    if len(input_shape) != 3:
        raise ValueError("`input_shape` must have 3 entries (height, width, channels) in "
                         f"channels_last order; received input_shape={tuple(input_shape)}.")
    for dim in input_shape:
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int)):
            raise TypeError("`input_shape` entries must be integers or None; received "
                            f"input_shape={tuple(input_shape)}.")
    height, width, channels = input_shape
    if channels is None:
        raise ValueError(f"`input_shape` must give the channel count; received "
                         f"input_shape={tuple(input_shape)}.")
    if weights == "imagenet" and channels != 3:
        raise ValueError("ImageNet weights expect RGB input with 3 channels; received "
                         f"input_shape={tuple(input_shape)} with {channels} channels. Use "
                         "weights=None for other channel counts.")
    if channels < 1:
        raise ValueError(f"`input_shape` channels must be >= 1; received {tuple(input_shape)}.")
    for dim in (height, width):
        if dim is not None and dim < min_size:
            raise ValueError(f"{model_name} needs input height and width >= {min_size} "
                             f"pixels; received input_shape={tuple(input_shape)}.")
    if include_top and (height is None or width is None):
        raise ValueError("With include_top=True the input height and width must be fixed "
                         f"integers; received input_shape={tuple(input_shape)}.")
    if include_top and weights == "imagenet" and (height, width) != (default_size, default_size):
        raise ValueError(f"With weights='imagenet' and include_top=True, {model_name} needs "
                         f"input_shape=({default_size}, {default_size}, 3); received "
                         f"input_shape={tuple(input_shape)}. Use include_top=False for other "
                         "sizes.")
    return tuple(input_shape)


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


def conv_bn(x, filters, kernel_size, *, name, strides=1, padding="same", use_bias=False,
            bn_scale=True, bn_epsilon=1e-3, activation="relu"):
    """Conv2D -> BatchNormalization -> activation, the unit every chapter uses.

    Args:
        x: input tensor of shape (batch, H, W, C_in).
        filters: output channels C_out.
        kernel_size: int or (kh, kw) kernel size in pixels.
        name: prefix; layers are ``{name}_conv``, ``{name}_bn`` and ``{name}_act``.
        strides: step of the kernel in pixels (2 halves H and W).
        padding: "same" keeps ceil(H/stride); "valid" gives floor((H-k)/stride)+1.
        use_bias: the conv's bias is redundant before BN (BN's beta does the same).
        bn_scale: False drops BN's gamma (InceptionV3 does, since ReLU follows).
        bn_epsilon: BN's variance epsilon.
        activation: name of the activation, or None for no activation layer.

    Returns:
        tensor of shape (batch, H', W', filters).
    """
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=-1, scale=bn_scale, epsilon=bn_epsilon,
                                  name=f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{name}_act")(x)
    return x


def classifier_head(x, *, include_top, pooling, classes, classifier_activation):
    """GlobalAveragePooling + Dense("predictions") head, or the optional pooling."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


# ---------------------------------------------------------------------------
# Weight files
# ---------------------------------------------------------------------------


def fetch_file(file_name, url, file_hash=None, what="weights"):
    """Download ``url`` into ~/.keras/models (or reuse the cached copy) and return the path.

    With ``LESSONS_OFFLINE=1`` (see :mod:`lessons_lib.data`) nothing is downloaded: a file
    already in the cache is used, otherwise WeightsUnavailableError is raised at once.

    Raises:
        WeightsUnavailableError: the download failed or ``LESSONS_OFFLINE`` forbids it; the
            message names the URL and what to do instead.
    """
    from lessons_lib.data.download import OFFLINE_ENV_VAR, offline_requested

    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    cached = os.path.join(keras_home, "models", file_name)
    if offline_requested() and not os.path.exists(cached):
        raise WeightsUnavailableError(
            f"{OFFLINE_ENV_VAR}={os.environ.get(OFFLINE_ENV_VAR)} is set, so the {what} file "
            f"{file_name!r} is not downloaded from {url} (it is not in the cache, {cached}). "
            f"Unset {OFFLINE_ENV_VAR} where the network is available, or pass a local path as "
            "weights='/path/to/file.h5', or use weights=None for random initialization.")
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        return keras.utils.get_file(file_name, url, cache_subdir="models",
                                    file_hash=file_hash)
    except Exception as error:  # get_file raises a bare Exception on fetch failure
        raise WeightsUnavailableError(
            f"Could not download the {what} file {file_name!r} from {url} "
            f"({type(error).__name__}: {error}). To proceed: run where the network is "
            "available (the file is then cached in ~/.keras/models), or download it "
            "elsewhere and pass its local path as weights='/path/to/file.h5', or use "
            "weights=None for random initialization.") from error
    finally:
        socket.setdefaulttimeout(previous_timeout)


def load_model_weights(model, weights, imagenet_file):
    """Load ``weights`` (None, "imagenet" or a path) into ``model`` in place.

    Args:
        model: the freshly built Keras model.
        weights: the checked ``weights`` argument.
        imagenet_file: (file_name, url, file_hash) of the official Keras file,
            used when ``weights == "imagenet"``.
    """
    if weights is None:
        return model
    if weights == "imagenet":
        file_name, url, file_hash = imagenet_file
        weights = fetch_file(file_name, url, file_hash)
    model.load_weights(weights)
    return model


def randomize_weights(model, seed=0):
    """Give every weight of ``model`` seeded random values with a useful scale (in place).

    Freshly initialized networks often output almost-constant values (MobileNet's
    logits are ~1e-19 at init), which makes "same output" comparisons weak.
    Here kernels get He-normal values (std = sqrt(2 / fan_in), fan_in = kernel
    elements for depthwise kernels), BN gamma and moving variance uniform
    0.5..1.5, BN beta and moving mean normal with std 0.1, biases normal 0.1.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for weight in layer.weights:
            shape = tuple(weight.shape)
            name = weight.name
            if name in ("gamma", "moving_variance"):
                value = rng.uniform(0.5, 1.5, shape)
            elif name in ("beta", "moving_mean", "bias"):
                value = rng.normal(0.0, 0.1, shape)
            else:  # a kernel
                depthwise = "depthwise" in name or type(layer).__name__ == "DepthwiseConv2D"
                fan_in = math.prod(shape[:-2]) if depthwise else math.prod(shape[:-1])
                value = rng.normal(0.0, math.sqrt(2.0 / max(fan_in, 1)), shape)
            weight.assign(value.astype("float32"))
    return model
