#!/usr/bin/env bash
# The student edition: the book without the exercise solutions (the self-checks stay).
#   bash scripts/build_student_edition.sh
# writes _build/student/_build/html/index.html (the book) and _build/student/notebooks/
# (the chapter notebooks without solutions or outputs). It reuses the notebooks that the
# main build executed (_build/jupyter_execute), so it executes nothing; when they are
# missing or older than the chapters it runs the main build (scripts/build_book.sh) first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
if ! python - <<'PY'
import pathlib, sys
sys.path.insert(0, "scripts")
import course_materials as cm
stale = [p for p in cm.chapter_notebooks()
         if not (cm.EXECUTED / p.relative_to(cm.ROOT)).exists()
         or (cm.EXECUTED / p.relative_to(cm.ROOT)).stat().st_mtime < p.stat().st_mtime]
sys.exit(1 if stale else 0)
PY
then
  echo "student edition: executing the chapters first (main build)"
  jupyter-book build . -W -n --keep-going
fi
start=$(date +%s)
python scripts/course_materials.py student-edition
echo "student edition: $(( $(date +%s) - start )) s"
