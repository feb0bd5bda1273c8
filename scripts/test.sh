#!/usr/bin/env bash
# Command 2 of the README (and of .ci/run): set up the environment, then
#   1. build the book with every warning an error (jupyter-book build -W -n --keep-going),
#      executing every chapter at the quick scale, offline (LESSONS_OFFLINE=1: each download
#      says what it would have fetched, so the pages show no resolver error);
#   2. build the student edition (no solutions) and the instructor edition (solutions open,
#      answer key) from the notebooks step 1 executed;
#   3. make the environments of steps 3-7 side by side (.venv-jax and .venv-torch without
#      TensorFlow: scripts/backend_envs.sh; .venv-grading; the Colab legs' .venv-colab and
#      .venv-colab-current), then run the unit tests on TensorFlow (tests/backends: the five
#      models give TensorFlow's numbers on JAX and PyTorch), the checks of the built HTML, of
#      the student and instructor editions and of the Colab edition, and the browser tests (tests/browser: every page in headless
#      Chromium, axe-core, the live panels against Python, the Colab edition as nbconvert renders it;
#      screenshots in _build/screenshots/, network blocked);
#   4. the unit tests again on JAX and on PyTorch, in those environments without TensorFlow
#      (scripts/backend_tests.sh unit; the tests whose answer is the same on every backend,
#      tests/conftest.py's RUN_ONCE, ran in step 3 and are left out here);
#   5. run nbval over every chapter at LESSONS_SCALE=smoke (full-scale sizes, widths, batch
#      sizes and data choices, one or two steps of each loop), offline, on JAX and on PyTorch
#      without TensorFlow (scripts/backend_tests.sh notebooks). On TensorFlow the same cells
#      run at the smoke scale in step 7 (the Colab edition, with Colab's TensorFlow and Keras)
#      and at the quick scale in step 1 (with requirements.txt's);
#   6. the graded releases graded by the real tools (scripts/grading_test.sh): for two chapters,
#      nbgrader and Otter-Grader each grade a submission with every answer right (full marks),
#      two with alternate answers wrong (each loses exactly its question's points) and an
#      unanswered one (0);
#   7. run the Colab path test (scripts/colab_path_test.sh) in two legs. The oldest Colab the
#      lower bounds promise (Python 3.11, tests/colab/colab-packages.txt): an install that
#      changes none of its packages, and the unit tests. Colab today (Python 3.13,
#      tests/colab/colab-packages-current.txt): the same, then every notebook of the Colab
#      edition and every exercise hand-out run as Colab runs them, at the smoke scale (the
#      full-size code paths a Colab GPU runs; the quick training ran in step 1) on TensorFlow,
#      and the hand-outs once more with KERAS_BACKEND=jax on Colab's JAX (the chapters ran on
#      JAX in step 5).
# Every step runs even if an earlier one failed; exits non-zero if any step fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
export LESSONS_SCALE="${LESSONS_SCALE:-quick}"
export PYTHONHASHSEED=0
echo "test: LESSONS_SCALE=$LESSONS_SCALE (book build); smoke for steps 5 and 7"

start=$(date +%s)
status=0
step() { echo "   $1: $(( $(date +%s) - $2 )) s (total $(( $(date +%s) - start )) s)"; }

echo "== 1/7 jupyter-book build -W -n --keep-going (executes every notebook)"
t=$(date +%s)
# A clean build: with Sphinx's saved environment (_build/.doctrees) it would skip
# unchanged notebooks, neither executing them nor repeating their warnings.
rm -rf _build/html _build/jupyter_execute _build/.doctrees
if ! LESSONS_OFFLINE="${LESSONS_OFFLINE:-1}" jupyter-book build . -W -n --keep-going; then
  echo "test: the book build failed or had warnings" >&2
  status=1
fi
step "book build" "$t"

echo "== 2/7 student and instructor editions (reuse the executed notebooks)"
t=$(date +%s)
rm -rf _build/student _build/screenshots
if ! python scripts/course_materials.py student-edition; then
  echo "test: the student edition did not build" >&2
  status=1
fi
step "student edition" "$t"
t=$(date +%s)
rm -rf _build/instructor
if ! python scripts/course_materials.py instructor-edition; then
  echo "test: the instructor edition did not build" >&2
  status=1
fi
step "instructor edition" "$t"

