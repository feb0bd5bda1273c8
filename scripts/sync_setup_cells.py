"""Write the Colab setup cell into every notebook in book/, from _config.yml.

The repository URL and branch live in one place, `_config.yml` (`repository:`).
This script renders the first cell of every chapter from them, so a notebook
opened on Colab installs `lessons_lib` from the right repository, and does
nothing anywhere else. The cell is tagged `remove-cell`, so the HTML book does
not show it above the chapter title. It also strips outputs and execution counts.

    python scripts/sync_setup_cells.py          # rewrite the notebooks
    python scripts/sync_setup_cells.py --check  # exit 1 if any notebook is out of date
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
MARKER = "# Setup (Colab only)"


def release_version(pyproject_path: pathlib.Path = ROOT / "pyproject.toml") -> str:
    """``lessons_lib``'s version, from pyproject.toml (a test checks it is ``__version__``)."""
    import tomllib

    return tomllib.loads(pyproject_path.read_text())["project"]["version"]


def setup_cell_source(config_path: pathlib.Path = ROOT / "_config.yml") -> str:
    """The setup cell's source, rendered from `_config.yml`'s repository url and branch and
    the package version: it installs the release tag ``v<version>``, so a course keeps the
    same checks all term, and the branch only where that tag is not published."""
    repo = yaml.safe_load(config_path.read_text())["repository"]
    url = repo["url"].rstrip("/")
    branch = repo.get("branch", "main")
    version = release_version()
    return (
        f"{MARKER}: install this book's helper package `lessons_lib` from its repository.\n"
        "# Locally and in CI it is already installed (see README), so this cell installs nothing.\n"
        "import os\n"
        "import sys\n"
        "\n"
        "# Keras backend: every chapter runs unchanged on \"tensorflow\", \"jax\" and \"torch\"\n"
        "# (Colab has all three). To choose one, uncomment the next line and run the notebook\n"
        "# from the top; if Keras was already imported, first do Runtime > Restart session.\n"
        "# Left as it is: TensorFlow, or the KERAS_BACKEND set in your shell.\n"
        "# os.environ[\"KERAS_BACKEND\"] = \"jax\"\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        "    import subprocess\n"
        "\n"
        f"    # lessons_lib {version}, the release this notebook was written for (git tag\n"
        f"    # v{version}): its checks do not change under a class during a term.\n"
        "    release = subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\",\n"
        f"                              \"lessons_lib @ git+{url}@v{version}\"])\n"
        "    if release.returncode != 0:\n"
        f"        print(\"lessons_lib {version} (tag v{version}) is not published yet; installing\"\n"
        f"              \" the branch {branch} instead, whose checks can change.\")\n"
        "        subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\",\n"
        f"                        \"lessons_lib @ git+{url}@{branch}\"], check=True)"
    )


def sync(nb_path: pathlib.Path, source: str) -> nbformat.NotebookNode:
    """Return the notebook with its setup cell set to ``source`` and no outputs."""
    nb = nbformat.read(nb_path, as_version=4)
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code" and (
            first.source.startswith(MARKER) or first.source.startswith("# placeholder")):
        first.source = source
    else:
        nb.cells.insert(0, nbformat.v4.new_code_cell(source))
        first = nb.cells[0]
    # Colab runs the cell; the HTML book leaves it out (the intro page explains it).
    first.metadata["tags"] = ["remove-cell"]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not write")
    args = parser.parse_args(argv)
    source = setup_cell_source()
    stale = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        before = path.read_text()
        nb = sync(path, source)
        after = nbformat.writes(nb) + "\n"
        if after != before:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(after)
    verb = "out of date" if args.check else "updated"
    for path in stale:
        print(f"{verb}: {path}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
