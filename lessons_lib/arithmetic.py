"""Convolution arithmetic: output shapes, parameter counts and multiply-accumulates.

Pure Python (no TensorFlow, no NumPy), so the formulas can be read, imported
and tested anywhere (the book's live panels run them in the browser). Every
function validates its arguments with :mod:`lessons_lib.validation` and raises a
``TypeError`` (wrong type) or ``ValueError`` (wrong value) whose message names
the argument, the value it got and what is allowed.

Conventions, the same as Keras ``Conv2D`` and friends with ``channels_last``:

* a feature map is ``height x width x channels``;
* ``kernel_size`` and ``strides`` are an ``int`` (square) or a pair ``(rows, cols)``;
* ``padding="same"`` gives ``ceil(n / stride)`` output rows, ``"valid"`` gives
  ``floor((n - k) / stride) + 1`` and needs ``k <= n``;
* **params** counts every trainable number: kernel weights plus bias;
* **MACs** (multiply-accumulates, the "mult-adds" of the MobileNet paper) counts,
  for one input image, one multiplication-plus-addition per kernel weight per
  output position. Bias additions are not counted (the usual convention in the
  papers this book reproduces). FLOPs are roughly ``2 x MACs``.

Units: shapes in pixels and channels; params in numbers (multiply by 4 for
bytes in float32); MACs per image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple, Union

from lessons_lib.validation import check_bool, check_choice, check_int

IntOrPair = Union[int, Tuple[int, int]]

PADDINGS = ("same", "valid")

__all__ = [
    "ConvCost",
    "conv_output_length",
    "conv_output_shape",
    "standard_conv",
    "depthwise_conv",
    "pointwise_conv",
    "separable_conv",
    "grouped_conv",
    "factorized_conv",
    "stacked_3x3_conv",
    "separable_cost_ratio",
    "compare_convolutions",
]


# --------------------------------------------------------------------------- #
# Argument checks: each names the argument, the value and what is allowed.
# --------------------------------------------------------------------------- #
def _check_positive_int(name: str, value) -> int:
    """``value`` as an int >= 1 (``validation.check_int``); factorized_arithmetic uses it."""
    return check_int(name, value, 1)


def _check_pair(name: str, value: IntOrPair) -> Tuple[int, int]:
    """An int ``k`` as ``(k, k)``, or a pair ``(rows, cols)``, each entry an int >= 1."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"`{name}` must be an integer or a pair (rows, cols) of integers; "
                f"received {name}={value!r} with {len(value)} entries."
            )
        return (check_int(f"{name}[0]", value[0], 1), check_int(f"{name}[1]", value[1], 1))
    v = check_int(name, value, 1)
    return (v, v)


def _check_padding(padding) -> str:
    """``"same"`` or ``"valid"``, in any letter case; returned in lower case."""
    lowered = padding.lower() if isinstance(padding, str) else padding
    if lowered not in PADDINGS:
        check_choice("padding", padding, PADDINGS)  # raises, naming the value as given
    return lowered


def _check_divides(name: str, groups: int, what: str, channels: int) -> None:
    if channels % groups:
        allowed = [d for d in range(1, channels + 1) if channels % d == 0]
        raise ValueError(
            f"`{name}` must divide {what}={channels} (allowed values: {allowed}); "
            f"received {name}={groups}."
        )


