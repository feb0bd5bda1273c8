"""lessons_lib.factorized: receptive fields, low-rank kernels, cost figures and panel."""

import numpy as np
import pytest

from lessons_lib import arithmetic as ar
from lessons_lib import factorized as fz


def test_receptive_field_of_full_and_factorized_7x7_is_the_same_square():
    full = fz.receptive_field_map([7], size=9)
    factored = fz.receptive_field_map([(1, 7), (7, 1)], size=9)
    assert full.shape == (9, 9)
    np.testing.assert_array_equal(full, factored)
    assert full[1:8, 1:8].min() == 1 and full.sum() == 49


def test_stacked_3x3_covers_5x5_with_a_peak_in_the_middle():
    paths = fz.receptive_field_map([3, 3])
    assert paths.shape == (7, 7)
    assert (paths > 0).sum() == 25 and paths.sum() == 81
    assert paths[3, 3] == 9 and paths[1, 1] == 1
    three = fz.receptive_field_map([3, 3, 3])
    assert (three > 0).sum() == 49


def test_receptive_field_rejects_bad_arguments():
    with pytest.raises(ValueError, match="odd"):
        fz.receptive_field_map([4])
    with pytest.raises(ValueError, match="at least"):
        fz.receptive_field_map([7], size=5)
    with pytest.raises(ValueError, match="at least one"):
        fz.receptive_field_map([])


def test_rank_one_kernel_is_recovered_exactly():
    rng = np.random.default_rng(0)
    col, row = rng.normal(size=7), rng.normal(size=7)
    kernel = np.outer(col, row)
    c, r = fz.separable_factors(kernel)
    np.testing.assert_allclose(np.outer(c, r), kernel, atol=1e-12)
    np.testing.assert_allclose(fz.rank_approximation(kernel, 1), kernel, atol=1e-12)
    assert fz.rank_errors(kernel)[0] < 1e-12


def test_rank_errors_decrease_to_zero_for_a_random_kernel():
    kernel = np.random.default_rng(1).normal(size=(7, 7))
    errors = fz.rank_errors(kernel)
    assert errors.shape == (7,)
    assert np.all(np.diff(errors) <= 1e-12) and errors[0] > 0.3 and errors[-1] == 0
    for r in range(1, 8):
        approx = fz.rank_approximation(kernel, r)
        rel = np.linalg.norm(kernel - approx) / np.linalg.norm(kernel)
        assert rel == pytest.approx(errors[r - 1], abs=1e-9)
    with pytest.raises(ValueError, match=r"`rank` must be an integer in \[1, 7\]; received rank=8"):
        fz.rank_approximation(kernel, 8)
    with pytest.raises(ValueError, match="2-D"):
        fz.rank_errors(np.ones(3))


def test_factorized_costs_match_the_paper_ratios():
    std, fac, stacked = fz.factorized_costs(7, 192)
    assert fac.macs / std.macs == pytest.approx(2 / 7)
    assert stacked.name == "3 x 3x3" and stacked.macs / std.macs == pytest.approx(27 / 49)
    std5, fac5, st5 = fz.factorized_costs(5, 64, feature_map=35)
    assert st5.params / std5.params == pytest.approx(18 / 25)
    assert std5 == ar.standard_conv(35, 35, 64, 64, 5, use_bias=False)
    with pytest.raises(ValueError, match="odd"):
        fz.factorized_costs(4, 8)


def test_slider_figure_has_one_precomputed_step_per_kernel_size():
    fig = fz.factorized_cost_slider(kernel_sizes=(3, 5, 7), channels=(16, 32))
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["3x3", "5x5", "7x7"]
    assert fig.layout.sliders[0].active == 2
    assert len(fig.data) == 3
    y7 = steps[2].args[0]["y"]
    assert y7[1][0] / y7[0][0] == pytest.approx(2 / 7)
    params = fz.factorized_cost_slider(kernel_sizes=(3,), channels=(16,), metric="params")
    assert params.data[0].y[0] == 9 * 16 * 16
    with pytest.raises(ValueError, match="metric"):
        fz.factorized_cost_slider(metric="flops")


def test_panel_recomputes_on_change():
    panel = fz.factorized_cost_panel(kernel_size=7, channels=64, feature_map=17)
    assert "28.6%" in panel.table.value
    panel.kernel_size.value = 3
    assert panel.rows[0].name == "standard 3x3" and "66.7%" in panel.table.value
    assert panel.figure is not None
