"""Benchmark our builders against keras.applications: ``python -m lessons_lib.bench [--quick]``.

Prints, from one run on the current machine:

1. build time of each builder (seconds to construct the Keras graph);
2. forward time of each of our models divided by the keras.applications
   model with the same architecture (target <= 1.05);
3. ResNeXt-50 (``implementation="auto"``) forward time divided by
   keras.applications.ResNet50's (target <= 1.2 on CPU);
4. the grouped 3x3 conv of each ResNeXt stage three ways: Keras's
   ``Conv2D(groups=32)`` (which Keras sends through XLA), our ``GroupedConv2D``
   (TensorFlow's grouped kernel called directly) and "split" (32 convs).

Method: random weights (weights=None), a fixed random batch, inference mode
inside ``tf.function``; one warm-up call each, then the two models of a pair
are timed alternately (ours, ref, ours, ref, ...) so that slow drifts of the
machine hit both; the reported time is the median of the repeats.
"""

import argparse
import os
import statistics
import time


def _forward_fn(model):
    """A compiled inference call of ``model``. Each model gets its own ``tf.function``
    on purpose, so TensorFlow's "excessive retracing" warning (which counts traces
    across functions) is muted for the benchmark."""
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    return tf.function(lambda x: model(x, training=False))


def _interleaved_medians(fns, x, repeats):
    """Median seconds per call of each function in ``fns``, timed alternately."""
    for fn in fns:  # warm-up (traces the graph)
        fn(x).numpy()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn(x).numpy()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def forward_latency(models, batch=1, repeats=5, seed=0):
    """Median forward time of each model on this machine, in milliseconds per batch.

    Args:
        models: dict ``name -> keras.Model``; each gets a random batch of its own
            input size (read from ``model.input_shape``).
        batch: images per forward pass.
        repeats: timed calls per model, after one warm-up call (which traces the graph).
        seed: seed of the random inputs.

    Returns:
        dict ``name -> milliseconds`` (median of ``repeats``). The models are timed
        in turn, one call each per round, so slow drifts of a shared machine hit all
        of them alike.
    """
    import numpy as np

    if not models:
        raise ValueError("models must be a non-empty dict of name -> keras.Model")
    if not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive int, got {batch!r}")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    rng = np.random.default_rng(seed)
    names = list(models)
    fns, inputs = [], []
    for name in names:
        shape = tuple(models[name].input_shape[1:])
        inputs.append(rng.uniform(-1, 1, (batch,) + shape).astype("float32"))
        fns.append(_forward_fn(models[name]))
    for fn, x in zip(fns, inputs):
        fn(x).numpy()
    times = [[] for _ in names]
    for _ in range(repeats):
        for i, (fn, x) in enumerate(zip(fns, inputs)):
            start = time.perf_counter()
            fn(x).numpy()
            times[i].append(time.perf_counter() - start)
    return {name: 1e3 * statistics.median(t) for name, t in zip(names, times)}


