"""The run scale is chosen in one place and says why; smoke runs full sizes, short loops."""

import sys

import pytest

from lessons_lib import chapter, scale
from lessons_lib.chapter import colab_gpu_advice, set_seed, start_chapter

GPU = "/physical_device:GPU:0"


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(scale, "_gpu_names", lambda: [])


@pytest.fixture
def one_gpu(monkeypatch):
    monkeypatch.setattr(scale, "_gpu_names", lambda: [GPU])


@pytest.fixture
def colab(monkeypatch):
    """A stand-in ``google.colab`` module: what :func:`chapter.on_colab` looks for."""
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    assert chapter.on_colab()


@pytest.mark.parametrize("value, name", [("quick", "quick"), (" Quick ", "quick"),
                                         ("smoke", "smoke"), ("SMOKE", "smoke"),
                                         ("full", "full")])
def test_environment_variable_wins_over_the_hardware(one_gpu, value, name):
    chosen = scale.run_scale({"LESSONS_SCALE": value})
    assert chosen.name == name and chosen.requested
    assert f"LESSONS_SCALE={name}" in chosen.reason and chosen.gpus == (GPU,)


def test_hardware_decides_without_the_variable(monkeypatch):
    monkeypatch.setattr(scale, "_gpu_names", lambda: [])
    chosen = scale.run_scale({"LESSONS_SCALE": ""})
    assert chosen.name == "quick" and not chosen.requested and "no GPU" in chosen.reason
    monkeypatch.setattr(scale, "_gpu_names", lambda: [GPU])
    chosen = scale.run_scale({})
    assert chosen.name == "full" and GPU in chosen.reason and chosen.pick(1, 2) == 2


@pytest.mark.parametrize("bad", ["fast", "full scale", "1"])
def test_bad_value_is_a_clear_error(no_gpu, bad):
    with pytest.raises(ValueError) as err:
        scale.run_scale({"LESSONS_SCALE": bad})
    for word in ("LESSONS_SCALE", repr(bad), "'quick'", "'smoke'", "'full'"):
        assert word in str(err.value)


def test_run_scale_reads_os_environ_by_default(monkeypatch, no_gpu):
    monkeypatch.setenv("LESSONS_SCALE", "smoke")
    assert scale.run_scale().smoke
    monkeypatch.delenv("LESSONS_SCALE")
    assert scale.run_scale().quick


