#!/usr/bin/env bash
# Create (or update) the two TensorFlow-free environments of the cross-backend tests:
#   .venv-jax    Keras + JAX (CPU)       exactly tests/backends/jax-packages.txt
#   .venv-torch  Keras + PyTorch (CPU)   exactly tests/backends/torch-packages.txt
# each with pytest and lessons_lib installed editable with --no-deps. TensorFlow is never
# installed there (the script fails if it appears). An environment is re-created only when its
# package list or pyproject.toml changed (sha256 stamp, as scripts/setup_env.sh does).
#
#   bash scripts/backend_envs.sh            # create / update both
#   bash scripts/backend_envs.sh jax        # only one of them
#   RESOLVE=1 bash scripts/backend_envs.sh  # re-resolve from the loose specs below and rewrite
#                                           # the package lists (pip freeze); then commit them
# torch==2.13.0 is the CPU wheel these machines keep on disk (pip's find-links): an unpinned
# torch would pull several GB of CUDA packages.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
PIP_Q=(-q --disable-pip-version-check)

# What each environment needs; every package requirements.txt pins gets that pin (-c).
# The notebook stack too: nbval runs every chapter in these environments (scripts/test.sh).
COMMON=(keras numpy h5py ml_dtypes pandas pytest pytest-xdist hypothesis nbval nbclient nbformat ipykernel
        ipywidgets plotly matplotlib scikit-learn pillow pydot pyyaml packaging)
declare -A BACKEND=([jax]='jax[cpu]==0.10.2' [torch]='torch==2.13.0')

make_env() {
  local name="$1" venv=".venv-$1" list="tests/backends/$1-packages.txt"
  local stamp="$venv/.backend-env.sha256" want
  if [ "${RESOLVE:-0}" = 1 ] || [ ! -f "$list" ]; then
    echo "backend_envs: resolving $venv from the loose specs (RESOLVE)"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install "${PIP_Q[@]}" --upgrade "pip>=24"
    "$venv/bin/python" -m pip install "${PIP_Q[@]}" -c requirements.txt \
      "${COMMON[@]}" "${BACKEND[$name]}"
    { echo "# $venv: pip freeze of scripts/backend_envs.sh (RESOLVE=1 regenerates). No TensorFlow."
      "$venv/bin/python" -m pip freeze --exclude-editable | grep -vi '^lessons'; } > "$list"
    "$venv/bin/python" -m pip install "${PIP_Q[@]}" --no-deps -e .
    cat "$list" pyproject.toml | sha256sum | cut -d' ' -f1 > "$stamp"
  fi
  want="$(cat "$list" pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "backend_envs: creating $venv from $list"
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/python" -m pip install "${PIP_Q[@]}" --upgrade "pip>=24"
    "$venv/bin/python" -m pip install "${PIP_Q[@]}" -r "$list"
    "$venv/bin/python" -m pip install "${PIP_Q[@]}" --no-deps -e .
    echo "$want" > "$stamp"
  fi
  if "$venv/bin/python" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("tensorflow") is None)'; then
    echo "backend_envs: TensorFlow is installed in $venv; it must not be" >&2
    exit 1
  fi
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(jax torch)
for n in "${names[@]}"; do
  [ -n "${BACKEND[$n]+x}" ] || { echo "backend_envs: unknown backend '$n' (allowed: jax, torch)" >&2; exit 2; }
  make_env "$n"
done
