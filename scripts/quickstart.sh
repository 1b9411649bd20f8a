#!/usr/bin/env bash
# One command for a fresh Debian bookworm machine: install dependencies, build miaotui (Release),
# and generate text with the model the project ships.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
echo
./build/release/bin/miaotui run -m models/stories260K.gguf -p "Once upon a time" -n 160 --echo
