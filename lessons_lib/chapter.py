"""The one call at the top of every chapter: ``scale = start_chapter()``.

It makes a run repeatable and says how it will run:

* seeds Python's ``random``, NumPy and (if installed) Keras/TensorFlow;
* chooses the plotly renderer: Colab's own on Colab, otherwise the one the
  built book needs (``plotly_mimetype+notebook_connected``, so figures appear
  both in JupyterLab and in the static HTML);
* imports TensorFlow once with its C++ start-up log lines muted (they are
  written straight to file descriptor 2, before ``TF_CPP_MIN_LOG_LEVEL`` is
  read, and would otherwise clutter the first output of every chapter);
* decides the run scale (:mod:`lessons_lib.scale`) and prints it with the reason.
"""

from __future__ import annotations

import os
import random
import sys

from lessons_lib.scale import RunScale, run_scale

BOOK_PLOTLY_RENDERER = "plotly_mimetype+notebook_connected"


def on_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def set_seed(seed: int = 0) -> None:
    """Seed ``random``, NumPy and Keras (which seeds TensorFlow) with ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    try:
        import keras
    except ImportError:  # the arithmetic chapters work without TensorFlow
        return
    keras.utils.set_random_seed(seed)


def use_book_plotly_renderer() -> str:
    """Set and return the plotly renderer for this environment (see module doc)."""
    import plotly.io as pio

    pio.renderers.default = "colab" if on_colab() else BOOK_PLOTLY_RENDERER
    return pio.renderers.default


def quiet_import_tensorflow() -> bool:
    """Import TensorFlow with the process's stderr (fd 2) muted; return False if not installed.

    Only the import is muted: Python exceptions still propagate, and everything
    TensorFlow logs afterwards (warnings included) is shown as usual.
    """
    if "tensorflow" in sys.modules:
        return True
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            return False
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return True


def start_chapter(seed: int = 0, verbose: bool = True) -> RunScale:
    """Seed everything, set up plotting, choose and print the run scale.

    Returns:
        The :class:`~lessons_lib.scale.RunScale` the chapter should use.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quiet_import_tensorflow()
    set_seed(seed)
    use_book_plotly_renderer()
    scale = run_scale()
    if verbose:
        print(f"{scale}; seed={seed}")
    return scale
