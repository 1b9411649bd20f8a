// Every op of the CUDA backend against the CPU backend (and, for matmuls, against a double-
// precision product of the dequantized weights) on random inputs with odd shapes: one-node graphs
// run through graph::Backend on both sides. Skipped, with the reason, where no CUDA device is
// usable; DeviceStatus runs everywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <numeric>
#include <random>

#include "../kernels/kernel_test_util.h"
#include "cuda_test_util.h"
#include "quant/traits.h"

namespace miaotui {
namespace {

using graph::Backend;
using graph::GraphBuilder;
using graph::Tensor;
using testing::BackendPair;
using testing::RelErr;

bool Quantized(DType t) {
  return t == DType::kQ4_0 || t == DType::kQ8_0 || t == DType::kQ4_K || t == DType::kQ6_K;
}

std::vector<float> Random(size_t n, std::mt19937& rng) {
  return kernels::testing::RandomFloats(rng, n);
}

// n rows of k random floats stored as `t`, and the values the stored bytes stand for.
struct Weight {
  std::vector<uint8_t> bytes;
  std::vector<float> values;
  TensorView view(DType t, int64_t k, int64_t n) const {
    return TensorView{bytes.data(), t, Shape::Of(k, n)};
  }
};

Weight MakeWeight(DType t, int64_t k, int64_t n, std::mt19937& rng) {
  const std::vector<float> x = Random(static_cast<size_t>(k * n), rng);
  const quant::QuantTraits* q = quant::GetQuantTraits(t);
  if (q == nullptr) {  // F32, F16, BF16
    kernels::testing::Encoded e = kernels::testing::Encode(t, x);
    return Weight{std::move(e.bytes), std::move(e.values)};
  }
  Weight w;
  const size_t row = RowBytes(t, k);
  w.bytes.resize(row * n);
  w.values.resize(x.size());
  for (int64_t r = 0; r < n; ++r) {
    q->quantize_row(x.data() + r * k, w.bytes.data() + r * row, k);
    q->dequantize_row(w.bytes.data() + r * row, w.values.data() + r * k, k);
  }
  return w;
}

TEST(CudaDeviceTest, StatusNamesTheReason) {
  const Status s = cuda::CudaDeviceStatus();
  if (s.ok()) {
    EXPECT_FALSE(cuda::CudaDeviceDescription().empty());
    std::printf("[ cuda ] device: %s\n", cuda::CudaDeviceDescription().c_str());
    return;
  }
  EXPECT_EQ(s.message().rfind("no CUDA device: ", 0), 0u) << s.message();
  auto b = cuda::CreateCudaBackend(graph::KvCacheSpec{});
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), s.message());
  std::printf("[ cuda ] %s\n", s.message().c_str());
}

struct MatMulCase {
  DType type;
  int64_t k, n;
};

