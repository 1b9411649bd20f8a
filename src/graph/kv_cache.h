// The KV cache: per layer, a pool of n_blocks blocks of block_size slots; each slot holds one
// token's K row and V row [kv_dim] in F32 or F16 (see ops/attention.h for the addressing).
// Which blocks belong to which sequence is the runtime's business (block tables). Owned memory,
// allocated once at construction (pages come lazily from the OS, so unused blocks cost nothing).
// Not thread-safe.
#pragma once

#include <vector>

#include "base/aligned.h"
#include "ops/attention.h"

namespace miaotui::graph {

class KvCache {
 public:
  KvCache(int n_layer, int64_t n_blocks, int64_t block_size, int64_t kv_dim, DType dtype);

  int n_layer() const { return static_cast<int>(layers_.size()); }
  int64_t n_blocks() const { return n_blocks_; }
  int64_t block_size() const { return block_size_; }
  DType dtype() const { return dtype_; }
  size_t bytes() const { return bytes_; }
  const ops::KvLayerView& layer(int i) const { return layers_[i]; }

 private:
  int64_t n_blocks_, block_size_;
  DType dtype_;
  size_t bytes_;
  AlignedBuffer buffer_;
  std::vector<ops::KvLayerView> layers_;
};

}  // namespace miaotui::graph
