"""The command line of the book's editions (the modules live in `scripts/editions/`).

    python scripts/course_materials.py colab              # (re)write colab/**/*.ipynb
    python scripts/course_materials.py colab --check      # exit 1 if a file is stale
    python scripts/course_materials.py student-edition    # see scripts/build_student_edition.sh
    python scripts/course_materials.py instructor-edition # see scripts/build_instructor_edition.sh
    python scripts/course_materials.py graded [CHAPTER ...] [--out DIR]   # nbgrader, Otter
    python scripts/course_materials.py executed-fresh     # exit 1 if the executed pages are stale

(`handouts` is another name for `colab`: the hand-outs are written with the Colab edition.)

* **Colab edition** (`colab/book/<chapter>.ipynb`, committed; :mod:`editions.colab`): what the
  book's *Open in Colab* buttons open; its student edition (`colab/student/book/`) has no
  solutions.
* **Hand-outs** (`colab/book/exercises/<chapter>.ipynb`, committed; :mod:`editions.handouts`).
* **Student edition** (`_build/student/`; :mod:`editions.student`): the book without solutions.
* **Instructor edition** (`_build/instructor/`; :mod:`editions.instructor`): solutions open and
  an answer key.
* **Graded releases** (`_build/graded/`; :mod:`editions.graded`): nbgrader and Otter-Grader.

All are read from the chapters by :mod:`editions.reader`.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from editions import reader, colab, graded, instructor, student  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("colab", "handouts"):   # one command: the hand-outs are part of the edition
        h = sub.add_parser(name, help="write the Colab edition: colab/book/*.ipynb, "
                                      "colab/student/book/*.ipynb, colab/book/exercises/*.ipynb")
        h.add_argument("--check", action="store_true", help="report stale files, write nothing")
    sub.add_parser("executed-fresh", help="exit 1 if the main build's executed notebooks are "
                                          "missing or older than the pages")
    sub.add_parser("student-edition", help="build _build/student (after the main build)")
    sub.add_parser("instructor-edition",
                   help="build _build/instructor: solutions open, answer key (after the main build)")
    g = sub.add_parser("graded", help="write the nbgrader and Otter-Grader releases")
    g.add_argument("chapters", nargs="*", help="chapter names (default: every chapter)")
    g.add_argument("--out", type=pathlib.Path, default=graded.OUT)
    args = parser.parse_args(argv)
    if args.command in ("colab", "handouts"):
        return colab.write_colab_edition(check=args.check)
    if args.command == "executed-fresh":
        stale = student.stale_executed_pages()
        for page in stale:
            print(f"not executed since it changed: {page.relative_to(reader.ROOT)}")
        return 1 if stale else 0
    if args.command == "graded":
        try:
            written = graded.write_releases(args.out, args.chapters)
        except ValueError as err:   # ReleaseError is a ValueError
            print(f"course_materials graded: {err}", file=sys.stderr)
            return 2
        for path in written:
            print(f"wrote {path}")
        return 0
    if args.command == "instructor-edition":
        html = instructor.build_instructor_edition()
        print(f"instructor edition: {html / 'index.html'}\n"
              f"answer key: {html / (instructor.ANSWER_KEY + '.html')}")
        return 0
    html = student.build_student_edition()
    print(f"student edition: {html / 'index.html'}\n"
          f"student notebooks (no solutions): {student.STUDENT / 'notebooks'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
