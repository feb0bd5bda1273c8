"""The student edition and the exercise hand-outs carry no solution; their self-checks remain.

* Hand-outs (`colab/book/exercises/*.ipynb`, committed; freshness: tests/test_colab_edition.py)
  have no outputs, no `{solution}` and no solution text, and one self-check cell per exercise.
* The student edition (`_build/student/`, built by scripts/build_student_edition.sh or
  scripts/test.sh after the main build): no page shows a solution, no solution text leaks
  into a page or a notebook, and every exercise's self-check cell and its output are there.

The leak check compares text, not markup: every run of 6 words of a solution as rendered
in the full book (`_build/html`) that does not also appear outside the solutions on that page
must be absent from the student page and the student notebook.
Skipped when the books are not built, unless REQUIRE_BUILT_BOOK=1 (scripts/test.sh).
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import reader, handouts, student  # noqa: E402

FULL = ROOT / "_build" / "html"
STUDENT_HTML = student.STUDENT / "_build" / "html"
CHAPTERS = reader.chapter_notebooks()
SHINGLE = 6


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)}


def solution_sources(nb: nbformat.NotebookNode) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for name, _arg, _f, _l, body in reader.directive_blocks(cell.source):
                if name == "solution":
                    out.append("\n".join(body))
    return out


# --------------------------------------------------------------------------- unit tests
def test_the_student_intro_promises_no_rocket_no_solutions_and_no_clone():
    text = student.student_intro((ROOT / "book" / "intro.md").read_text())
    for gone in ("rocket icon", "*Solution* toggle", "Clone the repository"):
        assert gone not in text, gone
    assert "leaves the\nsolutions out" in text
    with pytest.raises(SystemExit, match="STUDENT_INTRO"):
        student.student_intro("an intro without those sentences")


def test_read_executed_puts_the_glued_values_back(tmp_path):
    """MyST-NB writes the glue data beside the executed notebook; the editions need it back
    in the notebook, or every {glue:text} of an edition would be a missing key."""
    import json

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("{glue:text}`x:.1f`"),
                                         nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, tmp_path / "page.ipynb")
    prefix = "application/papermill.record/"
    (tmp_path / "page.glue.json").write_text(json.dumps({"x": {
        "output_type": "display_data", "data": {"text/plain": "2.5"},
        "metadata": {"scrapbook": {"name": "x", "mime_prefix": prefix}}}}))
    (output,) = student.read_executed(tmp_path / "page.ipynb").cells[1].outputs
    assert output.metadata.scrapbook == {"name": "x", "mime_prefix": prefix}
    assert output.data == {prefix + "text/plain": "2.5"}
    (tmp_path / "page.glue.json").unlink()
    assert student.read_executed(tmp_path / "page.ipynb").cells[1].outputs == []


def test_strip_solutions_removes_backtick_and_colon_fences_of_any_length():
    text = "\n".join([
        "intro", "```{exercise}", ":label: x-1", "What?", "```",
        "````{solution} x-1", ":class: dropdown", "Secret one.", "```python", "code()", "```",
        "````", "between", ":::{solution} x-2", "Secret two.", ":::",
        "```{solution-start} x-3", "```", "Secret three.", "```{solution-end}", "```", "outro"])
    stripped = reader.strip_solutions(text)
    assert "Secret" not in stripped and "code()" not in stripped
    for kept in ("intro", "What?", "between", "outro", "{exercise}"):
        assert kept in stripped


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_has_text_and_a_self_check_cell(path):
    info = reader.chapter_info(path)
    assert info.exercises, f"{path.name}: no exercises found"
    for ex in info.exercises:
        assert ex.text.strip() and f'check("{ex.id}"' in ex.check_source, ex.id


# --------------------------------------------------------------------------- hand-outs
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_handout_has_the_exercises_and_no_solution(path):
    handout = handouts.HANDOUTS / path.name
    assert handout.exists(), f"no hand-out {handout.relative_to(ROOT)}"
    nb = nbformat.read(handout, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "{solution" not in text
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    info = reader.chapter_info(path)
    for ex in info.exercises:
        assert f'check("{ex.id}"' in text, ex.id
    handout_words = f" {' '.join(words(text))} "   # so a run matches whole words only
    for solution in solution_sources(nbformat.read(path, as_version=4)):
        for sh in shingles(solution) - shingles(reader.strip_solutions(
                "\n".join(c.source for c in nbformat.read(path, as_version=4).cells))):
            assert f" {' '.join(sh)} " not in handout_words, f"{handout.name} leaks: {' '.join(sh)}"


# --------------------------------------------------------------------------- student edition
needs_build = pytest.mark.skipif(
    not (STUDENT_HTML / "index.html").exists() and os.environ.get("REQUIRE_BUILT_BOOK") != "1",
    reason="the student edition is not built (bash scripts/build_student_edition.sh)")


def _page_text(html: str, drop_solutions: bool):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    solutions = []
    for tag in soup.select(".solution"):
        solutions.append(tag.get_text(" "))
        if drop_solutions:
            tag.decompose()
    main = soup.select_one("main") or soup
    return main.get_text(" "), solutions


@needs_build
def test_student_edition_is_built():
    assert (STUDENT_HTML / "index.html").exists(), "run bash scripts/build_student_edition.sh"
    assert not (STUDENT_HTML / "book" / "instructor_guide.html").exists()


@needs_build
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_solution_leaks_into_the_student_edition(path):
    file = str(path.relative_to(ROOT).with_suffix(""))
    full_html = (FULL / f"{file}.html").read_text()
    student_html = (STUDENT_HTML / f"{file}.html").read_text()
    student_nb = student.STUDENT / "notebooks" / path.name
    assert student_nb.exists(), student_nb

    outside, solutions = _page_text(full_html, drop_solutions=True)
    assert solutions, f"{file}: the full book shows no solution (is the markup still .solution?)"
    allowed = shingles(outside)
    secret = set().union(*(shingles(s) for s in solutions)) - allowed
    # solution source text, for the notebooks (Markdown, not rendered)
    source = nbformat.read(path, as_version=4)
    secret_src = set().union(*(shingles(s) for s in solution_sources(source))) - shingles(
        reader.strip_solutions("\n".join(c.source for c in source.cells)))
    assert secret and secret_src

    student_text, student_solutions = _page_text(student_html, drop_solutions=False)
    assert not student_solutions, f"{file}: the student page has solution blocks"
    assert 'class="solution' not in student_html
    text = f" {' '.join(words(student_text))} "   # so a run matches whole words only
    leaks = [" ".join(s) for s in secret if f" {' '.join(s)} " in text]
    assert not leaks, f"{file}: solution text in the student page: {leaks[:5]}"

    nb_text = "\n".join(c.source for c in nbformat.read(student_nb, as_version=4).cells)
    assert "{solution" not in nb_text
    nb_words = f" {' '.join(words(nb_text))} "
    leaks = [" ".join(s) for s in secret_src if f" {' '.join(s)} " in nb_words]
    assert not leaks, f"{student_nb.name}: solution text in the notebook: {leaks[:5]}"


@needs_build
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_edition_keeps_the_exercises_and_their_self_checks(path):
    file = str(path.relative_to(ROOT).with_suffix(""))
    html = (STUDENT_HTML / f"{file}.html").read_text()
    text, _ = _page_text(html, drop_solutions=False)
    compact = "".join(text.split())
    exercises = reader.chapter_info(path).exercises
    for ex in exercises:
        assert f'check("{ex.id}"' in compact, f"{file}: no self-check cell for {ex.id}"
        assert ex.id in text
    # the self-checks ran in the main build and their verdicts are shown
    assert text.count("Not yet") >= len(exercises)
