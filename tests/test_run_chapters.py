"""scripts/run_chapters.py: the one command that runs every chapter on a backend and times it.

The executions here use tiny notebooks on the backend of the environment the tests run in, so
they run on TensorFlow (.venv) and, without TensorFlow, in .venv-jax and .venv-torch
(scripts/test.sh runs the unit tests there too). Every chapter itself runs through nbval on the
three backends in scripts/test.sh.
"""

import json
import pathlib
import sys

import keras
import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import run_chapters  # noqa: E402

pytest.importorskip("nbclient")


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def test_toc_chapters_are_the_books_notebooks_in_order():
    chapters = run_chapters.toc_chapters()
    names = [p.stem for p in chapters]
    assert names[0] == "conv_arithmetic" and names[-1] == "comparison"
    assert len(names) == len(set(names)) == len(list((ROOT / "book").glob("*.ipynb")))


def test_runs_notebooks_on_the_chosen_backend_and_writes_the_table(tmp_path):
    backend = keras.backend.backend()
    good = _notebook(tmp_path / "good.ipynb",
                     "import os, keras\n"
                     "assert keras.backend.backend() == os.environ['KERAS_BACKEND']\n"
                     "assert os.environ['LESSONS_SCALE'] == 'smoke'\n"
                     "assert os.environ['LESSONS_OFFLINE'] == '1'\n"
                     "print('backend', keras.backend.backend())")
    bad = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('a wrong turn')")
    out = tmp_path / "out"
    status = run_chapters.main([str(good), str(bad), "--backend", backend, "--scale", "smoke",
                                "--offline", "--out", str(out), "--timeout", "120"])
    assert status == 1   # one chapter failed
    report = json.loads((out / "times.json").read_text())
    rows = {row["chapter"]: row for row in report["chapters"]}
    assert rows["good"]["result"] == "ok" and rows["good"]["seconds"] > 0
    assert rows["bad"]["result"].startswith("failed") and "a wrong turn" in rows["bad"]["result"]
    assert report["about"]["backend"] == backend and report["about"]["scale"] == "smoke"
    table = (out / "times.md").read_text()
    assert f"{backend} backend, LESSONS_SCALE=smoke" in table
    assert "| good |" in table and "1 of 2 ok" in table
    executed = nbformat.read(out / "good.ipynb", as_version=4)
    assert f"backend {backend}" in executed.cells[0].outputs[0]["text"]


def test_rejects_a_missing_notebook(tmp_path, capsys):
    with pytest.raises(SystemExit):
        run_chapters.main([str(tmp_path / "nope.ipynb")])
    assert "no such notebook" in capsys.readouterr().err
