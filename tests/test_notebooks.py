"""The committed notebooks: no outputs, the Colab setup cell, and the table of contents."""

import json
import pathlib
import re
import subprocess
import sys
import types

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "scripts"))
import sync_setup_cells  # noqa: E402
from format_code_cells import LINE_LENGTH, NESTED_LINE_LENGTH, too_long  # noqa: E402


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ has no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb.metadata, f"{path.name} carries saved widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_the_setup_cell_rendered_from_config(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "code"
    assert nb.cells[0].source == sync_setup_cells.setup_cell_source()


def test_setup_cell_uses_the_repository_url_from_config_only():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    source = sync_setup_cells.setup_cell_source()
    assert f"git+{config['repository']['url']}@{config['repository']['branch']}" in source
    assert source.count("git+") == 2   # the release tag, then the branch
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "sync_setup_cells.py"),
                            "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def _run_setup_cell(monkeypatch, on_colab, returncodes=(0,)):
    """Run the setup cell with a fake ``subprocess.run`` whose calls return ``returncodes``
    in turn; the calls it made, as ``(argv, kwargs)``."""
    calls, codes = [], list(returncodes)

    def run(argv, **kwargs):
        calls.append((argv, kwargs))
        return types.SimpleNamespace(returncode=codes.pop(0))

    monkeypatch.setitem(sys.modules, "subprocess", types.SimpleNamespace(run=run))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(sync_setup_cells.setup_cell_source(), {})
    return calls


def test_setup_cell_does_nothing_off_colab(monkeypatch):
    assert _run_setup_cell(monkeypatch, on_colab=False) == []


def test_setup_cell_installs_the_release_matching_the_package_version(monkeypatch):
    """Issue 18: a course keeps one lessons_lib all term, the tag of ``__version__``."""
    import lessons_lib

    assert sync_setup_cells.release_version() == lessons_lib.__version__
    calls = _run_setup_cell(monkeypatch, on_colab=True)
    assert len(calls) == 1
    argv, kwargs = calls[0]
    assert argv[1:4] == ["-m", "pip", "install"] and kwargs == {}
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert argv[-1] == f"lessons_lib @ git+{url}@v{lessons_lib.__version__}"


def test_setup_cell_falls_back_to_the_branch_and_says_so(monkeypatch, capsys):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    calls = _run_setup_cell(monkeypatch, on_colab=True, returncodes=(1, 0))
    assert [argv[-1] for argv, _ in calls] == [
        calls[0][0][-1], f"lessons_lib @ git+{config['url']}@{config['branch']}"]
    assert calls[1][1] == {"check": True}
    assert "is not published yet; installing the branch" in capsys.readouterr().out


def test_toc_lists_every_notebook_and_nothing_missing():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for c in toc["chapters"]]
    for f in files:
        assert any((ROOT / f"{f}{ext}").exists() for ext in (".md", ".ipynb")), f
    listed = {f for f in files}
    for path in NOTEBOOKS:
        assert str(path.relative_to(ROOT).with_suffix("")) in listed, f"{path.name} not in _toc.yml"
    assert toc["chapters"][0]["file"] == "book/conv_arithmetic"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_objectives_exercises_and_solutions(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    assert "Learning objectives" in text and "Prerequisites" in text and "Time" in text
    assert "start_chapter(" in text, "the run scale must be printed by start_chapter()"
    assert text.count("{exercise}") >= 4
    assert text.count("{solution}") == text.count("{exercise}")
    assert text.count(":class: dropdown") >= text.count("{solution}")
    assert "## Summary" in text and "## References" in text


def test_exercise_labels_and_self_checks_match_the_registry():
    from lessons_lib.checks import EXERCISES
    labelled = {}
    for path in NOTEBOOKS:
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for label in re.findall(r"```\{exercise\}[^\n]*\n:label: ([\w-]+)", text):
            labelled[label] = path.name
            assert f'check("{label}"' in text, f"{path.name}: exercise {label} has no self-check cell"
    assert set(labelled) == set(EXERCISES), (set(labelled) ^ set(EXERCISES))


def test_notebook_json_is_valid_nbformat():
    for path in NOTEBOOKS:
        nbformat.validate(nbformat.read(path, as_version=4))
        json.loads(path.read_text())


# --------------------------------------------------------------------------- sections
HEADING = re.compile(r"^(#{2,4})\s+(.*)$")
POINTS_AT_OUTPUT = re.compile(r"\b[Hh]over\b|\b(?:chart|plot|figure|graph|table|map|calculator|panel)"
                              r"s? below\b|\b[Bb]elow (?:is|are|shows?)\b")


def sections(cells):
    """``[(level, title, markdown, shows_output)]`` per heading of a chapter: the Markdown of
    the section (up to the next heading of any level) and whether a code cell that the book
    shows, or an image, stands in it or in its subsections."""
    found = []
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                m = HEADING.match(line)
                if m:
                    found.append([len(m[1]), m[2].strip(), "", False])
                elif found:
                    found[-1][2] += line + "\n"
                    found[-1][3] |= any(tag in line for tag in ("![", "<img", "<div"))
        elif found and "remove-cell" not in cell.metadata.get("tags", []):
            found[-1][3] = True
    out = []
    for i, (level, title, text, shows) in enumerate(found):
        for later in found[i + 1:]:
            if later[0] <= level:
                break
            shows = shows or later[3]
        out.append((level, title, text, shows))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_section_that_points_at_a_figure_or_table_shows_one(path):
    """A heading whose prose says "hover" or "the chart below" must have the cell that
    draws it in its own section (the comparison chapter once had a bubble chart render under
    the next heading, leaving its own section empty)."""
    nb = nbformat.read(path, as_version=4)
    empty = [f"{'#' * level} {title}: {POINTS_AT_OUTPUT.search(text)[0]!r}"
             for level, title, text, shows in sections(nb.cells)
             if not shows and POINTS_AT_OUTPUT.search(text)]
    assert not empty, (f"{path.name}: sections whose prose points at an output they do not "
                       "contain (move the cell under its heading):\n  " + "\n  ".join(empty))


def test_the_section_check_sees_a_chart_under_the_wrong_heading():
    cells = [nbformat.v4.new_markdown_cell("## Accuracy\n\nHover over a bubble."),
             nbformat.v4.new_markdown_cell("## Backends\n\nText."),
             nbformat.v4.new_code_cell("fig.show()")]
    flagged = [title for _, title, text, shows in sections(cells)
               if not shows and POINTS_AT_OUTPUT.search(text)]
    assert flagged == ["Accuracy"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_the_book_shows_fits_its_column(path):
    """Every code line shown in the book has at most LINE_LENGTH characters
    (NESTED_LINE_LENGTH in an exercise or solution box).

    The column holds that many at the book's code font (_static/code-width.css; the
    browser test measures it). `python scripts/format_code_cells.py` reflows code cells.
    """
    lines = too_long(nbformat.read(path, as_version=4))
    assert not lines, (f"{path.name}: lines longer than {LINE_LENGTH} characters "
                       f"({NESTED_LINE_LENGTH} in a box; run scripts/format_code_cells.py):\n  "
                       + "\n  ".join(lines))
