"""The same numbers on TensorFlow, JAX and PyTorch (issue 11, item 3), and lessons_lib there.

TensorFlow (this venv) builds the five models (tests/backends/same_numbers.py), gives them seeded
random weights and records their outputs; .venv-jax and .venv-torch (scripts/backend_envs.sh,
no TensorFlow) load those weights and must give the same outputs, parameter and MAC counts.
Outputs must agree within 1e-4 of the output's scale: max |y - y_tf| <= 1e-4 * max(1, max |y_tf|)
(an absolute 1e-4 for outputs up to 1, relative beyond: with random weights Xception's logits
reach ~5e6 and ResNeXt's ~1e4, where float32 itself cannot resolve 1e-4).

Without the backend venvs these tests skip; with REQUIRE_BACKENDS=1 they fail instead.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("same_numbers.py")
MODEL_NAMES = ["xception", "inception_v3", "mobilenet", "resnext50", "mobilenet_unet"]
BACKENDS = ["jax", "torch"]
TOLERANCE = 1e-4

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None,
    reason="records TensorFlow's numbers: run from the main .venv, not a backend venv")


def _env(backend):
    return dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")


def _python(backend):
    """The backend venv's python, or skip (fail with REQUIRE_BACKENDS=1) when it is missing."""
    python = ROOT / f".venv-{backend}" / "bin" / "python"
    if not python.exists():
        message = f"{python} is missing: run `bash scripts/backend_envs.sh`"
        if os.environ.get("REQUIRE_BACKENDS") == "1":
            pytest.fail(message + " (REQUIRE_BACKENDS=1)")
        pytest.skip(message)
    return python


def _run(python, args, backend):
    done = subprocess.run([str(python), *args], cwd=ROOT, env=_env(backend),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (f"{' '.join(map(str, args))} failed on {backend}:\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Directory with TensorFlow's weights, inputs, outputs and counts of the five models."""
    directory = tmp_path_factory.mktemp("tf_reference")
    _run(sys.executable, [DRIVER, "record", directory], "tensorflow")
    return directory


@pytest.fixture(scope="module", params=BACKENDS)
def compared(request):
    """(backend, {model: result}) of same_numbers.py compare in that backend's venv."""
    backend = request.param
    python = _python(backend)
    directory = request.getfixturevalue("recorded")
    out = _run(python, [DRIVER, "compare", directory], backend)
    results = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return backend, {r["model"]: r for r in results}


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_same_outputs_params_and_macs(compared, model):
    backend, results = compared
    r = results[model]
    assert r["backend"] == backend
    assert r["shape_ok"]
    bound = TOLERANCE * max(1.0, r["output_scale"])
    print(f"{model} on {backend}: max |y - y_tf| = {r['max_abs_diff']:.3g} "
          f"(output scale {r['output_scale']:.3g}, bound {bound:.3g})")
    assert r["max_abs_diff"] <= bound, r
    assert (r["params"], r["macs"]) == (r["tf_params"], r["tf_macs"]), r


@pytest.mark.parametrize("backend", BACKENDS)
def test_lessons_lib_without_tensorflow(backend):
    """tests/backends/test_no_tensorflow.py passes inside the backend venv."""
    python = _python(backend)
    here = Path(__file__).parent  # --confcutdir: no conftest.py of tests/ (browser hooks)
    out = _run(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", f"--confcutdir={here}",
                        here / "test_no_tensorflow.py"], backend)
    assert " passed" in out and "skipped" not in out, out[-2000:]
