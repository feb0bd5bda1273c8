"""The live widget panel and the precomputed plotly figures."""

import warnings

import pytest

from lessons_lib import arithmetic as ar
from lessons_lib.figures import cost_share_figure, separable_savings_slider
from lessons_lib.widgets import ConvCostPanel, conv_cost_panel


def test_panel_recomputes_on_every_control():
    panel = conv_cost_panel(kernel_size=3, in_channels=64, out_channels=128, groups=8)
    assert panel.rows[0] == ar.standard_conv(28, 28, 64, 128, 3, use_bias=False)
    assert f"{panel.rows[0].params:,}" in panel.table.value
    panel.kernel_size.value = 5
    assert panel.rows[0] == ar.standard_conv(28, 28, 64, 128, 5, use_bias=False)
    panel.strides.value = 2
    panel.padding.value = "valid"
    assert panel.rows[0].output_shape == ar.conv_output_shape(28, 28, 5, 2, "valid") + (128,)
    panel.depth_multiplier.value = 2
    assert panel.rows[-1] == ar.separable_conv(28, 28, 64, 128, 5, 2, 2, "valid", use_bias=False)
    params_bars, macs_bars = panel.figure.data  # the bar chart was redrawn
    assert list(macs_bars.y) == [row.macs for row in panel.rows]


def test_panel_shows_an_error_instead_of_crashing():
    panel = ConvCostPanel(in_channels=64, out_channels=128, groups=8)
    panel.groups.value = 5
    assert panel.rows == [] and "`groups` must divide in_channels=64" in panel.error
    assert "received groups=5." in panel.error
    assert "Not possible" in panel.table.value and "groups=5" in panel.table.value
    assert panel.figure is None
    panel.feature_map.value = 2
    panel.groups.value = 4
    panel.padding.value = "valid"
    panel.kernel_size.value = 5
    assert "does not fit" in panel.error
    panel.padding.value = "same"
    assert panel.error == "" and panel.rows


def test_slider_figure_steps_hold_precomputed_costs():
    channels, kernels = (16, 64, 256), (1, 3, 5)
    fig = separable_savings_slider(channels=channels, kernel_sizes=kernels, groups=16,
                                   feature_map=28)
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["1x1", "3x3", "5x5"]
    assert fig.layout.sliders[0].active == 1
    for k, step in zip(kernels, steps):
        std, grp, sep = step.args[0]["y"]
        assert list(std) == [ar.standard_conv(28, 28, c, c, k, use_bias=False).macs for c in channels]
        assert list(grp) == [ar.grouped_conv(28, 28, c, c, k, 16, use_bias=False).macs for c in channels]
        assert list(sep) == [ar.separable_conv(28, 28, c, c, k, use_bias=False).macs for c in channels]
    assert list(fig.data[0].y) == list(steps[1].args[0]["y"][0])  # shown = active step
    with pytest.raises(ValueError, match="`groups` must divide .*received groups=16"):
        separable_savings_slider(channels=(8, 16), groups=16)


def test_cost_share_figure_shares_sum_to_100_and_pointwise_grows():
    fig = cost_share_figure(kernel_size=3, channels=(8, 64, 512))
    depthwise, pointwise = fig.data
    for d, p in zip(depthwise.y, pointwise.y):
        assert d + p == pytest.approx(100)
    assert list(pointwise.y) == sorted(pointwise.y)
    assert pointwise.y[1] == pytest.approx(100 * 64 / (64 + 9))


def test_panel_chart_is_set_without_output_capture():
    """The chart goes into the Output widget's state directly: no `with output:` capture,
    which can block nbclient (the book build and nbval) for good."""
    from lessons_lib.chapter import use_book_plotly_renderer

    use_book_plotly_renderer()  # as start_chapter() does in every chapter
    panel = ConvCostPanel(in_channels=64, out_channels=128, groups=8)
    (output,) = panel.chart.outputs
    assert output["output_type"] == "display_data"
    assert "application/vnd.plotly.v1+json" in output["data"] or "text/html" in output["data"]
    panel.groups.value = 5
    assert panel.chart.outputs == ()
    panel.groups.value = 4
    assert len(panel.chart.outputs) == 1


def _widget_tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _widget_tree(child)


@pytest.mark.parametrize("make", ["conv", "factorized"])
def test_panels_use_only_what_this_ipywidgets_has(make):
    """Colab ships ipywidgets 7.7.1, the pinned environment 8: an argument or a style key
    that one of them lacks is only a DeprecationWarning there (the control silently loses
    it). scripts/colab_path_test.sh runs this with 7.7.1, scripts/test.sh with 8."""
    import ipywidgets as W

    from lessons_lib.factorized import factorized_cost_panel

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*unrecognized arguments",
                                category=DeprecationWarning)
        panel = conv_cost_panel() if make == "conv" else factorized_cost_panel()
    widgets = list(_widget_tree(panel.widget))
    sliders = [w for w in widgets if isinstance(w, W.IntSlider)]
    assert sliders and all(s.style.description_width and s.layout.width for s in sliders)
    assert not any(s.continuous_update for s in sliders)
    for widget in widgets:   # the state the front end gets serializes
        assert widget.get_state()["_model_name"] == widget._model_name
