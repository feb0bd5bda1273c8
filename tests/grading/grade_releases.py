"""The graded releases graded by the real tools: nbgrader and Otter-Grader, as from PyPI.

Run by scripts/grading_test.sh in its own environment (.venv-grading: Keras on JAX, nbgrader,
otter-grader, lessons_lib). For each chapter given, both releases are generated
(scripts/editions/graded.py), the student notebooks made by each tool (`nbgrader
generate_assignment`, `otter assign`), and four submissions graded (`nbgrader autograde` then
`generate_feedback`; `otter run`, no Docker):

* every answer right: full marks, question by question;
* odd-numbered answers wrong, the rest right; then even-numbered wrong: each wrong answer loses
  exactly its question's points, and the others keep theirs;
* nothing answered (the student notebook as released): 0.

    python tests/grading/grade_releases.py --work DIR CHAPTER [CHAPTER ...]

Exits 1, naming the tool, chapter, submission and question, when a score is not the expected one.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import json
import pathlib
import shutil
import subprocess
import sys
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from editions import graded as gr, reader  # noqa: E402

#: An answer no self-check accepts: every exercise wants a number, a tuple, a name or a model.
WRONG = 'answer = "a wrong answer"'


def fill(nb: nbformat.NotebookNode, answers: dict[str, str | None]) -> nbformat.NotebookNode:
    """A submission: ``nb`` (a student notebook) with, for each exercise ID, ``answers[id]``
    written into its answer cell (None: left as released). An auto-graded answer goes just
    above the keep line; a written one replaces the Markdown answer cell that follows the
    exercise's prompt (nbgrader's ``YOUR ANSWER HERE``, Otter's ``_Type your answer here``)."""
    nb = nbformat.from_dict(nb)
    for ex_id, code in answers.items():
        if code is None:
            continue
        keep = gr.keep_line(ex_id)
        cell = next((c for c in nb.cells if c.cell_type == "code" and keep in c.source), None)
        if cell is not None:
            cell.source = cell.source.replace(keep, f"{code}\n{keep}")
            continue
        prompt = next(k for k, c in enumerate(nb.cells) if c.cell_type == "markdown"
                      and f"(`{ex_id}`)" in c.source)
        nb.cells[prompt + 1].source = code
    return nb


@functools.lru_cache(maxsize=None)
def auto_graded(path: pathlib.Path) -> tuple[str, ...]:
    """The chapter's exercises the tools grade by running a test (not the written ones); read
    from the chapter once, however often the scorers ask."""
    from lessons_lib.checks import EXERCISES

    return tuple(ex.id for ex in reader.chapter_info(path).exercises
                 if not EXERCISES[ex.id].written)


@functools.lru_cache(maxsize=None)
def written(path: pathlib.Path) -> tuple[str, ...]:
    """The chapter's written exercises: manually graded in both releases (read once)."""
    from lessons_lib.checks import EXERCISES

    return tuple(ex.id for ex in reader.chapter_info(path).exercises if EXERCISES[ex.id].written)


def submissions(path: pathlib.Path) -> dict[str, tuple[dict, dict]]:
    """Name -> (answers to fill in, expected points per exercise ID). Every submission but the
    blank one also answers the written exercises (with the model answer): nbgrader must leave
    those for a person, and give 0 to the one left blank."""
    from lessons_lib.checks import EXERCISES

    solutions = gr.answer_code(path)
    ids = auto_graded(path)
    points = {i: EXERCISES[i].points for i in ids}
    full = ({i: solutions[i] for i in ids}, dict(points))
    odd = ({i: WRONG if n % 2 else solutions[i] for n, i in enumerate(ids, 1)},
           {i: 0 if n % 2 else points[i] for n, i in enumerate(ids, 1)})
    even = ({i: solutions[i] if n % 2 else WRONG for n, i in enumerate(ids, 1)},
            {i: points[i] if n % 2 else 0 for n, i in enumerate(ids, 1)})
    blank = ({i: None for i in ids}, {i: 0 for i in ids})
    texts = {i: gr.written_text(solutions[i]) for i in written(path)}
    for answers, _ in (full, odd, even):
        answers.update(texts)
    return {"full": full, "oddwrong": odd, "evenwrong": even, "blank": blank}


def run(argv: list[str], cwd: pathlib.Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"grading-test: {' '.join(argv)} failed ({done.returncode})")


