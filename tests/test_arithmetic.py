"""lessons_lib.arithmetic against real Keras layers, over a property-based grid.

Parameter counts and output shapes must equal Keras's exactly. MACs are checked
against an independent count read off the built Keras layer: output elements
times the kernel elements one output element uses (from the layer's kernel shape).
"""

import math

import keras
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons_lib import arithmetic as ar

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def build(layer, shape):
    """Build ``layer`` on a symbolic input of ``shape`` (rows, cols, channels)."""
    out = layer(keras.Input(shape=shape))
    return tuple(int(d) for d in out.shape[1:]), layer.count_params()


def macs_from_keras(layer, out_shape):
    """Independent MAC count from the built layer's kernel shapes and output shape."""
    out_elements = math.prod(out_shape)
    if isinstance(layer, keras.layers.SeparableConv2D):
        kh, kw, c_in, m = layer.depthwise_kernel.shape
        rows, cols = out_shape[:2]
        depthwise = rows * cols * c_in * m * kh * kw
        _, _, mid, c_out = layer.pointwise_kernel.shape
        return depthwise + rows * cols * c_out * mid
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        kh, kw, _, _ = layer.kernel.shape
        return out_elements * kh * kw
    kh, kw, c_in_per_group, _ = layer.kernel.shape  # Conv2D, grouped or not
    return out_elements * kh * kw * c_in_per_group


@st.composite
def geometry(draw):
    """A feature map, kernel, stride and padding that Keras accepts."""
    kh = draw(st.integers(1, 7))
    kw = draw(st.sampled_from([kh, draw(st.integers(1, 7))]))
    padding = draw(st.sampled_from(["same", "valid"]))
    lo = max(kh, kw) if padding == "valid" else 1
    height = draw(st.integers(lo, 20))
    width = draw(st.integers(lo, 20))
    stride = draw(st.sampled_from([1, 2, (1, 2), (2, 1)]))
    return height, width, (kh, kw), stride, padding


@SETTINGS
@given(geometry(), st.integers(1, 16), st.integers(1, 16), st.booleans(), st.data())
def test_grouped_and_standard_conv_match_keras(geo, in_per_group, out_per_group, use_bias, data):
    height, width, kernel, stride, padding = geo
    groups = data.draw(st.sampled_from([1, 1, 2, 3, 4]))
    c_in, c_out = in_per_group * groups, out_per_group * groups
    cost = ar.grouped_conv(height, width, c_in, c_out, kernel, groups, stride, padding, use_bias)
    layer = keras.layers.Conv2D(c_out, kernel, strides=stride, padding=padding, groups=groups,
                                use_bias=use_bias)
    shape, params = build(layer, (height, width, c_in))
    assert cost.output_shape == shape
    assert cost.params == params
    assert cost.macs == macs_from_keras(layer, shape)
    if groups == 1:
        assert ar.standard_conv(height, width, c_in, c_out, kernel, stride, padding,
                                use_bias) == cost


@SETTINGS
@given(geometry(), st.integers(1, 24), st.integers(1, 4), st.booleans())
def test_depthwise_conv_matches_keras(geo, c_in, multiplier, use_bias):
    height, width, kernel, stride, padding = geo
    cost = ar.depthwise_conv(height, width, c_in, kernel, multiplier, stride, padding, use_bias)
    layer = keras.layers.DepthwiseConv2D(kernel, strides=stride, padding=padding,
                                         depth_multiplier=multiplier, use_bias=use_bias)
    shape, params = build(layer, (height, width, c_in))
    assert (cost.output_shape, cost.params) == (shape, params)
    assert cost.macs == macs_from_keras(layer, shape)