TEST(CudaOpsTest, MatMulEveryWeightTypeAndBatch) {
  MT_REQUIRE_CUDA();
  std::mt19937 rng(12);
  const MatMulCase cases[] = {
      {DType::kF32, 100, 37},  {DType::kF32, 256, 5},    {DType::kF16, 100, 37},
      {DType::kF16, 512, 37},  {DType::kBF16, 264, 37},  {DType::kQ4_0, 96, 37},
      {DType::kQ4_0, 512, 33}, {DType::kQ8_0, 160, 37},  {DType::kQ4_K, 256, 37},
      {DType::kQ4_K, 768, 9},  {DType::kQ6_K, 256, 37},  {DType::kQ6_K, 512, 19},
  };
  BackendPair be(graph::KvCacheSpec{});
  for (const MatMulCase& c : cases) {
    const Weight w = MakeWeight(c.type, c.k, c.n, rng);
    for (int64_t m : {1, 3, 8, 9, 40}) {
      SCOPED_TRACE(std::string(DTypeName(c.type)) + " k " + std::to_string(c.k) + " n " +
                   std::to_string(c.n) + " m " + std::to_string(m));
      const std::vector<float> x = Random(static_cast<size_t>(m * c.k), rng);
      GraphBuilder b;
      Tensor in = b.InputMatrix("x", c.k, m);
      Tensor y = b.MatMul(in, w.view(c.type, c.k, c.n));
      b.MarkOutput(y);
      graph::Graph g = b.Finish();
      std::vector<float> cpu, gpu;
      be.Run(g, [&](Backend& bk) { std::copy(x.begin(), x.end(), bk.InputF32(g, in)); }, y, &cpu,
             &gpu);
      std::vector<float> exact(static_cast<size_t>(m * c.n));
      for (int64_t r = 0; r < m; ++r) {
        for (int64_t o = 0; o < c.n; ++o) {
          double s = 0;
          for (int64_t i = 0; i < c.k; ++i) s += static_cast<double>(x[r * c.k + i]) * w.values[o * c.k + i];
          exact[r * c.n + o] = static_cast<float>(s);
        }
      }
      // Dense weights, few rows: float32 throughout. cuBLAS rows (m > 8): activations rounded to
      // F16/BF16 (F32: exact). Quantized: 32-value Q8 activations (rows <= 8) or F16 (> 8).
      // The CPU quantizes activations its own way (Q8_0 with F16 scales, Q8_K), so against it
      // the quantized formats get the sum of both errors.
      double tol = 2e-5;
      if (c.type == DType::kBF16 && m > 8) tol = 1e-2;
      if (c.type == DType::kF16 && m > 8) tol = 2e-3;
      if (Quantized(c.type)) tol = m > 8 ? 3e-3 : 1.5e-2;
      EXPECT_LT(RelErr(gpu, exact), tol);
      EXPECT_LT(RelErr(gpu, cpu), Quantized(c.type) ? 4e-2 : 2 * tol);
    }
  }
}

// rows x cols float inputs a, b (b also as a bias row and a norm weight).
TEST(CudaOpsTest, NormsActivationsAndRows) {
  MT_REQUIRE_CUDA();
  std::mt19937 rng(7);
  const int64_t rows = 7, cols = 100;
  const std::vector<float> av = Random(rows * cols, rng), bv = Random(rows * cols, rng);
  const std::vector<float> wv = Random(cols, rng), bias = Random(cols, rng);
  const TensorView w{wv.data(), DType::kF32, Shape::Of(cols)};
  const TensorView bb{bias.data(), DType::kF32, Shape::Of(cols)};
  BackendPair be(graph::KvCacheSpec{});
  using Build = std::function<Tensor(GraphBuilder&, Tensor, Tensor, Tensor)>;
  const std::vector<std::pair<const char*, Build>> ops = {
      {"rms_norm", [&](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.RmsNorm(a, w, 1e-5f); }},
      {"layer_norm",
       [&](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.LayerNorm(a, w, bb, 1e-5f); }},
      {"add", [](GraphBuilder& g, Tensor a, Tensor b, Tensor) { return g.Add(a, b); }},
      {"mul", [](GraphBuilder& g, Tensor a, Tensor b, Tensor) { return g.Mul(a, b); }},
      {"silu", [](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.Silu(a); }},
      {"silu_mul (fused)",
       [](GraphBuilder& g, Tensor a, Tensor b, Tensor) { return g.Mul(g.Silu(a), b); }},
      {"gelu tanh", [](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.Gelu(a, true); }},
      {"gelu erf", [](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.Gelu(a, false); }},
      {"tanh", [](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.Tanh(a); }},
      {"add_row", [&](GraphBuilder& g, Tensor a, Tensor, Tensor) { return g.AddRow(a, bb); }},
      {"select_rows", [](GraphBuilder& g, Tensor a, Tensor, Tensor r) { return g.SelectRows(a, r); }},
  };
  const std::vector<int32_t> pick = {6, 0, 3};
  for (const auto& [name, build] : ops) {
    SCOPED_TRACE(name);
    GraphBuilder g;
    Tensor a = g.InputMatrix("a", cols, rows), b = g.InputMatrix("b", cols, rows);
    Tensor r = g.Input("rows", DType::kI32, static_cast<int64_t>(pick.size()));
    Tensor y = build(g, a, b, r);
    g.MarkOutput(y);
    graph::Graph gr = g.Finish();
    std::vector<float> cpu, gpu;
    be.Run(gr,
           [&](Backend& bk) {
             // Inputs the op does not use were removed by the dead-node pass.
             if (gr.nodes[a.id].alive) std::copy(av.begin(), av.end(), bk.InputF32(gr, a));
             if (gr.nodes[b.id].alive) std::copy(bv.begin(), bv.end(), bk.InputF32(gr, b));
             if (gr.nodes[r.id].alive) std::copy(pick.begin(), pick.end(), bk.InputI32(gr, r));
           },
           y, &cpu, &gpu);
    EXPECT_LT(RelErr(gpu, cpu), 1e-5);
  }
}

