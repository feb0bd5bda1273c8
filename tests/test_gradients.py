"""lessons_lib.gradients: the same gradients on TensorFlow, JAX and PyTorch.

Every test but the last runs on whatever backend Keras uses here (run this file in .venv,
.venv-jax and .venv-torch, with KERAS_BACKEND set), against closed forms. The last one, from
the TensorFlow backend, runs this file as a script on JAX and on PyTorch (in this Python if it has
them, else in .venv-jax / .venv-torch; skipped when neither has one, failed then with
REQUIRE_BACKENDS=1) and compares conv_gradient_norms across backends.

    KERAS_BACKEND=jax .venv-jax/bin/python tests/test_gradients.py   # prints the norms as JSON
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from keras import layers  # noqa: E402

from lessons_lib import experiments as ex  # noqa: E402
from lessons_lib.gradients import input_gradient, weight_gradient_norms  # noqa: E402
from lessons_lib.models import randomize_weights  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RELATIVE_TOLERANCE = 1e-4


def path_counts(kernel_sizes, size):
    """Closed form: paths from each input pixel to the centre output of a chain of all-ones
    stride-1 kernels. An all-ones kh x kw kernel is ones(kh) x ones(kw), so the map is the
    outer product of the 1-D convolutions of the ones vectors, centred."""
    rows, cols = np.ones(1), np.ones(1)
    for k in kernel_sizes:
        kh, kw = (k, k) if isinstance(k, int) else k
        rows, cols = np.convolve(rows, np.ones(kh)), np.convolve(cols, np.ones(kw))
    out = np.zeros((size, size))
    h, w, c = len(rows) // 2, len(cols) // 2, size // 2
    out[c - h:c + h + 1, c - w:c + w + 1] = np.outer(rows, cols)
    return out


@pytest.mark.parametrize("chain", [[7], [(1, 7), (7, 1)], [3, 3, 3], [5], [3, 3]])
def test_input_gradient_of_a_conv_chain_is_the_path_count_map(chain):
    """The factorized chapter's gradient_map: d(centre output) / d(input), zero input 9x9."""
    size = 9
    model = keras.Sequential([layers.Conv2D(1, k, padding="same", use_bias=False,
                                            kernel_initializer="ones") for k in chain])
    grad = input_gradient(lambda t: model(t)[0, size // 2, size // 2, 0],
                          np.zeros((1, size, size, 1)))
    assert grad.shape == (1, size, size, 1) and grad.dtype == np.float32
    np.testing.assert_array_equal(grad[0, :, :, 0], path_counts(chain, size))


def test_input_gradient_of_a_nonlinear_function():
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    grad = input_gradient(lambda t: keras.ops.sum(keras.ops.tanh(t) * t), x)
    expected = np.tanh(x) + x * (1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)
    # a function that ignores its input has gradient zero
    assert not input_gradient(lambda t: keras.ops.sum(t) * 0.0, x).any()


def test_input_gradient_bad_arguments():
    with pytest.raises(TypeError, match="`fn` must be callable; received fn=3"):
        input_gradient(3, np.zeros(2))
    with pytest.raises(TypeError, match="`x` must be a NumPy array .*received x='abc'"):
        input_gradient(keras.ops.sum, "abc")
    with pytest.raises(TypeError, match="`x` must be a NumPy array"):
        input_gradient(keras.ops.sum, 2.0)          # a scalar has no shape to differentiate over
    with pytest.raises(ValueError, match=r"`fn` must return one number .*shape \(2,\)"):
        input_gradient(lambda t: t * 2, np.zeros(2))


def _one_conv_classifier():
    inputs = keras.Input((4, 4, 2))
    h = layers.Conv2D(3, 1, use_bias=False, name="conv")(inputs)
    h = layers.GlobalAveragePooling2D()(h)
    outputs = layers.Dense(2, activation="softmax", use_bias=False, name="dense")(h)
    return randomize_weights(keras.Model(inputs, outputs), seed=3)


def test_weight_gradient_norms_against_the_closed_form():
    """1x1 conv (W) -> global average pool -> softmax(h V): with xbar the pooled input,
    h = xbar W, dL/dz = (p - onehot) / B, dL/dV = h^T dz, dL/dW = xbar^T (dz V^T)."""
    model = _one_conv_classifier()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 4, 4, 2)).astype("float32")
    y = np.array([0, 1, 1, 0, 1])
    norms = weight_gradient_norms(model, keras.losses.sparse_categorical_crossentropy, x, y,
                                  [model.get_layer("conv"), model.get_layer("dense")])
    W = model.get_layer("conv").get_weights()[0][0, 0].astype("float64")    # (2, 3)
    V = model.get_layer("dense").get_weights()[0].astype("float64")         # (3, 2)
    xbar = x.astype("float64").mean(axis=(1, 2))
    h = xbar @ W
    z = h @ V
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - np.eye(2)[y]) / len(y)
    expected = {"conv": np.linalg.norm(xbar.T @ (dz @ V.T)), "dense": np.linalg.norm(h.T @ dz)}
    assert list(norms) == ["conv", "dense"]
    for name, value in expected.items():
        assert norms[name] == pytest.approx(value, rel=1e-4), name


