#!/usr/bin/env bash
# The graded releases (scripts/editions/graded.py) graded by the real tools, nbgrader and
# Otter-Grader as they come from PyPI, in their own environment .venv-grading (exactly
# tests/grading/grading-packages.txt: Keras on JAX, nbgrader, otter-grader; lessons_lib
# editable). tests/grading/grade_releases.py generates both releases of each chapter, lets each
# tool make the student notebook, and grades four submissions per tool and chapter: all right
# (full marks), odd-numbered answers wrong, even-numbered answers wrong (each wrong answer loses
# exactly its question's points), nothing answered (0).
#
#   bash scripts/grading_test.sh                      # conv_arithmetic and factorized_convolutions
#   GRADING_CHAPTERS="resnext" bash scripts/grading_test.sh
#   GRADING_ENV_ONLY=1 bash scripts/grading_test.sh      # only make .venv-grading
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
VENV=.venv-grading
LIST=tests/grading/grading-packages.txt
PIP_Q=(-q --disable-pip-version-check)
quiet_pip() { grep -v 'is ignored: it is neither a file nor a directory' >&2 || true; }

want="$(cat "$LIST" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$VENV/.grading-env.sha256" 2>/dev/null)" != "$want" ]; then
  echo "grading-test: creating $VENV from $LIST"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install "${PIP_Q[@]}" -r "$LIST" 2> >(quiet_pip)
  "$VENV/bin/python" -m pip install "${PIP_Q[@]}" --no-deps -e . 2> >(quiet_pip)
  echo "$want" > "$VENV/.grading-env.sha256"
fi

if [ "${GRADING_ENV_ONLY:-0}" = 1 ]; then   # scripts/test.sh makes the environments first
  echo "grading-test: $VENV ready"
  exit 0
fi
# nbgrader runs `alembic` (its database migrations) from the PATH; both tools start kernels
# of this environment's Python
export PATH="$ROOT/$VENV/bin:$PATH" KERAS_BACKEND=jax LESSONS_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2
# shellcheck disable=SC2086  # the chapter names are words
"$VENV/bin/python" tests/grading/grade_releases.py --work _build/grading \
  ${GRADING_CHAPTERS:-conv_arithmetic factorized_convolutions}