TEST(CudaOpsTest, EmbeddingEveryType) {
  MT_REQUIRE_CUDA();
  std::mt19937 rng(9);
  BackendPair be(graph::KvCacheSpec{});
  const std::vector<int32_t> ids = {12, 0, 5, 12, 7};
  for (DType t : {DType::kF32, DType::kF16, DType::kBF16, DType::kQ4_0, DType::kQ8_0,
                  DType::kQ4_K, DType::kQ6_K}) {
    SCOPED_TRACE(DTypeName(t));
    const Weight w = MakeWeight(t, 256, 13, rng);
    GraphBuilder g;
    Tensor in = g.Input("ids", DType::kI32, static_cast<int64_t>(ids.size()));
    Tensor y = g.Embedding(w.view(t, 256, 13), in);
    g.MarkOutput(y);
    graph::Graph gr = g.Finish();
    std::vector<float> cpu, gpu;
    be.Run(gr, [&](Backend& bk) { std::copy(ids.begin(), ids.end(), bk.InputI32(gr, in)); }, y,
           &cpu, &gpu);
    EXPECT_LT(RelErr(gpu, cpu), 1e-6);
  }
}

TEST(CudaOpsTest, RopeBothLayoutsPartialRotationAndFactors) {
  MT_REQUIRE_CUDA();
  std::mt19937 rng(4);
  const int64_t rows = 5, heads = 3, hd = 16;
  const std::vector<float> xv = Random(rows * heads * hd, rng);
  const std::vector<int32_t> pos = {0, 1, 17, 1000, 4095};
  const std::vector<float> factors = {1.0f, 2.0f, 4.0f, 8.0f, 1.5f, 3.0f};
  BackendPair be(graph::KvCacheSpec{});
  for (auto layout : {ops::RopeLayout::kInterleaved, ops::RopeLayout::kHalfSplit}) {
    for (bool with_factors : {false, true}) {
      ops::RopeParams p{.n_heads = heads, .head_dim = hd, .n_rot = 12, .base = 10000.0f,
                        .freq_scale = 0.5f, .layout = layout,
                        .freq_factors = with_factors ? factors.data() : nullptr};
      GraphBuilder g;
      Tensor x = g.InputMatrix("x", heads * hd, rows);
      Tensor ps = g.Input("pos", DType::kI32, rows);
      Tensor y = g.Rope(x, ps, p);
      g.MarkOutput(y);
      graph::Graph gr = g.Finish();
      std::vector<float> cpu, gpu;
      be.Run(gr,
             [&](Backend& bk) {
               std::copy(xv.begin(), xv.end(), bk.InputF32(gr, x));
               std::copy(pos.begin(), pos.end(), bk.InputI32(gr, ps));
             },
             y, &cpu, &gpu);
      EXPECT_LT(RelErr(gpu, cpu), 1e-5) << "layout " << static_cast<int>(layout) << " factors "
                                        << with_factors;
    }
  }
}

