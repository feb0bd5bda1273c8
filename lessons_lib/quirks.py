"""Known framework bugs the chapters meet, and their workarounds, in one place.

Each workaround names the bug, the versions where it was seen, and what it costs. Importing
this module imports only the standard library.

* **oneDNN's gradient of a 1x1 stride-2 convolution on a 64x64 map crashes the process** on a
  CPU (a segmentation fault or "corrupted size vs. prev_size"). Seen with TensorFlow 2.20 and
  2.21 and with PyTorch 2.13 (both use Intel's oneDNN for CPU convolutions); a 32x32 map, a
  stride of 1, or a 3x3 kernel are not affected. PyTorch reproduces it without Keras: a
  channels-last input (Keras's layout), ``F.conv2d(x, w, stride=2)`` with a 1x1 kernel on
  ``(32, 3, 64, 64)``, then ``backward()``. Workarounds: on TensorFlow compile the model with
  XLA (``jit_compile=True``); on PyTorch run with oneDNN switched off
  (:func:`without_onednn`). JAX (XLA) is not affected.
* **PyTorch's 2-D ``nll_loss`` backward on a non-contiguous input** fails with "grad_input must
  be contiguous" (pytorch/pytorch#175084, torch 2.13): Keras's torch backend hits it with
  ``sparse_categorical_crossentropy`` on a per-pixel softmax. See
  :func:`lessons_lib.segmentation.pixel_crossentropy`.
"""

from __future__ import annotations

import contextlib

__all__ = ["without_onednn", "xla_on_tensorflow"]


def _backend() -> str:
    import keras

    return keras.backend.backend()


def without_onednn():
    """A context manager: on the PyTorch backend, PyTorch's own CPU convolutions instead of oneDNN's.

    Inside it, ``torch.backends.mkldnn`` is disabled (PyTorch's name for oneDNN); it is
    restored on exit. On other backends, and on a GPU (cuDNN does the work), it changes
    nothing. Cost: PyTorch's own CPU convolutions are slower than oneDNN's.

    Example::

        with without_onednn():
            model.fit(images, labels, epochs=5)
    """
    if _backend() != "torch":
        return contextlib.nullcontext()
    import torch

    return torch.backends.mkldnn.flags(enabled=False)


def xla_on_tensorflow(jit_compile=True):
    """``jit_compile`` for ``model.compile`` that steers TensorFlow around the oneDNN crash.

    Returns ``jit_compile`` (default True: XLA computes the gradient correctly) on TensorFlow,
    and ``"auto"`` on JAX (always XLA) and PyTorch (eager, the usual mode; compiling with
    ``torch.compile`` would take minutes and calls the same oneDNN kernels).
    """
    return jit_compile if _backend() == "tensorflow" else "auto"
