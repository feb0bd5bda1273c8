#!/usr/bin/env bash
# Create (or update) the book's environment: Debian packages, then .venv with the
# pinned requirements and lessons_lib (editable), then the pinned npm packages in
# node_modules/ (package-lock.json: the JavaScript the built book serves itself and
# axe-core for the browser test). Safe to run again: it only reinstalls when
# requirements.txt, pyproject.toml or package-lock.json changed.
# Sourced by scripts/build_book.sh and scripts/test.sh; not meant to be run alone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# graphviz: keras.utils.plot_model draws the architectures;
# chromium: the browser test (tests/browser) drives it with Playwright (never `playwright install`);
# BOOK_BROWSER=0 skips it where only the book is built (the publish workflow: Ubuntu has no
# `chromium` Debian package)
DEBIAN_PACKAGES=(graphviz)
[ "${BOOK_BROWSER:-1}" = 0 ] || DEBIAN_PACKAGES+=(chromium)
# node and npm install the pinned JavaScript (package-lock.json); any node >= 18 will do
command -v npm >/dev/null 2>&1 || DEBIAN_PACKAGES+=(nodejs npm)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; return 1; fi
}

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PYTHON --version)"
  if ! "$PYTHON" -m venv .venv; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv .venv
  fi
fi

stamp=.venv/.book-env.sha256
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing the pinned requirements into .venv (about a minute)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi
npm_stamp=node_modules/.book-npm.sha256
npm_want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  echo "setup: installing the pinned npm packages into node_modules (npm ci)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export TF_CPP_MIN_LOG_LEVEL=2
