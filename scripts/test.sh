#!/usr/bin/env bash
# Set up everything the tests need (system packages, .venv, a local Chroma server) and run the
# whole test suite offline. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PKGS="chromium chromium-driver samtools bcftools tabix bwa minimap2 dwgsim vt vt-examples bedtools zlib1g-dev"
missing=""
for b in chromium samtools bcftools tabix bwa minimap2 dwgsim bedtools; do
  command -v "$b" >/dev/null 2>&1 || missing=1
done
[ -d /usr/share/doc/vt/examples ] || missing=1
printf '#include <zlib.h>\n' | "${CC:-cc}" -E -x c - >/dev/null 2>&1 || missing=1  # mappy's build needs it
if [ -n "$missing" ]; then
  echo "==> installing system packages: $APT_PKGS"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $APT_PKGS >/dev/null
fi
bash scripts/install.sh

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False
chroma_dir=$(mktemp -d)
port=$(.venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
echo "==> starting a Chroma server on 127.0.0.1:$port"
.venv/bin/chroma run --path "$chroma_dir" --host 127.0.0.1 --port "$port" >"$chroma_dir.log" 2>&1 &
chroma_pid=$!
trap 'kill $chroma_pid 2>/dev/null || true; rm -rf "$chroma_dir" "$chroma_dir.log"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null || { echo "Chroma server did not start"; cat "$chroma_dir.log"; exit 1; }
export MEDBOT_TEST_CHROMA_URL="http://127.0.0.1:$port"

echo "==> running the test suite"
.venv/bin/python -m pytest -q "$@"
