#include "runtime/engine_memory_plan.h"

#include <algorithm>

#include "graph/passes.h"
#include "graph/weight_packer.h"
#include "tensor/dtype.h"

namespace miaotui::runtime {

Result<MemoryPlan> PlanEngineMemory(const models::Model& model, const EngineOptions& options) {
  const models::ModelInfo& info = model.info();
  if (info.is_encoder) return InvalidArgument(info.path + ": an encoder has no engine");
  EngineOptions o = options;
  if (o.n_ctx <= 0) o.n_ctx = std::min<int64_t>(info.n_ctx_train, 4096);
  if (o.n_ctx > (1 << 20)) {
    return InvalidArgument("context size " + std::to_string(o.n_ctx) + " is larger than 1048576");
  }
  if (o.max_seqs < 1 || o.max_seqs > 1024) {
    return InvalidArgument("parallel sequences must be 1..1024");
  }
  if (o.block_size < 1 || o.block_size > 1024) return InvalidArgument("block size must be 1..1024");
  o.step_tokens = std::max(o.step_tokens, o.max_seqs);
  const int64_t blocks_per_seq = (o.n_ctx + o.block_size - 1) / o.block_size;
  if (o.kv_blocks <= 0) o.kv_blocks = o.max_seqs * blocks_per_seq;
  MemoryPlan plan;
  plan.n_ctx = o.n_ctx;
  plan.weight_bytes = info.weight_bytes;
  plan.kv_bytes = 2 * info.n_layer * o.kv_blocks * o.block_size *
                  static_cast<int64_t>(RowBytes(o.kv_type, info.kv_dim));
  const int64_t seqs = std::min(o.max_seqs, o.step_tokens);
  models::ForwardGraph fg = model.BuildForward({.n_tokens = o.step_tokens, .n_outputs = seqs,
                                                .n_seqs = seqs, .max_blocks = blocks_per_seq});
  graph::Optimize(fg.graph, o.passes);
  plan.arena_bytes = static_cast<int64_t>(fg.graph.arena_bytes);
  if (o.passes.pack_weights) plan.packed_bytes = graph::PackableBytes(fg.graph, kernels::ActiveIsa());
  return plan;
}

}  // namespace miaotui::runtime
