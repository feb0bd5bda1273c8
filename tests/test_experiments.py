"""lessons_lib.experiments: the small networks of the residual, mini-Xception, equal-budget and
roofline experiments build as documented and reject bad arguments."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib import experiments as ex  # noqa: E402
from lessons_lib.profiler import profile  # noqa: E402


def test_deep_stacks_plain_and_residual():
    plain = ex.deep_stack(6, residual=False, width=4, input_shape=(8, 8, 3))
    residual = ex.deep_stack(6, residual=True, width=4, input_shape=(8, 8, 3))
    count = lambda m: sum(isinstance(l, keras.layers.Conv2D) for l in m.layers)  # noqa: E731
    assert count(plain) == count(residual) == 7          # conv0 + 6
    assert sum(isinstance(l, keras.layers.Add) for l in residual.layers) == 3
    assert plain.count_params() == residual.count_params()
    # zero-initialised branches: at the start every residual block is the identity
    assert not np.any(residual.get_layer("conv2").get_weights()[0])
    x = np.random.default_rng(0).random((4, 8, 8, 3), dtype="float32")
    norms = ex.conv_gradient_norms(residual, x, np.array([0, 1, 2, 3]))
    assert list(norms)[0] == "conv0" and len(norms) == 7 and norms["conv0"] > 0
    with pytest.raises(ValueError, match="`depth` must be an even integer >= 2.*received depth=5"):
        ex.deep_stack(5, residual=True)
    with pytest.raises(ValueError, match="`width` must be an integer >= 1; received width=0"):
        ex.deep_stack(4, residual=True, width=0)
    with pytest.raises(TypeError, match="`depth` must be an integer"):
        ex.deep_stack(4.0, residual=True)


def test_mini_xception_flows():
    model = ex.mini_xception((64, 64, 3), classes=4)
    assert model.output_shape == (None, 4)
    kinds = [type(l).__name__ for l in model.layers]
    assert kinds.count("SeparableConv2D") == 2 * 2 + 3 * 2 + 2 + 1
    assert kinds.count("Add") == 2 + 2 + 1
    assert model.get_layer("block5_add").output.shape[1:] == (8, 8, 64)     # middle flow: 64 / 8
    assert model.get_layer("block6_add").output.shape[1:] == (4, 4, 128)    # exit block: 64 / 16
    with pytest.raises(ValueError, match="`widths` must hold at least two"):
        ex.mini_xception(widths=(32,))
    with pytest.raises(ValueError, match=r"`widths\[1\]` must be an integer >= 2"):
        ex.mini_xception(widths=(32, 1))
    with pytest.raises(ValueError, match="`classes` must be an integer >= 2; received classes=1"):
        ex.mini_xception(classes=1)


def test_budget_nets_match_one_budget():
    budget = int(profile(ex.budget_net("standard", 16)).macs.sum())
    for kind in ex.BUDGET_KINDS:
        width = ex.width_for_budget(kind, budget)
        macs = profile(ex.budget_net(kind, width)).macs.sum()
        assert abs(macs / budget - 1) < 0.1, (kind, width, macs)
        if kind == "grouped":
            assert width % ex.BUDGET_GROUPS == 0
    assert ex.width_for_budget("separable", budget) > 16   # cheap layers get wider
    zero = ex.budget_net("separable", 8, kernel_initializer="zeros")
    assert not any(w.any() for w in zero.get_layer("stage1").get_weights())
    assert ex.budget_net("separable", 8).get_layer("stage1").get_weights()[0].any()
    with pytest.raises(ValueError, match="`kind` must be one of .*received kind='dilated'"):
        ex.budget_net("dilated", 16)
    with pytest.raises(ValueError, match="`width` must be a multiple of 4 .*received width=10"):
        ex.budget_net("grouped", 10)
    with pytest.raises(ValueError, match="max_width=64; received macs=1,000,000,000,000"):
        ex.width_for_budget("standard", 10**12, max_width=64)
    with pytest.raises(TypeError, match="`macs` must be an integer"):
        ex.width_for_budget("standard", "1000")
    assert ex.width_for_budget("standard", np.int64(budget)) == 16     # NumPy ints are ints


def test_roofline_layers():
    for kind in sorted({k for k, _s, _c in ex.ROOFLINE_LAYERS}):
        model = ex.roofline_layer(kind, 14, 64)
        row = profile(model, traffic=True).iloc[0]
        assert row.macs > 0 and row.bytes > 0
    dw = profile(ex.roofline_layer("depthwise 3x3", 14, 64), traffic=True).iloc[0]
    conv = profile(ex.roofline_layer("3x3 conv", 14, 64), traffic=True).iloc[0]
    assert dw.macs_per_byte < 2 < conv.macs_per_byte
    with pytest.raises(ValueError, match="`kind` must be one of .*received kind='5x5 conv'"):
        ex.roofline_layer("5x5 conv", 14, 64)


def test_roof_models_work_per_call():
    probes = ex.roof_models(matmul_side=16, matvec_side=32)
    assert list(probes) == [name for name, _what in ex.ROOF_PROBES]
    matmul, macs, nbytes = probes["matmul"]
    assert macs == 16 ** 3 and nbytes == 4 * 3 * 16 * 16
    assert matmul.output_shape == (None, 16, 16)
    matvec, macs, nbytes = probes["matvec"]
    assert macs == 32 * 32 == profile(matvec).macs.sum() and nbytes == 4 * (32 * 32 + 64)
    x = np.ones((1, 8), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(probes["empty"][0](x)), 0.5 * x)
    with pytest.raises(ValueError, match="`matvec_side` must be an integer >= 8"):
        ex.roof_models(matvec_side=0)
