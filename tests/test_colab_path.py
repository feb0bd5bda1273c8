"""The pieces of the Colab path test (scripts/colab_path_test.sh, tests/colab/colab_path.py).

The script itself is the end-to-end test; these check that its parts can fail: the dry-run
report check, the setup-cell rewrite, and a kernel that starts the way Colab's does.
"""

import importlib.util
import pathlib
import subprocess
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("colab_path", ROOT / "tests/colab/colab_path.py")
colab_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_path)

SETUP = ('import sys\n\nif "google.colab" in sys.modules:\n    import subprocess\n\n'
         '    subprocess.run([sys.executable, "-m", "pip", "install", "-q",\n'
         '                    "lessons_lib @ git+https://github.com/o/r@main"], check=True)')


def report(*name_versions):
    return {"version": "1", "install": [{"metadata": {"name": n, "version": v}}
                                        for n, v in name_versions]}


def test_report_with_lessons_lib_only_passes():
    assert colab_path.unexpected_installs(report(("lessons_lib", "0.1.0")), {}) == []


def test_report_names_every_package_it_would_add_or_replace():
    lines = colab_path.unexpected_installs(
        report(("lessons_lib", "0.1.0"), ("ipywidgets", "8.1.9"), ("Rich_Text", "1.0")),
        {"ipywidgets": "7.7.1"})
    assert lines == ["ipywidgets 8.1.9 (replaces 7.7.1)", "Rich_Text 1.0 (new)"]


@pytest.mark.parametrize("bad", [{}, {"install": None}, report(("numpy", "2.0.2"))])
def test_report_that_is_not_a_lessons_lib_install_is_an_error(bad):
    with pytest.raises(ValueError, match="report must"):
        colab_path.unexpected_installs(bad, {})


def test_check_report_command_exits_1_naming_the_package(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"install": [{"metadata": {"name": "lessons_lib", "version": "0.1.0"}},'
                    ' {"metadata": {"name": "numpy", "version": "9.9.9"}}]}')
    out = subprocess.run([sys.executable, str(ROOT / "tests/colab/colab_path.py"),
                          "check-report", str(path)], capture_output=True, text=True)
    assert out.returncode == 1 and "numpy 9.9.9 (replaces " in out.stderr


def notebook(*sources, markdown_first=True):
    cells = [nbformat.v4.new_markdown_cell("# A chapter")] if markdown_first else []
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def test_setup_cell_installs_the_wheel_with_no_index_and_nothing_else_changes(tmp_path):
    nb = notebook(SETUP, "x = 1")
    wheel = tmp_path / "lessons_lib-0.1.0-py3-none-any.whl"
    assert colab_path.rewrite_setup_cell(nb, wheel) == 1
    expected = SETUP.replace('"lessons_lib @ git+https://github.com/o/r@main"',
                             f'"--no-index", "lessons_lib @ {wheel.as_uri()}"')
    assert nb.cells[1].source == expected
    assert nb.cells[0].source == "# A chapter" and nb.cells[2].source == "x = 1"


@pytest.mark.parametrize("sources", [("x = 1",), ("x = 1", SETUP), (SETUP, SETUP)],
                         ids=["missing", "not-first", "twice"])
def test_setup_cell_must_be_the_one_first_code_cell(sources, tmp_path):
    with pytest.raises(ValueError, match="exactly one setup cell"):
        colab_path.rewrite_setup_cell(notebook(*sources), tmp_path / "w.whl")


def test_kernel_starts_like_colabs_and_a_failure_names_the_cell(tmp_path):
    """A real kernel (this environment's): google.colab imported at start, the stand-in
    joins protobuf's google namespace, cwd is the notebook's folder, LESSONS_OFFLINE=1, and
    this Python's own bin/ comes first on PATH."""
    pytest.importorskip("google.protobuf")
    workdir = tmp_path / "content"
    workdir.mkdir()
    nb = notebook("import sys, os, shutil, google.protobuf\n"
                  "print('google.colab' in sys.modules, os.getcwd(), os.environ['LESSONS_OFFLINE'],\n"
                  "      shutil.which('python') == os.path.join(os.path.dirname(sys.executable), 'python'))",
                  "from lessons_lib.chapter import on_colab\nprint(on_colab())",
                  "1 / 0", markdown_first=False)
    env = colab_path.kernel_environment(tmp_path / "kernel")
    with pytest.raises(colab_path.NotebookFailure) as failure:
        colab_path.execute(nb, workdir, env, label="book/x.ipynb")
    assert nb.cells[0].outputs[0]["text"].split() == ["True", str(workdir), "1", "True"]
    assert nb.cells[1].outputs[0]["text"].strip() == "True"
    message = str(failure.value)
    assert message.startswith("book/x.ipynb: cell 2 (id ")
    assert "'1 / 0') failed: ZeroDivisionError: division by zero" in message