// Two sequences with scattered blocks: a prompt step (300 and 7 tokens), then two decode steps
// (one token each), so the KV cache written by one Run is read by the next; grouped-query heads;
// F32 and F16 caches; with and without a sliding window; head sizes 64 and 40 (not a multiple of
// 32).
TEST(CudaOpsTest, AttentionPromptThenDecodeOverPagedCache) {
  MT_REQUIRE_CUDA();
  std::mt19937 rng(21);
  const int64_t n_blocks = 64, bs = 16, max_blocks = 32;
  for (DType kv_type : {DType::kF32, DType::kF16}) {
    for (int64_t window : {0, 37}) {
      for (int64_t hd : {64, 40}) {
        SCOPED_TRACE(std::string(DTypeName(kv_type)) + " window " + std::to_string(window) +
                     " head_dim " + std::to_string(hd));
        const ops::AttentionParams p{.n_head = 4, .n_head_kv = 2, .head_dim = hd,
                                     .scale = 1.0f / std::sqrt(static_cast<float>(hd)),
                                     .window = window};
        const int64_t kv_dim = p.n_head_kv * hd;
        BackendPair be(graph::KvCacheSpec{.n_layer = 1, .n_blocks = n_blocks, .block_size = bs,
                                          .kv_dim = kv_dim, .dtype = kv_type});
        std::vector<int32_t> table(2 * max_blocks);
        std::iota(table.begin(), table.end(), 0);
        std::shuffle(table.begin(), table.end(), rng);
        int32_t past[2] = {0, 0};
        for (const auto& step : std::vector<std::pair<int, int>>{{300, 7}, {1, 1}, {1, 1}}) {
          const int64_t n = step.first + step.second;
          std::vector<int32_t> pos, slots, seq;
          for (int s = 0; s < 2; ++s) {
            const int len = s == 0 ? step.first : step.second;
            for (int i = 0; i < len; ++i) {
              const int32_t ps = past[s] + i;
              pos.push_back(ps);
              slots.push_back(table[s * max_blocks + ps / bs] * bs + ps % bs);
              seq.push_back(s);
            }
            past[s] += len;
          }
          const std::vector<float> qv = Random(n * p.n_head * hd, rng);
          const std::vector<float> kv = Random(n * kv_dim, rng), vv = Random(n * kv_dim, rng);
          GraphBuilder g;
          Tensor q = g.InputMatrix("q", p.n_head * hd, n);
          Tensor k = g.InputMatrix("k", kv_dim, n), v = g.InputMatrix("v", kv_dim, n);
          graph::KvInputs in{.positions = g.Input("pos", DType::kI32, n),
                             .slots = g.Input("slots", DType::kI32, n),
                             .seq_ids = g.Input("seq", DType::kI32, n),
                             .block_table = g.Input("table", DType::kI32, 2 * max_blocks),
                             .max_blocks = max_blocks};
          Tensor y = g.Attention(q, k, v, in, p, 0);
          g.MarkOutput(y);
          graph::Graph gr = g.Finish();
          std::vector<float> cpu, gpu;
          be.Run(gr,
                 [&](Backend& bk) {
                   std::copy(qv.begin(), qv.end(), bk.InputF32(gr, q));
                   std::copy(kv.begin(), kv.end(), bk.InputF32(gr, k));
                   std::copy(vv.begin(), vv.end(), bk.InputF32(gr, v));
                   std::copy(pos.begin(), pos.end(), bk.InputI32(gr, in.positions));
                   std::copy(slots.begin(), slots.end(), bk.InputI32(gr, in.slots));
                   std::copy(seq.begin(), seq.end(), bk.InputI32(gr, in.seq_ids));
                   std::copy(table.begin(), table.end(), bk.InputI32(gr, in.block_table));
                 },
                 y, &cpu, &gpu);
          EXPECT_LT(RelErr(gpu, cpu), 1e-5) << "step of " << n << " tokens";
        }
      }
    }
  }
}

TEST(CudaOpsTest, RefusesWhatItCannotRun) {
  MT_REQUIRE_CUDA();
  std::mt19937 rng(2);
  const Weight w = MakeWeight(DType::kQ5_0, 64, 4, rng);
  GraphBuilder g;
  Tensor x = g.InputMatrix("x", 64, 2);
  Tensor y = g.Named(g.MatMul(x, w.view(DType::kQ5_0, 64, 4)), "proj");
  g.MarkOutput(y);
  graph::Graph gr = g.Finish();
  graph::Optimize(gr, graph::PassOptions{});
  auto b = cuda::CreateCudaBackend(graph::KvCacheSpec{});
  ASSERT_TRUE(b.ok()) << b.status().message();
  const Status s = (*b)->Prepare(gr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("proj"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Q5_0"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace miaotui
