#!/usr/bin/env bash
# The browser test alone (tests/browser): every page of the built book in headless Chromium,
# with axe-core, screenshots in _build/screenshots/ and the network blocked, and the live
# panels (Pyodide) compared with lessons_lib.
# Build the book first (bash scripts/build_book.sh). Extra arguments go to pytest.
# BOOK_HTML=DIR tests another build (default _build/html; screenshots go beside it), e.g. one
# made with a private table of contents: set BOOK_TOC=FILE too (see tests/browser).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
REQUIRE_BUILT_BOOK=1 python -m pytest tests/browser -p no:cacheprovider -q "$@"
echo "screenshots: $(dirname "${BOOK_HTML:-$ROOT/_build/html}")/screenshots/"
