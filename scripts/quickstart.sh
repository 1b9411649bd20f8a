#!/usr/bin/env bash
# One command for a fresh Debian bookworm machine: install dependencies, build miaotui (Release),
# and generate text with the model the project ships (a small Llama trained on Shakespeare).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
echo
# No -m: the shipped Shakespeare model (models/shakespeare-11.5M.gguf).
./build/release/bin/miaotui run -p "ROMEO:" -n 100 --echo --seed 1
