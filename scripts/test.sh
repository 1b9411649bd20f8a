#!/usr/bin/env bash
# Builds the test preset and runs the whole test suite; then the bad-input tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer. Usage: bash scripts/test.sh [--no-asan]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-$(nproc)}"
# MPI (installed by setup.sh) builds the communicator and the mpirun tests (label "mpi").
MPI_FLAG="-DMIAOTUI_MPI=OFF"
if command -v mpicxx >/dev/null && command -v mpirun >/dev/null; then MPI_FLAG="-DMIAOTUI_MPI=ON"; fi
# The server's Node tests (OpenAI client, web page) need their npm packages; without node they
# are not registered at all.
if command -v node >/dev/null && command -v npm >/dev/null; then
  npm ci --prefix tests/server/node --no-audit --no-fund >/dev/null
fi
cmake --preset test "$MPI_FLAG" >/dev/null
cmake --build --preset test -j "$JOBS"
ctest --preset test -j "$JOBS" -LE slow
if [ "${1:-}" != "--no-asan" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$JOBS" --target asan_tests
  ctest --preset asan -j "$JOBS" -L asan
fi
