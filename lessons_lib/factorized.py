"""Factorized convolutions (InceptionV3): receptive fields, low-rank kernels, costs.

Pure NumPy and plotly (ipywidgets only for the live panel); no TensorFlow.

* :func:`receptive_field_map` counts, for one output pixel of a chain of
  stride-1 convolutions, how many paths lead back to each input pixel: the
  non-zero pixels are the receptive field, the counts show how unevenly the
  chain weighs them.
* :func:`rank_approximation`, :func:`separable_factors` and :func:`rank_errors`
  use the SVD to write a ``k x k`` kernel as a sum of rank-1 (``k x 1`` times
  ``1 x k``) kernels, which is exactly what a ``1 x k`` then ``k x 1`` pair can hold.
* :func:`factorized_costs`, :func:`factorized_cost_slider` and
  :func:`factorized_cost_panel` compare a ``k x k`` convolution with its
  ``1 x k + k x 1`` factorization and with a stack of 3x3 convolutions of the
  same receptive field, using :mod:`lessons_lib.arithmetic`; :func:`factorized_costs` lives in
  the pure-Python :mod:`lessons_lib.factorized_arithmetic` (the book's live panel runs it).
"""

from __future__ import annotations

import html
from typing import Sequence, Tuple

import numpy as np
import plotly.graph_objects as go

from lessons_lib import arithmetic as ar
from lessons_lib.factorized_arithmetic import factorized_costs  # pure Python (live panel)
from lessons_lib.validation import check_choice, check_int

__all__ = [
    "receptive_field_map",
    "rank_approximation",
    "separable_factors",
    "rank_errors",
    "factorized_costs",
    "factorized_cost_slider",
    "FactorizedCostPanel",
    "factorized_cost_panel",
]

COLOURS = {"standard": "#4c72b0", "factorized": "#dd8452", "stacked": "#55a868"}


def _kernel_pair(value) -> Tuple[int, int]:
    kh, kw = ar._check_pair("kernel_sizes", value)
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError("`kernel_sizes` entries must be odd (centred windows); received the "
                         f"entry {value!r}.")
    return kh, kw


