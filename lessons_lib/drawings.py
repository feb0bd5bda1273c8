"""Pictures of the convolutions as blocks of tensors.

* :func:`convolution_blocks_figure` (matplotlib): standard, depthwise and pointwise
  convolution drawn as boxes (input, kernels, output), the picture of the Xception
  notes: a 12x12x3 input, 5x5 kernels, 256 outputs. The costs written under each row
  come from :mod:`lessons_lib.arithmetic`.
* :func:`groups_steps` and :func:`groups_slider` (plotly): which input channels each
  filter reads as ``groups`` goes from 1 to C (standard, grouped, depthwise), ending at
  Xception's "extreme Inception" (depthwise then pointwise). The slider's steps are
  precomputed, so it works in the static book.
"""

from __future__ import annotations

from typing import List

from lessons_lib import arithmetic as ar
from lessons_lib.validation import check_int

#: Colours of the input channels (cycled) and of the layers' outputs.
CHANNEL_COLOURS = ("#e45756", "#54a24b", "#4c78a8", "#f58518", "#b279a2", "#72b7b2",
                   "#eeca3b", "#9d755d")
OUTPUT_COLOUR = "#bab0ac"


# --------------------------------------------------------------------------- matplotlib
def _box(ax, x, y, width, height, depth, colour, label="", fontsize=8):
    """Draw a box in oblique projection: front face ``width x height`` at ``(x, y)``, ``depth``
    going back at 45 degrees (drawn at half length). Returns the right edge of the drawing."""
    from matplotlib.patches import Polygon

    dx = dy = 0.5 * depth
    front = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    top = [(x, y + height), (x + width, y + height), (x + width + dx, y + height + dy),
           (x + dx, y + height + dy)]
    side = [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy),
            (x + width, y + height)]
    for face, shade in ((side, 0.75), (top, 0.9), (front, 1.0)):
        ax.add_patch(Polygon(face, closed=True, facecolor=colour, edgecolor="black",
                             linewidth=0.8, alpha=shade))
    if label:
        ax.text(x + (width + dx) / 2, y - 0.8, label, ha="center", va="top", fontsize=fontsize)
    return x + width + dx


def _stack(ax, x, y, size, channels, colours, label):
    """``channels`` one-channel slices one behind the other (front first), as one box."""
    right = x
    for c in reversed(range(channels)):   # draw the back slice first
        right = max(right, _box(ax, x + 0.5 * c, y + 0.5 * c, size, size, 1,
                                colours[c % len(colours)]))
    ax.text(x + (size + 0.5 * channels) / 2, y - 0.8, label, ha="center", va="top", fontsize=8)
    return right


