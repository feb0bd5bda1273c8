"""Driver of the cross-backend test: the five models on TensorFlow, JAX and PyTorch.

``record DIR``  (in the main venv, TensorFlow backend): build each model, give it seeded
random weights (``randomize_weights``), save ``DIR/<model>.weights.h5``, a fixed input and
the output (``DIR/<model>.npz``) and the parameter and MAC totals (``DIR/<model>.json``).

``compare DIR`` (in ``.venv-jax`` / ``.venv-torch``, ``KERAS_BACKEND`` set): build the same
models, load those weights, run that input, and print one JSON line per model with the
backend, the max abs difference to TensorFlow's output, the output scale (max abs of
TensorFlow's output), and the parameter and MAC totals of both.

    python tests/backends/same_numbers.py record|compare DIR [MODEL ...]
"""

import json
import sys
from pathlib import Path

import numpy as np

#: model name -> (builder keyword arguments, input shape (H, W, C)); small inputs keep it fast.
#: Classifiers output logits (10 classes, no softmax: a stronger comparison than probabilities);
#: the UNet outputs its per-pixel softmax over 3 classes.
LOGITS = dict(classes=10, classifier_activation=None)
MODELS = {
    "xception": dict(kwargs=LOGITS, shape=(75, 75, 3)),
    "inception_v3": dict(kwargs=LOGITS, shape=(75, 75, 3)),
    "mobilenet": dict(kwargs=dict(LOGITS, alpha=0.25), shape=(96, 96, 3)),
    # "grouped" on every backend: the weights TensorFlow saves are the grouped layout ("auto"
    # is "split" on JAX without a GPU), and the grouped layer is what differs across backends
    "resnext50": dict(kwargs=dict(LOGITS, implementation="grouped"), shape=(64, 64, 3)),
    "mobilenet_unet": dict(kwargs=dict(n_classes=3, alpha=0.25), shape=(64, 64, 3)),
}
SEED = 0
BATCH = 2


def build(name):
    """Build model ``name`` of :data:`MODELS` at its small input shape."""
    from lessons_lib import models

    if name not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    spec = MODELS[name]
    return getattr(models, name)(input_shape=spec["shape"], **spec["kwargs"])


def totals(model):
    """(parameters, MACs per image) of ``model`` as ints, from ``lessons_lib.profile``."""
    import lessons_lib

    table = lessons_lib.profile(model)
    return int(model.count_params()), int(table.macs.sum())


def record(out_dir, names):
    from lessons_lib.models import randomize_weights

    out_dir = Path(out_dir)
    for name in names:
        model = randomize_weights(build(name), seed=SEED)
        model.save_weights(out_dir / f"{name}.weights.h5")
        x = np.random.default_rng(SEED).normal(size=(BATCH, *MODELS[name]["shape"]))
        x = x.astype("float32")
        y = np.asarray(model.predict(x, verbose=0))
        np.savez(out_dir / f"{name}.npz", x=x, y=y)
        params, macs = totals(model)
        (out_dir / f"{name}.json").write_text(json.dumps(dict(params=params, macs=macs)))


def compare(out_dir, names):
    import keras

    out_dir = Path(out_dir)
    for name in names:
        model = build(name)
        model.load_weights(out_dir / f"{name}.weights.h5")
        saved = np.load(out_dir / f"{name}.npz")
        y = np.asarray(keras.ops.convert_to_numpy(model.predict(saved["x"], verbose=0)))
        ref = json.loads((out_dir / f"{name}.json").read_text())
        params, macs = totals(model)
        print(json.dumps(dict(
            model=name, backend=keras.backend.backend(),
            max_abs_diff=float(np.max(np.abs(y - saved["y"]))),
            output_scale=float(np.max(np.abs(saved["y"]))),
            shape_ok=y.shape == saved["y"].shape,
            params=params, macs=macs, tf_params=ref["params"], tf_macs=ref["macs"])),
            flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("record", "compare"):
        sys.exit(__doc__)
    command, directory, *chosen = sys.argv[1:]
    {"record": record, "compare": compare}[command](directory, chosen or list(MODELS))
