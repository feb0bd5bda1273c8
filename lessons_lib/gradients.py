"""Gradients on every Keras backend: TensorFlow, JAX and PyTorch, one call each.

Keras 3 runs a model on all three, but taking a gradient is each framework's own business
(``tf.GradientTape``, ``jax.grad``, PyTorch's autograd). The two functions here hide that:

- :func:`input_gradient`: the gradient of a scalar function with respect to its input;
- :func:`weight_gradient_norms`: the L2 norm of the loss gradient with respect to chosen
  layers' kernels, for one batch in training mode.

Both take and return NumPy arrays. Importing this module imports Keras (the backend it chose);
each function imports its backend's framework when called.
"""

from __future__ import annotations

import keras
import numpy as np

from lessons_lib.validation import describe

__all__ = ["input_gradient", "weight_gradient_norms"]


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything NumPy cannot read is the same error here
        array = None
    if array is None or array.dtype.kind not in "biuf" or array.ndim == 0:
        raise TypeError(f"`{name}` must be a NumPy array (or nested list) of real numbers with "
                        f"at least one dimension; {describe(name, value)}.")
    return array.astype("float32")


def _scalar(name: str, value):
    """``value`` (a backend tensor holding one number) reshaped to shape ()."""
    size = int(np.prod(tuple(value.shape))) if hasattr(value, "shape") else None
    if size != 1:
        shape = tuple(value.shape) if hasattr(value, "shape") else None
        raise ValueError(f"`{name}` must return one number (a tensor of size 1); it returned "
                         f"{type(value).__name__} of shape {shape}.")
    return keras.ops.reshape(value, ())


def input_gradient(fn, x) -> np.ndarray:
    """The gradient of the scalar ``fn(x)`` with respect to ``x``, on the current backend.

    Args:
        fn: a function of one tensor of ``x``'s shape that returns one number (a tensor of
            size 1), written with Keras layers and ``keras.ops`` (or plain indexing), e.g.
            ``lambda t: model(t)[0, 4, 4, 0]``.
        x: the point, a NumPy array (any shape, converted to float32).

    Returns:
        float32 NumPy array of ``x``'s shape: d fn / d x at ``x``. TensorFlow uses
        ``tf.GradientTape``, JAX ``jax.grad`` and PyTorch autograd.

    Raises:
        TypeError: ``fn`` is not callable, or ``x`` is not an array of real numbers.
        ValueError: ``fn(x)`` is not a single number.
    """
    if not callable(fn):
        raise TypeError(f"`fn` must be callable; {describe('fn', fn)}.")
    x = _as_float_array("x", x)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        point = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(point)
            value = _scalar("fn", fn(point))
        grad = tape.gradient(value, point)
        return np.zeros_like(x) if grad is None else grad.numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda t: _scalar("fn", fn(t)))(jax.numpy.asarray(x)))
    if backend == "torch":
        import torch

        point = torch.tensor(x, requires_grad=True)
        value = _scalar("fn", fn(point))
        (grad,) = torch.autograd.grad(value, point, allow_unused=True)
        return np.zeros_like(x) if grad is None else grad.detach().cpu().numpy()
    raise RuntimeError(f"input_gradient supports the tensorflow, jax and torch backends; "
                       f"Keras runs on {backend!r}")


def weight_gradient_norms(model: keras.Model, loss_fn, x, y, layers) -> dict:
    """The L2 norm of the loss gradient with respect to each given layer's kernel, for one batch.

    The loss is ``mean(loss_fn(y, model(x, training=True)))``, the mean over the batch, as
    in a training step; like a training step's forward pass it updates batch-normalisation
    moving statistics on every backend. No weight is changed.

    Args:
        model: a Keras model (built).
        loss_fn: ``loss_fn(y_true, y_pred)`` -> per-example or mean loss, e.g.
            ``keras.losses.sparse_categorical_crossentropy``.
        x: model inputs, a NumPy array (B, ...); y: the targets ``loss_fn`` expects.
        layers: layers of ``model`` with a trainable ``kernel`` (Conv2D, Dense, ...).

    Returns:
        dict layer name -> gradient norm (Python float, computed in float64 from the
        float32 gradient), in the order of ``layers``.

    Raises:
        TypeError: ``loss_fn`` is not callable, or a layer has no ``kernel``.
        ValueError: ``layers`` is empty, or a kernel is not a trainable weight of ``model``.
    """
    if not callable(loss_fn):
        raise TypeError(f"`loss_fn` must be callable; {describe('loss_fn', loss_fn)}.")
    layers = list(layers)
    if not layers:
        raise ValueError("`layers` must name at least one layer with a kernel; received "
                         "layers=[].")
    for layer in layers:
        if getattr(layer, "kernel", None) is None:
            raise TypeError(f"`layers` must hold layers with a kernel; layer "
                            f"{getattr(layer, 'name', layer)!r} ({type(layer).__name__}) has none.")
    trainable = list(model.trainable_variables)
    index = {id(v): i for i, v in enumerate(trainable)}
    for layer in layers:
        if id(layer.kernel) not in index:
            raise ValueError(f"`layers` must hold layers of the model with a trainable kernel; "
                             f"the kernel of {layer.name!r} is not a trainable weight of "
                             f"{model.name!r}.")
    x = _as_float_array("x", x)
    kernels = [layer.kernel for layer in layers]

    def mean_loss(prediction):
        return keras.ops.mean(loss_fn(y, prediction))

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = mean_loss(model(x, training=True))
        grads = [g.numpy() for g in tape.gradient(loss, kernels)]
    elif backend == "jax":
        import jax

        def loss_of(values, non_trainable, x, y):
            prediction, updated = model.stateless_call(values, non_trainable, x, training=True)
            return keras.ops.mean(loss_fn(y, prediction)), updated

        # jit: compiled as one program, several times faster than op-by-op on a CPU
        grad_fn = jax.jit(jax.grad(loss_of, has_aux=True))
        grads_all, updated = grad_fn([v.value for v in trainable],
                                     [v.value for v in model.non_trainable_variables], x,
                                     keras.ops.convert_to_tensor(y))
        for variable, value in zip(model.non_trainable_variables, updated):
            variable.assign(value)  # the BN statistics, as on the other backends
        grads = [np.asarray(grads_all[index[id(k)]]) for k in kernels]
    elif backend == "torch":
        import torch

        loss = mean_loss(model(x, training=True))
        grads = [g.detach().cpu().numpy()
                 for g in torch.autograd.grad(loss, [k.value for k in kernels])]
    else:
        raise RuntimeError(f"weight_gradient_norms supports the tensorflow, jax and torch "
                           f"backends; Keras runs on {backend!r}")
    return {layer.name: float(np.linalg.norm(np.asarray(g, dtype="float64")))
            for layer, g in zip(layers, grads)}
