// The KV cache of one sequence: per layer, K and V rows [n_ctx, kv_dim] in F32 or F16, indexed
// by position. Owned memory, allocated once at construction (zeroed pages come lazily from the
// OS, so a large n_ctx costs only what is used). Not thread-safe: one Session owns one cache.
#pragma once

#include <vector>

#include "base/aligned.h"
#include "ops/attention.h"

namespace miaotui::graph {

class KvCache {
 public:
  KvCache(int n_layer, int64_t n_ctx, int64_t kv_dim, DType dtype);

  int n_layer() const { return static_cast<int>(layers_.size()); }
  int64_t n_ctx() const { return n_ctx_; }
  DType dtype() const { return dtype_; }
  size_t bytes() const { return bytes_; }
  const ops::KvLayerView& layer(int i) const { return layers_[i]; }

 private:
  int64_t n_ctx_;
  DType dtype_;
  size_t bytes_;
  AlignedBuffer buffer_;
  std::vector<ops::KvLayerView> layers_;
};

}  // namespace miaotui::graph