def nbgrader_scores(path: pathlib.Path, work: pathlib.Path) -> dict[str, dict[str, float]]:
    """Submission name -> {exercise ID: points nbgrader gave}."""
    from nbgrader.api import Gradebook

    course = work / "nbgrader"
    chapter = path.stem
    run(["nbgrader", "generate_assignment", chapter, "--force"], course)
    released = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
    cases = submissions(path)
    for name, (answers, _) in cases.items():
        target = course / "submitted" / name / chapter
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(fill(released, answers), target / f"{chapter}.ipynb")
    run(["nbgrader", "autograde", chapter, "--force", "--create"], course)
    run(["nbgrader", "generate_feedback", chapter, "--force"], course)
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for name, (answers, _) in cases.items():
            feedback = course / "feedback" / name / chapter / f"{chapter}.html"
            if not feedback.exists():
                raise SystemExit(f"grading-test: nbgrader wrote no feedback for {name}")
            scores[name] = {i: gb.find_grade(f"{i}-test", chapter, chapter, name).score
                            for i in answers if i not in written(path)}
            # a written answer waits for a person (flagged for manual grading, no score yet);
            # one left as released scores 0 without a person
            for i in written(path):
                grade = gb.find_grade(f"{i}-answer", chapter, chapter, name)
                scores[name][i] = ("manual" if grade.needs_manual_grade
                                   and grade.auto_score is None else grade.score)
    return scores


def otter_scores(path: pathlib.Path, work: pathlib.Path) -> dict[str, dict[str, float]]:
    """Submission name -> {exercise ID: points ``otter run`` gave}."""
    chapter = path.stem
    folder = work / "otter" / chapter
    run(["otter", "assign", f"{chapter}.ipynb", "dist"], folder)
    student = nbformat.read(folder / "dist" / "student" / f"{chapter}.ipynb", as_version=4)
    archive = next((folder / "dist" / "autograder").glob("*.zip"))
    scores = {}
    for name, (answers, _) in submissions(path).items():
        sub = folder / "submissions" / name
        sub.mkdir(parents=True, exist_ok=True)
        nbformat.write(fill(student, answers), sub / f"{chapter}.ipynb")
        run(["otter", "run", "-a", str(archive), "-o", str(sub), f"{chapter}.ipynb"], sub)
        results = json.loads((sub / "results.json").read_text())
        scores[name] = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
        # otter run scores only the autograded questions; a manual one must not be among them
        for i in written(path):
            scores[name][i] = scores[name].get(i, "manual")
    return scores


def compare(tool: str, path: pathlib.Path, scores: dict) -> tuple[list[str], list[str]]:
    """(problems, report lines) of one tool's scores of one chapter's submissions."""
    problems, lines = [], []
    cases = submissions(path)
    full_marks = sum(cases["full"][1].values())
    for name, (_, expected) in cases.items():
        got = dict(scores[name])
        for ex_id in written(path):
            # Otter never scores a manual question; nbgrader scores an unanswered one 0
            want = 0 if tool == "nbgrader" and name == "blank" else "manual"
            if got.pop(ex_id, None) != want:
                problems.append(f"{tool} {path.stem} {name}: written {ex_id} gave "
                                f"{scores[name].get(ex_id)!r}, expected {want!r}")
        for ex_id, want in expected.items():
            if abs(got.get(ex_id, -1) - want) > 1e-9:
                problems.append(f"{tool} {path.stem} {name}: {ex_id} scored "
                                f"{got.get(ex_id)}, expected {want}")
        total = sum(got.values())
        left = [i for i in written(path) if scores[name].get(i) == "manual"]
        lines.append(f"   {tool} {path.stem} {name}: {total:g} of {full_marks} auto-graded points"
                     + (f"; {', '.join(left)} left for a person" if left else ""))
    return problems, lines


def grade_with(tool: str, paths: list[pathlib.Path], work: pathlib.Path) -> tuple[list[str], str]:
    """Grade every chapter's submissions with one tool: (problems, its report)."""
    scorer = {"nbgrader": nbgrader_scores, "otter": otter_scores}[tool]
    problems, lines = [], []
    for path in paths:
        t = time.time()
        found, report = compare(tool, path, scorer(path, work))
        problems += found
        lines += report + [f"   {tool} {path.stem}: graded in {time.time() - t:.0f} s"]
    return problems, "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+")
    parser.add_argument("--work", type=pathlib.Path, required=True)
    args = parser.parse_args(argv)
    args.work = args.work.resolve()   # the tools run in other folders
    if args.work.exists():
        shutil.rmtree(args.work)
    try:
        gr.write_releases(args.work, args.chapters)
    except ValueError as err:   # an unknown chapter, or one without answer code
        print(f"grading-test: {err}", file=sys.stderr)
        return 2
    paths = list(gr.chapters_named(args.chapters))
    # The two tools side by side (their folders and databases are separate; each tool's
    # chapters one after the other): most of the time is spent starting kernels and tools.
    problems = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(grade_with, tool, paths, args.work) for tool in ("nbgrader", "otter")]
        for job in jobs:
            found, report = job.result()   # re-raises a tool's failure (SystemExit)
            problems += found
            print(report, flush=True)
    for line in problems:
        print(f"grading-test: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
