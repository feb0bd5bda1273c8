"""The graded releases (scripts/editions/graded.py), as files: what nbgrader and Otter Assign
read. scripts/grading_test.sh grades sample submissions with the real tools."""

from __future__ import annotations

import pathlib
import re
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import reader  # noqa: E402
from editions import graded as gr  # noqa: E402
from lessons_lib.checks import EXERCISES  # noqa: E402

CHAPTERS = reader.chapter_notebooks()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_answer_code_in_its_solution(path):
    ids = [ex.id for ex in reader.chapter_info(path).exercises]
    answers = gr.answer_code(path)
    assert sorted(answers) == sorted(ids)
    for ex_id, code in answers.items():
        compile(code, ex_id, "exec")
        assert re.search(r"^answer\s*=", code, re.M), ex_id


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_nbgrader_source_has_a_solution_and_a_locked_test_per_exercise(path):
    nb = gr.nbgrader_notebook(path)
    meta = [c.metadata["nbgrader"] for c in nb.cells]
    ids = [m["grade_id"] for m in meta]
    assert len(ids) == len(set(ids)), "grade_id must be unique"
    for ex in reader.chapter_info(path).exercises:
        answer = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == f"{ex.id}-answer")
        if EXERCISES[ex.id].written:
            # a manually graded answer: Markdown, the model answer and rubric as its solution
            cell_meta = answer.metadata["nbgrader"]
            assert answer.cell_type == "markdown" and cell_meta["solution"] and cell_meta["grade"]
            assert cell_meta["points"] == EXERCISES[ex.id].points and not cell_meta["locked"]
            assert "**Rubric**" in answer.source and EXERCISES[ex.id].rubric[0] in answer.source
            assert not any(c.metadata["nbgrader"]["grade_id"] == f"{ex.id}-test"
                           for c in nb.cells)
            continue
        test = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == f"{ex.id}-test")
        assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["locked"]
        assert "### BEGIN SOLUTION" in answer.source and "### END SOLUTION" in answer.source
        assert answer.source.rstrip().endswith(gr.keep_line(ex.id))
        assert test.metadata["nbgrader"]["grade"] and test.metadata["nbgrader"]["locked"]
        assert test.metadata["nbgrader"]["points"] == EXERCISES[ex.id].points
        assert f'check("{ex.id}", {gr.answer_name(ex.id)})' in test.source
    # everything that is neither an answer nor a test is locked
    assert all(m["locked"] for m in meta if not m["solution"])


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_otter_master_has_one_question_block_per_exercise(path):
    nb = gr.otter_notebook(path)
    raw = [c.source for c in nb.cells if c.cell_type == "raw"]
    assert raw[0].startswith("# ASSIGNMENT CONFIG")
    questions = [r for r in raw if r.startswith("# BEGIN QUESTION")]
    expected = [(ex.id, EXERCISES[ex.id].points) for ex in reader.chapter_info(path).exercises]
    found = [(re.search(r"name: (\S+)", q)[1], int(re.search(r"points: (\d+)", q)[1]))
             for q in questions]
    assert found == expected
    manual = [re.search(r"name: (\S+)", q)[1] for q in questions if "manual: true" in q]
    assert manual == [i for i, _ in expected if EXERCISES[i].written]
    for begin, end, count in (("# BEGIN QUESTION", "# END QUESTION", len(expected)),
                              ("# BEGIN TESTS", "# END TESTS", len(expected) - len(manual)),
                              ("# BEGIN SOLUTION", "# END SOLUTION", len(expected))):
        assert sum(r.startswith(begin) for r in raw) == sum(r == end for r in raw) == count


def test_every_chapter_has_a_written_exercise_with_a_rubric():
    """Each chapter asks at least one measure, explain or design question graded by a person;
    its solution's answer is the model answer the releases show graders."""
    for path in CHAPTERS:
        written = [ex.id for ex in reader.chapter_info(path).exercises
                   if EXERCISES[ex.id].written]
        assert written, f"{path.stem} has no written exercise"
        answers = gr.answer_code(path)
        for ex_id in written:
            assert len(gr.written_text(answers[ex_id]).split()) >= 40, ex_id


def test_a_chapter_without_answer_code_is_refused(monkeypatch):
    path = CHAPTERS[0]
    monkeypatch.setattr(gr, "answer_code", lambda p: {})
    with pytest.raises(gr.ReleaseError, match="no ```python block that assigns `answer`"):
        gr.nbgrader_notebook(path)


def test_unknown_chapter_is_named():
    with pytest.raises(ValueError, match="'nope'"):
        gr.chapters_named(["nope"])


def test_releases_are_written_for_every_chapter(tmp_path):
    written = gr.write_releases(tmp_path, [])
    assert (tmp_path / "nbgrader" / "nbgrader_config.py") in written
    for path in CHAPTERS:
        for target in (tmp_path / "nbgrader" / "source" / path.stem / f"{path.stem}.ipynb",
                       tmp_path / "otter" / path.stem / f"{path.stem}.ipynb"):
            assert target in written
            nbformat.validate(nbformat.read(target, as_version=4))


def test_the_tests_read_the_same_answer_code_as_the_releases():
    """tests/solutions.py (json and re only, for the Colab path test) agrees with
    editions.graded.answer_code on every exercise."""
    import solutions

    for path in CHAPTERS:
        for ex_id, code in gr.answer_code(path).items():
            assert solutions.answer_code(path.stem, ex_id).strip("\n") == code, ex_id
