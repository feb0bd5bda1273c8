"""lessons_lib without TensorFlow: runs inside .venv-jax / .venv-torch (scripts/backend_envs.sh).

tests/backends/test_same_numbers.py runs this file there with KERAS_BACKEND set; in an
environment that has TensorFlow (the main .venv) it skips itself.
"""

import importlib
import importlib.util
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is not None,
    reason="TensorFlow is installed here; this test runs in .venv-jax and .venv-torch")

MODULES = ["lessons_lib", "lessons_lib.models", "lessons_lib.profiler", "lessons_lib.arithmetic",
           "lessons_lib.scale", "lessons_lib.models.resnext", "lessons_lib.data",
           "lessons_lib.data.pipelines", "lessons_lib.bench", "lessons_lib.timing",
           "lessons_lib.gradients", "lessons_lib.experiments", "lessons_lib.segmentation",
           "lessons_lib.quirks", "lessons_lib.chapter", "lessons_lib.checks", "lessons_lib.widgets",
           "lessons_lib.figures", "lessons_lib.drawings", "lessons_lib.validation"]


def test_tensorflow_is_absent():
    assert importlib.util.find_spec("tensorflow") is None
    import keras

    assert keras.backend.backend() in ("jax", "torch")


@pytest.mark.parametrize("module", MODULES)
def test_imports_without_tensorflow(module):
    importlib.import_module(module)
    assert "tensorflow" not in sys.modules


def _small(name):
    from lessons_lib import models

    logits = dict(classes=10, classifier_activation=None)
    builders = {
        "xception": lambda: models.xception(input_shape=(75, 75, 3), **logits),
        "inception_v3": lambda: models.inception_v3(input_shape=(75, 75, 3), **logits),
        "mobilenet": lambda: models.mobilenet(input_shape=(64, 64, 3), alpha=0.25, **logits),
        "resnext50": lambda: models.resnext50(input_shape=(64, 64, 3), **logits),
        "mobilenet_unet": lambda: models.mobilenet_unet(3, input_shape=(64, 64, 3), alpha=0.25),
    }
    return builders[name]()


@pytest.mark.parametrize("name", ["xception", "inception_v3", "mobilenet", "resnext50",
                                  "mobilenet_unet"])
def test_builders_predict_and_profile(name):
    import lessons_lib

    model = _small(name)
    x = np.zeros((1, *model.input_shape[1:]), "float32")
    y = np.asarray(model.predict(x, verbose=0))
    assert y.shape == (1, *model.output_shape[1:]) and np.isfinite(y).all()
    table = lessons_lib.profile(model, traffic=True)
    assert table.params.sum() == model.count_params()
    assert table.macs.sum() > 0
    assert "tensorflow" not in sys.modules


@pytest.mark.parametrize("implementation", ["auto", "grouped", "split"])
def test_resnext_implementations_run(implementation):
    """Every ResNeXt implementation builds here; "auto" must pick one that runs."""
    from lessons_lib.models import resnext50

    model = resnext50(input_shape=(32, 32, 3), classes=4, classifier_activation=None,
                      implementation=implementation)
    y = np.asarray(model.predict(np.ones((1, 32, 32, 3), "float32"), verbose=0))
    assert y.shape == (1, 4) and np.isfinite(y).all()


def test_scale_and_chapter_helpers_without_tensorflow(monkeypatch):
    from lessons_lib import chapter, scale

    assert chapter.quiet_import_tensorflow() is False
    assert isinstance(scale._gpu_names(), list)  # the backend's own GPUs; [] on a CPU machine
    monkeypatch.setenv("LESSONS_SCALE", "smoke")
    assert scale.run_scale().smoke
    assert "tensorflow" not in sys.modules