@SETTINGS
@given(geometry(), st.integers(1, 24), st.integers(1, 32), st.integers(1, 4), st.booleans())
def test_separable_conv_matches_keras(geo, c_in, c_out, multiplier, use_bias):
    height, width, kernel, stride, padding = geo
    cost = ar.separable_conv(height, width, c_in, c_out, kernel, multiplier, stride, padding,
                             use_bias)
    layer = keras.layers.SeparableConv2D(c_out, kernel, strides=stride, padding=padding,
                                         depth_multiplier=multiplier, use_bias=use_bias)
    shape, params = build(layer, (height, width, c_in))
    assert (cost.output_shape, cost.params) == (shape, params)
    assert cost.macs == macs_from_keras(layer, shape)


@SETTINGS
@given(st.integers(1, 20), st.integers(1, 20), st.integers(1, 32), st.integers(1, 32),
       st.booleans())
def test_pointwise_conv_matches_keras(height, width, c_in, c_out, use_bias):
    cost = ar.pointwise_conv(height, width, c_in, c_out, use_bias)
    layer = keras.layers.Conv2D(c_out, 1, use_bias=use_bias)
    shape, params = build(layer, (height, width, c_in))
    assert (cost.output_shape, cost.params, cost.macs) == (shape, params,
                                                           macs_from_keras(layer, shape))


@SETTINGS
@given(st.integers(3, 9), st.integers(1, 12), st.integers(1, 12), st.integers(2, 4))
def test_factorized_and_stacked_match_keras_chains(k, c_in, c_out, n_layers):
    size = 17
    chain = keras.Sequential([keras.Input((size, size, c_in)),
                              keras.layers.Conv2D(c_out, (1, k), padding="same"),
                              keras.layers.Conv2D(c_out, (k, 1), padding="same")])
    cost = ar.factorized_conv(size, size, c_in, c_out, k)
    assert cost.params == chain.count_params()
    assert cost.output_shape == tuple(chain.output_shape[1:])
    stack = keras.Sequential([keras.Input((size, size, c_in))]
                             + [keras.layers.Conv2D(c_out, 3, padding="same")
                                for _ in range(n_layers)])
    assert ar.stacked_3x3_conv(size, size, c_in, c_out, n_layers).params == stack.count_params()


def test_worked_examples_from_the_source_notes_and_papers():
    # MobileNet paper, Table 3: 14x14x512 -> 512, 3x3.
    full = ar.standard_conv(14, 14, 512, 512, 3, use_bias=False)
    sep = ar.separable_conv(14, 14, 512, 512, 3, use_bias=False)
    assert round(full.macs / 1e6) == 462 and round(full.params / 1e6, 2) == 2.36
    assert round(sep.macs / 1e6, 1) == 52.3 and round(sep.params / 1e6, 2) == 0.27
    # MobileNet notes: 3x3, 16 -> 32 channels.
    assert ar.standard_conv(8, 8, 16, 32, 3, use_bias=False).params == 4608
    assert ar.separable_conv(8, 8, 16, 32, 3, use_bias=False).params == 656
    # Xception notes: 12x12x3, 5x5, 256 outputs, valid.
    std = ar.standard_conv(12, 12, 3, 256, 5, padding="valid", use_bias=False)
    assert std.output_shape == (8, 8, 256) and std.macs == 8 * 8 * 256 * 75
    # Grouped: 3x3, 128 -> 128, 32 groups: 32x fewer weights.
    assert (ar.grouped_conv(56, 56, 128, 128, 3, 1).weights
            == 32 * ar.grouped_conv(56, 56, 128, 128, 3, 32).weights)
    # Factorizations (InceptionV3 notes): 7x7 -> 28.6 %, 3x3 -> 67 %, 5x5 -> two 3x3: 72 %.
    base7 = ar.standard_conv(17, 17, 64, 64, 7, use_bias=False).macs
    assert ar.factorized_conv(17, 17, 64, 64, 7, use_bias=False).macs / base7 == pytest.approx(2 / 7)
    base3 = ar.standard_conv(8, 8, 64, 64, 3, use_bias=False).macs
    assert ar.factorized_conv(8, 8, 64, 64, 3, use_bias=False).macs / base3 == pytest.approx(2 / 3)
    base5 = ar.standard_conv(35, 35, 64, 64, 5, use_bias=False).macs
    assert ar.stacked_3x3_conv(35, 35, 64, 64, 2, use_bias=False).macs / base5 == pytest.approx(0.72)