def test_no_tensorflow_means_no_gpu(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` fail
    assert scale._gpu_names() == []
    assert scale.run_scale({}).name == "quick"


@pytest.mark.parametrize("name, flags", [("quick", (True, False, False)),
                                         ("smoke", (False, True, True)),
                                         ("full", (False, False, True))])
def test_flags(name, flags):
    s = scale.RunScale(name, "test")
    assert (s.quick, s.smoke, s.full) == flags


def test_pick_gives_full_in_smoke_unless_a_smoke_value_is_given():
    quick, smoke, full = (scale.RunScale(n, "test") for n in ("quick", "smoke", "full"))
    assert [s.pick(quick=1, full=2) for s in (quick, smoke, full)] == [1, 2, 2]
    assert [s.pick(quick=1, full=2, smoke=3) for s in (quick, smoke, full)] == [1, 3, 2]
    assert smoke.pick(quick=6, full=-1, smoke=0) == 0  # a falsy smoke value still counts
    assert smoke.pick(quick="a", full="b", smoke=None) == "b"


def test_every_scale_says_what_it_is():
    assert "one or two steps" in str(scale.RunScale("smoke", "why"))
    for name in scale.SCALES:
        text = str(scale.RunScale(name, "the reason"))
        assert text.startswith(f"Run scale: {name}, ") and text.endswith("(the reason)")
    with pytest.raises(ValueError, match="`name` must be one of .*received name='medium'"):
        scale.RunScale("medium", "test")


@pytest.mark.parametrize("env, gpus, missing", [
    ({}, [], True),                             # quick because no GPU was found
    ({}, [GPU], False),                         # full on a GPU
    ({"LESSONS_SCALE": "full"}, [], True),      # full asked for on a CPU
    ({"LESSONS_SCALE": "full"}, [GPU], False),
    ({"LESSONS_SCALE": "quick"}, [], False),    # quick asked for: nothing to add
    ({"LESSONS_SCALE": "smoke"}, [], False),    # smoke is meant for a CPU
])
def test_missing_gpu(monkeypatch, env, gpus, missing):
    monkeypatch.setattr(scale, "_gpu_names", lambda: gpus)
    chosen = scale.run_scale(env)
    assert chosen.missing_gpu is missing
    assert ("no GPU found" in chosen.reason) is missing  # the printed line says it too


def test_colab_advice_only_on_colab_and_only_when_a_gpu_is_missing(monkeypatch, no_gpu):
    quick_no_gpu = scale.run_scale({})
    full_on_cpu = scale.run_scale({"LESSONS_SCALE": "full"})
    assert colab_gpu_advice(quick_no_gpu) == ""   # not on Colab: no Colab menus to name
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    for chosen, now in ((quick_no_gpu, "runs at quick scale"), (full_on_cpu, "long time")):
        advice = colab_gpu_advice(chosen)
        assert now in advice and "Runtime > Change runtime type" in advice and "GPU" in advice
    assert colab_gpu_advice(scale.run_scale({"LESSONS_SCALE": "quick"})) == ""
    monkeypatch.setattr(scale, "_gpu_names", lambda: [GPU])
    assert colab_gpu_advice(scale.run_scale({})) == ""


@pytest.mark.parametrize("value, shown", [("", True), ("full", True), ("smoke", False)])
def test_start_chapter_prints_the_colab_advice(capsys, monkeypatch, no_gpu, colab, value, shown):
    monkeypatch.setenv("LESSONS_SCALE", value)
    start_chapter(seed=0)
    out = capsys.readouterr().out
    assert ("Runtime > Change runtime type" in out) is shown


def test_start_chapter_prints_the_scale_and_seeds(capsys, monkeypatch, no_gpu):
    import numpy as np
    monkeypatch.setenv("LESSONS_SCALE", "quick")
    s = start_chapter(seed=3)
    assert s.quick
    out = capsys.readouterr().out
    assert "Run scale: quick" in out and "seed=3" in out and "Change runtime type" not in out
    assert f"Keras backend: {chapter.keras_backend()}. To switch, set KERAS_BACKEND" in out
    first = np.random.rand()
    set_seed(3)
    assert np.random.rand() == first
    with pytest.raises(ValueError, match="seed"):
        set_seed(-1)
    monkeypatch.setenv("LESSONS_SCALE", "smoke")
    assert start_chapter(seed=3).smoke
    assert "Run scale: smoke, full-scale sizes with one or two steps" in capsys.readouterr().out


def test_accelerator_follows_the_backends_gpus(monkeypatch):
    monkeypatch.setattr(scale, "_gpu_names", lambda: [])
    assert scale.accelerator() == "CPU"
    monkeypatch.setattr(scale, "_gpu_names", lambda: [GPU])
    assert scale.accelerator() == "GPU"


def test_keras_backend_is_read_without_importing_keras(monkeypatch, tmp_path):
    import keras

    assert chapter.keras_backend() == keras.backend.backend()   # Keras imported: its answer
    monkeypatch.delitem(sys.modules, "keras")                    # as before Keras is imported
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert chapter.keras_backend() == "tensorflow"               # Keras's default
    (tmp_path / "keras.json").write_text('{"backend": "torch"}')
    assert chapter.keras_backend() == "torch"                    # the config file
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert chapter.keras_backend() == "jax"                      # the variable wins
    assert "keras" not in sys.modules


def test_tensorflow_is_imported_only_on_its_backend(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setattr(chapter, "keras_backend", lambda: "jax")
    assert chapter.quiet_import_tensorflow() is False
    assert "tensorflow" not in sys.modules


@pytest.mark.parametrize("backend, others", [("tensorflow", "jax or torch"),
                                             ("jax", "tensorflow or torch"),
                                             ("torch", "tensorflow or jax")])
def test_backend_advice_says_how_to_switch(backend, others):
    text = chapter.backend_advice(backend)
    assert text.startswith(f"Keras backend: {backend}. To switch, set KERAS_BACKEND to {others} "
                           "before Keras is imported")
    assert 'os.environ["KERAS_BACKEND"]' in text and "Runtime > Restart session" in text
    assert "\n" not in text and len(text) < 260


def test_start_chapter_bad_arguments():
    with pytest.raises(ValueError, match="`seed` must be an integer >= 0; received seed=-1"):
        start_chapter(seed=-1)
    with pytest.raises(TypeError, match="`verbose` must be True or False"):
        start_chapter(verbose="yes")
