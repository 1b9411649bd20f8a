// WeightPacker: the packed copies (kernels/packed.h) of a model's matrices, made once, on the
// first graph that uses each, and shared by every graph and session of the model (a Model owns
// one). PackMatMulWeights is the graph pass that swaps them in; Optimize runs it when given a
// packer (CPU sessions give the model's; a backend that cannot run packed types must not). The source views stay valid and untouched (the packed copy is extra anonymous memory of
// the same size; Model hands the mapped file's pages of a packed matrix back to the kernel, so
// resident memory does not hold both).
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>

#include "base/aligned.h"
#include "graph/graph.h"
#include "kernels/isa.h"
#include "tensor/tensor_view.h"

namespace miaotui::graph {

class WeightPacker {
 public:
  explicit WeightPacker(kernels::Isa isa = kernels::ActiveIsa()) : isa_(isa) {}
  WeightPacker(const WeightPacker&) = delete;
  WeightPacker& operator=(const WeightPacker&) = delete;

  // The packed view of the matrix w (packed on the first request), or w itself when no packed
  // layout pays for its type on this ISA or its rows are not whole groups of 16.
  TensorView Get(const TensorView& w);
  // Bytes of packed copies made so far.
  int64_t packed_bytes() const;
  // Called with each source range once it has been packed (Model: release the file pages it was
  // read from). Set before the first Get.
  void SetOnPacked(std::function<void(const void*, size_t)> on_packed) {
    on_packed_ = std::move(on_packed);
  }

 private:
  using Key = std::tuple<const void*, DType, int64_t, int64_t>;
  struct Entry {
    AlignedBuffer bytes;
    TensorView view;
  };
  kernels::Isa isa_;
  std::function<void(const void*, size_t)> on_packed_;
  mutable std::mutex mu_;
  std::map<Key, Entry> packed_;
  int64_t packed_bytes_ = 0;
};

// Every weight node used only as the weight operand of MatMul nodes gets packer.Get(its view).
void PackMatMulWeights(Graph& g, WeightPacker& packer);
// The bytes PackMatMulWeights would copy for g on `isa` (memory plans: the copies are anonymous
// memory, the mapped pages they come from are no longer read).
int64_t PackableBytes(const Graph& g, kernels::Isa isa);

}  // namespace miaotui::graph
