#!/usr/bin/env bash
# Command 2 of the README (and of .ci/run): set up the environment, then
#   1. build the book with every warning an error (jupyter-book build -W -n --keep-going),
#   2. build the student edition from the notebooks step 1 executed (no solutions),
#   3. run the unit tests, the checks of the built HTML and of the student edition, the
#      browser test of every page (tests/browser: headless Chromium, axe-core, screenshots
#      in _build/screenshots/, network blocked) and nbval over every notebook in book/.
# Exits non-zero if any step fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
export LESSONS_SCALE="${LESSONS_SCALE:-quick}"
export PYTHONHASHSEED=0
echo "test: LESSONS_SCALE=$LESSONS_SCALE"

start=$(date +%s)
status=0
echo "== 1/3 jupyter-book build -W -n --keep-going (executes every notebook)"
# A clean build: with Sphinx's saved environment (_build/.doctrees) it would skip
# unchanged notebooks, neither executing them nor repeating their warnings.
rm -rf _build/html _build/jupyter_execute _build/.doctrees
if ! jupyter-book build . -W -n --keep-going; then
  echo "test: the book build failed or had warnings" >&2
  status=1
fi
echo "   book build: $(( $(date +%s) - start )) s"

echo "== 2/3 student edition (reuses the executed notebooks)"
t1=$(date +%s)
rm -rf _build/student _build/screenshots
if ! python scripts/course_materials.py student-edition; then
  echo "test: the student edition did not build" >&2
  status=1
fi
echo "   student edition: $(( $(date +%s) - t1 )) s"

echo "== 3/3 unit tests, built-book checks, browser test and nbval over book/**/*.ipynb"
t2=$(date +%s)
if ! REQUIRE_BUILT_BOOK=1 python -m pytest tests book --nbval-lax -n 2 --dist loadfile \
      -p no:cacheprovider --durations=15 -q; then
  status=1
fi
echo "   pytest: $(( $(date +%s) - t2 )) s; total $(( $(date +%s) - start )) s"
exit $status
