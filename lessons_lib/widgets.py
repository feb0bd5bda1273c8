"""ipywidgets panels: live controls that need a running kernel (Jupyter, Colab).

In the static HTML book a panel shows its initial state only (widget callbacks
cannot run without Python); the chapters pair each panel with a precomputed
plotly slider figure from :mod:`lessons_lib.figures` that stays interactive there.
"""

from __future__ import annotations

import html

import ipywidgets as W

from lessons_lib import arithmetic as ar
from lessons_lib.figures import cost_bar_figure


def show_in_output(output: W.Output, figure=None) -> None:
    """Replace what ``output`` shows with ``figure`` (or nothing if ``figure`` is None).

    This sets the Output widget's ``outputs`` state directly instead of
    capturing with ``with output:``. Capturing makes the notebook executor (nbclient, used by the book build and
    nbval) intercept the kernel's messages and answer with widget updates, and
    that exchange can block the execution for good (jupyter/nbclient#312); the
    direct way involves no capture and shows the same figure in Jupyter and Colab.

    The figure's own mime bundle (``_repr_mimebundle_``: the plotly JSON and the
    HTML of the renderer that ``start_chapter`` chose) becomes the one output;
    IPython's ``append_display_data`` cannot be used, because a plotly figure
    displays itself (``_ipython_display_``) into the cell instead of the widget.
    """
    if figure is None:
        output.outputs = ()
        return
    output.outputs = ({"output_type": "display_data", "data": figure._repr_mimebundle_(),
                       "metadata": {}},)


class ConvCostPanel:
    """Sliders for a convolution's shape, a table of costs and a bar chart.

    Controls: kernel size, input and output channels, groups, depth multiplier,
    feature-map size, stride and padding. Every change recomputes the rows of
    :func:`lessons_lib.arithmetic.compare_convolutions`. An impossible setting
    (say, groups that do not divide the channels) shows the error message in
    the panel instead of raising.

    Use ``ConvCostPanel().widget`` in a notebook cell (or ``display(panel)``).
    """

    def __init__(self, kernel_size: int = 3, in_channels: int = 64, out_channels: int = 128,
                 groups: int = 8, depth_multiplier: int = 1, feature_map: int = 28):
        style = {"description_width": "150px"}
        layout = W.Layout(width="420px")

        def slider(description, value, lo, hi, step=1):
            return W.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                               style=style, layout=layout, continuous_update=False)

        self.kernel_size = slider("kernel size k", kernel_size, 1, 11)
        self.in_channels = slider("input channels", in_channels, 1, 1024)
        self.out_channels = slider("output channels", out_channels, 1, 1024)
        self.groups = slider("groups", groups, 1, 64)
        self.depth_multiplier = slider("depth multiplier", depth_multiplier, 1, 8)
        self.feature_map = slider("feature map (HxW)", feature_map, 1, 224)
        self.strides = W.ToggleButtons(options=[1, 2], value=1, description="stride",
                                       style=style)
        self.padding = W.ToggleButtons(options=["same", "valid"], value="same",
                                       description="padding", style=style)
        self.table = W.HTML()
        self.chart = W.Output()
        self.controls = [self.kernel_size, self.in_channels, self.out_channels, self.groups,
                         self.depth_multiplier, self.feature_map, self.strides, self.padding]
        for control in self.controls:
            control.observe(self._on_change, names="value")
        self.widget = W.VBox([W.HBox([W.VBox(self.controls[:4]), W.VBox(self.controls[4:])]),
                              self.table, self.chart])
        self.rows = []
        self.figure = None   # the plotly figure last drawn in ``chart``
        self.error = ""
        self.update()

    def _on_change(self, _change=None) -> None:
        self.update()

    def update(self) -> None:
        """Recompute the table and the chart from the current control values."""
        try:
            self.rows = ar.compare_convolutions(
                self.feature_map.value, self.feature_map.value, self.in_channels.value,
                self.out_channels.value, self.kernel_size.value, self.groups.value,
                self.depth_multiplier.value, self.strides.value, self.padding.value,
                use_bias=False)
            self.error = ""
        except (ValueError, TypeError) as err:
            self.rows = []
            self.error = str(err)
            self.table.value = (f'<p style="color:#b00020"><strong>Not possible:</strong> '
                                f"{html.escape(self.error)}</p>")
            self.figure = None
            show_in_output(self.chart)
            return
        self.table.value = self._table_html()
        self.figure = cost_bar_figure(self.rows, title="Cost of each way (no bias)")
        show_in_output(self.chart, self.figure)

    def _table_html(self) -> str:
        standard = self.rows[0]
        cells = []
        for row in self.rows:
            ratio = row.macs / standard.macs
            cells.append(f"<tr><td>{html.escape(row.name)}</td><td>{row.output_shape}</td>"
                         f"<td style='text-align:right'>{row.params:,}</td>"
                         f"<td style='text-align:right'>{row.macs:,}</td>"
                         f"<td style='text-align:right'>{ratio:.1%}</td></tr>")
        head = ("<tr><th>layer</th><th>output (H, W, C)</th><th>params</th>"
                "<th>MACs</th><th>MACs vs standard</th></tr>")
        return f"<table>{head}{''.join(cells)}</table>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def conv_cost_panel(**kwargs) -> ConvCostPanel:
    """Build a :class:`ConvCostPanel` (keyword arguments are its initial values)."""
    return ConvCostPanel(**kwargs)