def _timed_build(builder, **kwargs):
    start = time.perf_counter()
    model = builder(**kwargs)
    return model, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="batch 1, 3 repeats (default: batch 4, 21 repeats)")
    parser.add_argument("--batch", type=int, default=None, help="images per forward pass")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per model")
    args = parser.parse_args(argv)
    batch = args.batch or (1 if args.quick else 4)
    # 21 repeats: with 9, one run on the shared 2-core machine gave ResNeXt/ResNet 1.37
    # where runs with 21 gave 1.17-1.18; the median needs enough samples to be stable.
    repeats = args.repeats or (3 if args.quick else 21)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import numpy as np
    import tensorflow as tf

    from lessons_lib.models import inception_v3, mobilenet, resnext50, xception
    from lessons_lib.models.resnext import resolve_implementation

    devices = tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("CPU")
    print(f"lessons_lib.bench: TF {tf.__version__}, Keras {keras.__version__}, "
          f"device {devices[0].device_type}, {os.cpu_count()} CPU cores, batch {batch}, "
          f"median of {repeats} interleaved repeats")
    rng = np.random.default_rng(0)

    pairs = [
        ("Xception", xception, keras.applications.Xception, 299, 1.05),
        ("InceptionV3", inception_v3, keras.applications.InceptionV3, 299, 1.05),
        ("MobileNet 1.0", mobilenet, keras.applications.MobileNet, 224, 1.05),
        (f"ResNeXt-50 ({resolve_implementation('auto')}) vs ResNet50",
         resnext50, keras.applications.ResNet50, 224, 1.2),
    ]
    print(f"\n{'model':<38} {'build ours':>10} {'build ref':>10} {'ours ms':>9} "
          f"{'ref ms':>9} {'ratio':>6} {'target':>7}")
    for label, ours_fn, ref_fn, size, target in pairs:
        keras.backend.clear_session()
        ours, ours_build = _timed_build(ours_fn)
        ref, ref_build = _timed_build(ref_fn, weights=None)
        x = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
        t_ours, t_ref = _interleaved_medians([_forward_fn(ours), _forward_fn(ref)], x, repeats)
        ratio = t_ours / t_ref
        verdict = "ok" if ratio <= target else "MISS"
        print(f"{label:<38} {ours_build:>9.2f}s {ref_build:>9.2f}s {t_ours * 1e3:>9.1f} "
              f"{t_ref * 1e3:>9.1f} {ratio:>6.3f} {'<=' + str(target):>6} {verdict}")

    keras.backend.clear_session()
    grouped_model, grouped_build = _timed_build(resnext50, implementation="grouped")
    split_model, split_build = _timed_build(resnext50, implementation="split")
    print(f"\nResNeXt-50 build: grouped {grouped_build:.2f}s, split {split_build:.2f}s")
    x = rng.uniform(-1, 1, (batch, 224, 224, 3)).astype("float32")
    t_grouped, t_split = _interleaved_medians([_forward_fn(grouped_model),
                                               _forward_fn(split_model)], x, repeats)
    print(f"ResNeXt-50 forward: grouped {t_grouped * 1e3:.1f} ms, split {t_split * 1e3:.1f} ms, "
          f"grouped/split {t_grouped / t_split:.2f}")

    print(f"\nResNeXt grouped 3x3 conv (32 groups, batch {batch}): Keras Conv2D(groups=32) "
          "(XLA), GroupedConv2D (direct), 32 Conv2D on channel slices (split)")
    print(f"{'input (HxWxC)':<16} {'keras ms':>9} {'direct ms':>10} {'split ms':>9} "
          f"{'keras/split':>12} {'direct/split':>13}")
    from keras import layers, ops

    from lessons_lib.models.resnext import GroupedConv2D
    for size, width in ((56, 128), (28, 256), (14, 512), (7, 1024)):
        keras.backend.clear_session()
        inputs = keras.Input((size, size, width))
        padded = layers.ZeroPadding2D(1)(inputs)
        via_keras = keras.Model(inputs, layers.Conv2D(width, 3, groups=32,
                                                      use_bias=False)(padded))
        direct = keras.Model(inputs, GroupedConv2D(width, 3, groups=32, use_bias=False)(padded))
        paths = [layers.Conv2D(width // 32, 3, use_bias=False)(p)
                 for p in ops.split(padded, 32, axis=-1)]
        split = keras.Model(inputs, layers.Concatenate()(paths))
        x = rng.uniform(-1, 1, (batch, size, size, width)).astype("float32")
        t_keras, t_direct, t_split = _interleaved_medians(
            [_forward_fn(via_keras), _forward_fn(direct), _forward_fn(split)], x,
            max(repeats, 5))
        print(f"{f'{size}x{size}x{width}':<16} {t_keras * 1e3:>9.2f} {t_direct * 1e3:>10.2f} "
              f"{t_split * 1e3:>9.2f} {t_keras / t_split:>12.2f} {t_direct / t_split:>13.2f}")


if __name__ == "__main__":
    main()
