"""scale._gpu_names without TensorFlow asks the active Keras backend (JAX or PyTorch)."""

import sys
import types

import keras

from lessons_lib import scale


class _Device:
    def __init__(self, platform, name):
        self.platform, self.name = platform, name

    def __str__(self):
        return self.name


def test_jax_backend_gpus_without_tensorflow(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` fail
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    fake = types.SimpleNamespace(devices=lambda: [_Device("cpu", "TFRT_CPU_0"),
                                                  _Device("gpu", "cuda:0")])
    monkeypatch.setitem(sys.modules, "jax", fake)
    assert scale._gpu_names() == ["cuda:0"]
    assert scale.run_scale({}).name == "full"


def test_torch_backend_gpus_without_tensorflow(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    cuda = types.SimpleNamespace(device_count=lambda: 2, get_device_name=lambda i: f"H100 #{i}")
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))
    assert scale._gpu_names() == ["H100 #0", "H100 #1"]


def test_backend_not_installed_means_no_gpu(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    monkeypatch.setitem(sys.modules, "jax", None)
    assert scale._gpu_names() == []
