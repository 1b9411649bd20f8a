#include "graph/cpu_backend.h"

namespace miaotui::graph {

CpuBackend::CpuBackend(ThreadPool* pool, const KvCacheSpec& kv) : executor_(pool) {
  if (kv.n_layer > 0) {
    kv_ = std::make_unique<KvCache>(kv.n_layer, kv.n_blocks, kv.block_size, kv.kv_dim, kv.dtype);
  }
}

Status CpuBackend::Prepare(const Graph& g) {
  executor_.Prepare(g, kv_ ? kv_->n_blocks() * kv_->block_size() : 0);
  return Status::Ok();
}

Status CpuBackend::Run(const Graph& g) {
  executor_.Run(g, kv_.get());
  return Status::Ok();
}

}  // namespace miaotui::graph
