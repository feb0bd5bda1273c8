"""The Python half of scripts/colab_path_test.sh: run notebooks the way Colab does.

Runs with the Python of ``.venv-colab`` (the Colab package set), standard library plus
nbformat and nbclient, both of which Colab ships. Two commands:

    python tests/colab/colab_path.py check-report REPORT.json
        Exit 1, naming each package, if ``pip install --dry-run --report REPORT.json``
        of the repository would install anything but lessons_lib.

    python tests/colab/colab_path.py run-notebooks --wheel WHEEL [--jobs 2] NB.ipynb ...
        Execute every notebook as Colab would (see :func:`run_notebook`), ``--jobs`` at a
        time, each in its own process and kernel. Prints one line per notebook, the
        failures with notebook, cell and error, and exits 1 if any failed.

Why nbclient and not nbval: each notebook must run alone in its own empty folder with its
own kernel environment, and a failure must name the cell; nbclient (which nbval and
Jupyter Book use underneath) does exactly that in a few lines, and needs no pytest plugin
that Colab does not have.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import subprocess
import sys
import sysconfig
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
#: Put on the kernel's PYTHONPATH: ``google/colab/__init__.py``, the stand-in module.
STAND_IN_DIR = HERE / "stand_in"
KERNEL_NAME = "colab-path-python3"
#: The install target of the book's setup cell on Colab: ``"lessons_lib @ git+URL@branch"``.
SETUP_INSTALL = re.compile(r'"lessons_lib @ git\+[^"]+"')
CELL_TIMEOUT_S = 900  # per cell, as the book build (_config.yml execute.timeout)


def normalize(name: str) -> str:
    """A distribution name in PEP 503 normal form (``Lessons_Lib`` -> ``lessons-lib``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def unexpected_installs(report: dict, installed: dict[str, str]) -> list[str]:
    """What a ``pip install --dry-run --report`` would install besides lessons_lib.

    Args:
        report: the parsed JSON report (pip's installation report, version 1).
        installed: normalized distribution name -> version installed now.

    Returns:
        One line per package, e.g. ``"ipywidgets 8.1.9 (replaces 7.7.1)"`` or
        ``"rich 14.0.0 (new)"``; empty when lessons_lib is the only install.

    Raises:
        ValueError: if ``report`` is not such a report or lessons_lib is not in it.
    """
    if not isinstance(report, dict) or not isinstance(report.get("install"), list):
        raise ValueError(f"report must be pip's --report JSON with an 'install' list, got "
                         f"{str(report)[:200]!r}")
    names, lines = [], []
    for item in report["install"]:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        names.append(normalize(name))
        if normalize(name) == "lessons-lib":
            continue
        now = installed.get(normalize(name))
        lines.append(f"{name} {version} ({'replaces ' + now if now else 'new'})")
    if "lessons-lib" not in names:
        raise ValueError(f"report must install lessons_lib, but it installs {names}")
    return lines


def rewrite_setup_cell(nb, wheel: pathlib.Path) -> int:
    """Point the notebook's setup cell at ``wheel`` instead of the git repository.

    The install target ``"lessons_lib @ git+URL@branch"`` becomes ``"--no-index",
    "lessons_lib @ file:///...whl"``: with no index, pip fails unless every dependency is
    already installed, so a dependency Colab lacks fails the cell. Nothing else changes.

    Args:
        nb: a notebook (nbformat v4), changed in place.
        wheel: the lessons_lib wheel built from the repository.

    Returns:
        The index of the setup cell.

    Raises:
        ValueError: unless exactly one code cell has the install target, and it is the
            first code cell.
    """
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    hits = [i for i in code if SETUP_INSTALL.search(nb.cells[i].source)]
    if len(hits) != 1 or hits[0] != code[0]:
        raise ValueError(f"nb must have exactly one setup cell installing "
                         f"'lessons_lib @ git+...', its first code cell; found it in cells "
                         f"{hits} (code cells start at {code[:1]})")
    target = f'"--no-index", "lessons_lib @ {pathlib.Path(wheel).resolve().as_uri()}"'
    cell = nb.cells[hits[0]]
    cell.source = SETUP_INSTALL.sub(lambda _: target, cell.source, count=1)
    return hits[0]


def check_cell_source(prefix: str, purelib: str) -> str:
    """The cell appended to every notebook: the run took Colab's path."""
    return (
        "# Added by scripts/colab_path_test.sh, not part of the notebook: the run took\n"
        "# Colab's path (google.colab imported at start, lessons_lib installed, not the repo).\n"
        "import sys\n"
        "import lessons_lib, lessons_lib.chapter\n"
        "assert lessons_lib.chapter.on_colab(), 'google.colab was not imported at kernel start'\n"
        f"assert sys.prefix == {prefix!r}, sys.prefix\n"
        f"assert lessons_lib.__file__.startswith({purelib!r}), lessons_lib.__file__\n")


class NotebookFailure(Exception):
    """A notebook failed: ``str()`` names the notebook, the cell and the error."""


def kernel_environment(base: pathlib.Path) -> dict:
    """Environment variables for a Colab-like kernel, with its files under ``base``.

    * ``IPYTHONDIR`` with a startup file that imports ``google.colab`` (Colab's kernel has
      it imported before the first cell);
    * ``PYTHONPATH`` with the stand-in ``google.colab`` (``google`` is a namespace package,
      so it joins protobuf's ``google.protobuf``);
    * ``JUPYTER_PATH`` with the kernelspec :data:`KERNEL_NAME`: this Python, whatever other
      ``python3`` kernelspecs the machine has; this Python's ``bin`` first on ``PATH``;
    * ``LESSONS_OFFLINE=1``; ``LESSONS_SCALE`` passes through (default ``quick``).
    """
    startup = base / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-google-colab.py").write_text("import google.colab  # as on Colab\n")
    spec = base / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab path)", "language": "python"}))
    env = dict(os.environ)
    env.update(IPYTHONDIR=str(base / "ipython"), JUPYTER_PATH=str(base / "jupyter"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(STAND_IN_DIR),
                                                        env.get("PYTHONPATH")])),
               # this venv's python, pip and jupyter first, as Colab's are on its PATH
               PATH=os.pathsep.join([str(pathlib.Path(sys.executable).parent), env["PATH"]]),
               LESSONS_OFFLINE="1", LESSONS_SCALE=env.get("LESSONS_SCALE") or "quick",
               TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL") or "2",
               # debugpy's start-up note about frozen modules, not the notebook's output
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    return env


