"""lessons_lib.bench on every backend: the compiled inference call, latencies, and the table
across backends (one child process per backend).

Run it in .venv, .venv-jax and .venv-torch (KERAS_BACKEND set). The table test uses whichever
backend venvs exist (scripts/backend_envs.sh); with REQUIRE_BACKENDS=1 a missing one fails it.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib import bench  # noqa: E402
from lessons_lib.models import randomize_weights  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BACKEND = keras.backend.backend()
#: Small items, so that a child process builds and times them in seconds.
SMALL = ["mobilenet@64", "grouped3x3@8x8x64", "depthwise3x3@16x16x32"]


def _tiny_model():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.BatchNormalization()(x)
    outputs = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(x))
    return randomize_weights(keras.Model(inputs, outputs), seed=0)


def test_inference_fn_gives_the_models_inference_output():
    model = _tiny_model()
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
    expected = model.predict(x, verbose=0)       # inference mode: BN uses moving statistics
    fn = bench.inference_fn(model)               # made after predict (see its docstring)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(fn(x)), expected, rtol=1e-5,
                               atol=1e-5)
    before = [w.copy() for w in model.get_weights()]
    fn(keras.ops.convert_to_tensor(x))           # a backend tensor works too, and
    for a, b in zip(model.get_weights(), before):  # no weight or statistic changes
        np.testing.assert_array_equal(a, b)
    model.set_weights([2 * w for w in before])   # a new function sees new weights
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bench.inference_fn(model)(x)),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_forward_latency_times_every_model():
    models = {"tiny": _tiny_model(), "layer": bench.build_item("depthwise3x3@16x16x32")}
    ms = bench.forward_latency(models, batch=2, repeats=2)
    assert list(ms) == ["tiny", "layer"]
    assert all(0 < v < 10_000 for v in ms.values())


def test_forward_latency_samples_are_the_timed_calls():
    models = {"tiny": _tiny_model(), "layer": bench.build_item("depthwise3x3@8x8x32")}
    medians, samples = bench.forward_latency(models, batch=1, repeats=3, samples=True)
    assert list(samples) == ["tiny", "layer"] and all(len(v) == 3 for v in samples.values())
    for name, times in samples.items():
        assert sorted(times)[1] == medians[name] and all(t > 0 for t in times)


def test_forward_latency_bad_arguments():
    model = _tiny_model()
    with pytest.raises(ValueError, match="`models` must name at least one model"):
        bench.forward_latency({})
    with pytest.raises(TypeError, match="`models` must be a dict of name -> keras.Model"):
        bench.forward_latency([model])
    with pytest.raises(ValueError, match="`batch` must be an integer >= 1; received batch=0"):
        bench.forward_latency({"m": model}, batch=0)
    with pytest.raises(TypeError, match="`repeats` must be an integer >= 1"):
        bench.forward_latency({"m": model}, repeats=2.5)


def test_build_item_names_sizes_and_seeded_weights():
    grouped = bench.build_item("grouped3x3@8x8x64")
    assert grouped.input_shape == (None, 8, 8, 64) and grouped.output_shape == (None, 8, 8, 64)
    assert grouped.layers[-1].groups == 32 and type(grouped.layers[-1]).__name__ == "GroupedConv2D"
    depthwise = bench.build_item("depthwise3x3@16x16x32")
    assert type(depthwise.layers[-1]).__name__ == "DepthwiseConv2D"
    small = bench.build_item("mobilenet@64")
    assert small.input_shape == (None, 64, 64, 3)
    assert bench.build_item("mobilenet", input_size=96).input_shape == (None, 96, 96, 3)
    again = bench.build_item("mobilenet@64")
    for a, b in zip(small.get_weights(), again.get_weights()):   # seeded: the same weights
        np.testing.assert_array_equal(a, b)
    for bad in ("vgg16", "xception@", "xception@1x2", "xception@-5", "grouped3x3@56",
                "grouped3x3@axbxc", "grouped3x3@8x8x48", "depthwise3x3@0x8x8"):
        with pytest.raises(ValueError, match=f"`model` must be a model of .*received "
                                             f"model='{bad}'"):
            bench.build_item(bad)
    with pytest.raises(TypeError, match="`model` must be a string naming .*received model=3"):
        bench.build_item(3)
    with pytest.raises(ValueError, match="`input_size` must be an integer >= 32"):
        bench.build_item("mobilenet", input_size=16)


def test_latency_child_in_process(capsys):
    """``python -m lessons_lib.bench latency --json``, run here on the current backend."""
    result = bench.main(["latency", "--backend", BACKEND, "--models", "depthwise3x3@8x8x32",
                         "--repeats", "1", "--json"])
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line == json.loads(json.dumps(result))
    assert line["status"] == "ok" and line["backend"] == BACKEND
    assert line["device"].startswith(("CPU", "GPU")) and line["ms"]["depthwise3x3@8x8x32"] > 0


def _missing_here():
    return [b for b in bench.BACKENDS if importlib.util.find_spec(bench.PACKAGES[b]) is None]


def _python_without(package, folder):
    """An "interpreter" for the children: this Python with ``package`` hidden (as if it
    were not installed), running ``-m lessons_lib.bench ...`` as the real one would."""
    script = folder / f"python-without-{package}"
    script.write_text(
        "#!/bin/sh\n"
        f'exec "{sys.executable}" -c "import runpy, sys; sys.modules[\'{package}\'] = None; '
        "assert sys.argv[1:3] == ['-m', 'lessons_lib.bench'], sys.argv; "
        "sys.argv = ['bench'] + sys.argv[3:]; "
        "runpy.run_module('lessons_lib.bench', run_name='__main__')\" \"$@\"\n")
    script.chmod(0o755)
    return str(script)


def test_a_backend_that_is_not_installed_is_a_note_not_an_error(tmp_path):
    python = {b: _python_without(bench.PACKAGES[b], tmp_path) for b in bench.BACKENDS}
    table, notes = bench.backend_latency(SMALL, python=python)
    assert list(table.columns) == list(bench.BACKENDS) and list(table.index) == SMALL
    assert table.isna().all().all()
    for backend in bench.BACKENDS:
        assert notes[backend] == f"not installed ({bench.INSTALL[backend]})"


def test_a_failing_child_reports_its_last_error_line():
    # Xception needs at least 71 pixels: the child's builder raises.
    table, notes = bench.backend_latency(["xception"], backends=[BACKEND], input_size=40)
    assert notes[BACKEND].startswith("failed: ValueError") and "71" in notes[BACKEND]
    assert math.isnan(table.loc["xception", BACKEND])
    _, notes = bench.backend_latency(["xception"], backends=[BACKEND],
                                     python={BACKEND: "/nonexistent/python"})
    assert notes[BACKEND].startswith("failed: ") and "/nonexistent/python" in notes[BACKEND]


def _interpreters():
    """backend -> an interpreter that has it: this one, else .venv-<backend>/bin/python."""
    found, absent = {}, []
    for backend in bench.BACKENDS:
        venv = ROOT / (".venv" if backend == "tensorflow" else f".venv-{backend}") / "bin/python"
        if importlib.util.find_spec(bench.PACKAGES[backend]) is not None:
            found[backend] = sys.executable
        elif venv.exists():
            found[backend] = str(venv)
        else:
            absent.append(backend)
    return found, absent


def test_one_number_per_model_and_backend():
    found, absent = _interpreters()
    if absent:
        message = f"no environment with {absent}: run `bash scripts/backend_envs.sh`"
        if os.environ.get("REQUIRE_BACKENDS") == "1":
            pytest.fail(message + " (REQUIRE_BACKENDS=1)")
        pytest.skip(message)
    table, notes = bench.backend_latency(SMALL, batch=1, repeats=2, python=found)
    print(table.round(2).to_string(), notes, sep="\n")
    assert list(table.columns) == list(bench.BACKENDS) and list(table.index) == SMALL
    assert (table > 0).all().all() and (table < 10_000).all().all(), (table, notes)
    for backend, note in notes.items():
        assert note.startswith(("CPU", "GPU")) and bench.PACKAGES[backend] in note, note


def test_backend_latency_bad_arguments():
    with pytest.raises(ValueError, match="`models` must be a non-empty list"):
        bench.backend_latency("xception")
    with pytest.raises(ValueError, match="`model` must be .*received model='vgg'"):
        bench.backend_latency(["vgg"])
    with pytest.raises(ValueError, match="`backends` must be one of .*received backends='mxnet'"):
        bench.backend_latency(["xception"], backends=["mxnet"])
    with pytest.raises(ValueError, match="`input_size` must be an integer >= 32"):
        bench.backend_latency(["xception"], input_size=8)
    with pytest.raises(ValueError, match="`python` must be one of"):
        bench.backend_latency(["xception"], python={"jaxx": sys.executable})


def test_backends_command_prints_one_table(monkeypatch, capsys):
    """``python -m lessons_lib.bench backends``, with one small item (the real list takes a
    minute per backend); the backends not installed here say so."""
    monkeypatch.setattr(bench, "BACKENDS_ITEMS", ("depthwise3x3@8x8x32",))
    table, notes = bench.main(["backends", "--repeats", "1"])
    out = capsys.readouterr().out
    assert f"{BACKEND}: CPU" in out or f"{BACKEND}: GPU" in out
    for backend in _missing_here():
        assert f"{backend}: not installed (pip install" in out
    assert "depthwise3x3@8x8x32" in out and table.loc["depthwise3x3@8x8x32", BACKEND] > 0
    with pytest.raises(SystemExit):
        bench.main(["backends", "--python", "mxnet=/usr/bin/python3"])


def test_importing_bench_imports_no_framework():
    code = ("import sys, lessons_lib.bench; "
            "print([m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
