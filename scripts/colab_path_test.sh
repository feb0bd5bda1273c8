#!/usr/bin/env bash
# The Colab path test: lessons_lib and the notebooks against Colab's own package versions, in
# two legs (COLAB_LEG):
#   oldest   (default) Python 3.11 with tests/colab/colab-packages.txt, the 2025-08 image
#            whose versions are pyproject.toml's lower bounds (.venv-colab);
#   current  Python 3.13 with tests/colab/colab-packages-current.txt, Colab's image of
#            2026-08-19 (TF 2.20, Keras 3.13.2, JAX 0.7.2; .venv-colab-current).
# Each leg:
#   1. the venv with exactly that package list (created once, re-created when it changes);
#   2. `pip install --dry-run --report` of the repository there must install lessons_lib
#      and nothing else (so the setup cell on Colab changes none of Colab's packages);
#   3. lessons_lib installed there (a wheel of the working tree, not editable), then the
#      unit tests run against it (all of tests/ but the checks of the repository's own
#      files and of the built book), so the package ranges are really tested;
#   4. every notebook given (default: colab/**/*.ipynb but colab/student/) runs as on Colab: alone in an empty
#      folder, google.colab imported at kernel start, its setup cell installing that wheel,
#      LESSONS_OFFLINE=1 (tests/colab/colab_path.py), once per backend of COLAB_BACKENDS.
#
#   bash scripts/colab_path_test.sh [NOTEBOOK.ipynb ...]
#   COLAB_LEG=current COLAB_BACKENDS="tensorflow jax" bash scripts/colab_path_test.sh
#   COLAB_ENV_ONLY=1 (step 1 only: make the venv and stop),
#   COLAB_JOBS=2 (test processes and notebooks at a time), LESSONS_SCALE=quick (passed through;
#   COLAB_JAX_SCALE sets the scale of the JAX run, default LESSONS_SCALE; COLAB_JAX_ONLY=DIR runs
#   only the notebooks under DIR on JAX), COLAB_NOTEBOOKS=0
#   (steps 1-3 only), COLAB_UNIT_TESTS=0 (no unit tests in step 3: while working on the
#   notebooks), PYTHON (makes the venv), COLAB_VENV (where the venv is)
# Executed notebooks go to _build/colab-path/<leg>-<backend>/. Exits non-zero if any step fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
given=()
for nb in "$@"; do given+=("$(realpath -m "$nb")"); done   # before the cd below
cd "$ROOT"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0
export LESSONS_SCALE="${LESSONS_SCALE:-quick}"   # LESSONS_OFFLINE=1: the notebooks only
export PIP_DISABLE_PIP_VERSION_CHECK=1
LEG="${COLAB_LEG:-oldest}"
case "$LEG" in
  oldest)  PACKAGES=tests/colab/colab-packages.txt; default_venv=.venv-colab; want_py=3.11 ;;
  current) PACKAGES=tests/colab/colab-packages-current.txt; default_venv=.venv-colab-current
           want_py=3.13 ;;
  *) echo "colab-path: COLAB_LEG must be oldest or current, got '$LEG'" >&2; exit 2 ;;
esac
VENV="$(realpath -m "${COLAB_VENV:-$ROOT/$default_venv}")"
PY="$VENV/bin/python"
JOBS="${COLAB_JOBS:-2}"
BACKENDS="${COLAB_BACKENDS:-tensorflow}"

find_python() {  # python$want_py on PATH, else pyenv's (these machines have pyenv's 3.11 and 3.13)
  local candidate root
  for candidate in "${PYTHON:-}" "python$want_py"; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want_py'.split('.'))))" 2>/dev/null \
      && { command -v "$candidate"; return 0; }
  done
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for candidate in "$root"/versions/"$want_py".*/bin/python"$want_py"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}
# Repository checks and built-book checks: they test this repository's files, not
# lessons_lib against package versions, and need tools Colab does not ship.
NOT_HERE=(tests/browser tests/test_built_book.py tests/test_student_edition.py
          tests/test_notebooks.py tests/test_colab_edition.py tests/test_instructor_kit.py
          tests/test_graded_releases.py tests/grading
          tests/backends tests/test_typed_figures.py tests/test_workflows.py)

t0=$(date +%s)
t=$t0
lap() { local now; now=$(date +%s); echo "   $1: $(( now - t )) s"; t=$now; }
quiet_pip() { grep -v 'is ignored: it is neither a file nor a directory' >&2 || true; }

echo "== 1/4 [$LEG leg] $(basename "$VENV") with Colab's packages ($PACKAGES)"
want="$(sha256sum "$PACKAGES" | cut -d' ' -f1)"
if [ "$(cat "$VENV/.colab-env.sha256" 2>/dev/null)" != "$want" ]; then
  if ! PYTHON="$(find_python)"; then
    echo "colab-path: the $LEG leg needs Python $want_py (its package list is a Python" \
         "$want_py Colab image): none on PATH (python$want_py) nor under pyenv" \
         "($(pyenv root 2>/dev/null || echo ~/.pyenv)/versions/$want_py.*); install it, or set PYTHON=" >&2
    exit 1
  fi
  echo "   creating $VENV with $("$PYTHON" --version) (a few minutes the first time)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$PY" -m pip install -q "$(grep -E '^pip==' "$PACKAGES")" 2> >(quiet_pip)
  "$PY" -m pip install -q --no-deps -r "$PACKAGES" 2> >(quiet_pip)
  "$PY" -m pip check
  echo "$want" > "$VENV/.colab-env.sha256"
