"""Pins where they belong: requirements.txt pinned, lessons_lib's own deps ranges."""

import pathlib
import re
import subprocess
import sys
import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLAB_PACKAGES = ROOT / "tests" / "colab" / "colab-packages.txt"


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


def pins(path: pathlib.Path) -> dict:
    """Normalized distribution name -> version, from a file of `name==version` lines."""
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.strip().split("==")
            found[canonicalize_name(name)] = version
    return found


def lessons_lib_dependencies() -> list:
    return [Requirement(d) for d in
            tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]


def test_lessons_lib_dependencies_are_lower_bounds_only():
    deps = lessons_lib_dependencies()
    assert {canonicalize_name(r.name) for r in deps} >= {"numpy", "ipywidgets", "plotly", "keras",
                                                         "pillow"}
    for req in deps:
        assert [s.operator for s in req.specifier] == [">="], \
            f"{req}: use one lower bound only, never a pin or a cap"
        assert canonicalize_name(req.name) not in ("tensorflow", "tensorflow-cpu"), \
            f"{req}: Colab ships TensorFlow and the pinned environment has tensorflow-cpu"


def test_every_lower_bound_is_the_colab_version_the_colab_path_test_runs():
    """A lower bound is a version the tests ran against: scripts/colab_path_test.sh runs the
    unit tests and the notebooks with tests/colab/colab-packages.txt, a Colab image."""
    colab = pins(COLAB_PACKAGES)
    for req in lessons_lib_dependencies():
        (spec,) = req.specifier
        assert colab.get(canonicalize_name(req.name)) == spec.version, \
            f"{req}: the Colab path test has {req.name}=={colab.get(canonicalize_name(req.name))}"


def test_the_current_colab_leg_satisfies_every_range():
    """The current leg (tests/colab/colab-packages-current.txt, Colab's Python 3.13 image of
    2026-08-19) has every dependency, inside its range, and lessons_lib's Python."""
    current = pins(ROOT / "tests" / "colab" / "colab-packages-current.txt")
    for req in lessons_lib_dependencies():
        version = current.get(canonicalize_name(req.name))
        assert version and req.specifier.contains(version, prereleases=True), \
            f"{req}: the current Colab leg has {req.name}=={version}"
    for name, version in [("keras", "3.13.2"), ("tensorflow-cpu", "2.20.0"), ("jax", "0.7.2"),
                          ("numpy", "2.1.3"), ("ipywidgets", "7.7.1")]:
        assert current[name] == version, f"the current leg pins {name}=={current[name]}"


def test_the_pinned_and_the_installed_versions_satisfy_every_range():
    pinned = pins(ROOT / "requirements.txt")
    for req in lessons_lib_dependencies():
        name = canonicalize_name(req.name)
        assert req.specifier.contains(pinned[name], prereleases=True), \
            f"{req}: requirements.txt pins {name}=={pinned[name]}"
        assert req.specifier.contains(metadata.version(req.name), prereleases=True), \
            f"{req}: {metadata.version(req.name)} is installed"


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