def convolution_blocks_figure(size: int = 12, in_channels: int = 3, kernel_size: int = 5,
                              filters: int = 256):
    """Standard, depthwise and pointwise convolution as boxes, one row each (``valid`` padding).

    Args:
        size: rows = columns of the input image (pixels).
        in_channels: channels of the input (each drawn as a coloured slice; at most 8).
        kernel_size: the spatial kernel of the standard and depthwise rows.
        filters: output channels of the standard and pointwise rows (drawn as a long box).

    Returns:
        matplotlib Figure with three rows; under each, the weights and MACs for one image
        from :mod:`lessons_lib.arithmetic` (no bias).

    Raises:
        ValueError: if ``in_channels`` is above 8 or the kernel does not fit the input.
    """
    import matplotlib.pyplot as plt

    check_int("in_channels", in_channels, 1, len(CHANNEL_COLOURS))  # more cannot be drawn
    standard = ar.standard_conv(size, size, in_channels, filters, kernel_size,
                                padding="valid", use_bias=False)
    depthwise = ar.depthwise_conv(size, size, in_channels, kernel_size, padding="valid",
                                  use_bias=False)
    out = standard.output_shape[0]
    pointwise = ar.pointwise_conv(out, out, in_channels, filters, use_bias=False)
    colours = CHANNEL_COLOURS
    deep = 10   # drawn depth of the `filters`-channel boxes (too many to draw one by one)

    fig, axes = plt.subplots(3, 1, figsize=(9, 9.5))
    rows = [
        ("Standard convolution: every filter sees all channels", standard),
        ("Depthwise convolution: one filter per channel, no mixing", depthwise),
        ("Pointwise (1x1) convolution: mixes channels, one pixel at a time", pointwise),
    ]
    for ax, (title, cost) in zip(axes, rows):
        ax.set_title(title, fontsize=11, loc="left")
        ax.text(0, -4.2, f"{cost.weights:,} weights, {cost.macs:,} MACs  "
                         f"(output {cost.output_shape[0]}x{cost.output_shape[1]}x"
                         f"{cost.output_shape[2]})", fontsize=9, style="italic")
    # standard: input * (kernel x filters) = output
    ax = axes[0]
    right = _stack(ax, 0, 0, size, in_channels, colours,
                   f"input {size}x{size}x{in_channels}")
    ax.text(right + 1.2, size / 2, "*", fontsize=18, va="center")
    k_right = _stack(ax, right + 3, 3, kernel_size, in_channels, colours,
                     f"kernel {kernel_size}x{kernel_size}x{in_channels}")
    ax.text(k_right + 0.6, 6, f"x {filters}", fontsize=10, va="center")
    ax.text(k_right + 4, size / 2, "=", fontsize=18, va="center")
    _box(ax, k_right + 6.5, 2, out, out, deep, OUTPUT_COLOUR,
         f"output {out}x{out}x{filters}")
    # depthwise: each channel with its own kernel
    ax = axes[1]
    right = _stack(ax, 0, 0, size, in_channels, colours,
                   f"input {size}x{size}x{in_channels}")
    ax.text(right + 1.2, size / 2, "*", fontsize=18, va="center")
    x = right + 3
    for c in range(in_channels):
        x = _box(ax, x, 3, kernel_size, kernel_size, 1, colours[c]) + 0.8
    ax.text((right + 3 + x) / 2, 2.2, f"{in_channels} kernels {kernel_size}x{kernel_size}x1",
            ha="center", va="top", fontsize=8)
    ax.text(x + 1, size / 2, "=", fontsize=18, va="center")
    _stack(ax, x + 3.5, 2, out, in_channels, colours, f"output {out}x{out}x{in_channels}")
    # pointwise: 1x1 kernels across the channels
    ax = axes[2]
    right = _stack(ax, 0, 2, out, in_channels, colours, f"input {out}x{out}x{in_channels}")
    ax.text(right + 1.2, size / 2, "*", fontsize=18, va="center")
    k_right = _stack(ax, right + 3, 5, 1, in_channels, colours, f"kernel 1x1x{in_channels}")
    ax.text(k_right + 0.6, 7, f"x {filters}", fontsize=10, va="center")
    ax.text(k_right + 4, size / 2, "=", fontsize=18, va="center")
    _box(ax, k_right + 6.5, 2, out, out, deep, OUTPUT_COLOUR,
         f"output {out}x{out}x{filters}")
    for ax in axes:
        ax.set_xlim(-1, 52)   # the depthwise row is the widest: three kernels side by side
        ax.set_ylim(-5, size + 6)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- plotly slider
