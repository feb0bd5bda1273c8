"""GoogLeNet's module and the bottleneck arithmetic agree with the built Keras layers."""

import keras
import pytest

from lessons_lib.models.googlenet import bottleneck_costs, googlenet_module
from lessons_lib.profiler import profile


def test_module_3a_shape_and_costs_match_the_profile():
    x = keras.Input((28, 28, 192))
    model = keras.Model(x, googlenet_module(x))
    assert tuple(model.output.shape[1:]) == (28, 28, 256)
    table = profile(model)
    five = table[table["layer"].str.contains("5x5")]
    assert five["macs"].sum() == bottleneck_costs()["bottleneck"].macs
    assert five["params"].sum() == bottleneck_costs(use_bias=True)["bottleneck"].params


def test_paper_example_numbers():
    costs = bottleneck_costs()
    assert costs["direct"].macs == 28 * 28 * 5 * 5 * 192 * 32            # 120.4 M
    assert costs["bottleneck"].macs == 28 * 28 * (192 * 16 + 5 * 5 * 16 * 32)   # 12.4 M


def test_bad_filters_are_named():
    with pytest.raises((TypeError, ValueError), match="f5x5_reduce"):
        googlenet_module(keras.Input((28, 28, 192)), f5x5_reduce=0)
