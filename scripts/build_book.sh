#!/usr/bin/env bash
# Command 1 of the README: set up the environment, execute every notebook and
# build the HTML book into _build/html.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
echo "build: executing the notebooks and building the book (run scale: ${LESSONS_SCALE:-chosen by hardware})"
jupyter-book build . "$@"
cat <<MSG

The book is at: $ROOT/_build/html/index.html
Open it in a browser (file://$ROOT/_build/html/index.html), or serve it:
    python3 -m http.server --directory "$ROOT/_build/html" 8000   # then http://localhost:8000
MSG