def _divisors(n: int) -> List[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def groups_steps(channels: int = 8, kernel_size: int = 3, feature_map: int = 12) -> List[dict]:
    """The steps of :func:`groups_slider`: one per divisor ``g`` of ``channels``, then
    "extreme Inception" (a depthwise ``k x k`` followed by a pointwise ``1 x 1``).

    Args:
        channels: C, input = output channels (2 to 16, small enough to draw).
        kernel_size: k of the spatial step.
        feature_map: rows = columns of the map (stride 1, ``same`` padding), for the MACs.

    Returns:
        list of dicts with ``label`` (slider text), ``kind``, ``groups`` (None for the last
        step), ``weights`` and ``macs`` (no bias, one image, from :mod:`lessons_lib.arithmetic`),
        ``spatial`` and ``pointwise``: C x C lists (row = output channel, column = input
        channel) holding the group number (1-based) where the output reads the input, else
        None; ``pointwise`` is all None until the last step.

    Raises:
        TypeError, ValueError: for a non-int or out-of-range argument.
    """
    check_int("channels", channels, 2, 16)  # more cannot be drawn
    check_int("kernel_size", kernel_size, 1)
    check_int("feature_map", feature_map, 1)
    empty = [[None] * channels for _ in range(channels)]
    steps = []
    for g in _divisors(channels):
        width = channels // g
        cost = ar.grouped_conv(feature_map, feature_map, channels, channels, kernel_size, g,
                               use_bias=False)
        kind = "standard" if g == 1 else "depthwise" if g == channels else "grouped"
        spatial = [[(o // width) + 1 if o // width == i // width else None
                    for i in range(channels)] for o in range(channels)]
        steps.append(dict(label=f"g={g}", kind=kind, groups=g, weights=cost.weights,
                          macs=cost.macs, spatial=spatial, pointwise=empty))
    depthwise = ar.depthwise_conv(feature_map, feature_map, channels, kernel_size,
                                  use_bias=False)
    pointwise = ar.pointwise_conv(feature_map, feature_map, channels, channels, use_bias=False)
    both = depthwise + pointwise
    steps.append(dict(label="depthwise + 1x1", kind="extreme Inception", groups=None,
                      weights=both.weights, macs=both.macs,
                      spatial=steps[-1]["spatial"],
                      pointwise=[[1] * channels for _ in range(channels)]))
    return steps


def _step_title(step: dict, channels: int, kernel_size: int, standard_macs: int) -> str:
    what = (f"groups={step['groups']}: {step['kind']} {kernel_size}x{kernel_size}"
            if step["groups"] else f"extreme Inception: depthwise {kernel_size}x{kernel_size} "
                                   "then pointwise 1x1")
    return (f"{what}, C={channels}<br>{step['weights']:,} weights, {step['macs']:,} MACs "
            f"({step['macs'] / standard_macs:.1%} of the standard convolution)")


def groups_slider(channels: int = 8, kernel_size: int = 3, feature_map: int = 12):
    """A plotly figure with a slider that moves ``groups`` from 1 to ``channels``, then to
    depthwise + pointwise; the title gives the weights and MACs of each step.

    Left panel: the ``k x k`` step; a coloured cell (row = output channel, column = input
    channel) means that output channel's filter reads that input channel, one colour per
    group. Right panel: the ``1 x 1`` step, present only in the last step. Arguments as in
    :func:`groups_steps`.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    steps = groups_steps(channels, kernel_size, feature_map)
    standard_macs = steps[0]["macs"]
    ticks = list(range(channels))
    n_colours = channels
    scale = [[i / max(n_colours - 1, 1), CHANNEL_COLOURS[i % len(CHANNEL_COLOURS)]]
             for i in range(n_colours)]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=(f"{kernel_size}x{kernel_size} step: which inputs "
                                        "each filter reads", "1x1 step (extreme Inception only)"))
    first = steps[0]
    for col, key in ((1, "spatial"), (2, "pointwise")):
        fig.add_heatmap(z=first[key], x=ticks, y=ticks, zmin=1, zmax=n_colours,
                        colorscale=scale, showscale=False, xgap=2, ygap=2,
                        hovertemplate="output %{y} reads input %{x} (group %{z})<extra></extra>",
                        row=1, col=col)
        fig.update_xaxes(title_text="input channel", tickvals=ticks, range=[-0.5, channels - 0.5],
                         row=1, col=col)
        fig.update_yaxes(title_text="output channel", tickvals=ticks, autorange="reversed",
                         scaleanchor=f"x{'' if col == 1 else col}", row=1, col=col)
    slider_steps = [dict(method="update", label=s["label"],
                         args=[{"z": [s["spatial"], s["pointwise"]]},
                               {"title.text": _step_title(s, channels, kernel_size,
                                                          standard_macs)}])
                    for s in steps]
    fig.update_layout(
        title=_step_title(first, channels, kernel_size, standard_macs), height=470,
        margin=dict(t=110), sliders=[dict(active=0, steps=slider_steps, pad=dict(t=60),
                                          currentvalue=dict(prefix="step: "))])
    return fig