def receptive_field_map(kernel_sizes: Sequence, size: int | None = None) -> np.ndarray:
    """Paths from each input pixel to the centre output pixel of a conv chain.

    Args:
        kernel_sizes: the chain's kernels in order, each an odd int or an odd
            ``(rows, cols)`` pair, e.g. ``[(1, 7), (7, 1)]``; stride 1 throughout.
        size: side of the square input map (odd); default: the receptive field
            plus a one-pixel border.

    Returns:
        int64 array ``(size, size)``: entry ``[i, j]`` is the number of paths
        through the chain from input pixel ``(i, j)`` to the output pixel at the
        centre. Non-zero entries form the receptive field; for one ``k x k``
        conv, or for ``1 x k`` then ``k x 1``, every entry inside is 1; for two
        3x3 convs the centre has 9 paths and a corner 1. The sum is the product
        of the kernel areas.
    """
    pairs = [_kernel_pair(k) for k in kernel_sizes]
    if not pairs:
        raise ValueError("`kernel_sizes` must name at least one kernel; received "
                         f"kernel_sizes={kernel_sizes!r}.")
    rf_rows = 1 + sum(kh - 1 for kh, _ in pairs)
    rf_cols = 1 + sum(kw - 1 for _, kw in pairs)
    if size is None:
        size = max(rf_rows, rf_cols) + 2
    size = check_int("size", size, 1)
    if size % 2 == 0 or size < max(rf_rows, rf_cols):
        raise ValueError(f"`size` must be odd and at least the receptive field "
                         f"({max(rf_rows, rf_cols)}); received size={size}.")
    paths = np.zeros((size, size), dtype=np.int64)
    paths[size // 2, size // 2] = 1
    for kh, kw in reversed(pairs):  # walk back from the output to the input
        padded = np.pad(paths, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
        paths = sum(padded[di:di + size, dj:dj + size]
                    for di in range(kh) for dj in range(kw))
    return paths


def _check_kernel(kernel) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2:
        raise ValueError(f"`kernel` must be a 2-D array (rows, cols); received an array of "
                         f"shape {k.shape}.")
    return k


def rank_approximation(kernel, rank: int) -> np.ndarray:
    """Best rank-``rank`` approximation (least squares) of a 2-D kernel, from its SVD.

    Args:
        kernel: array ``(kh, kw)``.
        rank: number of singular values kept, ``1 <= rank <= min(kh, kw)``.

    Returns:
        float64 array ``(kh, kw)``: the sum of the ``rank`` largest rank-1 terms
        ``s_i * u_i v_i^T``; each term is what one ``kh x 1`` / ``1 x kw`` pair holds.
    """
    k = _check_kernel(kernel)
    r = check_int("rank", rank, 1, min(k.shape))  # at most min(kernel.shape)
    u, s, vt = np.linalg.svd(k)
    return (u[:, :r] * s[:r]) @ vt[:r]


def separable_factors(kernel) -> Tuple[np.ndarray, np.ndarray]:
    """The best rank-1 factors of a kernel: ``column (kh,)`` and ``row (kw,)``.

    ``np.outer(column, row)`` equals ``rank_approximation(kernel, 1)``; for a
    separable (rank-1) kernel it equals the kernel. In Keras, ``row`` is the
    kernel of ``Conv2D(1, (1, kw))`` (shape ``(1, kw, 1, 1)``) and ``column`` that
    of ``Conv2D(1, (kh, 1))`` (shape ``(kh, 1, 1, 1)``). Both factors carry
    ``sqrt`` of the largest singular value.
    """
    k = _check_kernel(kernel)
    u, s, vt = np.linalg.svd(k)
    scale = np.sqrt(s[0])
    return u[:, 0] * scale, vt[0] * scale


def rank_errors(kernel) -> np.ndarray:
    """Relative error ``||K - K_r||_F / ||K||_F`` of the best rank-r kernel, r = 1..min(kh, kw).

    Returns:
        float64 array ``(min(kh, kw),)``, non-increasing, last entry 0 (up to round-off).
    """
    k = _check_kernel(kernel)
    s = np.linalg.svd(k, compute_uv=False)
    total = np.sqrt(np.sum(s ** 2))
    if total == 0:
        raise ValueError("kernel is all zeros: its relative error is undefined")
    tails = np.sqrt(np.cumsum((s ** 2)[::-1])[::-1])  # tails[r] = error of rank r
    return np.append(tails[1:], 0.0) / total


def factorized_cost_slider(kernel_sizes: Sequence[int] = (3, 5, 7, 9, 11),
                           channels: Sequence[int] = (16, 32, 64, 128, 192, 256, 512),
                           feature_map: int = 17, metric: str = "macs") -> go.Figure:
    """Cost of ``k x k`` vs ``1 x k + k x 1`` vs stacked 3x3 against channels, with a
    precomputed kernel-size slider (works in the static HTML page).

    Args:
        kernel_sizes: odd sizes >= 3, one slider step each.
        channels: x values (input = output channels); log axis.
        feature_map: side of the square feature map for the MACs.
        metric: ``"macs"`` or ``"params"`` (no bias).

    Returns:
        plotly Figure with three traces; hover shows the share of the standard cost.
    """
    check_choice("metric", metric, ("macs", "params"))
    names = ("standard k x k", "1 x k + k x 1", "stacked 3x3")
    keys = ("standard", "factorized", "stacked")

    def series(k):
        rows = [factorized_costs(k, c, feature_map) for c in channels]
        return [[getattr(r[i], metric) for r in rows] for i in range(3)]

    data = {k: series(k) for k in kernel_sizes}
    active = list(kernel_sizes).index(7) if 7 in kernel_sizes else 0
    first = data[kernel_sizes[active]]
    fig = go.Figure()
    for i, (name, key) in enumerate(zip(names, keys)):
        fig.add_scatter(x=list(channels), y=first[i], name=name, mode="lines+markers",
                        line=dict(color=COLOURS[key]),
                        customdata=[f"{v / s:.1%}" for v, s in zip(first[i], first[0])],
                        hovertemplate=f"C=%{{x}}: %{{y:,}} {metric} "
                                      f"(%{{customdata}} of k x k)<extra>{name}</extra>")
    steps = []
    for k in kernel_sizes:
        traces = data[k]
        ratios = [[f"{v / s:.1%}" for v, s in zip(t, traces[0])] for t in traces]
        steps.append(dict(method="restyle", label=f"{k}x{k}",
                          args=[{"y": traces, "customdata": ratios}]))
    unit = ("MACs per image on a " f"{feature_map}x{feature_map} map" if metric == "macs"
            else "parameters (no bias)")
    fig.update_layout(
        sliders=[dict(active=active, currentvalue=dict(prefix="receptive field: "),
                      steps=steps, pad=dict(t=50))],
        xaxis=dict(title="channels C (in = out)", type="log"),
        yaxis=dict(title=unit, type="log"),
        title="Same receptive field, three costs: move the slider to change k",
        height=480,
    )
    return fig


class FactorizedCostPanel:
    """Live panel (needs a kernel): sliders for k, channels and map size; a table and a chart.

    Every change recomputes :func:`factorized_costs`. In the static book it
    shows its initial state only; :func:`factorized_cost_slider` is the
    precomputed counterpart.
    """

    def __init__(self, kernel_size: int = 7, channels: int = 192, feature_map: int = 17):
        import ipywidgets as W

        style = {"description_width": "150px"}
        layout = W.Layout(width="420px")
        self.kernel_size = W.IntSlider(value=kernel_size, min=3, max=11, step=2,
                                       description="kernel size k", style=style,
                                       layout=layout, continuous_update=False)
        self.channels = W.IntSlider(value=channels, min=1, max=1024, description="channels C",
                                    style=style, layout=layout, continuous_update=False)
        self.feature_map = W.IntSlider(value=feature_map, min=1, max=224,
                                       description="feature map (HxW)", style=style,
                                       layout=layout, continuous_update=False)
        self.table = W.HTML()
        self.chart = W.Output()
        for control in (self.kernel_size, self.channels, self.feature_map):
            control.observe(lambda _change: self.update(), names="value")
        self.widget = W.VBox([self.kernel_size, self.channels, self.feature_map,
                              self.table, self.chart])
        self.rows = []
        self.figure = None
        self.update()

    def update(self) -> None:
        """Recompute the rows, the HTML table and the bar chart."""
        from lessons_lib.figures import cost_bar_figure
        from lessons_lib.widgets import show_in_output

        self.rows = factorized_costs(self.kernel_size.value, self.channels.value,
                                     self.feature_map.value)
        standard = self.rows[0]
        cells = "".join(
            f"<tr><td>{html.escape(r.name)}</td>"
            f"<td style='text-align:right'>{r.params:,}</td>"
            f"<td style='text-align:right'>{r.macs:,}</td>"
            f"<td style='text-align:right'>{r.macs / standard.macs:.1%}</td></tr>"
            for r in self.rows)
        self.table.value = ("<table><tr><th>layers</th><th>params</th><th>MACs</th>"
                            f"<th>vs k x k</th></tr>{cells}</table>")
        self.figure = cost_bar_figure(self.rows, title="Same receptive field (no bias)")
        show_in_output(self.chart, self.figure)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def factorized_cost_panel(**kwargs) -> FactorizedCostPanel:
    """Build a :class:`FactorizedCostPanel` (keyword arguments are its initial values)."""
    return FactorizedCostPanel(**kwargs)
