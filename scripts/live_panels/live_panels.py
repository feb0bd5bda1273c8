"""What the book's live panels run in the reader's browser (Pyodide); plain CPython in the tests.

No formula lives here: every number comes from the book's own ``lessons_lib.arithmetic`` and
``lessons_lib.factorized_arithmetic``. This module only turns the form's text into arguments,
calls them, and formats the result for `live-panel.js`.

`scripts/offline_assets.py` bakes this module and those two (with ``lessons_lib/__init__.py``)
into a Pyodide memory snapshot at build time (`make_snapshot.mjs`); `live-panel.js` calls
:func:`update`.
"""

from __future__ import annotations

import json
import re

from lessons_lib import arithmetic as ar
from lessons_lib.factorized_arithmetic import factorized_costs


def conv_cost(kernel_size, in_channels, out_channels, groups, stride, input_size, padding):
    """Rows of the convolution-arithmetic panel: ``ar.compare_convolutions`` on a square
    ``input_size x input_size`` input (pixels), depth multiplier 1, no bias (as the papers
    count, and as the chapter's ipywidgets panel shows). A grouped row only when ``groups > 1``.
    """
    return ar.compare_convolutions(input_size, input_size, in_channels, out_channels,
                                   kernel_size, groups, 1, stride, padding, use_bias=False)


def factorized_cost(kernel_size, channels, input_size):
    """Rows of the factorized-cost panel: ``factorized_costs`` (k x k, 1 x k + k x 1, stacked
    3x3; no bias) on a square ``input_size x input_size`` map (pixels)."""
    return factorized_costs(kernel_size, channels, input_size)


# panel name -> (function, {argument named at the start of lessons_lib's error: form field})
PANELS = {
    "conv-cost": (conv_cost, {
        "kernel_size": "kernel_size", "in_channels": "in_channels",
        "out_channels": "out_channels", "groups": "groups", "strides": "stride",
        "height": "input_size", "width": "input_size", "padding": "padding"}),
    "factorized-cost": (factorized_cost, {
        "kernel_size": "kernel_size", "in_channels": "channels", "out_channels": "channels",
        "height": "input_size", "width": "input_size"}),
}


def argument(text: str):
    """A form field's text as an argument: an int when it is one ("12", "-3"), else the text
    itself, so that lessons_lib's own checks reject it with their own message."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {text!r} of type {type(text).__name__}")
    stripped = text.strip()
    return int(stripped) if re.fullmatch(r"[+-]?\d+", stripped) else text


def compute(panel: str, values: dict) -> dict:
    """Call the panel's function with the form's ``values`` ({field: text}).

    Returns ``{"rows": [...]}`` (name, output shape, params and MACs with thousands
    separators, MACs as a share of the first row, and each bar's length as a fraction of the
    largest) or, for a setting lessons_lib rejects, ``{"error": its message, "field": the
    form field the message is about (or None)}``.
    """
    if panel not in PANELS:
        raise ValueError(f"panel must be one of {sorted(PANELS)}, got {panel!r}")
    function, fields = PANELS[panel]
    try:
        rows = function(**{name: argument(text) for name, text in values.items()})
    except (TypeError, ValueError) as err:
        first = re.match(r"`?(\w+)", str(err))  # the argument the message names first
        return {"error": str(err), "field": fields.get(first.group(1)) if first else None}
    most_params = max(r.params for r in rows) or 1
    most_macs = max(r.macs for r in rows) or 1
    return {"rows": [{"name": r.name,
                      "output_shape": "({}, {}, {})".format(*r.output_shape),
                      "params": f"{r.params:,}",
                      "macs": f"{r.macs:,}",
                      "share": f"{r.macs / rows[0].macs:.1%}",
                      "params_bar": r.params / most_params,
                      "macs_bar": r.macs / most_macs} for r in rows]}


def update(panel: str, values_json: str) -> str:
    """:func:`compute` with JSON in and out (what `live-panel.js` calls)."""
    return json.dumps(compute(panel, json.loads(values_json)))
