"""The book's editions, generated from the chapters: one module each, and one shared reader.

* :mod:`editions.reader`: the shared reader (table of contents, each chapter's objectives,
  prerequisites, time and exercises; the repository and book addresses; notebook helpers);
* :mod:`editions.colab`: the Colab edition and its student edition (committed, `colab/`);
* :mod:`editions.handouts`: the exercise hand-outs (committed, `colab/book/exercises/`);
* :mod:`editions.student`: the student edition of the book (`_build/student/`);
* :mod:`editions.instructor`: the instructor edition and its answer key (`_build/instructor/`);
* :mod:`editions.graded`: the graded releases for nbgrader and Otter-Grader (`_build/graded/`).

`scripts/course_materials.py` is the command line over them. Import the modules with
`scripts/` on `sys.path` (`from editions import reader`).
"""