def test_weight_gradient_norms_updates_batch_norm_statistics_and_no_weight():
    """As a training step's forward pass does, on every backend (JAX: written back)."""
    inputs = keras.Input((6, 6, 2))
    h = layers.Conv2D(4, 3, name="conv")(inputs)
    h = layers.BatchNormalization(name="bn")(h)
    outputs = layers.Dense(3, activation="softmax")(layers.GlobalAveragePooling2D()(h))
    model = keras.Model(inputs, outputs)
    before = [w.copy() for w in model.get_weights()]
    x = np.random.default_rng(2).normal(1.0, 1.0, size=(4, 6, 6, 2)).astype("float32")
    weight_gradient_norms(model, keras.losses.sparse_categorical_crossentropy, x,
                          np.array([0, 1, 2, 0]), [model.get_layer("conv")])
    moving_mean = model.get_layer("bn").moving_mean.numpy()
    assert np.abs(moving_mean).max() > 0            # started at zero
    trainable_after = [v.numpy() for v in model.trainable_variables]
    trainable_before = [before[i] for i, w in enumerate(model.weights) if w.trainable]
    for a, b in zip(trainable_after, trainable_before):
        np.testing.assert_array_equal(a, b)


def test_weight_gradient_norms_bad_arguments():
    model = _one_conv_classifier()
    other = _one_conv_classifier()
    x, y = np.zeros((2, 4, 4, 2), "float32"), np.array([0, 1])
    loss = keras.losses.sparse_categorical_crossentropy
    with pytest.raises(TypeError, match="`loss_fn` must be callable"):
        weight_gradient_norms(model, "mse", x, y, [model.get_layer("conv")])
    with pytest.raises(ValueError, match="`layers` must name at least one layer"):
        weight_gradient_norms(model, loss, x, y, [])
    with pytest.raises(TypeError, match="`layers` must hold layers with a kernel.*has none"):
        weight_gradient_norms(model, loss, x, y, [model.layers[2]])    # the pooling layer
    with pytest.raises(ValueError, match="not a trainable weight of"):
        weight_gradient_norms(model, loss, x, y, [other.get_layer("conv")])
    model.get_layer("conv").trainable = False
    with pytest.raises(ValueError, match="the kernel of 'conv' is not a trainable weight"):
        weight_gradient_norms(model, loss, x, y, [model.get_layer("conv")])


def reference_norms():
    """conv_gradient_norms of two seeded models, the same weights and batch on every backend:
    the residual stack of the Xception chapter and a mini Xception (batch normalisation)."""
    rng = np.random.default_rng(0)
    x = rng.random((4, 32, 32, 3), dtype="float32")
    y = np.array([0, 1, 2, 3])
    stack = randomize_weights(ex.deep_stack(8, residual=True, width=8), seed=1)
    mini = randomize_weights(ex.mini_xception((32, 32, 3), classes=4, widths=(8, 16, 32),
                                              middle_blocks=1), seed=2)
    return {"backend": keras.backend.backend(),
            "stack": ex.conv_gradient_norms(stack, x, y),
            "mini_xception": ex.conv_gradient_norms(mini, x, y)}


def test_conv_gradient_norms_are_positive_and_in_layer_order():
    norms = reference_norms()
    assert list(norms["stack"]) == [f"conv{i}" for i in range(9)]
    assert all(v > 0 for v in norms["stack"].values())
    assert list(norms["mini_xception"]) == ["block1_conv1", "block1_conv2", "block2_residual_conv",
                                            "block3_residual_conv", "block5_residual_conv"]


def _python_with(backend):
    """This interpreter if it has ``backend``'s package, else .venv-<backend>'s; skip (fail
    with REQUIRE_BACKENDS=1) when neither has it."""
    if importlib.util.find_spec(backend) is not None:
        return sys.executable
    python = ROOT / f".venv-{backend}" / "bin" / "python"
    if not python.exists():
        message = f"no {backend} here and {python} is missing: run `bash scripts/backend_envs.sh`"
        if os.environ.get("REQUIRE_BACKENDS") == "1":
            pytest.fail(message + " (REQUIRE_BACKENDS=1)")
        pytest.skip(message)
    return python


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="compares against TensorFlow: runs on the TensorFlow backend")
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_conv_gradient_norms_equal_tensorflows(backend):
    python = _python_with(backend)
    done = subprocess.run([str(python), __file__], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, KERAS_BACKEND=backend), timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = reference_norms()
    assert (ours["backend"], theirs["backend"]) == ("tensorflow", backend)
    for model in ("stack", "mini_xception"):
        assert list(theirs[model]) == list(ours[model])
        for layer, value in ours[model].items():
            assert theirs[model][layer] == pytest.approx(value, rel=RELATIVE_TOLERANCE), \
                (model, layer, backend)


if __name__ == "__main__":
    print(json.dumps(reference_norms()))