def execute(nb, workdir: pathlib.Path, env: dict, label: str,
            timeout: int = CELL_TIMEOUT_S) -> None:
    """Execute ``nb`` in place with cwd ``workdir`` in a kernel with environment ``env``.

    Raises:
        NotebookFailure: naming ``label``, the cell (index, id, first line) and the error.
    """
    from nbclient import NotebookClient

    current = {"index": None}
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL_NAME,
                            resources={"metadata": {"path": str(workdir)}},
                            on_cell_start=lambda cell, cell_index: current.update(
                                index=cell_index))
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits it; JUPYTER_PATH finds the kernelspec
    try:
        client.execute()
    except Exception as err:  # CellExecutionError, CellTimeoutError, DeadKernelError, ...
        i = current["index"]
        if i is None:
            raise NotebookFailure(f"{label}: the kernel did not start: {err}") from err
        cell = nb.cells[i]
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        what = (f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors
                else f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:300]}")
        first = next((l for l in cell.source.splitlines() if l.strip()), "")
        trace = ("\n".join(errors[0]["traceback"]) if errors else str(err))
        trace = re.sub(r"\x1b\[[0-9;]*m", "", trace)
        raise NotebookFailure(f"{label}: cell {i} (id {cell.get('id')}: {first[:80]!r}) "
                              f"failed: {what}\n{trace[-3000:]}") from err
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_notebook(path: pathlib.Path, wheel: pathlib.Path, out_dir: pathlib.Path,
                 label: str) -> None:
    """Run one notebook as Colab would, and save the executed copy in ``out_dir``.

    The notebook is copied alone into an empty temporary folder, its setup cell installs
    ``wheel`` (:func:`rewrite_setup_cell`), a last cell checks the path
    (:func:`check_cell_source`), and it runs there with that folder as cwd in a kernel
    of this Python with ``google.colab`` imported (:func:`kernel_environment`).

    Raises:
        NotebookFailure: naming ``label``, the cell and the error.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    try:
        rewrite_setup_cell(nb, wheel)
    except ValueError as err:
        raise NotebookFailure(f"{label}: {err}") from err
    nb.cells.append(nbformat.v4.new_code_cell(
        check_cell_source(sys.prefix, sysconfig.get_paths()["purelib"])))
    with tempfile.TemporaryDirectory(prefix="colab-path-") as tmp:
        workdir = pathlib.Path(tmp) / "content"   # holds the notebook and nothing else
        workdir.mkdir()
        nbformat.write(nb, workdir / path.name)
        try:
            execute(nb, workdir, kernel_environment(pathlib.Path(tmp) / "kernel"), label)
        finally:
            out_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out_dir / (label.replace("/", "__")))


def _run_in_child(path: str, wheel: str, out_dir: str) -> tuple[str, bool, float, str]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, __file__, "run-one", "--wheel", wheel,
                           "--out", out_dir, path], capture_output=True, text=True)
    return path, proc.returncode == 0, time.monotonic() - start, proc.stdout + proc.stderr


def run_notebooks(paths: list[str], wheel: str, out_dir: str, jobs: int) -> int:
    """Run ``paths`` ``jobs`` at a time (one process and kernel each); 0 if all passed."""
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for path, ok, seconds, output in pool.map(
                lambda p: _run_in_child(p, wheel, out_dir), paths):
            print(f"  {'pass' if ok else 'FAIL'} {path} ({seconds:.0f} s)", flush=True)
            if not ok:
                failures.append(output.strip())
    for text in failures:
        print("\n" + text, file=sys.stderr)
    if failures:
        print(f"\n{len(failures)} of {len(paths)} notebooks failed on the Colab path",
              file=sys.stderr)
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("check-report", help="only lessons_lib would be installed")
    report.add_argument("report", type=pathlib.Path)
    many = sub.add_parser("run-notebooks", help="run notebooks as Colab would")
    one = sub.add_parser("run-one", help="run one notebook (run-notebooks calls it)")
    for p in (many, one):
        p.add_argument("--wheel", required=True, type=pathlib.Path)
        p.add_argument("--out", default=str(ROOT / "_build" / "colab-path"),
                       help="where the executed notebooks go")
    many.add_argument("--jobs", type=int, default=2)
    many.add_argument("notebooks", nargs="+")
    one.add_argument("notebook")
    args = parser.parse_args(argv)

    if args.command == "check-report":
        from importlib import metadata

        installed = {normalize(d.metadata["Name"]): d.version for d in metadata.distributions()}
        extra = unexpected_installs(json.loads(args.report.read_text()), installed)
        if extra:
            print("pip install of the repository would change Colab's packages:\n  "
                  + "\n  ".join(extra), file=sys.stderr)
            return 1
        print("  pip install of the repository would install lessons_lib and nothing else")
        return 0
    if not args.wheel.is_file():
        parser.error(f"--wheel must be a lessons_lib wheel file, got {str(args.wheel)!r}")
    if args.command == "run-notebooks":
        if args.jobs < 1:
            parser.error(f"--jobs must be a positive int, got {args.jobs}")
        return run_notebooks(args.notebooks, str(args.wheel), args.out, args.jobs)
    path = pathlib.Path(args.notebook)
    try:
        label = str(path.resolve().relative_to(ROOT))
    except ValueError:
        label = str(path)
    try:
        run_notebook(path, args.wheel, pathlib.Path(args.out), label)
    except NotebookFailure as err:
        print(f"FAIL {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
