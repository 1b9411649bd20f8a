// Sparse F16 GEMV (kernels/sparse.h) against the dense F16 GEMV on the same weights, at 50 %
// zeros: m = 1 (decode), n x k = 5632 x 2048 (tinyllama's ffn_up), 1 or 2 threads (rows split
// with SplitRange). Every variant rotates through copies totalling >= 512 MiB, so each call reads
// its weights from DRAM as decoding a whole model does.
// Counters: GB/s = bytes the kernel reads per second; dense_equiv_GB/s = the dense F16 bytes of
// the same matrix per second (the speed-up over dense is the ratio of the times).
//   layout 0: dense F16 (MatMul), 1: unstructured 50 % (bitmaps), 2: 2:4.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "base/half.h"
#include "base/thread_pool.h"
#include "kernels/matmul.h"
#include "kernels/sparse.h"

namespace miaotui::kernels {
namespace {

constexpr size_t kRotateBytes = size_t{512} << 20;
constexpr int64_t kN = 5632, kK = 2048;

// Exactly two nonzeros in every group of four columns (random positions): 50 % zeros that both
// sparse layouts can hold.
std::vector<uint16_t> HalfZeroWeights() {
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.f, 0.05f);
  std::vector<uint16_t> w(static_cast<size_t>(kN * kK), 0);
  for (size_t g = 0; g < w.size(); g += 4) {
    int a = static_cast<int>(rng() % 4), b = static_cast<int>(rng() % 3);
    if (b >= a) ++b;
    w[g + a] = FloatToHalf(d(rng));
    w[g + b] = FloatToHalf(d(rng));
  }
  return w;
}

// Args: layout, threads.
void BM_SparseGemv(benchmark::State& state) {
  const int layout = static_cast<int>(state.range(0));
  const std::vector<uint16_t> dense = HalfZeroWeights();
  const size_t dense_bytes = dense.size() * 2;
  std::vector<std::vector<uint16_t>> dense_copies;
  std::vector<SparseMatrix> sparse_copies;
  size_t bytes = dense_bytes;
  if (layout == 0) {
    for (size_t c = 0; c * dense_bytes < kRotateBytes; ++c) dense_copies.push_back(dense);
  } else {
    auto p = PackSparseF16(dense.data(), kN, kK,
                           layout == 1 ? SparseLayout::kUnstructured : SparseLayout::k2of4);
    if (!p.ok()) return state.SkipWithError(p.status().message().c_str());
    bytes = p->Bytes();
    for (size_t c = 0; c * bytes < kRotateBytes; ++c) sparse_copies.push_back(*p);
  }
  const size_t copies = layout == 0 ? dense_copies.size() : sparse_copies.size();
  std::mt19937 rng(4);
  std::normal_distribution<float> d(0.f, 1.f);
  std::vector<float> x(static_cast<size_t>(kK)), y(static_cast<size_t>(kN));
  for (float& v : x) v = d(rng);
  ThreadPool pool(static_cast<int>(state.range(1)));
  size_t c = 0;
  for (auto _ : state) {
    pool.Run([&](int i, int parts) {
      int64_t b, e;
      ThreadPool::SplitRange(kN, parts, i, &b, &e);
      if (layout == 0) {
        MatMul(x.data(), 1, kK, kK, dense_copies[c].data(), DType::kF16, b, e, y.data(), kN);
      } else {
        SparseGemv(sparse_copies[c], x.data(), b, e, y.data());
      }
    });
    benchmark::DoNotOptimize(y.data());
    c = c + 1 == copies ? 0 : c + 1;
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["GB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * iters / 1e9, benchmark::Counter::kIsRate);
  state.counters["dense_equiv_GB/s"] = benchmark::Counter(
      static_cast<double>(dense_bytes) * iters / 1e9, benchmark::Counter::kIsRate);
  state.counters["bytes_vs_dense"] = static_cast<double>(bytes) / static_cast<double>(dense_bytes);
  state.SetLabel(std::string(layout == 0 ? "dense F16" : layout == 1 ? "unstructured 50%" : "2:4") +
                 " " + IsaName(ActiveIsa()));
}

// Args: layout. One 64 x 2048 matrix that stays in L2, one thread: the compute ceiling.
void BM_SparseGemvL2(benchmark::State& state) {
  const int layout = static_cast<int>(state.range(0));
  std::vector<uint16_t> dense = HalfZeroWeights();
  dense.resize(static_cast<size_t>(64 * kK));
  std::vector<float> x(static_cast<size_t>(kK), 0.5f), y(64);
  auto p = PackSparseF16(dense.data(), 64, kK,
                         layout == 2 ? SparseLayout::k2of4 : SparseLayout::kUnstructured);
  if (!p.ok()) return state.SkipWithError(p.status().message().c_str());
  for (auto _ : state) {
    if (layout == 0) {
      MatMul(x.data(), 1, kK, kK, dense.data(), DType::kF16, 0, 64, y.data(), 64);
    } else {
      SparseGemv(*p, x.data(), 0, 64, y.data());
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["dense_equiv_GB/s"] =
      benchmark::Counter(static_cast<double>(dense.size() * 2) * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}

BENCHMARK(BM_SparseGemv)
    ->ArgNames({"layout", "threads"})
    ->ArgsProduct({{0, 1, 2}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SparseGemvL2)->ArgName("layout")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace miaotui::kernels

BENCHMARK_MAIN();
