#!/usr/bin/env bash
# The book on JAX and PyTorch, in environments without TensorFlow (scripts/backend_envs.sh makes
# them; scripts/test.sh runs this for both):
#   unit       the unit tests of lessons_lib with KERAS_BACKEND=<backend> (not the checks of the
#              built book, its editions and the browser: those read TensorFlow's build; nor
#              the tests whose answer is the same on every backend, tests/conftest.py's
#              RUN_ONCE: LESSONS_TESTS=backend)
#   notebooks  every chapter under nbval at LESSONS_SCALE=smoke, offline
#
#   bash scripts/backend_tests.sh jax             # both parts
#   bash scripts/backend_tests.sh torch notebooks # one part
#   bash scripts/backend_tests.sh jax notebooks book/resnext.ipynb   # some chapters
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
backend="${1:?usage: backend_tests.sh jax|torch [unit|notebooks|all] [paths...]}"
part="${2:-all}"
shift $(( $# >= 2 ? 2 : $# ))
case "$backend" in jax|torch) ;; *) echo "backend_tests: backend must be jax or torch, got '$backend'" >&2; exit 2;; esac
case "$part" in unit|notebooks|all) ;; *) echo "backend_tests: part must be unit, notebooks or all, got '$part'" >&2; exit 2;; esac
PY=".venv-$backend/bin/python"
if [ ! -x "$PY" ]; then
  echo "backend_tests: $PY is missing: run 'bash scripts/backend_envs.sh $backend'" >&2
  exit 1
fi
export KERAS_BACKEND="$backend" TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0
# Checks of the repository's files and of what the TensorFlow build made: not unit tests of
# lessons_lib, and they need the book's build tools (Playwright, Jupyter Book).
REPOSITORY_CHECKS=(tests/browser tests/test_built_book.py tests/test_student_edition.py
                   tests/test_colab_edition.py tests/test_instructor_kit.py tests/test_graded_releases.py
                   tests/test_typed_figures.py tests/test_workflows.py)
status=0
if [ "$part" != notebooks ]; then
  ignores=()
  for path in "${REPOSITORY_CHECKS[@]}"; do ignores+=(--ignore="$path"); done
  echo "-- unit tests, KERAS_BACKEND=$backend (no TensorFlow)"
  LESSONS_TESTS=backend "$PY" -m pytest "${@:-tests}" "${ignores[@]}" -n 2 --dist loadfile -p no:cacheprovider -q \
    -W ignore::DeprecationWarning \
    --durations=5 || status=1
fi
if [ "$part" != unit ]; then
  echo "-- nbval over the chapters, KERAS_BACKEND=$backend, LESSONS_SCALE=smoke, offline"
  LESSONS_SCALE=smoke LESSONS_OFFLINE=1 "$PY" -m pytest "${@:-book}" --nbval-lax -n 2 \
    --dist loadfile -p no:cacheprovider -q --durations=8 || status=1
fi
exit $status
