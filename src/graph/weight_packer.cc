#include "graph/weight_packer.h"

#include <vector>

#include "kernels/packed.h"

namespace miaotui::graph {
namespace {

std::optional<DType> PackedTypeOf(const TensorView& w, kernels::Isa isa) {
  if (w.shape.n_dims != 2 || w.rows() % kernels::kPackRows != 0 || w.cols() % 32 != 0) {
    return std::nullopt;
  }
  return kernels::PackedTypeFor(w.dtype, isa);
}

// The weight nodes that only MatMul nodes read, as their weight operand.
std::vector<int> MatMulOnlyWeights(const Graph& g) {
  const size_t n = g.nodes.size();
  std::vector<int> matmul_uses(n, 0), other_uses(n, 0), found;
  for (const Node& node : g.nodes) {
    if (!node.alive) continue;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      ++(node.op == Op::kMatMul && i == 1 ? matmul_uses : other_uses)[node.inputs[i]];
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (g.nodes[i].op == Op::kWeight && matmul_uses[i] > 0 && other_uses[i] == 0) {
      found.push_back(static_cast<int>(i));
    }
  }
  return found;
}

}  // namespace

TensorView WeightPacker::Get(const TensorView& w) {
  const std::optional<DType> packed = PackedTypeOf(w, isa_);
  if (!packed) return w;
  const Key key{w.data, w.dtype, w.cols(), w.rows()};
  std::lock_guard<std::mutex> lock(mu_);
  auto it = packed_.find(key);
  if (it == packed_.end()) {
    Entry e;
    e.bytes = AlignedAlloc(w.bytes());
    kernels::PackRows(*packed, w.data, w.rows(), w.cols(), e.bytes.get());
    e.view = w;
    e.view.data = e.bytes.get();
    e.view.dtype = *packed;
    packed_bytes_ += static_cast<int64_t>(w.bytes());
    it = packed_.emplace(key, std::move(e)).first;
    if (on_packed_) on_packed_(w.data, w.bytes());
  }
  return it->second.view;
}

int64_t WeightPacker::packed_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return packed_bytes_;
}

void PackMatMulWeights(Graph& g, WeightPacker& packer) {
  for (int i : MatMulOnlyWeights(g)) {
    Node& node = g.nodes[i];
    node.weight = packer.Get(node.weight);
    node.dtype = node.weight.dtype;
  }
}

int64_t PackableBytes(const Graph& g, kernels::Isa isa) {
  int64_t bytes = 0;
  for (int i : MatMulOnlyWeights(g)) {
    const TensorView& w = g.nodes[i].weight;
    if (PackedTypeOf(w, isa)) bytes += static_cast<int64_t>(w.bytes());
  }
  return bytes;
}

}  // namespace miaotui::graph
