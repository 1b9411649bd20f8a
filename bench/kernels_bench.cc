// Kernel microbenchmarks (ISA = ActiveIsa(): the best available, or MIAOTUI_ISA=...).
//   BM_Gemv: m = 1 (decode) over tinyllama-1.1b's matrix shapes, reporting GB/s of weights
//     streamed. Weights rotate through enough copies (>= 512 MiB) that every call reads them
//     from DRAM, as decoding a whole model does.
//   BM_Gemm: m = 512 (prefill), reporting GFLOP/s (2 m n k per call).
//   BM_GemmEncoder: m = 2048 (one packed encoder batch) over bert-base's shapes (QKV/O 768 x 768,
//     FFN up 3072 x 768, down 768 x 3072); 1 thread reports CPU time (robust on a shared
//     machine), 2 threads real time.
//   BM_QGemv / BM_QGemm: the same for every quantized format (kQuantTypes), on the
//     5632 x 2048 (ffn_up) shape for GEMV and 2048 x 2048 for GEMM; GEMM reports GOP/s
//     (2 m n k integer-dominated operations per call, activation quantization included).
// Both run on 1 or 2 threads (ThreadPool, output columns split with SplitRange).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <random>
#include <vector>

#include "base/aligned.h"
#include "base/half.h"
#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/packed.h"
#include "kernels/vec.h"
#include "quant/convert.h"

