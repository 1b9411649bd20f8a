#!/usr/bin/env bash
# Fuzz smoke: runs every libFuzzer target of fuzz/ (built in BUILD_DIR, default build/asan, by
# `cmake --build --preset asan --target fuzzers`) for FUZZ_SECONDS (default 20) over its committed
# corpus fuzz/corpus/<target>/, under ASan + UBSan. New corpus entries go to a scratch folder, not
# the repository. Any crash, leak, timeout (-timeout, seconds per input) or out-of-memory
# (-rss_limit_mb) fails, and the input is kept as BUILD_DIR/fuzz-artifacts/<target>/crash-*: fix
# the bug, then copy the input into fuzz/corpus/<target>/ as a regression test.
# Usage: bash scripts/fuzz_smoke.sh [BUILD_DIR] [TARGET...]; FUZZ_SECONDS=N, FUZZ_NICE=N (19).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build/asan}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(gguf_fuzz hf_folder_fuzz tokenizer_json_fuzz tokenize_fuzz template_fuzz
           chat_messages_fuzz request_fuzz)
fi
SECONDS_EACH="${FUZZ_SECONDS:-20}"
export MIAOTUI_SHARED_DIR="${MIAOTUI_SHARED_DIR:-$PWD/../shared}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
status=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD_DIR/fuzz/$t"
  art="$BUILD_DIR/fuzz-artifacts/$t"
  mkdir -p "$SCRATCH/$t" "$art"
  log="$SCRATCH/$t.log"
  if nice -n "${FUZZ_NICE:-19}" "$bin" -max_total_time="$SECONDS_EACH" -timeout=5 \
      -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$art/" \
      "$SCRATCH/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
    echo "fuzz: $t ok (${runs:-?} executions in ${SECONDS_EACH}s)"
  else
    echo "fuzz: $t FAILED; the input is in $art/" >&2
    tail -n 60 "$log" >&2
    status=1
  fi
done
exit "$status"