fi
lap "environment"
if [ "${COLAB_ENV_ONLY:-0}" = 1 ]; then   # scripts/test.sh makes the environments first, side by side
  echo "colab-path [$LEG]: environment ready ($(basename "$VENV"))"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "== 2/4 pip install --dry-run of the repository installs lessons_lib and nothing else"
# A copy of the working tree (tracked and untracked, not ignored): building writes build/
# and *.egg-info next to the sources, and a git+ install on Colab builds from a clone too.
mkdir "$WORK/src"
git ls-files -z --cached --others --exclude-standard -- . ':!.venv-colab*' \
  | (cd "$ROOT" && while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) \
  | xargs -0 cp --parents -t "$WORK/src"
"$PY" -m pip uninstall -q -y lessons_lib 2>/dev/null || true
"$PY" -m pip install -q --dry-run --report "$WORK/report.json" "$WORK/src" 2> >(quiet_pip)
"$PY" tests/colab/colab_path.py check-report "$WORK/report.json"
lap "dry run"

echo "== 3/4 lessons_lib installed (not editable); unit tests with Colab's versions"
"$PY" -m pip wheel -q --no-deps -w "$WORK/wheel" "$WORK/src" 2> >(quiet_pip)
WHEEL="$(ls "$WORK"/wheel/lessons_lib-*.whl)"
"$PY" -m pip install -q --no-deps "$WHEEL" 2> >(quiet_pip)
# -P: no current directory on sys.path, so the tests import the installed lessons_lib
where="$("$PY" -P -c 'import lessons_lib; print(lessons_lib.__file__)')"
case "$where" in
  "$VENV"/*) ;;
  *) echo "colab-path: lessons_lib imports from $where, not from $VENV" >&2; exit 1 ;;
esac
ignores=()
for path in "${NOT_HERE[@]}"; do ignores+=(--ignore="$path"); done
if [ "${COLAB_UNIT_TESTS:-1}" = 0 ]; then
  echo "   unit tests skipped (COLAB_UNIT_TESTS=0)"
else
  "$PY" -P -m pytest tests "${ignores[@]}" -n "$JOBS" --dist loadfile -p no:cacheprovider -q -rs \
    -W ignore::DeprecationWarning
fi
lap "unit tests"

if [ "${COLAB_NOTEBOOKS:-1}" = 0 ]; then
  echo "== 4/4 notebooks: skipped (COLAB_NOTEBOOKS=0)"
  echo "colab-path [$LEG]: passed in $(( $(date +%s) - t0 )) s"
  exit 0
fi
if [ ${#given[@]} -gt 0 ]; then
  notebooks=("${given[@]}")
else
  # colab/student/ is the Colab edition with the solution Markdown removed: the same code
  # cells (tests/test_colab_edition.py checks that), so running it again would test nothing new
  shopt -s nullglob globstar
  notebooks=()
  for nb in colab/**/*.ipynb; do
    case "$nb" in colab/student/*) ;; *) notebooks+=("$nb") ;; esac
  done
  shopt -u nullglob globstar
fi
if [ ${#notebooks[@]} -eq 0 ]; then
  echo "colab-path: no notebooks given and none in colab/" >&2
  exit 1
fi
status=0
for backend in $BACKENDS; do
  scale="$LESSONS_SCALE"
  run=("${notebooks[@]}")
  if [ "$backend" = jax ]; then
    scale="${COLAB_JAX_SCALE:-$LESSONS_SCALE}"
    if [ -n "${COLAB_JAX_ONLY:-}" ]; then   # only the notebooks under this folder
      run=()
      for nb in "${notebooks[@]}"; do
        case "$(realpath -m "$nb")" in "$(realpath -m "$COLAB_JAX_ONLY")"/*) run+=("$nb") ;; esac
      done
    fi
  fi
  echo "== 4/4 [$LEG leg] ${#run[@]} notebooks as on Colab, KERAS_BACKEND=$backend," \
       "LESSONS_SCALE=$scale ($JOBS at a time)"
  out="_build/colab-path/$LEG-$backend"
  rm -rf "$out"
  if ! KERAS_BACKEND="$backend" LESSONS_SCALE="$scale" "$PY" tests/colab/colab_path.py \
      run-notebooks --wheel "$WHEEL" --jobs "$JOBS" --out "$out" "${run[@]}"; then
    status=1
  fi
  lap "${#run[@]} notebooks ($backend)"
done
[ $status = 0 ] && echo "colab-path [$LEG]: passed in $(( $(date +%s) - t0 )) s"
exit $status
