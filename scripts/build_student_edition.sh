#!/usr/bin/env bash
# The student edition: the book without the exercise solutions (the self-checks stay).
#   bash scripts/build_student_edition.sh
# writes _build/student/_build/html/index.html (the book) and _build/student/notebooks/
# (the chapter notebooks without solutions or outputs). With the argument `instructor`
# (what scripts/build_instructor_edition.sh runs) it builds the instructor edition instead:
# _build/instructor/_build/html/, every solution open, and an answer key.
# Both reuse the notebooks that the main build executed (_build/jupyter_execute), so they
# execute nothing; when those are missing or older than the pages, the main build runs first.
set -euo pipefail
EDITION="${1:-student}"
case "$EDITION" in
  student|instructor) ;;
  *) echo "usage: $0 [student|instructor], got '$EDITION'" >&2; exit 2 ;;
esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
if ! python scripts/course_materials.py executed-fresh; then
  echo "$EDITION edition: executing the chapters first (main build)"
  jupyter-book build . -W -n --keep-going
fi
start=$(date +%s)
python scripts/course_materials.py "$EDITION-edition"
echo "$EDITION edition: $(( $(date +%s) - start )) s"