echo "== 3/7 environments; unit tests (TensorFlow, JAX, PyTorch), built-book and edition checks, browser tests"
t=$(date +%s)
# Every environment the later steps use, made side by side: pip installs wait on downloads and
# the disk more than on the CPU, so five at once take little longer than the slowest alone.
# Each one's log is printed when all are done.
mkdir -p _build/logs
rm -f _build/logs/env-*
make_env() {  # NAME COMMAND...: in the background, its log and exit status in _build/logs/
  local name="$1"
  shift
  ( set +e; "$@" > "_build/logs/env-$name.log" 2>&1; echo $? > "_build/logs/env-$name.rc" ) &
}
make_env jax bash scripts/backend_envs.sh jax
make_env torch bash scripts/backend_envs.sh torch
make_env grading env GRADING_ENV_ONLY=1 bash scripts/grading_test.sh
make_env colab-oldest env COLAB_LEG=oldest COLAB_ENV_ONLY=1 bash scripts/colab_path_test.sh
make_env colab-current env COLAB_LEG=current COLAB_ENV_ONLY=1 bash scripts/colab_path_test.sh
wait
for name in jax torch grading colab-oldest colab-current; do
  echo "-- environment: $name"
  grep -v 'is ignored: it is neither a file nor a directory' "_build/logs/env-$name.log" || true
  if [ "$(cat "_build/logs/env-$name.rc" 2>/dev/null)" != 0 ]; then
    echo "test: the $name environment could not be made (_build/logs/env-$name.log)" >&2
    status=1
  fi
done
step "environments (JAX, PyTorch, grading, two Colab legs; side by side)" "$t"
t=$(date +%s)
# Not test_lessons_lib_without_tensorflow here: it runs tests/backends/test_no_tensorflow.py in
# .venv-jax and .venv-torch, and step 4 runs that file there too, among the unit tests.
if ! REQUIRE_BUILT_BOOK=1 REQUIRE_BACKENDS=1 python -m pytest tests -n 2 --dist loadfile \
      --deselect tests/backends/test_same_numbers.py::test_lessons_lib_without_tensorflow \
      -p no:cacheprovider --durations=15 -q; then
  status=1
fi
step "pytest tests" "$t"

echo "== 4/7 unit tests on JAX and on PyTorch (no TensorFlow installed there)"
for backend in jax torch; do
  t=$(date +%s)
  if ! bash scripts/backend_tests.sh "$backend" unit; then
    status=1
  fi
  step "unit tests ($backend)" "$t"
done

echo "== 5/7 nbval over every chapter at LESSONS_SCALE=smoke, offline: JAX, PyTorch (TensorFlow: step 7)"
for backend in jax torch; do
  t=$(date +%s)
  if ! bash scripts/backend_tests.sh "$backend" notebooks; then
    status=1
  fi
  step "nbval (smoke, $backend)" "$t"
done

echo "== 6/7 graded releases: nbgrader and Otter-Grader grade sample submissions"
t=$(date +%s)
if ! bash scripts/grading_test.sh; then
  status=1
fi
step "graded releases (nbgrader, Otter-Grader)" "$t"

echo "== 7/7 the Colab path: the oldest Colab the lower bounds promise, and Colab today"
t=$(date +%s)
if ! COLAB_LEG=oldest COLAB_NOTEBOOKS=0 bash scripts/colab_path_test.sh; then
  status=1
fi
step "Colab path, oldest leg (Python 3.11: dry run, unit tests)" "$t"
t=$(date +%s)
# At the smoke scale: every full-size code path (what a Colab learner on a GPU runs) with
# Colab's versions, in minutes; it is also the book's smoke run on TensorFlow (step 5 ran JAX
# and PyTorch). The quick-scale training ran, and was checked against its targets, in steps
# 1 and 3. On Colab's JAX only the exercise hand-outs (every self-check):
# every chapter already ran on JAX, without TensorFlow, in step 5.
if ! LESSONS_SCALE=smoke COLAB_LEG=current COLAB_BACKENDS="tensorflow jax" \
    COLAB_JAX_ONLY=colab/book/exercises bash scripts/colab_path_test.sh; then
  status=1
fi
step "Colab path, current leg (Python 3.13: dry run, unit tests, notebooks on TF and hand-outs on JAX, smoke)" "$t"
exit $status