namespace miaotui::kernels {
namespace {

constexpr DType kTypes[] = {DType::kF32, DType::kF16, DType::kBF16};
constexpr size_t kRotateBytes = size_t{512} << 20;

// Random weights in [-1, 1) encoded as `t`, filling `bytes` bytes.
AlignedBuffer RandomWeights(DType t, size_t bytes, uint32_t seed) {
  AlignedBuffer w = AlignedAlloc(bytes);
  uint32_t state = seed * 2654435761u + 1;  // xorshift32: fast enough for 512 MiB per config
  const size_t elem = t == DType::kF32 ? 4 : 2;
  std::vector<float> chunk(4096);
  for (size_t done = 0; done < bytes / elem; done += chunk.size()) {
    const size_t n = std::min(chunk.size(), bytes / elem - done);
    for (size_t i = 0; i < n; ++i) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      chunk[i] = static_cast<float>(state >> 8) * (2.0f / 16777216.0f) - 1.0f;
    }
    FromF32(t, chunk.data(), w.get() + done * elem, static_cast<int64_t>(n));
  }
  return w;
}

// y = W x with the columns split over the pool's members.
void ParallelMatMul(ThreadPool& pool, const float* x, int64_t m, int64_t k, const void* w, DType t,
                    int64_t n, float* y) {
  pool.Run([&](int i, int parts) {
    int64_t b, e;
    // Whole groups of 16 outputs per thread (packed layouts need them; others don't mind).
    ThreadPool::SplitRange(n / 16, parts, i, &b, &e);
    b *= 16;
    e = e * 16 == n - n % 16 ? n : e * 16;
    MatMul(x, m, k, k, w, t, b, e, y, n);
  });
}

void SetLabel(benchmark::State& state, DType t) {
  state.SetLabel(std::string(DTypeName(t)) + " " + IsaName(ActiveIsa()));
}

// Args: wtype index, n, k, threads.
void BM_Gemv(benchmark::State& state) {
  const DType t = kTypes[state.range(0)];
  const int64_t n = state.range(1), k = state.range(2);
  const size_t bytes = RowBytes(t, k) * static_cast<size_t>(n);
  const size_t copies = std::max<size_t>(1, (kRotateBytes + bytes - 1) / bytes);
  std::vector<AlignedBuffer> ws;
  for (size_t c = 0; c < copies; ++c) ws.push_back(RandomWeights(t, bytes, 1 + c));
  std::vector<float> x(static_cast<size_t>(k), 0.5f), y(static_cast<size_t>(n));
  ThreadPool pool(static_cast<int>(state.range(3)));
  size_t c = 0;
  for (auto _ : state) {
    ParallelMatMul(pool, x.data(), 1, k, ws[c].get(), t, n, y.data());
    benchmark::DoNotOptimize(y.data());
    c = c + 1 == copies ? 0 : c + 1;
  }
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
  SetLabel(state, t);
}

// Args: wtype index, n, k. Single thread, one small weight matrix that stays in L2: the
// kernel's compute ceiling, for comparison with BM_Gemv's memory-bound figure.
void BM_GemvL2(benchmark::State& state) {
  const DType t = kTypes[state.range(0)];
  const int64_t n = state.range(1), k = state.range(2);
  const size_t bytes = RowBytes(t, k) * static_cast<size_t>(n);
  AlignedBuffer w = RandomWeights(t, bytes, 5);
  std::vector<float> x(static_cast<size_t>(k), 0.5f), y(static_cast<size_t>(n));
  for (auto _ : state) {
    MatMul(x.data(), 1, k, k, w.get(), t, 0, n, y.data(), n);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
  SetLabel(state, t);
}

// y = W x for m x k activations and n x k weights of type t, reporting GFLOP/s (2 m n k).
void RunGemm(benchmark::State& state, DType t, int64_t m, int64_t n, int64_t k, int threads) {
  AlignedBuffer w = RandomWeights(t, RowBytes(t, k) * static_cast<size_t>(n), 7);
  std::vector<float> x(static_cast<size_t>(m * k)), y(static_cast<size_t>(m * n));
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  for (float& v : x) v = d(rng);
  ThreadPool pool(threads);
  for (auto _ : state) {
    ParallelMatMul(pool, x.data(), m, k, w.get(), t, n, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * m * n * k * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  SetLabel(state, t);
}

// Args: wtype index, n, k, threads; m = 512.
void BM_Gemm(benchmark::State& state) {
  RunGemm(state, kTypes[state.range(0)], 512, state.range(1), state.range(2),
          static_cast<int>(state.range(3)));
}

// Args: wtype index, m, n, k, threads.
void BM_GemmEncoder(benchmark::State& state) {
  RunGemm(state, kTypes[state.range(0)], state.range(1), state.range(2), state.range(3),
          static_cast<int>(state.range(4)));
}

void EncoderArgs(benchmark::internal::Benchmark* b, int threads) {
  b->ArgNames({"wtype", "m", "n", "k", "threads"});
  for (int t = 0; t < 3; ++t) {
    for (auto [n, k] : {std::pair{768, 768}, {3072, 768}, {768, 3072}}) {
      b->Args({t, 2048, n, k, threads});
    }
  }
}

void GemvArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"wtype", "n", "k", "threads"});
  for (int threads : {1, 2}) {
    for (int t = 0; t < 3; ++t) {
      for (auto [n, k] : {std::pair{2048, 2048}, {5632, 2048}, {2048, 5632}, {32000, 2048}}) {
        b->Args({t, n, k, threads});
      }
    }
  }
}

void GemmArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"wtype", "n", "k", "threads"});
  for (int threads : {1, 2}) {
    for (int t = 0; t < 3; ++t) {
      for (auto [n, k] : {std::pair{2048, 2048}, {5632, 2048}, {2048, 5632}}) {
        b->Args({t, n, k, threads});
      }
    }
  }
}

constexpr DType kQuantTypes[] = {DType::kQ4_0, DType::kQ4_1,   DType::kQ5_0,  DType::kQ5_1,
                                 DType::kQ8_0, DType::kQ2_K,   DType::kQ3_K,  DType::kQ4_K,
                                 DType::kQ5_K, DType::kQ6_K,   DType::kIQ4_NL, DType::kIQ4_XS,
                                 DType::kQ4_0x16, DType::kQ8_0x16, DType::kQ4_Kx16,
                                 DType::kQ6_Kx16, DType::kQ5_Kx16};

// n x k normal(0, 0.05) weights quantized to t with the reference quantizer (a packed layout:
// quantized to its source type, then packed).
AlignedBuffer QuantWeights(DType t, int64_t n, int64_t k) {
  if (IsPackedType(t)) {
    AlignedBuffer src = QuantWeights(PackedSourceType(t), n, k);
    AlignedBuffer w = AlignedAlloc(RowBytes(t, k) * static_cast<size_t>(n));
    PackRows(t, src.get(), n, k, w.get());
    return w;
  }
  std::mt19937 rng(11);
  std::normal_distribution<float> d(0.f, 0.05f);
  std::vector<float> row(static_cast<size_t>(k));
  const size_t rb = RowBytes(t, k);
  AlignedBuffer w = AlignedAlloc(rb * static_cast<size_t>(n));
  for (int64_t o = 0; o < n; ++o) {
    for (float& v : row) v = d(rng);
    (void)quant::QuantizeRowInto(t, row.data(), w.get() + o * rb, k);
  }
  return w;
}

