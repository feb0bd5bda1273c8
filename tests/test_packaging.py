"""Pins where they belong: requirements.txt pinned, lessons_lib's own deps ranges."""

import pathlib
import re
import subprocess
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_requirements_txt_pins_every_package():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert len(lines) > 50
    for line in lines:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), line
    names = {l.split("==")[0].lower().replace("_", "-") for l in lines}
    for needed in ("tensorflow-cpu", "keras", "jupyter-book", "nbval", "numpy", "plotly",
                   "ipywidgets", "hypothesis", "pytest-xdist", "sphinx-exercise"):
        assert needed in names, needed
    jb = [l for l in lines if l.lower().startswith("jupyter-book==")][0]
    assert jb.split("==")[1].startswith("1."), "the book needs Jupyter Book 1.x"


def test_lessons_lib_dependencies_are_ranges_that_the_pins_satisfy():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = [Requirement(d) for d in project["dependencies"]]
    assert deps
    for req in deps:
        ops = {spec.operator for spec in req.specifier}
        assert ops <= {">="}, f"{req}: use a lower bound only, never a pin or a cap"
        assert req.name.lower() not in ("tensorflow", "tensorflow-cpu", "keras"), \
            f"{req}: would reinstall TensorFlow on Colab"
        assert req.specifier.contains(metadata.version(req.name), prereleases=True), req


def test_package_imports_without_tensorflow_in_a_fresh_interpreter():
    code = "import sys, lessons_lib.arithmetic; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_readme_names_the_two_commands_and_ci_calls_the_test_one_verbatim():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/build_book.sh" in readme
    assert "bash scripts/test.sh" in readme
    assert "\nbash scripts/test.sh\n" in ci
