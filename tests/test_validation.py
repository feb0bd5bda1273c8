"""lessons_lib.validation: the one set of argument checks, and the one wording of its errors.

Every message has the form "`name` must <what is allowed>; received name=<value>." (plus
" (type T)" for a wrong type), so each case below states the exact text.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lessons_lib import validation as v


def raised(error, call) -> str:
    """The message of the ``error`` that ``call()`` raises (the test fails if it raises none)."""
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error
    return str(info.value)


def test_imports_only_the_standard_library():
    code = ("import sys; before = set(sys.modules); import lessons_lib.validation; "
            "print(sorted(m for m in set(sys.modules) - before "
            "if m.split('.')[0] in ('numpy', 'keras', 'tensorflow', 'PIL')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------- check_int


@pytest.mark.parametrize("value", [0, 5, -3, 10**12, np.int64(7), np.int8(-2), np.uint16(9)])
def test_check_int_accepts_python_and_numpy_integers_and_returns_an_int(value):
    result = v.check_int("n", value)
    assert result == int(value) and type(result) is int


@pytest.mark.parametrize("value", [True, False, np.bool_(True), 3.0, np.float32(3), "3", None,
                                   [3], 3 + 0j])
def test_check_int_refuses_bool_floats_and_other_types(value):
    message = raised(TypeError, lambda: v.check_int("n", value, 1))
    kind = type(value).__name__
    assert message == f"`n` must be an integer >= 1; received n={value!r} (type {kind})."


@pytest.mark.parametrize("minimum, maximum, inside, value, allowed", [
    (1, None, 1, 0, ">= 1"),
    (None, 10, 10, 11, "<= 10"),
    (2, 6, 6, 9, "in [2, 6]"),
    (2, 6, 2, 1, "in [2, 6]"),
])
def test_check_int_bounds(minimum, maximum, inside, value, allowed):
    assert v.check_int("k", inside, minimum, maximum) == inside  # bounds are included
    message = raised(ValueError, lambda: v.check_int("k", value, minimum, maximum))
    assert message == f"`k` must be an integer {allowed}; received k={value}."


def test_check_int_shows_numpy_values_as_plain_numbers():
    message = raised(ValueError, lambda: v.check_int("n", np.int64(-4), 0))
    assert message == "`n` must be an integer >= 0; received n=-4."


# ---------------------------------------------------------------------------- check_float


@pytest.mark.parametrize("value", [0.5, 1, np.float32(0.25), np.float64(2.0), np.int32(3)])
def test_check_float_accepts_real_numbers_and_returns_a_float(value):
    result = v.check_float("x", value)
    assert result == float(value) and type(result) is float


@pytest.mark.parametrize("value", [True, "0.5", None, 1j, [0.5]])
def test_check_float_refuses_bool_and_other_types(value):
    message = raised(TypeError, lambda: v.check_float("x", value, 0, 1))
    assert message == (f"`x` must be a number in [0, 1]; received x={value!r} "
                       f"(type {type(value).__name__}).")


@pytest.mark.parametrize("kwargs, value, allowed", [
    ({"minimum": 0}, -0.1, ">= 0"),
    ({"minimum": 0, "open_min": True}, 0, "> 0"),
    ({"maximum": 1, "open_max": True}, 1.0, "< 1"),
    ({"maximum": 1}, 1.5, "<= 1"),
    ({"minimum": 0, "maximum": 1, "open_max": True}, 1, "in [0, 1)"),
    ({"minimum": 0, "maximum": 1, "open_min": True}, 0.0, "in (0, 1]"),
])
def test_check_float_bounds_open_and_closed(kwargs, value, allowed):
    message = raised(ValueError, lambda: v.check_float("x", value, **kwargs))
    assert message == f"`x` must be a number {allowed}; received x={value!r}."


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -np.inf])
def test_check_float_refuses_nan_and_infinity(value):
    message = raised(ValueError, lambda: v.check_float("x", value))
    assert message == f"`x` must be a number; received x={value!r}."


def test_check_float_keeps_closed_bounds():
    assert v.check_float("x", 0, 0, 1) == 0.0 and v.check_float("x", 1, 0, 1) == 1.0


# ---------------------------------------------------------------------------- check_fraction


def test_check_fraction_is_strictly_between_0_and_1():
    assert v.check_fraction("val_fraction", 0.2) == 0.2
    assert v.check_fraction("val_fraction", np.float32(0.5)) == 0.5
    for value in (0, 1, 1.0, -0.1):
        message = raised(ValueError, lambda: v.check_fraction("val_fraction", value))
        assert message == (f"`val_fraction` must be a number in (0, 1); "
                           f"received val_fraction={value!r}.")
    message = raised(TypeError, lambda: v.check_fraction("val_fraction", "0.2"))
    assert message == ("`val_fraction` must be a number in (0, 1); received "
                       "val_fraction='0.2' (type str).")


# ---------------------------------------------------------------------------- check_bool


def test_check_bool_accepts_only_true_and_false():
    assert v.check_bool("verbose", True) is True and v.check_bool("verbose", False) is False
    for value in (1, 0, "yes", None, np.bool_(True)):
        message = raised(TypeError, lambda: v.check_bool("verbose", value))
        assert message == (f"`verbose` must be True or False; received verbose={value!r} "
                           f"(type {type(value).__name__}).")


# ---------------------------------------------------------------------------- check_choice


def test_check_choice_strings():
    assert v.check_choice("prefer", "flowers", ("flowers", "generated")) == "flowers"
    message = raised(ValueError, lambda: v.check_choice("prefer", "pets", ("flowers", "generated")))
    assert message == "`prefer` must be one of ['flowers', 'generated']; received prefer='pets'."
    message = raised(TypeError, lambda: v.check_choice("prefer", 3, ("flowers", "generated")))
    assert message == ("`prefer` must be one of ['flowers', 'generated']; received prefer=3 "
                       "(type int).")


def test_check_choice_mixed_constants_and_unhashable_values():
    assert v.check_choice("pooling", None, (None, "avg", "max")) is None
    message = raised(ValueError, lambda: v.check_choice("pooling", 3, (None, "avg", "max")))
    assert message == "`pooling` must be one of [None, 'avg', 'max']; received pooling=3."
    message = raised(ValueError, lambda: v.check_choice("pooling", ["avg"], (None, "avg")))
    assert message == "`pooling` must be one of [None, 'avg']; received pooling=['avg']."


# ---------------------------------------------------------------------------- check_existing_folder


def test_check_existing_folder(tmp_path):
    assert v.check_existing_folder("data_dir", tmp_path) == tmp_path
    assert v.check_existing_folder("data_dir", str(tmp_path)) == tmp_path
    missing = str(tmp_path / "missing")
    message = raised(ValueError, lambda: v.check_existing_folder("data_dir", missing))
    assert message == f"`data_dir` must be an existing folder; received data_dir={missing!r}."
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    raised(ValueError, lambda: v.check_existing_folder("data_dir", a_file))
    message = raised(TypeError, lambda: v.check_existing_folder("data_dir", 42))
    assert message == ("`data_dir` must be a folder path (str or pathlib.Path); received "
                       "data_dir=42 (type int).")


def test_check_existing_folder_expands_the_home_folder():
    assert v.check_existing_folder("data_dir", "~") == Path.home()


def test_describe():
    assert v.describe("seed", "a") == "received seed='a' (type str)"