// Args: quant type index, threads. n = 5632, k = 2048; copies rotate through >= 512 MiB.
void BM_QGemv(benchmark::State& state) {
  const DType t = kQuantTypes[state.range(0)];
  const int64_t n = 5632, k = 2048;
  const size_t bytes = RowBytes(t, k) * static_cast<size_t>(n);
  const size_t copies = std::max<size_t>(1, (kRotateBytes + bytes - 1) / bytes);
  std::vector<AlignedBuffer> ws;
  ws.push_back(QuantWeights(t, n, k));
  for (size_t c = 1; c < copies; ++c) {
    ws.push_back(AlignedAlloc(bytes));
    std::memcpy(ws.back().get(), ws.front().get(), bytes);
  }
  std::vector<float> x(static_cast<size_t>(k)), y(static_cast<size_t>(n));
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.f, 1.f);
  for (float& v : x) v = d(rng);
  ThreadPool pool(static_cast<int>(state.range(1)));
  size_t c = 0;
  for (auto _ : state) {
    ParallelMatMul(pool, x.data(), 1, k, ws[c].get(), t, n, y.data());
    benchmark::DoNotOptimize(y.data());
    c = c + 1 == copies ? 0 : c + 1;
  }
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
  SetLabel(state, t);
}

// Args: quant type index. n = 64, k = 2048, one thread: the weights stay in L2, so this is the
// kernel's arithmetic rate without DRAM (what it has to spare over the bandwidth).
void BM_QGemvL2(benchmark::State& state) {
  const DType t = kQuantTypes[state.range(0)];
  const int64_t n = 64, k = 2048;
  AlignedBuffer w = QuantWeights(t, n, k);
  std::vector<float> x(static_cast<size_t>(k), 0.5f), y(static_cast<size_t>(n));
  for (auto _ : state) {
    MatMul(x.data(), 1, k, k, w.get(), t, 0, n, y.data(), n);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GB/s"] = benchmark::Counter(
      static_cast<double>(RowBytes(t, k) * n) * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
  SetLabel(state, t);
}

// Args: quant type index, threads. m = 512, n = k = 2048.
void BM_QGemm(benchmark::State& state) {
  const DType t = kQuantTypes[state.range(0)];
  const int64_t m = 512, n = 2048, k = 2048;
  AlignedBuffer w = QuantWeights(t, n, k);
  std::vector<float> x(static_cast<size_t>(m * k)), y(static_cast<size_t>(m * n));
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.f, 1.f);
  for (float& v : x) v = d(rng);
  ThreadPool pool(static_cast<int>(state.range(1)));
  for (auto _ : state) {
    ParallelMatMul(pool, x.data(), m, k, w.get(), t, n, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GOP/s"] = benchmark::Counter(
      2.0 * m * n * k * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  SetLabel(state, t);
}

void QuantArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"qtype", "threads"});
  for (int threads : {1, 2}) {
    for (int t = 0; t < static_cast<int>(std::size(kQuantTypes)); ++t) b->Args({t, threads});
  }
}

BENCHMARK(BM_QGemv)->Apply(QuantArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QGemvL2)
    ->ArgName("qtype")
    ->DenseRange(0, static_cast<int>(std::size(kQuantTypes)) - 1)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QGemm)->Apply(QuantArgs)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK(BM_Gemv)->Apply(GemvArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GemvL2)
    ->ArgNames({"wtype", "n", "k"})
    ->Args({0, 64, 2048})
    ->Args({1, 64, 2048})
    ->Args({2, 64, 2048})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gemm)->Apply(GemmArgs)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GemmEncoder)
    ->Apply([](benchmark::internal::Benchmark* b) { EncoderArgs(b, 1); })
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GemmEncoder)
    ->Apply([](benchmark::internal::Benchmark* b) { EncoderArgs(b, 2); })
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace miaotui::kernels

BENCHMARK_MAIN();
