"""Put a formula from :mod:`lessons_lib.arithmetic` next to a real Keras layer.

``compare(cost, layer, input_shape)`` builds ``layer`` on an input of
``input_shape`` (rows, cols, channels; no batch axis) and returns one row that
shows the formula's and Keras's output shape and parameter count side by side,
with ``agree`` true only if both match exactly.
"""

from __future__ import annotations

from typing import Sequence, Tuple

from lessons_lib.arithmetic import ConvCost


def keras_counts(layer, input_shape: Sequence[int]) -> Tuple[Tuple[int, ...], int]:
    """Build ``layer`` on ``input_shape`` and return ``(output_shape, count_params())``.

    ``output_shape`` has no batch axis: ``(rows, cols, channels)``.
    """
    import keras

    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (rows, cols, channels), got {tuple(input_shape)!r}")
    outputs = layer(keras.Input(shape=tuple(input_shape)))
    return tuple(int(d) for d in outputs.shape[1:]), int(layer.count_params())


def compare(cost: ConvCost, layer, input_shape: Sequence[int]) -> dict:
    """One row: the formula's and Keras's output shape and params, and whether they agree."""
    shape, params = keras_counts(layer, input_shape)
    return {
        "Keras layer": type(layer).__name__,
        "formula": cost.name,
        "shape (formula)": cost.output_shape,
        "shape (Keras)": shape,
        "params (formula)": cost.params,
        "params (Keras)": params,
        "agree": shape == tuple(cost.output_shape) and params == cost.params,
    }


def comparison_table(rows: Sequence[dict]):
    """A pandas DataFrame of :func:`compare` rows; raises ``AssertionError`` if any disagree,
    so a notebook that runs top to bottom proves formula and framework agree."""
    import pandas as pd

    table = pd.DataFrame(list(rows))
    bad = table[~table["agree"]]
    if len(bad):
        raise AssertionError(f"formula and Keras disagree:\n{bad.to_string()}")
    return table
