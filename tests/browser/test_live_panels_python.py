"""The Python side of the live panels (scripts/live_panels/live_panels.py), in CPython.

No browser needed: the same module runs in Pyodide on the book's pages
(tests/browser/test_pages_live_panels.py checks that).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from lessons_lib import arithmetic as ar
from lessons_lib import factorized as fz
from lessons_lib.factorized_arithmetic import factorized_costs

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "live_panels"))
sys.path.insert(0, str(ROOT / "scripts"))
import live_panels  # noqa: E402
import offline_assets  # noqa: E402

CONV = dict(kernel_size="3", in_channels="64", out_channels="128", groups="8", stride="1",
            input_size="28", padding="same")


def test_conv_rows_are_lessons_libs_with_thousands_separators():
    result = live_panels.compute("conv-cost", CONV)
    expected = ar.compare_convolutions(28, 28, 64, 128, 3, 8, 1, 1, "same", use_bias=False)
    assert [r["name"] for r in result["rows"]] == [c.name for c in expected]
    assert [r["macs"] for r in result["rows"]] == [f"{c.macs:,}" for c in expected]
    assert [r["params"] for r in result["rows"]] == [f"{c.params:,}" for c in expected]
    assert result["rows"][0] == {"name": "standard 3x3", "output_shape": "(28, 28, 128)",
                                 "params": "73,728", "macs": "57,802,752", "share": "100.0%",
                                 "params_bar": 1.0, "macs_bar": 1.0}
    assert json.loads(live_panels.update("conv-cost", json.dumps(CONV))) == result


def test_factorized_rows_are_lessons_libs():
    result = live_panels.compute("factorized-cost",
                                 {"kernel_size": "7", "channels": "192", "input_size": "17"})
    expected = factorized_costs(7, 192, 17)
    assert [(r["name"], r["macs"]) for r in result["rows"]] == \
        [(c.name, f"{c.macs:,}") for c in expected]
    assert result["rows"][1]["share"] == f"{2 / 7:.1%}"
    assert fz.factorized_costs is factorized_costs   # one function, re-exported


@pytest.mark.parametrize("panel, change, field", [
    ("conv-cost", {"groups": "3"}, "groups"),
    ("conv-cost", {"groups": "16", "out_channels": "24"}, "groups"),
    ("conv-cost", {"kernel_size": "0"}, "kernel_size"),
    ("conv-cost", {"kernel_size": "9", "input_size": "5", "padding": "valid"}, "kernel_size"),
    ("conv-cost", {"stride": "0"}, "stride"),
    ("conv-cost", {"input_size": "-4"}, "input_size"),
    ("conv-cost", {"in_channels": ""}, "in_channels"),
    ("conv-cost", {"out_channels": "2.5"}, "out_channels"),
    ("factorized-cost", {"kernel_size": "4"}, "kernel_size"),
    ("factorized-cost", {"channels": "0"}, "channels"),
    ("factorized-cost", {"input_size": "0"}, "input_size"),
])
def test_invalid_settings_give_lessons_libs_message_and_the_field(panel, change, field):
    base = CONV if panel == "conv-cost" else {"kernel_size": "7", "channels": "192",
                                              "input_size": "17"}
    values = {**base, **change}
    function = {"conv-cost": live_panels.conv_cost,
                "factorized-cost": live_panels.factorized_cost}[panel]
    with pytest.raises((ValueError, TypeError)) as raised:
        function(**{k: live_panels.argument(v) for k, v in values.items()})
    assert live_panels.compute(panel, values) == {"error": str(raised.value), "field": field}


def test_argument_turns_only_whole_numbers_into_ints():
    assert live_panels.argument("12") == 12 and live_panels.argument(" -3 ") == -3
    assert live_panels.argument("2.5") == "2.5" and live_panels.argument("") == ""
    assert live_panels.argument("same") == "same"
    with pytest.raises(TypeError, match="text must be a str, got 3"):
        live_panels.argument(3)
    with pytest.raises(ValueError, match="panel must be one of"):
        live_panels.compute("no-such-panel", {})


def test_the_snapshot_holds_every_module_the_panels_import_and_no_numpy():
    """What make_snapshot.mjs bakes in (offline_assets.LIVE_PYTHON) is exactly what
    live_panels imports from lessons_lib, and none of it needs NumPy, plotly or Keras."""
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); import live_panels; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('lessons_lib', 'numpy', 'plotly', 'keras', 'tensorflow', 'ipywidgets'))))")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT / "scripts" / "live_panels")],
                          capture_output=True, text=True, check=True)
    modules = json.loads(done.stdout)
    assert modules == ["lessons_lib", "lessons_lib.arithmetic",
                       "lessons_lib.factorized_arithmetic", "lessons_lib.validation"]
    baked = {name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
             for name in offline_assets.LIVE_PYTHON}
    assert baked == set(modules) | {"live_panels"}
