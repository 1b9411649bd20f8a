// WeightPacker and the PackMatMulWeights pass: only matrices that MatMul alone reads are packed
// (not a table that Embedding also reads, not a matrix whose rows are not whole groups of 16),
// packing happens once per matrix however many graphs use it, and a packed graph computes what
// the unpacked one does (within float reordering; the kernels' own tests bound it tightly).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "base/thread_pool.h"
#include "graph/executor.h"
#include "graph/graph.h"
#include "graph/passes.h"
#include "graph/weight_packer.h"
#include "kernels/packed.h"
#include "quant/convert.h"

namespace miaotui::graph {
namespace {

std::vector<uint8_t> Quantized(DType t, int64_t rows, int64_t cols, std::mt19937& rng) {
  std::normal_distribution<float> d(0, 0.3f);
  std::vector<float> f(static_cast<size_t>(rows * cols));
  for (float& v : f) v = d(rng);
  std::vector<uint8_t> q(RowBytes(t, cols) * rows);
  for (int64_t r = 0; r < rows; ++r) {
    EXPECT_TRUE(quant::QuantizeRowInto(t, f.data() + r * cols, q.data() + r * RowBytes(t, cols),
                                       cols).ok());
  }
  return q;
}

struct Net {
  std::mt19937 rng{9};
  static constexpr int64_t kD = 64, kVocab = 32;
  std::vector<uint8_t> table = Quantized(DType::kQ8_0, kVocab, kD, rng);  // tied: embed + head
  std::vector<uint8_t> w8 = Quantized(DType::kQ8_0, kD, kD, rng);
  std::vector<uint8_t> w4 = Quantized(DType::kQ4_0, 32, kD, rng);
  std::vector<uint8_t> odd = Quantized(DType::kQ4_0, 20, 32, rng);  // 20 rows: not whole groups

  TensorView Table() const { return {table.data(), DType::kQ8_0, Shape::Of(kD, kVocab)}; }
  TensorView W8() const { return {w8.data(), DType::kQ8_0, Shape::Of(kD, kD)}; }
  TensorView W4() const { return {w4.data(), DType::kQ4_0, Shape::Of(kD, 32)}; }
  TensorView Odd() const { return {odd.data(), DType::kQ4_0, Shape::Of(32, 20)}; }

  Graph Build(int64_t rows, Tensor* ids, Tensor* logits, Tensor* side) const {
    GraphBuilder g;
    *ids = g.Input("ids", DType::kI32, rows);
    Tensor x = g.Embedding(Table(), *ids);
    Tensor a = g.MatMul(x, W8());
    *side = g.MatMul(g.MatMul(a, W4()), Odd());
    *logits = g.MatMul(g.Add(x, a), Table());
    g.MarkOutput(*logits);
    g.MarkOutput(*side);
    return g.Finish();
  }
};

DType WeightType(const Graph& g, const void* data) {
  for (const Node& n : g.nodes) {
    if (n.op == Op::kWeight && n.alive && n.weight.data == data) return n.dtype;
  }
  return DType::kF32;
}

std::vector<float> Execute(const Graph& g, Tensor ids, Tensor out, int64_t rows) {
  ThreadPool pool(2);
  Executor ex(&pool);
  ex.Prepare(g, 0);
  int32_t* in = ex.InputI32(g, ids);
  for (int64_t i = 0; i < rows; ++i) in[i] = static_cast<int32_t>((7 * i) % Net::kVocab);
  ex.Run(g, nullptr);
  const Shape& s = g.nodes[out.id].shape;
  return std::vector<float>(ex.Output(g, out), ex.Output(g, out) + s.NumElements());
}

TEST(WeightPackerTest, PacksOnlyMatricesMatMulAloneReadsAndComputesTheSame) {
  Net net;
  const kernels::Isa isa = kernels::ActiveIsa();
  WeightPacker packer(isa);
  for (int64_t rows : {1, 5}) {
    SCOPED_TRACE("rows=" + std::to_string(rows));
    Tensor ids, logits, side;
    Graph plain = net.Build(rows, &ids, &logits, &side);
    Graph packed = net.Build(rows, &ids, &logits, &side);
    Optimize(plain, PassOptions{});
    Optimize(packed, PassOptions{}, &packer);
    const auto q8 = kernels::PackedTypeFor(DType::kQ8_0, isa);
    const auto q4 = kernels::PackedTypeFor(DType::kQ4_0, isa);
    // Packed nodes point at the packer's copies, so look them up by their packed view.
    EXPECT_EQ(WeightType(packed, packer.Get(net.W8()).data), q8.value_or(DType::kQ8_0));
    EXPECT_EQ(WeightType(packed, packer.Get(net.W4()).data), q4.value_or(DType::kQ4_0));
    EXPECT_EQ(WeightType(packed, net.table.data()), DType::kQ8_0);  // Embedding reads it too
    EXPECT_EQ(WeightType(packed, net.odd.data()), DType::kQ4_0);    // 20 rows
    for (Tensor t : {logits, side}) {
      const std::vector<float> a = Execute(plain, ids, t, rows), b = Execute(packed, ids, t, rows);
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        ASSERT_NEAR(a[i], b[i], 1e-4 * (1 + std::fabs(a[i]))) << "element " << i;
      }
    }
  }
  // Two graphs (and the lookups above), one copy per packable matrix.
  const int64_t want = (kernels::PackedTypeFor(DType::kQ8_0, isa) ? net.W8().bytes() : 0) +
                       (kernels::PackedTypeFor(DType::kQ4_0, isa) ? net.W4().bytes() : 0);
  EXPECT_EQ(packer.packed_bytes(), want);
}

TEST(WeightPackerTest, NoPackingWithoutAPackerOrWhenSwitchedOff) {
  Net net;
  WeightPacker packer(kernels::Isa::kAvx512);
  Tensor ids, logits, side;
  Graph g = net.Build(1, &ids, &logits, &side);
  PassOptions off;
  off.pack_weights = false;
  Optimize(g, off, &packer);
  EXPECT_EQ(WeightType(g, net.w8.data()), DType::kQ8_0);
  EXPECT_EQ(packer.packed_bytes(), 0);
  WeightPacker scalar(kernels::Isa::kScalar);  // no packed layout pays without AVX-512
  EXPECT_EQ(scalar.Get(net.W8()).data, net.W8().data);
}

}  // namespace
}  // namespace miaotui::graph