@given(st.sampled_from([1, 3, 5, 7]), st.integers(1, 512), st.integers(1, 64))
def test_separable_ratio_is_one_over_n_plus_one_over_k_squared(k, n, m):
    ratio = (ar.separable_conv(14, 14, m, n, k, use_bias=False).macs
             / ar.standard_conv(14, 14, m, n, k, use_bias=False).macs)
    assert ratio == pytest.approx(ar.separable_cost_ratio(k, n))


def test_compare_convolutions_rows():
    rows = ar.compare_convolutions(28, 28, 64, 128, 3, groups=8)
    assert [r.name.split()[0] for r in rows] == ["standard", "grouped", "depthwise",
                                                 "pointwise", "separable"]
    assert rows[-1].macs == rows[2].macs + rows[3].macs
    assert len(ar.compare_convolutions(28, 28, 64, 128, 3, groups=1)) == 4


def test_importing_arithmetic_does_not_import_tensorflow():
    import subprocess
    import sys
    code = ("import sys, lessons_lib, lessons_lib.arithmetic, lessons_lib.checks, "
            "lessons_lib.scale, lessons_lib.chapter; "
            "print(any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- #
# Bad input: a clear TypeError / ValueError that names the argument and value.
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("call, exc, words", [
    (lambda: ar.grouped_conv(8, 8, 128, 128, 3, groups=5), ValueError,
     ["groups=5", "in_channels=128", "allowed values"]),
    (lambda: ar.grouped_conv(8, 8, 64, 100, 3, groups=8), ValueError,
     ["groups=8", "out_channels=100"]),
    (lambda: ar.standard_conv(0, 8, 3, 8), ValueError, ["height", "0", ">= 1"]),
    (lambda: ar.standard_conv(8, 8, -3, 8), ValueError, ["in_channels", "-3"]),
    (lambda: ar.standard_conv(8, 8, 3, 8, kernel_size=0), ValueError, ["kernel_size", "0"]),
    (lambda: ar.standard_conv(4, 4, 3, 8, kernel_size=5, padding="valid"), ValueError,
     ["kernel_size=(5, 5)", "4x4", "padding='same'"]),
    (lambda: ar.conv_output_length(3, 5, 1, "valid"), ValueError, ["kernel_size=5", "3 pixels"]),
    (lambda: ar.standard_conv(8, 8, 3, 8, padding="full"), ValueError, ["padding", "'full'",
                                                                        "same", "valid"]),
    (lambda: ar.standard_conv(8, 8, 3.0, 8), TypeError, ["in_channels", "3.0", "int"]),
    (lambda: ar.standard_conv(8, 8, 3, "8"), TypeError, ["out_channels", "'8'"]),
    (lambda: ar.standard_conv(8, 8, 3, 8, use_bias="yes"), TypeError, ["use_bias", "'yes'"]),
    (lambda: ar.standard_conv(8, 8, True, 8), TypeError, ["in_channels", "True"]),
    (lambda: ar.depthwise_conv(8, 8, 3, 3, depth_multiplier=0), ValueError,
     ["depth_multiplier", "0"]),
    (lambda: ar.standard_conv(8, 8, 3, 8, kernel_size=(3, 3, 3)), ValueError,
     ["kernel_size", "pair"]),
    (lambda: ar.standard_conv(8, 8, 3, 8, strides=(2, 0)), ValueError, ["strides[1]", "0"]),
    (lambda: ar.separable_cost_ratio(3, 0), ValueError, ["out_channels", "0"]),
])
def test_bad_input_names_argument_value_and_what_is_allowed(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
