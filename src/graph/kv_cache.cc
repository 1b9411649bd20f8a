#include "graph/kv_cache.h"

#include "base/check.h"

namespace miaotui::graph {

KvCache::KvCache(int n_layer, int64_t n_blocks, int64_t block_size, int64_t kv_dim, DType dtype)
    : n_blocks_(n_blocks), block_size_(block_size), dtype_(dtype) {
  CHECK(dtype == DType::kF32 || dtype == DType::kF16);
  CHECK(n_blocks > 0 && block_size > 0);
  const size_t plane =
      AlignUp(RowBytes(dtype, kv_dim) * static_cast<size_t>(n_blocks * block_size), kCacheLine);
  bytes_ = plane * 2 * static_cast<size_t>(n_layer);
  buffer_ = AlignedAlloc(bytes_);
  for (int l = 0; l < n_layer; ++l) {
    ops::KvLayerView v;
    v.k = buffer_.get() + plane * (2 * l);
    v.v = buffer_.get() + plane * (2 * l + 1);
    v.dtype = dtype;
    v.block_size = block_size;
    v.n_blocks = n_blocks;
    layers_.push_back(v);
  }
}

}  // namespace miaotui::graph
