"""lessons_lib.profiler.profile: parameters equal Keras's, MACs match the published totals."""

import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402
from keras import layers  # noqa: E402

from lessons_lib.profiler import profile  # noqa: E402


def test_profiler_import_does_not_import_tensorflow():
    code = ("import sys, lessons_lib.profiler; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _zoo():
    inputs = keras.Input((16, 16, 8))
    x = layers.Conv2D(16, 3, strides=2, padding="same", name="strided")(inputs)      # 8x8x16
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.Conv2D(32, 3, padding="same", groups=4, name="grouped")(x)            # 8x8x32
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, name="dw")(x)  # 8x8x64
    x = layers.SeparableConv2D(24, 3, padding="valid", depth_multiplier=2,
                               name="sep")(x)                                        # 6x6x24
    x = layers.BatchNormalization(scale=False, name="bn_noscale")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dense(10, name="dense")(x)
    return keras.Model(inputs, x)


def test_params_equal_count_params_for_every_layer_type():
    model = _zoo()
    df = profile(model)
    assert list(df.columns) == ["layer", "type", "output_shape", "params", "macs"]
    for row in df.itertuples():
        assert row.params == model.get_layer(row.layer).count_params(), row.layer


def test_macs_by_hand():
    macs = profile(_zoo()).set_index("layer")["macs"]
    assert macs["strided"] == 8 * 8 * 16 * (3 * 3 * 8)
    assert macs["grouped"] == 8 * 8 * 32 * (3 * 3 * 16 // 4)
    assert macs["dw"] == 8 * 8 * 64 * 9
    assert macs["sep"] == 6 * 6 * (64 * 2 * 9 + 64 * 2 * 24)  # dw input has 64 channels
    assert macs["dense"] == 24 * 10
    assert macs["bn"] == macs["gap"] == 0


def test_nested_model_is_expanded():
    inner = _zoo()
    inputs = keras.Input((16, 16, 8))
    outer = keras.Model(inputs, layers.Dense(3, name="head")(inner(inputs)))
    df = profile(outer)
    assert "model/sep" in set(df.layer) or any(name.endswith("/sep") for name in df.layer)
    assert df.params.sum() == outer.count_params()


def test_input_shape_override():
    model = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(4, 3, name="c")])
    df = profile(model, input_shape=(10, 12, 3))
    assert df.loc[0, "output_shape"] == (8, 10, 4)
    assert df.loc[0, "macs"] == 8 * 10 * 4 * 27


@pytest.mark.parametrize("name,expected_g", [("xception", 8.36), ("inception_v3", 5.71),
                                              ("mobilenet", 0.569), ("resnext50", 4.23)])
def test_total_macs_at_default_size(name, expected_g):
    import lessons_lib.models as models

    keras.backend.clear_session()
    kwargs = {"implementation": "grouped"} if name == "resnext50" else {}
    model = getattr(models, name)(**kwargs)
    df = profile(model)
    assert df.macs.sum() / 1e9 == pytest.approx(expected_g, rel=0.005)
    assert df.params.sum() == model.count_params()
    keras.backend.clear_session()


def test_package_level_profile_is_the_profiler():
    import lessons_lib

    model = _zoo()
    assert lessons_lib.profile(model).equals(profile(model))


def test_forward_latency_times_every_model_and_checks_arguments():
    from lessons_lib.bench import forward_latency

    small = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3)])
    times = forward_latency({"a": small, "b": _zoo()}, batch=2, repeats=2)
    assert set(times) == {"a", "b"} and all(t > 0 for t in times.values())
    with pytest.raises(ValueError, match="repeats"):
        forward_latency({"a": small}, repeats=0)
    with pytest.raises(ValueError, match="models"):
        forward_latency({})


def test_traffic_columns_by_hand():
    """Bytes of a Conv2D and a DepthwiseConv2D counted by hand, at float32 (4 bytes)."""
    inputs = keras.Input((16, 16, 8))
    x = layers.Conv2D(16, 3, strides=2, padding="same", name="conv")(inputs)        # 8x8x16
    x = layers.DepthwiseConv2D(3, padding="same", use_bias=False, name="dw")(x)       # 8x8x16
    model = keras.Model(inputs, x)
    df = profile(model, traffic=True).set_index("layer")
    conv_weights = 3 * 3 * 8 * 16 + 16
    conv_bytes = 4 * (16 * 16 * 8 + 8 * 8 * 16 + conv_weights)
    assert df.loc["conv", "input_bytes"] == 4 * 16 * 16 * 8
    assert df.loc["conv", "weight_bytes"] == 4 * conv_weights
    assert df.loc["conv", "bytes"] == conv_bytes == 16_960
    dw_bytes = 4 * (8 * 8 * 16 + 8 * 8 * 16 + 3 * 3 * 16)
    assert df.loc["dw", "bytes"] == dw_bytes == 8_768
    assert df.loc["conv", "macs_per_byte"] == pytest.approx(8 * 8 * 16 * 72 / conv_bytes)
    assert df.loc["dw", "macs_per_byte"] == pytest.approx(8 * 8 * 16 * 9 / dw_bytes)
    # a depthwise layer does far less arithmetic per byte than a standard convolution
    assert df.loc["dw", "macs_per_byte"] < df.loc["conv", "macs_per_byte"] / 3


def test_traffic_counts_every_input_of_a_merge_and_is_off_by_default():
    a, b = keras.Input((4, 4, 3)), keras.Input((4, 4, 5))
    model = keras.Model([a, b], layers.Concatenate(name="cat")([a, b]))
    df = profile(model, traffic=True).set_index("layer")
    assert df.loc["cat", "input_bytes"] == 4 * 4 * 4 * (3 + 5)
    assert df.loc["cat", "macs_per_byte"] == 0
    assert "bytes" not in profile(model).columns
    with pytest.raises(TypeError, match="traffic"):
        profile(model, traffic="yes")
