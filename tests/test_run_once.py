"""The tests that run on one backend only (tests/conftest.py's RUN_ONCE) leave the JAX and
PyTorch runs, and only those: LESSONS_TESTS=backend deselects them, and a bad value fails.

The hook is called on stand-in items (a node id is all it reads), so this takes no time."""

import importlib.util
import pathlib
import types

import pytest

# tests/conftest.py by its path: `import conftest` could find tests/browser/conftest.py
_spec = importlib.util.spec_from_file_location(
    "tests_conftest", pathlib.Path(__file__).resolve().parent / "conftest.py")
conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conftest)


class Config:
    def __init__(self):
        self.deselected = []
        self.hook = types.SimpleNamespace(
            pytest_deselected=lambda items: self.deselected.extend(items))


def items(*nodeids):
    return [types.SimpleNamespace(nodeid=n) for n in nodeids]


NODEIDS = ("tests/test_arithmetic.py::test_pointwise_conv_matches_keras",
           "tests/test_arithmetic.py::test_worked_examples_from_the_source_notes_and_papers",
           "tests/test_bench.py::test_one_number_per_model_and_backend",
           "tests/test_bench.py::test_backend_latency_bad_arguments",
           "tests/test_arithmetic_extra.py::test_other_module",
           "tests/test_timing.py::test_call_seconds")


def test_backend_mode_deselects_exactly_the_run_once_tests(monkeypatch):
    monkeypatch.setenv("LESSONS_TESTS", "backend")
    config, collected = Config(), items(*NODEIDS)
    conftest.pytest_collection_modifyitems(config, collected)
    assert [i.nodeid for i in config.deselected] == list(NODEIDS[:3])
    assert [i.nodeid for i in collected] == list(NODEIDS[3:])


@pytest.mark.parametrize("value", [None, "all"])
def test_by_default_every_test_runs(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("LESSONS_TESTS", raising=False)
    else:
        monkeypatch.setenv("LESSONS_TESTS", value)
    config, collected = Config(), items(*NODEIDS)
    conftest.pytest_collection_modifyitems(config, collected)
    assert not config.deselected and len(collected) == len(NODEIDS)


def test_run_once_names_tests_that_exist():
    root = pathlib.Path(__file__).resolve().parents[1]
    for name in conftest.RUN_ONCE:
        path, _, test = name.partition("::")
        assert (root / path).exists(), name
        assert not test or f"def {test}(" in (root / path).read_text(), name


def test_a_bad_mode_names_the_variable(monkeypatch):
    monkeypatch.setenv("LESSONS_TESTS", "jax")
    with pytest.raises(ValueError, match="LESSONS_TESTS must be 'all' or 'backend', got 'jax'"):
        conftest.pytest_collection_modifyitems(Config(), items(*NODEIDS))
