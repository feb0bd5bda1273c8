"""The book's benchmark, on any Keras backend: ``python -m lessons_lib.bench [COMMAND] [--quick]``.

Three commands:

``applications`` (the default): on the current backend (``KERAS_BACKEND``), prints

1. build time of each builder (seconds to construct the Keras graph);
2. forward time of each of our models divided by the keras.applications
   model with the same architecture (target <= 1.05);
3. ResNeXt-50 (``implementation="auto"``) forward time divided by
   keras.applications.ResNet50's (target <= 1.2 on CPU; ``--no-targets`` leaves
   the target column out, as the book does, which shows only the measurements);
4. the grouped 3x3 conv of each ResNeXt stage three ways: Keras's
   ``Conv2D(groups=32)``, our ``GroupedConv2D`` and "split" (32 convs). On
   TensorFlow, Keras sends ``Conv2D(groups)`` through XLA and ``GroupedConv2D``
   calls TensorFlow's grouped kernel directly; on JAX and PyTorch the two are the
   same layer, so only one is timed.

``backends``: one table, one column per backend (TensorFlow, JAX, PyTorch): the
grouped 3x3 conv of each ResNeXt stage, a depthwise 3x3 and the five models, each
timed in a child process per backend (:func:`backend_latency`).

``latency``: what such a child runs (``--backend``, ``--models``, ``--json``).

Method: seeded random weights, a fixed random batch, the inference call compiled
the backend's way (:func:`inference_fn`); one warm-up call each (tracing,
compilation), then the models of a group are timed alternately (a, b, a, b, ...)
so that slow drifts of the machine hit all; the reported time is the median.

Importing this module imports only the standard library; each function imports
Keras (and its backend's framework) when called.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lessons_lib.timing import call_seconds
from lessons_lib.validation import check_choice, check_int, describe

#: The Keras backends, in the order of the tables.
BACKENDS = ("tensorflow", "jax", "torch")
#: The package each backend needs, and how to install it (CPU builds: the pip commands a
#: reader on a GPU machine changes to the CUDA build of the framework's own instructions).
PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
INSTALL = {"tensorflow": "pip install tensorflow", "jax": 'pip install "jax[cpu]"',
           "torch": "pip install torch"}
#: Models :func:`build_item` builds by name (input side in pixels when none is given).
MODEL_SIZES = {"xception": 299, "inception_v3": 299, "mobilenet": 224, "resnext50": 224,
               "mobilenet_unet": 224, "resnet50": 224}
#: The five models of the book (``resnet50`` is keras.applications' ResNet-50).
MODEL_NAMES = ("xception", "inception_v3", "mobilenet", "resnext50", "mobilenet_unet")
#: One-layer items: ``kind@HxWxC``, a 3x3 layer with as many channels out as in.
LAYER_KINDS = ("grouped3x3", "depthwise3x3")
#: The rows of ``python -m lessons_lib.bench backends``: the grouped 3x3 conv of each
#: ResNeXt stage (32 groups, the layer ResNeXt-50 uses), a depthwise 3x3 at 56x56x128, and
#: the five models.
BACKENDS_ITEMS = ("grouped3x3@56x56x128", "grouped3x3@28x28x256", "grouped3x3@14x14x512",
                  "grouped3x3@7x7x1024", "depthwise3x3@56x56x128") + MODEL_NAMES


def inference_fn(model):
    """The compiled inference call of ``model`` on the current Keras backend.

    - TensorFlow: ``tf.function(lambda x: model(x, training=False))`` (a graph, traced on the
      first call). Each model gets its own ``tf.function``; TensorFlow's "excessive
      retracing" warning, which counts traces across functions, is muted.
    - JAX: ``jax.jit`` of ``model.stateless_call(trainable, non_trainable, x,
      training=False)``, the weights' values read once, when this function is made, and
      passed as arguments (not baked into the compiled program as constants). Reading them
      at every call would cost about 0.4 ms for Xception's 236 variables, as much as a small
      model's whole forward pass on a GPU. So make a new function after the weights change:
      after ``fit``, ``set_weights`` or, on JAX, ``predict`` (which replaces the arrays and
      deletes the old ones: the old function then raises "Array has been deleted").
    - PyTorch: the eager call under ``torch.no_grad()``. Not ``torch.compile``: compiling a
      whole network takes minutes on a CPU, far longer than the timings it would speed up,
      and eager mode is how PyTorch models usually run.

    Returns:
        a function ``x -> output``: ``x`` a NumPy array or backend tensor (B, H, W, C); the
        output is the backend's tensor, possibly not yet computed (timing waits for it).
    """
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        return tf.function(lambda x: model(x, training=False))
    if backend == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]

        @jax.jit
        def call(trainable, non_trainable, x):
            return model.stateless_call(trainable, non_trainable, x, training=False)[0]

        return lambda x: call(trainable, non_trainable, x)
    if backend == "torch":
        import torch

        def call(x):
            with torch.no_grad():
                return model(x, training=False)

        return call
    raise RuntimeError(f"inference_fn supports the backends {BACKENDS}; Keras runs on "
                       f"{backend!r}")


def forward_latency(models, batch=1, repeats=5, seed=0, samples=False):
    """Median forward time of each model on this machine, in milliseconds per batch.

    Works on every backend: each model runs through :func:`inference_fn`.

    Args:
        models: dict ``name -> keras.Model``; each gets a random batch of its own
            input size (read from ``model.input_shape``), uniform in [-1, 1], converted
            to a backend tensor (on the GPU, if there is one) before timing.
        batch: images per forward pass.
        repeats: timed calls per model, after one warm-up call (which traces/compiles).
        seed: seed of the random inputs.
        samples: if True, also return every timed call.

    Returns:
        dict ``name -> milliseconds`` (median of ``repeats``). The models are timed
        in turn, one call each per round, so slow drifts of a shared machine hit all
        of them alike. With ``samples=True``: ``(medians, samples)``, ``samples`` a dict
        ``name -> list of milliseconds``, one per round (their spread is the noise).

    Raises:
        TypeError: ``models`` is not a dict, or ``batch`` / ``repeats`` not an int.
        ValueError: ``models`` is empty, or ``batch`` / ``repeats`` < 1.
    """
    import keras
    import numpy as np

    if not isinstance(models, dict):
        raise TypeError("`models` must be a dict of name -> keras.Model; "
                        f"{describe('models', models)}.")
    if not models:
        raise ValueError("`models` must name at least one model; received models={}.")
    batch = check_int("batch", batch, minimum=1)
    repeats = check_int("repeats", repeats, minimum=1)
    rng = np.random.default_rng(seed)
    fns = {}
    for name, model in models.items():
        shape = (batch,) + tuple(model.input_shape[1:])
        x = keras.ops.convert_to_tensor(rng.uniform(-1, 1, shape).astype("float32"))
        fns[name] = (lambda f, x: lambda: f(x))(inference_fn(model), x)
    rounds = call_seconds(fns, repeats=repeats, warmup=1)
    ms = {name: [1e3 * t for t in times] for name, times in rounds.items()}
    medians = {name: statistics.median(times) for name, times in ms.items()}
    return (medians, ms) if samples else medians


def _parse_item(spec):
    """``"xception"`` / ``"xception@150"`` / ``"grouped3x3@56x56x128"`` -> (kind, numbers)."""
    allowed = (f"a model of {sorted(MODEL_SIZES)}, optionally with its input side "
               f"(e.g. 'xception@150'), or a layer of {list(LAYER_KINDS)} with its input "
               "HxWxC (e.g. 'grouped3x3@56x56x128'; grouped: C a multiple of 32)")
    if not isinstance(spec, str):
        raise TypeError(f"`model` must be a string naming {allowed}; {describe('model', spec)}.")
    name, at, size = spec.partition("@")
    try:
        numbers = tuple(int(n) for n in size.split("x")) if at else ()
    except ValueError:  # "xception@", "grouped3x3@axbxc"
        numbers = (0,)
    if all(n >= 1 for n in numbers):
        if name in MODEL_SIZES and len(numbers) <= 1:
            return name, numbers
        if name in LAYER_KINDS and len(numbers) == 3 and (
                name != "grouped3x3" or numbers[2] % 32 == 0):
            return name, numbers
    raise ValueError(f"`model` must be {allowed}; received model={spec!r}.")


def build_item(spec, input_size=None, seed=0):
    """Build one benchmark item by name, with seeded random weights (the same on every backend).

    Args:
        spec: a model name of :data:`MODEL_SIZES` (``"resnet50"`` is keras.applications'
            ResNet50, the others are ``lessons_lib.models`` builders with their defaults,
            1000 classes; ``mobilenet_unet`` with 3 classes; ``resnext50`` with
            ``implementation="grouped"`` on every backend), optionally ``@SIDE`` for its
            input side in pixels; or a layer ``"grouped3x3@HxWxC"`` (ResNeXt's 3x3 convolution
            with 32 groups, C channels in and out: ``GroupedConv2D``, TensorFlow's direct
            grouped kernel on TensorFlow, ``Conv2D(groups=32)`` elsewhere) /
            ``"depthwise3x3@HxWxC"`` (``DepthwiseConv2D``), 'same' padding, no bias.
        input_size: input side for a model name without ``@SIDE`` (None: the model's default,
            :data:`MODEL_SIZES`). Ignored for layers.
        seed: seed of :func:`lessons_lib.models.randomize_weights`.

    Returns:
        keras.Model taking (B, H, W, C) float32 images.
    """
    import keras

    from lessons_lib import models

    kind, numbers = _parse_item(spec)
    if input_size is not None:
        input_size = check_int("input_size", input_size, minimum=32)
    if kind in LAYER_KINDS:
        side_h, side_w, channels = numbers
        inputs = keras.Input((side_h, side_w, channels))
        if kind == "grouped3x3":
            from lessons_lib.models.resnext import GroupedConv2D

            layer = GroupedConv2D(channels, 3, padding="same", groups=32, use_bias=False)
        else:
            layer = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)
        model = keras.Model(inputs, layer(inputs), name=kind)
    else:
        side = numbers[0] if numbers else (input_size or MODEL_SIZES[kind])
        shape = (side, side, 3)
        if kind == "resnet50":
            model = keras.applications.ResNet50(weights=None, input_shape=shape)
        elif kind == "mobilenet_unet":
            model = models.mobilenet_unet(3, input_shape=shape)
        elif kind == "resnext50":
            # the same model on every backend ("auto" is the split paths on JAX without a GPU)
            model = models.resnext50(input_shape=shape, implementation="grouped")
        else:
            model = getattr(models, kind)(input_shape=shape)
    return models.randomize_weights(model, seed=seed)


def _framework_version(backend):
    return getattr(importlib.import_module(PACKAGES[backend]), "__version__", "?")


def device_description():
    """``"GPU (name)"`` or ``"CPU (N cores)"``: where the current Keras backend runs."""
    from lessons_lib.scale import _gpu_names

    gpus = _gpu_names()
    return f"GPU ({gpus[0]})" if gpus else f"CPU ({os.cpu_count()} cores)"


def latency_child(backend, items, batch=1, repeats=3, input_size=None, seed=0):
    """What one child process of :func:`backend_latency` does; returns a JSON-ready dict.

    ``{"backend", "status": "ok", "device", "version", "ms": {item: ms per batch},
    "samples_ms": {item: [ms of each timed call]}, "seconds"}``, or ``status "not
    installed"`` when the backend's package is missing (checked before Keras is imported). ``KERAS_BACKEND`` is set to ``backend`` here, so
    call it before Keras is imported (Keras reads the variable once).
    """
    start = time.perf_counter()
    if importlib.util.find_spec(PACKAGES[backend]) is None:
        return dict(backend=backend, status="not installed",
                    note=f"not installed ({INSTALL[backend]})")
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    if keras.backend.backend() != backend:
        raise RuntimeError(f"Keras was imported before KERAS_BACKEND={backend} was set; it runs "
                           f"on {keras.backend.backend()!r}")
    built = {item: build_item(item, input_size=input_size, seed=seed) for item in items}
    ms, samples_ms = forward_latency(built, batch=batch, repeats=repeats, seed=seed,
                                     samples=True)
    return dict(backend=backend, status="ok", device=device_description(),
                version=_framework_version(backend), ms=ms, samples_ms=samples_ms,
                seconds=round(time.perf_counter() - start, 1))


def _last_error_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def backend_latency(models=MODEL_NAMES, backends=BACKENDS, batch=1, repeats=3, input_size=None,
                    timeout_s=600, python=None, seed=0, samples=False):
    """Forward latency of the same models on each Keras backend, measured on this machine.

    One process holds one Keras backend, so each backend gets its own child process,
    ``python -m lessons_lib.bench latency --backend B --json ...`` with ``KERAS_BACKEND=B``,
    run one after the other (never in parallel: they would share the cores). Each child
    builds the models with the same seeded weights (:func:`build_item`) and times them with
    :func:`forward_latency`, each backend compiling the call its own way (:func:`inference_fn`).

    Args:
        models: names of :func:`build_item` items (``"xception"``, ``"resnext50@160"``,
            ``"grouped3x3@56x56x128"``, ...).
        backends: any of ``"tensorflow"``, ``"jax"``, ``"torch"``.
        batch: images per forward pass; repeats: timed calls per model (median).
        input_size: input side for the model names without ``@SIDE`` (None: each model's
            default, e.g. 299 for Xception).
        timeout_s: seconds one child may take before it is stopped.
        python: dict backend -> Python interpreter for that backend's child (default: this
            one, ``sys.executable``), e.g. ``{"jax": ".venv-jax/bin/python"}``.
        seed: seed of the weights and inputs.
        samples: if True, also return every timed call (see Returns).

    Returns:
        ``(table, notes)``, or ``(table, notes, samples)`` with ``samples=True``: ``samples``
        a dict backend -> {model: list of milliseconds, one per timed call} for the backends
        that ran. ``table``: a pandas DataFrame, one row per model (index ``model``), one
        column per backend, the median milliseconds per batch (NaN where the backend did
        not run); ``notes`` a dict backend -> one line: ``"CPU (2 cores), jax 0.10.2, 41 s"``,
        ``"not installed (pip install ...)"`` (not an error), ``"failed: <its last error
        line>"`` or ``"timed out after N s"``.

    Raises:
        TypeError / ValueError: bad ``models``, ``backends``, ``batch``, ``repeats``,
            ``input_size``, ``timeout_s`` or ``python``.
    """
    import pandas as pd

    if isinstance(models, str) or not list(models):
        raise ValueError(f"`models` must be a non-empty list of model names; "
                         f"{describe('models', models)}.")
    models = list(models)
    for spec in models:
        _parse_item(spec)
    if isinstance(backends, str) or not list(backends):
        raise ValueError(f"`backends` must be a non-empty list of {list(BACKENDS)}; "
                         f"{describe('backends', backends)}.")
    backends = [check_choice("backends", b, BACKENDS) for b in backends]
    batch = check_int("batch", batch, minimum=1)
    repeats = check_int("repeats", repeats, minimum=1)
    if input_size is not None:
        input_size = check_int("input_size", input_size, minimum=32)
    timeout_s = check_int("timeout_s", timeout_s, minimum=1)
    python = dict(python or {})
    for key in python:
        check_choice("python", key, BACKENDS)
    # The children import this lessons_lib: from a checkout, put it first on their path
    # (an installed one is found anyway; its site-packages must not go before the stdlib).
    root = Path(__file__).resolve().parents[1]
    path = [] if root.name in ("site-packages", "dist-packages") else [str(root)]
    table = pd.DataFrame(index=pd.Index(models, name="model"), columns=backends, dtype=float)
    notes, all_samples = {}, {}
    for backend in backends:
        command = [str(python.get(backend, sys.executable)), "-m", "lessons_lib.bench",
                   "latency", "--backend", backend, "--batch", str(batch), "--repeats",
                   str(repeats), "--seed", str(seed), "--json", "--models", *models]
        if input_size is not None:
            command += ["--input-size", str(input_size)]
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2",
                   PYTHONPATH=os.pathsep.join(filter(None, path + [os.environ.get("PYTHONPATH")])))
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=timeout_s)
        except subprocess.TimeoutExpired:
            notes[backend] = f"timed out after {timeout_s} s"
            continue
        except OSError as err:  # e.g. the interpreter named in `python` does not exist
            notes[backend] = f"failed: {err}"
            continue
        results = [json.loads(line) for line in done.stdout.splitlines()
                   if line.startswith('{"backend"')]
        if done.returncode != 0 or not results:
            notes[backend] = f"failed: {_last_error_line(done.stderr or done.stdout)}"
            continue
        result = results[-1]
        if result["status"] != "ok":
            notes[backend] = result["note"]
            continue
        for spec, ms in result["ms"].items():
            table.loc[spec, backend] = ms
        all_samples[backend] = result.get("samples_ms", {})
        notes[backend] = (f"{result['device']}, {PACKAGES[backend]} {result['version']}, "
                          f"{result['seconds']:.0f} s")
    return (table, notes, all_samples) if samples else (table, notes)


def _applications(batch, repeats, targets=True):
    """The benchmark against keras.applications on the current backend (see module doc).

    Prints the tables (with the target column unless ``targets`` is False) and returns the
    measurements: ``{"pairs": {label: {"ours_ms", "ref_ms", "ratio", "round_ratios",
    "build_ours_s", "build_ref_s"}}, "resnext": {"grouped_ms", "split_ms", "build_grouped_s",
    "build_split_s"}, "grouped_conv": {"HxWxC": {"keras_ms", "direct_ms", "split_ms"}},
    "backend", "batch", "repeats"}`` (``round_ratios``: ours/ref of each interleaved round,
    whose spread is the noise; ``direct_ms`` is None where it is the Keras layer).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import numpy as np
    from keras import layers, ops

    from lessons_lib.models import inception_v3, mobilenet, resnext50, xception
    from lessons_lib.models.resnext import GroupedConv2D, resolve_implementation

    backend = keras.backend.backend()
    print(f"lessons_lib.bench: Keras {keras.__version__}, backend {backend} "
          f"{_framework_version(backend)}, device {device_description()}, batch {batch}, "
          f"median of {repeats} interleaved repeats")
    rng = np.random.default_rng(0)
    results = {"pairs": {}, "grouped_conv": {}, "backend": backend, "batch": batch,
               "repeats": repeats}

    def rounds(models, x, count):
        x = keras.ops.convert_to_tensor(x)
        fns = {i: (lambda f: lambda: f(x))(inference_fn(m)) for i, m in enumerate(models)}
        seconds = call_seconds(fns, repeats=count, warmup=1)
        return [seconds[i] for i in range(len(models))]

    def medians(models, x, count):
        return [statistics.median(times) for times in rounds(models, x, count)]

    def timed_build(builder, **kwargs):
        start = time.perf_counter()
        model = builder(**kwargs)
        return model, time.perf_counter() - start

    pairs = [
        ("Xception", xception, keras.applications.Xception, 299, 1.05),
        ("InceptionV3", inception_v3, keras.applications.InceptionV3, 299, 1.05),
        ("MobileNet 1.0", mobilenet, keras.applications.MobileNet, 224, 1.05),
        (f"ResNeXt-50 ({resolve_implementation('auto')}) vs ResNet50",
         resnext50, keras.applications.ResNet50, 224, 1.2),
    ]
    target_head = f" {'target':>7}" if targets else ""
    print(f"\n{'model':<38} {'build ours':>10} {'build ref':>10} {'ours ms':>9} "
          f"{'ref ms':>9} {'ratio':>6}{target_head}")
    for label, ours_fn, ref_fn, size, target in pairs:
        keras.backend.clear_session()
        ours, ours_build = timed_build(ours_fn)
        ref, ref_build = timed_build(ref_fn, weights=None)
        x = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
        s_ours, s_ref = rounds([ours, ref], x, repeats)
        t_ours, t_ref = statistics.median(s_ours), statistics.median(s_ref)
        ratio = t_ours / t_ref
        results["pairs"][label] = dict(
            ours_ms=1e3 * t_ours, ref_ms=1e3 * t_ref, ratio=ratio,
            round_ratios=[a / b for a, b in zip(s_ours, s_ref)],
            build_ours_s=ours_build, build_ref_s=ref_build)
        verdict = (f" {'<=' + str(target):>6} {'ok' if ratio <= target else 'MISS'}"
                   if targets else "")
        print(f"{label:<38} {ours_build:>9.2f}s {ref_build:>9.2f}s {t_ours * 1e3:>9.1f} "
              f"{t_ref * 1e3:>9.1f} {ratio:>6.3f}{verdict}")

    keras.backend.clear_session()
    grouped_model, grouped_build = timed_build(resnext50, implementation="grouped")
    split_model, split_build = timed_build(resnext50, implementation="split")
    print(f"\nResNeXt-50 build: grouped {grouped_build:.2f}s, split {split_build:.2f}s")
    x = rng.uniform(-1, 1, (batch, 224, 224, 3)).astype("float32")
    t_grouped, t_split = medians([grouped_model, split_model], x, repeats)
    results["resnext"] = dict(grouped_ms=1e3 * t_grouped, split_ms=1e3 * t_split,
                              build_grouped_s=grouped_build, build_split_s=split_build)
    print(f"ResNeXt-50 forward: grouped {t_grouped * 1e3:.1f} ms, split {t_split * 1e3:.1f} ms, "
          f"grouped/split {t_grouped / t_split:.2f}")

    direct_differs = backend == "tensorflow"
    if direct_differs:
        print(f"\nResNeXt grouped 3x3 conv (32 groups, batch {batch}): Keras Conv2D(groups=32) "
              "(XLA), GroupedConv2D (direct), 32 Conv2D on channel slices (split)")
    else:
        print(f"\nResNeXt grouped 3x3 conv (32 groups, batch {batch}): Keras Conv2D(groups=32), "
              f"32 Conv2D on channel slices (split). GroupedConv2D (direct) is TensorFlow's "
              f"fast path; on {backend} it is Conv2D(groups), the same layer.")
    print(f"{'input (HxWxC)':<16} {'keras ms':>9} {'direct ms':>10} {'split ms':>9} "
          f"{'keras/split':>12} {'direct/split':>13}")
    for size, width in ((56, 128), (28, 256), (14, 512), (7, 1024)):
        keras.backend.clear_session()
        inputs = keras.Input((size, size, width))
        padded = layers.ZeroPadding2D(1)(inputs)
        candidates = [keras.Model(inputs, layers.Conv2D(width, 3, groups=32,
                                                        use_bias=False)(padded))]
        if direct_differs:
            candidates.append(keras.Model(inputs, GroupedConv2D(width, 3, groups=32,
                                                                use_bias=False)(padded)))
        paths = [layers.Conv2D(width // 32, 3, use_bias=False)(p)
                 for p in ops.split(padded, 32, axis=-1)]
        candidates.append(keras.Model(inputs, layers.Concatenate()(paths)))
        x = rng.uniform(-1, 1, (batch, size, size, width)).astype("float32")
        times = medians(candidates, x, max(repeats, 5))
        t_keras, t_split = times[0], times[-1]
        t_direct = times[1] if direct_differs else t_keras
        results["grouped_conv"][f"{size}x{size}x{width}"] = dict(
            keras_ms=1e3 * t_keras, direct_ms=1e3 * t_direct if direct_differs else None,
            split_ms=1e3 * t_split)
        direct = f"{t_direct * 1e3:>10.2f}" if direct_differs else f"{'= keras':>10}"
        print(f"{f'{size}x{size}x{width}':<16} {t_keras * 1e3:>9.2f} {direct} "
              f"{t_split * 1e3:>9.2f} {t_keras / t_split:>12.2f} {t_direct / t_split:>13.2f}")
    return results


def _backends_table(batch, repeats, input_size, python, timeout_s):
    """``python -m lessons_lib.bench backends``: :data:`BACKENDS_ITEMS` on every backend."""
    start = time.perf_counter()
    table, notes = backend_latency(BACKENDS_ITEMS, BACKENDS, batch=batch, repeats=repeats,
                                   input_size=input_size, timeout_s=timeout_s, python=python)
    sizes = f"models at {input_size} px" if input_size else "models at their default sizes"
    print(f"lessons_lib.bench backends: ms per batch of {batch}, median of {repeats} "
          f"interleaved repeats, {sizes}; one child process per backend, one after the other")
    for backend, note in notes.items():
        print(f"  {backend}: {note}")
    print()
    print(table.round(2).to_string(na_rep="-"))
    print(f"\n{time.perf_counter() - start:.0f} s in all")
    return table, notes


def _python_option(text):
    backend, sep, path = text.partition("=")
    if not sep or backend not in BACKENDS or not path:
        raise argparse.ArgumentTypeError(f"expected BACKEND=PATH with BACKEND one of "
                                         f"{list(BACKENDS)}, got {text!r}")
    return backend, path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="applications",
                        choices=("applications", "backends", "latency"),
                        help="applications (default): ours against keras.applications on the "
                             "current backend; backends: one table across TensorFlow, JAX and "
                             "PyTorch; latency: one backend's child process")
    parser.add_argument("--quick", action="store_true",
                        help="batch 1, 3 repeats (default: batch 4, 21 repeats; backends: "
                             "batch 1, 5 repeats)")
    parser.add_argument("--no-targets", action="store_true",
                        help="applications: print the measured ratios without the target "
                             "column (what the book shows)")
    parser.add_argument("--batch", type=int, default=None, help="images per forward pass")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per model")
    parser.add_argument("--input-size", type=int, default=None,
                        help="backends / latency: input side of the models (default: theirs)")
    parser.add_argument("--python", type=_python_option, action="append", default=[],
                        metavar="BACKEND=PATH",
                        help="backends: the interpreter of that backend's child, e.g. "
                             "jax=.venv-jax/bin/python (default: this one)")
    parser.add_argument("--timeout", type=int, default=900,
                        help="backends: seconds one child may take")
    parser.add_argument("--backend", choices=BACKENDS, help="latency: the backend to time")
    parser.add_argument("--models", nargs="+", default=list(MODEL_NAMES),
                        help="latency: the items to time (see build_item)")
    parser.add_argument("--seed", type=int, default=0, help="latency: weights and inputs")
    parser.add_argument("--json", action="store_true", help="latency: print one JSON line")
    args = parser.parse_args(argv)

    if args.command == "latency":
        if args.backend is None:
            parser.error("latency needs --backend")
        result = latency_child(args.backend, args.models, batch=args.batch or 1,
                               repeats=args.repeats or 3, input_size=args.input_size,
                               seed=args.seed)
        print(json.dumps(result) if args.json else result, flush=True)
        return result
    if args.command == "backends":
        return _backends_table(args.batch or 1, args.repeats or (3 if args.quick else 5),
                               args.input_size, dict(args.python), args.timeout)
    # 21 repeats: with 9, one run on the shared 2-core machine gave ResNeXt/ResNet 1.37
    # where runs with 21 gave 1.17-1.18; the median needs enough samples to be stable.
    return _applications(args.batch or (1 if args.quick else 4),
                         args.repeats or (3 if args.quick else 21), targets=not args.no_targets)


if __name__ == "__main__":
    main()
