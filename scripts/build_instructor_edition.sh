#!/usr/bin/env bash
# The instructor edition: the book with every solution shown open, plus an answer key.
#   bash scripts/build_instructor_edition.sh
# writes _build/instructor/_build/html/index.html; the page book/answer_key.html lists every
# exercise with its solution and, side by side, its self-check (the checker's source).
# It reuses the notebooks the main build executed (see scripts/build_student_edition.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/build_student_edition.sh" instructor
