#include <gtest/gtest.h>

#include <random>

#include "base/thread_pool.h"
#include "graph/executor.h"
#include "graph/graph.h"
#include "graph/passes.h"

namespace miaotui::graph {
namespace {

// A small two-layer MLP-with-residual graph over random weights.
struct Toy {
  std::vector<float> w1, w2, w3, norm;
  Graph Build(int64_t rows, Tensor* ids, Tensor* out, const std::vector<float>& table,
              int64_t vocab, int64_t d) {
    GraphBuilder g;
    *ids = g.Input("ids", DType::kI32, rows);
    TensorView emb{table.data(), DType::kF32, Shape::Of(d, vocab)};
    TensorView n{norm.data(), DType::kF32, Shape::Of(d)};
    TensorView a{w1.data(), DType::kF32, Shape::Of(d, 2 * d)};
    TensorView b{w2.data(), DType::kF32, Shape::Of(d, 2 * d)};
    TensorView c{w3.data(), DType::kF32, Shape::Of(2 * d, d)};
    Tensor x = g.Embedding(emb, *ids);
    for (int l = 0; l < 2; ++l) {
      Tensor h = g.RmsNorm(x, n, 1e-5f);
      x = g.Add(x, g.MatMul(g.Mul(g.Silu(g.MatMul(h, a)), g.MatMul(h, b)), c));
    }
    *out = x;
    g.MarkOutput(x);
    return g.Finish();
  }
};

std::vector<float> RandomVec(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> d(0, 0.3f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

std::vector<float> RunToy(bool fuse, int threads, int64_t rows) {
  std::mt19937 rng(5);
  const int64_t d = 40, vocab = 11;
  Toy t{RandomVec(2 * d * d, rng), RandomVec(2 * d * d, rng), RandomVec(2 * d * d, rng),
        std::vector<float>(d, 1.0f)};
  std::vector<float> table = RandomVec(vocab * d, rng);
  Tensor ids, out;
  Graph g = t.Build(rows, &ids, &out, table, vocab, d);
  PassOptions po;
  po.fuse = fuse;
  Optimize(g, po);
  ThreadPool pool(threads);
  Executor ex(&pool);
  ex.Prepare(g, 0);
  int32_t* in = ex.InputI32(g, ids);
  for (int64_t i = 0; i < rows; ++i) in[i] = static_cast<int32_t>(i % vocab);
  ex.Run(g, nullptr);
  const float* o = ex.Output(g, out);
  return std::vector<float>(o, o + rows * d);
}

TEST(GraphTest, FusionAndThreadsDoNotChangeResults) {
  std::vector<float> base = RunToy(false, 1, 7);
  for (bool fuse : {false, true}) {
    for (int threads : {1, 2, 3}) {
      std::vector<float> got = RunToy(fuse, threads, 7);
      ASSERT_EQ(got.size(), base.size());
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], base[i], 1e-5f) << "fuse " << fuse << " threads " << threads;
      }
    }
  }
}

TEST(GraphTest, FusionReplacesSiluMul) {
  std::mt19937 rng(1);
  Toy t{RandomVec(800, rng), RandomVec(800, rng), RandomVec(800, rng), std::vector<float>(20, 1)};
  std::vector<float> table = RandomVec(100, rng);
  Tensor ids, out;
  Graph g = t.Build(3, &ids, &out, table, 5, 20);
  FuseSiluMul(g);
  int silu = 0, silu_mul = 0;
  for (const Node& n : g.nodes) {
    if (!n.alive) continue;
    silu += n.op == Op::kSilu;
    silu_mul += n.op == Op::kSiluMul;
  }
  EXPECT_EQ(silu, 0);
  EXPECT_EQ(silu_mul, 2);
}

TEST(GraphTest, PlannerNeverOverlapsLiveBuffers) {
  std::mt19937 rng(2);
  Toy t{RandomVec(800, rng), RandomVec(800, rng), RandomVec(800, rng), std::vector<float>(20, 1)};
  std::vector<float> table = RandomVec(100, rng);
  Tensor ids, out;
  Graph g = t.Build(9, &ids, &out, table, 5, 20);
  Optimize(g, PassOptions{});
  const int n = static_cast<int>(g.nodes.size());
  std::vector<int> last(n, -1);
  for (int i = 0; i < n; ++i) {
    if (!g.nodes[i].alive) continue;
    for (int in : g.nodes[i].inputs) last[in] = std::max(last[in], i);
  }
  for (int o : g.outputs) last[o] = n;
  size_t total = 0;
  for (int i = 0; i < n; ++i) {
    const Node& a = g.nodes[i];
    if (!a.alive || a.offset < 0) continue;
    total += g.NodeBytes(i);
    for (int j = i + 1; j < n; ++j) {
      const Node& b = g.nodes[j];
      if (!b.alive || b.offset < 0) continue;
      bool live_together = j <= last[i] && !(j == last[i] && b.offset == a.offset);
      if (!live_together) continue;
      bool overlap = a.offset < b.offset + static_cast<int64_t>(g.NodeBytes(j)) &&
                     b.offset < a.offset + static_cast<int64_t>(g.NodeBytes(i));
      EXPECT_FALSE(overlap) << "nodes " << i << " and " << j;
    }
  }
  EXPECT_LT(g.arena_bytes, total) << "the planner should reuse memory";
}

TEST(GraphTest, DotNamesOps) {
  std::mt19937 rng(3);
  Toy t{RandomVec(800, rng), RandomVec(800, rng), RandomVec(800, rng), std::vector<float>(20, 1)};
  std::vector<float> table = RandomVec(100, rng);
  Tensor ids, out;
  Graph g = t.Build(2, &ids, &out, table, 5, 20);
  std::string dot = ToDot(g);
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("rms_norm"), std::string::npos);
}

}  // namespace
}  // namespace miaotui::graph
