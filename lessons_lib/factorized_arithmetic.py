"""The pure-Python part of :mod:`lessons_lib.factorized`: the cost of a ``k x k`` receptive field.

No NumPy, plotly or TensorFlow (only :mod:`lessons_lib.arithmetic`), so the book's live
factorized-cost panel runs it in the reader's browser (Pyodide) unchanged.
:mod:`lessons_lib.factorized` re-exports :func:`factorized_costs`.
"""

from __future__ import annotations

from lessons_lib import arithmetic as ar

__all__ = ["factorized_costs"]


def factorized_costs(kernel_size: int, channels: int, feature_map: int = 17,
                     use_bias: bool = False) -> list:
    """Three ways to give one output pixel a ``k x k`` receptive field (stride 1, ``same``).

    Args:
        kernel_size: odd ``k >= 3``.
        channels: input = output (= intermediate) channels.
        feature_map: side of the square feature map, in pixels (17 is InceptionV3's 7x7 grid).
        use_bias: count biases (the paper's ratios leave them out).

    Returns:
        ``[standard k x k, 1 x k + k x 1, (k-1)/2 stacked 3x3]`` as
        :class:`lessons_lib.arithmetic.ConvCost` (MACs per image).
    """
    k = ar._check_positive_int("kernel_size", kernel_size)
    if k < 3 or k % 2 == 0:
        raise ValueError(f"kernel_size must be odd and >= 3, got {k}")
    f = feature_map
    return [ar.standard_conv(f, f, channels, channels, k, use_bias=use_bias),
            ar.factorized_conv(f, f, channels, channels, k, use_bias=use_bias),
            ar.stacked_3x3_conv(f, f, channels, channels, (k - 1) // 2, use_bias=use_bias)]