# --------------------------------------------------------------------------- #
# Output shapes
# --------------------------------------------------------------------------- #
def conv_output_length(input_length: int, kernel_size: int, stride: int = 1,
                       padding: str = "same") -> int:
    """Length of one spatial axis after a convolution or pooling window.

    Args:
        input_length: rows (or columns) of the input, in pixels (>= 1).
        kernel_size: window size along that axis, in pixels (>= 1).
        stride: step between windows, in pixels (>= 1).
        padding: ``"same"`` (zero-pad so that ``out = ceil(in / stride)``) or
            ``"valid"`` (no padding: ``out = floor((in - k) / stride) + 1``).

    Returns:
        The output length in pixels.

    Raises:
        ValueError: for ``"valid"`` padding with a kernel larger than the input.
    """
    n = check_int("input_length", input_length, 1)
    k = check_int("kernel_size", kernel_size, 1)
    s = check_int("stride", stride, 1)
    p = _check_padding(padding)
    if p == "same":
        return -(-n // s)  # ceil(n / s)
    if k > n:
        raise ValueError(
            f"kernel_size={k} is larger than the input ({n} pixels) with padding='valid'; "
            f"allowed: kernel_size <= {n}, or use padding='same'"
        )
    return (n - k) // s + 1


def conv_output_shape(height: int, width: int, kernel_size: IntOrPair = 3,
                      strides: IntOrPair = 1, padding: str = "same") -> Tuple[int, int]:
    """Output ``(rows, cols)`` of a 2-D convolution on a ``height x width`` map.

    ``kernel_size`` and ``strides`` are an int or a ``(rows, cols)`` pair.
    """
    kh, kw = _check_pair("kernel_size", kernel_size)
    sh, sw = _check_pair("strides", strides)
    h = check_int("height", height, 1)
    w = check_int("width", width, 1)
    p = _check_padding(padding)
    try:
        out_h = conv_output_length(h, kh, sh, p)
        out_w = conv_output_length(w, kw, sw, p)
    except ValueError as err:  # re-word in terms of this function's arguments
        raise ValueError(
            f"kernel_size={kernel_size!r} does not fit a {h}x{w} input with "
            f"padding='valid'; allowed: a kernel no larger than the input, or padding='same'"
        ) from err
    return out_h, out_w


# --------------------------------------------------------------------------- #
# The cost record
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class ConvCost:
    """Cost of one convolution (or a chain of them) on one image.

    Attributes:
        name: what was counted, e.g. ``"standard 3x3"``.
        output_shape: ``(rows, cols, channels)`` of the output feature map.
        weights: kernel weights (numbers), bias excluded.
        biases: bias terms (numbers).
        macs: multiply-accumulates for one image (bias additions excluded).
    """

    name: str
    output_shape: Tuple[int, int, int]
    weights: int
    biases: int
    macs: int

    @property
    def params(self) -> int:
        """All trainable numbers: ``weights + biases`` (what Keras' ``count_params`` reports)."""
        return self.weights + self.biases

    def __add__(self, other: "ConvCost") -> "ConvCost":
        """Chain two layers: costs add up, the output shape is the second one's."""
        if not isinstance(other, ConvCost):
            return NotImplemented
        return ConvCost(
            name=f"{self.name} + {other.name}",
            output_shape=other.output_shape,
            weights=self.weights + other.weights,
            biases=self.biases + other.biases,
            macs=self.macs + other.macs,
        )

    def as_dict(self) -> dict:
        """A flat dict (for a pandas row): name, output shape, weights, biases, params, MACs."""
        return {
            "name": self.name,
            "output_shape": self.output_shape,
            "weights": self.weights,
            "biases": self.biases,
            "params": self.params,
            "macs": self.macs,
        }


def _kernel_label(kh: int, kw: int) -> str:
    return f"{kh}x{kw}"


# --------------------------------------------------------------------------- #
# The convolutions
# --------------------------------------------------------------------------- #
def grouped_conv(height: int, width: int, in_channels: int, out_channels: int,
                 kernel_size: IntOrPair = 3, groups: int = 1, strides: IntOrPair = 1,
                 padding: str = "same", use_bias: bool = True) -> ConvCost:
    """A grouped convolution, as ``keras.layers.Conv2D(out_channels, kernel_size, groups=groups)``.

    The ``in_channels`` are split into ``groups`` slices; each slice is convolved
    with its own ``out_channels / groups`` filters, each ``kh x kw x (in_channels / groups)``.

    * weights = ``kh * kw * (in_channels / groups) * out_channels``
    * biases  = ``out_channels`` if ``use_bias``
    * MACs    = ``out_rows * out_cols * out_channels * kh * kw * (in_channels / groups)``

    ``groups=1`` is the standard convolution; ``groups = in_channels = out_channels``
    is a depthwise convolution. Both ``in_channels`` and ``out_channels`` must be
    divisible by ``groups`` (Keras enforces the same).
    """
    c_in = check_int("in_channels", in_channels, 1)
    c_out = check_int("out_channels", out_channels, 1)
    g = check_int("groups", groups, 1)
    use_bias = check_bool("use_bias", use_bias)
    _check_divides("groups", g, "in_channels", c_in)
    _check_divides("groups", g, "out_channels", c_out)
    kh, kw = _check_pair("kernel_size", kernel_size)
    out_h, out_w = conv_output_shape(height, width, (kh, kw), strides, padding)
    per_output = kh * kw * (c_in // g)
    name = f"{'standard' if g == 1 else f'grouped (g={g})'} {_kernel_label(kh, kw)}"
    return ConvCost(
        name=name,
        output_shape=(out_h, out_w, c_out),
        weights=per_output * c_out,
        biases=c_out if use_bias else 0,
        macs=out_h * out_w * c_out * per_output,
    )


def standard_conv(height: int, width: int, in_channels: int, out_channels: int,
                  kernel_size: IntOrPair = 3, strides: IntOrPair = 1,
                  padding: str = "same", use_bias: bool = True) -> ConvCost:
    """A standard convolution, as ``keras.layers.Conv2D(out_channels, kernel_size)``.

    Every output channel looks at every input channel through a ``kh x kw`` window:

    * weights = ``kh * kw * in_channels * out_channels``
    * biases  = ``out_channels`` if ``use_bias``
    * MACs    = ``out_rows * out_cols * out_channels * kh * kw * in_channels``
    """
    return grouped_conv(height, width, in_channels, out_channels, kernel_size,
                        groups=1, strides=strides, padding=padding, use_bias=use_bias)


def pointwise_conv(height: int, width: int, in_channels: int, out_channels: int,
                   use_bias: bool = True) -> ConvCost:
    """A pointwise (1x1) convolution: mixes channels, looks at one pixel.

    * weights = ``in_channels * out_channels``
    * MACs    = ``height * width * in_channels * out_channels``
    """
    cost = standard_conv(height, width, in_channels, out_channels, 1, 1, "same", use_bias)
    return ConvCost("pointwise 1x1", cost.output_shape, cost.weights, cost.biases, cost.macs)


def depthwise_conv(height: int, width: int, in_channels: int, kernel_size: IntOrPair = 3,
                   depth_multiplier: int = 1, strides: IntOrPair = 1,
                   padding: str = "same", use_bias: bool = True) -> ConvCost:
    """A depthwise convolution, as ``keras.layers.DepthwiseConv2D(kernel_size, depth_multiplier=m)``.

    Each input channel gets its own ``m`` filters of ``kh x kw`` (one channel
    deep); channels are never mixed. Output channels = ``in_channels * m``.

    * weights = ``kh * kw * in_channels * m``
    * biases  = ``in_channels * m`` if ``use_bias``
    * MACs    = ``out_rows * out_cols * in_channels * m * kh * kw``
    """
    c_in = check_int("in_channels", in_channels, 1)
    m = check_int("depth_multiplier", depth_multiplier, 1)
    use_bias = check_bool("use_bias", use_bias)
    kh, kw = _check_pair("kernel_size", kernel_size)
    out_h, out_w = conv_output_shape(height, width, (kh, kw), strides, padding)
    c_out = c_in * m
    return ConvCost(
        name=f"depthwise {_kernel_label(kh, kw)}" + (f" (x{m})" if m > 1 else ""),
        output_shape=(out_h, out_w, c_out),
        weights=kh * kw * c_out,
        biases=c_out if use_bias else 0,
        macs=out_h * out_w * c_out * kh * kw,
    )


def separable_conv(height: int, width: int, in_channels: int, out_channels: int,
                   kernel_size: IntOrPair = 3, depth_multiplier: int = 1,
                   strides: IntOrPair = 1, padding: str = "same",
                   use_bias: bool = True) -> ConvCost:
    """A depthwise-separable convolution, as ``keras.layers.SeparableConv2D``.

    A depthwise ``kh x kw`` convolution (with the stride and padding, no bias)
    followed by a pointwise 1x1 convolution to ``out_channels`` (with the bias).
    This is the Keras layout; MobileNet instead puts BatchNorm and ReLU between
    the two steps and uses no bias at all (``use_bias=False``).

    * weights = ``kh * kw * in_channels * m + in_channels * m * out_channels``
    * biases  = ``out_channels`` if ``use_bias``
    * MACs    = ``out_rows * out_cols * in_channels * m * (kh * kw + out_channels)``
    """
    depthwise = depthwise_conv(height, width, in_channels, kernel_size, depth_multiplier,
                               strides, padding, use_bias=False)
    out_h, out_w, mid = depthwise.output_shape
    pointwise = pointwise_conv(out_h, out_w, mid, out_channels, use_bias=use_bias)
    total = depthwise + pointwise
    kh, kw = _check_pair("kernel_size", kernel_size)
    return ConvCost(f"separable {_kernel_label(kh, kw)}", total.output_shape,
                    total.weights, total.biases, total.macs)


def factorized_conv(height: int, width: int, in_channels: int, out_channels: int,
                    kernel_size: int = 7, mid_channels: int | None = None,
                    padding: str = "same", use_bias: bool = True) -> ConvCost:
    """A ``k x k`` convolution factorized into ``1 x k`` then ``k x 1`` (InceptionV3).

    Both steps use stride 1 and the given padding; the first maps
    ``in_channels -> mid_channels`` (default ``out_channels``), the second
    ``mid_channels -> out_channels``. The pair sees the same ``k x k`` receptive
    field as one ``k x k`` convolution; with equal channels it costs
    ``2 / k`` of it (7x7: 2/7, about 28.6 %; 3x3: 2/3, about 67 %).
    """
    k = check_int("kernel_size", kernel_size, 1)
    mid = out_channels if mid_channels is None else mid_channels
    first = standard_conv(height, width, in_channels, mid, (1, k), 1, padding, use_bias)
    h1, w1, c1 = first.output_shape
    second = standard_conv(h1, w1, c1, out_channels, (k, 1), 1, padding, use_bias)
    total = first + second
    return ConvCost(f"factorized 1x{k} + {k}x1", total.output_shape,
                    total.weights, total.biases, total.macs)


def stacked_3x3_conv(height: int, width: int, in_channels: int, out_channels: int,
                     n_layers: int = 2, padding: str = "same",
                     use_bias: bool = True) -> ConvCost:
    """``n_layers`` stacked 3x3 convolutions (stride 1), the InceptionV3 / VGG replacement
    for one ``(2 n + 1) x (2 n + 1)`` convolution: two 3x3 see a 5x5 window at
    ``18 / 25 = 72 %`` of its cost (equal channels). The first layer maps
    ``in_channels -> out_channels``, the others keep ``out_channels``.
    """
    n = check_int("n_layers", n_layers, 1)
    cost = standard_conv(height, width, in_channels, out_channels, 3, 1, padding, use_bias)
    for _ in range(n - 1):
        h, w, c = cost.output_shape
        cost = cost + standard_conv(h, w, c, out_channels, 3, 1, padding, use_bias)
    return ConvCost(f"{n} x 3x3", cost.output_shape, cost.weights, cost.biases, cost.macs)


def separable_cost_ratio(kernel_size: int, out_channels: int) -> float:
    """MobileNet's ratio of separable to standard cost: ``1 / N + 1 / Dk**2``.

    ``N`` is ``out_channels`` and ``Dk`` the (square) kernel size. It holds for
    MACs (any input size, stride 1, ``same`` padding) and for weights without
    bias, since both counts share the factor ``in_channels`` (and the map size).
    """
    dk = check_int("kernel_size", kernel_size, 1)
    n = check_int("out_channels", out_channels, 1)
    return 1.0 / n + 1.0 / dk ** 2


def compare_convolutions(height: int, width: int, in_channels: int, out_channels: int,
                         kernel_size: int = 3, groups: int = 1, depth_multiplier: int = 1,
                         strides: int = 1, padding: str = "same",
                         use_bias: bool = False) -> list:
    """Costs of the ways to map ``in_channels -> out_channels`` with a ``k x k`` window.

    Returns a list of :class:`ConvCost`: standard, grouped (only if ``groups > 1``),
    depthwise, pointwise, and separable (depthwise + pointwise). This is what the
    chapter's table, chart and widget show; ``use_bias=False`` by default because
    that is how the papers count.
    """
    rows = [standard_conv(height, width, in_channels, out_channels, kernel_size,
                          strides, padding, use_bias)]
    if check_int("groups", groups, 1) > 1:
        rows.append(grouped_conv(height, width, in_channels, out_channels, kernel_size,
                                 groups, strides, padding, use_bias))
    depthwise = depthwise_conv(height, width, in_channels, kernel_size, depth_multiplier,
                               strides, padding, use_bias)
    out_h, out_w, mid = depthwise.output_shape
    pointwise = pointwise_conv(out_h, out_w, mid, out_channels, use_bias)
    rows += [depthwise, pointwise,
             separable_conv(height, width, in_channels, out_channels, kernel_size,
                            depth_multiplier, strides, padding, use_bias)]
    return rows

