// DRAM read bandwidth: streams a 1 GiB buffer (far larger than any cache) with 1 and 2 threads,
// summing 64-bit words so no load can be skipped. The figure to put beside the GEMV results.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>

#include "base/aligned.h"
#include "base/thread_pool.h"

namespace miaotui {
namespace {

constexpr size_t kBytes = size_t{1} << 30;

const uint64_t* Buffer() {
  static AlignedBuffer buf = [] {
    AlignedBuffer b = AlignedAlloc(kBytes);
    std::memset(b.get(), 1, kBytes);  // touch every page
    return b;
  }();
  return reinterpret_cast<const uint64_t*>(buf.get());
}

uint64_t SumWords(const uint64_t* p, int64_t n) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int64_t i = 0; i + 4 <= n; i += 4) {
    s0 += p[i];
    s1 += p[i + 1];
    s2 += p[i + 2];
    s3 += p[i + 3];
  }
  return s0 + s1 + s2 + s3;
}

void BM_MemReadBandwidth(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const uint64_t* buf = Buffer();
  const int64_t words = static_cast<int64_t>(kBytes / 8);
  ThreadPool pool(threads);
  uint64_t sums[2] = {0, 0};
  for (auto _ : state) {
    pool.Run([&](int i, int n) {
      int64_t b, e;
      ThreadPool::SplitRange(words, n, i, &b, &e);
      sums[i] = SumWords(buf + b, e - b);
    });
    benchmark::DoNotOptimize(sums);
  }
  state.counters["GB/s"] = benchmark::Counter(
      static_cast<double>(kBytes) * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MemReadBandwidth)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace miaotui

BENCHMARK_MAIN();
