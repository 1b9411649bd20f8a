// Activation quantization for the quantized MatMul (kernels/quant_internal.h): the scalar
// reference (quant's quantizer + repack) against the AVX-512 QuantizeActsFast, one row of k
// values (tinyllama-1.1b's 2048 and 5632) to Q8_0, Q8_1 and Q8_K; reports input GB/s (4 k bytes
// per row) and ns per row. CPU time (one thread, the data stays in L1/L2).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "base/cpu_features.h"
#if defined(__x86_64__) && !defined(MIAOTUI_KERNELS_X86)
#define MIAOTUI_KERNELS_X86  // the kernels library builds its x86 ISAs on every x86-64 target
#endif
#include "kernels/quant_internal.h"

namespace miaotui::kernels::internal {
namespace {

constexpr DType kActTypes[] = {DType::kQ8_0, DType::kQ8_1, DType::kQ8_K};

// Args: activation type index, k, fast (0: scalar reference, 1: AVX-512).
void BM_QuantizeActs(benchmark::State& state) {
  const DType t = kActTypes[state.range(0)];
  const int64_t k = state.range(1);
  const bool fast = state.range(2) != 0;
  if (fast && !GetCpuFeatures().HasAvx512Set()) {
    state.SkipWithError("no AVX-512");
    return;
  }
  std::vector<float> x(static_cast<size_t>(k));
  std::mt19937 rng(5);
  std::normal_distribution<float> d(0.f, 1.f);
  for (float& v : x) v = d(rng);
  QuantizedActs a = ActsLayout(t, 1, k);
  std::vector<uint8_t> buf(a.stride + 64);
  a.base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(buf.data()) + 63) & ~uintptr_t{63});
  for (auto _ : state) {
#if defined(__x86_64__)
    if (fast) {
      avx512::QuantizeActsFast(a, x.data(), k);
    } else {
      QuantizeActsRef(a, x.data(), k);
    }
#else
    QuantizeActsRef(a, x.data(), k);
#endif
    benchmark::DoNotOptimize(buf.data());
  }
  state.counters["GB/s"] = benchmark::Counter(
      4.0 * static_cast<double>(k) * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
  state.SetLabel(std::string(DTypeName(t)) + (fast ? " avx512" : " scalar"));
}

void Args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"act", "k", "fast"});
  for (int t = 0; t < 3; ++t) {
    for (int64_t k : {2048, 5632}) {
      for (int fast : {0, 1}) b->Args({t, k, fast});
    }
  }
}

BENCHMARK(BM_QuantizeActs)->Apply(Args)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace miaotui::kernels::internal

BENCHMARK_MAIN();
