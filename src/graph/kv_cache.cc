#include "graph/kv_cache.h"

#include "base/check.h"

namespace miaotui::graph {

KvCache::KvCache(int n_layer, int64_t n_ctx, int64_t kv_dim, DType dtype)
    : n_ctx_(n_ctx), dtype_(dtype) {
  CHECK(dtype == DType::kF32 || dtype == DType::kF16);
  const size_t plane = AlignUp(RowBytes(dtype, kv_dim) * static_cast<size_t>(n_ctx), kCacheLine);
  bytes_ = plane * 2 * static_cast<size_t>(n_layer);
  buffer_ = AlignedAlloc(bytes_);
  for (int l = 0; l < n_layer; ++l) {
    ops::KvLayerView v;
    v.k = buffer_.get() + plane * (2 * l);
    v.v = buffer_.get() + plane * (2 * l + 1);
    v.dtype = dtype;
    v.n_ctx = n_ctx;
    layers_.push_back(v);
  }
}

}  // namespace miaotui::graph
