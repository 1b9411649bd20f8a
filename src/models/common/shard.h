// Helpers for loading a model shard (tensor / pipeline parallelism, see models::Shard): which
// layers a pipeline stage runs, and the divisibility checks with errors that say what to change.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "graph/graph.h"
#include "models/model.h"
#include "models/weight_source.h"

namespace miaotui::models {

// Layers [first, second) of pipeline stage shard.pp_rank: near-equal contiguous ranges.
inline std::pair<int64_t, int64_t> StageLayers(int64_t n_layer, const Shard& s) {
  const int64_t base = n_layer / s.pp_size, rem = n_layer % s.pp_size;
  const int64_t begin = s.pp_rank * base + std::min<int64_t>(s.pp_rank, rem);
  return {begin, begin + base + (s.pp_rank < rem ? 1 : 0)};
}

// Checks that every named dimension divides by tp_size and there are no more stages than
// layers. Error: "<path>: --tp 3 does not divide the head count 8 (tensor parallelism splits
// heads evenly; use a divisor of 8)".
inline Status CheckShard(const std::string& path, const Shard& s, int64_t n_layer,
                         const std::vector<std::pair<const char*, int64_t>>& tp_dims) {
  if (s.pp_size > n_layer) {
    return InvalidArgument(path + ": --pp " + std::to_string(s.pp_size) + " is more stages than " +
                           "the model's " + std::to_string(n_layer) + " layers");
  }
  for (const auto& [what, n] : tp_dims) {
    if (n % s.tp_size != 0) {
      return InvalidArgument(path + ": --tp " + std::to_string(s.tp_size) + " does not divide the " +
                             what + " " + std::to_string(n) + " (tensor parallelism splits it " +
                             "evenly across ranks; use a divisor of " + std::to_string(n) + ")");
    }
  }
  return Status::Ok();
}

// Rows [r * n, (r + 1) * n) of a weight and its bias (when valid): one rank's heads or columns.
inline void SliceRows(TensorView* w, TensorView* b, int64_t r, int64_t n) {
  *w = RowSlice(*w, r * n, n);
  if (b != nullptr && b->valid()) *b = VectorSlice(*b, r * n, n);
}

// Records a loaded shard in the model's info: its layers, KV width and position.
inline void SetShardInfo(const Shard& s, int64_t layer_begin, int64_t layer_end, int64_t kv_dim,
                         ModelInfo* info) {
  info->shard = s;
  info->layer_begin = layer_begin;
  info->n_layer = layer_end - layer_begin;
  info->kv_dim = kv_dim;
}

// A pipeline stage after the first starts from the previous stage's hidden states.
inline graph::Tensor StageInput(graph::GraphBuilder& g, int64_t n_embd, ForwardGraph* fg) {
  g.MarkOutput(fg->tokens);  // unused here; kept alive so callers may still fill it
  fg->hidden_in = g.InputMatrix("hidden_in", n_embd, fg->shape.n_tokens);
  return fg->hidden_in;
}

// A stage before the last hands every row's hidden state `x` to the next one: finishes the graph
// and returns true. The last stage: false (the caller goes on to the logits).
inline bool FinishEarlyStage(graph::GraphBuilder& g, graph::Tensor x, const Shard& s,
                             ForwardGraph* fg) {
  if (s.last_stage()) return false;
  fg->hidden_out = g.Named(x, "hidden_out");
  g.MarkOutput(x);
  g.MarkOutput(fg->out_rows);
  fg->graph = g.Finish();
  return true;
}

}  // namespace miaotui::models
