"""The run scale is chosen in one place and says why."""

import pytest

from lessons_lib import scale
from lessons_lib.chapter import set_seed, start_chapter


def test_environment_variable_wins():
    s = scale.run_scale({"LESSONS_SCALE": "full"})
    assert s.name == "full" and not s.quick and "LESSONS_SCALE=full" in s.reason
    assert scale.run_scale({"LESSONS_SCALE": " Quick "}).pick(quick=1, full=2) == 1


def test_hardware_decides_without_the_variable(monkeypatch):
    monkeypatch.setattr(scale, "_gpu_names", lambda: [])
    assert scale.run_scale({}).name == "quick"
    monkeypatch.setattr(scale, "_gpu_names", lambda: ["/physical_device:GPU:0"])
    chosen = scale.run_scale({})
    assert chosen.name == "full" and "GPU" in chosen.reason and chosen.pick(1, 2) == 2


def test_bad_value_is_a_clear_error():
    with pytest.raises(ValueError, match="LESSONS_SCALE.*'fast'"):
        scale.run_scale({"LESSONS_SCALE": "fast"})


def test_start_chapter_prints_the_scale_and_seeds(capsys, monkeypatch):
    import numpy as np
    monkeypatch.setenv("LESSONS_SCALE", "quick")
    s = start_chapter(seed=3)
    assert s.quick
    assert "Run scale: quick" in capsys.readouterr().out
    first = np.random.rand()
    set_seed(3)
    assert np.random.rand() == first
    with pytest.raises(ValueError, match="seed"):
        set_seed(-1)
