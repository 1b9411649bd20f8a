#!/usr/bin/env bash
# Builds the test preset and runs the whole test suite; then the tests labelled "asan" (parsers,
# bad input, unit and model tests) again under AddressSanitizer + UndefinedBehaviorSanitizer
# (clang), the fuzz smoke (every libFuzzer target of fuzz/ for FUZZ_SECONDS, default 20, built in
# the same instrumented tree) and the tests labelled "tsan" (the server's concurrency) under
# ThreadSanitizer. Usage: bash scripts/test.sh [--no-asan] (skips all three sanitizer stages)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-$(nproc)}"
# ccache hits across clones and build folders: paths relative to the repository, cwd unhashed.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
# MPI (installed by setup.sh) builds the communicator and the mpirun tests (label "mpi").
MPI_FLAG="-DMIAOTUI_MPI=OFF"
if command -v mpicxx >/dev/null && command -v mpirun >/dev/null; then MPI_FLAG="-DMIAOTUI_MPI=ON"; fi
# nvcc (also without a GPU) builds the CUDA backend (docs/CUDA.md); its tests then skip, printing
# "no CUDA device: <reason>". The sanitizer builds keep it off.
CUDA_FLAG="-DMIAOTUI_CUDA=OFF"
if command -v nvcc >/dev/null; then CUDA_FLAG="-DMIAOTUI_CUDA=ON"; fi
# The server's Node tests (OpenAI client, web page) need their npm packages; without node they
# are not registered at all.
if command -v node >/dev/null && command -v npm >/dev/null; then
  npm ci --prefix tests/server/node --no-audit --no-fund >/dev/null
fi
cmake --preset test "$MPI_FLAG" "$CUDA_FLAG" >/dev/null
cmake --build --preset test -j "$JOBS"
ctest --preset test -j "$JOBS" -LE slow
if [ "${1:-}" != "--no-asan" ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$JOBS" --target asan_tests fuzzers
  ctest --preset asan -j "$JOBS" -L asan
  bash scripts/fuzz_smoke.sh build/asan
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$JOBS" --target tsan_tests
  ctest --preset tsan -j "$JOBS" -L tsan
fi
