"""Plotly figures for the arithmetic chapters.

Figures with sliders are *precomputed*: every slider step carries its data, so
they stay interactive in the static HTML book, where no Python runs.
"""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from lessons_lib import arithmetic as ar
from lessons_lib.validation import check_int

COLOURS = {
    "standard": "#4c72b0",
    "grouped": "#dd8452",
    "depthwise": "#55a868",
    "pointwise": "#c44e52",
    "separable": "#8172b3",
}


def cost_bar_figure(costs: Sequence[ar.ConvCost], title: str = "") -> go.Figure:
    """Two bar panels (parameters, MACs) for a list of :class:`ConvCost` rows."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("parameters", "MACs per image"))
    names = [c.name for c in costs]
    colours = [COLOURS.get(c.name.split()[0], "#777777") for c in costs]
    fig.add_bar(x=names, y=[c.params for c in costs], marker_color=colours,
                showlegend=False, row=1, col=1,
                hovertemplate="%{x}<br>%{y:,} parameters<extra></extra>")
    fig.add_bar(x=names, y=[c.macs for c in costs], marker_color=colours,
                showlegend=False, row=1, col=2,
                hovertemplate="%{x}<br>%{y:,} MACs<extra></extra>")
    fig.update_yaxes(type="log")
    fig.update_layout(title=title, height=380, margin=dict(t=70, b=40))
    return fig


def cost_share_figure(kernel_size: int = 3, channels: Sequence[int] = (8, 16, 32, 64, 128,
                                                                       256, 512, 1024),
                      feature_map: int = 14) -> go.Figure:
    """Where a separable convolution's MACs go as the channel count grows.

    For ``C`` input and ``C`` output channels on a ``feature_map`` square map,
    the depthwise step costs ``k*k*C`` per pixel and the pointwise step ``C*C``:
    the pointwise share ``C / (C + k*k)`` approaches 100 %.
    """
    depthwise_share, pointwise_share = [], []
    for c in channels:
        dw = ar.depthwise_conv(feature_map, feature_map, c, kernel_size, use_bias=False)
        pw = ar.pointwise_conv(feature_map, feature_map, c, c, use_bias=False)
        total = dw.macs + pw.macs
        depthwise_share.append(100 * dw.macs / total)
        pointwise_share.append(100 * pw.macs / total)
    fig = go.Figure()
    fig.add_bar(x=[str(c) for c in channels], y=depthwise_share, name="depthwise (k x k)",
                marker_color=COLOURS["depthwise"],
                hovertemplate="C=%{x}: %{y:.1f}% of MACs<extra>depthwise</extra>")
    fig.add_bar(x=[str(c) for c in channels], y=pointwise_share, name="pointwise (1 x 1)",
                marker_color=COLOURS["pointwise"],
                hovertemplate="C=%{x}: %{y:.1f}% of MACs<extra>pointwise</extra>")
    fig.update_layout(barmode="stack", height=380,
                      title=f"Share of a separable {kernel_size}x{kernel_size} convolution's "
                            "MACs (C channels in and out)",
                      xaxis_title="channels C", yaxis_title="% of MACs")
    return fig


def separable_savings_slider(channels: Sequence[int] = (16, 32, 64, 128, 256, 512, 1024),
                             kernel_sizes: Sequence[int] = (1, 3, 5, 7, 9),
                             groups: int = 16, feature_map: int = 28) -> go.Figure:
    """MACs of standard, grouped and separable convolution against channels, with a
    kernel-size slider that works in the static page.

    Each slider step restyles the three traces with precomputed values; hover
    shows the cost relative to the standard convolution.
    """
    check_int("groups", groups, 1)
    for c in channels:
        ar._check_divides("groups", groups, "every channel count", c)

    def series(k):
        std = [ar.standard_conv(feature_map, feature_map, c, c, k, use_bias=False).macs
               for c in channels]
        grp = [ar.grouped_conv(feature_map, feature_map, c, c, k, groups, use_bias=False).macs
               for c in channels]
        sep = [ar.separable_conv(feature_map, feature_map, c, c, k, use_bias=False).macs
               for c in channels]
        return std, grp, sep

    names = ("standard", f"grouped (g={groups})", "separable")
    keys = ("standard", "grouped", "separable")
    data = {k: series(k) for k in kernel_sizes}
    active = list(kernel_sizes).index(3) if 3 in kernel_sizes else 0
    first = data[kernel_sizes[active]]
    fig = go.Figure()
    for i, (name, key) in enumerate(zip(names, keys)):
        fig.add_scatter(x=list(channels), y=first[i], name=name, mode="lines+markers",
                        line=dict(color=COLOURS[key]),
                        customdata=[f"{v / s:.1%}" for v, s in zip(first[i], first[0])],
                        hovertemplate="C=%{x}: %{y:,} MACs (%{customdata} of standard)"
                                      f"<extra>{name}</extra>")
    steps = []
    for k in kernel_sizes:
        std, grp, sep = data[k]
        ratios = [[f"{v / s:.1%}" for v, s in zip(trace, std)] for trace in (std, grp, sep)]
        steps.append(dict(method="restyle", label=f"{k}x{k}",
                          args=[{"y": [std, grp, sep], "customdata": ratios}]))
    fig.update_layout(
        sliders=[dict(active=active, currentvalue=dict(prefix="kernel size: "), steps=steps,
                      pad=dict(t=50))],
        xaxis=dict(title="channels C (in = out)", type="log"),
        yaxis=dict(title=f"MACs per image on a {feature_map}x{feature_map} map", type="log"),
        title="Cost against channels: move the slider to change the kernel size",
        height=480,
    )
    return fig
