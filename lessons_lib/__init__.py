"""lessons_lib: the helper package of the book *Efficient convolutional networks*.

One module per concern:

- ``lessons_lib.arithmetic``: parameter, multiply-accumulate (MAC) and output-shape
  formulas for standard, depthwise, pointwise, separable, grouped and factorized
  convolutions (pure Python; importing it never imports TensorFlow).
- ``lessons_lib.scale``: chooses the run scale (quick on CPU, full on GPU) in one place.
- ``lessons_lib.checks``: self-check functions for the exercises.
- ``lessons_lib.figures``: plotly figures (with sliders that work in the static book).
- ``lessons_lib.widgets``: the ipywidgets panels (need a live kernel).
- ``lessons_lib.chapter``: ``start_chapter()``, the first call of every chapter.
- ``lessons_lib.keras_check``: formulas next to real Keras layers.
- ``lessons_lib.data``: real datasets when they can be downloaded, generated ones otherwise,
  as batches ``model.fit`` takes on every backend (``generated``, ``download``, ``pipelines``,
  ``loaders``).
- ``lessons_lib.models``: the architectures (imports Keras); ``lessons_lib.profiler``
  (also as ``lessons_lib.profile``): per-layer parameters and MACs;
  ``python -m lessons_lib.bench``: speed against ``keras.applications`` and across backends.
- ``lessons_lib.timing``, ``lessons_lib.gradients``: fair timings and gradients on any backend.
- ``lessons_lib.experiments``: the small networks of the chapters' experiments.
- ``lessons_lib.segmentation``: IoU, mask pictures and the per-pixel loss.
- ``lessons_lib.validation``: the argument checks every module uses (one wording).
- ``lessons_lib.quirks``: known framework bugs the chapters meet, and their workarounds.

Importing ``lessons_lib`` itself imports neither TensorFlow nor Keras. Everything works on the
TensorFlow, JAX and PyTorch backends of Keras, with TensorFlow not installed too
(``tests/backends``; ``scripts/backend_tests.sh``); ``models.resnext.GroupedConv2D`` uses
TensorFlow's grouped kernel directly when the backend is TensorFlow.
"""

__version__ = "0.1.0"


def profile(model, input_shape=None, traffic=False):
    """Per-layer cost table of a Keras model: see :func:`lessons_lib.profiler.profile`.

    Returns a pandas DataFrame with one row per layer (``layer``, ``type``,
    ``output_shape``, ``params``, ``macs`` for one image). Imported on call, so
    ``import lessons_lib`` stays free of pandas, TensorFlow and Keras.
    """
    from lessons_lib.profiler import profile as _profile

    return _profile(model, input_shape, traffic=traffic)
