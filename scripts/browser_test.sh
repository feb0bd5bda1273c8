#!/usr/bin/env bash
# The browser test alone (tests/browser): every page of the built book in headless Chromium,
# with axe-core, screenshots in _build/screenshots/ and the network blocked.
# Build the book first (bash scripts/build_book.sh). Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup_env.sh"
cd "$ROOT"
REQUIRE_BUILT_BOOK=1 python -m pytest tests/browser -p no:cacheprovider -q "$@"
echo "screenshots: $ROOT/_build/screenshots/"
